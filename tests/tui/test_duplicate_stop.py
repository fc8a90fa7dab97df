"""F2 on a new patient nearly identical to a stored one (issue 14.2): the form asks first,
both identities side by side; opening the existing record creates nothing, "create anyway"
creates the record with the typed reason in its audit event."""

from __future__ import annotations

import json
from datetime import date

from insterm.domain.identity import UsedNames
from insterm.tui.screens.duplicate_stop import DuplicateStopModal
from insterm.tui.screens.edit import CreateScreen

from .support import settle, traits


def ghislaine_exists(clinic) -> int:  # type: ignore[no-untyped-def]
    return clinic.create_identity("sophie", traits(
        birth_name="DUBRAI", first_name="GHISLAINE", first_names="GHISLAINE",
        birth_date=date(1942, 1, 10), sex="F", birth_place=None),
        UsedNames.build(used_name="BABIN-DUBRAY")).record.id


def count(clinic) -> int:  # type: ignore[no-untyped-def]
    return clinic.conn.execute("SELECT count(*) FROM identity").fetchone()[0]


async def type_ghislaine_and_save(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(CreateScreen())
    await settle(pilot)
    values = {"birth_name": "DUBRAI", "first_name": "GHISLAINE", "first_names": "",
              "birth_date": "10/01/1942", "sex": "F"}
    for name, value in values.items():
        field = pilot.app.screen.field(name)
        field.input.focus()
        field.value = value
        await pilot.pause()
    await pilot.press("f2")
    await settle(pilot)


def modal_text(app) -> str:  # type: ignore[no-untyped-def]
    parts = [str(w.render()) for w in app.screen.query("Static, Label, Button")]
    return " ".join(" ".join(parts).split())


async def test_f2_asks_and_opening_the_existing_record_creates_nothing(app, clinic, practice):
    existing = ghislaine_exists(clinic)
    before = count(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_ghislaine_and_save(pilot)
        assert isinstance(app.screen, DuplicateStopModal)
        text = modal_text(app)
        assert "existe peut-être déjà" in text
        assert "BABIN-DUBRAY" in text and "(saisie)" in text  # side by side
        assert "Ouvrir le dossier existant" in text
        assert app.screen.focused is app.screen.query_one("#stop-open")
        await pilot.press("f2")  # the default answer
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert app.screen.identity_id == existing
        # The form is gone: Escape goes back to the search, without asking.
        assert [type(s).__name__ for s in app.screen_stack][-2:] == ["SearchScreen",
                                                                     "RecordScreen"]
    assert count(clinic) == before


async def test_escape_goes_back_to_the_form_with_the_typed_data(app, clinic, practice):
    ghislaine_exists(clinic)
    before = count(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_ghislaine_and_save(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CreateScreen)
        assert app.screen.field("birth_name").value == "DUBRAI"
    assert count(clinic) == before


async def test_create_anyway_needs_a_reason_then_audits_it(app, clinic, practice):
    existing = ghislaine_exists(clinic)
    before = count(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_ghislaine_and_save(pilot)
        modal = app.screen
        await pilot.click("#stop-create")  # no reason yet: refused, the field takes the focus
        await settle(pilot)
        assert app.screen is modal
        assert modal.focused is modal.query_one("#stop-reason")
        assert any("Raison" in n.title or "raison" in n.message.lower()
                   for n in app._notifications)
        assert count(clinic) == before
        await pilot.press(*"jumelle, piece vue", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        new_id = app.screen.identity_id
    assert count(clinic) == before + 1
    assert new_id != existing
    (details,) = [json.loads(d) for (d,) in clinic.conn.execute(
        "SELECT details FROM audit WHERE identity_id = ? AND action = 'identity_created'",
        (new_id,))]
    assert details["created_despite_duplicate"]["reason"] == "jumelle, piece vue"
    assert details["created_despite_duplicate"]["candidates"][0]["id"] == existing
    assert clinic.verify_audit().ok
