"""Contrôle de pièce d'identité: every flow driven with the keyboard at 80x24 from the record
screen (F3), then checked in the database (status, document_check rows) and the audit log."""

from __future__ import annotations

from datetime import date

import pytest

from insterm.clinic import Clinic
from insterm.tui.screens.record import RecordScreen

from .support import audit_actions, create_anyway, insi_outcome, settle, traits

# The default practice catalogue, in the order the type list shows it.
TYPES = ("PA", "CN", "CS", "IE", "DC", "AN", "LE", "CV")
MINOR_SITUATIONS = ("parent", "guardian", "ase")
ADULT_SITUATIONS = ("adult_without", "ehpad")
PARENT_TYPES = ("PA", "CN", "CS", "IE")
TRAIT_KEYS = ("birth_name", "first_names", "birth_date", "sex", "birth_place")


# ------------------------------------------------------------------ helpers


def notifications(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


def shown(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    widget = app.screen.query_one(selector)
    return str(widget.render()) if widget.display else ""


def nothing_written(clinic: Clinic, identity_id: int, before, events) -> None:  # type: ignore[no-untyped-def]
    assert clinic.get(identity_id) == before
    assert clinic.document_checks(identity_id) == []
    assert audit_actions(clinic) == events


async def open_check(pilot, identity_id: int) -> None:  # type: ignore[no-untyped-def]
    """Search screen -> record -> F3, as the operator does."""
    await settle(pilot)
    pilot.app.clear_notifications()
    pilot.app.push_screen(RecordScreen(identity_id))
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "DocumentCheckScreen"


async def choose(pilot, select_id: str, index: int) -> None:  # type: ignore[no-untyped-def]
    """Open the list with Enter, go down to the option (after the empty prompt), Enter."""
    pilot.app.screen.query_one(f"#{select_id}").focus()
    await pilot.press("enter")
    await pilot.press(*["down"] * (index + 1))
    await pilot.press("enter")
    await pilot.pause()


async def choose_type(pilot, code: str) -> None:  # type: ignore[no-untyped-def]
    await choose(pilot, "doc-type", TYPES.index(code))


async def type_into(pilot, input_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one(f"#{input_id}").focus()
    await pilot.press(*text)
    await pilot.pause()


async def tick(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    for key in keys:
        pilot.app.screen.query_one(f"#trait-{key}").focus()
        await pilot.press("space")
    await pilot.pause()


async def save(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f2")
    await settle(pilot)


def retrieved_identity(clinic: Clinic) -> int:
    """A RECUP identity: ADRUN ZOE retrieved from INSi (own matricule), no document checked."""
    created = create_anyway(clinic, "admin", traits(
        birth_name="ADRUN", first_name="ZOE", first_names="ZOE", birth_date=date(1975, 12, 31),
        sex="F", birth_place="63220")).record
    outcome = insi_outcome(matricule="2751263220750", key="73")
    record = clinic.apply_insi_outcome("admin", created.id, created.version, outcome,
                                       accepted=True).saved.record
    assert record.status == "RECUP"
    return record.id


def minor_identity(clinic: Clinic) -> int:
    return clinic.create_identity("admin", traits(
        birth_name="PETIT", first_name="LEA", first_names="LEA CLAIRE",
        birth_date=date(2015, 4, 10), sex="F", birth_place="75056")).record.id


# ------------------------------------------------------------------ validation


async def test_passport_validates_a_provisional_identity(app, clinic, practice):
    before = clinic.get(practice.martin)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        screen = app.screen
        assert screen.query_one("#doc-type").value is screen.query_one("#doc-type").NULL
        await choose_type(pilot, "PA")
        assert "Preuve suffisante" in shown(app, "#proof-hint")
        await pilot.press("tab", *"01/01/2030", "enter")  # Enter goes on to the traits
        assert app.focused is screen.query_one("#trait-birth_name")
        for _ in TRAIT_KEYS:
            await pilot.press("space", "tab")
        await save(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert any("maintenant « Identité validée »" in n for n in notifications(app))
        assert "Identité validée" in str(app.screen.query_one("#record-status").render())
    record = clinic.get(practice.martin)
    assert (record.status, record.version) == ("VALI", before.version + 1)
    [row] = clinic.document_checks(practice.martin)
    assert (row["document_type"], row["expires_on"], row["outcome"]) == ("PA", "2030-01-01", "ok")
    assert audit_actions(clinic, practice.martin)[-1] == ("document_checked", "sophie")
    details = clinic.history(practice.martin)[-1].details
    assert details["documents"] == ["PA"] and details["expires_on"] == {"PA": "2030-01-01"}
    assert clinic.verify_audit().ok


async def test_the_trait_ticks_are_walked_with_down_and_up(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        screen = app.screen
        screen.query_one("#trait-birth_name").focus()
        await pilot.pause()
        for key in TRAIT_KEYS:  # Space ticks, Down goes to the next trait
            assert app.focused is screen.query_one(f"#trait-{key}")
            await pilot.press("space", "down")
        assert app.focused is screen.query_one(f"#trait-{TRAIT_KEYS[-1]}")  # the list ends
        await pilot.press("up")
        assert app.focused is screen.query_one(f"#trait-{TRAIT_KEYS[-2]}")
        assert all(screen.query_one(f"#trait-{key}").value for key in TRAIT_KEYS)


async def test_a_retrieved_identity_becomes_qualified(app, clinic, practice):
    identity = retrieved_identity(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, identity)
        assert "Identité récupérée" in shown(app, "#check-status")
        await choose_type(pilot, "CS")
        await type_into(pilot, "doc-expiry", "15082027")  # without slashes
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert any("maintenant « Identité qualifiée »" in n for n in notifications(app))
    record = clinic.get(identity)
    assert (record.status, record.matricule) == ("QUAL", "275126322075073")
    assert [r["document_type"] for r in clinic.document_checks(identity)] == ["CS"]
    assert audit_actions(clinic, identity)[-1] == ("document_checked", "sophie")


async def test_a_type_without_expiry_needs_no_date(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.legall)
        await choose_type(pilot, "IE")
        assert app.screen.query_one("#doc-expiry").disabled
        assert "niveau" in shown(app, "#type-note")  # the domain's note: check the level
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
    assert clinic.get(practice.legall).status == "VALI"
    [row] = clinic.document_checks(practice.legall)
    assert (row["document_type"], row["expires_on"]) == ("IE", None)


# ------------------------------------------------------------------ refusals: nothing written


async def test_no_type_chosen_is_refused(app, clinic, practice):
    before, events = clinic.get(practice.martin), audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await type_into(pilot, "doc-expiry", "01/01/2030")
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
        assert type(app.screen).__name__ == "DocumentCheckScreen"
        assert "aucun type n'est présélectionné" in shown(app, "#doc-type-error")
        assert app.focused is app.screen.query_one("#doc-type")
    nothing_written(clinic, practice.martin, before, events)


async def test_expired_document_is_refused_with_the_domain_message(app, clinic, practice):
    before, events = clinic.get(practice.martin), audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await choose_type(pilot, "CN")
        await type_into(pilot, "doc-expiry", "31/05/2025")  # the day before the practice's today
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
        assert type(app.screen).__name__ == "DocumentCheckScreen"
        message = "« Carte nationale d'identité » a expiré le 31/05/2025"
        assert message in shown(app, "#doc-expiry-error")
        assert any(message in n for n in notifications(app))
    nothing_written(clinic, practice.martin, before, events)


async def test_missing_or_malformed_expiry_dates_are_refused_next_to_the_field(app, clinic,
                                                                             practice):
    before, events = clinic.get(practice.martin), audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await choose_type(pilot, "PA")
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
        assert "Indiquez la date de fin de validité de « Passeport »" in \
            shown(app, "#doc-expiry-error")
        assert app.focused is app.screen.query_one("#doc-expiry")
        await pilot.press(*"31/02/2030")
        assert shown(app, "#doc-expiry-error") == ""  # typing clears the message
        await save(pilot)
        assert "Le 31/02/2030 n'existe pas" in shown(app, "#doc-expiry-error")
        app.screen.query_one("#doc-expiry").value = ""
        await pilot.press(*"1/1/30")
        await save(pilot)
        assert "JJ/MM/AAAA" in shown(app, "#doc-expiry-error")
        assert app.screen.query_one("#check-message").display
        assert type(app.screen).__name__ == "DocumentCheckScreen"
    nothing_written(clinic, practice.martin, before, events)


async def test_a_trait_not_confirmed_is_refused_and_says_what_to_do(app, clinic, practice):
    before, events = clinic.get(practice.martin), audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await choose_type(pilot, "PA")
        await type_into(pilot, "doc-expiry", "01/01/2030")
        await tick(pilot, "birth_name", "first_names", "birth_date", "birth_place")
        await save(pilot)
        assert type(app.screen).__name__ == "TraitMismatchModal"
        text = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "Sexe n'est pas confirmé" in text
        assert "corrigez d'abord l'identité (F3)" in text and "douteuse" in text
        await pilot.press("escape")  # back to the check, the form as it was
        await pilot.pause()
        assert type(app.screen).__name__ == "DocumentCheckScreen"
        assert app.screen.query_one("#trait-birth_name").value
    nothing_written(clinic, practice.martin, before, events)


async def reach_mismatch(pilot, identity_id: int) -> None:
    """A passport check with only the birth name and the sex ticked: the mismatch dialog."""
    await open_check(pilot, identity_id)
    await choose_type(pilot, "PA")
    await type_into(pilot, "doc-expiry", "01/01/2030")
    await tick(pilot, "birth_name", "sex")
    await save(pilot)


async def test_after_a_mismatch_the_identity_can_be_marked_doubtful(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await reach_mismatch(pilot, practice.martin)
        text = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "prénoms de naissance, date de naissance et lieu de naissance ne sont pas " \
               "confirmés" in " ".join(text.split()).lower()
        await pilot.press("f6")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert any("Identité marquée douteuse" in n for n in notifications(app))
    record = clinic.get(practice.martin)
    assert (record.status, record.dout) == ("PROV", True)
    assert clinic.document_checks(practice.martin) == []
    assert audit_actions(clinic, practice.martin)[-1] == ("attribute_set", "sophie")


async def test_after_a_mismatch_f3_opens_the_identity_edit(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await choose_type(pilot, "PA")
        await save(pilot)  # the missing date is said first
        await type_into(pilot, "doc-expiry", "01/01/2030")
        await save(pilot)
        assert type(app.screen).__name__ == "TraitMismatchModal"
        await pilot.press("f3")
        await settle(pilot)
        assert type(app.screen).__name__ == "EditScreen"
        stack = [type(s).__name__ for s in app.screen_stack]
        assert "DocumentCheckScreen" in stack  # the typed document is kept meanwhile
    assert clinic.document_checks(practice.martin) == []


@pytest.mark.parametrize(("button", "screen"), [("#mismatch-edit", "EditScreen"),
                                                  ("#mismatch-doubtful", "RecordScreen"),
                                                  ("#mismatch-back", "DocumentCheckScreen")])
async def test_the_mismatch_buttons_do_what_their_keys_do(app, clinic, practice, button, screen):
    async with app.run_test(size=(80, 24)) as pilot:
        await reach_mismatch(pilot, practice.martin)
        assert type(app.screen).__name__ == "TraitMismatchModal"
        await pilot.click(button)
        await settle(pilot)
        assert type(app.screen).__name__ == screen
    assert clinic.get(practice.martin).dout == (button == "#mismatch-doubtful")
    assert clinic.document_checks(practice.martin) == []


async def test_carte_vitale_alone_is_refused(app, clinic, practice):
    before, events = clinic.get(practice.martin), audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await choose_type(pilot, "CV")
        assert app.screen.query_one("#combined").display
        assert "ne prouve jamais une identité à elle seule" in shown(app, "#combined-intro")
        assert "n'est jamais une preuve" in shown(app, "#proof-hint")
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
        assert type(app.screen).__name__ == "DocumentCheckScreen"
        assert "La carte Vitale n'est jamais une preuve d'identité à elle seule" in \
            shown(app, "#doc-type-error")
        assert any("n'est jamais une preuve" in n for n in notifications(app))
    nothing_written(clinic, practice.martin, before, events)


async def test_a_doubtful_identity_cannot_be_validated(app, clinic, practice):
    record = clinic.set_attribute("admin", practice.legall, 1, "DOUT").record
    events = audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.legall)
        banner = shown(app, "#check-blocked")
        assert "Contrôle impossible" in banner and "« Identité douteuse »" in banner
        await choose_type(pilot, "PA")
        await type_into(pilot, "doc-expiry", "01/01/2030")
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
        assert type(app.screen).__name__ == "DocumentCheckScreen"
        assert any("attribut « Identité douteuse »" in n for n in notifications(app))
    nothing_written(clinic, practice.legall, record, events)


async def test_a_record_changed_meanwhile_gives_the_conflict_then_saves_on_retry(app, clinic,
                                                                                 practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        changed = clinic.set_attribute("admin", practice.martin, 1, "HOMA").record  # elsewhere
        events = audit_actions(clinic)
        await choose_type(pilot, "PA")
        await type_into(pilot, "doc-expiry", "01/01/2030")
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
        assert type(app.screen).__name__ == "DocumentCheckScreen"
        assert any("modifié par Alice Admin (admin)" in n and "rien n'a été enregistré" in n
                   for n in notifications(app))
        nothing_written(clinic, practice.martin, changed, events)
        # The screen read the record again; traits unchanged: the ticks stay, F2 saves.
        assert app.screen.query_one("#trait-sex").value
        await save(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
    record = clinic.get(practice.martin)
    assert (record.status, record.homa) == ("VALI", True)
    assert audit_actions(clinic, practice.martin)[-2:] == [("attribute_set", "admin"),
                                                           ("document_checked", "sophie")]


async def test_changed_strict_traits_untick_the_confirmations(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await tick(pilot, *TRAIT_KEYS)
        clinic.edit_traits("admin", practice.martin, 1, {"sex": "F"})  # elsewhere
        app.screen.reload()
        await settle(pilot)
        assert not any(app.screen.query_one(f"#trait-{k}").value for k in TRAIT_KEYS)
        assert "féminin (F)" in str(app.screen.query_one("#trait-sex").label)
        assert "recochez" in shown(app, "#check-message")


# ------------------------------------------------------------------ combined proofs


async def test_minor_with_livret_de_famille_and_parent_identity_card_is_accepted(app, clinic,
                                                                                 practice):
    child = minor_identity(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, child)
        assert "patient mineur" in shown(app, "#check-who")
        await choose_type(pilot, "LE")
        assert app.screen.query_one("#combined").display
        assert "cette pièce ne suffit pas seule" in shown(app, "#combined-intro")
        assert "il manque un document à haut niveau de confiance d'un parent" in \
            shown(app, "#proof-hint")
        await choose(pilot, "situation", MINOR_SITUATIONS.index("parent"))
        assert app.screen.query_one("#holder").display
        assert not app.screen.query_one("#vitale").display
        await choose(pilot, "other-type", PARENT_TYPES.index("CN"))
        assert "Preuve suffisante : Mineur : acte de naissance ou livret de famille et " \
               "document d'un parent" in shown(app, "#proof-hint")
        await save(pilot)  # the parent's card needs its end of validity
        assert "« Carte nationale d'identité »" in shown(app, "#other-expiry-error")
        await type_into(pilot, "other-expiry", "01/01/2031")
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert any("Identité validée" in n for n in notifications(app))
    assert clinic.get(child).status == "VALI"
    [row] = clinic.document_checks(child)
    assert (row["document_type"], row["expires_on"]) == ("LE", "2031-01-01")
    details = clinic.history(child)[-1].details
    assert details["documents"] == ["LE", "CN"]
    assert details["rule"].startswith("Mineur : acte de naissance ou livret de famille")


async def test_minor_with_guardian_needs_the_court_decision(app, clinic, practice):
    child = minor_identity(clinic)
    before, events = clinic.get(child), audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, child)
        await choose_type(pilot, "AN")
        await choose(pilot, "situation", MINOR_SITUATIONS.index("guardian"))
        assert app.screen.query_one("#court-decision").display
        await choose(pilot, "other-type", PARENT_TYPES.index("PA"))
        await type_into(pilot, "other-expiry", "01/01/2031")
        assert "la décision de justice désignant le tuteur" in shown(app, "#proof-hint")
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
        assert type(app.screen).__name__ == "DocumentCheckScreen"
        assert any("décision de justice" in n for n in notifications(app))
        nothing_written(clinic, child, before, events)
        app.screen.query_one("#court-decision").focus()
        await pilot.press("space")
        await save(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
    assert clinic.get(child).status == "VALI"
    details = clinic.history(child)[-1].details
    assert details["documents"] == ["AN", "PA"] and "tuteur" in details["rule"]


async def test_adult_without_documents_birth_certificate_and_vitale(app, clinic, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.legall)
        await choose_type(pilot, "AN")
        assert "ne suffit pas seule pour un majeur" in shown(app, "#combined-intro")
        await choose(pilot, "situation", ADULT_SITUATIONS.index("adult_without"))
        assert app.screen.query_one("#vitale").display
        assert "carte Vitale avec photographie" in shown(app, "#proof-hint")
        app.screen.query_one("#vitale").focus()
        await pilot.press("space")
        assert "Preuve suffisante : Majeur sans document" in shown(app, "#proof-hint")
        await tick(pilot, *TRAIT_KEYS)
        await save(pilot)
    assert clinic.get(practice.legall).status == "VALI"
    [row] = clinic.document_checks(practice.legall)
    assert row["document_type"] == "AC"  # ZFD-7 code of birth certificate + Vitale
    assert clinic.history(practice.legall)[-1].details["documents"] == ["AN", "CV"]


# ------------------------------------------------------------------ leaving


async def test_escape_with_nothing_typed_goes_straight_back(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "RecordScreen"


async def test_escape_never_discards_typed_data_without_asking(app, clinic, practice):
    before, events = clinic.get(practice.martin), audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await tick(pilot, "sex")
        app.screen.query_one("#doc-type").focus()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        await pilot.press("escape")  # "Annuler": stay, the tick is still there
        await pilot.pause()
        assert type(app.screen).__name__ == "DocumentCheckScreen"
        assert app.screen.query_one("#trait-sex").value
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f2")  # F2 confirms in every dialog: "Abandonner"
        await pilot.pause()
        assert type(app.screen).__name__ == "RecordScreen"
    nothing_written(clinic, practice.martin, before, events)


async def test_f1_explains_the_screen(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "aucun n'est présélectionné" in " ".join(text.split())


# ------------------------------------------------------------------ the practice's catalogue


async def test_only_the_practice_catalogue_is_offered_with_none_preselected(app, clinic,
                                                                            practice):
    clinic.set_document_catalogue("admin", ["PA", "CS", "AN"])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        select = app.screen.query_one("#doc-type")
        assert select.is_blank()
        overlay = select.query_one("SelectOverlay")
        offered = [str(overlay.get_option_at_index(i).prompt)
                   for i in range(overlay.option_count)]
        assert offered == ["Choisissez le type de pièce…",  # the blank prompt: nothing chosen
                           "Passeport", "Titre de séjour", "Extrait d'acte de naissance"]
        assert not app.screen.query_one("#catalogue-note").display


def test_default_catalogue_when_the_clinic_cannot_tell(clinic, practice):
    from insterm.domain.documents import DEFAULT_PRACTICE_CATALOGUE
    from insterm.tui.forms.document_check import load_check_view

    class OlderClinic:  # a facade without document_catalogue()
        def get(self, identity_id: int):  # type: ignore[no-untyped-def]
            return clinic.get(identity_id)

        def today(self):  # type: ignore[no-untyped-def]
            return clinic.today()

    view = load_check_view(OlderClinic(), practice.martin)
    assert view.catalogue == DEFAULT_PRACTICE_CATALOGUE and view.default_catalogue
    assert (view.minor, view.blocked, view.expected_status) == (False, None, "VALI")
    assert not load_check_view(clinic, practice.martin).default_catalogue


async def test_the_expiry_field_takes_every_date_shape(app, clinic, practice):
    """The field lets through what `insterm.domain.dates` reads ("1.1.2030" kept its dots)."""
    async with app.run_test(size=(80, 24)) as pilot:
        await open_check(pilot, practice.martin)
        await choose_type(pilot, "PA")
        await type_into(pilot, "doc-expiry", "1.1.2030")
        assert app.screen.query_one("#doc-expiry").value == "1.1.2030"
        await tick(pilot, "birth_name", "first_names", "birth_date", "sex", "birth_place")
        await save(pilot)
        await settle(pilot)
    (check,) = clinic.document_checks(practice.martin)
    assert check["expires_on"] == date(2030, 1, 1).isoformat()
