"""The quick capture of an identity nobody can name yet, from the palette: an unknown patient
(DOUT, INCONNU, estimated year) and anonymity on request (FICT, alias required); both stay
PROV, INSi is refused for them, and the dashboard reminds the unknown until completed."""

from __future__ import annotations

import json
from datetime import date

from textual.widgets import Input, Select

from insterm.clinic import Clinic
from insterm.domain.period import last_months
from insterm.tui.screens.record import RecordScreen
from insterm.tui.screens.unnamed import UnnamedScreen
from insterm.usecases.indicators import report

from .insi_support import notifications, screen_text
from .support import Practice, settle


def created(clinic: Clinic) -> tuple:  # type: ignore[type-arg]
    row = clinic.conn.execute(
        "SELECT i.birth_name, i.first_name, i.birth_date, i.birth_date_corrected, i.sex,"
        " i.status, i.dout, i.fict, a.details FROM identity i JOIN audit a"
        " ON a.identity_id = i.id AND a.action = 'identity_created' ORDER BY i.id DESC LIMIT 1"
    ).fetchone()
    return (*row[:8], json.loads(row[8]).get("unnamed"))


async def test_an_unknown_patient_in_a_few_keys(app, practice: Practice,
                                                clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"non identifiable", "enter")
        await settle(pilot)
        assert isinstance(app.screen, UnnamedScreen)
        await pilot.press("f2")  # nothing said yet: the sex is asked first
        await settle(pilot)
        assert "Indiquez le sexe" in screen_text(app)
        app.screen.query_one("#unnamed-sex", Select).value = "M"
        app.screen.query_one("#unnamed-year", Input).focus()
        await pilot.press(*"1950", "f2")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert any("INCONNU INCONNU" in n and "douteuse" in n for n in notifications(app))
        await pilot.press("f4")  # INSi is never called for a doubtful identity
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert any("Qualification impossible" in n or "INSi ne peut pas" in n
                   for n in notifications(app))
    assert created(clinic) == ("INCONNU", "INCONNU", "1950-12-31", 1, "M", "PROV", 1, 0,
                               "inconnu")
    assert report(clinic.conn, last_months(date.today())).unnamed_to_complete == 1


async def test_anonymity_needs_the_alias_and_is_fictitious(app, practice: Practice,
                                                           clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    before = clinic.conn.execute("SELECT count(*) FROM identity").fetchone()[0]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(UnnamedScreen())
        await settle(pilot)
        screen = app.screen
        screen.query_one("#unnamed-kind", Select).value = "anonyme"
        screen.query_one("#unnamed-sex", Select).value = "F"
        screen.query_one("#unnamed-birth-date", Input).value = "02/03/1985"
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert "nom d'emprunt" in screen_text(app)
        assert screen.query_one("#unnamed-birth-name", Input).has_focus
        assert clinic.conn.execute("SELECT count(*) FROM identity").fetchone()[0] == before
        await pilot.press(*"durand")
        screen.query_one("#unnamed-first-name", Input).focus()
        await pilot.press(*"lea", "f2")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
    assert created(clinic) == ("DURAND", "LEA", "1985-03-02", 0, "F", "PROV", 0, 1, "anonyme")
    assert report(clinic.conn, last_months(date.today())).unnamed_to_complete == 0


async def test_anonymity_is_shown_plainly_in_the_record_the_list_and_every_export(
        app, practice: Practice, clinic: Clinic, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """FICT on the record, in the search list, and in the FHIR, HL7 and CSV exports."""
    from insterm.usecases.exports import HL7Options

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(UnnamedScreen())
        await settle(pilot)
        screen = app.screen
        screen.query_one("#unnamed-kind", Select).value = "anonyme"
        screen.query_one("#unnamed-sex", Select).value = "F"
        screen.query_one("#unnamed-birth-date", Input).value = "02/03/1985"
        screen.query_one("#unnamed-birth-name", Input).value = "DURAND"
        screen.query_one("#unnamed-first-name", Input).value = "LEA"
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        assert "fictive" in screen_text(app).lower()
        actor = app.actor
        app.pop_screen()
        await settle(pilot)
        await pilot.press(*"durand lea")
        await settle(pilot)
        table = app.screen.query_one("#search-results")
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[1] == "DURAND" and row[-2] == "F"  # the attribute column: its letter
        preview = str(app.screen.query_one("#search-preview").render())
        assert "fictive" in preview.lower()  # and in words on the line under the list
    ipp = clinic.conn.execute("SELECT ipp FROM identity WHERE birth_name = 'DURAND'"
                              ).fetchone()[0]
    fhir = clinic.export_fhir(actor, [ipp]).data.decode()
    assert '"code": "FICT"' in fhir.replace('":"', '": "') and "Identité fictive" in fhir
    hl7 = clinic.export_hl7(actor, [ipp], tmp_path, HL7Options(event="A28",
                                                               finess="630000001"))
    assert "FICT" in hl7.data.decode()
    assert "FICT" in clinic.export_csv(actor, "durand lea").data.decode()
