"""What stops an INSi call, and the keyring's master password when it is locked (or, in CPS
card mode, the card's code: `ReadinessPanel.CardPin`, a password field too, never echoed).

    panel = ReadinessPanel("qualify")      # ids qualify-readiness, -keyring, -master, -master-error
    panel.show(readiness_text(readiness, ascii=False), line=True, keyring=True)
    # Enter in the password field posts ReadinessPanel.Unlock(password); the screen opens the
    # keyring and says how it went with panel.say(...)

The line is "Prêt pour l'appel INSi — environnement : …" (or why not), then what blocks (✗)
and the warnings (!), from `Clinic.insi_readiness` (`readiness_text`). The password field is
cleared as soon as Enter is pressed: a password never stays on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from rich.text import Text
from textual import on
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from insterm.tui.widgets.field_message import FieldMessage
from insterm.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from textual.app import ComposeResult


class ReadinessItem(Protocol):
    """One thing that blocks a call, or a warning (`insterm.usecases.insi_readiness.ReadinessItem`)."""

    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...


class Readiness(Protocol):
    """What the panel reads of `Clinic.insi_readiness(...)` (`InsiReadiness`)."""

    @property
    def ready(self) -> bool: ...
    @property
    def environment_label(self) -> str: ...
    @property
    def blocking(self) -> Sequence[ReadinessItem]: ...
    @property
    def warnings(self) -> Sequence[ReadinessItem]: ...


def blocked_by_identity(readiness: Readiness | None) -> bool:
    """INSi is forbidden for this identity itself (doubtful, fictitious, corrected date...)."""
    return readiness is not None and any(
        item.code.startswith("identity_") for item in readiness.blocking)


def readiness_text(readiness: Readiness, *, ascii: bool) -> Text:
    """"Prêt pour l'appel INSi — environnement : …", then what blocks (✗) and warnings (!)."""
    cross, bang = ("x", "!") if ascii else ("✗", "!")
    text = Text()
    if readiness.ready:
        text.append("Prêt pour l'appel INSi", style="bold green")
    elif blocked_by_identity(readiness):
        text.append("INSi interdit pour cette identité", style="bold red")
    else:
        text.append("Appel INSi impossible pour le moment", style="bold red")
    text.append(f" — environnement : {readiness.environment_label}")
    for item in readiness.blocking:
        text.append(f"\n{cross} ", style="bold red")
        text.append(item.message)
    for item in readiness.warnings:
        text.append(f"\n{bang} ", style="bold yellow")
        text.append(item.message)
    return text


KEYRING_LABEL, KEYRING_PLACEHOLDER = "Mot de passe maître", "mot de passe du trousseau, puis Entrée"
PIN_LABEL, PIN_PLACEHOLDER = "Code de la carte CPS", "code de la CPS (jamais affiché), puis Entrée"


class ReadinessPanel(Vertical):
    """The readiness line and the keyring's password field (see the module docstring).

    The gap under the panel is the line's while the password field is hidden, so that it
    merges with the margin of what follows as if the line stood alone."""

    DEFAULT_CSS = """
    ReadinessPanel { height: auto; margin-bottom: 1; }
    ReadinessPanel.-keyring { margin-bottom: 0; }
    ReadinessPanel > .readiness-line { height: auto; padding: 0 1; }
    ReadinessPanel.-keyring > .readiness-line { margin-bottom: 1; }
    ReadinessPanel > .keyring { height: auto; display: none; }
    ReadinessPanel .keyring-row { height: auto; }
    ReadinessPanel .keyring-label { width: 21; padding: 1 0 0 1; }
    ReadinessPanel .keyring-row Input { width: 1fr; }
    ReadinessPanel .keyring-error { color: $error; padding: 0 1 0 22; }
    ReadinessPanel .keyring-remember { margin-left: 21; display: none; }
    """

    class Unlock(Message):
        """Enter in the password field, with something typed: open the keyring with it."""

        def __init__(self, password: str) -> None:
            super().__init__()
            self.password = password

    class CardPin(Message):
        """Enter in the field while it asks the CPS code: sign the card in with it (once);
        `remember`: "Mémoriser" was ticked (shown only when the practice allows it)."""

        def __init__(self, pin: str, remember: bool = False) -> None:
            super().__init__()
            self.pin = pin
            self.remember = remember

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.asks_pin = False  # the field asks the CPS code, not the keyring's password

    def compose(self) -> ComposeResult:
        p = self.prefix
        yield Static("", id=f"{p}-readiness", classes="readiness-line", markup=False)
        with Vertical(id=f"{p}-keyring", classes="keyring"):
            with Horizontal(classes="keyring-row"):
                yield Label(KEYRING_LABEL, classes="keyring-label")
                yield Input(password=True, id=f"{p}-master", placeholder=KEYRING_PLACEHOLDER)
            yield TickBox("Mémoriser le code (trousseau, pour moi et cette carte)",
                          id=f"{p}-remember", classes="keyring-remember")
            yield FieldMessage("", id=f"{p}-master-error", classes="keyring-error",
                               markup=False)

    @property
    def keyring_shown(self) -> bool:
        return self.query_one(".keyring").display

    def show(self, text: str | Text, *, line: bool, keyring: bool, pin: bool = False,
             can_remember: bool = False) -> None:
        """The readiness line (`line`: shown at all) and the password field: the keyring's
        master password (`keyring`) or else the CPS code (`pin`), with "Mémoriser" when the
        practice allows it (`can_remember`)."""
        line_widget = self.query_one(".readiness-line", Static)
        line_widget.update(text)
        line_widget.display = line
        self.asks_pin = pin and not keyring
        label, placeholder = ((PIN_LABEL, PIN_PLACEHOLDER) if self.asks_pin
                              else (KEYRING_LABEL, KEYRING_PLACEHOLDER))
        self.query_one(".keyring-label", Label).update(label)
        self.query_one(Input).placeholder = placeholder
        remember = self.query_one(TickBox)
        remember.display = self.asks_pin and can_remember
        if not remember.display:
            remember.value = False
        self._show_keyring(keyring or pin)

    def clear(self) -> None:
        """Nothing read yet: an empty line, no password field."""
        self.query_one(".readiness-line", Static).update("")
        self._show_keyring(False)

    def hide_keyring(self) -> None:
        self._show_keyring(False)

    def _show_keyring(self, shown: bool) -> None:
        self.query_one(".keyring").display = shown
        self.set_class(shown, "-keyring")
        self.display = shown or self.query_one(".readiness-line").display

    def set_enabled(self, enabled: bool) -> None:
        self.query_one(Input).disabled = not enabled

    def focus_password(self) -> None:
        self.query_one(Input).focus()

    def say(self, text: str) -> None:
        """The message under the password field ("" clears it)."""
        self.query_one(FieldMessage).say(text)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.asks_pin:
            if not event.value:
                self.say("Saisissez le code de la carte CPS, puis Entrée.")
                return
            event.input.value = ""  # never kept on screen longer than needed
            self.say("Vérification du code par la carte…")
            remember = self.query_one(TickBox)
            self.post_message(self.CardPin(event.value, remember.display and remember.value))
            return
        if not event.value:
            self.say("Saisissez le mot de passe maître du trousseau, puis Entrée.")
            return
        event.input.value = ""  # never kept on screen longer than needed
        self.say("Ouverture du trousseau…")
        self.post_message(self.Unlock(event.value))
