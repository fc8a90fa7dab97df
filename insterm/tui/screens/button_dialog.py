"""A dialog that asks one question with a row of buttons, each a choice it dismisses with.

    class MyDialog(ButtonDialog):
        HELP = "..."                                     # F1
        BINDINGS = [Binding("f2", "choose('save')", "Enregistrer"),
                    Binding("escape", "choose('')", "Annuler")]

    MyDialog("Titre", "Ce que le choix fera.", [
        DialogButton("Enregistrer (F2)", "save", "my-save", variant="warning"),
        DialogButton("Annuler (Échap)", "", "my-cancel"),
    ])

The choice "" cancels (the dialog dismisses with None) and its button has the focus when the
dialog opens, so that a stray Enter never chooses anything else. A button that is not
`enabled` is greyed out and its key does nothing. `tone="error"` draws the dialog in the error
colour (a refusal to look at), "warning" (the default) for a decision with consequences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static
from textual.widgets.button import ButtonVariant

from insterm.tui.screens.base import InstermModal

__all__ = ["ButtonDialog", "DialogButton"]


@dataclass(frozen=True, slots=True)
class DialogButton:
    label: str
    choice: str
    """What the dialog dismisses with ("" cancels: None)."""
    id: str
    variant: ButtonVariant = "default"
    enabled: bool = True


class ButtonDialog(InstermModal[str | None]):
    """See the module docstring; subclasses give HELP and the BINDINGS of the choices."""

    DEFAULT_CSS = """
    ButtonDialog { align: center middle; }
    ButtonDialog > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $warning; background: $surface; padding: 0 1;
    }
    ButtonDialog.-error > Vertical { border: thick $error; }
    ButtonDialog .dialog-title { text-style: bold; width: 100%; }
    ButtonDialog.-error .dialog-title { color: $error; }
    ButtonDialog .dialog-text { width: 100%; margin: 1 0 0 0; }
    ButtonDialog .dialog-note { width: 100%; margin: 1 0 0 0; color: $success; }
    ButtonDialog Horizontal { height: auto; align: right middle; margin-top: 1; }
    ButtonDialog Button { margin-left: 1; }
    """

    def __init__(self, title: str, text: str, buttons: Sequence[DialogButton], *,
                 note: str | None = None,
                 tone: Literal["warning", "error"] = "warning") -> None:
        super().__init__(classes=f"-{tone}")
        self._title = title
        self._text = text
        self._note = note
        self._buttons = tuple(buttons)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="dialog-title")
            yield Static(self._text, classes="dialog-text", markup=False)
            if self._note:
                yield Static(self._note, classes="dialog-note", markup=False)
            with Horizontal():
                for button in self._buttons:
                    yield Button(button.label, variant=button.variant, id=button.id,
                                 disabled=not button.enabled,
                                 action=f"screen.choose('{button.choice}')")

    def on_mount(self) -> None:
        for button in self._buttons:
            if button.choice == "":
                self.query_one(f"#{button.id}", Button).focus()

    def _enabled(self, choice: str) -> bool:
        return any(b.choice == choice and b.enabled for b in self._buttons)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters and isinstance(parameters[0], str):
            return self._enabled(parameters[0])
        return True

    def action_choose(self, choice: str) -> None:
        if self._enabled(choice):
            self.dismiss(choice or None)
