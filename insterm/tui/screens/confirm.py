"""A yes/no dialog: `ConfirmModal(title, text, confirm_label)` dismisses with True or False.

F2 or the "Confirmer" button confirms; Escape or "Annuler" cancels. "Annuler" has the focus when
the dialog opens, so that a stray Enter never confirms.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from insterm.tui.screens.base import InstermModal


class ConfirmModal(InstermModal[bool]):
    HELP = ("Confirmation : lisez ce que l'action va faire. F2 confirme, Échap annule "
            "(rien n'est alors modifié).")
    BINDINGS = [
        Binding("f2", "confirm", "Confirmer", id="confirm.yes"),
        Binding("escape", "cancel", "Annuler", id="confirm.no"),
    ]
    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    ConfirmModal .confirm-title { text-style: bold; width: 100%; }
    ConfirmModal .confirm-text { width: 100%; margin: 1 0; }
    ConfirmModal Horizontal { height: auto; align: right middle; }
    ConfirmModal Button { margin-left: 2; }
    """

    def __init__(self, title: str, text: str, confirm_label: str = "Confirmer") -> None:
        super().__init__()
        self._title = title
        self._text = text
        self._confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="confirm-title")
            yield Static(self._text, classes="confirm-text", markup=False)
            with Horizontal():
                yield Button(f"{self._confirm_label} (F2)", variant="warning", id="confirm-yes")
                yield Button("Annuler (Échap)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
