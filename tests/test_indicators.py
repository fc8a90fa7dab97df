"""The identity-vigilance report (store.indicators, usecases.indicators, `insterm rapport`) on a
real database written through the use cases."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.identity import StrictTraits
from insterm.domain.period import Period, last_months
from insterm.insi.errors import InsiTransportError
from insterm.insi.results import Attempt, InsiResult, InsRecord, ReturnedTraits, SearchOutcome
from insterm.store import bulk
from insterm.usecases.indicators import insi_failure_rate, qualified_rates, report, rows

TODAY = date(2025, 6, 1)
PASSPORT = DocumentCheck(codes=["PA"], traits_match=True, expires_on={"PA": date(2030, 1, 1)})
ZOE = dict(birth_name="ADRUN", first_name="ZOE", first_names="ZOE",
           birth_date=date(1975, 12, 31), sex="F", birth_place="63220")


def traits(**changes: object) -> StrictTraits:
    return StrictTraits.build(**{**ZOE, **changes}, today=TODAY)


def attempt(result: InsiResult | None = None, error: Exception | None = None) -> Attempt:
    return Attempt("rechercherInsAvecTraitsIdentite", "uuid", datetime(2025, 6, 1), 0.2,
                   b"<request/>", b"<response/>" if result else None, 200 if result else None,
                   result=result, error=error, sent_first_names="ZOE")  # type: ignore[arg-type]


def found() -> SearchOutcome:
    returned = ReturnedTraits(birth_name="ADRUN", first_name=None, first_names="ZOE", sex="F",
                              birth_date="1975-12-31", birth_place="63220")
    result = InsiResult("00", "OK", InsRecord("2751263220749", "74", "1.2.250.1.213.1.4.8"),
                        (), returned)
    return SearchOutcome((attempt(result),), result=result)


@pytest.fixture
def practice(tmp_path: Path):
    """Alice checks and qualifies ADRUN ZOE; Sophie creates two more, one DOUT, and meets a
    01 and a network failure."""
    with Clinic.open(tmp_path / "c.db", create=True, today=lambda: TODAY) as clinic:
        clinic.bootstrap_admin("alice", "Alice Admin", os_login="alice")
        clinic.add_operator("alice", "sophie", "Sophie Secrétaire")
        zoe = clinic.create_identity("alice", traits()).record
        zoe = clinic.check_document("alice", zoe.id, zoe.version, PASSPORT).record
        clinic.apply_insi_outcome("alice", zoe.id, zoe.version, found(), accepted=True)
        other = clinic.create_identity("sophie", traits(birth_name="BERTIN")).record
        none = InsiResult("01", "KO")
        clinic.apply_insi_outcome("sophie", other.id, other.version,
                                  SearchOutcome((attempt(none),), result=none), accepted=False)
        failure = InsiTransportError("Le service n'a pas répondu.", kind="timeout")
        clinic.apply_insi_outcome("sophie", other.id, other.version,
                                  SearchOutcome((attempt(error=failure),), error=failure),
                                  accepted=False)
        third = clinic.create_identity("sophie", traits(birth_name="CAMUS")).record
        clinic.set_attribute("sophie", third.id, third.version, "DOUT")
        yield clinic


def this_year() -> Period:
    return last_months(date.today())


def test_counts_rates_and_outcomes(practice: Clinic) -> None:
    figures = report(practice.conn, this_year())
    assert figures.whole.by_status == {"PROV": 2, "RECUP": 0, "VALI": 0, "QUAL": 1}
    assert (figures.whole.dout, figures.whole.fict, figures.whole.total) == (1, 0, 3)
    assert figures.seen == figures.whole  # everything happened today
    assert qualified_rates(figures.whole) == (100.0, 33.3)
    assert figures.insi == {"00": 1, "01": 1, "02": 0, "fault": 0, "transport": 1,
                            "not_sent": 0}
    assert insi_failure_rate(figures.insi) == 33.3
    assert figures.documents == {("PA", "ok"): 1}
    by_login = {o.login: o for o in figures.operators}
    assert (by_login["alice"].created, by_login["alice"].document_checks,
            by_login["alice"].qualified, by_login["alice"].insi["00"]) == (1, 1, 1, 1)
    assert (by_login["sophie"].created, by_login["sophie"].qualified,
            by_login["sophie"].insi["transport"]) == (2, 0, 1)
    # per operator as well: what became of the identities each created, by status and
    # attribute, and their document checks by type
    alice, sophie = by_login["alice"].created_now, by_login["sophie"].created_now
    assert alice is not None and sophie is not None
    assert alice.by_status == {"PROV": 0, "RECUP": 0, "VALI": 0, "QUAL": 1} and alice.dout == 0
    assert sophie.by_status == {"PROV": 2, "RECUP": 0, "VALI": 0, "QUAL": 0} and sophie.dout == 1
    assert by_login["alice"].documents == {("PA", "ok"): 1} and by_login["sophie"].documents == {}
    lines = {(section, indicator): value for section, indicator, value in rows(figures)}
    sophie_section = "Opérateur Sophie Secrétaire (sophie)"
    assert lines[(sophie_section, "Créées, aujourd'hui DOUT (Identité douteuse)")] == 1
    assert lines[(sophie_section, "INSi taux d'échec (%)")] == 50.0
    assert lines[("Opérateur Alice Admin (alice)", "Pièce Passeport (conforme)")] == 1
    current = figures.trend[-1]
    assert (current.identities, current.qualified, current.qualified_in_month) == (3, 1, 1)
    assert [m.identities for m in figures.trend[:-1]] == [0] * 11


def test_a_period_before_anything_sees_nobody(practice: Clinic) -> None:
    figures = report(practice.conn, Period(date(2020, 1, 1), date(2021, 1, 1)))
    assert figures.seen.total == 0 and figures.whole.total == 3
    assert sum(figures.insi.values()) == 0 and figures.operators == []
    assert qualified_rates(figures.seen) == (None, None)
    assert dict(((s, i), v) for s, i, v in rows(figures))[
        ("Appels INSi sur la période", "Taux d'échec (fault ou réseau, parmi les envoyés) (%)")
    ] is None


def test_losing_qual_shows_in_the_month_end_figure(practice: Clinic) -> None:
    zoe = practice.find("ADRUN ZOE").items[0]
    record = practice.get(zoe.id)
    practice.set_attribute("alice", record.id, record.version, "DOUT")
    current = report(practice.conn, this_year()).trend[-1]
    assert (current.qualified, current.qualified_in_month) == (0, 1)


def test_an_imported_file_counts_with_the_status_it_came_with(practice: Clinic) -> None:
    """Identities written in bulk (an imported file) have no status-change event: the trend
    takes them with their status from their creation on."""
    bulk.insert_identities(practice.conn, [
        dict(birth_name="DUMAS", first_name="LEA", birth_date="1990-01-02", sex="F",
             status="QUAL", matricule="290019900100142", oid="1.2.250.1.213.1.4.8"),
        dict(birth_name="ESTEVE", first_name="LUC", birth_date="1991-01-02", sex="M")])
    current = report(practice.conn, this_year()).trend[-1]
    assert (current.identities, current.qualified, current.qualified_in_month) == (5, 2, 1)


def rapport(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "insterm", "rapport", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "INSTERM_ASCII": "1"})


def test_command_forms_carry_the_same_rows(practice: Clinic) -> None:
    db = Path(practice.conn.execute("PRAGMA database_list").fetchone()[2])
    text = rapport(db)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(f"Base : {db}\nIndicateurs d'identitovigilance du ")
    assert "QUAL (Identité qualifiée)" in text.stdout
    assert "Opérateur Sophie Secrétaire (sophie)" in text.stdout
    assert f"  {date.today():%Y-%m}    33,3 %  #############\n" in text.stdout

    as_json = rapport(db, "--format", "json")
    assert as_json.returncode == 0 and as_json.stderr == f"Base : {db}\n"
    document = json.loads(as_json.stdout)
    values = {(r["section"], r["indicateur"]): r["valeur"] for r in document["indicateurs"]}
    assert values[("Tout le fichier", "Taux qualifié parmi toutes les identités (%)")] == 33.3
    assert values[("Appels INSi sur la période", "réseau (transport)")] == 1

    as_csv = rapport(db, "--format", "csv", "--periode", f"{date.today():%Y}")
    assert as_csv.returncode == 0
    lines = list(csv.reader(io.StringIO(as_csv.stdout.lstrip("\ufeff")), delimiter=";"))
    assert lines[0] == ["section", "indicateur", "valeur"]
    assert ["Tout le fichier", "Taux qualifié parmi toutes les identités (%)", "33,3"] in lines
    assert len(lines) - 1 == len(document["indicateurs"])


def test_command_refuses_a_bad_period_or_a_missing_base(tmp_path: Path, practice: Clinic) -> None:
    db = Path(practice.conn.execute("PRAGMA database_list").fetchone()[2])
    bad = rapport(db, "--periode", "2026-13")
    assert bad.returncode == 2 and "n'existe pas" in bad.stderr and bad.stdout == ""
    missing = rapport(tmp_path / "absent.db")
    assert missing.returncode == 2 and "introuvable" in missing.stderr


@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="pdftotext (Debian poppler-utils) absent: scripts/test installs it")
def test_pdf_holds_the_table_and_is_written_whole(practice: Clinic, tmp_path: Path) -> None:
    db = Path(practice.conn.execute("PRAGMA database_list").fetchone()[2])
    out = tmp_path / "sorties"
    out.mkdir()
    target = out / "rapport.pdf"
    written = rapport(db, "--format", "pdf", "--sortie", str(target))
    assert written.returncode == 0, written.stderr
    assert f"Rapport écrit : {target}" in written.stdout
    assert target.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Indicateurs d'identitovigilance" in text
    assert "Taux d'identités qualifiées en fin de mois (%)" in text
    assert re.search(r"Taux qualifié parmi toutes les identités \(%\)\s+33,3", text)
    assert "Opérateur Sophie Secrétaire (sophie)" in text
    assert [p.name for p in out.iterdir()] == ["rapport.pdf"]  # no temporary file left

    folder = rapport(db, "--format", "pdf", "--sortie", str(out))
    assert folder.returncode == 2 and "est un dossier" in folder.stderr
