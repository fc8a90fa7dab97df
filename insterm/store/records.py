"""The side records the rules ask to keep: INSi calls, INS history (as received), document
checks. Each is append-only (triggers refuse UPDATE and DELETE) and written inside the caller's
write transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from insterm.store.connection import inserted_id


def add_insi_call(conn: sqlite3.Connection, *, message_id: str | None, operation: str,
                  identity_id: int | None, traits_sent: Mapping[str, Any] | None,
                  cr_code: str | None, fault: str | None, duration_ms: int | None,
                  request_xml: str | None, response_xml: str | None, environment: str | None,
                  operator_id: int | None, at: str) -> int:
    cursor = conn.execute(
        "INSERT INTO insi_call (message_id, operation, identity_id, traits_sent, cr_code, fault,"
        " duration_ms, request_xml, response_xml, environment, operator_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (message_id, operation, identity_id,
         json.dumps(dict(traits_sent), ensure_ascii=False, sort_keys=True, default=str)
         if traits_sent is not None else None,
         cr_code, fault, duration_ms, request_xml, response_xml, environment, operator_id, at))
    return inserted_id(cursor)


@dataclass(frozen=True, slots=True)
class InsHistoryRow:
    matricule: str
    oid: str
    date_start: str | None = None
    date_end: str | None = None
    active: bool = False


def add_ins_history(conn: sqlite3.Connection, identity_id: int, rows: Iterable[InsHistoryRow],
                    *, insi_call_id: int | None, at: str) -> int:
    count = 0
    for row in rows:
        conn.execute(
            "INSERT INTO ins_history (identity_id, matricule, oid, date_start, date_end, active,"
            " insi_call_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (identity_id, row.matricule, row.oid, row.date_start, row.date_end,
             1 if row.active else 0, insi_call_id, at))
        count += 1
    return count


def ins_history_has(conn: sqlite3.Connection, identity_id: int, matricule: str) -> bool:
    """Whether this matricule is already in the identity's INS history."""
    return conn.execute("SELECT 1 FROM ins_history WHERE identity_id = ? AND matricule = ?",
                        (identity_id, matricule)).fetchone() is not None


def ins_history(conn: sqlite3.Connection, identity_id: int) -> list[InsHistoryRow]:
    return [InsHistoryRow(m, o, s, e, bool(a)) for m, o, s, e, a in conn.execute(
        "SELECT matricule, oid, date_start, date_end, active FROM ins_history "
        "WHERE identity_id = ? ORDER BY id", (identity_id,))]


def add_document_check(conn: sqlite3.Connection, *, identity_id: int, document_type: str,
                       expires_on: str | None, outcome: str, note: str | None,
                       operator_id: int | None, at: str) -> int:
    cursor = conn.execute(
        "INSERT INTO document_check (identity_id, document_type, expires_on, outcome, note,"
        " operator_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (identity_id, document_type, expires_on, outcome, note, operator_id, at))
    return inserted_id(cursor)


def document_checks(conn: sqlite3.Connection, identity_id: int) -> list[dict[str, Any]]:
    cursor = conn.execute(
        "SELECT id, document_type, expires_on, outcome, note, operator_id, at FROM document_check"
        " WHERE identity_id = ? ORDER BY id", (identity_id,))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def insi_calls(conn: sqlite3.Connection, identity_id: int) -> list[dict[str, Any]]:
    cursor = conn.execute(
        "SELECT id, message_id, operation, cr_code, fault, duration_ms, environment, operator_id,"
        " at FROM insi_call WHERE identity_id = ? ORDER BY id", (identity_id,))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]
