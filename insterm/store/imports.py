"""The import tables (migration 10): `import_batch`, one per source file, and `import_row`, its
rows staged as read, then given their outcome (SQL only; every write inside the caller's write
transaction).

The staging goes through sqlite-utils (`insert_all` with `ignore`: a row already staged by an
interrupted run is left as it is, so staging again after a crash adds only what is missing).
sqlite-utils nests its own writes in a SAVEPOINT inside the caller's transaction (4.x).
The identities themselves are written row by row through `insterm.store.identities` (inside
one transaction per batch): each row's duplicate candidates must see the rows written just
before it (a patient entered twice in the same file), and an identity is inserted with the
store's own keys and checks, as a typed one is.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from insterm.store.connection import inserted_id

OUTCOMES = ("imported", "normalised", "refused", "held")


@dataclass(frozen=True, slots=True)
class Batch:
    id: int
    source_name: str
    digest: str
    kind: str
    description: str
    mapping: str
    total: int
    state: str  # staging, running, done, undone
    started_at: str
    started_by: int
    finished_at: str | None
    undone_at: str | None


@dataclass(frozen=True, slots=True)
class StagedRow:
    seq: int
    row_key: str
    source_id: str
    raw: dict[str, str]
    read_error: str | None


@dataclass(frozen=True, slots=True)
class RowOutcome:
    seq: int
    row_key: str
    source_id: str
    raw: dict[str, str]
    outcome: str
    detail: Any  # JSON: the reason (refused), the proposals, the candidates (held)
    identity_id: int | None


_BATCH = ("id, source_name, digest, kind, description, mapping, total, state, started_at, "
          "started_by, finished_at, undone_at")


def _batch_where(conn: sqlite3.Connection, column: str, value: object) -> Batch | None:
    row = conn.execute(f"SELECT {_BATCH} FROM import_batch WHERE {column} = ?",
                       (value,)).fetchone()
    return Batch(*row) if row is not None else None


def batch_by_digest(conn: sqlite3.Connection, digest: str) -> Batch | None:
    return _batch_where(conn, "digest", digest)


def get_batch(conn: sqlite3.Connection, batch_id: int) -> Batch | None:
    return _batch_where(conn, "id", batch_id)


def batches(conn: sqlite3.Connection, limit: int = 50) -> list[Batch]:
    return [Batch(*row) for row in conn.execute(
        f"SELECT {_BATCH} FROM import_batch ORDER BY id DESC LIMIT ?", (limit,))]


def create_batch(conn: sqlite3.Connection, *, source_name: str, digest: str, kind: str,
                 description: str, mapping: Mapping[str, Any], operator_id: int,
                 at: str) -> int:
    return inserted_id(conn.execute(
        "INSERT INTO import_batch (source_name, digest, kind, description, mapping, started_at,"
        " started_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (source_name, digest, kind, description, json.dumps(mapping, ensure_ascii=False), at,
         operator_id)))


def stage(conn: sqlite3.Connection, batch_id: int, rows: Iterable[tuple[int, str, str,
                                                                         Mapping[str, str],
                                                                         str | None]]) -> None:
    """Stage (seq, row key, source id, values, read error) rows; rows already there stay."""
    Database(conn).table("import_row").insert_all(
        ({"batch_id": batch_id, "seq": seq, "row_key": key, "source_id": source_id,
          "raw": json.dumps(values, ensure_ascii=False), "read_error": error}
         for seq, key, source_id, values, error in rows),
        batch_size=2000, ignore=True)


def staged_count(conn: sqlite3.Connection, batch_id: int) -> int:
    return int(conn.execute("SELECT count(*) FROM import_row WHERE batch_id = ?",
                            (batch_id,)).fetchone()[0])


def set_state(conn: sqlite3.Connection, batch_id: int, state: str, *, total: int | None = None,
              finished_at: str | None = None) -> None:
    conn.execute("UPDATE import_batch SET state = ?, total = coalesce(?, total),"
                 " finished_at = coalesce(?, finished_at) WHERE id = ?",
                 (state, total, finished_at, batch_id))


def pending_rows(conn: sqlite3.Connection, batch_id: int, limit: int) -> list[StagedRow]:
    """The next `limit` rows without an outcome, in file order."""
    return [StagedRow(seq, key, source_id, json.loads(raw), error)
            for seq, key, source_id, raw, error in conn.execute(
                "SELECT seq, row_key, source_id, raw, read_error FROM import_row"
                " WHERE batch_id = ? AND outcome IS NULL ORDER BY seq LIMIT ?",
                (batch_id, limit))]


def set_outcome(conn: sqlite3.Connection, batch_id: int, seq: int, outcome: str, detail: Any,
                identity_id: int | None) -> None:
    conn.execute("UPDATE import_row SET outcome = ?, detail = ?, identity_id = ?"
                 " WHERE batch_id = ? AND seq = ?",
                 (outcome, json.dumps(detail, ensure_ascii=False), identity_id, batch_id, seq))


def counts(conn: sqlite3.Connection, batch_id: int) -> dict[str, int]:
    """Rows per outcome ("todo" for rows without one yet)."""
    found = dict.fromkeys((*OUTCOMES, "todo"), 0)
    for outcome, count in conn.execute(
            "SELECT coalesce(outcome, 'todo'), count(*) FROM import_row WHERE batch_id = ?"
            " GROUP BY 1", (batch_id,)):
        found[outcome] = count
    return found


def outcomes(conn: sqlite3.Connection, batch_id: int,
             which: Iterable[str] = OUTCOMES) -> Iterable[RowOutcome]:
    kinds = tuple(which)
    marks = ", ".join("?" for _ in kinds)
    for seq, key, source_id, raw, outcome, detail, identity_id in conn.execute(
            "SELECT seq, row_key, source_id, raw, outcome, detail, identity_id FROM import_row"
            f" WHERE batch_id = ? AND outcome IN ({marks}) ORDER BY seq", (batch_id, *kinds)):
        yield RowOutcome(seq, key, source_id, json.loads(raw), outcome,
                         json.loads(detail) if detail else None, identity_id)


def identity_ids(conn: sqlite3.Connection, batch_id: int) -> list[int]:
    return [row[0] for row in conn.execute(
        "SELECT identity_id FROM import_row WHERE batch_id = ? AND identity_id IS NOT NULL"
        " ORDER BY identity_id", (batch_id,))]


def touched_since_import(conn: sqlite3.Connection, batch_id: int) -> list[int]:
    """The identities of the batch someone changed or worked on since: a version past 1, a
    merge, or any audit event naming them (the import's own events name none)."""
    return [row[0] for row in conn.execute(
        "SELECT i.id FROM import_row r JOIN identity i ON i.id = r.identity_id"
        " WHERE r.batch_id = ? AND (i.version <> 1 OR i.merged_into IS NOT NULL"
        " OR EXISTS (SELECT 1 FROM audit a WHERE a.identity_id = i.id)) ORDER BY i.id",
        (batch_id,))]


def withdraw(conn: sqlite3.Connection, ids: list[int], *, operator_id: int, at: str) -> None:
    """Withdraw the identities `ids` (an undone import): kept, never shown or found again."""
    conn.executemany("UPDATE identity SET withdrawn = 1, version = version + 1, updated_at = ?,"
                     " updated_by = ? WHERE id = ? AND withdrawn = 0",
                     ((at, operator_id, identity_id) for identity_id in ids))


def mark_undone(conn: sqlite3.Connection, batch_id: int, *, operator_id: int, at: str) -> None:
    conn.execute("UPDATE import_batch SET state = 'undone', undone_at = ?, undone_by = ?"
                 " WHERE id = ?", (at, operator_id, batch_id))


def received_ins_count(conn: sqlite3.Connection, batch_id: int) -> int:
    """The received INS of the batch's identities put on the INSi pending list."""
    return int(conn.execute(
        "SELECT count(*) FROM import_row r JOIN insi_pending p ON p.identity_id = r.identity_id"
        " AND p.operation = 'verify' WHERE r.batch_id = ?", (batch_id,)).fetchone()[0])
