"""The identity as a search returns it.

`IdentitySummary` never carries the matricule (nor its OID) of an identity that is not QUAL
(EXI SI 08, ins-rules 1.1): `row_to_summary` leaves them out, and the constructor refuses them,
so no screen, export or printout built from a search result can show them by mistake. `has_ins` says
that an INS is held (a RECUP identity), without giving it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from insterm.domain.display_name import display_name, main_name

# Columns a search reads (in this order); `row_to_summary` expects them.
SUMMARY_COLUMNS = (
    "id", "ipp", "birth_name", "first_name", "first_names", "used_name", "used_first_name",
    "birth_date", "birth_date_corrected", "sex", "birth_place", "status", "dout", "fict", "homa",
    "matricule", "oid", "merged_into", "version",
)
SUMMARY_SELECT = ", ".join(f"identity.{c}" for c in SUMMARY_COLUMNS)


class MatriculeNotShowable(ValueError):
    """A matricule was given for an identity that is not QUAL (a programming error)."""


@dataclass(frozen=True, slots=True)
class IdentitySummary:
    """One identity as a list shows it; the matricule and its OID only for a QUAL identity."""

    id: int
    ipp: str
    birth_name: str
    first_name: str
    first_names: str
    used_name: str | None
    used_first_name: str | None
    birth_date: date
    birth_date_corrected: bool
    sex: str
    birth_place: str | None
    status: str
    attributes: frozenset[str]  # DOUT, FICT, HOMA
    has_ins: bool  # an INS is held (given only when QUAL)
    merged_into: int | None
    version: int
    matricule: str | None = None
    oid: str | None = None
    match: str = ""  # French: why this record was found

    def __post_init__(self) -> None:
        if (self.matricule is not None or self.oid is not None) and self.status != "QUAL":
            raise MatriculeNotShowable(
                "Le matricule INS n'est montré que pour une identité qualifiée (QUAL)."
            )

    @property
    def status_label(self) -> str:
        from insterm.domain.status import Status  # not needed by `insterm lookup`: imported here

        return Status(self.status).label

    @property
    def display_name(self) -> str:
        """The name by the one rule (`insterm.domain.display_name`): birth name, first birth
        first name, then the used ones marked."""
        return display_name(self)

    @property
    def main_name(self) -> str:
        """Birth name and first birth first name only (titles, narrow columns)."""
        return main_name(self)


def row_to_summary(row: sqlite3.Row | tuple[Any, ...], match: str = "") -> IdentitySummary:
    (id_, ipp, birth_name, first_name, first_names, used_name, used_first_name, birth_date,
     corrected, sex, birth_place, status, dout, fict, homa, matricule, oid, merged_into,
     version) = tuple(row)[: len(SUMMARY_COLUMNS)]
    attributes = frozenset(code for code, flag in (("DOUT", dout), ("FICT", fict), ("HOMA", homa))
                           if flag)
    qualified = status == "QUAL"
    return IdentitySummary(
        id=id_, ipp=ipp, birth_name=birth_name, first_name=first_name, first_names=first_names,
        used_name=used_name, used_first_name=used_first_name,
        birth_date=date.fromisoformat(birth_date), birth_date_corrected=bool(corrected), sex=sex,
        birth_place=birth_place, status=status, attributes=attributes,
        has_ins=matricule is not None, merged_into=merged_into, version=version,
        matricule=matricule if qualified else None, oid=oid if qualified else None, match=match,
    )
