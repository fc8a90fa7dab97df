"""What an export needs besides the identity row: the last INSi call and the last conforming
document check of each identity, the list of the current (not merged) identities, and a read
snapshot to read them all in one consistent state without blocking the writers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ExchangeFacts:
    insi_at: str | None  # UTC timestamp of the last INSi call that got an answer
    document_type: str | None  # ZFD-7 code of the last conforming document check
    document_expires_on: str | None  # ISO date
    document_at: str | None  # UTC timestamp of that check


def facts(conn: sqlite3.Connection, identity_id: int) -> ExchangeFacts:
    insi = conn.execute(
        "SELECT max(at) FROM insi_call WHERE identity_id = ? AND cr_code IS NOT NULL",
        (identity_id,)).fetchone()
    document = conn.execute(
        "SELECT document_type, expires_on, at FROM document_check WHERE identity_id = ? "
        "AND outcome = 'ok' ORDER BY id DESC LIMIT 1", (identity_id,)).fetchone()
    return ExchangeFacts(insi[0] if insi else None, *(document or (None, None, None)))


def current_ids(conn: sqlite3.Connection) -> Iterator[int]:
    """Every identity that is not merged into another, in IPP order."""
    for (identity_id,) in conn.execute(
            "SELECT id FROM identity WHERE merged_into IS NULL AND withdrawn = 0 ORDER BY ipp"):
        yield identity_id


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A read transaction (`BEGIN` ... `COMMIT`): every read inside sees the same state of the
    base, without holding the write lock (WAL: writers go on meanwhile)."""
    if conn.in_transaction:
        raise RuntimeError("a transaction is already open on this connection")
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
