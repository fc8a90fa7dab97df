"""Messages for people, not engineers (issue 14.4): no Python class name, no internal code
("pièce PA"), no raw arrow between internal values on the screens."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import insterm
from insterm import secrets
from insterm.tui.errors import french_message
from insterm.tui.screens.record import RecordScreen

from .support import settle

SOURCES = sorted((Path(insterm.__file__).parent / "tui").rglob("*.py")) + sorted(
    (Path(insterm.__file__).parent / "usecases").rglob("*.py"))


async def test_the_history_names_the_document_not_its_code(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordScreen(practice.adrun))
        await settle(pilot)
        history = app.screen.query_one("#record-history")
        details = " ".join(str(cell) for i in range(history.row_count)
                           for cell in history.get_row_at(i))
    assert "Passeport" in details
    assert "pièce PA" not in details and " PA" not in details


def test_an_unexpected_error_does_not_name_its_class():
    class KeyringBackendBroken(RuntimeError):
        pass

    text = french_message(KeyringBackendBroken("boom"), doing="la recherche")
    assert "KeyringBackendBroken" not in text and "rien n'a été enregistré" in text


def test_a_keyring_is_named_in_french():
    crypt = type("CryptFileKeyring", (), {"__module__": "keyrings.cryptfile.cryptfile"})()
    assert secrets.label(crypt) == ("trousseau chiffré d'insterm, protégé par le mot de passe "
                                    "maître")
    other = type("SomeBackend", (), {"__module__": "keyring.backends.odd"})()
    assert "keyring" not in secrets.label(other)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_class_name_or_raw_arrow_in_a_message(path: Path):
    """An f-string never formats `x.__name__` or `describe(...)` (module.Class), and no text
    joins two values with a bare "->"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    inner = value.value
                    if isinstance(inner, ast.Attribute) and inner.attr == "__name__":
                        found.append((node.lineno, "__name__"))
                    if isinstance(inner, ast.Call) and getattr(inner.func, "attr", "") == \
                            "describe" and getattr(inner.func, "value", None) is not None and \
                            getattr(inner.func.value, "id", "") == "secrets":
                        found.append((node.lineno, "secrets.describe"))
                elif isinstance(value, ast.Constant) and "» ->" in str(value.value):
                    found.append((node.lineno, "->"))
    assert found == []
