"""The head file (issue 9.3): `insterm backup` and `insterm audit verify` note the chain head
outside the database, and `audit verify` checks every noted head, so a cut tail or a recomputed
chain is caught without `--attendu`. Through the commands' run(), on real files."""

from __future__ import annotations

import argparse
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tampering import recompute_chain, tamper

from insterm.clinic import Clinic
from insterm.commands import audit as audit_cmd
from insterm.commands import backup as backup_cmd
from insterm.commands import db as db_cmd
from insterm.store import audit_heads, bulk

ROWS = [dict(birth_name="MARTIN", first_name="JEAN", birth_date="1980-02-01", sex="M"),
        dict(birth_name="ADRUN", first_name="ZOE", birth_date="1975-12-31", sex="F")]
LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 \d+:[0-9a-f]{64}")


def call(module, argv: list[str]) -> int:  # type: ignore[no-untyped-def]
    parser = argparse.ArgumentParser()
    module.configure(parser)
    return module.run(parser.parse_args(argv))


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cabinet.db"
    monkeypatch.setenv("INSTERM_DB", str(path))
    monkeypatch.setenv("INSTERM_SETTINGS", str(tmp_path / "settings.toml"))
    assert call(db_cmd, ["init", "--admin", "admin", "--nom", "Alice Admin", "--compte-du-poste"]) == 0
    bulk.insert_identities(path, ROWS, actor="admin")
    return path


def heads_file(db: Path) -> Path:
    return db.parent / "sauvegardes" / "cabinet.empreintes"


def lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if not line.startswith("#")]


def add_operator(db: Path) -> None:
    """One more event, which records no identity state."""
    with Clinic.open(db) as clinic:
        clinic.add_operator("admin", "sophie", "Sophie")


def test_verify_notes_the_head_beside_the_backups_then_checks_it(db: Path, capsys) -> None:
    assert call(audit_cmd, ["verify"]) == 0
    out = capsys.readouterr().out
    assert f"Empreinte de fin notée dans {heads_file(db)}." in out
    tail = out.split("Empreinte de fin à noter : ")[1].split()[0]
    [line] = lines(heads_file(db))
    assert LINE.fullmatch(line) and line.endswith(" " + tail)
    assert (heads_file(db).stat().st_mode & 0o777) == 0o600
    add_operator(db)
    assert call(audit_cmd, ["verify"]) == 0
    assert "Fin de journal conforme aux 1 empreinte(s) de fin notées" in capsys.readouterr().out
    assert len(lines(heads_file(db))) == 2


def test_a_deleted_tail_is_caught_without_attendu(db: Path, capsys) -> None:
    add_operator(db)
    assert call(audit_cmd, ["verify"]) == 0
    capsys.readouterr()
    count = sqlite3.connect(db).execute("SELECT count(*) FROM audit").fetchone()[0]
    # The last event recorded no identity state: nothing but the noted head can tell.
    tamper(db, f"DELETE FROM audit WHERE id = {count}", drop=("audit_no_delete",))
    assert call(audit_cmd, ["verify"]) == 1
    err = capsys.readouterr().err
    assert (f"le journal ne compte que {count - 1} événement(s) alors que {count} avaient été "
            "notés le ") in err
    assert f"dans {heads_file(db)} : ses derniers événements ont été supprimés" in err
    assert len(lines(heads_file(db))) == 1  # an altered journal is never noted


def test_a_recomputed_chain_is_caught_without_attendu(db: Path, capsys) -> None:
    assert call(audit_cmd, ["verify"]) == 0
    tamper(db, "UPDATE identity SET birth_name = 'MARTINE' WHERE id = 1",
           drop=("identity_version_bump",))
    recompute_chain(db)
    capsys.readouterr()
    assert call(audit_cmd, ["verify"]) == 1
    err = capsys.readouterr().err
    assert "n'a plus l'empreinte de fin notés le" in err
    assert "remplacé ou réécrit (recalculé)" in err


def test_backup_notes_the_head_that_verify_checks(db: Path, tmp_path: Path, capsys) -> None:
    add_operator(db)
    assert call(backup_cmd, [str(tmp_path / "copie.db")]) == 0
    assert f"Empreinte de fin notée dans {heads_file(db)}" in capsys.readouterr().out
    assert len(lines(heads_file(db))) == 1
    count = sqlite3.connect(db).execute("SELECT count(*) FROM audit").fetchone()[0]
    tamper(db, f"DELETE FROM audit WHERE id = {count}", drop=("audit_no_delete",))
    assert call(audit_cmd, ["verify"]) == 1
    assert "ses derniers événements ont été supprimés" in capsys.readouterr().err


def test_the_setting_moves_the_head_file(db: Path, tmp_path: Path, capsys) -> None:
    elsewhere = tmp_path / "cle-usb"
    (tmp_path / "settings.toml").write_text(f'[audit]\nheads_dir = "{elsewhere}"\n')
    assert call(audit_cmd, ["verify"]) == 0
    assert len(lines(elsewhere / "cabinet.empreintes")) == 1
    assert not heads_file(db).exists()


@pytest.mark.parametrize(("content", "expected"), [
    (b"2026-12-04T23:40:12+00:00 3:abc\n", "mal formé à la ligne 1"),
    (b"# ok\n\nhier 3:" + b"a" * 64 + b"\n", "mal formé à la ligne 3"),
    (b"2026-12-04T23:40:12 3:" + b"a" * 64 + b"\n", "mal formé à la ligne 1"),  # no zone
    (b"\x1b[2J\n", "mal formé à la ligne 1 (« \\x1b[2J »)"),
    (b"\xff\xfe\x00", "n'est pas un texte lisible"),
])
def test_a_malformed_head_file_gets_a_french_message(db: Path, capsys, content: bytes,
                                                     expected: str) -> None:
    heads_file(db).parent.mkdir(parents=True, exist_ok=True)
    heads_file(db).write_bytes(content)
    assert call(audit_cmd, ["verify"]) == 1
    out, err = capsys.readouterr()
    assert "Journal d'audit intact" in out  # the base itself was checked
    assert expected in err and "Traceback" not in err and "\x1b" not in err
    assert heads_file(db).read_bytes() == content  # not appended to


def test_an_unreadable_head_file_gets_a_french_message(db: Path, capsys) -> None:
    heads_file(db).mkdir(parents=True)  # a folder where the file should be
    assert call(audit_cmd, ["verify"]) == 1
    err = capsys.readouterr().err
    assert "est illisible" in err and "audit.heads_dir" in err and "Traceback" not in err


def test_attendu_still_works_alongside(db: Path, capsys) -> None:
    assert call(audit_cmd, ["verify"]) == 0
    tail = capsys.readouterr().out.split("Empreinte de fin à noter : ")[1].split()[0]
    assert call(audit_cmd, ["verify", "--attendu", tail]) == 0
    assert "Les 2 premiers événements notés sont toujours là" in capsys.readouterr().out


@given(st.text(max_size=200))
def test_the_head_file_parser_reads_or_refuses_in_french(text: str) -> None:
    try:
        heads = audit_heads.parse(text, Path("x.empreintes"))
    except audit_heads.HeadFileError as error:
        assert "x.empreintes" in str(error) and "\x1b" not in str(error)
    else:
        assert all(h.count >= 0 and len(h.hash) == 64 for h in heads)


@given(st.lists(st.tuples(st.integers(0, 10**12 - 1), st.binary(min_size=32, max_size=32)),
                max_size=5))
def test_appended_heads_read_back(tmp_path_factory: pytest.TempPathFactory,
                                  noted: list[tuple[int, bytes]]) -> None:
    path = tmp_path_factory.mktemp("heads") / "b.empreintes"
    for count, digest in noted:
        audit_heads.append(path, count, digest.hex())
    assert [(h.count, h.hash) for h in audit_heads.read(path)] == [
        (c, d.hex()) for c, d in noted]
