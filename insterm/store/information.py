"""The `patient_information` rows: when and how a patient was told that their INS is used
(append only, written inside the caller's write transaction)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from insterm.store.connection import inserted_id


@dataclass(frozen=True, slots=True)
class Information:
    informed_on: str  # AAAA-MM-JJ
    how: str  # "oral", "affiche", "document"
    operator: str | None  # display name
    at: str


def add_information(conn: sqlite3.Connection, identity_id: int, *, informed_on: str, how: str,
                    operator_id: int, at: str) -> int:
    return inserted_id(conn.execute(
        "INSERT INTO patient_information (identity_id, informed_on, how, operator_id, at)"
        " VALUES (?, ?, ?, ?, ?)", (identity_id, informed_on, how, operator_id, at)))


def last_information(conn: sqlite3.Connection, identity_id: int) -> Information | None:
    row = conn.execute(
        "SELECT p.informed_on, p.how, o.display_name, p.at FROM patient_information p"
        " LEFT JOIN operator o ON o.id = p.operator_id WHERE p.identity_id = ?"
        " ORDER BY p.id DESC LIMIT 1", (identity_id,)).fetchone()
    return Information(row[0], row[1], row[2], row[3]) if row is not None else None


def qualified_not_informed(conn: sqlite3.Connection) -> int:
    """Active QUAL identities with no information recorded."""
    return int(conn.execute(
        "SELECT count(*) FROM identity WHERE status = 'QUAL' AND merged_into IS NULL AND withdrawn = 0"
        " AND NOT EXISTS (SELECT 1 FROM patient_information p"
        " WHERE p.identity_id = identity.id)").fetchone()[0])
