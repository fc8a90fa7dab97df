"""The store subcommands, called through their run() (lookup, db, audit, backup, restore), and
the lookup path's imports in a fresh interpreter."""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from insterm.commands import audit as audit_cmd
from insterm.commands import backup as backup_cmd
from insterm.commands import db as db_cmd
from insterm.commands import lookup as lookup_cmd
from insterm.commands import restore as restore_cmd
from insterm.store import bulk
from insterm.store.migrations import CURRENT_VERSION

ROWS = [
    dict(birth_name="ADRUN", first_name="ZOE", first_names="ZOE", birth_date="1975-12-31",
         sex="F", birth_place="63220", status="QUAL", matricule="275126322074974",
         oid="1.2.250.1.213.1.4.8"),
    dict(birth_name="HOUILLES", first_name="PIERRE", first_names="PIERRE",
         birth_date="1980-03-01", sex="M", status="RECUP", matricule="180032B02040123",
         oid="1.2.250.1.213.1.4.8", attributes=["HOMA"]),
    dict(birth_name="MARTIN", first_name="JEAN", first_names="JEAN", birth_date="1980-02-01",
         sex="M", used_name="DUPONT"),
]


def call(module, argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    module.configure(parser)
    return module.run(parser.parse_args(argv))


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("INSTERM_DB", str(path))
    monkeypatch.setenv("INSTERM_SETTINGS", str(tmp_path / "settings.toml"))
    assert call(db_cmd, ["init", "--admin", "admin", "--nom", "Alice Admin",
                         "--compte-du-poste"]) == 0
    bulk.insert_identities(path, ROWS)
    return path


def test_db_init_creates_0600_and_is_idempotent(db: Path, capsys) -> None:
    assert (db.stat().st_mode & 0o777) == 0o600
    assert call(db_cmd, ["init"]) == 0
    assert "mise à jour" in capsys.readouterr().out
    assert call(db_cmd, ["init", "--admin", "other", "--compte-du-poste"]) == 1
    assert "Des opérateurs existent déjà" in capsys.readouterr().err


def test_db_info(db: Path, capsys) -> None:
    assert call(db_cmd, ["info"]) == 0
    out = capsys.readouterr().out
    assert f"Schéma : {CURRENT_VERSION}" in out and "Identités : 3" in out
    assert "QUAL           1" in out and "HOMA           1" in out


def test_lookup_table_and_exit_codes(db: Path, capsys) -> None:
    assert call(lookup_cmd, ["275126322074974"]) == 0
    out = capsys.readouterr().out
    assert "ADRUN" in out and "275126322074974" in out and out.startswith("IPP")
    assert call(lookup_cmd, ["houilles"]) == 0
    out = capsys.readouterr().out
    assert "180032B02040123" not in out and "(non qualifié)" in out and "RECUP+HOMA" in out
    assert call(lookup_cmd, ["dupont"]) == 0  # the name as every screen shows it
    assert "MARTIN JEAN (nom utilisé : DUPONT)" in capsys.readouterr().out
    assert call(lookup_cmd, ["zzzz"]) == 1
    assert call(lookup_cmd, ["279035121518988"]) == 2
    assert "89" in capsys.readouterr().err


def test_lookup_on_a_missing_database(tmp_path: Path, capsys) -> None:
    assert call(lookup_cmd, ["martin", "--db", str(tmp_path / "none.db")]) == 2
    assert "insterm db init" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_audit_verify_ok_then_broken(db: Path, capsys) -> None:
    assert call(audit_cmd, ["verify"]) == 0
    raw = sqlite3.connect(db)
    raw.execute("DROP TRIGGER audit_no_update")
    raw.execute("UPDATE audit SET action = 'x' WHERE id = 2")
    raw.commit()
    raw.close()
    assert call(audit_cmd, ["verify"]) == 1
    assert "ligne 2" in capsys.readouterr().err


def test_backup_and_restore_commands(db: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "save.db"
    assert call(backup_cmd, [str(copy)]) == 0
    assert copy.exists()
    assert call(restore_cmd, [str(copy), "--oui"]) == 0
    assert "Base restaurée" in capsys.readouterr().out
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"x" * 4096)
    assert call(restore_cmd, [str(bad), "--oui"]) == 1
    assert "Restauration refusée" in capsys.readouterr().err


@pytest.mark.parametrize("query", ["martin", "275126322074974", "2751263220749", "31/12/1975"])
def test_insterm_lookup_imports_no_heavy_module(db: Path, query: str) -> None:
    """`insterm lookup` (a whole process, benchmarked against a bare sqlite3 query) needs the
    standard library, the domain and the store's search: not the terminal UI, the SOAP stack
    or sqlite-utils, nor the use cases behind the facade."""
    code = ("import sys, json, contextlib, io\nfrom insterm.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    rc = main(['lookup', {query!r}, '--db', {str(db)!r}])\n"
            "print(json.dumps([rc, sorted(sys.modules)]), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    rc, modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert rc == 0, done.stderr
    roots = {m.split(".")[0] for m in modules}
    assert not roots & {"textual", "rich", "zeep", "lxml", "sqlite_utils", "platformdirs"}
    assert not {m for m in modules if m.startswith("insterm.usecases")} | (
        {"insterm.clinic", "insterm.tui"} & set(modules))

def test_audit_verify_prints_the_tail_and_detects_a_cut_one(db: Path, capsys) -> None:
    assert call(audit_cmd, ["verify"]) == 0
    out = capsys.readouterr().out
    tail = out.split("Empreinte de fin à noter : ")[1].split()[0]
    assert tail.startswith("2:") and len(tail) == 66
    assert "ne peut pas prouver, seule, que les derniers n'ont pas été supprimés" in out
    assert call(audit_cmd, ["verify", "--attendu", tail]) == 0
    assert "Les 2 premiers événements notés sont toujours là" in capsys.readouterr().out
    raw = sqlite3.connect(db)
    raw.execute("DROP TRIGGER audit_no_delete")
    raw.execute("DELETE FROM audit WHERE id = 2")
    raw.commit()
    raw.close()
    # The chain alone cannot see it; the head noted by the verifications above can.
    assert call(audit_cmd, ["verify"]) == 1
    assert "supprimés" in capsys.readouterr().err
    assert call(audit_cmd, ["verify", "--attendu", tail]) == 1
    assert "supprimés" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        call(audit_cmd, ["verify", "--attendu", "deux"])
    assert "NOMBRE:EMPREINTE" in capsys.readouterr().err


def test_backup_prints_the_tail_to_keep(db: Path, tmp_path: Path, capsys) -> None:
    assert call(backup_cmd, [str(tmp_path / "save.db")]) == 0
    out = capsys.readouterr().out
    tail = out.split("insterm audit verify --attendu ")[1].split()[0]
    assert call(audit_cmd, ["verify", "--attendu", tail, "--db", str(tmp_path / "save.db")]) == 0


def test_db_doublons_after_an_import(db: Path, capsys, monkeypatch) -> None:
    from insterm.clinic import Clinic
    from insterm.commands import _store_options
    from insterm.usecases.authentication import current_os_login

    me = current_os_login()
    bulk.insert_identities(db, [dict(ROWS[2], birth_name="MARTAIN")], actor="admin")
    capsys.readouterr()
    with Clinic.open(db) as clinic:
        clinic.sign_in_with_os_account("admin", me)
        clinic.set_operator_password("admin", "admin", "Alice-2025-secret", "Alice-2025-secret")
        clinic.set_operator_os_login("admin", "admin", f"x{me}"[:60])
    assert call(db_cmd, ["doublons"]) == 2  # nobody mapped from this OS account
    assert "--operateur" in capsys.readouterr().err
    assert call(db_cmd, ["doublons", "--operateur", "inconnu"]) == 1
    # admin signs in by password: refused without a terminal to type it
    assert call(db_cmd, ["doublons", "--operateur", "admin"]) == 1
    assert "lancez la commande dans un terminal" in capsys.readouterr().err
    typed: list[str] = []
    monkeypatch.setattr(_store_options, "ask_password",
                        lambda prompt: typed.append(prompt) or "Alice-2025-secret")
    assert call(db_cmd, ["doublons", "--operateur", "admin"]) == 0
    assert typed == ["Mot de passe de Alice Admin (admin) : "]
    assert "1 nouvelle(s) à examiner" in capsys.readouterr().out
    with Clinic.open(db) as clinic:
        event = clinic.audit_events(action="duplicates_scanned").events[0]
        assert (event.operator, event.details["auth"]) == ("admin", "password")
        clinic.sign_in_with_password("admin", "Alice-2025-secret")
        clinic.set_operator_os_login("admin", "admin", me)
        clinic.set_operator_auth_method("admin", "admin", "os-account")
        assert [len(g.members) for g in clinic.open_duplicate_groups()] == [2]
    monkeypatch.setattr(_store_options, "ask_password", lambda prompt: "faux-mot-de-passe")
    assert call(db_cmd, ["doublons"]) == 0  # the OS account's operator, nothing typed
    assert "0 nouvelle(s)" in capsys.readouterr().out
    with Clinic.open(db) as clinic:
        event = clinic.audit_events(action="duplicates_scanned").events[0]
        assert (event.operator, event.details["auth"]) == ("admin", "os-account")
    assert call(db_cmd, ["info"]) == 0
    assert "Doublons potentiels à examiner : 1" in capsys.readouterr().out
