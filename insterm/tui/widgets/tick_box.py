"""A one-line checkbox drawn "[X] label" / "[ ] label": readable without colour and in ASCII.

    TickBox("Nom de naissance : MARTIN", id="trait-birth_name")
    box.value            # True when ticked (space or Enter toggles it)

Ticks come in lists (the traits confirmed against a document): Down and Up move to the next
and previous tick of the same list (and stop at its ends), Tab and shift+Tab still go anywhere.

Textual's `Checkbox` draws its box with half-block glyphs and tells ticked from not ticked by
colour only: on a Linux console (TERM=linux), with NO_COLOR or over a 16-colour SSH session the
two states look alike. This one prints the mark itself. It is always compact (one line, no
border); the focused box shows its label in the cursor colours.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Checkbox


class TickBox(Checkbox):
    """"[X] label" / "[ ] label" (see the module docstring)."""

    DEFAULT_CSS = """
    TickBox { width: 1fr; height: 1; background: transparent; }
    TickBox.-on > .toggle--button { text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "step(1)", "Suivant", show=False),
        Binding("up", "step(-1)", "Précédent", show=False),
    ]

    def __init__(self, label: str = "", value: bool = False, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(label, value, compact=True, id=id, classes=classes)

    def action_step(self, step: int) -> None:
        """Focus the next (1) or previous (-1) tick shown in the same list, if any."""
        if self.parent is None:
            return
        ticks = [tick for tick in self.parent.query_children(TickBox)
                 if tick.display and not tick.disabled]
        index = ticks.index(self) + step
        if 0 <= index < len(ticks):
            ticks[index].focus()

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble("[", ("X" if self.value else " ", style), "]")
