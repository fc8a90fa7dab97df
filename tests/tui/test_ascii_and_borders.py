"""Borders of the application rules (insterm.tcss) and the ASCII look on the main screens:
one border around a Select, none around a compact input, nothing outside ASCII but French."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.screen import Screen

from insterm.tui.app import InstermApp
from insterm.tui.look import TerminalLook, detect_look
from insterm.tui.screens.document_check import DocumentCheckScreen
from insterm.tui.screens.duplicates import DuplicatesScreen
from insterm.tui.screens.edit import CreateScreen, EditScreen
from insterm.tui.screens.journal import JournalScreen
from insterm.tui.screens.qualify import QualifyScreen
from insterm.tui.screens.record import RecordScreen

from .support import Practice, settle

# French letters a Linux console font has (Latin-1 / Latin-9 range); typography ("…", "—",
# "« »", "’") and markers ("≠") are drawn in ASCII (issue 14.4).
FRENCH = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ°")
MARKERS: set[str] = set()
# name (the test's id) -> the screen opened above the search (None: the search itself)
MAIN_SCREENS: dict[str, Callable[[Practice], Screen[None]] | None] = {
    "search": None,
    "record": lambda practice: RecordScreen(practice.adrun),
    "edit": lambda practice: EditScreen(practice.martin),
    "create": lambda practice: CreateScreen(),
    "document_check": lambda practice: DocumentCheckScreen(practice.martin),
    "qualify": lambda practice: QualifyScreen(practice.martin),
    "duplicates": lambda practice: DuplicatesScreen(),
    "journal": lambda practice: JournalScreen(),
}
LOOKS = {"default": TerminalLook(ascii=False, theme="textual-dark", animations="none"),
         "ascii": detect_look({"TERM": "linux"})}


def _screen_text(app: InstermApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def _foreign(text: str, allowed: set[str] = FRENCH) -> str:
    return "".join(sorted({c for c in text if ord(c) > 127 and c not in allowed}))


@pytest.mark.parametrize("name", MAIN_SCREENS)
async def test_ascii_look_draws_no_glyph_outside_ascii_and_french(clinic, practice,
                                                                  name) -> None:
    app = InstermApp(clinic, os_login="admin", look=LOOKS["ascii"])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = MAIN_SCREENS[name]
        if screen is not None:
            app.push_screen(screen(practice))
        await settle(pilot)
        seen = {"opened": _foreign(_screen_text(app))}
        for widget in list(app.screen.focus_chain)[:10]:  # focus borders, Select arrows
            widget.focus()
            await settle(pilot)
            seen[repr(widget)] = _foreign(_screen_text(app))
        await pilot.press("f1")  # the help lists the keys (arrows are named, not drawn)
        await settle(pilot)
        seen["help"] = _foreign(_screen_text(app), FRENCH | MARKERS)
        await pilot.press("escape", "ctrl+p", "down")  # the palette, every entry listed
        await settle(pilot)
        seen["palette"] = _foreign(_screen_text(app))
        await pilot.press("escape")
    assert {where: chars for where, chars in seen.items() if chars} == {}


@pytest.mark.parametrize("look", ["default", "ascii"])
async def test_a_focused_select_has_one_border(clinic, practice, look) -> None:
    from textual.widgets import Select

    app = InstermApp(clinic, os_login="sophie", look=LOOKS[look])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(DocumentCheckScreen(practice.martin))
        await settle(pilot)
        select = app.screen.query_one("#doc-type", Select)
        select.focus()
        await settle(pilot)
        assert app.focused is select
        assert select.outer_size.height == 3
        assert select.styles.border_top[0] in ("", "none")
        inner = select.query_one("SelectCurrent")
        assert inner.styles.border_top[0] == ("ascii" if look == "ascii" else "tall")
        arrow = str(select.query_one("SelectCurrent .down-arrow").render())
        assert arrow == ("v" if look == "ascii" else "▼")


@pytest.mark.parametrize("look", ["default", "ascii"])
async def test_compact_inputs_keep_one_line_when_focused(clinic, practice, look) -> None:
    from textual.widgets import Input

    app = InstermApp(clinic, os_login="sophie", look=LOOKS[look])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(EditScreen(practice.martin))
        await settle(pilot)
        field = app.screen.query_one("#input-birth_name", Input)
        field.focus()
        await settle(pilot)
        assert app.focused is field
        assert field.has_class("-textual-compact")
        assert (field.outer_size.height, field.styles.border_top[0]) == (1, "")
        # a bordered input elsewhere still shows its focus with a border
        app.push_screen(DocumentCheckScreen(practice.martin))
        await settle(pilot)
        expiry = app.screen.query_one("#doc-expiry", Input)
        expiry.focus()
        await settle(pilot)
        assert expiry.outer_size.height == 3
        assert expiry.styles.border_top[0] == ("ascii" if look == "ascii" else "tall")
