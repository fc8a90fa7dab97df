"""The INSi simulator's people from a database: identities that hold an INS (RECUP or QUAL),
and, for the demonstration (`everyone=True`), the others too.

Glue between the store and the simulator, which must not import each other: an instance is a
`people` provider for `insterm.insi.simulator.Simulator` (a callable taking the simulator's
`Query` and returning mappings in its provider format). So the simulator also answers for the
demo database's synthetic people: 00 with their INS, as stored, and their traits.

In the demonstration every patient can be qualified, as at a real practice: a PROV or VALI
identity without an INS (and without DOUT or FICT, with a sex and a birth place) is answered
with a stable synthetic INS made from its traits (sex, year and month of birth, birth place, an
order number from its id, its key), under the demonstration OID ("NIR de démonstration").

Each call opens the database read-only for the time of the lookup (the simulator answers from
its own threads; a connection is not shared). Only the records of the searched birth date (or
holding the searched matricule, current or historical, for a Vitale search) are read, through
the store's indexed search.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["StorePeople", "demo_matricule"]

OID_DEMO = "1.2.250.1.213.1.4.11"


def demo_matricule(record: Any) -> str | None:
    """The synthetic INS the demonstration's simulator gives an identity without one: its sex,
    year and month of birth and birth place, an order number from its id, the key; None when
    a trait it needs is missing."""
    from insterm.domain.nir import compute_key

    place = record.birth_place or ""
    if record.sex not in ("M", "F") or len(place) != 5:
        return None
    born = record.birth_date
    body = (("1" if record.sex == "M" else "2") + f"{born.year % 100:02d}{born.month:02d}"
            + place + f"{1 + record.id % 999:03d}")
    return body + compute_key(body)


class StorePeople:
    """`people=StorePeople(db_path)`: the database's RECUP/QUAL identities as simulator people;
    `everyone=True` (the demonstration): the others too, with a synthetic INS."""

    def __init__(self, db_path: str | os.PathLike[str], *, page_size: int = 200,
                 everyone: bool = False) -> None:
        self.db_path = Path(db_path)
        self.page_size = page_size
        self.everyone = everyone

    def __repr__(self) -> str:
        return f"StorePeople({str(self.db_path)!r})"

    def __call__(self, query: Any) -> list[dict[str, Any]]:
        from insterm.store.connection import open_database
        from insterm.store.errors import StoreError

        try:
            conn = open_database(self.db_path, readonly=True)
        except StoreError:
            return []  # no database (yet): the simulator knows only its test identities
        try:
            return [self._mapping(record, matricule, oid)
                    for record, matricule, oid in self._records(conn, query)]
        finally:
            conn.close()

    def _records(self, conn: Any, query: Any) -> Iterator[tuple[Any, str, str]]:
        from insterm.domain.query import BirthDateQuery, MatriculeQuery
        from insterm.store import identities
        from insterm.store.search import search

        matricule = getattr(query, "matricule", None)
        if matricule:
            from insterm.domain.errors import DomainError
            from insterm.domain.nir import compute_key

            try:
                full = matricule if len(matricule) == 15 else matricule + compute_key(matricule)
            except DomainError:
                return
            wanted: Any = MatriculeQuery(full)
        else:
            try:
                born = date.fromisoformat(str(query.birth_date))
            except (TypeError, ValueError):
                return
            wanted = BirthDateQuery(born)
        page = 0
        while True:
            found = search(conn, wanted, page=page, page_size=self.page_size)
            for summary in found.items:
                if not summary.has_ins and not self.everyone:
                    continue
                record = identities.get_identity(conn, summary.id)
                if record.merged_into is not None:
                    continue
                if record.matricule and record.status in ("RECUP", "QUAL"):
                    yield record, record.matricule, record.oid or ""
                elif self.everyone and not record.matricule and not record.dout \
                        and not record.fict and record.status in ("PROV", "VALI"):
                    synthetic = demo_matricule(record)
                    if synthetic is not None and not matricule:  # a search by traits
                        yield record, synthetic, OID_DEMO
            if not found.has_more:
                return
            page += 1

    @staticmethod
    def _mapping(record: Any, matricule: str, oid: str) -> dict[str, Any]:
        return {
            "birth_name": record.birth_name,
            "first_names": record.first_names,
            "sex": record.sex,
            "birth_date": record.birth_date.isoformat(),
            "birth_place": record.birth_place,
            "matricule": matricule,
            "oid": oid,
            "source": f"base IPP {record.ipp}",
        }
