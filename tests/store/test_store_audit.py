"""The hash-chained audit log: verify, and tampering behind the triggers' back."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from insterm.store import audit
from insterm.store.clock import utc_now
from insterm.store.connection import write_transaction
from insterm.store.migrations import GENESIS_HASH


def _append(conn: sqlite3.Connection, n: int) -> None:
    for i in range(n):
        with write_transaction(conn):
            audit.append(conn, operator="admin", action="test", identity_id=i,
                         details={"n": i, "texte": "élève"}, at=utc_now())


def test_chain_is_sha256_of_previous_hash_and_canonical_json(conn: sqlite3.Connection) -> None:
    _append(conn, 2)
    rows = conn.execute("SELECT id, at, operator, action, identity_id, details, prev_hash, hash "
                        "FROM audit ORDER BY id").fetchall()
    prev = GENESIS_HASH
    for id_, at, operator, action, identity_id, details, stored_prev, stored in rows:
        event = {"action": action, "at": at, "details": json.loads(details), "id": id_,
                 "identity_id": identity_id, "operator": operator}
        text = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert stored_prev == prev
        assert stored == hashlib.sha256((prev + text).encode()).hexdigest()
        prev = stored
    assert audit.verify(conn) == audit.AuditReport(True, 2)


def _untriggered(db_path: Path) -> sqlite3.Connection:
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.execute("DROP TRIGGER audit_no_update")
    raw.execute("DROP TRIGGER audit_no_delete")
    return raw


def test_tampered_row_is_named(conn: sqlite3.Connection, db_path: Path) -> None:
    _append(conn, 5)
    raw = _untriggered(db_path)
    raw.execute("UPDATE audit SET details = '{\"n\":99,\"texte\":\"élève\"}' WHERE id = 3")
    raw.close()
    report = audit.verify(conn)
    assert not report.ok and report.first_broken_id == 3
    assert "ligne 3" in report.message


def test_rehashed_row_breaks_the_next_link(conn: sqlite3.Connection, db_path: Path) -> None:
    _append(conn, 5)
    raw = _untriggered(db_path)
    row = raw.execute("SELECT at, operator, action, identity_id, prev_hash FROM audit "
                      "WHERE id = 2").fetchone()
    event = {"id": 2, "at": row[0], "operator": row[1], "action": "forged",
             "identity_id": row[3], "details": {}}
    raw.execute("UPDATE audit SET action = 'forged', details = '{}', hash = ? WHERE id = 2",
                (audit.event_hash(row[4], event),))
    raw.close()
    report = audit.verify(conn)
    assert (report.ok, report.first_broken_id) == (False, 3)


def test_deleted_row_is_found(conn: sqlite3.Connection, db_path: Path) -> None:
    _append(conn, 4)
    raw = _untriggered(db_path)
    raw.execute("DELETE FROM audit WHERE id = 2")
    raw.close()
    report = audit.verify(conn)
    assert (report.ok, report.first_broken_id) == (False, 3)


def test_insert_that_does_not_link_is_refused(conn: sqlite3.Connection) -> None:
    _append(conn, 1)
    with pytest.raises(sqlite3.IntegrityError, match="suivre la précédente"):
        conn.execute("INSERT INTO audit (id, at, action, details, prev_hash, hash) "
                     f"VALUES (2, 'now', 'x', '{{}}', '{GENESIS_HASH}', 'x')")
    assert audit.verify(conn).ok
