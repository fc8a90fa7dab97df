"""A small dialog that offers a few choices, each with its letter: the letter (or Enter on the
highlighted line) dismisses with the choice's id, Escape with None.

    class MyDialog(ChoiceModal):
        HELP = "..."
        BINDINGS = [Binding("o", "choose('oral')", "Oralement", id="my.oral"),
                    Binding("escape", "close", "Plus tard", id="my.close")]

        def __init__(self) -> None:
            super().__init__("Titre", "Sous-titre", [("oral", Text("o  Oralement"))],
                             "o ou Entrée : choisir - Échap : fermer")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from insterm.tui.screens.base import InstermModal

if TYPE_CHECKING:
    from rich.text import Text
    from textual.app import ComposeResult


class ChoiceModal(InstermModal[str | None]):
    """The dialog (see the module docstring); the subclass gives HELP and BINDINGS."""

    DEFAULT_CSS = """
    ChoiceModal { align: center middle; }
    ChoiceModal > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ChoiceModal .choice-title { text-style: bold; width: 100%; }
    ChoiceModal .choice-text { width: 100%; color: $text-muted; }
    ChoiceModal OptionList { height: auto; margin: 1 0; }
    ChoiceModal .choice-keys { color: $text-muted; }
    """

    def __init__(self, title: str, text: str, choices: Sequence[tuple[str, str | Text]],
                 keys: str) -> None:
        super().__init__()
        self._title, self._text, self._choices, self._keys = title, text, choices, keys

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title, classes="choice-title")
            yield Static(self._text, classes="choice-text", markup=False)
            yield OptionList(*(Option(prompt, id=choice) for choice, prompt in self._choices),
                             id="choice-options")
            yield Static(self._keys, classes="choice-keys", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    def action_choose_highlighted(self) -> None:
        """F2, which confirms in every dialog: the highlighted line."""
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def action_close(self) -> None:
        self.dismiss(None)
