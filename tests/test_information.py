"""The patient-information duty (domain.information, usecases.information) on a real file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.identity import StrictTraits
from insterm.domain.information import InformationError, InformedBy
from insterm.domain.period import last_months
from insterm.insi.results import Attempt, InsiResult, InsRecord, ReturnedTraits, SearchOutcome
from insterm.usecases.indicators import report

TODAY = date(2025, 6, 1)
PASSPORT = DocumentCheck(codes=["PA"], traits_match=True, expires_on={"PA": date(2030, 1, 1)})


def traits() -> StrictTraits:
    return StrictTraits.build(birth_name="ADRUN", first_name="ZOE", first_names="ZOE",
                              birth_date=date(1975, 12, 31), sex="F", birth_place="63220",
                              today=TODAY)


def found() -> SearchOutcome:
    returned = ReturnedTraits(birth_name="ADRUN", first_name=None, first_names="ZOE", sex="F",
                              birth_date="1975-12-31", birth_place="63220")
    result = InsiResult("00", "OK", InsRecord("2751263220749", "74", "1.2.250.1.213.1.4.8"),
                        (), returned)
    attempt = Attempt("rechercherInsAvecTraitsIdentite", "uuid", datetime(2025, 6, 1), 0.2,
                      b"<request/>", b"<response/>", 200, result=result, sent_first_names="ZOE")
    return SearchOutcome((attempt,), result=result)


@pytest.fixture
def clinic(tmp_path: Path):
    with Clinic.open(tmp_path / "c.db", create=True, today=lambda: TODAY) as opened:
        opened.bootstrap_admin("alice", "Alice Admin", os_login="alice")
        opened.add_operator("alice", "sophie", "Sophie Secrétaire")
        yield opened


def qualified(clinic: Clinic) -> int:
    record = clinic.create_identity("sophie", traits()).record
    record = clinic.check_document("sophie", record.id, record.version, PASSPORT).record
    clinic.apply_insi_outcome("sophie", record.id, record.version, found(), accepted=True)
    return record.id


def test_recorded_audited_and_counted(clinic: Clinic) -> None:
    identity = qualified(clinic)
    assert clinic.last_information(identity) is None
    assert report(clinic.conn, last_months(date.today())).qualified_not_informed == 1

    told = clinic.record_information("sophie", identity, "document")
    assert (told.informed_on, told.how, told.operator) == ("2025-06-01", "document",
                                                           "Sophie Secrétaire")
    event = clinic.conn.execute(
        "SELECT action, operator, identity_id, details FROM audit ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert event[:3] == ("patient_informed", "sophie", identity)
    assert '"how":"document"' in event[3].replace(" ", "")
    assert report(clinic.conn, last_months(date.today())).qualified_not_informed == 0
    later = clinic.record_information("alice", identity, InformedBy.ORAL,
                                      informed_on=date(2025, 5, 30))
    assert clinic.last_information(identity) == later  # the last one recorded is shown
    assert clinic.verify_audit().ok


@pytest.mark.parametrize(("how", "when", "said"), [
    ("télépathie", None, "Manière d'informer inconnue"),
    ("oral", date(2025, 6, 2), "dans le futur"),
])
def test_refusals_change_nothing(clinic: Clinic, how: str, when: date | None,
                                 said: str) -> None:
    identity = qualified(clinic)
    before = clinic.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    with pytest.raises(InformationError, match=said):
        clinic.record_information("sophie", identity, how, informed_on=when)
    assert clinic.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before
    assert clinic.conn.execute("SELECT count(*) FROM patient_information").fetchone()[0] == 0


def test_rows_cannot_be_changed_afterwards(clinic: Clinic) -> None:
    identity = qualified(clinic)
    clinic.record_information("sophie", identity, "oral")
    import sqlite3
    with pytest.raises(sqlite3.DatabaseError, match="ne change plus"):
        clinic.conn.execute("UPDATE patient_information SET how = 'affiche'")
    with pytest.raises(sqlite3.DatabaseError, match="ne change plus"):
        clinic.conn.execute("DELETE FROM patient_information")


@given(st.text(max_size=12))
def test_any_text_is_a_way_or_a_french_refusal(text: str) -> None:
    try:
        way = InformedBy.parse(text)
    except InformationError as error:
        assert "\x1b" not in error.message and error.field == "how"
    else:
        assert way.value == text.strip().lower()
