"""Every key a footer shows is readable at 80x24: its key and its description, whole.

The footer line is read from what the screen draws (the compositor's last line), not from the
BINDINGS lists: a key pushed off the right edge, or hidden under the docked "^p palette" key,
fails here. Each screen is opened on the practice, in the state that shows the most keys
(typing with proposals and hints, several journal pages, the operators section...). A new
screen of insterm.tui.screens must be added to STATES below (dialogs show no footer)."""

from __future__ import annotations

import importlib
import pkgutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.screen import ModalScreen, Screen

from insterm.tui import screens
from insterm.tui.app import InstermApp
from insterm.tui.look import TerminalLook
from insterm.tui.screens.base import InstermScreen
from insterm.tui.screens.batch_verification import BatchVerificationScreen
from insterm.tui.screens.dashboard import DashboardScreen
from insterm.tui.screens.document_check import DocumentCheckScreen
from insterm.tui.screens.duplicates import DuplicatesScreen
from insterm.tui.screens.edit import CreateScreen, EditScreen
from insterm.tui.screens.help import HelpScreen
from insterm.tui.screens.import_file import ImportScreen
from insterm.tui.screens.insi_pending import InsiPendingScreen
from insterm.tui.screens.journal import JournalScreen
from insterm.tui.screens.qualify import QualifyScreen
from insterm.tui.screens.record import RecordScreen
from insterm.tui.screens.search import SearchScreen
from insterm.tui.screens.settings import SettingsScreen
from insterm.tui.screens.unnamed import UnnamedScreen
from insterm.tui.screens.verify_ins import VerifyInsScreen

from .support import Practice, settle

Setup = Callable[[Any, Practice], Awaitable[None]]


@pytest.fixture(autouse=True)
def journal_page_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """`journal_second_page` sets the journal's page size: put it back afterwards."""
    from insterm.tui.screens import journal

    monkeypatch.setattr(journal, "PAGE_SIZE", journal.PAGE_SIZE)


async def _open(pilot: Any, screen: Screen[Any]) -> None:
    await settle(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot)


async def search_with_results(pilot: Any, practice: Practice) -> None:
    await settle(pilot)
    await pilot.press(*"MARTIN")
    await settle(pilot)


async def record(pilot: Any, practice: Practice) -> None:
    await _open(pilot, RecordScreen(practice.adrun))


async def create_typing(pilot: Any, practice: Practice) -> None:
    """Proposals to apply (F4) and similar records (F5): every key of the form is shown."""
    from insterm.tui.screens.edit import HINTS_DEBOUNCE_SECONDS

    await _open(pilot, CreateScreen("martin jean"))
    form = pilot.app.screen
    form.field("birth_date").value = "01/02/1980"
    form.field("sex").value = "M"
    form.field("birth_name").input.focus()
    await pilot.pause(HINTS_DEBOUNCE_SECONDS + 0.1)
    await settle(pilot)
    assert form.check_action("apply_proposal", ()) and form.check_action("hints", ())


async def edit_typing(pilot: Any, practice: Practice) -> None:
    from insterm.tui.screens.edit import HINTS_DEBOUNCE_SECONDS

    await _open(pilot, EditScreen(practice.durand))
    form = pilot.app.screen
    form.field("first_name").input.focus()
    form.field("first_name").value = "marie"
    await pilot.pause(HINTS_DEBOUNCE_SECONDS + 0.1)
    await settle(pilot)
    assert form.check_action("apply_proposal", ())


async def document_check(pilot: Any, practice: Practice) -> None:
    await _open(pilot, DocumentCheckScreen(practice.martin))


async def qualify(pilot: Any, practice: Practice) -> None:
    await _open(pilot, QualifyScreen(practice.martin))


async def duplicates_of_a_record(pilot: Any, practice: Practice) -> None:
    """From a record: F8 (this patient / every group) is shown too."""
    await _open(pilot, DuplicatesScreen(practice.martin))


async def journal_second_page(pilot: Any, practice: Practice) -> None:
    """Pages of 3 events, on the second page: newer (F6) and older (F7) are both shown."""
    from insterm.tui.screens import journal

    journal.PAGE_SIZE = 3
    await _open(pilot, JournalScreen())
    await pilot.press("f7")
    await settle(pilot)
    screen = pilot.app.screen
    assert screen.check_action("newer_page", ()) and screen.check_action("older_page", ())


async def settings_operators(pilot: Any, practice: Practice) -> None:
    await _open(pilot, SettingsScreen())
    pilot.app.screen.show_section("operators")
    await settle(pilot)


async def help_of_the_record(pilot: Any, practice: Practice) -> None:
    await record(pilot, practice)
    await pilot.press("f1")
    await settle(pilot)


async def verify_ins(pilot: Any, practice: Practice) -> None:
    await _open(pilot, VerifyInsScreen(practice.durand))


async def dashboard(pilot: Any, practice: Practice) -> None:
    await _open(pilot, DashboardScreen())


async def insi_pending(pilot: Any, practice: Practice) -> None:
    await _open(pilot, InsiPendingScreen())


async def batch_verification(pilot: Any, practice: Practice) -> None:
    """One received INS waiting: F2 offered."""
    pilot.app.clinic.record_received_ins("sophie", practice.martin, "180023512345689",
                                         "1.2.250.1.213.1.4.8", source="tests")
    await _open(pilot, BatchVerificationScreen())


async def unnamed(pilot: Any, practice: Practice) -> None:
    await _open(pilot, UnnamedScreen())


async def import_previewed(pilot: Any, practice: Practice) -> None:
    """A file read and previewed: every key of the screen is offered (F6, F2)."""
    path = Path(tempfile.mkdtemp(prefix="insterm-footer-")) / "ancien.csv"
    path.write_text("Nom;Prénoms;DDN;Sexe\nDURAND;LUC;01/02/1980;M\n", encoding="utf-8")
    await _open(pilot, ImportScreen(str(path)))
    await pilot.press("enter")
    await settle(pilot)


STATES: dict[type[Screen[Any]], Setup] = {
    SearchScreen: search_with_results,
    RecordScreen: record,
    CreateScreen: create_typing,
    EditScreen: edit_typing,
    DocumentCheckScreen: document_check,
    QualifyScreen: qualify,
    DuplicatesScreen: duplicates_of_a_record,
    JournalScreen: journal_second_page,
    SettingsScreen: settings_operators,
    HelpScreen: help_of_the_record,
    VerifyInsScreen: verify_ins,
    DashboardScreen: dashboard,
    InsiPendingScreen: insi_pending,
    BatchVerificationScreen: batch_verification,
    UnnamedScreen: unnamed,
    ImportScreen: import_previewed,
}


def footer_line(app: InstermApp, footer: Any) -> str:
    """The text the screen draws on the footer's row."""
    strips = app.screen._compositor.render_strips()
    return strips[footer.region.y].text


def _full_screens() -> set[type[Screen[Any]]]:
    """Every screen class of insterm.tui.screens that is not a dialog nor a base of others."""
    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"{screens.__name__}.{module.name}")
    def ours(cls: type[Screen[Any]]) -> list[type[Screen[Any]]]:
        return [sub for sub in cls.__subclasses__() if sub.__module__.startswith("insterm.")]

    found: set[type[Screen[Any]]] = set()
    pending: list[type[Screen[Any]]] = [InstermScreen]
    while pending:
        cls = pending.pop()
        pending.extend(ours(cls))
        if not ours(cls) and not issubclass(cls, ModalScreen):
            found.add(cls)
    return found


def test_every_screen_is_checked() -> None:
    assert _full_screens() <= set(STATES)


@pytest.mark.parametrize("screen", STATES, ids=lambda screen: screen.__name__)
async def test_footer_keys_are_whole_at_80_columns(clinic, practice, monkeypatch,
                                                   screen) -> None:
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    from insterm.tui.screens import journal

    monkeypatch.setattr(journal, "PAGE_SIZE", journal.PAGE_SIZE)  # restored after the test
    app = InstermApp(clinic, os_login="admin",
                     look=TerminalLook(ascii=False, theme="textual-dark", animations="none"))
    async with app.run_test(size=(80, 24)) as pilot:
        await STATES[screen](pilot, practice)
        shown_screen = app.screen
        assert type(shown_screen) is screen, f"{screen.__name__} not opened"
        footers = list(shown_screen.query(Footer))
        assert len(footers) == 1, f"{type(shown_screen).__name__} has no footer"
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
