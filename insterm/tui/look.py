"""How the application looks on the terminal it runs in (theme, borders, blink, animations).

- `TERM=linux` (the Linux text console: box-drawing glyphs show as diamonds, 16 colours) or
  `INSTERM_ASCII=1`: ASCII borders (the app gets the CSS class `-ascii`, see insterm.tcss) and the
  `ansi-dark` theme, which uses the terminal's own 16 colours.
- `INSTERM_THEME=<name>` chooses any Textual theme (e.g. `ansi-light`, `textual-light`).
- Colours always come from theme variables ($primary, $success...), so that
  `TEXTUAL_COLOR_SYSTEM=standard` or `256` downgrade them without losing contrast.
- No cursor blink and no animation by default (each redraw costs bandwidth over SSH);
  `INSTERM_ANIMATIONS=basic|full` brings animations back.

Standard library only: read before Textual is imported.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

DEFAULT_THEME = "textual-dark"
ASCII_THEME = "ansi-dark"

AnimationLevel = Literal["none", "basic", "full"]  # Textual's `App.animation_level`
_ANIMATION_LEVELS: dict[str, AnimationLevel] = {"none": "none", "basic": "basic",
                                                "full": "full"}


@dataclass(frozen=True, slots=True)
class TerminalLook:
    """The look chosen for this terminal: ASCII borders or not, the theme, the animations."""

    ascii: bool
    theme: str
    animations: AnimationLevel


def detect_look(environ: Mapping[str, str] | None = None) -> TerminalLook:
    env = os.environ if environ is None else environ
    ascii_only = (env.get("TERM", "") == "linux"
                  or env.get("INSTERM_ASCII", "") in ("1", "oui", "yes"))
    theme = env.get("INSTERM_THEME") or (ASCII_THEME if ascii_only else DEFAULT_THEME)
    animations = _ANIMATION_LEVELS.get(env.get("INSTERM_ANIMATIONS", "none").lower(), "none")
    return TerminalLook(ascii_only, theme, animations)
