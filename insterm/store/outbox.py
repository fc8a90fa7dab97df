"""The HL7 outbox (migration 8): messages queued for MLLP, their attempts and outcome."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    event: str
    identity_id: int | None
    control_id: str
    message: str
    host: str
    port: int
    state: str
    attempts: int
    next_attempt_at: str
    last_error: str | None
    ack_code: str | None


_COLUMNS = ("id, event, identity_id, control_id, message, host, port, state, attempts, "
            "next_attempt_at, last_error, ack_code")


def add(conn: sqlite3.Connection, *, event: str, identity_id: int | None, control_id: str,
        message: str, host: str, port: int, operator_id: int, at: str, due_at: str) -> int:
    cursor = conn.execute(
        "INSERT INTO hl7_outbox (created_at, created_by, event, identity_id, control_id, message,"
        " host, port, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (at, operator_id, event, identity_id, control_id, message, host, port, due_at))
    return int(cursor.lastrowid or 0)


def due(conn: sqlite3.Connection, now: str, limit: int = 100) -> list[OutboxMessage]:
    """Pending messages whose next attempt is due, oldest first (the receiver gets them in the
    order they were queued)."""
    return [OutboxMessage(*row) for row in conn.execute(
        f"SELECT {_COLUMNS} FROM hl7_outbox WHERE state = 'pending' AND next_attempt_at <= ? "
        "ORDER BY id LIMIT ?", (now, limit))]


def all_messages(conn: sqlite3.Connection) -> list[OutboxMessage]:
    return [OutboxMessage(*row) for row in conn.execute(
        f"SELECT {_COLUMNS} FROM hl7_outbox ORDER BY id")]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {state: n for state, n in conn.execute(
        "SELECT state, count(*) FROM hl7_outbox GROUP BY state")}


def mark_done(conn: sqlite3.Connection, message_id: int, *, state: str, ack_code: str,
              text: str | None, at: str) -> None:
    conn.execute(
        "UPDATE hl7_outbox SET state = ?, ack_code = ?, last_error = ?, done_at = ?, "
        "attempts = attempts + 1 WHERE id = ? AND state = 'pending'",
        (state, ack_code, text, at, message_id))


def mark_retry(conn: sqlite3.Connection, message_id: int, *, error: str,
               next_attempt_at: str) -> None:
    conn.execute(
        "UPDATE hl7_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
        "WHERE id = ? AND state = 'pending'", (error, next_attempt_at, message_id))


def next_due(conn: sqlite3.Connection) -> str | None:
    """When the next pending message is due (UTC timestamp), None when none waits."""
    row = conn.execute(
        "SELECT min(next_attempt_at) FROM hl7_outbox WHERE state = 'pending'").fetchone()
    return row[0] if row and row[0] else None


def next_rank(conn: sqlite3.Connection) -> int:
    """The id the next message will get: a rank no other message of the same millisecond
    has (the feed's control ids)."""
    return int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM hl7_outbox").fetchone()[0])
