"""Dialogs (issue 14.4): F2 confirms in every one, the key that opened a dialog closes it, and
the footer under a dialog shows the dialog's keys, never those of the screen below (which the
dialog ignores)."""

from __future__ import annotations

from typing import Any

from insterm.tui.screens.duplicates import SurvivorModal
from insterm.tui.screens.edit import CreateScreen
from insterm.tui.screens.record import RecordScreen

from .support import audit_actions, settle


def bottom_line(app: Any) -> str:
    return app.screen._compositor.render_strips()[-1].text


async def test_the_footer_under_a_dialog_shows_the_dialog_keys(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CreateScreen("dürand élodie"))  # proposals: F4 shown on the form
        await settle(pilot)
        assert "Appliquer" in bottom_line(app)
        app.screen.field("sex").input.focus()
        await pilot.press("f")  # something typed
        await pilot.press("escape")  # typed data: "Abandonner la saisie ?"
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmModal"
        line = bottom_line(app)
        assert "Confirmer" in line and "Annuler" in line
        assert "Appliquer" not in line and "Enregistrer" not in line


async def test_f2_confirms_the_discard_question_too(app, clinic, practice):
    events = audit_actions(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(CreateScreen())
        await settle(pilot)
        await pilot.press(*"BERNARD", "escape")
        await settle(pilot)
        assert app.focused.id == "confirm-no"  # a stray Enter keeps the data
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"
    assert audit_actions(clinic) == events


async def test_f6_closes_the_attributes_dialog_it_opened_and_f2_chooses(app, clinic, practice):
    before = clinic.get(practice.martin)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordScreen(practice.martin))
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert type(app.screen).__name__ == "AttributesModal"
        assert "Fermer" in bottom_line(app)
        await pilot.press("f6")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        await pilot.press("f6", "down", "f2")  # "fictive", highlighted: its confirmation
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmModal"
        await pilot.press("escape")
        await settle(pilot)
    assert clinic.get(practice.martin) == before


async def test_f4_closes_the_merge_choice_it_opened_and_f2_keeps_the_highlighted(app, clinic,
                                                                                  practice):
    martin, durand = clinic.find("MARTIN").items[:2]
    chosen: list[int | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(SurvivorModal(martin, durand), callback=chosen.append)
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        app.push_screen(SurvivorModal(martin, durand), callback=chosen.append)
        await settle(pilot)
        highlighted = app.screen.query_one("#survivor-options").highlighted
        await pilot.press("f2")
        await settle(pilot)
    assert chosen == [None, (martin, durand)[highlighted].id]
