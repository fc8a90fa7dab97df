"""Who is working: each operator proves who they are; or the first administrator is created.

`SignInModal` ("Qui travaille ?", and the lock screen of an idle session): the active
operators; the one mapped to this process's OS account signs in with Enter alone, the others
type their password (never echoed, cleared at once). A wrong password shows what is left
before the lock and keeps the field closed for the growing delay the clinic asks (a timer: the
screen stays responsive). `BootstrapAdminModal`: the first administrator with their proof (a
password typed twice, or this OS account). Both dismiss with the signed-in `Operator` or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from insterm.domain.errors import echoed
from insterm.tui.errors import french_message
from insterm.tui.screens.base import InstermModal

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.store.operators import Operator
    from insterm.usecases.authentication import SignedIn

# How long the field stays closed after a wrong password, at most (a lock of minutes is the
# clinic's: it refuses, and the message says until when).
_LONGEST_PAUSE = 10.0


class OperatorModal(InstermModal["Operator | None"]):
    """What the two dialogs share: their frame; both dismiss with an `Operator` or None."""

    DEFAULT_CSS = """
    OperatorModal { align: center middle; }
    OperatorModal > Vertical {
        width: 64; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    OperatorModal .modal-title { text-style: bold; color: $primary; margin-bottom: 1; }
    OperatorModal .modal-error { color: $error; height: auto; }
    OperatorModal .hint { color: $text-muted; height: auto; }
    """


def _method_text(operator: Operator, os_operator: Operator | None) -> str:
    if os_operator is not None and operator.login == os_operator.login:
        return "compte du poste"
    if operator.auth_method == "password":
        return "mot de passe"
    if operator.auth_method == "os-account":
        return f"compte « {operator.os_login} »"
    return "aucune preuve définie"


def _cannot_text(operator: Operator) -> str:
    if operator.auth_method == "os-account":
        return (f"{operator.display_name} s'identifie par le compte du poste "
                f"« {operator.os_login} » : ouvrez insterm depuis ce compte.")
    return (f"{operator.display_name} n'a pas encore de preuve d'identité : un administrateur "
            "doit lui définir un mot de passe ou un compte du poste.")


class SignInModal(OperatorModal):
    """The active operators; Enter signs in the one of this OS account, a password the others.
    `locked`: the lock screen of an idle session (no Escape; what was on screen stays below)."""

    HELP = ("Choisissez qui travaille sur ce poste (flèches), puis prouvez-le : la personne "
            "associée au compte du poste entre avec Entrée ; les autres tapent leur mot de passe "
            "puis Entrée. Après cinq mots de passe erronés de suite, le compte est verrouillé "
            "quelques minutes.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "keep", "Garder l'opérateur actuel", id="operator.keep")]
    DEFAULT_CSS = """
    SignInModal OptionList { height: auto; max-height: 10; }
    SignInModal #sign-in-password { margin-top: 1; }
    /* The lock screen hides what is under it (the screens stay as they were). */
    SignInModal.-locked { background: $background; }
    """

    def __init__(self, operators: list[Operator], *, current: Operator | None = None,
                 os_operator: Operator | None = None, preselect: str | None = None,
                 locked: bool = False) -> None:
        super().__init__()
        self._operators = operators
        self._current = current
        self._os_operator = os_operator
        self._preselect = preselect
        self.locked = locked
        self._pause: Timer | None = None
        self.set_class(locked, "-locked")

    def compose(self) -> ComposeResult:
        with Vertical():
            title = ("Session verrouillée : qui travaille ?" if self.locked
                     else "Qui travaille ?")
            yield Label(title, classes="modal-title")
            yield OptionList(*[Option(f"{o.display_name} ({o.login}, "
                                      f"{'administrateur' if o.is_admin else 'équipe'} ; "
                                      f"{_method_text(o, self._os_operator)})", id=o.login)
                               for o in self._operators], id="operator-list")
            yield Input(password=True, placeholder="mot de passe", id="sign-in-password",
                        max_length=256, select_on_focus=False)
            yield Static("", classes="modal-error", id="sign-in-error", markup=False)
            yield Static("Entrée : entrer · mot de passe puis Entrée", classes="hint",
                         id="sign-in-hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        wanted = self._preselect or (self._current.login if self._current else None) or (
            self._os_operator.login if self._os_operator else None)
        for index, operator in enumerate(self._operators):
            if operator.login == wanted:
                options.highlighted = index
        chosen = self.chosen()
        if self._preselect and chosen is not None and not self._by_os_account(chosen):
            self.query_one("#sign-in-password", Input).focus()
        else:
            options.focus()
        self._show_hint()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "keep":
            return self._current is not None and not self.locked
        return True

    def on_key(self, event: events.Key) -> None:
        """Typing in the list while the one highlighted signs in by password: the password
        goes into its field (typed at once, as people do, it is not lost in the list)."""
        options = self.query_one(OptionList)
        chosen = self.chosen()
        if options.has_focus and event.is_printable and event.character \
                and chosen is not None and not self._by_os_account(chosen) \
                and chosen.auth_method == "password":
            event.stop()
            event.prevent_default()
            password = self.query_one("#sign-in-password", Input)
            password.focus()
            password.insert_text_at_cursor(event.character)

    # ------------------------------------------------------------------ choice

    def chosen(self) -> Operator | None:
        index = self.query_one(OptionList).highlighted
        return self._operators[index] if index is not None and 0 <= index < len(
            self._operators) else None

    def _by_os_account(self, operator: Operator) -> bool:
        return self._os_operator is not None and operator.login == self._os_operator.login

    @on(OptionList.OptionHighlighted)
    def _show_hint(self) -> None:
        chosen = self.chosen()
        hint = self.query_one("#sign-in-hint", Static)
        if chosen is None:
            hint.update("")
        elif self._by_os_account(chosen):
            hint.update(f"Entrée : entrer en tant que {chosen.display_name} (compte du poste).")
        elif chosen.auth_method == "password":
            hint.update(f"Mot de passe de {chosen.display_name}, puis Entrée.")
        else:
            hint.update(_cannot_text(chosen))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = self.chosen()
        if chosen is None:
            return
        if self._by_os_account(chosen):
            self._sign_in_by_os_account(chosen)
        elif chosen.auth_method == "password":
            self._say("")
            self.query_one("#sign-in-password", Input).focus()
        else:
            self._say(_cannot_text(chosen))

    def _sign_in_by_os_account(self, chosen: Operator) -> None:
        os_login, login = chosen.os_login, chosen.login
        self._attempt(lambda clinic: clinic.sign_in_with_os_account(login, os_login))

    # ------------------------------------------------------------------ password

    @on(Input.Submitted, "#sign-in-password")
    def _password_typed(self, event: Input.Submitted) -> None:
        event.stop()
        field = event.input
        password = field.value
        field.value = ""  # the password stays in no widget
        chosen = self.chosen()
        if chosen is None:
            self._say("Choisissez d'abord qui travaille, dans la liste.")
            return
        if self._by_os_account(chosen) and not password:
            self._sign_in_by_os_account(chosen)
            return
        if not password:
            self._say(f"Tapez le mot de passe de {chosen.display_name}.")
            return
        login = chosen.login
        self._attempt(lambda clinic: clinic.sign_in_with_password(login, password))

    def _attempt(self, call: Callable[[Clinic], SignedIn]) -> None:
        from insterm.usecases.authentication import SignedIn, SignInRefused

        def attempt(clinic: Clinic) -> SignedIn | SignInRefused:
            try:
                return call(clinic)
            except SignInRefused as refused:
                return refused

        def done(result: SignedIn | SignInRefused) -> None:
            if isinstance(result, SignedIn):
                self.dismiss(result.operator)
                return
            self._say(result.message)
            if 0 < result.retry_in <= _LONGEST_PAUSE:
                self._close_for(result.retry_in)

        self._say("Vérification…", error=False)
        self.run_clinic(attempt, done=done, failed=lambda e: self._say(french_message(e)),
                        doing="l'identification", group="sign-in", exclusive=True)

    def _close_for(self, seconds: float) -> None:
        field = self.query_one("#sign-in-password", Input)
        field.disabled = True
        if self._pause is not None:
            self._pause.stop()

        def reopen() -> None:
            self._pause = None
            field.disabled = False
            if self.is_current:
                field.focus()

        self._pause = self.set_timer(seconds, reopen)

    def _say(self, text: str, *, error: bool = True) -> None:
        message = self.query_one("#sign-in-error", Static)
        message.set_class(not error, "-info")
        message.update(text)

    def action_keep(self) -> None:
        if self._current is not None and not self.locked:
            self.dismiss(None)


# --------------------------------------------------------------------------- first run


def _default_login(os_login: str | None) -> str:
    login = (os_login or "").lower()
    return login if re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,31}", login) else ""


class BootstrapAdminModal(OperatorModal):
    """The first administrator, created on an empty database with their proof."""

    HELP = ("Première utilisation : aucune personne n'est encore déclarée. Créez le compte de "
            "l'administrateur (identifiant en minuscules, nom affiché) et sa preuve "
            "d'identité : un mot de passe tapé deux fois (au moins 12 caractères, ou 8 mêlant "
            "minuscules, majuscules, chiffres et signes), ou le compte du poste sur lequel il "
            "travaille. F2 crée le compte ; il pourra ensuite déclarer les autres opérateurs.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "create", "Créer l'administrateur", id="bootstrap.create")]

    def __init__(self, os_login: str | None) -> None:
        super().__init__()
        self._os_login = os_login

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Premier lancement : créer l'administrateur", classes="modal-title")
            yield Static("Aucun opérateur n'existe dans cette base.", markup=False)
            yield Label("Identifiant")
            yield Input(_default_login(self._os_login), placeholder="ex. mdupont",
                        id="bootstrap-login")
            yield Label("Nom affiché")
            yield Input(placeholder="ex. Marie Dupont", id="bootstrap-name")
            yield Label("Preuve d'identité")
            choices = [("Mot de passe", "password")]
            if self._os_login:
                choices.append((f"Compte du poste « {echoed(self._os_login, 40)} »",
                                "os-account"))
            yield Select(choices, value="password", allow_blank=False, id="bootstrap-method")
            yield Input(password=True, placeholder="mot de passe", id="bootstrap-password",
                        max_length=256)
            yield Input(password=True, placeholder="le même, une seconde fois",
                        id="bootstrap-password-again", max_length=256)
            yield Static("", classes="modal-error", id="bootstrap-error", markup=False)

    def on_mount(self) -> None:
        login = self.query_one("#bootstrap-login", Input)
        (self.query_one("#bootstrap-name", Input) if login.value else login).focus()

    @on(Select.Changed, "#bootstrap-method")
    def _method_changed(self, event: Select.Changed) -> None:
        by_password = event.value == "password"
        for field_id in ("#bootstrap-password", "#bootstrap-password-again"):
            self.query_one(field_id, Input).display = by_password

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_create()

    def action_create(self) -> None:
        login = self.query_one("#bootstrap-login", Input).value.strip()
        name = self.query_one("#bootstrap-name", Input).value.strip()
        method = self.query_one("#bootstrap-method", Select).value
        first = self.query_one("#bootstrap-password", Input)
        again = self.query_one("#bootstrap-password-again", Input)
        password, password_again = first.value, again.value
        os_login = self._os_login
        if method == "os-account":
            def call(clinic: Clinic) -> Operator:
                return clinic.bootstrap_admin(login, name, os_login=os_login)
        else:
            def call(clinic: Clinic) -> Operator:
                return clinic.bootstrap_admin(login, name, password=password,
                                              password_again=password_again)
        self.run_clinic(call, done=self.dismiss, failed=self._refused,
                        doing="la création de l'administrateur")

    def _refused(self, error: BaseException) -> None:
        self.query_one("#bootstrap-error", Static).update(french_message(error))
        if getattr(error, "field", None) in ("password", "password_again"):
            for field_id in ("#bootstrap-password", "#bootstrap-password-again"):
                self.query_one(field_id, Input).value = ""
            self.query_one("#bootstrap-password", Input).focus()
