"""F1: the help of the current screen (its `HELP` text) and the keys that work there."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from insterm.tui.screens.base import InstermModal

if TYPE_CHECKING:
    from textual.app import App

S = TypeVar("S")
R = TypeVar("R")

GENERAL_HELP = (
    "Partout : F1 aide, ctrl+p palette des commandes (toutes les actions de l'écran), "
    "Tab / Maj+Tab passe d'une zone à l'autre, Échap revient à l'écran précédent "
    "(sans jamais effacer une saisie sans le demander), F10 ou ctrl+q quitte."
)


def _from_textual(node: object, binding: Binding) -> bool:
    """Whether `binding` is one of Textual's own: the first class along the node's hierarchy
    that declares a binding with this description is a class of textual, not of insterm."""
    for cls in type(node).__mro__:
        for declared in cls.__dict__.get("BINDINGS", ()):
            description = declared.description if isinstance(declared, Binding) else (
                declared[2] if len(declared) > 2 else "")
            if description == binding.description:
                return cls.__module__.startswith("textual")
    return False


def _function_keys_first(display: str) -> bool:
    """Sort key: function keys (F1..F12) first, then the others, each in their order."""
    return not (display[:1].lower() == "f" and display[1:].isdigit())


class HelpScreen(InstermModal[None]):
    """The current screen's HELP, then every key active there (shown in its footer or not)."""

    HELP = "Aide : Échap ou F1 pour fermer."
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1", "close", "Fermer", id="help.close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 76; max-width: 100%; height: auto; max-height: 1fr;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HelpScreen .help-title { text-style: bold; color: $primary; }
    HelpScreen .help-text { margin: 1 0; }
    HelpScreen .help-keys { margin-bottom: 1; }
    """

    def __init__(self, title: str = "Aide", text: str = "",
                 keys: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self._title = title
        self._text = text
        self._keys = keys or []

    @classmethod
    def for_screen(cls, screen: Screen[S], app: App[R]) -> HelpScreen:
        """The help of `screen`: its HELP text, then the keys active there, those the footer
        does not show included; keys doing the same thing share a line ("f10, ^q  Quitter")."""
        text = getattr(screen, "HELP", "") or "Pas d'aide particulière pour cet écran."
        by_description: dict[str, list[str]] = {}
        from insterm.tui.textual_words import french_description

        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.system:
                continue
            description = french_description(binding.description,
                                             from_textual=_from_textual(active.node, binding))
            if description is None:
                continue
            shown = app.get_key_display(binding)
            displays = by_description.setdefault(description, [])
            if shown not in displays:
                displays.append(shown)
        keys = [(", ".join(sorted(displays, key=_function_keys_first)), description)
                for description, displays in by_description.items()]
        title = f"Aide : {screen.title or getattr(screen, 'TITLE', None) or app.title}"
        return cls(title, text, keys)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(self._title, classes="help-title")
            yield Static(self._text, classes="help-text", markup=False)
            if self._keys:
                width = max(len(k) for k, _ in self._keys)
                lines = "\n".join(f"{key.ljust(width)}  {what}" for key, what in self._keys)
                yield Static(lines, classes="help-keys", markup=False)
            yield Static(GENERAL_HELP, markup=False)
        yield Footer(compact=True)  # how to close it

    def action_close(self) -> None:
        self.dismiss(None)
