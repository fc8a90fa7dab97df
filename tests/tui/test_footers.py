"""Every key a footer shows is readable at 80x24: its key and its description, whole.

The footer line is read from what the screen draws (the compositor's last line), not from the
BINDINGS lists: a key pushed off the right edge, or hidden under the docked "^p palette" key,
fails here. Each registered screen is opened on the practice, in the state that shows the most
keys (typing with proposals and hints, several journal pages, the operators section...).
A screen added to SCREEN_MODULES must be added to STATES (or to DIALOGS) below."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from insterm.tui.app import (
    SCREEN_MODULES,
    InstermApp,
    ScreenUnavailable,
    load_screen_class,
)
from insterm.tui.look import TerminalLook

from .support import Practice, settle

Setup = Callable[[Any, Practice], Awaitable[None]]

# Dialogs opened by other screens with their own arguments; they show no footer.
DIALOGS = {"confirm", "error", "operator_pick", "operator_bootstrap"}


async def _open(pilot: Any, name: str, **params: Any) -> None:
    await settle(pilot)
    pilot.app.open_screen(name, **params)
    await settle(pilot)


async def search_with_results(pilot: Any, practice: Practice) -> None:
    await settle(pilot)
    await pilot.press(*"MARTIN")
    await settle(pilot)


async def record(pilot: Any, practice: Practice) -> None:
    await _open(pilot, "record", identity_id=practice.adrun)


async def create_typing(pilot: Any, practice: Practice) -> None:
    """Proposals to apply (F4) and similar records (F5): every key of the form is shown."""
    from insterm.tui.screens.edit import HINTS_DEBOUNCE_SECONDS

    await _open(pilot, "create", initial_text="martin jean")
    form = pilot.app.screen
    form.field("birth_date").value = "01/02/1980"
    form.field("sex").value = "M"
    form.field("birth_name").input.focus()
    await pilot.pause(HINTS_DEBOUNCE_SECONDS + 0.1)
    await settle(pilot)
    assert form.check_action("apply_proposal", ()) and form.check_action("hints", ())


async def edit_typing(pilot: Any, practice: Practice) -> None:
    from insterm.tui.screens.edit import HINTS_DEBOUNCE_SECONDS

    await _open(pilot, "edit", identity_id=practice.durand)
    form = pilot.app.screen
    form.field("first_name").input.focus()
    form.field("first_name").value = "marie"
    await pilot.pause(HINTS_DEBOUNCE_SECONDS + 0.1)
    await settle(pilot)
    assert form.check_action("apply_proposal", ())


async def document_check(pilot: Any, practice: Practice) -> None:
    await _open(pilot, "document_check", identity_id=practice.martin)


async def qualify(pilot: Any, practice: Practice) -> None:
    await _open(pilot, "qualify", identity_id=practice.martin)


async def duplicates_of_a_record(pilot: Any, practice: Practice) -> None:
    """From a record: F8 (this patient / every group) is shown too."""
    await _open(pilot, "duplicates", identity_id=practice.martin)


async def journal_second_page(pilot: Any, practice: Practice) -> None:
    """Pages of 3 events, on the second page: newer (F6) and older (F7) are both shown."""
    from insterm.tui.screens import journal

    journal.PAGE_SIZE = 3
    await _open(pilot, "journal")
    await pilot.press("f7")
    await settle(pilot)
    screen = pilot.app.screen
    assert screen.check_action("newer_page", ()) and screen.check_action("older_page", ())


async def settings_operators(pilot: Any, practice: Practice) -> None:
    await _open(pilot, "settings")
    pilot.app.screen.show_section("operators")
    await settle(pilot)


async def help_of_the_record(pilot: Any, practice: Practice) -> None:
    await record(pilot, practice)
    await pilot.press("f1")
    await settle(pilot)


async def verify_ins(pilot: Any, practice: Practice) -> None:
    await _open(pilot, "verify_ins", identity_id=practice.durand)


STATES: dict[str, Setup] = {
    "search": search_with_results,
    "record": record,
    "create": create_typing,
    "edit": edit_typing,
    "document_check": document_check,
    "qualify": qualify,
    "duplicates": duplicates_of_a_record,
    "journal": journal_second_page,
    "settings": settings_operators,
    "help": help_of_the_record,
    "verify_ins": verify_ins,
}


def footer_line(app: InstermApp, footer: Any) -> str:
    """The text the screen draws on the footer's row."""
    strips = app.screen._compositor.render_strips()
    return strips[footer.region.y].text


def test_every_registered_screen_is_checked() -> None:
    assert set(SCREEN_MODULES) <= set(STATES) | DIALOGS


@pytest.mark.parametrize("name", sorted(set(SCREEN_MODULES) - DIALOGS))
async def test_footer_keys_are_whole_at_80_columns(clinic, practice, monkeypatch, name) -> None:
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    from insterm.tui.screens import journal

    try:
        load_screen_class(name)
    except ScreenUnavailable as missing:
        pytest.skip(missing.message)
    monkeypatch.setattr(journal, "PAGE_SIZE", journal.PAGE_SIZE)  # restored after the test
    app = InstermApp(clinic, operator_login="admin", os_login="",
                     look=TerminalLook(ascii=False, theme="textual-dark", animations="none"))
    async with app.run_test(size=(80, 24)) as pilot:
        await STATES[name](pilot, practice)
        screen = app.screen
        assert name == "search" or type(screen).__name__ != "SearchScreen", "not opened"
        footers = list(screen.query(Footer))
        assert len(footers) == 1, f"{type(screen).__name__} has no footer"
        footer = footers[0]
        assert footer.region.bottom == 24 and footer.region.width == 80
        line = footer_line(app, footer)
        keys = list(footer.query(FooterKey))
        assert keys, f"empty footer: {line!r}"
        shown = []
        for key in keys:
            text = f"{key.key_display} {key.description}" if key.description \
                else key.key_display
            shown.append(text)
            assert text in line, f"{text!r} is not whole in the footer line {line!r}"
            # ... and drawn in the key's own cells (not under the docked palette key).
            x = key.region.x
            assert key.region.right <= 80, (text, key.region)
            assert text in line[x:x + key.region.width], (text, key.region, line)
    assert any(text.endswith(("Aide", "Fermer")) for text in shown), shown


async def test_help_lists_the_keys_the_footer_does_not_show(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await record(pilot, practice)
        await pilot.press("f1")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        listed = {description: keys.split(", ") for keys, description in app.screen._keys}
    expected = {"Retour": "esc", "Journal": "f9", "Quitter": "f10", "Attributs": "f6",
                "INS reçu": "f7", "Doublons": "f5", "Aide": "f1"}
    assert {what: key for what, key in expected.items()
            if key not in listed.get(what, [])} == {}, listed
