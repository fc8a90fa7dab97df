"""Editing a strict trait with a re-check on the identity document (`Clinic.edit_traits(...,
document=DocumentCheck(...))`), on a real SQLite file: the smaller drop (QUAL -> VALI, VALI
stays VALI), the document_check row written in the same transaction as the edit, the audit
event saying both; and the refusals (expired, outside the practice's catalogue, values not
confirmed, a re-check that changes nothing), after which nothing at all is written."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.errors import DocumentError
from insterm.domain.identity import StrictTraits
from insterm.insi.results import (
    Attempt,
    InsiResult,
    InsRecord,
    ReturnedTraits,
    SearchOutcome,
)
from insterm.usecases.errors import ActionRefused

TODAY = date(2025, 6, 1)
PASSPORT = DocumentCheck(codes=["PA"], traits_match=True, expires_on={"PA": date(2030, 1, 1)})
ID_CARD = DocumentCheck(codes=["CN"], traits_match=True, expires_on={"CN": date(2029, 3, 4)})


@pytest.fixture
def clinic(tmp_path: Path):
    with Clinic.open(tmp_path / "c.db", create=True, today=lambda: TODAY) as opened:
        opened.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        opened.add_operator("admin", "sophie", "Sophie Secrétaire")
        yield opened


def adrun(clinic: Clinic, *, qualified: bool = True):
    """ADRUN ZOE checked on a passport (VALI), then qualified by INSi (QUAL) if asked."""
    traits = StrictTraits.build(birth_name="ADRUN", first_name="ZOE", first_names="ZOE",
                                birth_date=date(1975, 12, 31), sex="F", birth_place="63220",
                                today=TODAY)
    record = clinic.create_identity("sophie", traits).record
    record = clinic.check_document("sophie", record.id, record.version, PASSPORT).record
    if qualified:
        returned = ReturnedTraits(birth_name="ADRUN", first_name=None, first_names="ZOE",
                                  sex="F", birth_date="1975-12-31", birth_place="63220")
        result = InsiResult("00", "OK", InsRecord("2751263220749", "74", "1.2.250.1.213.1.4.8"),
                            (), returned)
        attempt = Attempt("rechercherInsAvecTraitsIdentite", "uuid-1", datetime(2025, 6, 1),
                          0.25, b"<request/>", b"<response/>", 200, result=result,
                          sent_first_names="ZOE")
        record = clinic.apply_insi_outcome("sophie", record.id, record.version,
                                           SearchOutcome((attempt,), result=result),
                                           accepted=True).saved.record
        assert record.status == "QUAL"
    return record


def written(clinic: Clinic) -> tuple[int, int, int]:
    """(audit events, document checks, identity rows version sum): all that a refusal must
    leave untouched."""
    conn = clinic.conn
    return (conn.execute("SELECT count(*) FROM audit").fetchone()[0],
            conn.execute("SELECT count(*) FROM document_check").fetchone()[0],
            conn.execute("SELECT sum(version) FROM identity").fetchone()[0])


def test_qualified_identity_rechecked_on_a_document_drops_to_validated(clinic: Clinic) -> None:
    record = adrun(clinic)
    checks_before = clinic.document_checks(record.id)
    saved = clinic.edit_traits("sophie", record.id, record.version, {"birth_name": "ADRUNE"},
                               document=ID_CARD)
    new = clinic.get(record.id)
    assert (new.status, new.birth_name, new.matricule, new.oid) == ("VALI", "ADRUNE", None, None)
    assert new.version == record.version + 1
    assert saved.transition is not None
    assert "revérifiée sur le document d'identité" in saved.transition.reason
    assert "« Identité validée »" in saved.transition.reason
    # The INS detached by the edit stays in the history.
    assert [h.matricule for h in clinic.ins_history(record.id)] == ["275126322074974"]
    checks = clinic.document_checks(record.id)
    assert len(checks) == len(checks_before) + 1
    check = checks[-1]
    sophie = next(o for o in clinic.operators() if o.login == "sophie")
    assert (check["document_type"], check["expires_on"], check["outcome"],
            check["operator_id"]) == ("CN", "2029-03-04", "ok", sophie.id)
    event = clinic.history(record.id)[-1]
    assert (event.action, event.operator) == ("traits_edited", "sophie")
    assert event.at == check["at"]  # one transaction: the edit and its check
    assert event.details["rechecked"] is True
    assert event.details["document"] == {
        "document_type": "CN", "rule": "Document d'identité à haut niveau de confiance",
        "outcome": "ok", "documents": ["CN"], "expires_on": {"CN": "2029-03-04"}}
    assert event.details["after"]["status"] == "VALI"
    assert clinic.verify_audit().ok


def test_validated_identity_rechecked_stays_validated(clinic: Clinic) -> None:
    record = adrun(clinic, qualified=False)
    saved = clinic.edit_traits("sophie", record.id, record.version, {"sex": "M"},
                               document=PASSPORT)
    assert (saved.record.status, saved.record.sex) == ("VALI", "M")
    assert saved.transition is not None and not saved.transition.status_changed
    assert clinic.document_checks(record.id)[-1]["document_type"] == "PA"
    assert clinic.history(record.id)[-1].details["rechecked"] is True


def test_without_a_document_the_drop_is_the_full_one(clinic: Clinic) -> None:
    record = adrun(clinic)
    checks = clinic.document_checks(record.id)
    saved = clinic.edit_traits("sophie", record.id, record.version, {"birth_name": "ADRUNE"})
    assert (saved.record.status, saved.record.matricule) == ("PROV", None)
    assert clinic.document_checks(record.id) == checks
    details = clinic.history(record.id)[-1].details
    assert details["rechecked"] is False and "document" not in details


@pytest.mark.parametrize(("document", "refusal", "says"), [
    (DocumentCheck(codes=["PA"], traits_match=True, expires_on={"PA": date(2025, 5, 31)}),
     DocumentError, "a expiré le 31/05/2025"),
    (DocumentCheck(codes=["PA"], traits_match=True), DocumentError,
     "Indiquez la date de fin de validité"),
    (DocumentCheck(codes=["PA"], traits_match=False, expires_on={"PA": date(2030, 1, 1)}),
     ActionRefused, "La pièce ne confirme pas les nouvelles valeurs"),
    (DocumentCheck(codes=["CV"], traits_match=True), DocumentError, "carte Vitale"),
], ids=["expired", "no-expiry", "not-confirmed", "not-a-proof"])
def test_a_refused_recheck_writes_nothing(clinic: Clinic, document, refusal, says) -> None:
    record = adrun(clinic)
    before = written(clinic)
    with pytest.raises(refusal) as refused:
        clinic.edit_traits("sophie", record.id, record.version, {"birth_name": "ADRUNE"},
                           document=document)
    assert says in refused.value.message
    assert written(clinic) == before
    assert clinic.get(record.id) == record


def test_a_type_outside_the_practice_catalogue_is_refused(clinic: Clinic) -> None:
    record = adrun(clinic)
    clinic.set_document_catalogue("admin", ["CN", "CS"])
    before = written(clinic)
    with pytest.raises(DocumentError) as refused:
        clinic.edit_traits("sophie", record.id, record.version, {"birth_name": "ADRUNE"},
                           document=PASSPORT)
    assert refused.value.field == "document"
    assert written(clinic) == before and clinic.get(record.id) == record


def test_a_recheck_that_changes_nothing_is_refused(clinic: Clinic) -> None:
    provisional = clinic.create_identity("sophie", StrictTraits.build(
        birth_name="MARTIN", first_name="JEAN", first_names="JEAN", birth_date=date(1980, 2, 1),
        sex="M", birth_place="75056", today=TODAY)).record
    qualified = adrun(clinic)
    before = written(clinic)
    with pytest.raises(ActionRefused) as refused:  # PROV: no document basis to keep
        clinic.edit_traits("sophie", provisional.id, provisional.version,
                           {"birth_name": "MARTINS"}, document=PASSPORT)
    assert "inutile" in refused.value.message
    with pytest.raises(ActionRefused) as refused:  # used name only: no strict trait
        clinic.edit_traits("sophie", qualified.id, qualified.version, {"used_name": "DURAND"},
                           document=PASSPORT)
    assert "aucun trait strict" in refused.value.message
    assert written(clinic) == before
