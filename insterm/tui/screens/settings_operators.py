"""Réglages, "Opérateurs" tab: who works here, their role, how they prove who they are; and its
dialogs.

`OperatorsPane` lists the operators (one line each); the screen's keys act on the highlighted
one: F2 add (`AddOperatorModal`, with a password or an OS account), F3 change the role
(admin <-> staff, confirmed), F4 deactivate or reactivate (confirmed), F5 their proof
(`ProofModal`: the OS account they are mapped to, the method, a new password typed twice,
which lifts a lock).
Every change is one clinic call (administrators only; the clinic refuses the others, and the
last active administrator can be neither demoted nor deactivated).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Label, Select, Static

from insterm.tui.screens.base import InstermModal
from insterm.tui.screens.settings import Pane, SettingsState, field_row, refusal_text

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.store.operators import Operator

ROLE_LABELS = {"admin": "admin", "staff": "équipe"}
ROLE_LONG = {"admin": "administrateur", "staff": "équipe (sans droits d'administration)"}

COLUMNS = (("login", "Identifiant", 11), ("name", "Nom", 17), ("role", "Rôle", 6),
           ("rpps", "RPPS", 11), ("proof", "Preuve", 14), ("active", "État", 7))
METHODS = (("Mot de passe", "password"), ("Compte du poste", "os-account"))


def proof_text(operator: Operator) -> str:
    """How the operator proves who they are, in the list."""
    if operator.auth_method == "password":
        return "mot de passe"
    if operator.auth_method == "os-account":
        return f"poste {operator.os_login}"
    return "aucune"


def _locked(operator: Operator) -> bool:
    from datetime import UTC, datetime

    from insterm.domain.authentication import MAX_FAILURES

    return (operator.failed_attempts >= MAX_FAILURES and operator.locked_until is not None
            and datetime.fromisoformat(operator.locked_until) > datetime.now(UTC))


class OperatorsPane(Pane):
    """The operators, one line each; the screen's F2..F5 act on the highlighted one."""

    DEFAULT_CSS = """
    OperatorsPane DataTable { height: 1fr; min-height: 5; }
    """

    def __init__(self) -> None:
        super().__init__(id="pane-operators")
        self.operators: tuple[Operator, ...] = ()
        self._idle_minutes = 0

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="operators-table", cursor_type="row",
                                                 zebra_stripes=False)
        for key, title, width in COLUMNS:
            table.add_column(title, key=key, width=width)
        yield table
        yield field_row("Verrouillage après (min)",
                        Input(id="idle-lock-minutes", max_length=2, restrict=r"[0-9]*",
                              compact=True, tooltip="Minutes d'inactivité avant que la "
                              "session se verrouille (1 à 60) ; Entrée enregistre"))
        yield Static("", classes="pane-message", markup=False)
        yield Static("F2 ajouter · F3 rôle · F4 désactiver/réactiver · F5 accès "
                     "(compte du poste, mot de passe)", classes="hint", markup=False)

    def show(self, state: SettingsState) -> None:
        self._idle_minutes = state.idle_lock_minutes
        self.query_one("#idle-lock-minutes", Input).value = str(state.idle_lock_minutes)
        table = self.query_one(DataTable)
        highlighted = self.current()
        self.operators = state.operators
        table.clear()
        for operator in self.operators:
            state_text = (Text("inactif", style="dim") if not operator.active
                          else Text("bloqué", style="bold") if _locked(operator)
                          else Text("actif"))
            table.add_row(operator.login, operator.display_name, ROLE_LABELS.get(
                operator.role, operator.role), operator.rpps or "", proof_text(operator),
                state_text, key=operator.login)
        if highlighted is not None:
            for row, operator in enumerate(self.operators):
                if operator.login == highlighted.login:
                    table.move_cursor(row=row)

    def current(self) -> Operator | None:
        table = self.query_one(DataTable)
        if not self.operators or table.row_count == 0:
            return None
        row = table.cursor_row
        return self.operators[row] if 0 <= row < len(self.operators) else None

    def _chosen(self) -> Operator | None:
        operator = self.current()
        if operator is None:
            self.say("Aucun opérateur choisi : descendez sur sa ligne dans la liste.",
                     error=True)
        return operator

    @property
    def dirty(self) -> bool:
        typed = self.query_one("#idle-lock-minutes", Input).value.strip()
        return bool(self._idle_minutes) and typed != str(self._idle_minutes)

    @on(Input.Submitted, "#idle-lock-minutes")
    def save_idle_lock(self, event: Input.Submitted) -> None:
        """The practice's idle lock (minutes), for every workstation (this one at once, the
        others at their next start)."""
        event.stop()
        typed = event.value.strip()
        minutes = int(typed) if typed.isdigit() else 0
        app = self.settings.insterm

        def saved(value: int) -> str:
            app.idle_lock_changed(value)
            return f"Les sessions se verrouillent après {value} minute(s) d'inactivité."

        self.settings.act(lambda clinic: clinic.set_idle_lock_minutes(app.actor, minutes),
                          doing="le réglage du verrouillage", pane=self, done_text=saved)

    # ------------------------------------------------------------------ actions

    def add(self) -> None:
        def added(operator: Operator | None) -> None:
            if operator is not None:
                text = f"Opérateur {operator.label} ajouté : {ROLE_LONG[operator.role]}."
                self.say(text)
                self.notify(text, title="Réglages")
                self.settings.reload()

        self.app.push_screen(AddOperatorModal(), callback=added)

    def change_role(self) -> None:
        operator = self._chosen()
        if operator is None:
            return
        role = "staff" if operator.role == "admin" else "admin"
        app = self.settings.insterm
        what = ("pourra gérer les opérateurs, fusionner des dossiers et changer les réglages"
                if role == "admin" else "ne pourra plus gérer les opérateurs, fusionner des "
                "dossiers ni changer les réglages")
        self._confirmed(
            "Changer le rôle ?",
            f"{operator.label} devient {ROLE_LONG[role]} : il ou elle {what}.",
            "Changer le rôle",
            lambda clinic: clinic.set_operator_role(app.actor, operator.login, role),
            doing="le changement de rôle",
            done_text=lambda who: f"{who.label} est maintenant {ROLE_LONG[who.role]}.")

    def toggle_active(self) -> None:
        operator = self._chosen()
        if operator is None:
            return
        active = not operator.active
        app = self.settings.insterm
        if active:
            title, label = "Réactiver l'opérateur ?", "Réactiver"
            text = f"{operator.label} pourra de nouveau ouvrir insterm."
        else:
            title, label = "Désactiver l'opérateur ?", "Désactiver"
            text = (f"{operator.label} ne pourra plus ouvrir insterm ; son historique reste "
                    "dans le journal.")
        self._confirmed(
            title, text, label,
            lambda clinic: clinic.set_operator_active(app.actor, operator.login, active),
            doing="la (dés)activation de l'opérateur",
            done_text=lambda who: f"{who.label} est {'réactivé' if who.active else 'désactivé'}.")

    def change_proof(self) -> None:
        operator = self._chosen()
        if operator is None:
            return

        def changed(who: Operator | None) -> None:
            if who is not None:
                text = f"{who.label} s'identifie par : {proof_text(who)}."
                self.say(text)
                self.notify(text, title="Réglages")
                self.settings.reload()

        self.app.push_screen(ProofModal(operator), callback=changed)

    def _confirmed(self, title: str, text: str, label: str,
                   call: Callable[[Clinic], Operator], *, doing: str,
                   done_text: Callable[[Operator], str]) -> None:
        from insterm.tui.screens.confirm import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                self.settings.act(call, doing=doing, pane=self, done_text=done_text)
            else:
                self.say("Annulé : rien n'a été modifié.")

        self.app.push_screen(ConfirmModal(title, text, label), callback=answered)


# --------------------------------------------------------------------------------- dialogs


class _FormModal(InstermModal["Operator | None"]):
    """A small form dialog: F2 saves (one clinic call), Escape closes (asking when typed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "save", "Enregistrer", id="settings.dialog_save"),
        Binding("escape", "cancel", "Annuler", id="settings.dialog_cancel"),
    ]
    DEFAULT_CSS = """
    _FormModal { align: center middle; }
    _FormModal > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    _FormModal .dialog-title { text-style: bold; margin-bottom: 1; }
    _FormModal .field-row { height: 1; margin-bottom: 1; }
    _FormModal .field-label { width: 24; }
    _FormModal .field-row Input, _FormModal .field-row Select { width: 1fr; }
    _FormModal .field-row Input:focus, _FormModal .field-row Select:focus {
        border: none; background: $accent 40%;
    }
    _FormModal .dialog-message { color: $error; height: auto; }
    _FormModal .hint { color: $text-muted; }
    """

    def typed(self) -> bool:
        return False

    def say(self, text: str) -> None:
        self.query_one(".dialog-message", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def submit(self, call: Callable[[Clinic], Operator], doing: str) -> None:
        def failed(error: BaseException) -> None:
            text = refusal_text(error)
            if text is None:
                self.insterm.report_error(error, doing=doing)
            else:
                self.say(text)

        self.say("En cours…")
        self.run_clinic(call, done=self.dismiss, failed=failed, doing=doing)

    def action_cancel(self) -> None:
        if not self.typed():
            self.dismiss(None)
            return
        self.leave_after_asking("Abandonner la saisie ?",
                                "Ce qui est tapé dans ce formulaire sera perdu.", "Abandonner",
                                lambda: self.dismiss(None), discard=False)


class AddOperatorModal(_FormModal):
    """A new operator: login, name, role, RPPS and OS account."""

    HELP = ("Ajouter un opérateur : identifiant de connexion à insterm (minuscules, par exemple "
            "« mdupont »), nom affiché, rôle (administrateur ou équipe), RPPS (11 chiffres, "
            "facultatif), et sa preuve d'identité : un mot de passe tapé deux fois (au moins "
            "12 caractères, ou 8 mêlant minuscules, majuscules, chiffres et signes), ou le "
            "compte du poste (connexion système dont les sessions ouvrent insterm à son nom). "
            "Un administrateur en a toujours une. F2 enregistre, Échap annule.")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Ajouter un opérateur", classes="dialog-title")
            yield field_row("Identifiant", Input(id="operator-login", max_length=32, compact=True,
                                            placeholder="mdupont"))
            yield field_row("Nom affiché", Input(id="operator-name", max_length=80, compact=True,
                                            placeholder="Marie Dupont"))
            yield field_row("Rôle", Select([(ROLE_LONG["staff"], "staff"),
                                       (ROLE_LONG["admin"], "admin")], allow_blank=False,
                                      value="staff", id="operator-role", compact=True))
            yield field_row("RPPS (facultatif)", Input(id="operator-rpps", max_length=11,
                                                  restrict=r"[0-9]*", compact=True))
            yield field_row("Compte du poste", Input(id="operator-os-login", max_length=64,
                                                compact=True, placeholder="facultatif"))
            yield field_row("Mot de passe", Input(id="operator-password", password=True,
                                             max_length=256, compact=True,
                                             placeholder="ou le compte du poste"))
            yield field_row("Confirmez-le", Input(id="operator-password-again", password=True,
                                             max_length=256, compact=True))
            yield Static("", classes="dialog-message", markup=False)
            yield Static("F2 enregistrer · Échap annuler", classes="hint", markup=False)

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def typed(self) -> bool:
        return any(self._value(f) for f in ("operator-login", "operator-name", "operator-rpps",
                                            "operator-os-login"))

    def action_save(self) -> None:
        login = self._value("operator-login")
        name = self._value("operator-name")
        role = str(self.query_one("#operator-role", Select).value)
        rpps = self._value("operator-rpps") or None
        os_login = self._value("operator-os-login") or None
        first = self.query_one("#operator-password", Input)
        again = self.query_one("#operator-password-again", Input)
        password, password_again = first.value or None, again.value
        first.value = again.value = ""  # typed again after a refusal, kept nowhere
        app = self.insterm
        self.submit(lambda clinic: clinic.add_operator(app.actor, login, name, role, rpps,
                                                       os_login=os_login, password=password,
                                                       password_again=password_again),
                    doing="l'ajout de l'opérateur")


class ProofModal(_FormModal):
    """How an operator proves who they are: their OS account, the method, a new password."""

    HELP = ("Preuve d'identité de l'opérateur. Compte du poste : la connexion système (poste ou "
            "session SSH) associée à cet opérateur (vide : aucune). Méthode : mot de passe, ou "
            "compte du poste (il entre alors sans rien taper depuis ce compte). Un nouveau mot "
            "de passe se tape deux fois (au moins 12 caractères, ou 8 mêlant minuscules, "
            "majuscules, chiffres et signes) et lève un verrouillage après cinq erreurs ; "
            "laissé vide, le mot de passe actuel reste. Un administrateur garde toujours une "
            "preuve. F2 enregistre, Échap annule.")

    def __init__(self, operator: Operator) -> None:
        super().__init__()
        self.operator = operator

    def _initial_method(self) -> str:
        return self.operator.auth_method or ("os-account" if self.operator.os_login
                                             else "password")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Preuve d'identité de {self.operator.label}", classes="dialog-title")
            yield field_row("Compte du poste", Input(self.operator.os_login or "",
                                                id="operator-os-login", max_length=64,
                                                compact=True, placeholder="aucun"))
            yield field_row("Méthode", Select(METHODS, value=self._initial_method(),
                                              allow_blank=False, id="proof-method",
                                              compact=True))
            yield field_row("Nouveau mot de passe", Input(id="proof-password", password=True,
                                                     max_length=256, compact=True,
                                                     placeholder="vide : inchangé"))
            yield field_row("Confirmez-le", Input(id="proof-password-again", password=True,
                                             max_length=256, compact=True))
            yield Static("", classes="dialog-message", markup=False)
            yield Static("F2 enregistrer · Échap annuler", classes="hint", markup=False)

    def _account(self) -> str | None:
        return self.query_one("#operator-os-login", Input).value.strip() or None

    def typed(self) -> bool:
        return (bool(self.query_one("#proof-password", Input).value)
                or self._account() != self.operator.os_login
                or self.query_one("#proof-method", Select).value != self._initial_method())

    def action_save(self) -> None:
        method = str(self.query_one("#proof-method", Select).value)
        account = self._account()
        first = self.query_one("#proof-password", Input)
        again = self.query_one("#proof-password-again", Input)
        password, password_again = first.value or None, again.value
        first.value = again.value = ""  # typed again after a refusal, kept nowhere
        app = self.insterm
        login = self.operator.login

        def call(clinic: Clinic) -> Operator:
            return clinic.change_operator_proof(app.actor, login, method, os_login=account,
                                                password=password, again=password_again)

        self.submit(call, doing="le changement de preuve d'identité")
