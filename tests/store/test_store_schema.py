"""Schema: migrations from empty and from the previous version with data, file modes, and the
impossible states that the constraints and triggers refuse."""

from __future__ import annotations

import grp
import os
import sqlite3
from pathlib import Path

import pytest
from conftest import QUAL_ROW, person

from insterm.store import bulk, connection
from insterm.store.clock import utc_now
from insterm.store.connection import connect_file, open_database, write_transaction
from insterm.store.errors import (
    ConstraintViolation,
    DatabaseMissing,
    MatriculeCollision,
    SchemaMismatch,
)
from insterm.store.identities import insert_identity, update_identity
from insterm.store.migrations import CURRENT_VERSION, MIGRATIONS, migrate, schema_version


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.mark.parametrize("target", range(1, CURRENT_VERSION + 1))
def test_migration_from_an_empty_file(tmp_path: Path, target: int) -> None:
    conn = sqlite3.connect(tmp_path / "empty.db", isolation_level=None)
    assert migrate(conn, target) == list(range(1, target + 1))
    assert schema_version(conn) == target
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert migrate(conn, target) == []  # idempotent


def _fill(conn: sqlite3.Connection, version: int) -> None:
    """Data that a database at `version` may hold."""
    at = utc_now()
    with write_transaction(conn):
        conn.execute("INSERT INTO operator (login, display_name, role, created_at) "
                     "VALUES ('admin', 'Admin', 'admin', ?)", (at,))
        insert_identity(conn, person(), operator_id=1, at=at)
        insert_identity(conn, QUAL_ROW, operator_id=1, at=at)
        if version >= 2:
            conn.execute("INSERT INTO document_check (identity_id, document_type, outcome, at) "
                         "VALUES (2, 'PA', 'ok', ?)", (at,))
            conn.execute("INSERT INTO ins_history (identity_id, matricule, oid, active, "
                         "received_at) VALUES (2, '275126322074974', '1.2.250.1.213.1.4.8', 1, ?)",
                         (at,))


@pytest.mark.parametrize("target", range(2, CURRENT_VERSION + 1))
def test_migration_from_the_previous_version_with_data(tmp_path: Path, target: int) -> None:
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    migrate(conn, target - 1)
    _fill(conn, target - 1)
    columns = ", ".join(row[1] for row in conn.execute("PRAGMA table_info(identity)"))
    before = conn.execute(f"SELECT {columns} FROM identity ORDER BY id").fetchall()
    assert migrate(conn, target) == [target]
    # every value kept (a column the migration adds is not part of `before`)
    assert conn.execute(f"SELECT {columns} FROM identity ORDER BY id").fetchall() == before
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # the constraints still hold after the migration
    with pytest.raises(connection.IntegrityError):
        conn.execute("UPDATE identity SET status = 'PROV', version = version + 1 WHERE id = 2")


def test_every_migration_is_numbered_in_order() -> None:
    assert CURRENT_VERSION == len(MIGRATIONS) >= 3


def test_newer_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = open_database(path, create=True)
    conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaMismatch, match="mettez insterm à jour"):
        open_database(path)


def test_older_file_asks_for_db_init(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = connect_file(path)
    migrate(conn, 1)
    conn.close()
    with pytest.raises(SchemaMismatch, match="insterm db init"):
        open_database(path)
    open_database(path, create=True).close()
    assert open_database(path) is not None


def test_missing_file_is_not_created_without_asking(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissing, match="insterm db init"):
        open_database(tmp_path / "none.db")
    with pytest.raises(DatabaseMissing):
        open_database(tmp_path / "none.db", readonly=True)
    assert not (tmp_path / "none.db").exists()


def test_file_mode_0600_and_wal(db_path: Path, conn: sqlite3.Connection) -> None:
    assert (db_path.stat().st_mode & 0o777) == 0o600
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_file_mode_0660_with_a_group(tmp_path: Path) -> None:
    group = grp.getgrgid(os.getgid()).gr_name
    old = os.umask(0o077)
    try:
        open_database(tmp_path / "shared.db", create=True, group=group).close()
    finally:
        os.umask(old)
    stat = (tmp_path / "shared.db").stat()
    assert (stat.st_mode & 0o777) == 0o660
    assert stat.st_gid == os.getgid()


def _insert(conn: sqlite3.Connection, **changes: object):
    with write_transaction(conn):
        return insert_identity(conn, person(**changes), operator_id=None, at=utc_now())


@pytest.mark.parametrize(("changes", "constraint"), [
    (dict(status="QUAL"), "identity_recup_qual_need_ins"),
    (dict(matricule="279035121518989", oid="1.2.250.1.213.1.4.8"), "identity_ins_needs_recup_or_qual"),
    (dict(status="VALI", matricule="279035121518989", oid="1.2.250.1.213.1.4.8"),
     "identity_ins_needs_recup_or_qual"),
    (dict(status="QUAL", matricule="279035121518989"), "identity_ins_with_oid"),
    (dict(dout=True, fict=True), "identity_not_dout_and_fict"),
    (dict(dout=True, status="VALI"), "identity_dout_fict_only_prov"),
    (dict(fict=True, status="RECUP", matricule="279035121518989", oid="1.2.250.1.213.1.4.8"),
     "identity_dout_fict_only_prov"),
    (dict(status="RECUP", matricule="279035121518989", oid="1.2.250.1.213.1.4.8",
          birth_date_corrected=True), "identity_corrected_date_not_ins"),
    (dict(status="QUAL", matricule="279035121518989", oid="1.2.250.1.213.1.4.8", sex="I"),
     "identity_sex_i_not_ins"),
    (dict(status="QUAL", matricule="27903512151898", oid="1.2.250.1.213.1.4.8"),
     "identity_matricule_form"),
    (dict(sex="X"), "identity_sex_known"),
    (dict(status="OK"), "identity_status_known"),
    (dict(birth_date="01/02/1980"), "identity_birth_date_iso"),
    (dict(birth_place="7505"), "identity_birth_place_form"),
])
def test_impossible_states_are_refused(conn: sqlite3.Connection, changes: dict,
                                       constraint: str) -> None:
    with pytest.raises(ConstraintViolation) as refused:
        _insert(conn, **changes)
    assert refused.value.constraint == constraint
    assert conn.execute("SELECT count(*) FROM identity").fetchone()[0] == 0


def test_same_matricule_twice_is_a_collision_naming_the_holder(conn: sqlite3.Connection) -> None:
    _insert(conn, **QUAL_ROW)
    with pytest.raises(MatriculeCollision) as collision:
        _insert(conn, **{**QUAL_ROW, "first_name": "ZOEE", "first_names": "ZOEE"})
    assert "100000001" in str(collision.value) and "ADRUN ZOE" in str(collision.value)
    # even behind the store's back, the partial unique index refuses it
    with pytest.raises(connection.IntegrityError):
        conn.execute("INSERT INTO identity (ipp, birth_name, first_name, first_names, birth_date,"
                     " sex, status, matricule, oid, created_at, updated_at, k_birth_name,"
                     " k_first_name, p_birth_name, p_first_name) SELECT 'X', birth_name,"
                     " first_name, first_names, birth_date, sex, status, matricule, oid,"
                     " created_at, updated_at, k_birth_name, k_first_name, p_birth_name,"
                     " p_first_name FROM identity")


def test_update_into_an_impossible_state_is_refused(conn: sqlite3.Connection) -> None:
    record = _insert(conn, **QUAL_ROW)
    with pytest.raises(ConstraintViolation, match="douteuse"), write_transaction(conn):
        update_identity(conn, record.id, expected_version=1, changes={"dout": True},
                        operator_id=None, at=utc_now())
    assert conn.execute("SELECT dout, version FROM identity").fetchone() == (0, 1)


@pytest.mark.parametrize("sql", [
    "UPDATE identity SET birth_name = 'X'",  # no version bump
    "UPDATE identity SET ipp = 'X', version = version + 1",
    "DELETE FROM identity",
    "UPDATE audit SET action = 'x'",
    "DELETE FROM audit",
    "DELETE FROM operator",
])
def test_triggers_refuse(conn: sqlite3.Connection, sql: str) -> None:
    bulk.insert_identities(conn, [person()])
    conn.execute("INSERT INTO operator (login, display_name, role, created_at) "
                 "VALUES ('a', 'A', 'admin', 'now')")
    with pytest.raises(connection.IntegrityError, match="insterm:"):
        conn.execute(sql)


def test_merged_record_is_frozen(conn: sqlite3.Connection) -> None:
    bulk.insert_identities(conn, [person(), person(first_name="PAUL", first_names="PAUL")])
    conn.execute("UPDATE identity SET merged_into = 1, version = version + 1 WHERE id = 2")
    with pytest.raises(connection.IntegrityError, match="fusionné"):
        conn.execute("UPDATE identity SET birth_name = 'Y', version = version + 1 WHERE id = 2")


def test_side_tables_are_append_only(conn: sqlite3.Connection) -> None:
    bulk.insert_identities(conn, [QUAL_ROW])
    conn.execute("INSERT INTO ins_history (identity_id, matricule, oid, active, received_at) "
                 "VALUES (1, '275126322074974', '1.2.250.1.213.1.4.8', 1, 'now')")
    conn.execute("INSERT INTO insi_call (operation, at) VALUES ('x', 'now')")
    conn.execute("INSERT INTO document_check (identity_id, document_type, outcome, at) "
                 "VALUES (1, 'PA', 'ok', 'now')")
    for table in ("ins_history", "insi_call", "document_check"):
        with pytest.raises(connection.IntegrityError, match="insterm:"):
            conn.execute(f"DELETE FROM {table}")
        with pytest.raises(connection.IntegrityError, match="insterm:"):
            conn.execute(f"UPDATE {table} SET id = id")


def test_v4_maps_operators_from_os_logins_and_keeps_the_audit_chain(tmp_path: Path) -> None:
    from insterm.store import audit
    from insterm.store import operators as operator_store

    conn = sqlite3.connect(tmp_path / "v3.db", isolation_level=None)
    migrate(conn, 3)
    _fill(conn, 3)
    with write_transaction(conn):
        conn.execute("INSERT INTO operator (login, display_name, role, created_at) "
                     "VALUES ('sophie', 'Sophie', 'staff', 'now')")
        audit.append(conn, operator="admin", action="operator_added", identity_id=None,
                     details={"login": "sophie"}, at=utc_now())
    tail = audit.verify(conn).tail
    assert migrate(conn)[0] == 4
    assert [(o.login, o.os_login) for o in operator_store.list_all(conn)] == [
        ("admin", None), ("sophie", None)]
    assert audit.verify(conn, expected=tail).ok
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"operator_os_login_unique", "audit_operator", "audit_action", "audit_at"} <= indexes
    with write_transaction(conn):
        operator_store.update(conn, 2, os_login="sdurand")
    assert operator_store.by_os_login(conn, "sdurand").login == "sophie"
    with pytest.raises(ConstraintViolation, match="déjà associé"), write_transaction(conn):
        operator_store.update(conn, 1, os_login="sdurand")
    with write_transaction(conn):  # several operators without a mapping are fine
        conn.execute("INSERT INTO operator (login, display_name, role, created_at) "
                     "VALUES ('marc', 'Marc', 'staff', 'now')")
    plan = " ".join(r[3] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM audit WHERE action = 'x' ORDER BY id DESC LIMIT 5"))
    assert "audit_action" in plan and "TEMP B-TREE" not in plan


def test_v5_keeps_the_os_account_sign_in_and_stores_only_argon2id(tmp_path: Path) -> None:
    """Operators mapped to an OS account before proofs existed keep signing in by it; the
    others have no proof yet; the password column takes an Argon2id hash only."""
    from insterm.store import audit
    from insterm.store import operators as operator_store

    conn = sqlite3.connect(tmp_path / "v4.db", isolation_level=None)
    migrate(conn, 4)
    with write_transaction(conn):
        for login, os_login in (("admin", "alice"), ("sophie", None)):
            conn.execute("INSERT INTO operator (login, display_name, role, created_at, os_login)"
                         " VALUES (?, ?, 'admin', 'now', ?)", (login, login, os_login))
        audit.append(conn, operator="admin", action="operator_added", identity_id=None,
                     details={"login": "sophie"}, at=utc_now())
    tail = audit.verify(conn).tail
    assert migrate(conn) == list(range(5, CURRENT_VERSION + 1))
    assert [(o.login, o.auth_method, o.has_password, o.failed_attempts)
            for o in operator_store.list_all(conn)] == [
        ("admin", "os-account", False, 0), ("sophie", None, False, 0)]
    assert audit.verify(conn, expected=tail).ok
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE operator SET password_hash = 'Tournesol-1907' WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE operator SET auth_method = 'badge' WHERE id = 2")
