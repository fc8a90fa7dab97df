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
        status = next(s for s in table.render_line(1) if "Val." in s.text)
        assert status.style.bold and status.style.bgcolor == cursor.bgcolor
        await pilot.press("down")
        status = next(s for s in table.render_line(1) if "Val." in s.text)
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
def test_columns_go_in_their_drop_order_and_only_while_they_do_not_fit(specs, width) -> None:
    columns = [Column(f"C{i}", w, drop=d) for i, (w, d) in enumerate(specs)]
    shown = columns_for(columns, width)
    assert list(shown) == sorted(shown)

    def needed(indexes) -> int:  # type: ignore[no-untyped-def]
        return sum(columns[i].width + 1 for i in indexes)

    order = sorted((i for i, c in enumerate(columns) if c.drop),
                   key=lambda i: (-columns[i].drop, -i))
    dropped = [i for i in order if i not in shown]
    assert dropped == order[:len(dropped)]  # highest drop first, never one out of turn
    assert set(shown) | set(dropped) == set(range(len(columns)))
    if dropped:  # the last one dropped was needed: without dropping it, no fit
        assert needed([*shown, dropped[-1]]) > width
    if len(dropped) < len(order):  # stopped dropping: it fits
        assert needed(shown) <= width


async def test_new_rows_repaint_only_the_lines_that_changed() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(ResultsTable)
        table.set_rows(ROWS)
        await pilot.pause()
        assert table.changed_lines == 3
        before = [line_text(table, y) for y in range(5)]
        table.set_rows([ROWS[0], ("0009", "DURAND", "Prov."), ROWS[2]])  # one row differs
        assert table.changed_lines == 1
        await pilot.pause()
        after = [line_text(table, y) for y in range(5)]
        assert [y for y in range(5) if before[y] != after[y]] == [2]
        table.set_rows([ROWS[0], ("0009", "DURAND", "Prov."), ROWS[2]])  # the same again
        assert table.changed_lines == 0
        table.move_cursor(row=2)
        table.set_rows(ROWS[:2])  # the cursor goes back up and the last row goes
        assert table.changed_lines == 3 and line_text(table, 3).strip() == ""


async def test_the_search_repaints_only_what_a_keystroke_changes(app, practice) -> None:
    from tests.tui.support import settle

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"MARTIN")
        await settle(pilot)
        table = app.screen.query_one("#search-results", ResultsTable)
        assert table.row_count == 2
        await pilot.press("space")  # "MARTIN ": the same two patients, nothing to repaint
        await settle(pilot)
        assert table.changed_lines == 0
        await pilot.press("J")  # "MARTIN J": MARTIN JEAN, still first; MARIE's line goes
        await settle(pilot)
        assert table.row_count == 1 and table.changed_lines == 1
