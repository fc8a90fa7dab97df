"""Saisie / modification: create a patient, refusals that write nothing, normalisation
proposals applied only on F4, the birth-place list, live duplicate hints, the status drop
announced before an edit, version conflicts and Escape with unsaved data. Every flow is checked
in the database and the audit log."""

from __future__ import annotations

import re
from datetime import date

from insterm.tui.screens.edit import (
    HINTS_DEBOUNCE_SECONDS,
    CreateScreen,
    EditScreen,
    IdentityFormScreen,
)
from insterm.tui.screens.record import RecordScreen

from .support import ADRUN_MATRICULE, audit_actions, create_anyway, settle


def document_checks(clinic, identity_id: int) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(c["document_type"], c["expires_on"], c["outcome"])
            for c in clinic.document_checks(identity_id)]


def notifications(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    parts = [str(widget.render()) for widget in app.screen.query("Static, Label")]
    return " ".join(" ".join(parts).split())


def identity_count(clinic) -> int:  # type: ignore[no-untyped-def]
    return clinic.conn.execute("SELECT count(*) FROM identity").fetchone()[0]


def note(app, name: str) -> str:  # type: ignore[no-untyped-def]
    """The notes shown under one field of the form."""
    field = app.screen.field(name)
    shown = field.query_one(".trait-note")
    return str(shown.render()) if shown.has_class("-shown") else ""


async def open_form(pilot, form: IdentityFormScreen | None = None) -> None:  # type: ignore[no-untyped-def]
    """Open `form` (a new patient's by default) above the search."""
    await settle(pilot)
    pilot.app.push_screen(form or CreateScreen())
    await settle(pilot)


async def type_in(pilot, name: str, text: str, *, clear: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Focus a field and type `text` key by key (as the operator would)."""
    field = pilot.app.screen.field(name)
    if clear:
        field.value = ""
    field.input.focus()
    await pilot.pause()
    await pilot.press(*text)


async def wait_hints(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause(HINTS_DEBOUNCE_SECONDS + 0.1)
    await settle(pilot)


async def fill_new_patient(pilot, *, birth_name="BERNARD", first_name="LUCIE",  # type: ignore[no-untyped-def]
                           first_names="LUCIE ANNE", birth_date="14/03/1992", sex="F",
                           birth_place="") -> None:
    """Fill the form field by field (values set as a paste would: the same change messages
    as typing, fewer keystrokes; the tests of typing itself press the keys)."""
    values = {"birth_name": birth_name, "first_name": first_name, "first_names": first_names,
              "birth_date": birth_date, "sex": sex, "birth_place": birth_place}
    for name, value in values.items():
        field = pilot.app.screen.field(name)
        field.input.focus()
        field.value = value
        await pilot.pause()
    await settle(pilot)


# ---------------------------------------------------------------------------------- create

async def test_create_a_patient_writes_a_provisional_identity_and_opens_it(app, clinic,
                                                                             practice):
    before = identity_count(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot)
        assert type(app.screen).__name__ == "CreateScreen"
        await fill_new_patient(pilot, birth_place="99134", sex="")
        assert "ESPAGNE" in note(app, "birth_place")
        await type_in(pilot, "sex", "f")  # a code letter: taken in uppercase
        assert app.screen.field("sex").value == "F"
        await type_in(pilot, "used_name", "DURAND-BERNARD")
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        # The record took the form's place: Escape goes back to the search.
        assert [type(s).__name__ for s in app.screen_stack][-2:] == ["SearchScreen",
                                                                     "RecordScreen"]
        new_id = app.screen.identity_id
        assert any("Patient enregistré" in n and "Identité provisoire" in n
                   for n in notifications(app))
    assert identity_count(clinic) == before + 1
    record = clinic.get(new_id)
    assert (record.birth_name, record.first_name, record.first_names) == (
        "BERNARD", "LUCIE", "LUCIE ANNE")
    assert (record.birth_date, record.sex, record.birth_place) == (date(1992, 3, 14), "F",
                                                                    "99134")
    assert (record.used_name, record.used_first_name) == ("DURAND-BERNARD", None)
    assert (record.status, record.channel, record.matricule) == ("PROV", "SM", None)
    assert audit_actions(clinic, new_id) == [("identity_created", "sophie")]
    assert clinic.verify_audit().ok


async def test_search_text_prefills_the_names_as_typed(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, CreateScreen("le gall anne 03/03/1990"))
        values = app.screen.values()
        assert (values["birth_name"], values["first_name"], values["birth_date"]) == (
            "le gall", "anne", "03/03/1990")
        # Pre-filled texts are what the operator typed in the search: Escape does not ask.
        assert not app.screen.dirty


async def test_refusals_write_nothing_and_say_why_next_to_the_field(app, clinic, practice):
    before, events = identity_count(clinic), audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot)
        await pilot.press("f2")  # empty form
        await settle(pilot)
        assert type(app.screen).__name__ == "CreateScreen"
        assert "nom de naissance est vide" in note(app, "birth_name")
        assert "date de naissance est obligatoire" in note(app, "birth_date")
        assert any("Rien n'a été enregistré" in n for n in notifications(app))

        await fill_new_patient(pilot, birth_name="DUP0NT", birth_date="31/02/1980")
        assert "(position 4)" in note(app, "birth_name")
        assert "Retirez le chiffre" in note(app, "birth_name")
        assert "n'existe pas" in note(app, "birth_date")
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.focused is app.screen.field("birth_name").input

        await type_in(pilot, "birth_name", "DUPONT")
        await type_in(pilot, "birth_date", "01/02/1980")
        await type_in(pilot, "first_names", "ANNE LUCIE")  # does not start with LUCIE
        await settle(pilot)
        assert "ne correspond pas au début de la liste" in screen_text(app)
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "CreateScreen"
    assert identity_count(clinic) == before
    assert audit_actions(clinic) == events


async def test_a_proposal_is_applied_only_by_f4(app, clinic, practice):
    before = identity_count(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot)
        await fill_new_patient(pilot, birth_name="dürand", first_name="Élodie",
                               first_names="")
        assert "« DURAND »" in note(app, "birth_name")
        assert "« ELODIE »" in note(app, "first_name")
        # Not applied by itself: saving now is refused, the typed value stays.
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "CreateScreen"
        assert app.screen.field("birth_name").value == "dürand"
        assert "appliquez la proposition (F4)" in note(app, "birth_name")
        assert not any("Erreur inattendue" in n for n in notifications(app))
        assert identity_count(clinic) == before

        await pilot.press("f4")  # every proposal, and the one the first name brings
        await settle(pilot)
        assert (app.screen.field("birth_name").value, app.screen.field("first_name").value,
                app.screen.field("first_names").value) == ("DURAND", "ELODIE", "ELODIE")
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        new_id = app.screen.identity_id
    record = clinic.get(new_id)
    assert (record.birth_name, record.first_name, record.first_names) == (
        "DURAND", "ELODIE", "ELODIE")


async def test_one_f4_applies_every_proposal_and_lists_each(app, clinic, practice):
    """One key for the whole form: each applied change is listed on the one notice line (no
    toast), the focus stays where it was, and the key is off once nothing is left."""
    from textual.widgets._toast import Toast

    before = identity_count(clinic)
    events = audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot)
        await fill_new_patient(pilot, birth_name="dürand", first_name="Élodie",
                               first_names="")
        app.screen.field("birth_place").input.focus()
        await pilot.press("f4")
        await settle(pilot)
        assert [app.screen.field(n).value for n in ("birth_name", "first_name",
                                                     "first_names")] == [
            "DURAND", "ELODIE", "ELODIE"]
        assert app.focused is app.screen.field("birth_place").input
        notice = app.screen.query_one("#form-notice")
        shown = " ".join(str(notice.render()).split())
        assert shown == ("Propositions appliquées : Nom de naissance « DURAND » ; "
                         "1er prénom de naissance « ELODIE » ; Prénoms de naissance « ELODIE ».")
        assert len(app._notifications) == 0 and len(app.screen.query(Toast)) == 0
        assert not app.screen.check_action("apply_proposal", ())
        await pilot.press("f4")  # nothing left to apply: the key is off, nothing is said
        await settle(pilot)
        assert " ".join(str(notice.render()).split()) == shown
    # Applying proposals only changes the form: nothing is written.
    assert identity_count(clinic) == before
    assert audit_actions(clinic) == events


async def test_birth_place_is_picked_by_name_in_the_list(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot)
        await fill_new_patient(pilot)
        await type_in(pilot, "birth_place", "clermont-fer")
        await settle(pilot)
        place = app.screen.place_field
        assert place.is_open
        assert [p.code for p in place.found][:1] == ["63113"]
        await pilot.press("enter")
        await settle(pilot)
        assert place.value == "63113" and not place.is_open
        assert "Clermont-Ferrand" in note(app, "birth_place")

        # A name typed but not picked is refused at saving, with the reason under the field.
        await type_in(pilot, "birth_place", "saint-fl")
        await settle(pilot)
        assert place.is_open
        await pilot.press("escape")  # closes the list only
        assert type(app.screen).__name__ == "CreateScreen" and not place.is_open
        await pilot.press("f2")
        await settle(pilot)
        assert "n'est pas un lieu choisi" in note(app, "birth_place")

        await type_in(pilot, "birth_place", "clermont-fer")
        await settle(pilot)
        await pilot.press("enter", "f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        new_id = app.screen.identity_id
    assert clinic.get(new_id).birth_place == "63113"


async def test_unknown_but_well_formed_place_code_is_kept_only_once_confirmed(app, clinic,
                                                                              practice):
    before = identity_count(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot)
        await fill_new_patient(pilot, birth_place="97501")
        assert "collectivité d'outre-mer" in note(app, "birth_place")
        await pilot.press("f2")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        assert "97501" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "CreateScreen"
        assert identity_count(clinic) == before
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("f2")  # "Garder ce code"
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        new_id = app.screen.identity_id
    assert clinic.get(new_id).birth_place == "97501"


async def test_duplicate_hint_opens_the_practice_record_and_keeps_the_form(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot)
        await fill_new_patient(pilot, birth_name="MARTIN", first_name="JEAN",
                               first_names="JEAN", birth_date="01/02/1980", sex="M")
        await wait_hints(pilot)
        hints = app.screen.query_one("#hints")
        assert [c.identity.id for c in hints.candidates][:1] == [practice.martin]
        assert "même nom de naissance" in screen_text(app)
        form = app.screen
        typed = form.values()
        await pilot.press("f5")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert app.screen.identity_id == practice.martin
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is form and form.values() == typed


async def test_hints_of_an_edit_leave_the_record_itself_out(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, EditScreen(practice.martin))
        await wait_hints(pilot)
        hints = app.screen.query_one("#hints")
        assert practice.martin not in [c.identity.id for c in hints.candidates]


# ---------------------------------------------------------------------------------- edit

async def test_edit_of_a_qualified_birth_name_announces_the_drop_then_drops(app, clinic,
                                                                            practice):
    before = clinic.get(practice.adrun)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, EditScreen(practice.adrun))
        assert type(app.screen).__name__ == "EditScreen"
        assert app.screen.field("birth_name").value == "ADRUN"
        assert "Identité qualifiée" in screen_text(app)
        await type_in(pilot, "birth_name", "ADRUNE")
        await pilot.press("f2")
        await pilot.pause()
        assert type(app.screen).__name__ == "StrictEditModal"
        text = screen_text(app)
        assert "Nom de naissance : ADRUN devient ADRUNE" in text
        assert ("La modification du nom de naissance fera passer l'identité de « Identité "
                "qualifiée » à « Identité provisoire » et retirera l'INS.") in text
        assert ("Avec revérification sur la pièce (F3) : La modification du nom de naissance, "
                "revérifiée sur le document d'identité, fera passer l'identité de « Identité "
                "qualifiée » à « Identité validée » et retirera l'INS.") in text
        await pilot.press("escape")  # not confirmed: nothing written, the form stays
        await settle(pilot)
        assert type(app.screen).__name__ == "EditScreen"
        assert clinic.get(practice.adrun) == before
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ != "EditScreen"
    record = clinic.get(practice.adrun)
    assert (record.birth_name, record.status, record.matricule, record.oid) == (
        "ADRUNE", "PROV", None, None)
    assert audit_actions(clinic, practice.adrun)[-1] == ("traits_edited", "sophie")
    assert [h.matricule for h in clinic.ins_history(practice.adrun)][-1] == ADRUN_MATRICULE
    assert clinic.verify_audit().ok
    assert clinic.history(practice.adrun)[-1].details["rechecked"] is False


async def test_edit_of_the_used_name_only_keeps_the_status(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(RecordScreen(practice.durand))
        await settle(pilot)
        await pilot.press("f2")  # the record's "Modifier"
        await settle(pilot)
        assert type(app.screen).__name__ == "EditScreen"
        await type_in(pilot, "used_name", "DURAND-MARTIN")
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"  # no confirmation, back to it
        assert "DURAND-MARTIN" in screen_text(app)
    record = clinic.get(practice.durand)
    assert (record.used_name, record.status, record.birth_name) == ("DURAND-MARTIN", "VALI",
                                                                    "MARTIN")
    assert audit_actions(clinic, practice.durand)[-1] == ("traits_edited", "sophie")


async def test_edit_without_change_writes_nothing(app, clinic, practice):
    events = audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, EditScreen(practice.adrun))
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "EditScreen"
        assert any("Aucune modification" in n for n in notifications(app))
    assert audit_actions(clinic) == events


async def test_version_conflict_names_who_changed_it_and_keeps_the_typed_data(app, clinic,
                                                                              practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, EditScreen(practice.legall))
        clinic.set_attribute("admin", practice.legall, 1, "HOMA")  # another workstation
        await type_in(pilot, "used_name", "KERMARREC")
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "EditScreen"
        messages = [n for n in notifications(app) if "a été modifié par" in n]
        assert messages and re.search(r"modifié par Alice Admin \(admin\) le "
                                      r"\d{2}/\d{2}/\d{4} à \d{2}:\d{2}", messages[0])
        assert "Votre saisie est conservée" in screen_text(app)
        assert app.screen.field("used_name").value == "KERMARREC"
    record = clinic.get(practice.legall)
    assert (record.used_name, record.homa) == (None, True)
    assert audit_actions(clinic, practice.legall)[-1] == ("attribute_set", "admin")


# ---------------------------------------------------------------------------------- leaving

async def test_escape_with_typed_data_asks_before_leaving(app, clinic, practice):
    before = identity_count(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot)
        await type_in(pilot, "birth_name", "BERNARD")
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        assert "ne sont pas enregistrées" in screen_text(app)
        await pilot.press("escape")  # keep typing
        await pilot.pause()
        assert type(app.screen).__name__ == "CreateScreen"
        assert app.screen.field("birth_name").value == "BERNARD"
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused.id == "confirm-no"  # "Continuer la saisie"
        await pilot.press("f2")  # F2 confirms in every dialog: "Abandonner la saisie"
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"
        # Nothing typed: Escape leaves at once.
        await open_form(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"
    assert identity_count(clinic) == before


# ------------------------------------------------------------ re-check on the document


async def edit_and_ask_recheck(pilot, identity_id: int, field: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Edit one strict trait, F2 (the drop is announced), F3 (re-check on the document)."""
    await open_form(pilot, EditScreen(identity_id))
    await type_in(pilot, field, value)
    await pilot.press("f2")
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "StrictEditModal"
    await pilot.press("f3")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "RecheckModal"


async def fill_recheck(pilot, code: str | None, expiry: str, tick: bool) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Select

    screen = pilot.app.screen
    select = screen.query_one("#recheck-type", Select)
    options = [value for _, value in select._options]
    if code is not None:
        assert code in options  # the practice's catalogue
        select.value = code
    screen.query_one("#recheck-expiry").focus()
    await pilot.press(*expiry)
    if tick:
        screen.query_one("#recheck-match").focus()
        await pilot.press("space")
    await settle(pilot)


def recheck_note(app, which: str) -> str:  # type: ignore[no-untyped-def]
    widget = app.screen.query_one(f"#recheck-{which}-error")
    return " ".join(str(widget.render()).split()) if widget.display else ""


async def test_recheck_on_the_document_keeps_a_qualified_identity_validated(app, clinic,
                                                                           practice):
    before = clinic.get(practice.adrun)
    checks_before = document_checks(clinic, practice.adrun)
    async with app.run_test(size=(80, 24)) as pilot:
        await edit_and_ask_recheck(pilot, practice.adrun, "birth_name", "ADRUNE")
        from textual.widgets import Select

        assert app.screen.query_one("#recheck-type", Select).value is Select.NULL  # no default
        assert ("Effet : La modification du nom de naissance, revérifiée sur le document "
                "d'identité, fera passer l'identité de « Identité qualifiée » à « Identité "
                "validée » et retirera l'INS.") in screen_text(app)
        await fill_recheck(pilot, "CN", "04032029", tick=True)
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"  # the form is closed
        assert any("« Identité validée »" in n for n in notifications(app))
    record = clinic.get(practice.adrun)
    assert (record.birth_name, record.status, record.matricule, record.oid) == (
        "ADRUNE", "VALI", None, None)
    assert record.version == before.version + 1
    assert document_checks(clinic, practice.adrun) == [*checks_before, ("CN", "2029-03-04", "ok")]
    event = clinic.history(practice.adrun)[-1]
    assert (event.action, event.operator) == ("traits_edited", "sophie")
    assert event.details["rechecked"] is True
    assert (event.details["document"]["document_type"],
            event.details["document"]["expires_on"]) == ("CN", {"CN": "2029-03-04"})
    assert [h.matricule for h in clinic.ins_history(practice.adrun)][-1] == ADRUN_MATRICULE
    assert clinic.verify_audit().ok


async def test_recheck_of_a_validated_identity_leaves_it_validated(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await edit_and_ask_recheck(pilot, practice.durand, "first_names", "MARIE LOUISE")
        assert ("Effet : La modification de la liste des prénoms de naissance, revérifiée sur "
                "le document d'identité, ne changera pas le statut de l'identité (« Identité "
                "validée »).") in screen_text(app)
        await fill_recheck(pilot, "PA", "01/01/2031", tick=True)
        await pilot.press("f2")
        await settle(pilot)
    record = clinic.get(practice.durand)
    assert (record.first_names, record.status) == ("MARIE LOUISE", "VALI")
    assert document_checks(clinic, practice.durand)[-1] == ("PA", "2031-01-01", "ok")
    assert audit_actions(clinic, practice.durand)[-1] == ("traits_edited", "sophie")


async def test_refused_rechecks_say_why_next_to_the_field_and_write_nothing(app, clinic,
                                                                           practice):
    before = clinic.get(practice.adrun)
    events = audit_actions(clinic)
    checks = document_checks(clinic, practice.adrun)
    async with app.run_test(size=(80, 24)) as pilot:
        await edit_and_ask_recheck(pilot, practice.adrun, "birth_name", "ADRUNE")
        await pilot.press("f2")  # nothing chosen
        await settle(pilot)
        assert "Choisissez le type de pièce présentée" in recheck_note(app, "type")
        await fill_recheck(pilot, "PA", "31/05/2025", tick=True)  # expired yesterday
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecheckModal"
        assert "a expiré le 31/05/2025" in recheck_note(app, "expiry")
        app.screen.query_one("#recheck-expiry").value = ""
        await fill_recheck(pilot, None, "01/01/2030", tick=True)  # untick: not confirmed
        await pilot.press("f2")
        await settle(pilot)
        assert "La pièce ne confirme pas les nouvelles valeurs" in recheck_note(app, "match")
        assert type(app.screen).__name__ == "RecheckModal"
        # Escape with something entered asks; F2 gives up the re-check, not the form.
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "EditScreen"
        assert app.screen.field("birth_name").value == "ADRUNE"
    assert clinic.get(practice.adrun) == before
    assert audit_actions(clinic) == events
    assert document_checks(clinic, practice.adrun) == checks


async def test_no_recheck_is_offered_when_it_would_change_nothing(app, clinic, practice):
    """A recovered identity (INS from INSi, no document checked): the domain keeps no document
    basis to re-check, so only the drop is offered. A provisional one: no question at all."""
    from .support import insi_outcome, traits

    recup = create_anyway(clinic, "sophie", traits(
        birth_name="ADRUN", first_name="ZOE", first_names="ZOE", birth_date=date(1975, 12, 31),
        sex="F", birth_place="63220")).record
    recup = clinic.apply_insi_outcome("sophie", recup.id, recup.version,
                                      insi_outcome(matricule="2900475056123", key="68"),
                                      accepted=True).saved.record
    assert recup.status == "RECUP"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot, EditScreen(recup.id))
        await type_in(pilot, "birth_name", "ADRUNE")
        await pilot.press("f2")
        await pilot.pause()
        assert type(app.screen).__name__ == "StrictEditModal"
        assert "Revérifier" not in screen_text(app)
        await pilot.press("f3")  # not offered: nothing happens
        await pilot.pause()
        assert type(app.screen).__name__ == "StrictEditModal"
        await pilot.press("escape")
        await settle(pilot)
        await open_form(pilot, EditScreen(practice.martin))
        await type_in(pilot, "birth_name", "MARTINS")
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "EditScreen"  # the first edit form, under it
    assert clinic.get(practice.martin).birth_name == "MARTINS"
    assert clinic.document_checks(practice.martin) == []
    assert clinic.get(recup.id) == recup
