"""The search results table: columns cropped to their width, one row cursor moved by the keys
and the mouse, Enter and a click on the highlighted row select it."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App, ComposeResult

from insterm.tui.widgets.results_table import Column, ResultsTable, columns_for

COLUMNS = [("IPP", 4), ("Nom", 6), ("Statut", 5)]
ROWS = [("0001", "MARTIN", Text("Val.", style="bold blue")),
        ("0002", "DURAND-LEFEBVRE", "Prov."),
        ("0003", "LE GALL", "Qual.")]


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield ResultsTable(COLUMNS, id="table")

    def on_results_table_row_highlighted(self, event: ResultsTable.RowHighlighted) -> None:
        self.events.append(("highlighted", event.cursor_row))

    def on_results_table_row_selected(self, event: ResultsTable.RowSelected) -> None:
        self.events.append(("selected", event.cursor_row))


def line_text(table: ResultsTable, y: int) -> str:
    return "".join(segment.text for segment in table.render_line(y))


async def test_header_and_rows_are_cropped_to_their_columns() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ResultsTable)
        table.set_rows(ROWS)
        await pilot.pause()
        assert line_text(table, 0).rstrip() == " IPP  Nom    Statu"  # cut at 5 columns
        assert line_text(table, 1).rstrip() == " 0001 MARTIN Val."
        assert line_text(table, 2).rstrip() == " 0002 DURAND Prov."  # cut at 6 columns
        assert line_text(table, 4).strip() == ""  # below the rows: blank
        assert all(len(line_text(table, y)) == table.size.width for y in range(5))
        assert table.row_count == 3 and table.get_row_at(1)[1] == "DURAND-LEFEBVRE"


async def test_a_cell_keeps_its_style_and_the_cursor_row_takes_the_cursor_colours() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ResultsTable)
        table.set_rows(ROWS)
        table.focus()
        await pilot.pause()
        cursor = table.get_component_rich_style("results-table--cursor")
        status = next(s for s in table.render_line(1) if s.text.strip() == "Val.")
        assert status.style.bold and status.style.bgcolor == cursor.bgcolor
        await pilot.press("down")
        status = next(s for s in table.render_line(1) if s.text.strip() == "Val.")
        assert status.style.bold and status.style.color.name == "blue"
        assert status.style.bgcolor != cursor.bgcolor


async def test_keys_move_the_cursor_within_the_rows_and_enter_selects() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ResultsTable)
        table.set_rows(ROWS)
        table.focus()
        await pilot.pause()
        assert table.cursor_row == 0 and app.events == [("highlighted", 0)]
        await pilot.press("down", "down", "down")  # the last row stops it
        assert table.cursor_row == 2
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.press("end", "up")
        assert table.cursor_row == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.events[-1] == ("selected", 1)


async def test_a_click_highlights_a_row_and_a_second_click_selects_it() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ResultsTable)
        table.set_rows(ROWS)
        await pilot.pause()
        await pilot.click(ResultsTable, offset=(3, 3))  # line 3: the third row
        await pilot.pause()
        assert table.cursor_row == 2 and ("selected", 2) not in app.events
        await pilot.click(ResultsTable, offset=(3, 3))
        await pilot.pause()
        assert app.events[-1] == ("selected", 2)
        await pilot.click(ResultsTable, offset=(3, 6))  # below the rows: nothing
        await pilot.pause()
        assert table.cursor_row == 2 and app.events[-1] == ("selected", 2)


async def test_new_rows_put_the_cursor_back_on_the_first_and_clear_empties() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ResultsTable)
        table.set_rows(ROWS)
        table.move_cursor(row=2)
        await pilot.pause()
        table.set_rows(ROWS[:2])
        await pilot.pause()
        assert table.cursor_row == 0 and app.events[-1] == ("highlighted", 0)
        table.clear()
        await pilot.pause()
        assert table.row_count == 0
        assert line_text(table, 1).strip() == ""
        events = list(app.events)
        await pilot.press("enter")  # nothing to select
        table.move_cursor(row=1)  # nothing to move to
        await pilot.pause()
        assert app.events == events


def test_the_table_asks_for_the_width_of_its_columns() -> None:
    table: Any = ResultsTable(COLUMNS)
    assert table.get_content_width(None, None) == sum(width + 1 for _, width in COLUMNS)


PRIORITY = [Column("IPP", 4, drop=1), Column("Nom", 6), Column("Utilisé", 7, drop=2),
            Column("Matricule", 15)]


def test_a_narrow_table_drops_the_droppable_columns_highest_first() -> None:
    assert columns_for(PRIORITY, 100) == (0, 1, 2, 3)
    assert columns_for(PRIORITY, 5 + 7 + 8 + 16) == (0, 1, 2, 3)
    assert columns_for(PRIORITY, 5 + 7 + 8 + 16 - 1) == (0, 1, 3)  # "Utilisé" first
    assert columns_for(PRIORITY, 5 + 7 + 16) == (0, 1, 3)
    assert columns_for(PRIORITY, 5 + 7 + 16 - 1) == (1, 3)  # then "IPP"
    assert columns_for(PRIORITY, 10) == (1, 3)  # the others stay, cut by the width


@given(st.lists(st.tuples(st.integers(1, 20), st.integers(0, 3)), min_size=1, max_size=8),
       st.integers(0, 200))
def test_the_shown_columns_fit_whenever_dropping_can_make_them_fit(specs, width) -> None:
    columns = [Column(f"C{i}", w, drop=d) for i, (w, d) in enumerate(specs)]
    shown = columns_for(columns, width)
    kept = [i for i, c in enumerate(columns) if not c.drop]
    assert set(kept) <= set(shown) and list(shown) == sorted(shown)
    needed = sum(columns[i].width + 1 for i in shown)
    if sum(columns[i].width + 1 for i in kept) <= width:
        assert needed <= width
    for i in set(range(len(columns))) - set(shown):  # a dropped column was needed to drop
        assert needed + columns[i].width + 1 > width or any(
            columns[j].drop > columns[i].drop for j in set(range(len(columns))) - set(shown))
