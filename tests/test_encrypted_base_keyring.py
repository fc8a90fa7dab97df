"""An encrypted base whose key is in the encrypted file keyring (no desktop keyring): the
application and `insterm lookup` open the keyring first (its master password asked on the
terminal, or read from `--mot-de-passe-fichier`), instead of failing on the missing key. With
the real keyrings.cryptfile backend, a real SQLCipher file, and no terminal."""

from __future__ import annotations

import io
import os
import secrets as stdlib_secrets
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from duplicate_override import create_anyway

from insterm import secrets
from insterm.cli import main
from insterm.clinic import Clinic
from insterm.commands.tui import run_app
from insterm.domain.identity import StrictTraits
from insterm.store import connection

pytest.importorskip("sqlcipher3", reason="the crypt extra (sqlcipher3) is not installed")

MASTER = "maître-" + stdlib_secrets.token_urlsafe(8)


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal


@pytest.fixture
def encrypted(tmp_path: Path) -> Iterator[Path]:
    """An encrypted base with one identity; its key only in the encrypted keyring, which is
    closed again (as in a new process)."""
    secrets.select_backend(MASTER)
    key = connection.new_key()
    secrets.set_secret(connection.KEYRING_NAME, key.hex())
    path = tmp_path / "cabinet.sqlite3"
    connection.set_key_source(lambda: key, encrypt_new=True)
    try:
        with Clinic.open(path, create=True) as clinic:
            clinic.bootstrap_admin("admin", "Alice Admin", os_login="admin")
            create_anyway(clinic, "admin", StrictTraits.build(
                birth_name="ADRUN", first_name="ZOE", first_names="ZOE",
                birth_date=date(1975, 12, 31), sex="F", birth_place="63220"))
    finally:
        connection.set_key_source(None)
    assert connection.is_encrypted_file(path)
    secrets.reset_backend()
    yield path


def test_lookup_without_a_terminal_says_how_to_give_the_master_password(
        encrypted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lookup", "ADRUN", "--db", str(encrypted)]) == 2
    assert "--mot-de-passe-fichier" in capsys.readouterr().err


def test_lookup_opens_the_keyring_with_the_password_file(
        encrypted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "trousseau"
    secret.write_text(MASTER + "\n", encoding="utf-8")
    os.chmod(secret, 0o600)
    code = main(["lookup", "ADRUN", "--db", str(encrypted), "--mot-de-passe-fichier",
                 str(secret)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "ADRUN ZOE" in captured.out and MASTER not in captured.out + captured.err


def test_the_application_asks_for_the_keyring_before_opening_the_base(
        encrypted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No terminal to type the master password: a French refusal and exit 2, not a crash on
    the missing key (the keyring would have been the only way to the key)."""
    assert run_app(str(encrypted), None) == 2
    assert "mot de passe maître" in capsys.readouterr().err
