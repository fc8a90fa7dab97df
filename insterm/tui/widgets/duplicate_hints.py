"""Live duplicate hints under the identity form: records that may be the same person.

    hints = DuplicateHints(id="hints")
    hints.show(candidates)        # `insterm.store.duplicates.Candidate`s, best first
    hints.waiting()               # the traits are not complete yet: hidden
    hints.none_found()            # one dimmed line

One line per candidate (IPP, names, birth date, sex, status, score); the highlighted one's
reasons in full below the list. Enter on a line posts `DuplicateHints.Chosen(identity_id)`.
No matricule is shown here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from insterm.tui.widgets.attribute_badges import attributes_text
from insterm.tui.widgets.status_badge import status_text

if TYPE_CHECKING:
    from insterm.store.duplicates import Candidate

MAX_SHOWN = 4


def candidate_text(candidate: Candidate) -> Text:
    """"IPP 1000002 MARTIN JEAN 01/02/1980 M provisoire 85"."""
    item = candidate.identity
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{candidate.score:>3} ", style="bold")
    text.append(f"{item.display_name}  ", style="bold")
    text.append(f"{item.birth_date.strftime('%d/%m/%Y')} {item.sex}  ")
    text.append_text(status_text(item.status, short=True))
    if item.attributes:
        text.append(" ")
        text.append_text(attributes_text(item.attributes, letters=True))
    text.append(f"  IPP {item.ipp}", style="dim")
    return text


class HintList(OptionList):
    """One line per candidate, at most MAX_SHOWN lines tall."""

    DEFAULT_CSS = f"""
    HintList {{ max-height: {MAX_SHOWN}; height: auto; }}
    """


class DuplicateHints(Vertical):
    """The hints block (see the module docstring)."""

    SCOPED_CSS = False  # every rule names DuplicateHints; the ASCII rules start with App.-ascii

    DEFAULT_CSS = """
    DuplicateHints { height: auto; padding: 0 1; border-top: solid $warning; display: none; }
    DuplicateHints.-shown { display: block; }
    DuplicateHints.-none { border-top: none; }
    DuplicateHints #hints-title { color: $warning; text-style: bold; }
    DuplicateHints.-none #hints-title { color: $text-muted; text-style: none; }
    DuplicateHints #hints-why { color: $text-muted; height: auto; }
    App.-ascii DuplicateHints { border-top: ascii $warning; }
    App.-ascii DuplicateHints.-none { border-top: none; }
    """

    class Chosen(Message):
        """Enter on a candidate: open that record."""

        def __init__(self, identity_id: int) -> None:
            super().__init__()
            self.identity_id = identity_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._candidates: list[Candidate] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="hints-title")
        yield HintList(compact=True, id="hints-list")
        yield Static("", id="hints-why", markup=False)

    @property
    def candidates(self) -> list[Candidate]:
        return list(self._candidates)

    @property
    def hint_list(self) -> HintList:
        return self.query_one(HintList)

    def waiting(self) -> None:
        self._candidates = []
        self.hint_list.clear_options()
        self.remove_class("-shown", "-none")

    def none_found(self) -> None:
        self.waiting()
        self.query_one("#hints-title", Label).update(
            "Aucun dossier ressemblant dans la base.")
        self.query_one("#hints-why", Static).update("")
        self.hint_list.display = False
        self.add_class("-shown", "-none")

    def show(self, candidates: list[Candidate] | tuple[Candidate, ...]) -> None:
        if not candidates:
            self.none_found()
            return
        self._candidates = list(candidates)
        hint_list = self.hint_list
        hint_list.clear_options()
        hint_list.add_options([Option(candidate_text(c)) for c in self._candidates])
        hint_list.display = True
        hint_list.highlighted = 0
        count = len(self._candidates)
        plural = "s" if count > 1 else ""
        self.query_one("#hints-title", Label).update(
            f"{count} dossier{plural} ressemblant{plural} (F5 pour y aller, Entrée l'ouvre) :")
        self.remove_class("-none")
        self.add_class("-shown")
        self._explain(0)

    def _explain(self, index: int | None) -> None:
        why = self.query_one("#hints-why", Static)
        if index is None or not 0 <= index < len(self._candidates):
            why.update("")
            return
        candidate = self._candidates[index]
        why.update(f"Score {candidate.score} : " + ", ".join(candidate.reasons) + ".")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._explain(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._candidates):
            self.post_message(self.Chosen(self._candidates[event.option_index].identity.id))

    def focus_list(self) -> bool:
        """Put the focus on the list; False when there is nothing to choose."""
        if not self._candidates:
            return False
        self.hint_list.focus()
        return True
