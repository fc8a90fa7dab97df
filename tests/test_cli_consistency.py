"""One command line (issue 14.6): every --help and argparse error in French, dates read as the
screens read them, `lookup --format json|csv` for scripts, and a closed pipe that ends the
command quietly. Real SQLite files, real processes and pipes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.cli import SUBCOMMANDS, main
from insterm.cli_parser import build_parser, french_message
from insterm.store import bulk

ENGLISH = ("usage:", "options:", "show this help", "positional arguments", "optional arguments",
           "invalid choice", "expected one argument", "error:", "required:", "unrecognized",
           "invalid int", "argument ")
# Every command and action with its own --help.
HELPS = [[], *([name] for name in SUBCOMMANDS), ["db", "init"], ["db", "info"],
         ["db", "doublons"], ["audit", "verify"], ["insi", "search"]]
INSTERM = [sys.executable, "-m", "insterm"]


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", HELPS, ids=lambda a: " ".join(a) or "insterm")
def test_every_help_is_french(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(argv, capsys)
    assert text.startswith(f"utilisation : insterm{''.join(' ' + a for a in argv)}")
    assert "options :" in text and "afficher cette aide et quitter" in text
    lowered = text.lower()
    assert not [phrase for phrase in ENGLISH if phrase in lowered], text


def test_demo_script_entry_speaks_french_too() -> None:
    """scripts/demo runs `python -m insterm.commands.demo`: the same parser as `insterm`."""
    done = subprocess.run([sys.executable, "-m", "insterm.commands.demo", "--help"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.startswith("utilisation : insterm demo")
    assert "afficher cette aide et quitter" in done.stdout and "usage:" not in done.stdout
    bad = subprocess.run([sys.executable, "-m", "insterm.commands.demo", "--patients", "x"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert "insterm demo : erreur : --patients attend un nombre entier, pas « x »" in bad.stderr


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["db", "frob"], "insterm db : erreur : ACTION : choix inconnu « frob » (possibles : "
                         "init, chiffrer, dechiffrer, cle, info, doublons)"),
        (["lookup", "--page"], "insterm lookup : erreur : --page attend une valeur"),
        (["lookup", "x", "--format", "xml"],
         "insterm lookup : erreur : --format : choix inconnu « xml » (possibles : table, json, "
         "csv)"),
        (["insi", "search", "--nom", "A", "--prenoms", "B", "--sexe", "F", "--naissance",
          "1/6/25"], "insterm insi search : erreur : --naissance : date de naissance : « 1/6/25 » "
                     "n'est pas une date ; tapez-la sous la forme JJ/MM/AAAA (ou JJMMAAAA, "
                     "AAAA-MM-JJ), par exemple 01/06/2025."),
        (["insi", "search", "--nom", "A", "--prenoms", "B", "--sexe", "F", "--naissance",
          "31/02/2000"], "insterm insi search : erreur : --naissance : date de naissance : le "
                         "31/02/2000 n'existe pas dans le calendrier ; vérifiez le jour et le "
                         "mois."),
        (["places"], "insterm places : erreur : argument manquant : RECHERCHE"),
    ],
)
def test_argparse_errors_are_french(argv: list[str], said: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "usage:" not in err


@given(st.text())
def test_french_message_never_fails(message: str) -> None:
    assert isinstance(french_message(message), str)


@pytest.mark.parametrize("typed", ["26/02/1997", "26-02-1997", "26.2.1997", "26021997",
                                   "1997-02-26", " 26 / 02 / 1997 "])
def test_a_date_option_reads_what_the_screens_read(typed: str) -> None:
    argv = ["insi", "search", "--nom", "ADRTROIS", "--prenoms", "DOMINIQUE", "--sexe", "F",
            "--naissance", typed]
    assert build_parser(argv).parse_args(argv).naissance == date(1997, 2, 26)


# ------------------------------------------------------------------------- lookup for scripts

ROWS = [
    dict(birth_name="ADRUN", first_name="ZOE", first_names="ZOE ANNE", birth_date="1975-12-31",
         sex="F", birth_place="63220", status="QUAL", matricule="275126322074974",
         oid="1.2.250.1.213.1.4.8"),
    dict(birth_name="ADRUN", first_name="PIERRE", first_names="PIERRE",
         birth_date="1980-03-01", sex="M", status="RECUP", matricule="180032B02040123",
         oid="1.2.250.1.213.1.4.8", attributes=["HOMA"]),
    dict(birth_name="ADRUN", first_name="JEAN", first_names="JEAN", birth_date="1980-02-01",
         sex="M", used_name="DUPONT"),
]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("INSTERM_SETTINGS", str(tmp_path / "settings.toml"))
    monkeypatch.delenv("INSTERM_DB", raising=False)
    assert main(["db", "init", "--db", str(path), "--admin", "admin", "--compte-du-poste"]) == 0
    bulk.insert_identities(path, ROWS)
    return path


def test_lookup_json_gives_traits_and_the_ins_of_qualified_identities_only(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["lookup", "adrun", "--db", str(db), "--format", "json"]) == 0
    out = capsys.readouterr().out
    found = json.loads(out)
    by_first = {item["premier_prenom"]: item for item in found["identites"]}
    assert found["suite"] is None and set(by_first) == {"ZOE", "PIERRE", "JEAN"}
    assert by_first["ZOE"] == {
        "ipp": by_first["ZOE"]["ipp"], "nom_naissance": "ADRUN", "premier_prenom": "ZOE",
        "prenoms_naissance": "ZOE ANNE", "nom_utilise": None, "prenom_utilise": None,
        "date_naissance": "1975-12-31", "date_corrigee": False, "sexe": "F",
        "lieu_naissance": "63220", "statut": "QUAL", "attributs": [], "fusionne_dans": None,
        "matricule_ins": "275126322074974", "oid_ins": "1.2.250.1.213.1.4.8"}
    assert by_first["PIERRE"]["matricule_ins"] is None and by_first["PIERRE"]["oid_ins"] is None
    assert by_first["PIERRE"]["attributs"] == ["HOMA"]
    assert by_first["JEAN"]["nom_utilise"] == "DUPONT"
    assert "180032B02040123" not in out


def test_lookup_csv_and_paging(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["lookup", "adrun", "--db", str(db), "--format", "csv", "--par-page", "2"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert len(rows) == 2 and captured.err.strip() == "D'autres résultats : --page 2"
    assert main(["lookup", "adrun", "--db", str(db), "--format", "csv", "--par-page", "2",
                 "--page", "2"]) == 0
    rows += list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    qualified = [row for row in rows if row["statut"] == "QUAL"]
    assert [(r["matricule_ins"], r["nom_naissance"], r["date_naissance"], r["sexe"])
            for r in qualified] == [("275126322074974", "ADRUN", "1975-12-31", "F")]
    assert all(row["matricule_ins"] == "" for row in rows if row["statut"] != "QUAL")
    assert main(["lookup", "personne", "--db", str(db), "--format", "csv"]) == 1
    assert capsys.readouterr().out.strip() == ",".join(
        ["ipp", "nom_naissance", "premier_prenom", "prenoms_naissance", "nom_utilise",
         "prenom_utilise", "date_naissance", "date_corrigee", "sexe", "lieu_naissance",
         "statut", "attributs", "fusionne_dans", "matricule_ins", "oid_ins"])
    assert main(["lookup", "personne", "--db", str(db), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == {"identites": [], "suite": None}


# ------------------------------------------------------------------------------- closed pipes


def _into_closed_pipe(argv: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run insterm with its standard output a pipe whose reader is already gone (what
    `| head -1` leaves once it has its line)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([*INSTERM, *argv], stdout=write_end, stderr=subprocess.PIPE,
                              timeout=120, env={**os.environ, "INSTERM_SETTINGS": os.devnull})
    finally:
        os.close(write_end)


@pytest.mark.parametrize("argv", [["lookup", "adrun"], ["lookup", "adrun", "--format", "json"],
                                  ["lookup", "adrun", "--format", "csv"], ["places", "saint"],
                                  ["nir", "275126322074974"], ["db", "info"]],
                         ids=" ".join)
def test_a_closed_pipe_ends_quietly(db: Path, argv: list[str]) -> None:
    done = _into_closed_pipe([*argv, "--db", str(db)] if argv[0] in ("lookup", "db")
                             else argv)
    assert done.stderr == b"" and done.returncode == 141
