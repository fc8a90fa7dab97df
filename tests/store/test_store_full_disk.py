"""Full disk, read-only file or folder, a file another program holds: typed French errors, and
nothing lost nor half-made (issue 9.4). The disk is a real tmpfs of a few MiB, filled up."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from duplicate_override import create_anyway

from insterm.clinic import Clinic
from insterm.domain.identity import StrictTraits
from insterm.store import bulk, connection
from insterm.store.backup import backup, check_file, restore
from insterm.store.connection import connect_file, open_database, write_transaction
from insterm.store.errors import (
    DatabaseBusy,
    DatabaseCannotOpen,
    DatabaseLocked,
    DatabaseReadOnly,
    DiskFull,
    StorageError,
    storage_error,
)
from insterm.store.search import search

ROOT = Path(__file__).parents[2]


def _traits(n: int) -> StrictTraits:
    return StrictTraits.build(birth_name=f"MARTIN{'X' * (n % 7)}", first_name="JEAN",
                              first_names="JEAN PIERRE", birth_date=date(1950, 1, 1 + n % 28),
                              sex="M", birth_place="75056")


def _prepared(path: Path, count: int = 1) -> None:
    """A base with an administrator and `count` identities: the first made as an operator
    does, the others (only there to make the file large) inserted in one transaction."""
    with Clinic.open(path, create=True) as clinic:
        clinic.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        create_anyway(clinic, "admin", _traits(0))
    if count > 1:
        bulk.insert_identities(path, [
            dict(birth_name=f"MARTIN{n}", first_name="JEAN", first_names="JEAN PIERRE",
                 birth_date=f"1950-01-{1 + n % 28:02d}", sex="M", birth_place="75056")
            for n in range(1, count)], actor="admin")


def _create_one(path: Path) -> None:
    with Clinic.open(path) as clinic:
        create_anyway(clinic, "admin", _traits(3))


def _write_briefly(path: Path) -> None:
    conn = open_database(path)
    try:
        with write_transaction(conn, max_wait=0.2):
            pass
    finally:
        conn.close()


def _identities(path: Path) -> int:
    conn = connect_file(path)
    try:
        return int(conn.execute("SELECT count(*) FROM identity").fetchone()[0])
    finally:
        conn.close()


def _cli(*args: str, user_caps: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`insterm ARGS` as a process; without `user_caps`, as root stripped of every capability
    (file permissions then apply to it as to any user)."""
    command = [sys.executable, "-m", "insterm", *args]
    if not user_caps:
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", *command]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL)


def _french_refusal(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert words in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr, done.stderr


# ------------------------------------------------------------------------------- full disk


def test_create_on_a_full_disk_is_a_french_error_and_loses_nothing(tiny_disk) -> None:  # type: ignore[no-untyped-def]
    path = tiny_disk.path / "cabinet.sqlite3"
    _prepared(path)
    with Clinic.open(path) as clinic:
        tiny_disk.fill()
        saved = 0
        with pytest.raises(DiskFull) as raised:
            for n in range(500):
                create_anyway(clinic, "admin", _traits(n))
                saved += 1
        assert "Disque plein" in raised.value.message
        assert "Libérez de la place" in raised.value.message
        tiny_disk.free()
        # The refused create left nothing; the connection works again once space is back.
        assert _identities(path) == 1 + saved
        create_anyway(clinic, "admin", _traits(1))
        assert clinic.verify_audit().ok
    assert check_file(path).ok and _identities(path) == 2 + saved


def test_edit_on_a_full_disk_is_a_french_error_and_loses_nothing(tiny_disk) -> None:  # type: ignore[no-untyped-def]
    path = tiny_disk.path / "cabinet.sqlite3"
    _prepared(path)
    with Clinic.open(path) as clinic:
        record = create_anyway(clinic, "admin", _traits(0)).record
        tiny_disk.fill()
        names = []
        with pytest.raises(DiskFull):
            for n in range(500):
                name = "DURAND-" + "".join("ABCDEFGHIJ"[int(d)] for d in str(n))
                record = clinic.edit_traits("admin", record.id, record.version,
                                            {"used_name": name}).record
                names.append(name)
        tiny_disk.free()
        kept = clinic.get(record.id)
        assert kept.version == record.version
        assert kept.used_name == (names[-1] if names else None)
        assert clinic.verify_audit().ok
    assert check_file(path).ok


@pytest.mark.processes
def test_backup_to_a_full_disk_leaves_no_file(tmp_path: Path, tiny_disk) -> None:  # type: ignore[no-untyped-def]
    live = tmp_path / "cabinet.sqlite3"
    _prepared(live, 200)
    dest = tiny_disk.path / "copie.sqlite3"
    tiny_disk.fill()
    with pytest.raises(DiskFull) as raised:
        backup(live, dest)
    assert str(dest) in raised.value.message
    assert tiny_disk.files() == []  # no 0-byte copy, no temporary file
    done = _cli("backup", str(dest), "--db", str(live))
    _french_refusal(done, "Disque plein")
    assert tiny_disk.files() == []
    tiny_disk.free()
    assert backup(live, dest).ok and tiny_disk.files() == ["copie.sqlite3"]


@pytest.mark.processes
def test_restore_onto_a_full_disk_keeps_the_database(tmp_path: Path, tiny_disk) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "grosse.sqlite3"
    _prepared(big, 10_000)  # the backup to restore: larger than the free space
    source = backup(big, tmp_path / "sauvegarde.sqlite3").path
    live = tiny_disk.path / "cabinet.sqlite3"
    _prepared(live, 1)
    before = live.read_bytes()
    free = os.statvfs(tiny_disk.path)
    assert free.f_bavail * free.f_frsize < source.stat().st_size + len(before)  # will not fit
    with pytest.raises(DiskFull):
        restore(source, live)
    assert _identities(live) == 1 and check_file(live).ok
    # The safety copy was made whole, or not at all; no temporary file is left.
    left = [name for name in tiny_disk.files() if name.startswith(".")]
    assert left == []
    for copy in (tiny_disk.path / "sauvegardes").glob("*"):
        assert check_file(copy).ok
    done = _cli("restore", str(source), "--oui", "--db", str(live))
    _french_refusal(done, "Disque plein")
    assert _identities(live) == 1 and check_file(live).ok


@pytest.mark.processes
def test_db_init_on_a_full_disk_leaves_no_file(tiny_disk) -> None:  # type: ignore[no-untyped-def]
    tiny_disk.fill()
    path = tiny_disk.path / "neuve.sqlite3"
    done = _cli("db", "init", "--admin", "alice", "--compte-du-poste", "--db", str(path))
    _french_refusal(done, "Disque plein")
    assert tiny_disk.files() == []
    tiny_disk.free()
    done = _cli("db", "init", "--admin", "alice", "--compte-du-poste", "--db", str(path))
    assert done.returncode == 0, done.stderr
    assert tiny_disk.files() == ["neuve.sqlite3"] and check_file(path).ok


@pytest.mark.processes
def test_db_init_checks_the_admin_login_before_creating_anything(tmp_path: Path) -> None:
    path = tmp_path / "neuve.sqlite3"
    done = _cli("db", "init", "--admin", "Alice Dupont!", "--compte-du-poste", "--db", str(path))
    _french_refusal(done, "Identifiant d'opérateur incorrect")
    assert list(tmp_path.iterdir()) == []
    done = _cli("db", "init", "--admin", "alice", "--nom", "Alice Dupont", "--compte-du-poste",
               "--db", str(path))
    assert done.returncode == 0, done.stderr
    assert "Administrateur prêt : Alice Dupont" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neuve.sqlite3"]
    with Clinic.open(path) as clinic:
        assert [op.login for op in clinic.operators()] == ["alice"]


# ------------------------------------------------------------------- read-only, locked


@pytest.mark.processes
def test_a_read_only_disk_is_a_french_error(tiny_disk) -> None:  # type: ignore[no-untyped-def]
    path = tiny_disk.path / "cabinet.sqlite3"
    _prepared(path)
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_disk.path)], check=True)
    with pytest.raises((DatabaseReadOnly, DatabaseCannotOpen)) as raised:
        _create_one(path)
    assert "permissions" in raised.value.message
    done = _cli("db", "doublons", "--operateur", "admin", "--db", str(path))
    _french_refusal(done, "permissions")
    done = _cli("backup", str(tiny_disk.path / "copie.sqlite3"), "--db", str(path))
    _french_refusal(done, "permissions")
    subprocess.run(["mount", "-o", "remount,rw", str(tiny_disk.path)], check=True)
    assert _identities(path) == 1 and tiny_disk.files() == ["cabinet.sqlite3"]


@pytest.mark.processes
@pytest.mark.skipif(os.geteuid() != 0, reason="drops root's capabilities with setpriv (needs "
                    "root); as a plain user, run it as root")
def test_a_file_or_folder_without_write_permission_is_a_french_error(tmp_path: Path) -> None:
    folder = tmp_path / "cabinet"
    folder.mkdir()
    path = folder / "cabinet.sqlite3"
    _prepared(path)
    path.chmod(0o400)
    script = ("import sys\nfrom insterm.clinic import Clinic\n"
              "from insterm.domain.identity import StrictTraits\n"
              "from insterm.domain.errors import InstermError\n"
              "t = StrictTraits.build(birth_name='NOUVEAU', first_name='LEA', first_names='LEA',"
              " birth_date='01/01/1990', sex='F')\n"
              "try:\n    with Clinic.open(sys.argv[1]) as c: c.create_identity('admin', t)\n"
              "except InstermError as e:\n    print(type(e).__name__, e.message)\n")
    command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", sys.executable, "-c",
               script, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.stdout.startswith("DatabaseReadOnly "), (done.stdout, done.stderr)
    assert "permissions" in done.stdout
    assert _identities(path) == 1
    # A folder the account cannot write to: db init creates nothing and says why.
    path.chmod(0o600)
    folder.chmod(0o500)
    try:
        done = _cli("db", "init", "--db", str(folder / "autre.sqlite3"), user_caps=False)
        _french_refusal(done, "permissions")
        assert sorted(p.name for p in folder.iterdir()) == ["cabinet.sqlite3"]
    finally:
        folder.chmod(0o700)


@pytest.mark.processes
def test_a_file_another_program_holds_is_a_french_error(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cabinet.sqlite3"
    _prepared(path)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("CREATE TABLE scratch (x)")
        monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 50)
        with pytest.raises(DatabaseLocked) as raised:
            search(open_database(path, readonly=True), "MARTIN")
        assert "autre programme" in raised.value.message
        with pytest.raises((DatabaseLocked, DatabaseBusy)):
            _write_briefly(path)
        # the real command in its own process, its busy wait shortened as above (the French
        # message is the point, not the 5 s of the real wait)
        done = subprocess.run(
            [sys.executable, "-c", "import sys; from insterm.store import connection; "
             "connection.BUSY_TIMEOUT_MS = 50; from insterm.cli import main; "
             "sys.exit(main(sys.argv[1:]))", "lookup", "MARTIN", "--db", str(path)],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
            env=dict(os.environ, PYTHONPATH=str(ROOT)))
        _french_refusal(done, "tenue par un autre programme")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _identities(path) == 1


def test_a_held_file_is_not_judged_plain_or_encrypted_while_held(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The encryption probe does not wait on a held base (the connection's own busy wait
    follows and says so: one wait, not two) and remembers nothing it could not see."""
    if request.config.getoption("--chiffre"):
        pytest.skip("--chiffre: the holder would be SQLCipher's copy of SQLite in this very "
                    "process, whose POSIX locks do not block the plain probe (locks are per "
                    "process); another program's hold is the plain case, tested without it")
    path = tmp_path / "cabinet.sqlite3"
    _prepared(path)
    holder = connect_file(path)  # the store's own (with the key of an encrypted base)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("CREATE TABLE scratch (x)")
        status = path.stat()
        connection._encrypted_inodes.pop((status.st_dev, status.st_ino), None)  # not seen yet
        assert connection._reads_as_no_database(str(path)) is None
        assert connection.is_encrypted_file(path) is False
        assert (status.st_dev, status.st_ino) not in connection._encrypted_inodes
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert connection.is_encrypted_file(path) is False  # now seen, and remembered
    status = path.stat()
    assert connection._encrypted_inodes[(status.st_dev, status.st_ino)] is False


@pytest.mark.parametrize(("code", "kind"), [(13, "DiskFull"), (10, "DiskFailure"),
                                            (10 | (3 << 8), "DiskFailure"),  # IOERR_WRITE
                                            (8, "DatabaseReadOnly"), (5, "DatabaseLocked"),
                                            (6, "DatabaseLocked"), (14, "DatabaseCannotOpen"),
                                            (26, "DatabaseUnreadable")])
def test_sqlite_result_codes_map_to_typed_errors(code: int, kind: str) -> None:
    error = sqlite3.OperationalError("anything in English")
    error.sqlite_errorcode = code  # type: ignore[attr-defined]  # what the driver sets
    typed = storage_error(error, "/x/cabinet.sqlite3")
    assert type(typed).__name__ == kind and isinstance(typed, StorageError)
    assert "/x/cabinet.sqlite3" in typed.message
    constraint = sqlite3.IntegrityError("UNIQUE constraint failed")
    constraint.sqlite_errorcode = 2067  # type: ignore[attr-defined]
    assert storage_error(constraint) is None
    assert storage_error(ValueError("disk i/o error")) is None


def test_settings_write_on_a_full_disk_keeps_the_old_file(tiny_disk) -> None:  # type: ignore[no-untyped-def]
    from insterm.config import SettingsError, load_settings, update_settings_file

    path = tiny_disk.path / "settings.toml"
    update_settings_file({"database": {"path": "/srv/cabinet.sqlite3"}}, path)
    before = path.read_bytes()
    tiny_disk.fill()
    with pytest.raises(SettingsError) as raised:
        update_settings_file({"database": {"path": "/srv/" + "x" * 9000 + ".sqlite3"}}, path)
    assert "Disque plein" in raised.value.message and "Libérez de la place" in raised.value.message
    assert path.read_bytes() == before and tiny_disk.files() == ["settings.toml"]
    assert str(load_settings(path).db_path) == "/srv/cabinet.sqlite3"


@pytest.mark.processes
def test_a_pipe_a_device_or_a_folder_given_as_the_base_is_refused_at_once(
        tmp_path: Path) -> None:
    """`--db` naming something that is no file: a French refusal, never a hang on a pipe
    (opening a FIFO waits for a writer) nor "schema 0, run db init" on /dev/zero."""
    pipe = tmp_path / "tube"
    os.mkfifo(pipe)
    for where in (str(pipe), "/dev/zero"):
        done = _cli("lookup", "DUPONT", "--db", where, timeout=30)
        _french_refusal(done, "n'est pas un fichier de base de données")
    done = _cli("db", "info", "--db", str(tmp_path), timeout=30)
    assert done.returncode == 2 and "dossier" in done.stderr, done.stderr
