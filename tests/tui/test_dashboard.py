"""Tableau de bord: the indicators of the practice (support.build_practice: five identities,
one QUAL) reached from the palette, a period typed, a bad period refused, the trend bars."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input, Static

from insterm.clinic import Clinic
from insterm.store.indicators import MonthFigures
from insterm.tui.screens.dashboard import DashboardScreen, trend_rows

from .support import Practice, settle


def text_of(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Static).render())


def table_rows(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#dash-table", DataTable)
    return {str(table.get_row_at(i)[0]).strip(): str(table.get_row_at(i)[1])
            for i in range(table.row_count)}


async def test_the_palette_opens_the_figures_of_the_last_twelve_months(
        app, practice: Practice, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"tableau", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert text_of(app, "#dash-headline").startswith(
            "Qualifiées : 20,0 % des identités (100,0 % des INS récupérés)")
        assert "5 identités dans le fichier, 5 vues" in text_of(app, "#dash-message")
        rows = table_rows(app)
        assert rows["QUAL (Identité qualifiée)"] == "1"
        assert rows["HOMA (Homonyme)"] == "1"
        assert rows["Passeport (conforme)"] == "2"
        trend = text_of(app, "#dash-trend").split("\n")
        assert len(trend) == 4 and trend[-1].endswith(
            ("janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov",
             "déc")[date.today().month - 1])
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DashboardScreen)


async def test_a_period_is_applied_and_a_bad_one_changes_nothing(
        app, practice: Practice) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(DashboardScreen())
        await settle(pilot)
        await pilot.press("f3", *"2020", "enter")
        await settle(pilot)
        assert "5 identités dans le fichier, 0 vues" in text_of(app, "#dash-message")
        assert str(app.screen.query_one("#dash-period-label").render()) == \
            "du 01/01/2020 au 31/12/2020"
        field = app.screen.query_one("#dash-period", Input)
        field.value = ""
        await pilot.press(*"2020-13", "f2")
        await settle(pilot)
        assert "n'existe pas" in text_of(app, "#dash-message")
        assert app.screen.query_one("#dash-message").has_class("-error")
        assert str(app.screen.query_one("#dash-period-label").render()) == \
            "du 01/01/2020 au 31/12/2020"


def test_trend_bars_in_unicode_and_ascii() -> None:
    trend = [MonthFigures("2026-01", 0, 0, 0), MonthFigures("2026-02", 4, 2, 2),
             MonthFigures("2026-03", 4, 4, 2)]
    assert trend_rows(trend, ascii_only=False) == [
        "          ████", "     ▄▄▄▄ ████", "     ████ ████", "janv févr mars"]
    ascii_rows = trend_rows(trend, ascii_only=True)
    assert ascii_rows == ["          ####", "     :::: ####", "     #### ####", "janv févr mars"]
    assert all(ch.isascii() for row in ascii_rows[:-1] for ch in row)
