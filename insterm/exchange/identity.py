"""The identity as it leaves insterm: what every export format needs, nothing more.

`ExchangeIdentity.ins` is the INS (matricule + OID) and may be set only for a QUAL identity
(EXI SI 08, ins-rules 1.1): any other status goes out with its traits, its status and the local
IPP only. The constructor refuses anything else, so no builder can put an INS in a file by
mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from insterm.domain.errors import InstermError

__all__ = ["ExchangeIdentity", "ExportRefused", "Ins"]

STATUSES = ("PROV", "RECUP", "VALI", "QUAL")
ATTRIBUTES = ("DOUT", "FICT", "HOMA")
CHANNELS = ("SM", "CV", "INSI", "CB", "RFID", "AV")


class ExportRefused(InstermError):
    """An identity cannot go out in the format asked (French message)."""


@dataclass(frozen=True, slots=True)
class Ins:
    """The INS of a qualified identity: 15-character matricule (with its key) and its OID."""

    matricule: str
    oid: str


@dataclass(frozen=True, slots=True)
class ExchangeIdentity:
    ipp: str
    birth_name: str
    first_name: str  # first birth first name
    first_names: str  # every birth first name, space-separated, the first included
    birth_date: date
    sex: str  # M, F or I
    birth_place: str | None  # COG code (99xxx abroad)
    used_name: str | None
    used_first_name: str | None
    status: str  # PROV, RECUP, VALI, QUAL
    attributes: frozenset[str] = frozenset()
    ins: Ins | None = None
    channel: str = "SM"
    birth_date_corrected: bool = False
    insi_date: date | None = None  # date of the last INSi call
    document_type: str | None = None  # ZFD-7 code of the last conforming document check
    document_expiry: date | None = None
    document_date: date | None = None  # when that check was made

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ExportRefused(f"Statut d'identité inconnu « {self.status} ».")
        if self.ins is not None and self.status != "QUAL":
            raise ExportRefused(
                f"IPP {self.ipp} : le matricule INS ne sort d'insterm que pour une identité "
                "qualifiée (QUAL).")
        unknown = set(self.attributes) - set(ATTRIBUTES)
        if unknown:
            raise ExportRefused(f"Attribut d'identité inconnu : {', '.join(sorted(unknown))}.")

    @property
    def qualified(self) -> bool:
        return self.status == "QUAL" and self.ins is not None
