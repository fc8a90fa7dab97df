"""The dialog of the central error path for unexpected errors (`InstermApp.report_error`)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Label, Static

from insterm.tui.screens.base import InstermModal


class ErrorModal(InstermModal[None]):
    """An unexpected error in French (nothing was saved); Enter or Escape closes it."""

    HELP = "Une erreur est survenue : lisez le message, puis Entrée, F2 ou Échap pour fermer."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f2", "close", "Fermer", id="error.close")]
    DEFAULT_CSS = """
    ErrorModal { align: center middle; }
    ErrorModal > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    ErrorModal Label { text-style: bold; color: $error; }
    ErrorModal Static { margin: 1 0; }
    """

    def __init__(self, message: str, title: str = "Erreur") -> None:
        super().__init__()
        self._message = message
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title)
            yield Static(self._message, markup=False)
            yield Button("Fermer", variant="error", id="error-close")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
