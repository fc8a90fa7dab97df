"""A yes/no dialog: `ConfirmModal(title, text, confirm_label)` dismisses with True or False.

F2 confirms in every dialog of insterm (the app's "save / confirm" key), Escape cancels. Two
kinds, which differ only in their words and colour:

- a positive confirmation (save, accept, merge...): F2 or the "Confirmer" button confirms;
  Escape or "Annuler" cancels;
- `discard=True`, a confirmation that throws typed data away ("Abandonner la saisie ?"): F2
  or the red button confirms; Escape or "Continuer la saisie" go back to the form.

The cancelling button has the focus when the dialog opens, so that a stray Enter never confirms.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from insterm.tui.screens.base import InstermModal


class ConfirmModal(InstermModal[bool]):
    """The question, what confirming does, and the two buttons (see the module docstring)."""

    HELP = ("Confirmation : lisez ce que l'action va faire. F2 confirme, Échap annule "
            "(rien n'est alors modifié ; pour une saisie, Échap y ramène sans rien perdre).")
    BINDINGS: ClassVar[list[BindingType]] = [
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

    def __init__(self, title: str, text: str, confirm_label: str = "Confirmer", *,
                 discard: bool = False) -> None:
        """`discard=True`: confirming throws typed data away (red button, "Continuer la
        saisie" to go back)."""
        super().__init__()
        self._title = title
        self._text = text
        self._confirm_label = confirm_label
        self.discard = discard

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="confirm-title")
            yield Static(self._text, classes="confirm-text", markup=False)
            with Horizontal():
                if self.discard:
                    yield Button(f"{self._confirm_label} (F2)", variant="error",
                                 id="confirm-yes")
                    yield Button("Continuer la saisie (Échap)", id="confirm-no")
                else:
                    yield Button(f"{self._confirm_label} (F2)", variant="warning",
                                 id="confirm-yes")
                    yield Button("Annuler (Échap)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(False)

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
