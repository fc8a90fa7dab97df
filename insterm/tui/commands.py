"""The command palette (ctrl+p): its provider, the current screen's entries then the app's own,
and the palette itself in French.

A screen's entries are its `palette_commands()` (`insterm.tui.palette`); the app adds the
screen-independent ones (new patient, duplicates, journal, settings, change of operator, help,
quit). Textual's own commands (Theme, Keys, Maximize, Screenshot, Quit in English) are not
offered: the app does not list Textual's provider. A query matches without regard to accents
or case ("regl" and "param" find "Réglages"). Imported when the palette first opens.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.align import Align
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.widgets.option_list import Option

from insterm.tui.app import InstermApp
from insterm.tui.palette import HasPaletteCommands, PaletteCommand, PaletteEntry, with_key

if TYPE_CHECKING:
    from textual.screen import Screen

T = TypeVar("T")


def _opens(app: InstermApp, screen: Callable[[], Screen[T]]) -> Callable[[], None]:
    """An entry's callback that pushes a new `screen()`."""

    def run() -> None:
        app.push_screen(screen())

    return run


def app_commands(app: InstermApp) -> list[PaletteCommand]:
    """The entries of every screen."""
    from insterm.tui.screens.batch_verification import BatchVerificationScreen
    from insterm.tui.screens.dashboard import DashboardScreen
    from insterm.tui.screens.duplicates import DuplicatesScreen
    from insterm.tui.screens.edit import CreateScreen
    from insterm.tui.screens.import_file import ImportScreen
    from insterm.tui.screens.insi_pending import InsiPendingScreen
    from insterm.tui.screens.settings import SettingsScreen
    from insterm.tui.screens.unnamed import UnnamedScreen
    from insterm.tui.session import ask_operator

    return [
        PaletteCommand("Rechercher un patient", "Revenir à l'écran de recherche",
                       app.action_go_home),
        PaletteCommand("Nouveau patient", "Saisir une nouvelle identité",
                       _opens(app, CreateScreen)),
        PaletteCommand("Doublons", "Les groupes de doublons potentiels",
                       _opens(app, DuplicatesScreen)),
        PaletteCommand("Journal", "Le journal d'audit et sa vérification", app.action_journal),
        PaletteCommand("Patient non identifiable ou anonyme", "Saisie rapide (douteuse, fictive)",
                       _opens(app, UnnamedScreen)),
        PaletteCommand("Tableau de bord", "Les indicateurs d'identitovigilance",
                       _opens(app, DashboardScreen)),
        PaletteCommand("Appels INSi en attente", "Relancer les appels faits pendant une panne",
                       _opens(app, InsiPendingScreen)),
        PaletteCommand("Vérification INSi par lot", "Vérifier les INS reçus non vérifiés",
                       _opens(app, BatchVerificationScreen)),
        PaletteCommand("Importer un fichier de patients", "CSV ou archives de portabilité "
                       "d'un autre logiciel (administrateurs)", _opens(app, ImportScreen)),
        PaletteCommand("Dépliant d'information INS", "Le PDF à remettre aux patients",
                       app.action_write_leaflet),
        PaletteCommand("Réglages", "Paramètres : INSi, certificat, trousseau, opérateurs, "
                       "pièces d'identité", _opens(app, SettingsScreen), action="settings"),
        PaletteCommand("Changer d'opérateur", "Choisir qui travaille sur ce poste",
                       lambda: ask_operator(app)),
        PaletteCommand("Aide", "L'aide de l'écran courant", app.action_help,
                       action="app.help"),
        PaletteCommand("Quitter", "Quitter insterm", app.exit, action="app.quit"),
    ]


class InstermCommands(Provider):
    """The screen's `palette_commands()` first, then `app_commands`, each with its key."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        entries: list[PaletteEntry] = []
        if isinstance(screen, HasPaletteCommands):
            entries.extend(screen.palette_commands())
        app = self.app
        if isinstance(app, InstermApp):
            entries.extend(app_commands(app))
        return [with_key(screen, entry) for entry in entries]

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(fold(query))
        for title, help_text, callback in self._commands():
            folded = fold(title)
            score = max(matcher.match(folded), matcher.match(fold(help_text)) * 0.5)
            if score > 0:
                yield Hit(score, _highlight_like(title, matcher.highlight(folded)), callback,
                          help=help_text)


def fold(text: str) -> str:
    """`text` lowercased, each letter without its accent, one character for one (so that a
    highlight of the folded text falls on the same characters of the original)."""
    return "".join(unicodedata.normalize("NFD", ch)[:1] or ch for ch in text).lower()


def _highlight_like(title: str, folded: Content) -> Content:
    """The original title with the highlight spans the matcher put on its folded form."""
    content = Content(title)
    for span in folded.spans:
        content = content.stylize(span.style, span.start, span.end)
    return content


class FrenchCommandPalette(CommandPalette):
    """Textual's command palette with French words: its prompt, "no match", and the
    descriptions of its keys (F1 and the footer show them)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+end, shift+end", "command_list('last')", "Dernière commande",
                show=False),
        Binding("ctrl+home, shift+home", "command_list('first')", "Première commande",
                show=False),
        Binding("down", "cursor_down", "Commande suivante", show=False),
        Binding("escape", "escape", "Fermer la palette"),
        Binding("pagedown", "command_list('page_down')", "Page suivante", show=False),
        Binding("pageup", "command_list('page_up')", "Page précédente", show=False),
        Binding("up", "command_list('cursor_up')", "Commande précédente", show=False),
    ]
    NO_MATCHES = "Aucune commande ne correspond"

    def __init__(self) -> None:
        super().__init__(placeholder="Chercher une commande (ex. réglages, journal)...",
                         id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """Textual's countdown, then its own English line replaced by a French one."""
        super()._start_no_matches_countdown(search_value)
        timer = self._no_matches_timer
        if timer is None:
            return
        timer.stop()

        def show() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(self.NO_MATCHES, style="not bold")), disabled=True,
                    id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)
