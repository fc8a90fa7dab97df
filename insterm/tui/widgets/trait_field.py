"""One line of the identity form: a label, a one-line input, and the notes under it.

    field = TraitField("birth_name", "Nom de naissance", required=True, max_length=120)
    field.value = "martin"
    field.show(check)          # an `insterm.tui.screens.edit_checks.FieldCheck`

The notes (French) come from the domain through `edit_checks`: the refusal in red, the
normalisation proposal in yellow with its F4 key, a warning in yellow, a plain help dimmed. A
refusal that only says "not finished yet" (`incomplete`: empty field, date half typed) is shown
once the operator has left the field (`touched`) or tried to save (`reveal`).

Up / Down move to the previous / next field (Tab and shift+Tab too), as on a paper form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

if TYPE_CHECKING:
    from insterm.tui.screens.edit_checks import FieldCheck

LABEL_WIDTH = 26  # "1er prénom de naissance *" and one blank before the field
NOTE_INDENT = 2  # notes use the whole width under the field: fewer wrapped lines at 80 columns


class TraitInput(Input):
    """A compact input of the form (one line, no border); arrows move between fields.
    `uppercase`: what is typed goes in as capitals (a code letter, not a trait to normalise)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "next_field", "Champ suivant", show=False),
        Binding("up", "previous_field", "Champ précédent", show=False),
    ]

    def __init__(self, *, placeholder: str = "", max_length: int = 0,
                 restrict: str | None = None, uppercase: bool = False,
                 id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, max_length=max_length, restrict=restrict,
                         compact=True, id=id)
        self.uppercase = uppercase

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(text.upper() if self.uppercase else text, start, end)

    def action_next_field(self) -> None:
        self.screen.focus_next()

    def action_previous_field(self) -> None:
        self.screen.focus_previous()


class TraitNote(Static):
    """The notes under a field (hidden when there is nothing to say)."""

    DEFAULT_CSS = f"""
    TraitNote {{ height: auto; padding-left: {NOTE_INDENT}; display: none; }}
    TraitNote.-shown {{ display: block; }}
    """


def note_text(check: FieldCheck, *, reveal: bool, insist: bool = False,
              with_info: bool = True) -> Text:
    """The notes of one check as a Rich text (ANSI colour names: every terminal shows them).

    `reveal`: "not finished yet" refusals too; `insist` (after F2): say that a value with a
    pending proposal cannot be saved as typed; `with_info`: the plain help (when nothing else
    is said)."""
    lines: list[Text] = []
    if check.error is not None and (reveal or not check.incomplete):
        lines.append(Text(check.error, style="red"))
    elif check.refused and insist:
        lines.append(Text("Pas enregistrable tel quel : appliquez la proposition (F4) ou "
                          "corrigez la saisie.", style="red"))
    if check.proposal is not None:
        line = Text("Proposition (F4) : ", style="bold yellow")
        line.append(f"« {check.proposal} »", style="bold")
        if check.proposal_changes:
            line.append(" — " + " ".join(check.proposal_changes), style="yellow")
        lines.append(line)
    if check.warning is not None:
        lines.append(Text(check.warning, style="yellow"))
    if with_info and check.info is not None and not lines:
        lines.append(Text(check.info, style="dim"))
    return Text("\n").join(lines)


class TraitField(Vertical):
    """Label + input on one line, notes below. `name` is the trait (see `edit_checks.FIELDS`)."""

    SCOPED_CSS = False  # every rule names TraitField; the ASCII rule starts with App.-ascii

    DEFAULT_CSS = f"""
    TraitField {{ height: auto; padding: 0 1; }}
    TraitField > .trait-row {{ height: 1; }}
    TraitField .trait-label {{ width: {LABEL_WIDTH}; color: $text-muted; }}
    TraitField.-focused .trait-label {{ color: $accent; text-style: bold; }}
    TraitField TraitInput {{ width: 1fr; }}
    TraitField .trait-aside {{ width: 1fr; padding-left: 2; color: $text-muted; }}
    TraitField TraitInput:focus {{ background: $accent 25%; }}
    App.-ascii TraitField TraitInput:focus {{ background: $surface; text-style: underline; }}
    TraitField.-error .trait-label {{ color: $error; }}
    """

    def __init__(self, name: str, label: str, *, required: bool = False,
                 placeholder: str = "", max_length: int = 0, restrict: str | None = None,
                 uppercase: bool = False, input_width: int | None = None,
                 input_widget: Input | None = None) -> None:
        """`input_width`: a short input (date, sex), its plain help shown beside it;
        `uppercase`: typed in capitals (the sex code)."""
        super().__init__(id=f"field-{name}")
        self._input_width = input_width
        self.trait = name
        self.touched = False
        self._label = f"{label} *" if required else label
        self._input = input_widget or TraitInput(
            placeholder=placeholder, max_length=max_length, restrict=restrict,
            uppercase=uppercase, id=f"input-{name}")
        self._check: FieldCheck | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="trait-row"):
            yield Label(self._label, classes="trait-label")
            yield self._input
            if self._input_width is not None:
                self._input.styles.width = self._input_width
                yield Static("", classes="trait-aside", markup=False)
        yield from self.compose_below()
        yield TraitNote("", classes="trait-note", markup=False)

    def on_descendant_focus(self) -> None:
        # A class rather than :focus-within, whose first update can be missed at mount.
        self.add_class("-focused")

    def on_descendant_blur(self) -> None:
        self.remove_class("-focused")

    def compose_below(self) -> ComposeResult:
        """Widgets between the input line and the notes (the place list)."""
        return iter(())

    @property
    def input(self) -> Input:
        return self._input

    @property
    def value(self) -> str:
        return self._input.value

    @value.setter
    def value(self, text: str) -> None:
        self._input.value = text
        self._input.cursor_position = len(text)

    @property
    def check(self) -> FieldCheck | None:
        return self._check

    @property
    def proposal(self) -> str | None:
        return self._check.proposal if self._check is not None else None

    def show(self, check: FieldCheck, *, reveal: bool = False) -> None:
        """Show the notes of `check`; `reveal`: show "not finished yet" refusals too."""
        self._check = check
        insist = reveal
        reveal = reveal or self.touched
        aside = self._input_width is not None
        text = note_text(check, reveal=reveal, insist=insist, with_info=not aside)
        if aside:
            self.query_one(".trait-aside", Static).update(check.info or "")
        note = self.query_one(TraitNote)
        note.update(text)
        note.set_class(bool(text.plain), "-shown")
        self.set_class((check.error is not None and (reveal or not check.incomplete))
                       or (check.refused and insist), "-error")
