"""A full disk under the TUI: the store's French message, never "Erreur inattendue", nothing
written, and the form still there to try again (issue 9.4). The practice lives on a tmpfs of a
few MiB (tests/conftest.py: tiny_disk), filled up before the save."""

from __future__ import annotations

from pathlib import Path

import pytest

from insterm.tui.screens.record import RecordScreen

from .support import settle
from .test_edit import fill_new_patient, identity_count, notifications, open_form, type_in


@pytest.fixture
def db_path(tiny_disk) -> Path:  # type: ignore[no-untyped-def]
    return tiny_disk.path / "cabinet.sqlite3"


def _no_unexpected_error(app) -> None:  # type: ignore[no-untyped-def]
    assert all(type(screen).__name__ != "ErrorModal" for screen in app.screen_stack)
    assert not any("Erreur inattendue" in text for text in notifications(app))


async def test_create_on_a_full_disk_says_free_some_space(app, clinic, practice,  # type: ignore[no-untyped-def]
                                                          tiny_disk):
    before = identity_count(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_form(pilot)
        await fill_new_patient(pilot)
        tiny_disk.fill()
        await pilot.press("f2")
        await settle(pilot)
        _no_unexpected_error(app)
        assert type(app.screen).__name__ == "CreateScreen"  # the typed values are kept
        assert any("Disque plein" in text and "Libérez de la place" in text
                   for text in notifications(app)), notifications(app)
        assert identity_count(clinic) == before
        tiny_disk.free()  # space back: the same F2 saves
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
    assert identity_count(clinic) == before + 1
    assert clinic.verify_audit().ok


async def test_edit_on_a_full_disk_says_free_some_space(app, clinic, practice,  # type: ignore[no-untyped-def]
                                                        tiny_disk):
    before = clinic.get(practice.durand)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(RecordScreen(practice.durand))
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await type_in(pilot, "used_name", "DURAND-MARTIN")
        tiny_disk.fill()
        await pilot.press("f2")
        await settle(pilot)
        _no_unexpected_error(app)
        assert type(app.screen).__name__ == "EditScreen"
        assert any("Disque plein" in text for text in notifications(app)), notifications(app)
    assert clinic.get(practice.durand) == before
    tiny_disk.free()
    assert clinic.verify_audit().ok
