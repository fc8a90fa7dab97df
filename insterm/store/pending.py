"""The `insi_pending` rows: INSi calls to make again once the service answers (SQL only;
written inside the caller's write transaction)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from insterm.store.connection import inserted_id


@dataclass(frozen=True, slots=True)
class PendingItem:
    id: int
    identity_id: int
    operation: str  # "search" or "verify"
    matricule: str | None  # verify: the INS received, as given (never shown as the INS)
    oid: str | None
    reason: str
    added_at: str
    tries: int
    last_try_at: str | None
    last_outcome: str | None
    answered_at: str | None
    answer_code: str | None


# The reason of an INS received from elsewhere (import, other software) waiting for its INSi
# verification ("INS reçu (source), non vérifié"): such items are the batch verification's, not
# calls to relaunch (`open_items`/`count_open` with `with_received=False`).
RECEIVED_PREFIX = "INS reçu"
_NOT_RECEIVED = " AND reason NOT LIKE 'INS reçu%'"

_COLUMNS = ("id, identity_id, operation, matricule, oid, reason, added_at, tries, last_try_at,"
            " last_outcome, answered_at, answer_code")


def open_item(conn: sqlite3.Connection, identity_id: int, operation: str) -> PendingItem | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM insi_pending WHERE identity_id = ?"
                       " AND operation = ? AND answered_at IS NULL", (identity_id, operation)
                       ).fetchone()
    return PendingItem(*row) if row is not None else None


def get_item(conn: sqlite3.Connection, item_id: int) -> PendingItem | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM insi_pending WHERE id = ?", (item_id,)).fetchone()
    return PendingItem(*row) if row is not None else None


def add_item(conn: sqlite3.Connection, identity_id: int, operation: str, *, reason: str,
             matricule: str | None, oid: str | None, operator_id: int, at: str) -> int:
    return inserted_id(conn.execute(
        "INSERT INTO insi_pending (identity_id, operation, matricule, oid, reason, added_at,"
        " added_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (identity_id, operation, matricule, oid, reason, at, operator_id)))


def open_items(conn: sqlite3.Connection, *, with_received: bool = True) -> list[PendingItem]:
    """The calls still waiting, oldest first (without the received INS unless
    `with_received`)."""
    extra = "" if with_received else _NOT_RECEIVED
    return [PendingItem(*row) for row in conn.execute(
        f"SELECT {_COLUMNS} FROM insi_pending WHERE answered_at IS NULL{extra} ORDER BY id")]


def count_open(conn: sqlite3.Connection, operation: str | None = None, *,
               with_received: bool = True) -> int:
    """The calls waiting (of one operation, when given; without the received INS unless
    `with_received`)."""
    extra = "" if with_received else _NOT_RECEIVED
    if operation is None:
        return int(conn.execute(
            f"SELECT count(*) FROM insi_pending WHERE answered_at IS NULL{extra}").fetchone()[0])
    return int(conn.execute(
        f"SELECT count(*) FROM insi_pending WHERE answered_at IS NULL AND operation = ?{extra}",
        (operation,)).fetchone()[0])


def record_try(conn: sqlite3.Connection, item_id: int, *, at: str, outcome: str,
               answer_code: str | None) -> None:
    """One more try: its outcome (French); `answer_code` (00, 01, 02) when INSi answered,
    which takes the item off the list."""
    conn.execute(
        "UPDATE insi_pending SET tries = tries + 1, last_try_at = ?, last_outcome = ?,"
        " answered_at = CASE WHEN ? IS NULL THEN NULL ELSE ? END, answer_code = ?"
        " WHERE id = ? AND answered_at IS NULL",
        (at, outcome, answer_code, at, answer_code, item_id))


def last_unreachable(conn: sqlite3.Connection) -> str | None:
    """When the last INSi call failed on the network, if the last call did (else None)."""
    row = conn.execute("SELECT at, fault FROM insi_call ORDER BY id DESC LIMIT 1").fetchone()
    if row is None or not (row[1] or "").startswith("transport."):
        return None
    return str(row[0])


def close_open(conn: sqlite3.Connection, identity_id: int, *, at: str, outcome: str) -> None:
    """Take the identity's open items off the list without a call (its import was undone)."""
    conn.execute("UPDATE insi_pending SET last_outcome = ?, answered_at = ? WHERE identity_id = ?"
                 " AND answered_at IS NULL", (outcome, at, identity_id))
