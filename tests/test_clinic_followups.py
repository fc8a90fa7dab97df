"""The facade's follow-ups for the TUI, on a real SQLite file: whole-base duplicate scan after a
bulk import, the journal (pages, filters, French lines), the practice's document catalogue, the
session operator from the OS login, and the record view."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from duplicate_override import create_anyway

from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.documents import DEFAULT_PRACTICE_CATALOGUE
from insterm.domain.errors import DocumentError
from insterm.domain.identity import StrictTraits, UsedNames
from insterm.insi.results import (
    Attempt,
    InsiResult,
    InsRecord,
    ReturnedTraits,
    SearchOutcome,
)
from insterm.store import audit, bulk
from insterm.store.errors import ConstraintViolation, NotFound
from insterm.usecases.errors import ActionRefused, PermissionRefused

TODAY = date(2025, 6, 1)
PASSPORT = DocumentCheck(codes=["PA"], traits_match=True, expires_on={"PA": date(2030, 1, 1)})
OID_NIR, OID_NIA = "1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"


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


def outcome(code: str = "00", oid: str = OID_NIR) -> SearchOutcome:
    tiq = dict(birth_name="ADRUN", first_name=None, first_names="ZOE", sex="F",
               birth_date="1975-12-31", birth_place="63220")
    result = InsiResult(code, "OK", InsRecord("2751263220749", "74", oid), (),
                        ReturnedTraits(**tiq)) if code == "00" else InsiResult(code, "KO")
    attempt = Attempt("rechercherInsAvecTraitsIdentite", "uuid-1", datetime(2025, 6, 1), 0.25,
                      b"<request/>", b"<response/>", 200, result=result, sent_first_names="ZOE")
    return SearchOutcome((attempt,), result=result)


def row(name: str, first: str, born: str, **more: object) -> dict[str, object]:
    return dict(birth_name=name, first_name=first, first_names=first, birth_date=born,
                sex="F", birth_place="75056", **more)


# ------------------------------------------------------------------ bulk import + duplicate scan


def test_bulk_import_then_scan_fills_the_duplicates_screen(clinic: Clinic) -> None:
    bulk.insert_identities(clinic.conn, [
        row("FAURE", "ANNE", "1970-03-04"),
        row("FAURRE", "ANNE", "1970-03-04"),  # spelling: same phonetic name, same date
        row("BERNARD", "LUCIE", "1982-05-06", used_name="PETIT"),
        row("PETIT", "LUCIE", "1982-05-06"),  # the used name typed as the birth name
        row("MOREAU", "CLAIRE", "1990-02-07"),
        row("MOREAU", "CLAIRE", "1990-07-02"),  # day and month swapped
        row("DURAND", "EMMA", "2001-01-01"),
        row("LEROY", "EMMA", "2001-01-01"),  # only first name and date: not for the scan
    ], actor="admin", source="essai.jsonl")
    assert clinic.open_duplicate_groups() == []  # the bulk import looks for none
    report = clinic.scan_duplicates("sophie")
    assert (report.found, report.added) == (3, 3)
    assert "3 nouvelle(s) à examiner" in report.message
    groups = clinic.open_duplicate_groups()
    assert sorted(tuple(m.id for m in g.members) for g in groups) == [(1, 2), (3, 4), (5, 6)]
    clinic.dismiss_duplicate("sophie", 5, 6)
    again = clinic.scan_duplicates("sophie")
    assert (again.found, again.added) == (3, 0)  # the decision is respected
    assert sorted(tuple(m.id for m in g.members) for g in clinic.open_duplicate_groups()) == [
        (1, 2), (3, 4)]
    events = clinic.audit_events(action="duplicates_scanned").events
    assert [e.operator for e in events] == ["sophie", "sophie"]
    assert events[-1].describe() == ("Recherche de doublons sur toute la base : 3 paire(s) "
                                     "candidate(s), 3 nouvelle(s)")
    imported = clinic.audit_events(action="bulk_import").events[0]
    assert imported.operator == "admin"
    assert imported.describe() == "Import en bloc : 8 identité(s) (source : essai.jsonl)"
    assert clinic.verify_audit().ok


def test_scan_needs_a_known_active_operator(clinic: Clinic) -> None:
    with pytest.raises(PermissionRefused, match="inconnu"):
        clinic.scan_duplicates("nobody")
    assert clinic.audit_events(action="duplicates_scanned").events == ()


# ------------------------------------------------------------------ journal


def test_journal_lines_filters_and_pages(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits()).record
    clinic.check_document("sophie", record.id, 1, PASSPORT)
    clinic.set_attribute("admin", record.id, 2, "HOMA")
    other = clinic.create_identity("sophie", traits(birth_name="MARTIN")).record
    page = clinic.audit_events(identity_id=record.id)
    lines = [e.describe() for e in page.events]
    assert lines[0] == "Attribut ajouté : Homonyme"
    assert lines[1] == ("Statut : Identité provisoire → Identité validée "
                        "(contrôle : Passeport)")
    assert lines[2].startswith(f"Création de l'identité IPP {record.ipp} : ADRUN ZOE, "
                               "né(e) le 31/12/1975")
    assert [e.action for e in clinic.audit_events(operator="admin").events] == [
        "attribute_set", "operator_added", "operator_bootstrap"]
    first = clinic.audit_events(limit=2)
    assert [e.identity_id for e in first.events] == [other.id, record.id]
    rest = clinic.audit_events(limit=100, before_id=first.next_before_id)
    assert rest.next_before_id is None and len(rest.events) == 4
    assert ("document_checked", "Contrôle de pièce d'identité") in clinic.audit_actions()
    assert clinic.audit_operators() == ["admin", "sophie"]
    today = date.today()
    assert len(clinic.audit_events(since=today, until=today).events) == 6
    assert clinic.audit_events(until=date(2000, 1, 1)).events == ()


def test_journal_never_writes_a_matricule(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits()).record
    clinic.apply_insi_outcome("sophie", record.id, 1, outcome(), accepted=True)
    events = clinic.audit_events(identity_id=record.id).events
    assert any(e.details.get("matricule") for e in events)  # kept in the audit details...
    for event in events:
        assert "2751263220749" not in event.describe()  # ...never in the French lines
    assert events[0].describe() == ("Statut : Identité provisoire → Identité récupérée "
                                    "(INS récupéré par INSi)")
    assert events[1].describe() == ("Appel INSi : réponse 00 (une identité trouvée), "
                                    "accepté par l'opérateur")


# ------------------------------------------------------------------ document catalogue


def test_document_catalogue_is_stored_admin_only_and_used(clinic: Clinic) -> None:
    assert clinic.document_catalogue() == DEFAULT_PRACTICE_CATALOGUE
    with pytest.raises(PermissionRefused, match="catalogue des pièces"):
        clinic.set_document_catalogue("sophie", ["CN"])
    with pytest.raises(ActionRefused, match="au moins une pièce"):
        clinic.set_document_catalogue("admin", ["AN", "LE"])
    with pytest.raises(DocumentError):
        clinic.set_document_catalogue("admin", ["CE"])  # never a proof
    assert clinic.document_catalogue() == DEFAULT_PRACTICE_CATALOGUE
    chosen = clinic.set_document_catalogue("admin", ["CN", "CS"])
    assert chosen.codes == ("CN", "CS") == clinic.document_catalogue().codes
    record = clinic.create_identity("sophie", traits()).record
    with pytest.raises(DocumentError):
        clinic.check_document("sophie", record.id, 1, PASSPORT)  # PA no longer accepted
    assert clinic.get(record.id).status == "PROV"
    card = DocumentCheck(codes=["CN"], traits_match=True, expires_on={"CN": date(2030, 1, 1)})
    assert clinic.check_document("sophie", record.id, 1, card).record.status == "VALI"
    event = clinic.audit_events(action="document_catalogue_changed").events[0]
    assert event.operator == "admin" and event.details["after"] == ["CN", "CS"]
    assert event.describe().startswith("Catalogue des pièces : − Passeport")


def test_catalogue_given_to_the_facade_wins_and_survives_reopening(tmp_path: Path) -> None:
    from insterm.domain.documents import PracticeCatalogue

    path = tmp_path / "c.db"
    with Clinic.open(path, create=True) as clinic:
        clinic.bootstrap_admin("admin", "Alice", os_login="alice")
        clinic.set_document_catalogue("admin", ["PA"])
    with Clinic.open(path) as clinic:
        assert clinic.document_catalogue().codes == ("PA",)
    with Clinic.open(path, practice_catalogue=PracticeCatalogue.of(["CN"])) as clinic:
        assert clinic.document_catalogue().codes == ("CN",)


# ------------------------------------------------------------------ session operator


def test_operator_for_os_login(clinic: Clinic) -> None:
    # The same name is no proof: only a mapping the practice made (issue 14.1).
    assert clinic.operator_for_os_login("sophie") is None
    assert clinic.operator_for_os_login("mdupont") is None
    assert clinic.operator_for_os_login("") is None and clinic.operator_for_os_login(None) is None
    clinic.add_operator("admin", "marc", "Marc Médecin", os_login="mdupont")
    assert clinic.operator_for_os_login("mdupont").login == "marc"
    assert clinic.operator_for_os_login("marc") is None
    with pytest.raises(ConstraintViolation, match="déjà associé"):
        clinic.set_operator_os_login("admin", "sophie", "mdupont")
    with pytest.raises(PermissionRefused):
        clinic.set_operator_os_login("sophie", "sophie", "sdurand")
    with pytest.raises(ActionRefused, match="Compte du poste incorrect"):
        clinic.set_operator_os_login("admin", "sophie", "s durand")
    clinic.set_operator_os_login("admin", "sophie", "sdurand")
    assert clinic.operator_for_os_login("sdurand").login == "sophie"
    assert clinic.operator_for_os_login("sophie") is None
    clinic.set_operator_active("admin", "sophie", False)
    assert clinic.operator_for_os_login("sdurand") is None  # deactivated
    clinic.set_operator_os_login("admin", "marc", None)
    assert clinic.operator_for_os_login("mdupont") is None
    assert clinic.operator_for_os_login("marc") is None  # no proof left: no sign-in
    assert clinic.operators()[1].auth_method is None
    event = clinic.audit_events(action="operator_os_login_changed").events[0]
    assert event.describe() == "Compte du poste de marc : mdupont → (aucun)"


# ------------------------------------------------------------------ record view


def test_identity_view_of_a_qualified_record(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits(), UsedNames.build(used_name="MARTIN"))
    twin = create_anyway(clinic, "sophie", traits(birth_date=date(1975, 12, 30))).record
    record = record.record
    clinic.check_document("sophie", record.id, 1, PASSPORT)
    clinic.apply_insi_outcome("sophie", record.id, 2, outcome(), accepted=True)
    view = clinic.identity_view(record.id)
    assert view.identity.status == "QUAL" and view.version == 3
    assert view.status_label == view.state_label == "Identité qualifiée"
    assert (view.ins.matricule, view.ins.formatted, view.ins.nature) == (
        "275126322074974", "2 75 12 63 220 749 74", "NIR")
    assert [h.matricule for h in view.ins.history] == ["275126322074974"]
    assert view.sex_label == "Féminin" and view.birth_date_text == "31/12/1975"
    assert [(s.before, s.after) for s in view.status_history] == [
        ("Identité validée", "Identité qualifiée"), ("Identité provisoire", "Identité validée"),
        ("", "Identité provisoire")]
    assert [(c.document_label, c.outcome_label, c.expires_on) for c in view.document_checks] == [
        ("Passeport", "conforme", "01/01/2030")]
    call, = view.insi_calls
    assert (call.result_label, call.operator) == ("00 : une identité trouvée",
                                                  "Sophie Secrétaire (sophie)")
    assert [d.other.id for d in view.duplicates] == [twin.id]
    assert view.duplicates[0].state_label == "doublon possible"
    assert view.history[0].text.startswith("Statut : Identité validée → Identité qualifiée")
    assert len(view.history) == 4
    assert view.insi_allowed and view.insi_block_reason is None
    assert "Sophie Secrétaire (sophie)" in view.created


def test_identity_view_hides_the_ins_unless_qualified(clinic: Clinic) -> None:
    record = clinic.create_identity("sophie", traits()).record
    clinic.apply_insi_outcome("sophie", record.id, 1, outcome(oid=OID_NIA), accepted=True)
    view = clinic.identity_view(record.id)
    assert view.identity.status == "RECUP" and view.has_ins and view.ins is None
    assert view.identity.matricule is None
    clinic.check_document("sophie", record.id, 2, PASSPORT)
    qualified = clinic.identity_view(record.id)
    assert (qualified.ins.nature, qualified.ins.nature_label) == (
        "NIA", "NIA (numéro identifiant d'attente)")
    dout = clinic.set_attribute("sophie", record.id, qualified.version, "DOUT").record
    doubtful = clinic.identity_view(dout.id)
    assert doubtful.ins is None and not doubtful.insi_allowed
    assert doubtful.attributes == (("DOUT", "Identité douteuse"),)
    assert "douteuse" in doubtful.insi_block_reason
    with pytest.raises(NotFound):
        clinic.identity_view(999)


def test_identity_view_after_a_merge(clinic: Clinic) -> None:
    a = clinic.create_identity("sophie", traits()).record
    b = create_anyway(clinic, "sophie", traits(birth_date=date(1975, 12, 30))).record
    clinic.merge("admin", a.id, 1, b.id, 1)
    survivor = clinic.identity_view(a.id)
    assert [m.id for m in survivor.absorbed] == [b.id] and survivor.duplicates == ()
    absorbed = clinic.identity_view(b.id)
    assert absorbed.merged_into.id == a.id
    assert clinic.audit_events(identity_id=a.id).events[0].describe() == (
        f"Fusion : le dossier IPP {b.ipp} est rattaché au dossier IPP {a.ipp} "
        "(conservé, non modifié)")
    assert audit.verify(clinic.conn).ok
