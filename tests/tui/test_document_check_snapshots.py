"""Snapshots of the document check screen at 80x24, one per main state (empty form, combined
proof of a minor, trait mismatch dialog, doubtful identity), on a fresh practice database whose
`today` is fixed. Update deliberately: `pytest tests/tui/test_document_check_snapshots.py
--snapshot-update`, then look at the SVGs."""

from __future__ import annotations

from datetime import date

from insterm.tui.screens.record import RecordScreen

from .support import settle, traits
from .test_document_check import MINOR_SITUATIONS, PARENT_TYPES, TYPES

SIZE = (80, 24)


async def _open_check(pilot, identity_id: int) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    pilot.app.push_screen(RecordScreen(identity_id))
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)


async def _choose(pilot, select_id: str, index: int) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one(f"#{select_id}").focus()
    await pilot.press("enter", *["down"] * (index + 1), "enter")
    await pilot.pause()


async def _quiet(pilot) -> None:  # type: ignore[no-untyped-def]
    pilot.app.clear_notifications()
    await pilot.pause()


def test_empty_form(snap_compare, app, practice) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_check(pilot, practice.martin)
        await _quiet(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_minor_with_a_parent_document(snap_compare, app, clinic, practice) -> None:
    child = clinic.create_identity("admin", traits(
        birth_name="PETIT", first_name="LEA", first_names="LEA CLAIRE",
        birth_date=date(2015, 4, 10), sex="F", birth_place="75056")).record.id

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_check(pilot, child)
        await _choose(pilot, "doc-type", TYPES.index("LE"))
        await _choose(pilot, "situation", MINOR_SITUATIONS.index("parent"))
        await _choose(pilot, "other-type", PARENT_TYPES.index("CN"))
        await pilot.press("tab", *"01/01/2031")
        await _quiet(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_trait_mismatch_dialog(snap_compare, app, practice) -> None:
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_check(pilot, practice.martin)
        await _choose(pilot, "doc-type", TYPES.index("PA"))
        await pilot.press("tab", *"01/01/2030", "enter", "space")
        await pilot.press("f2")
        await settle(pilot)
        await _quiet(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_doubtful_identity(snap_compare, app, clinic, practice) -> None:
    clinic.set_attribute("admin", practice.legall, 1, "DOUT")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_check(pilot, practice.legall)
        await _quiet(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
