"""The command palette (ctrl+p): the actions of the current screen, then the app's own.

A screen lists its palette commands by defining

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return [("Qualifier l'identité (INSi)", "Appeler INSi pour ce patient", self.action_qualify)]

(title, help, callback); commands depend on the screen's state (e.g. only when a record is
open). The app adds screen-independent commands (new patient, duplicates, journal, settings,
change of operator, quit).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from insterm.tui.app import InstermApp

Command = tuple[str, str, Callable[[], object]]


def app_commands(app: InstermApp) -> list[Command]:
    from insterm.tui.session import ask_operator

    return [
        ("Rechercher un patient", "Revenir à l'écran de recherche", app.action_go_home),
        ("Nouveau patient", "Saisir une nouvelle identité", partial(app.open_screen, "create")),
        ("Doublons", "Les groupes de doublons potentiels",
         partial(app.open_screen, "duplicates")),
        ("Journal", "Le journal d'audit et sa vérification", partial(app.open_screen, "journal")),
        ("Réglages", "INSi, certificat, trousseau, opérateurs, pièces d'identité",
         partial(app.open_screen, "settings")),
        ("Changer d'opérateur", "Choisir qui travaille sur ce poste", partial(ask_operator, app)),
        ("Aide", "L'aide de l'écran courant (F1)", app.action_help),
        ("Quitter", "Quitter insterm (F10)", app.exit),
    ]


class InstermCommands(Provider):
    def _commands(self) -> list[Command]:
        screen = self.screen
        own: list[Command] = []
        getter = getattr(screen, "palette_commands", None)
        if callable(getter):
            own = list(getter())
        return own + app_commands(self.app)  # type: ignore[arg-type]

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
