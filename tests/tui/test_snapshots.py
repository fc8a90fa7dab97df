"""Snapshots (pytest-textual-snapshot) of the main screens at 80x24, on a practice written at
a fixed time (the history shows dates). Update deliberately: pytest tests/tui --snapshot-update,
then look at the SVGs in tests/tui/__snapshots__/."""

from __future__ import annotations

import time

import pytest

from insterm.tui.app import InstermApp
from insterm.tui.look import TerminalLook
from insterm.tui.screens.record import RecordScreen

from .support import build_practice, settle

FIXED_NOW = "2025-05-30T08:15:00.000000+00:00"


@pytest.fixture
def snapshot_app(monkeypatch, clinic):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    import insterm.usecases.context as context
    import insterm.usecases.operators as operators

    monkeypatch.setattr(context, "utc_now", lambda: FIXED_NOW)
    monkeypatch.setattr(operators, "utc_now", lambda: FIXED_NOW)
    practice = build_practice(clinic)
    app = InstermApp(clinic, os_login="sophie",
                     look=TerminalLook(ascii=False, theme="textual-dark", animations="none"))
    yield app, practice
    monkeypatch.delenv("TZ")
    time.tzset()


def test_search_screen_with_results(snap_compare, snapshot_app) -> None:
    app, _ = snapshot_app

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press(*"MARTIN")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_record_screen_of_a_qualified_identity(snap_compare, snapshot_app) -> None:
    app, practice = snapshot_app

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        app.push_screen(RecordScreen(practice.adrun))
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_attribute_confirmation_says_the_status_drop(snap_compare, snapshot_app) -> None:
    app, practice = snapshot_app

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        app.push_screen(RecordScreen(practice.adrun))
        await settle(pilot)
        await pilot.press("f6", "d")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_attributes_dialog_of_a_homonym(snap_compare, snapshot_app) -> None:
    app, practice = snapshot_app

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        app.push_screen(RecordScreen(practice.dupont))
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_search_screen_on_the_linux_console(snap_compare, snapshot_app) -> None:
    app, _ = snapshot_app
    app.look = TerminalLook(ascii=True, theme="ansi-dark", animations="none")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press(*"ADRUN")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
