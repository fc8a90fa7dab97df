"""The command palette's provider (ctrl+p): the current screen's entries, then the app's own.

A screen's entries are its `palette_commands()` (`insterm.tui.palette`); the app adds the
screen-independent ones (new patient, duplicates, journal, settings, change of operator, help,
quit). Imported when the palette first opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual.command import DiscoveryHit, Hit, Hits, Provider

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
    from insterm.tui.screens.dashboard import DashboardScreen
    from insterm.tui.screens.duplicates import DuplicatesScreen
    from insterm.tui.screens.edit import CreateScreen
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
        PaletteCommand("Dépliant d'information INS", "Le PDF à remettre aux patients",
                       app.action_write_leaflet),
        PaletteCommand("Réglages", "INSi, certificat, trousseau, opérateurs, pièces d'identité",
                       _opens(app, SettingsScreen)),
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
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
