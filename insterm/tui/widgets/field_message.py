"""The French message under a field: what is wrong with it, or what it was read as.

    FieldMessage("", id="qualify-first-names-error", markup=False).say("Prénom incorrect.")

It takes no room while there is nothing to say (hidden until the first `say`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from rich.text import Text


class FieldMessage(Static):
    """The message under a field (see the module docstring)."""

    DEFAULT_CSS = """
    FieldMessage { height: auto; display: none; }
    """

    def say(self, text: str | Text) -> None:
        self.update(text)
        self.display = bool(str(text))
