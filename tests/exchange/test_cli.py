"""`insterm export` and `insterm etiquettes` as an operator runs them (through `cli.main`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.cli import main
from insterm.clinic import Clinic
from tests.exchange.conftest import MATRICULE, Practice


@pytest.fixture
def db(practice: Practice) -> str:
    return str(practice.clinic.conn.execute("PRAGMA database_list").fetchone()[2])


def test_export_fhir_to_stdout(practice: Practice, db: str, capsys) -> None:
    assert main(["export", "fhir", practice.qual, "--db", db, "--operateur", "sophie"]) == 0
    captured = capsys.readouterr()
    resource = json.loads(captured.out)
    assert resource["identifier"][0]["value"] == MATRICULE
    assert "1 identité(s) exportée(s) en FHIR" in captured.err


def test_export_fhir_prov_has_no_ins(practice: Practice, db: str, capsys) -> None:
    assert main(["--operateur", "sophie", "export", "fhir", practice.prov, practice.recup,
                 "--db", db]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 2 and "urn:oid:1.2.250.1.213.1.4" not in out


def test_export_fhir_needs_ipps_or_tout(practice: Practice, db: str, capsys) -> None:
    assert main(["export", "fhir", "--db", db, "--operateur", "sophie"]) == 1
    assert "Indiquez au moins un IPP, ou --tout" in capsys.readouterr().err
    assert main(["export", "fhir", "--tout", "--db", db, "--operateur", "sophie"]) == 1
    assert "administrateur" in capsys.readouterr().err


def test_naming_another_operator_needs_their_proof(practice: Practice, db: str,
                                                   tmp_path: Path, capsys) -> None:
    """`--operateur admin` from an OS account that is not the administrator's: refused (no
    terminal to type a password), nothing written, no audit event in their name."""
    out = tmp_path / "base.ndjson"
    for command in (["export", "fhir", "--tout", "--sortie", str(out)],
                    ["etiquettes", practice.qual, "--sortie", str(tmp_path / "e.pdf")]):
        assert main([*command, "--db", db, "--operateur", "admin"]) == 1
        assert "s'identifie par son compte du poste" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "e.pdf").exists()
    with Clinic.open(Path(db)) as clinic:
        assert not clinic.audit_events(action="identities_exported").events


def test_export_hl7_to_a_drop_folder(practice: Practice, db: str, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "depot"
    folder.mkdir()
    assert main(["export", "hl7", practice.qual, "--dossier", str(folder), "--evenement", "A31",
                 "--db", db, "--operateur", "sophie"]) == 0
    [path] = folder.iterdir()
    assert path.name.endswith(f"_{practice.qual}_A31_00001.hl7")
    assert f"{MATRICULE}^^^ASIP-SANTE-INS-NIR" in path.read_bytes().decode()
    assert str(folder) in capsys.readouterr().out


def test_export_csv_to_a_file(practice: Practice, db: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "liste.csv"
    assert main(["export", "csv", "martin", "--sortie", str(out), "--db", db,
                 "--operateur", "sophie"]) == 0
    assert "MARTIN;JEAN" in out.read_text(encoding="utf-8-sig")
    assert f"1 identité(s) exportée(s) en CSV : {out}" in capsys.readouterr().out


def test_etiquettes_for_a_qual_identity(practice: Practice, db: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["etiquettes", practice.qual, "--db", db, "--operateur", "sophie"]) == 0
    written = tmp_path / f"etiquettes-{practice.qual}.pdf"
    assert written.read_bytes().startswith(b"%PDF-")
    assert f"24 étiquette(s) INS de l'IPP {practice.qual}" in capsys.readouterr().out


def test_etiquettes_refused_for_a_provisional_identity(practice: Practice, db: str,
                                                       tmp_path: Path, capsys) -> None:
    out = tmp_path / "e.pdf"
    assert main(["etiquettes", practice.prov, "--sortie", str(out), "--db", db,
                 "--operateur", "sophie"]) == 1
    assert capsys.readouterr().err.strip() == (
        f"Étiquettes INS refusées : l'identité IPP {practice.prov} est « Identité provisoire ». "
        "Le datamatrix INS n'est imprimé que pour une identité qualifiée (QUAL).")
    assert not out.exists()


def test_unknown_operator_is_refused(practice: Practice, db: str, capsys) -> None:
    assert main(["export", "fhir", practice.qual, "--db", db, "--operateur", "personne"]) == 1
    assert "personne" in capsys.readouterr().err


def test_export_hl7_over_mllp_then_envoyer_when_the_receiver_is_back(
        practice: Practice, db: str, capsys) -> None:
    from tests.exchange.mllp_receiver import MllpReceiver

    receiver = MllpReceiver().start()
    receiver.stop()  # the receiving software is down: its port is known, nothing listens
    target = f"127.0.0.1:{receiver.port}"
    assert main(["export", "hl7", practice.qual, "--mllp", target, "--db", db,
                 "--operateur", "sophie"]) == 1
    out = capsys.readouterr().out
    assert f"1 message(s) HL7 mis en file pour {target}." in out
    assert "0 message(s) accepté(s), 0 refusé(s), 1 en attente." in out
    assert "injoignable" in out
    receiver.start()
    try:
        # Not due yet (back-off): nothing tried, still waiting.
        assert main(["export", "envoyer", "--db", db, "--operateur", "sophie"]) == 1
        assert receiver.received == []
        practice.clinic.conn.execute("UPDATE hl7_outbox SET next_attempt_at = '2000-01-01'")
        assert main(["export", "envoyer", "--db", db, "--operateur", "sophie"]) == 0
        assert "1 message(s) accepté(s)" in capsys.readouterr().out
        assert len(receiver.received) == 1 and MATRICULE in receiver.received[0]
    finally:
        receiver.stop()


def test_mllp_target_must_be_host_and_port(practice: Practice, db: str, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["export", "hl7", practice.qual, "--mllp", "localhost", "--db", db])
    assert "attendu HÔTE:PORT" in capsys.readouterr().err


@given(st.text(max_size=30))
def test_host_port_reads_or_refuses_in_french(text: str) -> None:
    import argparse

    from insterm.commands.export import _host_port

    try:
        host, port = _host_port(text)
    except argparse.ArgumentTypeError as error:
        assert "attendu HÔTE:PORT" in str(error)
    else:
        assert host and 1 <= port <= 65535 and text.endswith(f":{text.rpartition(':')[2]}")
        assert int(text.rpartition(':')[2]) == port
