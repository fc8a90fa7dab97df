"""Use cases on operators: the first administrator, then admin-only management.

Roles: `admin` (manages operators, merges records, sets the document catalogue, and everything
staff does) and `staff`. The last active administrator can be neither demoted nor deactivated.

Session operator: an operator may carry the OS login (the account of the workstation or of the
SSH session) their sessions are mapped from (`set_os_login`); `operator_for_os_login` finds
them, or else the operator whose insterm login IS that OS login, unless that operator is mapped
to another OS account.
"""

from __future__ import annotations

import re

from insterm.store import audit
from insterm.store import operators as store
from insterm.store.clock import utc_now
from insterm.store.connection import write_transaction
from insterm.store.errors import NotFound
from insterm.store.operators import Operator
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused, PermissionRefused

_LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
_RPPS = re.compile(r"[0-9]{11}")
# POSIX user names (and user@domain for directory accounts)
_OS_LOGIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}\$?")


def _check_os_login(os_login: str | None) -> str | None:
    if os_login is None:
        return None
    os_login = os_login.strip()
    if not _OS_LOGIN.fullmatch(os_login):
        raise ActionRefused("Compte du poste incorrect : le nom de connexion du système, par "
                            "exemple « mdupont » (lettres, chiffres, point, tiret, souligné).")
    return os_login


def check_new_operator(login: str, display_name: str, role: str, rpps: str | None = None) -> None:
    """The French refusal (`ActionRefused`) of an operator's login, name, role or RPPS, before
    anything is written (e.g. `db init --admin` checks it before creating the file)."""
    if not _LOGIN.fullmatch(login or ""):
        raise ActionRefused("Identifiant d'opérateur incorrect : 2 à 32 caractères, minuscules, "
                            "chiffres, point, tiret ou souligné, par exemple « mdupont ».")
    if not display_name or not display_name.strip():
        raise ActionRefused("Indiquez le nom de l'opérateur tel qu'il sera affiché.")
    if role not in store.ROLES:
        raise ActionRefused("Rôle inconnu : choisissez « admin » ou « staff ».")
    if rpps is not None and not _RPPS.fullmatch(rpps):
        raise ActionRefused("Le numéro RPPS compte 11 chiffres.")


def bootstrap_admin(ctx: Context, login: str, display_name: str, rpps: str | None = None) -> Operator:
    """The first administrator of an empty database (refused once any operator exists)."""
    check_new_operator(login, display_name, "admin", rpps)
    with write_transaction(ctx.conn):
        if store.count(ctx.conn):
            raise PermissionRefused("Des opérateurs existent déjà : demandez à un "
                                    "administrateur de créer votre compte.")
        at = utc_now()
        who = store.insert(ctx.conn, login=login, display_name=display_name.strip(),
                           role="admin", rpps=rpps, at=at)
        audit.append(ctx.conn, operator=who.login, action="operator_bootstrap", identity_id=None,
                     details={"login": login, "role": "admin"}, at=at)
    return who


def add_operator(ctx: Context, actor: str, login: str, display_name: str, role: str = "staff",
                 rpps: str | None = None, os_login: str | None = None) -> Operator:
    check_new_operator(login, display_name, role, rpps)
    os_login = _check_os_login(os_login)
    with ctx.change(actor, "operator_added", admin=True) as change:
        who = store.insert(change.conn, login=login, display_name=display_name.strip(), role=role,
                           rpps=rpps, at=change.at, os_login=os_login)
        change.details.update(login=login, role=role, rpps=rpps)
        if os_login is not None:
            change.details["os_login"] = os_login
    return who


def set_os_login(ctx: Context, actor: str, login: str, os_login: str | None) -> Operator:
    """Map the operator `login` from the OS login `os_login` (None removes the mapping)."""
    os_login = _check_os_login(os_login)
    with ctx.change(actor, "operator_os_login_changed", admin=True) as change:
        target = store.get_by_login(change.conn, login)
        who = store.update(change.conn, target.id, os_login=os_login)
        change.details.update(login=login, before=target.os_login, after=os_login)
    return who


def operator_for_os_login(ctx: Context, os_login: str | None) -> Operator | None:
    """The ACTIVE operator of a session opened by the OS account `os_login`: the one mapped from
    it, else the one whose login is `os_login` (lowercase) if not mapped to another account;
    None when there is none (the session then asks who works)."""
    if not os_login or not os_login.strip():
        return None
    os_login = os_login.strip()
    mapped = store.by_os_login(ctx.conn, os_login)
    if mapped is not None:
        return mapped if mapped.active else None
    try:
        named = store.get_by_login(ctx.conn, os_login.lower())
    except NotFound:
        return None
    if not named.active or named.os_login is not None:
        return None
    return named


def _last_admin_guard(ctx: Context, target: Operator) -> None:
    if target.is_admin and target.active and store.active_admins(ctx.conn) <= 1:
        raise ActionRefused(f"{target.label} est le dernier administrateur actif : nommez d'abord "
                            "un autre administrateur.")


def set_role(ctx: Context, actor: str, login: str, role: str) -> Operator:
    if role not in store.ROLES:
        raise ActionRefused("Rôle inconnu : choisissez « admin » ou « staff ».")
    with ctx.change(actor, "operator_role_changed", admin=True) as change:
        target = store.get_by_login(change.conn, login)
        if role != "admin":
            _last_admin_guard(ctx, target)
        who = store.update(change.conn, target.id, role=role)
        change.details.update(login=login, before=target.role, after=role)
    return who


def set_active(ctx: Context, actor: str, login: str, active: bool) -> Operator:
    with ctx.change(actor, "operator_activated" if active else "operator_deactivated",
                    admin=True) as change:
        target = store.get_by_login(change.conn, login)
        if not active:
            _last_admin_guard(ctx, target)
        who = store.update(change.conn, target.id, active=active)
        change.details.update(login=login)
    return who
