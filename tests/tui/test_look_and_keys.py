"""Terminal looks (ASCII on the Linux console, no blink, no animation), key conventions, the
command palette, and the layering of the TUI."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from insterm.tui.app import SCREEN_MODULES, InstermApp
from insterm.tui.look import detect_look

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
    app = InstermApp(clinic, operator_login="sophie", look=detect_look({"TERM": "linux"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.has_class("-ascii") and app.theme == "ansi-dark"
        field = app.screen.query_one("#search-field")
        assert field.styles.border_top[0] == "ascii"
        assert app.screen.query_one("#search-results").styles.border_top[0] == "ascii"


async def test_no_blinking_cursor_and_no_animation(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.animation_level == "none"
        assert app.focused.cursor_blink is False


def _bindings(cls: type) -> list:
    return [b for b in getattr(cls, "BINDINGS", []) if hasattr(b, "key")]


@pytest.mark.parametrize("name", ["search", "record", "help", "confirm", "error",
                                  "operator_pick", "operator_bootstrap"])
def test_bindings_have_ids_french_descriptions_and_no_alt_keys(name: str) -> None:
    from insterm.tui.app import load_screen_class

    for binding in _bindings(load_screen_class(name)) + _bindings(InstermApp):
        assert binding.id, binding
        assert binding.description, binding
        assert "alt+" not in binding.key, binding


async def test_record_palette_lists_its_actions(app, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_screen("record", identity_id=practice.adrun)
        await settle(pilot)
        titles = [title for title, _, _ in app.screen.palette_commands()]
        assert "Qualifier l'identité (INSi)" in titles
        assert "Marquer « Identité douteuse »" in titles
        from insterm.tui.commands import InstermCommands

        provider = InstermCommands(app.screen)
        found = [hit async for hit in provider.discover()]
        assert [h.text for h in found][:len(titles)] == titles
        assert "Changer d'opérateur" in [h.text for h in found]


def test_every_registered_screen_module_is_under_tui_screens() -> None:
    for name, target in SCREEN_MODULES.items():
        module, _, cls = target.partition(":")
        assert module.startswith("insterm.tui.screens.") and cls, name


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
