"""The key i on a record: the patient told of the INS's use, recorded and shown; Escape records
nothing (the duty is asked, never forced)."""

from __future__ import annotations

from insterm.clinic import Clinic
from insterm.tui.screens.record import RecordScreen

from .insi_support import notifications, screen_text
from .support import Practice, audit_actions, settle


async def test_i_records_how_the_patient_was_told(app, practice: Practice,
                                                   clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordScreen(practice.adrun))
        await settle(pilot)
        assert "Information non enregistrée (touche i)" in screen_text(app)
        await pilot.press("i")
        await settle(pilot)
        assert type(app.screen).__name__ == "InformationModal"
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert clinic.last_information(practice.adrun) is None

        await pilot.press("i", "down", "down", "enter")  # the third line: document remis
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        assert "Information document remis le " in screen_text(app)
        assert any("Information enregistrée" in n for n in notifications(app))
    assert clinic.last_information(practice.adrun).how == "document"
    assert audit_actions(clinic, practice.adrun)[-1] == ("patient_informed", "sophie")


async def test_the_palette_writes_the_leaflet_in_the_home_folder(
        app, practice: Practice, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HOME", str(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"dépliant", "enter")
        await settle(pilot)
        written = tmp_path / "depliant-information-ins.pdf"
        assert any(f"Dépliant écrit : {written}" in n for n in notifications(app))
    assert written.read_bytes().startswith(b"%PDF-")
