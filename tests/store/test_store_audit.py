"""The hash-chained audit log: verify, and tampering behind the triggers' back."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC
from pathlib import Path

import pytest

from insterm.store import audit, connection
from insterm.store.clock import utc_now
from insterm.store.connection import connect_file, write_transaction
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
    assert audit.verify(conn) == audit.AuditReport(True, 2, last_hash=prev, identities=0)
    assert audit.verify(conn).tail == f"2:{prev}"


def _untriggered(db_path: Path) -> sqlite3.Connection:
    raw = connect_file(db_path)
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
    with pytest.raises(connection.IntegrityError, match="suivre la précédente"):
        conn.execute("INSERT INTO audit (id, at, action, details, prev_hash, hash) "
                     f"VALUES (2, 'now', 'x', '{{}}', '{GENESIS_HASH}', 'x')")
    assert audit.verify(conn).ok


def test_cut_tail_passes_the_chain_but_not_the_noted_tail(conn: sqlite3.Connection,
                                                           db_path: Path) -> None:
    """The honest limit: deleting the LAST rows leaves a valid shorter chain; only the tail
    noted earlier reveals it."""
    _append(conn, 5)
    noted = audit.verify(conn).tail
    assert audit.verify(conn, expected=noted).ok
    raw = _untriggered(db_path)
    raw.execute("DELETE FROM audit WHERE id >= 4")
    raw.close()
    alone = audit.verify(conn)
    assert alone.ok and alone.rows == 3  # what the chain alone cannot see
    report = audit.verify(conn, expected=noted)
    assert not report.ok and report.first_broken_id == 4
    assert "ne compte que 3 événement(s) alors que 5" in report.message


def test_noted_tail_still_holds_after_more_events(conn: sqlite3.Connection) -> None:
    _append(conn, 3)
    count, digest = audit.parse_tail(audit.verify(conn).tail)
    _append(conn, 2)
    assert audit.verify(conn, expected=(count, digest)).ok
    wrong = f"{count}:{'f' * 64}"
    report = audit.verify(conn, expected=wrong)
    assert not report.ok and report.first_broken_id == 3 and "réécrit" in report.message


def test_empty_journal_tail_and_bad_tails(tmp_path: Path) -> None:
    from insterm.store.connection import open_database

    conn = open_database(tmp_path / "empty.db", create=True)
    report = audit.verify(conn)
    assert report.ok and report.tail == f"0:{GENESIS_HASH}"
    assert audit.verify(conn, expected=report.tail).ok
    for bad in ("", "12", "x:" + "0" * 64, "3:" + "0" * 63, "3:" + "g" * 64):
        with pytest.raises(ValueError, match="NOMBRE:EMPREINTE"):
            audit.parse_tail(bad)
    conn.close()


def test_journal_pages_newest_first_with_filters(conn: sqlite3.Connection) -> None:
    for i in range(7):
        with write_transaction(conn):
            audit.append(conn, operator="alice" if i % 2 else "bob",
                         action="attribute_set" if i < 4 else "bulk_import",
                         identity_id=1 if i < 3 else 2,
                         details={"attribute": "HOMA", "count": i, "source": "essai"},
                         at=f"2025-03-0{i + 1}T10:00:00.000000+00:00")
    first = audit.events_page(conn, limit=3)
    assert [e.id for e in first.events] == [7, 6, 5] and first.next_before_id == 5
    second = audit.events_page(conn, limit=3, before_id=first.next_before_id)
    assert [e.id for e in second.events] == [4, 3, 2] and second.next_before_id == 2
    last = audit.events_page(conn, limit=3, before_id=second.next_before_id)
    assert [e.id for e in last.events] == [1] and last.next_before_id is None
    assert [e.id for e in audit.events_page(conn, operator="alice").events] == [6, 4, 2]
    assert [e.id for e in audit.events_page(conn, identity_id=1).events] == [3, 2, 1]
    assert [e.id for e in audit.events_page(conn, action="bulk_import",
                                            operator="bob").events] == [7, 5]
    from datetime import datetime

    since = datetime(2025, 3, 3, tzinfo=UTC)
    until = datetime(2025, 3, 5, 10, tzinfo=UTC)
    assert [e.id for e in audit.events_page(conn, since=since, until=until).events] == [5, 4, 3]
    assert audit.actions(conn) == ["attribute_set", "bulk_import"]
    assert audit.operators(conn) == ["alice", "bob"]
    assert first.events[0].describe() == "Import en bloc : 6 identité(s) (source : essai)"
    assert second.events[0].describe() == "Attribut ajouté : Homonyme"


def test_journal_dates_are_local_days(conn: sqlite3.Connection) -> None:
    from datetime import date, datetime, time

    # an event at local noon on 2 March, whatever the time zone of the machine
    noon = datetime.combine(date(2025, 3, 2), time(12)).astimezone().astimezone(UTC)
    with write_transaction(conn):
        audit.append(conn, operator="a", action="x", identity_id=None, details={},
                     at=noon.isoformat(timespec="microseconds"))
    day = date(2025, 3, 2)
    assert len(audit.events_page(conn, since=day, until=day).events) == 1
    assert audit.events_page(conn, since=date(2025, 3, 3)).events == ()
    assert audit.events_page(conn, until=date(2025, 3, 1)).events == ()
    assert len(audit.events_page(conn, since="2025-03-02", until="2025-03-02").events) == 1


def test_a_records_history_includes_the_bulk_import_that_wrote_it(
        conn: sqlite3.Connection) -> None:
    from conftest import person

    from insterm.store import bulk

    conn.execute("INSERT INTO operator (login, display_name, role, created_at) "
                 "VALUES ('reprise', 'Reprise', 'admin', 'now')")
    bulk.insert_identities(conn, [person(), person(first_name="PAUL", first_names="PAUL")],
                           actor="reprise", source="ancien logiciel")
    with write_transaction(conn):  # an event of the second identity, after the import
        audit.append(conn, operator="reprise", action="attribute_set", identity_id=2,
                     details={"attribute": "HOMA"}, at=utc_now())
    bulk.insert_identities(conn, [person(first_name="JEAN", first_names="JEAN")],
                           actor="reprise", source="second fichier")
    for identity_id, expected in ((1, ["bulk_import"]), (2, ["bulk_import", "attribute_set"]),
                                  (3, ["bulk_import"])):
        events = audit.events_for(conn, identity_id)
        assert [e.action for e in events] == expected
        page = audit.events_page(conn, identity_id=identity_id)
        assert [e.action for e in page.events] == expected[::-1]  # newest first
    [first_import] = audit.events_for(conn, 1)
    assert first_import.describe() == "Import en bloc : 2 identité(s) (source : ancien logiciel)"
    assert audit.events_for(conn, 3)[0].details["source"] == "second fichier"
    assert audit.events_for(conn, 4) == []
    assert [e.action for e in audit.events_page(conn, identity_id=2,
                                                action="attribute_set").events] == ["attribute_set"]
