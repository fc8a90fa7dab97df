"""The application facade on a real SQLite file: every use case, its status transition (through
the domain), its audit event, and its refusals."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from duplicate_override import create_anyway

from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.errors import DocumentError, TraitError, TransitionRefused
from insterm.domain.identity import StrictTraits, UsedNames
from insterm.insi.results import Attempt, InsiResult, InsRecord, ReturnedTraits, SearchOutcome
from insterm.store import audit
from insterm.store.errors import MatriculeCollision, VersionConflict
from insterm.usecases.errors import ActionRefused, PermissionRefused

TODAY = date(2025, 6, 1)
PASSPORT = DocumentCheck(codes=["PA"], traits_match=True, expires_on={"PA": date(2030, 1, 1)})


@pytest.fixture
def clinic(tmp_path: Path):
    with Clinic.open(tmp_path / "c.db", create=True, today=lambda: TODAY) as opened:
        opened.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        opened.add_operator("admin", "sophie", "Sophie Secrétaire")
        yield opened


def traits(**changes: object) -> StrictTraits:
    values: dict = dict(birth_name="ADRUN", first_name="ZOE", first_names="ZOE",
                        birth_date=date(1975, 12, 31), sex="F", birth_place="63220")
    values.update(changes)
    return StrictTraits.build(**values, today=TODAY)


def outcome(matricule: str = "2751263220749", key: str = "74", code: str = "00",
            history: tuple = (), **returned: str) -> SearchOutcome:
    tiq = dict(birth_name="ADRUN", first_name=None, first_names="ZOE", sex="F",
               birth_date="1975-12-31", birth_place="63220")
    tiq.update(returned)
    result = InsiResult(code, "OK", InsRecord(matricule, key, "1.2.250.1.213.1.4.8"),
                        history, ReturnedTraits(**tiq)) if code == "00" else InsiResult(code, "KO")
    attempt = Attempt("rechercherInsAvecTraitsIdentite", "uuid-1", datetime(2025, 6, 1), 0.25,
                      b"<request/>", b"<response/>", 200, result=result, sent_first_names="ZOE")
    return SearchOutcome((attempt,), result=result)


def actions(clinic: Clinic) -> list[str]:
    return [r[0] for r in clinic.conn.execute("SELECT action FROM audit ORDER BY id")]


def test_create_is_prov_audited_with_duplicate_candidates(clinic: Clinic) -> None:
    first = clinic.create_identity("sophie", traits(), UsedNames.build(used_name="MARTIN"))
    assert first.record.status == "PROV" and first.record.created_by is not None
    assert first.candidates == ()
    second = create_anyway(clinic, "sophie", traits(birth_date=date(1975, 12, 30)))
    assert [c.identity.id for c in second.candidates] == [first.record.id]
    assert actions(clinic)[-2:] == ["identity_created", "identity_created"]
    assert clinic.verify_audit().ok
    group = clinic.duplicate_group(first.record.id)
    assert {m.id for m in group.members} == {first.record.id, second.record.id}


def test_unknown_or_inactive_operator_is_refused(clinic: Clinic) -> None:
    with pytest.raises(PermissionRefused, match="inconnu"):
        clinic.create_identity("nobody", traits())
    clinic.set_operator_active("admin", "sophie", False)
    with pytest.raises(PermissionRefused, match="désactivé"):
        clinic.create_identity("sophie", traits())
    with pytest.raises(PermissionRefused, match="administrateur"):
        clinic.add_operator("sophie", "bob", "Bob")
    with pytest.raises(ActionRefused, match="dernier administrateur"):
        clinic.set_operator_role("admin", "admin", "staff")
    assert clinic.conn.execute("SELECT count(*) FROM identity").fetchone()[0] == 0


def test_document_check_then_insi_gives_qual(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits()).record
    vali = clinic.check_document("sophie", record.id, record.version, PASSPORT).record
    assert vali.status == "VALI"
    applied = clinic.apply_insi_outcome("sophie", vali.id, vali.version, outcome(), accepted=True)
    qual = applied.saved.record
    assert (qual.status, qual.matricule, qual.oid) == ("QUAL", "275126322074974",
                                                        "1.2.250.1.213.1.4.8")
    assert [h.matricule for h in clinic.ins_history(qual.id)] == ["275126322074974"]
    assert clinic.find("275126322074974").items[0].matricule == "275126322074974"
    assert actions(clinic)[-3:] == ["document_checked", "insi_called", "insi_result_applied"]
    assert clinic.conn.execute("SELECT request_xml, cr_code FROM insi_call").fetchall() == [
        ("<request/>", "00")]


def test_insi_traits_replace_local_ones_exactly(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits(first_names="ZOE")).record
    applied = clinic.apply_insi_outcome("sophie", record.id, 1,
                                        outcome(first_names="ZOE MARIE"), accepted=True)
    assert applied.saved.record.status == "RECUP"
    assert applied.saved.record.first_names == "ZOE MARIE"
    assert clinic.find("275126322074974").items[0].matricule is None  # RECUP: hidden


def test_refused_or_not_found_result_changes_nothing_but_is_logged(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits()).record
    for result, accepted in ((outcome(), False), (outcome(code="01"), True)):
        applied = clinic.apply_insi_outcome("sophie", record.id, 1, result, accepted=accepted)
        assert not applied.applied
    assert clinic.get(record.id).version == 1
    assert clinic.conn.execute("SELECT count(*) FROM insi_call").fetchone()[0] == 2


def test_collision_names_the_other_record_and_is_audited(clinic: Clinic) -> None:
    first = clinic.create_identity("sophie", traits()).record
    clinic.apply_insi_outcome("sophie", first.id, 1, outcome(), accepted=True)
    other = create_anyway(clinic, "sophie", traits(first_name="ZOEE", first_names="ZOEE")).record
    with pytest.raises(MatriculeCollision) as collision:
        clinic.apply_insi_outcome("sophie", other.id, 1, outcome(), accepted=True)
    assert f"IPP {first.ipp}" in str(collision.value)
    assert actions(clinic)[-1] == "insi_collision"
    assert clinic.get(other.id).matricule is None


def test_doubtful_identity_blocks_insi_and_drops_status(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits()).record
    record = clinic.check_document("sophie", record.id, 1, PASSPORT).record
    record = clinic.apply_insi_outcome("sophie", record.id, record.version, outcome(),
                                       accepted=True).saved.record
    dout = clinic.set_attribute("sophie", record.id, record.version, "DOUT").record
    assert (dout.status, dout.matricule, dout.dout) == ("PROV", None, True)
    assert [h.matricule for h in clinic.ins_history(dout.id)] == ["275126322074974"]
    with pytest.raises(TransitionRefused):
        clinic.apply_insi_outcome("sophie", dout.id, dout.version, outcome(), accepted=True)
    with pytest.raises(TransitionRefused):
        clinic.check_document("sophie", dout.id, dout.version, PASSPORT)
    with pytest.raises(TransitionRefused):
        clinic.set_attribute("sophie", dout.id, dout.version, "FICT")
    cleared = clinic.clear_attribute("sophie", dout.id, dout.version, "DOUT").record
    assert (cleared.status, cleared.dout) == ("PROV", False)


def test_strict_trait_edit_drops_status_through_the_domain(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits()).record
    record = clinic.check_document("sophie", record.id, 1, PASSPORT).record
    record = clinic.apply_insi_outcome("sophie", record.id, record.version, outcome(),
                                       accepted=True).saved.record
    saved = clinic.edit_traits("sophie", record.id, record.version, {"birth_name": "ADRUM"},
                               document=PASSPORT)
    assert (saved.record.status, saved.record.matricule) == ("VALI", None)
    assert "Identité validée" in saved.transition.reason
    used = clinic.edit_traits("sophie", record.id, saved.record.version,
                              {"used_name": "DUPONT"})
    assert used.transition is None and used.record.status == "VALI"
    assert clinic.find("dupont").items[0].id == record.id
    with pytest.raises(TraitError):
        clinic.edit_traits("sophie", record.id, used.record.version, {"birth_name": "adrun!"})


def test_version_conflict_names_who_and_when(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits()).record
    clinic.edit_traits("admin", record.id, 1, {"used_name": "DUPONT"})
    with pytest.raises(VersionConflict) as conflict:
        clinic.edit_traits("sophie", record.id, 1, {"used_name": "DURAND"})
    assert "Alice Admin (admin)" in str(conflict.value)
    assert conflict.value.changed_at and conflict.value.actual == 2
    assert clinic.get(record.id).used_name == "DUPONT"


def test_document_mismatch_and_bad_document(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits()).record
    saved = clinic.check_document("sophie", record.id, 1,
                                  DocumentCheck(codes=["PA"], traits_match=False,
                                                expires_on={"PA": date(2030, 1, 1)}))
    assert saved.record.status == "PROV" and actions(clinic)[-1] == "document_mismatch"
    with pytest.raises(DocumentError):
        clinic.check_document("sophie", record.id, 1, DocumentCheck(codes=["PC"],
                                                                    traits_match=True))
    with pytest.raises(DocumentError, match="expiré"):
        clinic.check_document("sophie", record.id, 1, DocumentCheck(
            codes=["PA"], traits_match=True, expires_on={"PA": date(2020, 1, 1)}))
    assert [c["outcome"] for c in clinic.document_checks(record.id)] == ["mismatch"]


def test_dismiss_mark_and_merge(clinic: Clinic) -> None:
    a = clinic.create_identity("sophie", traits()).record
    b = create_anyway(clinic, "sophie", traits(birth_date=date(1975, 12, 30))).record
    clinic.dismiss_duplicate("sophie", a.id, b.id)
    hints = clinic.duplicate_hints({"birth_name": "ADRUN", "first_name": "ZOE",
                                    "birth_date": date(1975, 12, 31), "sex": "F"}, exclude_id=a.id)
    assert hints == []
    with pytest.raises(ActionRefused, match="pas un doublon"):
        clinic.merge("admin", a.id, 1, b.id, 1)
    clinic.mark_duplicate("sophie", a.id, b.id)
    saved = clinic.merge("admin", a.id, 1, b.id, 1)
    absorbed = clinic.get(b.id)
    assert absorbed.merged_into == a.id and saved.record.id == a.id
    assert b.id not in [i.id for i in clinic.find("adrun").items]
    assert clinic.find(b.ipp).items[0].merged_into == a.id
    with pytest.raises(ActionRefused, match="fusionné"):
        clinic.edit_traits("sophie", b.id, absorbed.version, {"used_name": "X"})
    assert actions(clinic)[-1] == "identities_merged"


def test_merge_refuses_to_absorb_the_record_holding_the_ins(clinic: Clinic) -> None:
    a = clinic.create_identity("sophie", traits()).record
    b = create_anyway(clinic, "sophie", traits(first_name="ZOEE", first_names="ZOEE")).record
    a = clinic.apply_insi_outcome("sophie", a.id, 1, outcome(), accepted=True).saved.record
    with pytest.raises(ActionRefused, match="gardez-le comme dossier principal"):
        clinic.merge("admin", b.id, 1, a.id, a.version)


def test_merge_is_for_administrators_only(clinic: Clinic) -> None:
    a = clinic.create_identity("sophie", traits()).record
    b = create_anyway(clinic, "sophie", traits(birth_date=date(1975, 12, 30))).record
    events = len(actions(clinic))
    with pytest.raises(PermissionRefused,
                       match="n'est pas administrateur : seul un administrateur peut fusionner"):
        clinic.merge("sophie", a.id, 1, b.id, 1)
    assert clinic.get(b.id).merged_into is None and clinic.get(b.id).version == 1
    assert len(actions(clinic)) == events  # nothing written, not even an audit event
    with pytest.raises(PermissionRefused, match="Un administrateur doit prouver"):
        clinic.set_operator_role("admin", "sophie", "admin")  # no proof of identity yet
    clinic.set_operator_os_login("admin", "sophie", "sophie")
    clinic.set_operator_role("admin", "sophie", "admin")
    assert clinic.merge("sophie", a.id, 1, b.id, 1).record.id == a.id
    assert clinic.history(a.id)[-1].operator == "sophie"


def test_every_change_is_in_the_audit_chain(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits()).record
    clinic.set_attribute("sophie", record.id, 1, "HOMA")
    events = clinic.history(record.id)
    assert [e.action for e in events] == ["identity_created", "attribute_set"]
    assert all(e.operator == "sophie" for e in events)
    assert audit.verify(clinic.conn).ok
