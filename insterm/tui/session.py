"""Who is working: every session has an operator who proved who they are before anything is
written.

At start (`start_session`): the operator mapped to this process's OS account (the real user:
`insterm.usecases.authentication.current_os_login`) signs in directly, unless another one is
asked for (`insterm --operateur LOGIN`); anyone else is chosen in "Qui travaille ?"
(`SignInModal`) and types their password. With no operator at all (first run) the dialog
creates the administrator with their proof. `app.actor` then names them in every clinic call,
and the clinic records how they proved it in every audit event.

`lock_session`: the lock screen of an idle session (the same dialog, over what was on screen,
which it hides until someone proves who they are).

At start in CPS mode, the operator linked to the CPS inserted (`Clinic.operator_for_card`,
matched on its RPPS/ADELI identifier) is the one proposed in the dialog: identified by the
card, they still prove who they are (password or OS account). The lock screen keeps proposing
the operator of the session.
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
    """The operator who signs in by this OS account (`Clinic.operator_for_os_login`)."""
    if not os_login:
        return None
    return app.call_clinic(lambda clinic: clinic.operator_for_os_login(os_login))


def _sign_in_by_os_account(app: InstermApp, operator: Operator, os_login: str) -> bool:
    from insterm.usecases.authentication import SignInRefused

    try:
        signed = app.call_clinic(
            lambda clinic: clinic.sign_in_with_os_account(operator.login, os_login))
    except SignInRefused as refused:
        app.notify(refused.message, severity="warning", timeout=8)
        return False
    app.set_operator(signed.operator)
    return True


def start_session(app: InstermApp, *, requested: str | None, os_login: str | None) -> None:
    """Work as the OS account's operator, or ask who works (`requested` pre-selected)."""
    operators = app.call_clinic(lambda clinic: clinic.operators())
    mapped = os_operator(app, os_login)
    if requested:
        chosen = operator_for(operators, requested)
        if chosen is None:
            app.notify(f"L'opérateur « {requested} » est inconnu ou désactivé : choisissez qui "
                       "travaille.", severity="warning", timeout=8)
        elif (mapped is not None and os_login and chosen.login == mapped.login
              and _sign_in_by_os_account(app, chosen, os_login)):
            return
        ask_operator(app, operators, preselect=chosen.login if chosen else None)
        return
    if mapped is not None and os_login and _sign_in_by_os_account(app, mapped, os_login):
        return
    ask_operator(app, operators, preselect=card_holder(app))


def card_holder(app: InstermApp) -> str | None:
    """The operator linked to the CPS inserted (CPS mode), proposed in "Qui travaille ?";
    None when there is none or the card cannot be read (never a reason not to start)."""
    from insterm.domain.errors import InstermError

    try:
        return app.call_clinic(lambda clinic: clinic.operator_for_card())
    except (InstermError, OSError):
        return None


def ask_operator(app: InstermApp, operators: list[Operator] | None = None, *,
                 preselect: str | None = None) -> None:
    """Open "Qui travaille ?" (or the first-administrator dialog on an empty database)."""
    if operators is None:
        operators = app.call_clinic(lambda clinic: clinic.operators())
    from insterm.tui.screens.operator import BootstrapAdminModal, SignInModal

    def chosen(operator: Operator | None) -> None:
        if operator is not None:
            app.set_operator(operator)
            app.notify(f"Vous travaillez en tant que {operator.label}.", timeout=4)

    active = [o for o in operators if o.active]
    if not operators:
        app.push_screen(BootstrapAdminModal(app.os_login), callback=chosen)
        return
    if not active:
        app.report_error(PermissionRefused(
            "Aucun opérateur actif dans cette base : un administrateur doit réactiver un "
            "compte (insterm en ligne de commande)."))
        return
    if not any(o.auth_method for o in active):
        app.report_error(PermissionRefused(
            "Aucun opérateur de cette base ne peut prouver son identité (base d'une version "
            "antérieure) : donnez sa preuve à l'administrateur avec « insterm db init --admin "
            "IDENTIFIANT » (mot de passe ou compte du poste)."))
    app.push_screen(SignInModal(active, current=app.operator,
                                os_operator=os_operator(app, app.os_login),
                                preselect=preselect), callback=chosen)


def lock_session(app: InstermApp) -> None:
    """The idle lock: the operator (or another) proves who they are again; the screens under
    the lock stay as they were."""
    from insterm.tui.screens.operator import SignInModal

    operators = [o for o in app.call_clinic(lambda clinic: clinic.operators()) if o.active]
    current = app.operator

    def unlocked(operator: Operator | None) -> None:
        if operator is not None:
            changed = current is None or operator.login != current.login
            app.set_operator(operator)
            if changed:
                app.notify(f"Vous travaillez en tant que {operator.label}.", timeout=4)

    app.push_screen(SignInModal(operators, current=current,
                                os_operator=os_operator(app, app.os_login),
                                preselect=current.login if current else None, locked=True),
                    callback=unlocked)
