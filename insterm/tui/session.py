"""Who is working: every session has an operator before anything is written.

At start (`start_session`): the operator asked for (`insterm --operator LOGIN`), else the
operator whose login is the OS login, else a choice among the active operators (a small
dialog). With no operator at all (first run) the dialog offers to create the administrator.
`app.actor` then names them in every clinic call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from insterm.usecases.errors import PermissionRefused

if TYPE_CHECKING:
    from insterm.store.operators import Operator
    from insterm.tui.app import InstermApp


def operator_for(operators: list[Operator], login: str | None) -> Operator | None:
    """The active operator whose login is `login` (case-insensitive), if any."""
    if not login:
        return None
    wanted = login.strip().lower()
    for operator in operators:
        if operator.active and operator.login == wanted:
            return operator
    return None


def os_operator(app: InstermApp, os_login: str | None) -> Operator | None:
    """The operator of this OS session (`Clinic.operator_for_os_login`: the operator mapped
    from the OS account, else the active one whose login it is)."""
    if not os_login:
        return None
    return app.call_clinic(lambda clinic: clinic.operator_for_os_login(os_login))


def start_session(app: InstermApp, *, requested: str | None, os_login: str | None) -> None:
    """Work as `requested`, else as the OS session's operator, else ask who works."""
    operators = app.call_clinic(lambda clinic: clinic.operators())
    if requested:
        chosen = operator_for(operators, requested)
        if chosen is not None:
            app.set_operator(chosen)
            return
        app.notify(f"L'opérateur « {requested} » est inconnu ou désactivé : choisissez qui "
                   "travaille.", severity="warning", timeout=8)
    else:
        chosen = os_operator(app, os_login)
        if chosen is not None:
            app.set_operator(chosen)
            return
    ask_operator(app, operators)


def ask_operator(app: InstermApp, operators: list[Operator] | None = None) -> None:
    """Open the choice dialog (or the first-administrator dialog on an empty database)."""
    if operators is None:
        operators = app.call_clinic(lambda clinic: clinic.operators())
    from insterm.tui.screens.operator import BootstrapAdminModal, OperatorPickModal

    def chosen(operator: Operator | None) -> None:
        if operator is not None:
            app.set_operator(operator)
            app.notify(f"Vous travaillez en tant que {operator.label}.", timeout=4)

    active = [o for o in operators if o.active]
    if not operators:
        app.push_screen(BootstrapAdminModal(), callback=chosen)
    elif active:
        app.push_screen(OperatorPickModal(active, current=app.operator), callback=chosen)
    else:
        app.report_error(PermissionRefused(
            "Aucun opérateur actif dans cette base : un administrateur doit réactiver un "
            "compte (insterm en ligne de commande)."))
