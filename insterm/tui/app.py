"""The insterm terminal application: one `InstermApp` over one open `Clinic`.

The app holds the `Clinic` (the only way to the data: no SQL, no business rule here) and the
operator who works (`app.operator`, `app.actor` = their login, given to every clinic call). The
search screen is the home, at the bottom of the stack; a screen opens another by pushing it:

    self.app.push_screen(RecordScreen(identity_id), callback=on_dismissed)

Keys (docs/tui-conventions.md): F1 help for the current screen, F10 or ctrl+q quits, ctrl+p
the command palette, F9 the journal; screens use F2..F8 and ctrl+letters; no alt-only binding.
"""

from __future__ import annotations

import getpass
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar, runtime_checkable

from textual import events
from textual.binding import Binding, BindingType

from insterm.tui.errors import french_message, is_expected
from insterm.tui.key_order import KeysInOrderApp
from insterm.tui.look import TerminalLook, detect_look
from insterm.tui.screens.search import SearchScreen

if TYPE_CHECKING:
    from textual.command import Provider

    from insterm.clinic import Clinic
    from insterm.store.operators import Operator

T = TypeVar("T")


@runtime_checkable
class _Blinking(Protocol):
    """A widget with a text cursor that can blink (Input, TextArea)."""

    cursor_blink: bool


def _insterm_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens (Textual's lazy form)."""
    from insterm.tui.commands import InstermCommands

    return InstermCommands


class InstermApp(KeysInOrderApp[None]):
    """The application. `clinic` is open and owned by the caller (who closes it afterwards).
    Keys typed ahead follow the focus (`insterm.tui.key_order`)."""

    TITLE = "insterm"
    SUB_TITLE = "Identités patients et INS"
    CSS_PATH = Path(__file__).with_name("insterm.tcss")
    # Only insterm's own entries: Textual's (Theme, Keys, Screenshot... in English) are left out.
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {_insterm_commands}
    COMMAND_PALETTE_BINDING = "ctrl+p"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Aide", id="app.help", tooltip="Aide de l'écran courant"),
        Binding("f9", "journal", "Journal", id="app.journal", show=False,
                tooltip="Journal d'audit"),
        # Works everywhere; shown in the footer of the home screen only (search binds it shown),
        # so that the footers keep their room at 80 columns. F1 lists it on every screen.
        Binding("f10", "quit", "Quitter", id="app.quit", priority=True, show=False,
                tooltip="Quitter insterm"),
        Binding("ctrl+q", "quit", "Quitter", id="app.quit_ctrl", priority=True, show=False),
    ]

    def __init__(self, clinic: Clinic, *, operator_login: str | None = None,
                 os_login: str | None = None, look: TerminalLook | None = None,
                 notice: str | None = None) -> None:
        """`operator_login`: work as this operator (else the OS login if it is an operator,
        else a choice at start). `notice`: a French message shown at start (the demo says
        where its keyring is)."""
        self.look = look or detect_look()
        super().__init__(ansi_color=False)
        self.clinic = clinic
        self.operator: Operator | None = None
        self._requested_operator = operator_login
        self._os_login = os_login
        self._clinic_lock = threading.RLock()
        self._notice = notice
        self.animation_level = self.look.animations

    # ------------------------------------------------------------------ start

    def on_mount(self) -> None:
        self.theme = self.look.theme
        self.set_class(self.look.ascii, "-ascii")
        if self.look.ascii:
            from insterm.tui.ascii_glyphs import AsciiTypography, use_ascii_scrollbars

            use_ascii_scrollbars(True)
            self._filters.append(AsciiTypography())
        from insterm.tui.session import start_session

        start_session(self, requested=self._requested_operator,
                      os_login=self._os_login if self._os_login is not None else _os_login())
        if self._notice:
            self.notify(self._notice, title="insterm", timeout=6)

    def get_default_screen(self) -> SearchScreen:
        """The home screen is the bottom of the stack: composed once, at start, with no blank
        screen under it (a start-up cost measured by `scripts/bench`)."""
        return SearchScreen()

    def on_unmount(self) -> None:
        if self.look.ascii:
            from insterm.tui.ascii_glyphs import use_ascii_scrollbars

            use_ascii_scrollbars(False)

    def get_key_display(self, binding: Binding) -> str:
        display = super().get_key_display(binding)
        if self.look.ascii:
            from insterm.tui.ascii_glyphs import ascii_key_display

            display = ascii_key_display(display)
        return display

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # No blinking cursor anywhere: every blink is a redraw (bandwidth over SSH).
        widget = event.widget
        if isinstance(widget, _Blinking) and widget.cursor_blink:
            widget.cursor_blink = False

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

    # ------------------------------------------------------------------ app-wide actions

    def action_go_home(self) -> None:
        """Back to the home screen (the search), closing the screens above it."""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_journal(self) -> None:
        """F9: the journal of the whole practice."""
        from insterm.tui.screens.journal import JournalScreen

        self.push_screen(JournalScreen())

    def action_command_palette(self) -> None:
        """ctrl+p: the command palette, in French (`insterm.tui.commands`)."""
        from textual.command import CommandPalette

        from insterm.tui.commands import FrenchCommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]  # is_open is typed for App[object]; InstermApp is an App[None]
            self.push_screen(FrenchCommandPalette())

    def action_help(self) -> None:
        from insterm.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen.for_screen(self.screen, self))


def _os_login() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return ""
