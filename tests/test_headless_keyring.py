"""Headless commands without a desktop keyring (issue 14.6): the encrypted keyring's master
password from a file only its owner can read (`--mot-de-passe-fichier`, or systemd's
credentials directory), with the real keyrings.cryptfile backend, the simulator over mutual TLS
on 127.0.0.1 and a real SQLite file; no terminal (standard input is not one)."""

from __future__ import annotations

import io
import os
import secrets as stdlib_secrets
import sys
from pathlib import Path

import pytest

from insterm import secrets
from insterm.cli import main
from insterm.clinic import Clinic
from insterm.insi.simulator import Simulator, TestAuthority

ADRTROIS_INS = "297022A02077878"
MASTER = "maître-" + stdlib_secrets.token_urlsafe(8)
SEARCH = ["insi", "search", "--nom", "ADRTROIS", "--prenoms", "DOMINIQUE", "--sexe", "F",
          "--naissance", "1997-02-26"]


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """This test's own folders and keyring (tests/conftest.py), no terminal, no systemd."""
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


def password_file(path: Path, mode: int = 0o600, text: str = MASTER + "\n") -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


@pytest.fixture
def practice(tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """insi-sim --setup run unattended (its keyring created with the password file), a
    database, the simulator listening; the keyring closed again, as in a new process."""
    secret = password_file(tmp_path / "trousseau")
    state = tmp_path / "sim-state"
    assert main(["insi-sim", "--setup", "--state-dir", str(state),
                 "--mot-de-passe-fichier", str(secret)]) == 0
    assert secrets.cryptfile_path().is_file()
    secrets.reset_backend()
    db = tmp_path / "cabinet.sqlite3"
    with Clinic.open(db, create=True) as made:
        made.bootstrap_admin("admin", "Alice Admin", os_login="admin")
    capsys.readouterr()
    with Simulator(TestAuthority(state)) as simulator:
        from insterm.config import update_settings_file

        update_settings_file({"insi": {"simulator_url": simulator.url}})
        yield db, secret, simulator


def test_insi_search_runs_unattended_with_a_password_file(practice, capsys) -> None:
    db, secret, simulator = practice
    code = main([*SEARCH, "--db", str(db), "--mot-de-passe-fichier", str(secret)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert ADRTROIS_INS in captured.out and len(simulator.handled) == 1
    assert MASTER not in captured.out + captured.err


def test_insi_search_takes_the_systemd_credential(practice, capsys, monkeypatch,
                                                  tmp_path: Path) -> None:
    db, _secret, simulator = practice
    credentials = tmp_path / "credentials"
    credentials.mkdir(mode=0o700)
    password_file(credentials / "insterm-trousseau", 0o400)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    assert main([*SEARCH, "--db", str(db)]) == 0
    assert ADRTROIS_INS in capsys.readouterr().out and len(simulator.handled) == 1


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o700, 0o660])
def test_a_password_file_wider_than_0600_is_refused(practice, capsys, mode: int) -> None:
    db, secret, simulator = practice
    os.chmod(secret, mode)
    assert main([*SEARCH, "--db", str(db), "--mot-de-passe-fichier", str(secret)]) == 2
    err = capsys.readouterr().err
    assert (f"Le fichier du mot de passe maître {secret} a le mode {mode:04o}, plus ouvert que "
            f"0600 : d'autres que son propriétaire pourraient le lire. Il est refusé ; faites "
            f"« chmod 600 {secret} », puis recommencez.") in err
    assert simulator.handled == [] and secrets.current_backend() is None


def test_without_a_password_nor_a_terminal_the_command_says_how(practice, capsys) -> None:
    db, _secret, simulator = practice
    assert main([*SEARCH, "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "--mot-de-passe-fichier FICHIER (un fichier en mode 0600)" in err
    assert simulator.handled == []


def test_a_wrong_password_in_the_file_is_a_french_error(practice, capsys, tmp_path) -> None:
    db, _secret, simulator = practice
    wrong = password_file(tmp_path / "autre", text="pas-le-bon-mot-de-passe\n")
    assert main([*SEARCH, "--db", str(db), "--mot-de-passe-fichier", str(wrong)]) == 2
    assert "Mot de passe maître incorrect" in capsys.readouterr().err
    assert simulator.handled == []


def test_what_a_password_file_may_be(tmp_path: Path) -> None:
    good = password_file(tmp_path / "ok", 0o400, MASTER + "\r\nignored line\n")
    assert secrets.master_password_from_file(good) == MASTER
    link = tmp_path / "link"
    link.symlink_to(good)
    refusals = {
        tmp_path / "missing": "est introuvable",
        link: "pas un lien",
        tmp_path: "pas un fichier ordinaire",
        password_file(tmp_path / "empty", text="\n"): "est vide",
        password_file(tmp_path / "big", text="x" * 5000): "trop long",
    }
    for path, said in refusals.items():
        with pytest.raises(secrets.SecretsUnavailable) as caught:
            secrets.master_password_from_file(path)
        assert said in str(caught.value), (path, str(caught.value))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(secrets.SecretsUnavailable, match="pas un fichier ordinaire"):
        secrets.master_password_from_file(fifo)
