"""`--db` and `--operateur` mean the same before or after the subcommand (issue 9, finding 1).

`insterm --db OTHER restore --oui BACKUP` used to restore over the default database: argparse
kept the sub-parser's default over the main parser's value. Each test here runs a command with
the option in both places, through `insterm.cli.main`, and checks which file was touched: the
default database (INSTERM_DB) must never be, and the named one must be.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from insterm.cli import SUBCOMMANDS, main
from insterm.store import bulk

PERSON = dict(birth_name="ADRUN", first_name="ZOE", first_names="ZOE", birth_date="1975-12-31",
              sex="F", birth_place="63220")
ONLY_IN_NAMED = dict(birth_name="HOUILLES", first_name="PIERRE", first_names="PIERRE",
                     birth_date="1980-03-01", sex="M")

# Every subcommand is listed once here or in NO_DATABASE: a new one fails
# test_every_subcommand_is_covered until someone says how it treats --db.
WITH_DATABASE = {"lookup", "db", "audit", "backup", "restore", "insi", "insi-sim", "rapport",
                 "export", "etiquettes", "import"}
NO_DATABASE = {"nir": ["nir", "279035121518989"], "places": ["places", "espagne"],
               "demo": ["demo", "--no-tui"], "depliant": ["depliant"], "cartes": ["cartes"]}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def bases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(default, named): the default base is INSTERM_DB's; only the named one has HOUILLES."""
    default, named = tmp_path / "defaut.db", tmp_path / "autre base.db"
    for path, rows in ((default, [PERSON]), (named, [PERSON, ONLY_IN_NAMED])):
        assert main(["db", "init", "--db", str(path), "--admin", "admin",
                     "--compte-du-poste"]) == 0
        bulk.insert_identities(path, rows)
    monkeypatch.setenv("INSTERM_DB", str(default))
    monkeypatch.chdir(tmp_path)
    return default, named


def placements(command: list[str], named: Path) -> list[list[str]]:
    """The command with `--db NAMED` before the subcommand, then after it."""
    return [["--db", str(named), *command], [*command, "--db", str(named)]]


def test_every_subcommand_is_covered() -> None:
    assert set(SUBCOMMANDS) == WITH_DATABASE | set(NO_DATABASE)


@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_lookup_searches_the_named_base(bases, before, capsys) -> None:
    _default, named = bases
    argv = placements(["lookup", "houilles"], named)[0 if before else 1]
    assert main(argv) == 0
    assert "HOUILLES" in capsys.readouterr().out


@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_db_info_describes_the_named_base(bases, before, capsys) -> None:
    _default, named = bases
    assert main(placements(["db", "info"], named)[0 if before else 1]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Base : {named}\n")
    assert "Identités : 2" in out


@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_rapport_counts_the_named_base(bases, before, capsys) -> None:
    _default, named = bases
    assert main(placements(["rapport", "--format", "json"], named)[0 if before else 1]) == 0
    out = capsys.readouterr()
    assert out.err == f"Base : {named}\n"
    first = json.loads(out.out)["indicateurs"][0]
    assert (first["section"], first["indicateur"], first["valeur"]) == (
        "Tout le fichier", "Identités", 2)


@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_db_doublons_writes_its_event_in_the_named_base(bases, before, capsys) -> None:
    default, named = bases
    events_default, events_named = count(default, "audit"), count(named, "audit")
    argv = placements(["db", "doublons", "--operateur", "admin"], named)[0 if before else 1]
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith(f"Base : {named}\n")
    assert count(named, "audit") > events_named
    assert count(default, "audit") == events_default


@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_export_reads_and_audits_the_named_base(bases, before, capsys) -> None:
    default, named = bases
    events_default, events_named = count(default, "audit"), count(named, "audit")
    argv = placements(["export", "csv", "houilles", "--operateur", "admin"],
                      named)[0 if before else 1]
    assert main(argv) == 0
    assert "HOUILLES;PIERRE" in capsys.readouterr().out
    assert count(named, "audit") == events_named + 1
    assert count(default, "audit") == events_default


@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_import_writes_into_the_named_base(bases, tmp_path, before, capsys) -> None:
    default, named = bases
    source = tmp_path / f"ancien-{before}.csv"
    source.write_text("Nom;Prénom;DDN;Sexe\nDUCHEMIN;LEA;02/03/1990;F\n", encoding="utf-8")
    identities_default = count(default, "identity")
    identities_named = count(named, "identity")
    argv = placements(["import", str(source), "--operateur", "admin"], named)[0 if before else 1]
    assert main(argv) == 0
    assert "Import n° 1" in capsys.readouterr().out
    assert count(named, "identity") == identities_named + 1
    assert count(default, "identity") == identities_default


@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_db_init_creates_the_named_base(bases, tmp_path, before, capsys) -> None:
    default, _ = bases
    fresh = tmp_path / "neuve.db"
    before_default = digest(default)
    assert main(placements(["db", "init"], fresh)[0 if before else 1]) == 0
    assert f"Base créée : {fresh}" in capsys.readouterr().out
    assert fresh.is_file()
    assert digest(default) == before_default


@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_audit_verify_judges_the_named_base(bases, before, capsys) -> None:
    default, named = bases
    raw = sqlite3.connect(named)
    raw.execute("DROP TRIGGER audit_no_update")
    raw.execute("UPDATE audit SET action = 'x' WHERE id = 2")
    raw.commit()
    raw.close()
    assert main(placements(["audit", "verify"], named)[0 if before else 1]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"Base : {named}\n")
    assert "ligne 2" in captured.err
    assert main(["audit", "verify"]) == 0  # the default base is intact
    assert capsys.readouterr().out.startswith(f"Base : {default}\n")


@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_backup_copies_the_named_base(bases, tmp_path, before, capsys) -> None:
    _default, named = bases
    copy = tmp_path / "copie.db"
    assert main(placements(["backup", str(copy)], named)[0 if before else 1]) == 0
    assert capsys.readouterr().out.startswith(f"Base : {named}\n")
    assert count(copy, "identity") == 2


@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_restore_replaces_the_named_base_and_not_the_default(bases, tmp_path, before,
                                                             capsys) -> None:
    default, named = bases
    copy = tmp_path / "copie.db"
    assert main(["backup", str(copy), "--db", str(default)]) == 0  # one identity
    capsys.readouterr()
    before_default = digest(default)
    assert count(named, "identity") == 2
    assert main(placements(["restore", "--oui", str(copy)], named)[0 if before else 1]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Base : {named} (désignée par l'option --db)\n")
    assert count(named, "identity") == 1
    assert digest(default) == before_default


@pytest.mark.parametrize("command", [
    ["lookup", "houilles"], ["db", "info"], ["db", "doublons", "--operateur", "admin"],
    ["audit", "verify"], ["backup", "copie.db"], ["restore", "--oui", "copie.db"],
    ["insi", "search", "--nom", "X", "--prenoms", "Y", "--sexe", "F", "--naissance",
     "2000-01-01"],
    ["insi-sim", "--port", "0"], ["rapport"],
], ids=lambda command: " ".join(command[:2]))
@pytest.mark.parametrize("before", [True, False], ids=["avant", "apres"])
def test_a_named_base_that_does_not_exist_is_an_error(bases, tmp_path, command, before,
                                                       capsys) -> None:
    default, _ = bases
    missing = tmp_path / "absente.db"
    if command[0] == "restore":
        assert main(["backup", "copie.db"]) == 0
        capsys.readouterr()
    before_default = digest(default)
    assert main(placements(command, missing)[0 if before else 1]) != 0
    err = capsys.readouterr().err
    assert f"introuvable : {missing}" in err
    assert not missing.exists()
    assert digest(default) == before_default


@pytest.mark.parametrize("name", sorted(NO_DATABASE))
def test_db_before_a_command_without_a_database_is_refused(bases, name, capsys) -> None:
    _, named = bases
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(named), *NO_DATABASE[name]])
    assert exit_.value.code == 2
    assert f"--db ne s'applique pas à « insterm {name} »" in capsys.readouterr().err


def test_two_different_bases_are_refused(bases, capsys) -> None:
    default, named = bases
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(named), "db", "info", "--db", str(default)])
    assert exit_.value.code == 2
    assert "--db est donné deux fois" in capsys.readouterr().err
    assert main(["--db", str(named), "db", "info", "--db", f"{named.parent}/./{named.name}"]) == 0


def test_operator_before_the_subcommand_is_the_one_recorded(bases, capsys) -> None:
    _default, named = bases
    assert main(["--operateur", "nobody", "--db", str(named), "db", "doublons"]) == 1
    assert "nobody" in capsys.readouterr().err
    assert main(["--operator", "admin", "--db", str(named), "db", "doublons"]) == 0
    conn = sqlite3.connect(named)
    actor = conn.execute("SELECT operator FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    conn.close()
    assert actor == "admin"


def test_restore_without_a_named_base_asks_for_one_with_oui(bases, tmp_path,
                                                            monkeypatch, capsys) -> None:
    _default, named = bases
    assert main(["backup", "copie.db"]) == 0
    settings = tmp_path / "settings.toml"
    settings.write_text(f"[database]\npath = \"{named}\"\n", encoding="utf-8")
    monkeypatch.delenv("INSTERM_DB")
    monkeypatch.setenv("INSTERM_SETTINGS", str(settings))
    before_named = digest(named)
    assert main(["restore", "--oui", "copie.db"]) == 1
    assert "avec --oui, nommez la base à remplacer" in capsys.readouterr().err
    assert digest(named) == before_named


@pytest.mark.parametrize("what", ["dossier", "peripherique"])
def test_restore_names_a_directory_or_a_device(bases, tmp_path, what, capsys) -> None:
    source = tmp_path if what == "dossier" else Path("/dev/null")
    assert main(["restore", "--oui", str(source)]) == 1
    err = capsys.readouterr().err
    assert ("est un dossier" if what == "dossier" else "n'est pas un fichier ordinaire") in err
