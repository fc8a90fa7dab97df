"""What a batch INSi verification has left to do (SQL only): the received INS not verified yet
(open 'verify' items of `insi_pending`), or the qualified identities whose last INSi answer is
older than a cutoff. Both lists shrink as the batch goes: an answered item leaves the first, an
identity INSi answered for after the cutoff leaves the second, so a re-run takes only the rest."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from insterm.store.pending import PendingItem

_ITEM = ("p.id, p.identity_id, p.operation, p.matricule, p.oid, p.reason, p.added_at, p.tries,"
         " p.last_try_at, p.last_outcome, p.answered_at, p.answer_code")


@dataclass(frozen=True, slots=True)
class QualifiedDue:
    """A qualified identity and when INSi last answered for it (None: never, in this base)."""

    identity_id: int
    last_answer_at: str | None


def received_waiting(conn: sqlite3.Connection) -> list[PendingItem]:
    """The open 'verify' items of records still active (not merged), oldest first."""
    return [PendingItem(*row) for row in conn.execute(
        f"SELECT {_ITEM} FROM insi_pending p JOIN identity i ON i.id = p.identity_id"
        " WHERE p.answered_at IS NULL AND p.operation = 'verify' AND i.merged_into IS NULL"
        " ORDER BY p.id")]


def count_received_waiting(conn: sqlite3.Connection) -> int:
    return int(conn.execute(
        "SELECT count(*) FROM insi_pending p JOIN identity i ON i.id = p.identity_id"
        " WHERE p.answered_at IS NULL AND p.operation = 'verify' AND i.merged_into IS NULL"
    ).fetchone()[0])


def _last_answer() -> str:
    return ("(SELECT max(c.at) FROM insi_call c WHERE c.identity_id = i.id"
            " AND c.cr_code IS NOT NULL)")


def qualified_due(conn: sqlite3.Connection, cutoff: str) -> list[QualifiedDue]:
    """The active QUAL identities for which INSi last answered (any code) before `cutoff` (a
    stored UTC timestamp), or never; in id order."""
    return [QualifiedDue(int(row[0]), row[1]) for row in conn.execute(
        f"SELECT i.id, {_last_answer()} AS last FROM identity i"
        " WHERE i.status = 'QUAL' AND i.merged_into IS NULL"
        " AND coalesce(last, '') < ? ORDER BY i.id", (cutoff,))]


def last_answer_at(conn: sqlite3.Connection, identity_id: int) -> str | None:
    """When INSi last answered (any code) for this identity, None if never."""
    row = conn.execute("SELECT max(at) FROM insi_call WHERE identity_id = ?"
                       " AND cr_code IS NOT NULL", (identity_id,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])
