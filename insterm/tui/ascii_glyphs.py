"""Glyphs for terminals without box-drawing characters (TERM=linux, INSTERM_ASCII=1).

Borders are CSS (`insterm.tcss`, rules under `App.-ascii`); what CSS cannot change is here:

- scrollbars: Textual draws the ends of a scrollbar thumb with block characters (U+2581..,
  U+2589..); `AsciiScrollBarRender` draws whole cells only (the thumb is its colour).
  `ScrollBar.renderer` is a class attribute: `use_ascii_scrollbars(True)` while an ASCII app
  runs (one app per process), `use_ascii_scrollbars(False)` when it stops.
- the arrow of a `Select` ("▼"/"▲"): `asciify_select_arrows(screen)` writes "v"/"^" instead;
  `InstermScreen`/`InstermModal` call it at mount in the ASCII look.
- typography and any glyph left in a text or a border drawn by Textual itself (the command
  palette's top border, the "…" of a cut value): `AsciiTypography`, a line filter the app adds
  in the ASCII look, replaces each by one ASCII character ("…" -> "~", "—" -> "-", "« »" ->
  '"', "≠" -> "#", box drawing -> "-", "|", "+"), cell for cell, so that no layout moves.
  French letters (Latin-1, which a Linux console font has) stay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from textual.filter import LineFilter
from textual.scrollbar import ScrollBar, ScrollBarRender

if TYPE_CHECKING:
    from textual.color import Color
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


def _box_table() -> dict[int, str]:
    """Box drawing (U+2500..U+257F) and block elements (U+2580..U+259F) -> "-", "|", "+"."""
    table: dict[int, str] = {}
    horizontal = set("─━┄┅┈┉╌╍═╴╶╸╺╼╾▀▄▔▁▂▃")
    vertical = set("│┃┆┇┊┋╎╏║╵╷╹╻╽╿▌▐▊▋▍▎▏▕▉")
    for code in range(0x2500, 0x25A0):
        ch = chr(code)
        table[code] = "-" if ch in horizontal else "|" if ch in vertical else (
            " " if code >= 0x2580 else "+")
    table[ord("█")] = " "
    return table


TYPOGRAPHY: dict[int, str] = {
    **_box_table(),
    **{ord(k): v for k, v in {
        "…": "~", "—": "-", "–": "-", "‑": "-", "«": '"', "»": '"', "“": '"', "”": '"',
        "’": "'", "‘": "'", "≠": "#", "≈": "~", "•": "*", "·": ".", "\u00a0": " ",
        "\u202f": " ", "→": ">", "←": "<", "↑": "^", "↓": "v", "▼": "v", "▲": "^",
        "✓": "v", "✔": "v", "✗": "x", "⏎": "<", "⌫": "<", "🔎": " ",
    }.items()},
}


class AsciiTypography(LineFilter):
    """Every glyph a Linux console lacks, replaced cell for cell (see the module docstring)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [segment if segment.control or segment.text.isascii() else
                Segment(segment.text.translate(TYPOGRAPHY), segment.style, segment.control)
                for segment in segments]
