"""The insterm terminal application: one `InstermApp` over one open `Clinic`.

The app holds the `Clinic` (the only way to the data: no SQL, no business rule here) and the
operator who works (`app.operator`, `app.actor` = their login, given to every clinic call). The
search screen is the home, at the bottom of the stack; a screen opens another by pushing it:

    self.app.push_screen(RecordScreen(identity_id), callback=on_dismissed)

Keys (docs/tui-conventions.md): F1 help for the current screen, F10 or ctrl+q quits, ctrl+p
the command palette, F9 the journal; screens use F2..F8 and ctrl+letters; no alt-only binding.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar, runtime_checkable

from textual import events
from textual.binding import Binding, BindingType

from insterm.tui.errors import french_message, is_expected
from insterm.tui.key_order import KeysInOrderApp
from insterm.tui.look import TerminalLook, detect_look
from insterm.tui.screens.search import SearchScreen

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.content import Content

    from insterm.clinic import Clinic
    from insterm.store.operators import Operator
    from insterm.tui.cards import CardsChanged

T = TypeVar("T")
_NEEDS_SIGN_IN = frozenset({"journal", "command_palette"})


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
                 notice: str | None = None, idle_lock_seconds: float | None = None,
                 card_watch: bool = False) -> None:
        """`operator_login`: who asks to work (pre-selected in "Qui travaille ?"; they still
        prove it). `os_login`: the OS account of the session (default: the process's real
        user; tests give their own). `notice`: a French message shown at start (the demo says
        where its keyring is). `idle_lock_seconds`: lock after that much inactivity (default:
        the practice setting, `Clinic.idle_lock_minutes`). `card_watch`: follow the card
        readers (`insterm.tui.cards`): a card inserted or removed is notified."""
        self.look = look or detect_look()
        super().__init__(ansi_color=False)
        self.clinic = clinic
        self.operator: Operator | None = None
        self._requested_operator = operator_login
        self._os_login = os_login
        self._clinic_lock = threading.RLock()
        self._notice = notice
        self._idle_lock_seconds = idle_lock_seconds
        self._last_input = monotonic()
        self._card_watch = card_watch
        self._card_watcher: object | None = None
        self.card_events: list[object] = []  # the reader and card events seen, in order
        self.animation_level = self.look.animations
        # The theme and the look's class before anything is drawn: the first frame already
        # has the look it keeps.
        self.theme = self.look.theme
        self.set_class(self.look.ascii, "-ascii")

    # ------------------------------------------------------------------ start

    def _watch_terminal(self) -> None:
        """Quit when the terminal is gone. A dropped SSH link does not always deliver SIGHUP
        (under `su -`, the app kept running on a hung-up terminal, spinning a core and holding
        its database connection): every 2 seconds, the terminal must still be there (no
        hang-up on its descriptor, its size readable)."""
        import os
        import sys

        stream = sys.__stdout__
        if self.is_headless or stream is None or not stream.isatty():
            return
        descriptor = stream.fileno()

        def check() -> None:
            import select

            poller = select.poll()
            poller.register(descriptor, select.POLLHUP | select.POLLERR)
            try:
                hung_up = any(events & (select.POLLHUP | select.POLLERR)
                              for _, events in poller.poll(0))
                os.get_terminal_size(descriptor)
            except OSError:  # EIO on a hung-up terminal
                hung_up = True
            if hung_up:
                self.exit(return_code=1)
                # Textual's shutdown writes to the terminal to restore it, and on a hung-up
                # one it may never end: past 3 seconds the process ends anyway (SQLite
                # keeps every committed write, as after a kill; nothing is half-written).
                killer = threading.Timer(3, os._exit, args=(1,))
                killer.daemon = True
                killer.start()

        self.set_interval(2, check, name="terminal-watch")

    def on_mount(self) -> None:
        if self.look.ascii:
            from insterm.tui.ascii_glyphs import AsciiTypography, use_ascii_scrollbars

            use_ascii_scrollbars(True)
            self._filters.append(AsciiTypography())
        from insterm.tui.session import start_session

        start_session(self, requested=self._requested_operator, os_login=self.os_login)
        self._start_idle_lock()
        self._watch_terminal()
        if self._notice:
            self.notify(self._notice, title="insterm", timeout=6)
        if self._card_watch:
            self.run_worker(self._watch_cards, thread=True, group="cards",
                            exit_on_error=False, name="cards",
                            description="le suivi des lecteurs de cartes")

    def _watch_cards(self) -> None:
        """In a thread worker (PC/SC calls block): start following the readers."""
        from insterm.tui.cards import start_card_watch

        self._card_watcher = start_card_watch(self)

    def on_cards_changed(self, message: CardsChanged) -> None:
        """A card or reader event from pyscard's thread, here on the UI thread."""
        from insterm.usecases.vitale_card import CardEvent

        event = message.event
        self.card_events.append(event)
        if isinstance(event, CardEvent):
            self.notify(event.describe(), title="Lecteur de cartes", timeout=4)
        elif event.plugged:
            self.notify(f"Lecteur branché : « {event.reader} ».", title="Lecteur de cartes",
                        timeout=4)
        else:
            self.notify(f"Lecteur débranché : « {event.reader} ».", title="Lecteur de cartes",
                        timeout=4)

    def get_default_screen(self) -> SearchScreen:
        """The home screen is the bottom of the stack: composed once, at start, with no blank
        screen under it (a start-up cost measured by `scripts/bench`)."""
        return SearchScreen()

    def on_unmount(self) -> None:
        watcher, self._card_watcher = self._card_watcher, None
        stop = getattr(watcher, "stop", None)
        if stop is not None:
            stop()
        if self.look.ascii:
            from insterm.tui.ascii_glyphs import use_ascii_scrollbars

            use_ascii_scrollbars(False)

    def get_key_display(self, binding: Binding) -> str:
        display = super().get_key_display(binding)
        if self.look.ascii:
            from insterm.tui.ascii_glyphs import ascii_key_display

            display = ascii_key_display(display)
        return display

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp)):
            self._last_input = monotonic()
        await super().on_event(event)

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

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header's line, whole at the terminal's width: the screen's title first; then
        the sub-title (the operator) as long as it fits, else the operator's login only, else
        nothing (F1 and the palette say who works)."""
        from textual.content import Content

        dash = " - " if self.look.ascii else " — "
        width = self.size.width - 2
        choices = [sub_title]
        if self.operator is not None and sub_title == f"Opérateur : {self.operator.label}":
            choices += [f"Opérateur : {self.operator.login}", self.operator.login]
        for choice in choices:
            if choice and len(title) + len(dash) + len(choice) <= width:
                return Content.assemble(Content(title), (dash, "dim"),
                                        Content(choice).stylize("dim"))
        return Content(title)

    @property
    def os_login(self) -> str | None:
        """The OS account this session runs as (None or "" when unknown)."""
        if self._os_login is not None:
            return self._os_login
        from insterm.usecases.authentication import current_os_login

        return current_os_login()

    def set_operator(self, operator: Operator) -> None:
        """`operator` has proved who they are (`insterm.tui.session`): they work now."""
        self.operator = operator
        self.sub_title = f"Opérateur : {operator.label}"
        self._last_input = monotonic()
        self.refresh_bindings()

    # ------------------------------------------------------------------ idle lock

    def _start_idle_lock(self) -> None:
        seconds = self._idle_lock_seconds
        if seconds is None:
            seconds = 60.0 * self.call_clinic(lambda clinic: clinic.idle_lock_minutes())
        self._idle_lock_seconds = seconds
        self._idle_timer = self.set_interval(max(0.02, min(seconds / 4, 5.0)), self._check_idle)

    def idle_lock_changed(self, minutes: int) -> None:
        """The practice changed its idle lock: this session follows at once."""
        self._idle_timer.stop()
        self._idle_lock_seconds = 60.0 * minutes
        self._idle_timer = self.set_interval(5.0, self._check_idle)

    def _check_idle(self) -> None:
        seconds = self._idle_lock_seconds
        if seconds is None or self.operator is None or self.is_locked:
            return
        if monotonic() - self._last_input >= seconds:
            self.lock()

    @property
    def is_locked(self) -> bool:
        from insterm.tui.screens.operator import BootstrapAdminModal, SignInModal

        return any(isinstance(screen, SignInModal | BootstrapAdminModal)
                   for screen in self.screen_stack)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Nothing of the practice (journal, palette) before someone proved who they are,
        nor over the lock screen."""
        if action in _NEEDS_SIGN_IN and (self.operator is None or self.is_locked):
            return False
        return super().check_action(action, parameters)

    def lock(self) -> None:
        """Lock the session now (the idle timer calls it): the lock screen asks for a proof
        again, over the screens as they were."""
        if self.is_locked:
            return
        from insterm.tui.session import lock_session

        lock_session(self)

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

    def action_write_leaflet(self) -> None:
        """The patients' information leaflet, written to the user's home folder."""
        from pathlib import Path

        from insterm.domain.errors import InstermError
        from insterm.usecases.leaflet import write_leaflet

        try:
            path = write_leaflet(Path.home())
        except InstermError as error:
            self.notify(error.message, title="Dépliant non écrit", severity="error", timeout=10)
            return
        self.notify(f"Dépliant écrit : {path}", title="Dépliant d'information INS", timeout=10)

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

