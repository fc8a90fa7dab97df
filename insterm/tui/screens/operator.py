"""Who is working: choose among the active operators, or create the first administrator."""

from __future__ import annotations

import getpass
import re
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from insterm.tui.errors import french_message
from insterm.tui.screens.base import InstermModal

if TYPE_CHECKING:
    from insterm.store.operators import Operator

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
    """


class OperatorPickModal(OperatorModal):
    """The choice among the active operators (Escape keeps the current one, if any)."""

    HELP = ("Choisissez qui travaille sur ce poste : chaque action enregistrée portera son nom. "
            "Flèches pour choisir, Entrée pour valider.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "keep", "Garder l'opérateur actuel", id="operator.keep")]
    DEFAULT_CSS = """
    OperatorPickModal OptionList { height: auto; max-height: 12; }
    """

    def __init__(self, operators: list[Operator], current: Operator | None = None) -> None:
        super().__init__()
        self._operators = operators
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Qui travaille ?", classes="modal-title")
            yield OptionList(*[Option(f"{o.display_name} ({o.login}, "
                                      f"{'administrateur' if o.is_admin else 'équipe'})",
                                      id=o.login) for o in self._operators],
                             id="operator-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "keep":
            return self._current is not None
        return True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        login = event.option.id
        self.dismiss(next(o for o in self._operators if o.login == login))

    def action_keep(self) -> None:
        if self._current is not None:
            self.dismiss(None)


def _default_login() -> str:
    try:
        login = getpass.getuser().lower()
    except Exception:
        return ""
    return login if re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,31}", login) else ""


class BootstrapAdminModal(OperatorModal):
    """The first administrator, created on an empty database."""

    HELP = ("Première utilisation : aucune personne n'est encore déclarée. Créez le compte de "
            "l'administrateur (identifiant en minuscules, nom affiché), puis F2 ou Entrée. "
            "Il pourra ensuite déclarer les autres opérateurs.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "create", "Créer l'administrateur", id="bootstrap.create")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Premier lancement : créer l'administrateur", classes="modal-title")
            yield Static("Aucun opérateur n'existe dans cette base.", markup=False)
            yield Label("Identifiant")
            yield Input(_default_login(), placeholder="ex. mdupont", id="bootstrap-login")
            yield Label("Nom affiché")
            yield Input(placeholder="ex. Marie Dupont", id="bootstrap-name")
            yield Static("", classes="modal-error", id="bootstrap-error")

    def on_mount(self) -> None:
        login = self.query_one("#bootstrap-login", Input)
        (self.query_one("#bootstrap-name", Input) if login.value else login).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_create()

    def action_create(self) -> None:
        login = self.query_one("#bootstrap-login", Input).value.strip()
        name = self.query_one("#bootstrap-name", Input).value.strip()
        self.run_clinic(lambda clinic: clinic.bootstrap_admin(login, name),
                        done=self.dismiss, failed=self._refused,
                        doing="la création de l'administrateur")

    def _refused(self, error: BaseException) -> None:
        self.query_one("#bootstrap-error", Static).update(french_message(error))
