"""Glyphs for terminals without box-drawing characters (TERM=linux, INSTERM_ASCII=1).

Borders are CSS (`insterm.tcss`, rules under `App.-ascii`); what CSS cannot change is here:

- scrollbars: Textual draws the ends of a scrollbar thumb with block characters (U+2581..,
  U+2589..); `AsciiScrollBarRender` draws whole cells only (the thumb is its colour).
  `ScrollBar.renderer` is a class attribute: `use_ascii_scrollbars(True)` while an ASCII app
  runs (one app per process), `use_ascii_scrollbars(False)` when it stops.
- the arrow of a `Select` ("▼"/"▲"): `asciify_select_arrows(screen)` writes "v"/"^" instead;
  `InstermScreen`/`InstermModal` call it at mount in the ASCII look.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.scrollbar import ScrollBar, ScrollBarRender

if TYPE_CHECKING:
    from textual.dom import DOMNode


class AsciiScrollBarRender(ScrollBarRender):
    """A scrollbar in whole cells: no block characters at the ends of the thumb."""

    VERTICAL_BARS = [" "] * len(ScrollBarRender.VERTICAL_BARS)
    HORIZONTAL_BARS = [" "] * len(ScrollBarRender.HORIZONTAL_BARS)


def use_ascii_scrollbars(on: bool) -> None:
    ScrollBar.renderer = AsciiScrollBarRender if on else ScrollBarRender


SELECT_ARROWS = {"down-arrow": "v", "up-arrow": "^"}


def asciify_select_arrows(root: DOMNode) -> None:
    """Replace the "▼"/"▲" of every Select under `root` by "v"/"^"."""
    from textual.widgets import Static

    for css_class, glyph in SELECT_ARROWS.items():
        for arrow in root.query(f"SelectCurrent .{css_class}").results(Static):
            arrow.update(glyph)


KEY_NAMES = {"↑": "haut", "↓": "bas", "←": "gauche", "→": "droite", "⌫": "retour-arr",
             "⏎": "entrée"}


def ascii_key_display(display: str) -> str:
    """A key as the footer and F1 show it, without arrows or other symbols."""
    for glyph, name in KEY_NAMES.items():
        display = display.replace(glyph, name)
    return display
