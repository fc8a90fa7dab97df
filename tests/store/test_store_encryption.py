"""An encrypted database (issue 9.6): SQLCipher 4 through sqlcipher3, the practice's raw key in a
real (encrypted file) keyring, no plaintext on disk, French errors for a wrong or missing key,
encrypted backups that restore and verify, and the switch of an existing base both ways."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from insterm import secrets
from insterm.cli import main
from insterm.clinic import Clinic
from insterm.domain.identity import StrictTraits
from insterm.store import connection
from insterm.store.backup import backup, check_file, restore
from insterm.store.connection import KEYRING_NAME, PLAIN_HEADER
from insterm.store.errors import DatabaseKeyMissing, WrongDatabaseKey

pytest.importorskip("sqlcipher3", reason="the crypt extra (sqlcipher3) is not installed")


@pytest.fixture
def keyring(tmp_path: Path) -> Iterator[object]:
    """A real encrypted file keyring of this test, installed as the process's backend."""
    backend = secrets.open_cryptfile("maitre-de-test-chiffrement", xdg_data_home=tmp_path / "xdg")
    secrets.use_backend(backend)
    connection.set_key_source(None)
    yield backend
    secrets.reset_backend()


def _traits(name: str = "MARTIN") -> StrictTraits:
    return StrictTraits.build(birth_name=name, first_name="JEAN", first_names="JEAN",
                              birth_date="01/02/1980", sex="M", birth_place="75056")


def _init(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """`insterm db init --chiffre --admin alice`: the key printed, as the user reads it."""
    assert main(["db", "init", "--chiffre", "--admin", "alice", "--compte-du-poste", "--db",
                 str(path)]) == 0
    out = capsys.readouterr().out
    found = re.search(r"\n\n    ((?:[0-9A-F]{8} ){7}[0-9A-F]{8})\n\n", out)
    assert found, out
    return found.group(1)


def _plain_cannot_read(path: Path) -> None:
    assert path.read_bytes()[:16] != PLAIN_HEADER
    assert b"SQLite format 3" not in path.read_bytes()
    assert b"MARTIN" not in path.read_bytes()
    raw = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        raw.execute("SELECT count(*) FROM identity").fetchone()
    raw.close()


def test_db_init_chiffre_writes_no_plaintext_and_keeps_the_key_in_the_keyring(
        tmp_path: Path, keyring: object, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cabinet.sqlite3"
    printed = _init(path, capsys)
    assert secrets.get_secret(KEYRING_NAME) == "".join(printed.split()).lower()
    with Clinic.open(path) as clinic:
        clinic.create_identity("alice", _traits())
        assert clinic.verify_audit().ok
    _plain_cannot_read(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cabinet.sqlite3", "xdg"]
    # A second base of the practice takes the same key, and does not print it again.
    assert main(["db", "init", "--chiffre", "--db", str(tmp_path / "autre.sqlite3")]) == 0
    assert printed not in capsys.readouterr().out
    assert main(["lookup", "MARTIN", "--db", str(path)]) == 0
    assert "MARTIN" in capsys.readouterr().out


def test_a_wrong_or_missing_key_is_a_french_error(tmp_path: Path, keyring: object,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cabinet.sqlite3"
    _init(path, capsys)
    before = path.read_bytes()
    secrets.set_secret(KEYRING_NAME, "00" * 32)
    with pytest.raises(WrongDatabaseKey, match="La clé de chiffrement ne correspond pas"):
        Clinic.open(path)
    assert main(["lookup", "MARTIN", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert "La clé de chiffrement ne correspond pas" in err and "Traceback" not in err
    secrets.delete_secret(KEYRING_NAME)
    with pytest.raises(DatabaseKeyMissing, match="sa clé n'est pas dans le trousseau"):
        Clinic.open(path)
    assert main(["audit", "verify", "--db", str(path)]) == 2
    assert "sa clé n'est pas dans le trousseau" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_the_key_from_the_safe_goes_back_into_the_keyring(
        tmp_path: Path, keyring: object, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    path = tmp_path / "cabinet.sqlite3"
    printed = _init(path, capsys)
    secrets.delete_secret(KEYRING_NAME)  # a new PC, or a lost keyring
    monkeypatch.setattr("sys.stdin", io.StringIO("11" * 32 + "\n"))
    assert main(["db", "cle", "--db", str(path)]) == 2
    assert "ne correspond pas" in capsys.readouterr().err
    assert secrets.get_secret(KEYRING_NAME) is None
    monkeypatch.setattr("sys.stdin", io.StringIO(printed.lower() + "\n"))
    assert main(["db", "cle", "--db", str(path)]) == 0
    with Clinic.open(path) as clinic:
        assert clinic.verify_audit().ok


def test_backups_are_encrypted_with_the_same_key_and_restore(
        tmp_path: Path, keyring: object, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cabinet.sqlite3"
    _init(path, capsys)
    with Clinic.open(path) as clinic:
        clinic.create_identity("alice", _traits())
    copy = tmp_path / "copie.sqlite3"
    assert main(["backup", str(copy), "--db", str(path)]) == 0
    capsys.readouterr()
    _plain_cannot_read(copy)
    assert check_file(copy).ok
    assert main(["audit", "verify", "--db", str(copy)]) == 0
    with Clinic.open(path) as clinic:
        clinic.create_identity("alice", _traits("APRES"))
    after, safety = restore(copy, path)
    assert after.ok and safety is not None
    _plain_cannot_read(safety)
    with Clinic.open(path) as clinic:
        names = [r[0] for r in clinic.conn.execute("SELECT birth_name FROM identity")]
    assert names == ["MARTIN"]
    # A plain backup is not poured into an encrypted base (nor the other way round).
    plain = tmp_path / "clair.sqlite3"
    with Clinic.open(plain, create=True) as clinic:
        clinic.bootstrap_admin("alice", "Alice", os_login="alice")
    with pytest.raises(Exception, match="en clair et la base est chiffrée"):
        restore(backup(plain, tmp_path / "clair-copie.sqlite3").path, path)
    _plain_cannot_read(path)


def test_an_existing_base_is_encrypted_then_decrypted_through_a_verified_copy(
        tmp_path: Path, keyring: object, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cabinet.sqlite3"
    with Clinic.open(path, create=True) as clinic:
        clinic.bootstrap_admin("alice", "Alice", os_login="alice")
        clinic.create_identity("alice", _traits())
        tail = clinic.verify_audit().last_hash
    assert main(["db", "chiffrer", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Clé de chiffrement du cabinet" in out and "Base chiffrée" in out
    _plain_cannot_read(path)
    with Clinic.open(path) as clinic:
        assert clinic.verify_audit().last_hash == tail
        clinic.create_identity("alice", _traits("ENSUITE"))
    assert main(["db", "chiffrer", "--db", str(path)]) == 2
    assert "déjà chiffrée" in capsys.readouterr().err
    assert main(["db", "dechiffrer", "--db", str(path)]) == 0
    assert path.read_bytes()[:16] == PLAIN_HEADER
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT count(*) FROM identity").fetchone()[0] == 2
    raw.close()
    assert check_file(path).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cabinet.sqlite3", "xdg"]
