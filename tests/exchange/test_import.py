"""`insterm import` on real SQLite files: a generated patient file from older software (bad
dates, lowercase accented names, repeated rows, received INS, cp1252), its outcomes, resuming,
idempotence, the dry run, the undo, the command line."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from insterm.cli import main
from insterm.clinic import Clinic
from insterm.demo.legacy_file import Expected, write_legacy_csv
from insterm.store import identities as identity_store
from insterm.store import pending
from insterm.usecases import imports as imports_uc
from insterm.usecases.authentication import current_os_login
from insterm.usecases.errors import ActionRefused, PermissionRefused

TODAY = date(2026, 1, 15)
ROWS = 1200  # more than two batches


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    with Clinic.open(tmp_path / "cabinet.db", create=True, today=lambda: TODAY) as opened:
        # the administrator works from the OS account running the tests (no password asked)
        opened.bootstrap_admin("admin", "Alice Admin", os_login=current_os_login())
        opened.add_operator("admin", "sophie", "Sophie Secrétaire", os_login="sophie")
        yield opened


@pytest.fixture
def legacy(tmp_path: Path) -> tuple[Path, Expected]:
    path = tmp_path / "ancien-logiciel.csv"
    return path, write_legacy_csv(path, ROWS, seed=3)


def count(clinic: Clinic, sql: str) -> int:
    return int(clinic.conn.execute(sql).fetchone()[0])


def identities(clinic: Clinic) -> int:
    return count(clinic, "SELECT count(*) FROM identity")


def test_a_legacy_file_imports_with_one_outcome_a_row(clinic: Clinic,
                                                      legacy: tuple[Path, Expected]) -> None:
    path, expected = legacy
    plan = clinic.inspect_import("admin", path)
    assert "encodage Windows-1252" in plan.source.description
    report = clinic.run_import("admin", plan)
    counts = report.counts
    assert report.finished and report.total == ROWS == sum(counts.values())
    assert counts["refused"] == expected.bad_dates
    assert counts["imported"] + counts["normalised"] + counts["held"] == identities(clinic)
    assert counts["normalised"] >= expected.accented
    # every repeated row is held as a probable duplicate of its first occurrence
    assert counts["held"] >= expected.repeated - 2
    # every identity starts provisional, carries no INS, and its received INS waits for INSi
    assert count(clinic, "SELECT count(*) FROM identity WHERE status <> 'PROV'"
                         " OR matricule IS NOT NULL") == 0
    assert report.received_ins == expected.received_ins == count(
        clinic, "SELECT count(*) FROM insi_pending WHERE operation = 'verify'"
                " AND answered_at IS NULL AND reason LIKE 'INS reçu à l''import%'")
    # the names come back in the INSi form, never a lowercase or accented letter stored
    assert count(clinic, "SELECT count(*) FROM identity WHERE birth_name <> upper(birth_name)"
                         " OR birth_name GLOB '*[^A-Z '' -]*'") == 0
    # the held rows are in the duplicates screen's list
    held = [r for r in clinic.import_rows_to_review(report.batch_id or 0) if r.outcome == "held"]
    assert len(held) == counts["held"]
    for row in held:
        assert clinic.duplicate_group(row.identity_id or 0).links
    # the refused rows are exactly the impossible dates, with their reason
    refused = [r for r in clinic.import_rows_to_review(report.batch_id or 0)
               if r.outcome == "refused"]
    assert sorted(int(r.row_key) for r in refused) == sorted(expected.bad_date_lines)
    assert all(r.detail["raison"].startswith("Date de naissance refusée") for r in refused)
    assert clinic.verify_audit().ok


def test_an_imported_patient_is_found_and_its_journal_names_the_import(
        clinic: Clinic, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Nom;Prénoms;DDN;Sexe;INS\r\nd’ârc;jeanne marie;06/01/1412;F;\r\n"
                    "lefèvre;hélène;01/02/1980;F;\r\n", encoding="cp1252")
    report = clinic.run_import("admin", clinic.inspect_import("admin", path))
    assert report.counts == {"imported": 0, "normalised": 1, "refused": 1, "held": 0, "todo": 0}
    (found,) = clinic.find("LEFEVRE HELENE").items
    history = clinic.history(found.id)
    assert [e.action for e in history] == ["import_rows"]
    assert history[0].details["outcomes"] == {"normalised": 1, "refused": 1}


def test_the_same_file_twice_imports_nothing_twice(clinic: Clinic,
                                                   legacy: tuple[Path, Expected]) -> None:
    path, _ = legacy
    first = clinic.run_import("admin", clinic.inspect_import("admin", path))
    before = identities(clinic), count(clinic, "SELECT count(*) FROM audit")
    again = clinic.run_import("admin", clinic.inspect_import("admin", path))
    assert again.already == "done" and again.batch_id == first.batch_id
    assert (identities(clinic), count(clinic, "SELECT count(*) FROM audit")) == before


def test_an_import_stopped_between_batches_resumes_where_it_stopped(
        clinic: Clinic, legacy: tuple[Path, Expected], tmp_path: Path) -> None:
    path, _ = legacy
    asked: list[int] = []

    def stop_after_first_batch() -> bool:
        asked.append(1)
        return len(asked) > 1

    stopped = clinic.run_import("admin", clinic.inspect_import("admin", path),
                                should_stop=stop_after_first_batch)
    assert stopped.stopped and not stopped.finished
    moved = ROWS - stopped.counts["todo"]
    assert moved == imports_uc.BATCH_ROWS
    assert identities(clinic) == moved - stopped.counts["refused"]
    resumed = clinic.run_import("admin", clinic.inspect_import("admin", path))
    assert resumed.finished and resumed.batch_id == stopped.batch_id
    # the same outcome as one uninterrupted import of the same file in another base
    with Clinic.open(tmp_path / "other.db", create=True, today=lambda: TODAY) as other:
        other.bootstrap_admin("admin", "Alice Admin", os_login=current_os_login())
        whole = other.run_import("admin", other.inspect_import("admin", path))
        assert whole.counts == resumed.counts and identities(other) == identities(clinic)


def test_a_failure_inside_a_batch_leaves_the_batch_undone_and_the_rerun_completes_it(
        clinic: Clinic, legacy: tuple[Path, Expected], monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = legacy
    real = identity_store.insert_identity
    calls = {"n": 0}

    def failing_insert(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == imports_uc.BATCH_ROWS + 10:  # inside the second batch
            raise sqlite3.OperationalError("disk I/O error")
        return real(*args, **kwargs)

    monkeypatch.setattr(identity_store, "insert_identity", failing_insert)
    with pytest.raises(Exception, match=r"disk|disque|Entrée/sortie|E/S"):
        clinic.run_import("admin", clinic.inspect_import("admin", path))
    after_crash = identities(clinic)
    staged = count(clinic, "SELECT count(*) FROM import_row WHERE outcome IS NOT NULL")
    assert staged == imports_uc.BATCH_ROWS  # the second batch left nothing behind
    assert count(clinic, "SELECT count(*) FROM import_row WHERE identity_id IS NOT NULL"
                 ) == after_crash
    monkeypatch.setattr(identity_store, "insert_identity", real)
    resumed = clinic.run_import("admin", clinic.inspect_import("admin", path))
    assert resumed.finished and resumed.total == ROWS
    assert clinic.verify_audit().ok


def test_the_dry_run_says_what_would_happen_and_keeps_nothing(
        clinic: Clinic, legacy: tuple[Path, Expected], tmp_path: Path) -> None:
    path, expected = legacy
    events = count(clinic, "SELECT count(*) FROM audit")
    trial = clinic.run_import("admin", clinic.inspect_import("admin", path), dry_run=True)
    assert trial.dry_run and trial.batch_id is None and trial.counts["refused"] == expected.bad_dates
    assert trial.received_ins == expected.received_ins
    assert identities(clinic) == 0 and count(clinic, "SELECT count(*) FROM import_batch") == 0
    assert count(clinic, "SELECT count(*) FROM audit") == events
    real = clinic.run_import("admin", clinic.inspect_import("admin", path))
    assert real.counts == trial.counts


def test_only_an_administrator_imports(clinic: Clinic, legacy: tuple[Path, Expected]) -> None:
    path, _ = legacy
    with pytest.raises(PermissionRefused, match="importer un fichier de patients"):
        clinic.inspect_import("sophie", path)
    assert count(clinic, "SELECT count(*) FROM import_batch") == 0


def test_an_undone_import_withdraws_its_identities(clinic: Clinic, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Nom;Prénom;DDN;Sexe;INS\nADRUN;ZOE;31/12/1975;F;275126322074974\n"
                    "MARTIN;PAUL;01/02/1980;M;\n", encoding="utf-8")
    report = clinic.run_import("admin", clinic.inspect_import("admin", path))
    assert len(clinic.find("ADRUN ZOE").items) == 1 and report.received_ins == 1
    with pytest.raises(PermissionRefused):
        clinic.undo_import("sophie", report.batch_id or 0)
    assert clinic.undo_import("admin", report.batch_id or 0) == 2
    assert not clinic.find("ADRUN ZOE").items and not clinic.find("MARTIN PAUL").items
    assert identity_store.find_by_ipp(clinic.conn, "100000001") is None
    assert count(clinic, "SELECT count(*) FROM insi_pending WHERE answered_at IS NULL") == 0
    assert count(clinic, "SELECT count(*) FROM identity WHERE withdrawn = 1") == 2
    assert clinic.verify_audit().ok
    with pytest.raises(ActionRefused, match="déjà annulé"):
        clinic.undo_import("admin", report.batch_id or 0)
    again = clinic.run_import("admin", clinic.inspect_import("admin", path))
    assert again.already == "undone" and len(clinic.find("ADRUN").items) == 0


def test_an_import_is_not_undone_once_a_record_was_changed(clinic: Clinic,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Nom;Prénom;DDN;Sexe\nADRUN;ZOE;31/12/1975;F\nMARTIN;PAUL;01/02/1980;M\n",
                    encoding="utf-8")
    report = clinic.run_import("admin", clinic.inspect_import("admin", path))
    (zoe,) = clinic.find("ADRUN ZOE").items
    clinic.edit_traits("admin", zoe.id, 1, {"used_name": "MARTIN"})
    with pytest.raises(ActionRefused, match=r"1 dossier.* modifiés ou utilisés depuis") as refused:
        clinic.undo_import("admin", report.batch_id or 0)
    assert "rien n'a été changé" in refused.value.message
    assert count(clinic, "SELECT count(*) FROM identity WHERE withdrawn = 1") == 0
    assert len(clinic.find("MARTIN PAUL").items) == 1


def test_the_command_line_import_report_list_and_undo(clinic: Clinic, tmp_path: Path,
                                                      legacy: tuple[Path, Expected],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path, expected = legacy
    db = str(tmp_path / "cabinet.db")
    assert main(["import", str(path), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "Format : CSV, séparateur point-virgule « ; », encodage Windows-1252" in out
    assert "nom de naissance" in out and "← Nom de naissance" in out
    assert f"{ROWS}/{ROWS} lignes" in out  # a plain progress line (not a terminal)
    assert re.search(rf"\n  Refusée +{expected.bad_dates}\n", out)
    report = path.with_name("ancien-logiciel-rapport.csv")
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Ligne ou archive"
    assert sum(1 for r in rows[1:] if r[5] == "refusée") == expected.bad_dates
    assert main(["import", "--liste", "--db", db]) == 0
    assert "ancien-logiciel.csv" in capsys.readouterr().out
    assert main(["import", str(path), "--db", db]) == 0
    assert "déjà été importé" in capsys.readouterr().out
    assert main(["import", "--annuler", "1", "--db", db]) == 0
    assert "dossier(s) retiré(s)" in capsys.readouterr().out


def test_the_command_line_refuses_clearly(clinic: Clinic, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cabinet.db")
    assert main(["import", str(tmp_path / "absent.csv"), "--db", db]) == 1
    assert "Fichier introuvable" in capsys.readouterr().err
    assert main(["import", "--db", db]) == 2
    assert "Donnez un fichier à importer" in capsys.readouterr().err
    (tmp_path / "bad.csv").write_text("Nom;Téléphone\nA;0102\n", encoding="utf-8")
    assert main(["import", str(tmp_path / "bad.csv"), "--db", db]) == 1
    assert "Colonnes introuvables" in capsys.readouterr().err
    assert count(clinic, "SELECT count(*) FROM import_batch") == 0


def test_portability_archives_import_with_their_received_ins(clinic: Clinic,
                                                             tmp_path: Path) -> None:
    from tests.exchange.test_import_sources import CDA, xdm

    folder = tmp_path / "portabilite"
    folder.mkdir()
    xdm(folder / "patient-1.zip", CDA)
    xdm(folder / "patient-2.zip", CDA.replace("<birthTime value=\"19751231\"/>",
                                              "<birthTime value=\"19753112\"/>"))
    plan = clinic.inspect_import("admin", folder)
    assert plan.source.kind == "xdm" and plan.preview[0].identity is not None
    report = clinic.run_import("admin", plan)
    assert (report.counts["normalised"] + report.counts["imported"], report.counts["refused"],
            report.received_ins) == (1, 1, 1)
    (zoe,) = clinic.find("ADRUN ZOE").items
    record = clinic.get(zoe.id)
    assert record.status == "PROV" and record.matricule is None
    assert record.first_names == "ZOE MARIE" and record.birth_place == "63220"
    item = pending.open_item(clinic.conn, zoe.id, "verify")
    assert item is not None and item.matricule == "275126322074974"
    assert item.reason.startswith(pending.RECEIVED_PREFIX)  # the batch verification's work
    assert clinic.insi_pending() == [] and clinic.received_ins_waiting() == 1
    (refused,) = clinic.import_rows_to_review(report.batch_id or 0)
    assert refused.row_key == "patient-2.zip" and "mois" in refused.detail["raison"]


def test_one_batch_a_call_ends_with_the_import_recorded_as_finished(
        clinic: Clinic, legacy: tuple[Path, Expected]) -> None:
    """The screen's way (`max_batches=1`, called again until finished): the last call records
    the end (`import_finished`), even when the rows end exactly on a batch boundary."""
    path, _ = legacy
    calls = 0
    report = None
    while report is None or not report.finished:
        report = clinic.run_import("admin", clinic.inspect_import("admin", path), max_batches=1)
        calls += 1
        assert calls < 10
    assert report.counts["todo"] == 0 and report.state == "done"
    assert calls == -(-ROWS // imports_uc.BATCH_ROWS) + 1  # the last call only records the end
    assert count(clinic, "SELECT count(*) FROM audit WHERE action = 'import_finished'") == 1


def test_ctrl_c_stops_after_the_current_batch_and_the_same_command_resumes(
        clinic: Clinic, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    path = tmp_path / "gros.csv"
    write_legacy_csv(path, 3000, seed=9)
    db = str(tmp_path / "cabinet.db")
    command = [sys.executable, "-m", "insterm", "import", str(path), "--db", db]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert running.stdout is not None
    line = running.stdout.readline()
    while line and "/3000 lignes" not in line:  # the first progress line: batches under way
        line = running.stdout.readline()
    running.send_signal(signal.SIGINT)
    out, err = running.communicate(timeout=60)
    assert running.returncode == 1, err
    assert "Arrêt demandé : fin du lot en cours" in err
    assert "Import interrompu : relancez la même commande pour le terminer." in out
    left = count(clinic, "SELECT count(*) FROM import_row WHERE outcome IS NULL")
    assert 0 < left < 3000 and count(clinic, "SELECT count(*) FROM import_batch"
                                            " WHERE state = 'running'") == 1
    assert clinic.verify_audit().ok
    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert count(clinic, "SELECT count(*) FROM import_row WHERE outcome IS NULL") == 0
    assert count(clinic, "SELECT count(*) FROM audit WHERE action = 'import_finished'") == 1
