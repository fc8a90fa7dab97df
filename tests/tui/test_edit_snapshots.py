"""Snapshots of the identity form at 80x24, one per main state: the new empty form; the form
being typed (proposals, birth-place list, duplicate hints); a qualified identity being edited;
the status drop announced before saving, with the re-check on the document offered; that
re-check filled in. Built on a fresh practice database (fixed clock)."""

from __future__ import annotations

from textual.screen import Screen

from insterm.tui.screens.edit import HINTS_DEBOUNCE_SECONDS, CreateScreen, EditScreen

from .support import settle

SIZE = (80, 24)


async def _open(pilot, screen: Screen[None]) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot)


def test_new_patient_empty_form(snap_compare, app):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open(pilot, CreateScreen())

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_new_patient_typing_with_proposals_places_and_hints(snap_compare, app):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open(pilot, CreateScreen("martin jean"))
        form = pilot.app.screen
        form.field("birth_date").value = "01/02/1980"
        form.field("sex").value = "M"
        form.field("birth_place").input.focus()
        await pilot.press(*"clermont")
        await pilot.pause(HINTS_DEBOUNCE_SECONDS + 0.1)
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_edit_of_a_qualified_identity(snap_compare, app, practice):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open(pilot, EditScreen(practice.adrun))
        await pilot.pause(HINTS_DEBOUNCE_SECONDS + 0.1)
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_edit_announces_the_status_drop(snap_compare, app, practice):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open(pilot, EditScreen(practice.adrun))
        field = pilot.app.screen.field("birth_name")
        field.value = "ADRUNE"
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_edit_recheck_on_the_document(snap_compare, app, practice):
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open(pilot, EditScreen(practice.adrun))
        pilot.app.screen.field("birth_name").value = "ADRUNE"
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        pilot.app.screen.query_one("#recheck-type").value = "CN"
        pilot.app.screen.query_one("#recheck-expiry").value = "04/03/2029"
        pilot.app.screen.query_one("#recheck-match").focus()
        await pilot.press("space")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)
