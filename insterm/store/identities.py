"""The identity record: read, insert, update with an optimistic version check.

These functions run inside the caller's write transaction (`connection.write_transaction`): the
facade (`insterm.clinic`) decides what changes, the store checks that the result is a possible
state (schema constraints) and that nobody changed the record meanwhile (`version`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from insterm.domain.display_name import display_name
from insterm.domain.query import phonetic, search_key
from insterm.domain.status import Attribute, IdentityState, Status
from insterm.store import connection
from insterm.store.clock import french_time
from insterm.store.errors import (
    ConstraintViolation,
    MatriculeCollision,
    NotFound,
    VersionConflict,
    from_integrity_error,
)

IPP_BASE = 100_000_000  # generated IPPs have nine digits: never taken for a JJMMAAAA date

# Columns a caller may give (the rest is computed: id, ipp when absent, version, keys, times).
WRITABLE = (
    "birth_name", "first_name", "first_names", "birth_date", "birth_date_corrected",
    "birth_date_raw", "sex", "birth_place", "used_name", "used_first_name", "status", "dout",
    "fict", "homa", "matricule", "oid", "channel",
)
NAME_COLUMNS = ("birth_name", "first_name", "used_name", "used_first_name")


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """A full identity row, for the facade. Screens use `IdentitySummary` or `shown_matricule`."""

    id: int
    ipp: str
    birth_name: str
    first_name: str
    first_names: str
    birth_date: date
    birth_date_corrected: bool
    birth_date_raw: str | None
    sex: str
    birth_place: str | None
    used_name: str | None
    used_first_name: str | None
    status: str
    dout: bool
    fict: bool
    homa: bool
    matricule: str | None
    oid: str | None
    channel: str
    merged_into: int | None
    version: int
    created_at: str
    created_by: int | None
    updated_at: str
    updated_by: int | None

    @property
    def attributes(self) -> frozenset[str]:
        return frozenset(code for code, flag in
                         (("DOUT", self.dout), ("FICT", self.fict), ("HOMA", self.homa)) if flag)

    @property
    def shown_matricule(self) -> str | None:
        """The matricule only when it may be shown (QUAL), else None."""
        return self.matricule if self.status == "QUAL" else None

    def state(self) -> IdentityState:
        """The domain's `IdentityState` of this record."""
        return IdentityState(Status(self.status), frozenset(Attribute(a) for a in self.attributes),
                             self.matricule is not None, self.birth_date_corrected)

    @property
    def label(self) -> str:
        """"IPP 100000012 (MARTIN JEAN, né(e) le 01/02/1980)" for messages (the name by
        `domain.display_name`)."""
        return f"IPP {self.ipp} ({display_name(self)}, " \
               f"né(e) le {self.birth_date.strftime('%d/%m/%Y')})"


_RECORD_COLUMNS = tuple(f.name for f in fields(IdentityRecord))
_SELECT = "SELECT " + ", ".join(_RECORD_COLUMNS) + " FROM identity"
_BOOLS = {"birth_date_corrected", "dout", "fict", "homa"}


def _record(row: tuple[Any, ...]) -> IdentityRecord:
    values = dict(zip(_RECORD_COLUMNS, row))
    values["birth_date"] = date.fromisoformat(values["birth_date"])
    for name in _BOOLS:
        values[name] = bool(values[name])
    return IdentityRecord(**values)


def key_columns(values: Mapping[str, Any]) -> dict[str, str | None]:
    """The search-key columns for the names in `values` (all four names must be given)."""
    used = values.get("used_name") or None
    used_first = values.get("used_first_name") or None
    return {
        "k_birth_name": search_key(values["birth_name"]),
        "k_first_name": search_key(values["first_name"]),
        "k_used_name": search_key(used) if used else None,
        "k_used_first_name": search_key(used_first) if used_first else None,
        "p_birth_name": phonetic(values["birth_name"]),
        "p_first_name": phonetic(values["first_name"]),
        "p_used_name": phonetic(used) if used else None,
    }


def _db_value(name: str, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if name in _BOOLS:
        return 1 if value else 0
    if name in ("used_name", "used_first_name", "birth_place", "birth_date_raw") and value == "":
        return None
    return value


def get_identity(conn: sqlite3.Connection, identity_id: int) -> IdentityRecord:
    row = conn.execute(_SELECT + " WHERE id = ?", (identity_id,)).fetchone()
    if row is None:
        raise NotFound(f"Aucun dossier n°{identity_id} : il a peut-être été saisi sur une autre "
                       "base. Relancez la recherche.")
    return _record(row)


def find_by_ipp(conn: sqlite3.Connection, ipp: str) -> IdentityRecord | None:
    """The record with this IPP (a withdrawn one, of an undone import, is not found)."""
    row = conn.execute(_SELECT + " WHERE ipp = ? AND withdrawn = 0", (ipp,)).fetchone()
    return _record(row) if row else None


def is_withdrawn(conn: sqlite3.Connection, identity_id: int) -> bool:
    """Whether the record was withdrawn with the import that created it (kept, never used)."""
    row = conn.execute("SELECT withdrawn FROM identity WHERE id = ?", (identity_id,)).fetchone()
    return bool(row and row[0])


def matricule_holder(conn: sqlite3.Connection, matricule: str,
                     *, exclude_id: int | None = None) -> IdentityRecord | None:
    """The record whose current INS is `matricule` (other than `exclude_id`), if any."""
    row = conn.execute(_SELECT + " WHERE matricule = ? AND id IS NOT ?",
                       (matricule, exclude_id)).fetchone()
    return _record(row) if row else None


def _check_collision(conn: sqlite3.Connection, matricule: str | None, exclude_id: int | None) -> None:
    if matricule is None:
        return
    holder = matricule_holder(conn, matricule, exclude_id=exclude_id)
    if holder is not None:
        raise MatriculeCollision(matricule, holder.id, holder.ipp,
                                 f"{display_name(holder)}, né(e) le "
                                 f"{holder.birth_date.strftime('%d/%m/%Y')}")


def next_ipp(conn: sqlite3.Connection, next_id: int) -> str:
    """A free nine-digit IPP derived from the record number (inside the write transaction)."""
    candidate = IPP_BASE + next_id
    while conn.execute("SELECT 1 FROM identity WHERE ipp = ?", (str(candidate),)).fetchone():
        candidate += 1
    return str(candidate)


def insert_identity(conn: sqlite3.Connection, values: Mapping[str, Any], *,
                    operator_id: int | None, at: str, ipp: str | None = None) -> IdentityRecord:
    """Insert one identity (inside a write transaction); returns the stored record."""
    unknown = set(values) - set(WRITABLE)
    if unknown:
        raise ConstraintViolation(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    _check_collision(conn, values.get("matricule"), None)
    next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM identity").fetchone()[0]
    row = {name: _db_value(name, value) for name, value in values.items()}
    row.update(key_columns(row))
    row.update(id=next_id, ipp=ipp or next_ipp(conn, next_id), version=1, created_at=at,
               created_by=operator_id, updated_at=at, updated_by=operator_id)
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    try:
        conn.execute(f"INSERT INTO identity ({columns}) VALUES ({marks})", tuple(row.values()))
    except connection.IntegrityError as error:
        raise from_integrity_error(error) from None
    return get_identity(conn, next_id)


def _operator_name(conn: sqlite3.Connection, operator_id: int | None) -> str | None:
    if operator_id is None:
        return None
    row = conn.execute("SELECT display_name, login FROM operator WHERE id = ?",
                       (operator_id,)).fetchone()
    return f"{row[0]} ({row[1]})" if row else None


def version_conflict(conn: sqlite3.Connection, identity_id: int,
                     expected_version: int) -> VersionConflict:
    current = get_identity(conn, identity_id)
    return VersionConflict(identity_id, expected_version, current.version,
                           _operator_name(conn, current.updated_by),
                           french_time(current.updated_at))


def check_version(conn: sqlite3.Connection, record: IdentityRecord, expected_version: int) -> None:
    if record.version != expected_version:
        raise version_conflict(conn, record.id, expected_version)


def update_identity(conn: sqlite3.Connection, identity_id: int, *, expected_version: int,
                    changes: Mapping[str, Any], operator_id: int | None, at: str,
                    merged_into: int | None = None) -> IdentityRecord:
    """Apply `changes` if the record is still at `expected_version` (else `VersionConflict`
    naming who changed it and when); search keys follow the names; returns the new record."""
    unknown = set(changes) - set(WRITABLE)
    if unknown:
        raise ConstraintViolation(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    current = get_identity(conn, identity_id)
    check_version(conn, current, expected_version)
    if "matricule" in changes:
        _check_collision(conn, changes["matricule"], identity_id)
    row = {name: _db_value(name, value) for name, value in changes.items()}
    if any(name in row for name in NAME_COLUMNS):
        names = {name: row.get(name, getattr(current, name)) for name in NAME_COLUMNS}
        row.update(key_columns(names))
    if merged_into is not None:
        row["merged_into"] = merged_into
    row.update(updated_at=at, updated_by=operator_id)
    assignments = ", ".join(f"{name} = ?" for name in row)
    try:
        cursor = conn.execute(
            f"UPDATE identity SET {assignments}, version = version + 1 "
            "WHERE id = ? AND version = ?",
            (*row.values(), identity_id, expected_version),
        )
    except connection.IntegrityError as error:
        raise from_integrity_error(error) from None
    if cursor.rowcount != 1:  # pragma: no cover - the check above runs under the write lock
        raise version_conflict(conn, identity_id, expected_version)
    return get_identity(conn, identity_id)
