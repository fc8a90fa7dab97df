"""The insterm terminal application: one `InstermApp`, screens opened by name.

The app holds the `Clinic` (the only way to the data: no SQL, no business rule here) and the
operator who works (`app.operator`, `app.actor` = their login, given to every clinic call).

Screens are registered by name in `SCREEN_MODULES` ("module:Class", imported the first time
the screen opens, so that start-up loads only the home screen). Open one with

    app.open_screen("record", identity_id=12)                 # -> the screen, or None
    app.open_screen("confirm", title=..., text=..., callback=on_answer)

Keyword arguments go to the screen's constructor; `callback` receives what the screen
`dismiss()`es. A name whose module is not written yet gives a French notification, never a
crash. To add a screen: write `insterm/tui/screens/<module>.py` with a class deriving from
`insterm.tui.screens.base.InstermScreen` (or `InstermModal`) at the path already listed below
(the lead adds a new line here otherwise). See docs/tui-conventions.md.

Keys (docs/tui-conventions.md): F1 help for the current screen, F10 or ctrl+q quits, ctrl+p
the command palette, F9 the journal; screens use F2..F8 and ctrl+letters; no alt-only binding.
"""

from __future__ import annotations

import getpass
import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from insterm.tui.errors import french_message, is_expected
from insterm.tui.key_order import KeysInOrder
from insterm.tui.look import TerminalLook, detect_look

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.store.operators import Operator

T = TypeVar("T")

# name -> "module:Class". Written ahead for the screens other modules will provide: a missing
# module is reported as "écran pas encore disponible".
SCREEN_MODULES: dict[str, str] = {
    "search": "insterm.tui.screens.search:SearchScreen",
    "record": "insterm.tui.screens.record:RecordScreen",
    "help": "insterm.tui.screens.help:HelpScreen",
    "confirm": "insterm.tui.screens.confirm:ConfirmModal",
    "error": "insterm.tui.screens.error:ErrorModal",
    "operator_pick": "insterm.tui.screens.operator:OperatorPickModal",
    "operator_bootstrap": "insterm.tui.screens.operator:BootstrapAdminModal",
    # Screens of the other flows (issue 5): module paths reserved for their authors.
    "create": "insterm.tui.screens.edit:CreateScreen",          # new identity (saisie)
    "edit": "insterm.tui.screens.edit:EditScreen",              # identity_id=
    "document_check": "insterm.tui.screens.document_check:DocumentCheckScreen",  # identity_id=
    "qualify": "insterm.tui.screens.qualify:QualifyScreen",     # identity_id=
    "verify_ins": "insterm.tui.screens.verify_ins:VerifyInsScreen",  # identity_id=
    "duplicates": "insterm.tui.screens.duplicates:DuplicatesScreen",  # identity_id=None|int
    "journal": "insterm.tui.screens.journal:JournalScreen",     # identity_id=None|int
    "settings": "insterm.tui.screens.settings:SettingsScreen",
}

# French names of the screens, for the "not available" notification and the palette.
SCREEN_TITLES: dict[str, str] = {
    "search": "Recherche", "record": "Fiche patient", "help": "Aide",
    "create": "Nouveau patient", "edit": "Modification de l'identité",
    "document_check": "Contrôle de pièce d'identité", "qualify": "Qualification INSi",
    "verify_ins": "Vérification d'un INS reçu",
    "duplicates": "Doublons", "journal": "Journal", "settings": "Réglages",
    "operator_pick": "Choix de l'opérateur", "operator_bootstrap": "Premier administrateur",
}


class ScreenUnavailable(LookupError):
    """A registered screen whose module or class cannot be loaded (French message)."""

    def __init__(self, name: str, reason: str) -> None:
        title = SCREEN_TITLES.get(name, name)
        self.message = (f"L'écran « {title} » n'est pas encore disponible dans cette version "
                        f"({reason}). Rien n'a été modifié.")
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def load_screen_class(name: str) -> type[Screen]:
    """The class registered as `name`, imported now; `ScreenUnavailable` when it cannot be."""
    target = SCREEN_MODULES.get(name)
    if target is None:
        raise ScreenUnavailable(name, "écran inconnu")
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        if missing.name and module_name.startswith(missing.name):
            raise ScreenUnavailable(name, "module absent") from None
        raise
    screen_class = getattr(module, class_name, None)
    if not (isinstance(screen_class, type) and issubclass(screen_class, Screen)):
        raise ScreenUnavailable(name, f"classe {class_name} absente")
    return screen_class


def _insterm_commands() -> type:
    from insterm.tui.commands import InstermCommands

    return InstermCommands


class InstermApp(KeysInOrder, App[None]):
    """The application. `clinic` is open and owned by the caller (who closes it afterwards).
    Keys typed ahead follow the focus (`insterm.tui.key_order`)."""

    TITLE = "insterm"
    SUB_TITLE = "Identités patients et INS"
    CSS_PATH = Path(__file__).with_name("insterm.tcss")
    COMMANDS = App.COMMANDS | {_insterm_commands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    HOME_SCREEN = "search"

    BINDINGS: ClassVar[list[Binding]] = [
        Binding("f1", "help", "Aide", id="app.help", tooltip="Aide de l'écran courant"),
        Binding("f9", "open('journal')", "Journal", id="app.journal", show=False,
                tooltip="Journal d'audit"),
        # Works everywhere; shown in the footer of the home screen only (search binds it shown),
        # so that the footers keep their room at 80 columns. F1 lists it on every screen.
        Binding("f10", "quit", "Quitter", id="app.quit", priority=True, show=False,
                tooltip="Quitter insterm"),
        Binding("ctrl+q", "quit", "Quitter", id="app.quit_ctrl", priority=True, show=False),
    ]

    def __init__(self, clinic: Clinic, *, operator_login: str | None = None,
                 os_login: str | None = None, look: TerminalLook | None = None,
                 home: str | None = None, home_params: dict[str, Any] | None = None,
                 services: dict[str, Any] | None = None, notice: str | None = None) -> None:
        """`operator_login`: work as this operator (else the OS login if it is an operator,
        else a choice at start). `services`: shared objects for screens, read with
        `app.services.get(name)` ("insi_runtime": see `insi_runtime`). `notice`: a French
        message shown at start (the demo says where its keyring is)."""
        self.look = look or detect_look()
        self._init_keys_in_order()
        super().__init__(ansi_color=False)
        self.clinic = clinic
        self.operator: Operator | None = None
        self.services: dict[str, Any] = dict(services or {})
        self._requested_operator = operator_login
        self._os_login = os_login
        self._home = home or self.HOME_SCREEN
        self._home_params = dict(home_params or {})
        self._clinic_lock = threading.RLock()
        self._notice = notice
        self.animation_level = self.look.animations  # type: ignore[assignment]

    # ------------------------------------------------------------------ start

    def on_mount(self) -> None:
        self.theme = self.look.theme
        self.set_class(self.look.ascii, "-ascii")
        if self.look.ascii:
            from insterm.tui.ascii_glyphs import use_ascii_scrollbars

            use_ascii_scrollbars(True)
        from insterm.tui.session import start_session

        start_session(self, requested=self._requested_operator,
                      os_login=self._os_login if self._os_login is not None else _os_login())
        if self._notice:
            self.notify(self._notice, title="insterm", timeout=6)

    def get_default_screen(self) -> Screen:
        """The home screen is the bottom of the stack: composed once, at start, with no blank
        screen under it (a start-up cost measured by `scripts/bench`)."""
        return load_screen_class(self._home)(**self._home_params)

    def on_unmount(self) -> None:
        if self.look.ascii:
            from insterm.tui.ascii_glyphs import use_ascii_scrollbars

            use_ascii_scrollbars(False)

    @property
    def insi_runtime(self) -> Any:
        """This process's INSi wiring (`insterm.usecases.settings.InsiRuntime`): the one given
        in `services["insi_runtime"]` (the demo's embedded simulator), else a default one."""
        runtime = self.services.get("insi_runtime")
        if runtime is None:
            from insterm.usecases.insi_wiring import InsiRuntime

            runtime = self.services["insi_runtime"] = InsiRuntime()
        return runtime

    def get_key_display(self, binding: Binding) -> str:
        display = super().get_key_display(binding)
        if self.look.ascii:
            from insterm.tui.ascii_glyphs import ascii_key_display

            display = ascii_key_display(display)
        return display

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # No blinking cursor anywhere: every blink is a redraw (bandwidth over SSH).
        if getattr(event.widget, "cursor_blink", False) is True:
            event.widget.cursor_blink = False  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ who works

    @property
    def actor(self) -> str:
        """The login every clinic call names; a French refusal when nobody is chosen yet."""
        if self.operator is None:
            from insterm.usecases.errors import PermissionRefused

            raise PermissionRefused("Aucun opérateur choisi : choisissez qui travaille "
                                    "(palette ctrl+p, « Changer d'opérateur »).")
        return self.operator.login

    def set_operator(self, operator: Operator) -> None:
        self.operator = operator
        self.sub_title = f"Opérateur : {operator.label}"
        self.refresh_bindings()

    # ------------------------------------------------------------------ clinic calls

    def call_clinic(self, call: Callable[[Clinic], T]) -> T:
        """`call(clinic)` under the clinic lock (one SQLite connection, one call at a time).

        Meant for thread workers (`InstermScreen.run_clinic`); quick reads on the UI thread
        may call it directly too. Never wait on the network under it: a call to INSi holds it
        only for its database phases (`InstermScreen.run_in_thread`,
        `Clinic.plan_insi_search`), so the other screens keep working meanwhile."""
        with self._clinic_lock:
            return call(self.clinic)

    def report_error(self, error: BaseException, *, doing: str | None = None) -> None:
        """The one error path: typed French refusals as an error notification, anything
        else in an error dialog (with the traceback in the Textual log)."""
        message = french_message(error, doing=doing)
        if is_expected(error):
            self.notify(message, title="Action refusée", severity="error", timeout=10)
            return
        self.log.error(f"unexpected error{f' during {doing}' if doing else ''}: {error!r}")
        from insterm.tui.screens.error import ErrorModal

        self.push_screen(ErrorModal(message, title="Erreur inattendue"))

    # ------------------------------------------------------------------ screens

    def open_screen(self, name: str, /, *, callback: Callable[[Any], Any] | None = None,
                    **params: Any) -> Screen | None:
        """Push the screen registered as `name`, built with `params`; None (and a French
        notification) when that screen is not available."""
        try:
            screen_class = load_screen_class(name)
        except ScreenUnavailable as unavailable:
            self.notify(unavailable.message, title="Écran indisponible", severity="warning")
            return None
        screen = screen_class(**params)
        self.push_screen(screen, callback=callback)
        return screen

    def action_go_home(self) -> None:
        """Back to the home screen (the search), closing the screens above it."""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_open(self, name: str) -> None:
        self.open_screen(name)

    def action_help(self) -> None:
        if type(self.screen).__name__ == "HelpScreen":
            return
        from insterm.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen.for_screen(self.screen, self))


def _os_login() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return ""
