"""The INSi simulator's people from a database: identities that hold an INS (RECUP or QUAL).

Glue between the store and the simulator, which must not import each other: an instance is a
`people` provider for `insterm.insi.simulator.Simulator` (a callable taking the simulator's
`Query` and returning mappings in its provider format). So the simulator also answers for the
demo database's synthetic people: 00 with their INS, as stored, and their traits.

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

__all__ = ["StorePeople"]


class StorePeople:
    """`people=StorePeople(db_path)`: the database's RECUP/QUAL identities as simulator people."""

    def __init__(self, db_path: str | os.PathLike[str], *, page_size: int = 200) -> None:
        self.db_path = Path(db_path)
        self.page_size = page_size

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
            return [self._mapping(record) for record in self._records(conn, query)]
        finally:
            conn.close()

    def _records(self, conn: Any, query: Any) -> Iterator[Any]:
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
                if not summary.has_ins:
                    continue
                record = identities.get_identity(conn, summary.id)
                if record.matricule and record.status in ("RECUP", "QUAL") \
                        and record.merged_into is None:
                    yield record
            if not found.has_more:
                return
            page += 1

    @staticmethod
    def _mapping(record: Any) -> dict[str, Any]:
        return {
            "birth_name": record.birth_name,
            "first_names": record.first_names,
            "sex": record.sex,
            "birth_date": record.birth_date.isoformat(),
            "birth_place": record.birth_place,
            "matricule": record.matricule,
            "oid": record.oid,
            "source": f"base IPP {record.ipp}",
        }
