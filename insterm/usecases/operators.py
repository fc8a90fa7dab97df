"""Use cases on operators: the first administrator, then admin-only management.

Roles: `admin` (manages operators, merges records, sets the document catalogue, and everything
staff does) and `staff`. The last active administrator can be neither demoted nor deactivated.

Proof of identity (`insterm.usecases.authentication`): each operator signs in by a password
or by the OS account (of the workstation or of the SSH session) they are mapped to
(`set_os_login`), as the practice chose for them. An administrator always has one: the first
one is created with it (`bootstrap_admin`), and no operator becomes administrator without it.
`operator_for_os_login` finds the operator who signs in by that OS account.
"""

from __future__ import annotations

import re
from types import EllipsisType

from insterm.domain.authentication import AuthMethod
from insterm.store import audit
from insterm.store import operators as store
from insterm.store.clock import utc_now
from insterm.store.connection import write_transaction
from insterm.store.errors import NotFound
from insterm.store.operators import Operator
from insterm.usecases import authentication as auth
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


def bootstrap_admin(ctx: Context, login: str, display_name: str, rpps: str | None = None, *,
                    password: str | None = None, password_again: str | None = None,
                    os_login: str | None = None) -> Operator:
    """The first administrator of an empty database, with their proof: a password (typed
    twice: `password_again`) or the OS account they work from (`os_login`, the caller's
    `authentication.current_os_login()`). They are then signed in on `ctx`.

    A database whose operators predate proofs (no active administrator has one) accepts it
    once for an existing active administrator `login`: their proof is set (upgrade path of
    `insterm db init --admin`). Refused in every other case."""
    check_new_operator(login, display_name, "admin", rpps)
    if (password is None) == (os_login is None):
        raise PermissionRefused("Le premier administrateur doit prouver son identité : un mot "
                                "de passe (tapé deux fois) ou son compte du poste.")
    hashed = (auth.checked_new_password(login, password, password_again)
              if password is not None else None)
    os_login = _check_os_login(os_login)
    method = AuthMethod.PASSWORD if hashed is not None else AuthMethod.OS_ACCOUNT
    with write_transaction(ctx.conn):
        at = utc_now()
        if store.count(ctx.conn):
            who = _claim_admin(ctx, login)
            if os_login is not None:
                store.update(ctx.conn, who.id, os_login=os_login)
            who = store.set_proof(ctx.conn, who.id, auth_method=method.value,
                                  password_hash=hashed if hashed is not None else ...)
            action, details = "operator_proof_set", {"login": login, "method": method.value}
        else:
            who = store.insert(ctx.conn, login=login, display_name=display_name.strip(),
                               role="admin", rpps=rpps, at=at, os_login=os_login,
                               auth_method=method.value, password_hash=hashed)
            action, details = "operator_bootstrap", {"login": login, "role": "admin"}
        if os_login is not None:
            details["os_login"] = os_login
        audit.append(ctx.conn, operator=who.login, action=action, identity_id=None,
                     details={**details, "auth": method.value}, at=at)
    auth.sign_out(ctx)
    ctx.signed_in[who.login] = method.value
    return who


def _claim_admin(ctx: Context, login: str) -> Operator:
    refused = PermissionRefused("Des opérateurs existent déjà : demandez à un administrateur "
                                "de créer votre compte.")
    if any(o.is_admin and o.active and o.auth_method is not None
           for o in store.list_all(ctx.conn)):
        raise refused
    try:
        who = store.get_by_login(ctx.conn, login)
    except NotFound:
        raise refused from None
    if not (who.is_admin and who.active):
        raise refused
    return who


def add_operator(ctx: Context, actor: str, login: str, display_name: str, role: str = "staff",
                 rpps: str | None = None, os_login: str | None = None, *,
                 password: str | None = None, password_again: str | None = None,
                 method: str | None = None) -> Operator:
    """A new operator, with their proof: `method` "password" (`password` typed twice) or
    "os-account" (`os_login`); by default the password when one is given, else the OS account
    when one is mapped. A staff member may be created without any (they cannot sign in until
    an administrator gives them one); an administrator may not."""
    check_new_operator(login, display_name, role, rpps)
    os_login = _check_os_login(os_login)
    hashed = (auth.checked_new_password(login, password, password_again)
              if password else None)
    if method is None:
        method = ("password" if hashed else "os-account" if os_login else None)
    if method is not None:
        auth.rules.check_method(auth.rules.parse_method(method), role=role,
                                has_password=hashed is not None, os_login=os_login)
    auth.require_proof(role, method, has_password=hashed is not None, os_login=os_login)
    with ctx.change(actor, "operator_added", admin=True) as change:
        who = store.insert(change.conn, login=login, display_name=display_name.strip(), role=role,
                           rpps=rpps, at=change.at, os_login=os_login, auth_method=method,
                           password_hash=hashed)
        change.details.update(login=login, role=role, rpps=rpps, method=method)
        if os_login is not None:
            change.details["os_login"] = os_login
    return who


def set_os_login(ctx: Context, actor: str, login: str, os_login: str | None) -> Operator:
    """Map the operator `login` to the OS login `os_login` (None removes the mapping: an
    administrator who signs in by it must get a password first; a staff member then signs in
    by their password, if they have one). An operator with no proof yet then signs in by it."""
    os_login = _check_os_login(os_login)
    with ctx.change(actor, "operator_os_login_changed", admin=True) as change:
        target = store.get_by_login(change.conn, login)
        unmapped = os_login is None and target.auth_method == AuthMethod.OS_ACCOUNT
        if unmapped and target.is_admin:
            raise ActionRefused(f"{target.label} est administrateur et s'identifie par son "
                                "compte du poste : définissez d'abord son mot de passe.")
        who = store.update(change.conn, target.id, os_login=os_login)
        if os_login is not None and target.auth_method is None:  # their first proof
            who = store.set_proof(change.conn, target.id,
                                  auth_method=AuthMethod.OS_ACCOUNT.value)
        elif unmapped:  # no proof left: they cannot sign in until they get one
            who = store.set_proof(change.conn, target.id,
                                  auth_method=AuthMethod.PASSWORD.value
                                  if target.has_password else None)
        change.details.update(login=login, before=target.os_login, after=os_login,
                              method=who.auth_method)
    return who


def operator_for_os_login(ctx: Context, os_login: str | None) -> Operator | None:
    """The ACTIVE operator who signs in by the OS account `os_login` (mapped to it, with that
    method chosen); None when there is none (the session then asks who works)."""
    return auth.operator_of_os_account(ctx, os_login)


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
        else:
            auth.require_proof("admin", target.auth_method, has_password=target.has_password,
                               os_login=target.os_login)
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


def change_proof(ctx: Context, actor: str, login: str, method: str, *,
                 os_login: str | EllipsisType | None = ..., password: str | None = None,
                 again: str | None = None) -> Operator:
    """An administrator sets how `login` proves who they are, in one transaction and one audit
    event (never the password): the method, the OS account they are mapped to (`...` keeps
    it, None removes it), a new password when one is typed (twice; it lifts a lock)."""
    chosen = auth.rules.parse_method(method)
    account = os_login if isinstance(os_login, EllipsisType) else _check_os_login(os_login)
    hashed = auth.checked_new_password(login, password, again) if password else None
    with ctx.change(actor, "operator_proof_changed", admin=True) as change:
        target = store.get_by_login(change.conn, login)
        mapped = target.os_login if isinstance(account, EllipsisType) else account
        auth.rules.check_method(chosen, role=target.role,
                                has_password=hashed is not None or target.has_password,
                                os_login=mapped)
        if mapped != target.os_login:
            store.update(change.conn, target.id, os_login=mapped)
        if hashed is not None:
            who = store.set_proof(change.conn, target.id, auth_method=chosen.value,
                                  password_hash=hashed)
        else:
            who = store.set_proof(change.conn, target.id, auth_method=chosen.value)
        change.details.update(login=login, before=target.auth_method, after=chosen.value,
                              password_changed=hashed is not None,
                              unlocked=hashed is not None
                              and target.failed_attempts >= auth.rules.MAX_FAILURES)
        if mapped != target.os_login:
            change.details.update(os_login_before=target.os_login, os_login_after=mapped)
    return who
