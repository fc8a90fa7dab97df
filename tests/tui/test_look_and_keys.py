"""Terminal looks (ASCII on the Linux console, no blink, no animation), key conventions, the
command palette, and the layering of the TUI."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from insterm.tui.app import InstermApp
from insterm.tui.look import detect_look
from insterm.tui.screens.confirm import ConfirmModal
from insterm.tui.screens.error import ErrorModal
from insterm.tui.screens.help import HelpScreen
from insterm.tui.screens.operator import BootstrapAdminModal, SignInModal
from insterm.tui.screens.record import RecordScreen
from insterm.tui.screens.search import SearchScreen

from .support import settle

TUI = Path(__file__).resolve().parents[2] / "insterm" / "tui"


def test_linux_console_gets_ascii_borders_and_the_ansi_theme() -> None:
    look = detect_look({"TERM": "linux"})
    assert (look.ascii, look.theme, look.animations) == (True, "ansi-dark", "none")
    assert detect_look({"TERM": "xterm-256color"}).ascii is False
    assert detect_look({"TERM": "xterm", "INSTERM_ASCII": "1"}).ascii is True
    assert detect_look({"INSTERM_THEME": "ansi-light"}).theme == "ansi-light"
    assert detect_look({"INSTERM_ANIMATIONS": "wild"}).animations == "none"


async def test_ascii_look_draws_ascii_borders(clinic, practice) -> None:
    app = InstermApp(clinic, os_login="sophie", look=detect_look({"TERM": "linux"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.has_class("-ascii") and app.theme == "ansi-dark"
        app.push_screen(RecordScreen(practice.adrun))
        await settle(pilot)
        assert app.screen.query_one("#record-history").styles.border_top[0] == "ascii"
        app.pop_screen()
        await settle(pilot)
        # the results draw no border (80 columns for the matricule): the focus shows on
        # their header instead
        results = app.screen.query_one("#search-results")
        assert results.styles.border_top[0] == ""
        blurred = results.get_component_rich_style("results-table--header")
        results.focus()
        await settle(pilot)
        assert results.get_component_rich_style("results-table--header") != blurred


async def test_no_blinking_cursor_and_no_animation(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.animation_level == "none"
        assert app.focused.cursor_blink is False


def _bindings(cls: type) -> list:
    return [b for b in getattr(cls, "BINDINGS", []) if hasattr(b, "key")]


@pytest.mark.parametrize("screen", [SearchScreen, RecordScreen, HelpScreen, ConfirmModal,
                                    ErrorModal, SignInModal, BootstrapAdminModal],
                         ids=lambda screen: screen.__name__)
def test_bindings_have_ids_french_descriptions_and_no_alt_keys(screen: type) -> None:
    for binding in _bindings(screen) + _bindings(InstermApp):
        assert binding.id, binding
        assert binding.description, binding
        assert "alt+" not in binding.key, binding


async def test_record_palette_lists_its_actions(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordScreen(practice.adrun))
        await settle(pilot)
        titles = [command.title for command in app.screen.palette_commands()]
        assert "Qualifier l'identité (INSi)" in titles
        assert "Marquer « Identité douteuse »" in titles
        from insterm.tui.commands import InstermCommands

        provider = InstermCommands(app.screen)
        found = [hit async for hit in provider.discover()]
        assert [h.text for h in found][:len(titles)] == titles
        assert "Changer d'opérateur" in [h.text for h in found]


async def test_palette_entries_show_the_key_their_binding_has(app, practice) -> None:
    """The key after an entry's help is read from the active bindings: a keymap moves it."""
    from insterm.tui.commands import InstermCommands

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordScreen(practice.adrun))
        await settle(pilot)
        helps = {hit.text: hit.help async for hit in InstermCommands(app.screen).discover()}
        assert helps["Modifier l'identité"] == "Traits stricts et noms utilisés (F2)"
        assert helps["Marquer « Identité douteuse »"] == "(F6 puis d)"
        assert helps["Aide"] == "L'aide de l'écran courant (F1)"
        assert helps["Quitter"] == "Quitter insterm (F10)"
        app.set_keymap({"record.edit": "f12"})
        await settle(pilot)
        helps = {hit.text: hit.help async for hit in InstermCommands(app.screen).discover()}
        assert helps["Modifier l'identité"] == "Traits stricts et noms utilisés (F12)"


FORBIDDEN = {"sqlite_utils", "zeep", "smartcard", "PyKCS11", "sqlite3", "lxml"}


@pytest.mark.parametrize("path", sorted(TUI.rglob("*.py")), ids=lambda p: p.name)
def test_tui_modules_import_neither_the_storage_nor_the_soap_stack(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_starting_the_app_module_loads_no_soap_nor_storage_library() -> None:
    code = ("import sys, json\nimport insterm.tui.app, insterm.tui.screens.search\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    roots = {m.split(".")[0] for m in json.loads(out)}
    assert not roots & {"zeep", "lxml", "sqlite_utils", "requests", "cryptography", "keyring"}
