"""What a screen offers in the command palette (ctrl+p), and the key shown with each entry.

A screen lists its entries by defining

    def palette_commands(self) -> list[PaletteCommand]:
        return [PaletteCommand("Qualifier l'identité (INSi)", "Rechercher l'INS par les traits",
                               self.action_qualify, action="qualify")]

The entries depend on the screen's state (e.g. only when a record is open). `action` names the
binding that does the same thing (its action, as written in `BINDINGS`): the palette shows that
binding's key after the help, read from the screen's active bindings, so that the key shown is
the key that works (a keymap may change it). The provider is `insterm.tui.commands`; this
module stays light (no `textual.command`), as every screen imports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.screen import Screen

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PaletteCommand:
    """One entry of the palette: its French title and help, what it runs, and the action of the
    binding whose key is shown after the help (None: no key to show)."""

    title: str
    help: str
    run: Callable[[], object]
    action: str | None = None


PaletteEntry = PaletteCommand | tuple[str, str, Callable[[], object]]
"""What `palette_commands()` lists; a plain (title, help, callback) shows no key."""


@runtime_checkable
class HasPaletteCommands(Protocol):
    """A screen with entries of its own in the palette."""

    def palette_commands(self) -> Sequence[PaletteEntry]: ...


_FUNCTION_KEY = re.compile(r"f[0-9]+")


def binding_key(screen: Screen[T], action: str) -> str | None:
    """The key of the active binding of `screen` that runs `action` ("edit",
    "open_record('a')"; "app.help" for an action of the app), as the footer shows it (F-keys
    in capitals: "F2"); None when no active binding runs it. Of several keys, the one the
    footer shows, else an F-key (the ctrl+letter is the alternative, by convention)."""
    app = screen.app
    target: DOMNode = app if action.startswith("app.") else screen
    wanted = action.removeprefix("app.")
    keys: list[tuple[bool, bool, str]] = []  # (not shown, not an F-key, as displayed)
    for active in screen.active_bindings.values():
        binding = active.binding
        node: DOMNode = app if binding.action.startswith("app.") else active.node
        if node is target and binding.action.removeprefix("app.") == wanted:
            display = app.get_key_display(binding)
            function_key = _FUNCTION_KEY.fullmatch(display) is not None
            keys.append((not binding.show, not function_key,
                         display.upper() if function_key else display))
    return min(keys, key=lambda key: key[:2])[2] if keys else None


def with_key(screen: Screen[T], entry: PaletteEntry) -> tuple[str, str, Callable[[], object]]:
    """(title, help followed by the key of the entry's action, callback)."""
    if not isinstance(entry, PaletteCommand):
        return entry
    key = binding_key(screen, entry.action) if entry.action else None
    if key is None:
        return entry.title, entry.help, entry.run
    return entry.title, f"{entry.help} ({key})" if entry.help else f"({key})", entry.run
