"""Use cases of sign-in: an operator proves who they are before anything is written in their name.

Proofs (`insterm.domain.authentication`): a password, checked against its Argon2id hash
(argon2-cffi, the library's RFC 9106 parameters; the password itself is never stored, logged
nor put in an exception), or the OS account the process runs as (`current_os_login`: the real
user id, not the environment), when the operator is mapped to it and the practice chose that
method for them.

The `Context` remembers who signed in on it and how (`Context.signed_in`); every audit event
then records that method (`Context.change` puts it in the event's `auth` detail).

Wrong passwords: each one in a row is counted in the database and pushes the next try back
(`failure_delay`); the fifth locks the operator for `LOCK_MINUTES` minutes (audited
`operator_locked`). A try before that time is refused without being counted. A password set by
an administrator lifts the lock.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from insterm.domain import authentication as rules
from insterm.domain.authentication import AuthError, AuthMethod
from insterm.store import audit
from insterm.store import operators as store
from insterm.store.clock import utc_now
from insterm.store.connection import write_transaction
from insterm.store.errors import NotFound
from insterm.store.operators import Operator
from insterm.store.settings import get as get_setting
from insterm.store.settings import put as put_setting
from insterm.usecases.errors import PermissionRefused

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from insterm.usecases.context import Context

IDLE_LOCK_SETTING = "idle_lock_minutes"


class SignInRefused(AuthError):
    """A proof refused; `retry_in`: seconds before the next try is accepted (0: at once)."""

    def __init__(self, message: str, *, retry_in: float = 0.0, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_in = retry_in


@dataclass(frozen=True, slots=True)
class SignedIn:
    operator: Operator
    method: AuthMethod


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()  # Argon2id, RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _matches(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def current_os_login() -> str | None:
    """The OS account this process runs as (its real user id: USER or LOGNAME cannot change
    it), or None when the system does not name it."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):
        return None


def _now() -> datetime:
    return datetime.now(UTC)


def _remember(ctx: Context, operator: Operator, method: AuthMethod) -> SignedIn:
    ctx.signed_in.clear()  # one person works on a session at a time
    ctx.signed_in[operator.login] = method.value
    return SignedIn(operator, method)


def sign_out(ctx: Context) -> None:
    ctx.signed_in.clear()


def _active(ctx: Context, login: str) -> Operator:
    try:
        who = store.get_by_login(ctx.conn, (login or "").strip().lower())
    except NotFound as missing:
        raise SignInRefused(missing.message) from None
    if not who.active:
        raise SignInRefused(f"Le compte « {who.login} » est désactivé : demandez à un "
                            "administrateur de le réactiver.")
    return who


def _wait_text(seconds: float) -> str:
    return f"{int(seconds) or 1} seconde{'s' if seconds >= 2 else ''}"


def sign_in_with_password(ctx: Context, login: str, password: str) -> SignedIn:
    """The operator `login`, proved by `password`; `SignInRefused` (with `retry_in`)."""
    with write_transaction(ctx.conn):
        who = _active(ctx, login)
        if who.auth_method != AuthMethod.PASSWORD:
            raise SignInRefused(_no_password_text(who), field="password")
        now = _now()
        if who.locked_until is not None:
            until = datetime.fromisoformat(who.locked_until)
            if until > now:
                if who.failed_attempts >= rules.MAX_FAILURES:
                    raise SignInRefused(rules.lock_message(who.label, until, now),
                                        retry_in=(until - now).total_seconds(), field="password")
                wait = (until - now).total_seconds()
                raise SignInRefused(f"Patientez {_wait_text(wait)} avant de réessayer.",
                                    retry_in=wait, field="password")
            if who.failed_attempts >= rules.MAX_FAILURES:  # the lock is over: a fresh count
                store.clear_failures(ctx.conn, who.id)
        stored = store.password_hash(ctx.conn, who.id)
        if stored is not None and _matches(stored, password):
            store.clear_failures(ctx.conn, who.id)
            if _hasher().check_needs_rehash(stored):
                store.set_proof(ctx.conn, who.id, password_hash=hash_password(password))
            return _remember(ctx, store.get(ctx.conn, who.id), AuthMethod.PASSWORD)
        failures = (0 if who.failed_attempts >= rules.MAX_FAILURES else who.failed_attempts) + 1
        locked = rules.locked_until(now, failures)
        delay = rules.failure_delay(failures)
        until = locked or (now + timedelta(seconds=delay))
        store.record_failure(ctx.conn, who.id, locked_until=until.isoformat(
            timespec="microseconds"))
        if locked is not None:
            audit.append(ctx.conn, operator=None, action="operator_locked", identity_id=None,
                         details={"login": who.login, "failures": failures,
                                  "until": locked.isoformat(timespec="seconds")}, at=utc_now())
    # Committed: the count stays even though the sign-in is refused.
    if locked is not None:
        raise SignInRefused(rules.lock_message(who.label, locked, now),
                            retry_in=(locked - now).total_seconds(), field="password")
    left = rules.MAX_FAILURES - failures
    raise SignInRefused(f"Mot de passe erroné pour {who.label}. Encore {left} essai"
                        f"{'s' if left > 1 else ''} avant le verrouillage du compte.",
                        retry_in=delay, field="password")


def _no_password_text(who: Operator) -> str:
    if who.auth_method == AuthMethod.OS_ACCOUNT:
        return (f"{who.label} s'identifie par son compte du poste « {who.os_login} » : "
                "ouvrez insterm depuis ce compte.")
    return (f"{who.label} n'a pas encore de moyen de s'identifier : un administrateur doit "
            "lui définir un mot de passe ou un compte du poste (Réglages, Opérateurs).")


def sign_in_with_os_account(ctx: Context, login: str, os_login: str | None) -> SignedIn:
    """The operator `login`, proved by the OS account of the process (`os_login`, from
    `current_os_login`), when the practice mapped them to it with that method."""
    who = _active(ctx, login)
    if (who.auth_method != AuthMethod.OS_ACCOUNT or not os_login
            or who.os_login != os_login):
        if who.auth_method == AuthMethod.PASSWORD:
            raise SignInRefused(f"{who.label} s'identifie par mot de passe : tapez-le.",
                                field="password")
        raise SignInRefused(_no_password_text(who) if who.auth_method is None else
                            f"{who.label} s'identifie par son compte du poste "
                            f"« {who.os_login} », pas par « {os_login or '?'} ».")
    return _remember(ctx, who, AuthMethod.OS_ACCOUNT)


def operator_of_os_account(ctx: Context, os_login: str | None) -> Operator | None:
    """The active operator who signs in by the OS account `os_login` (mapped to it, method
    os-account), if any."""
    if not os_login or not os_login.strip():
        return None
    mapped = store.by_os_login(ctx.conn, os_login.strip())
    if mapped is None or not mapped.active or mapped.auth_method != AuthMethod.OS_ACCOUNT:
        return None
    return mapped


# ------------------------------------------------------------------ administration


def checked_new_password(login: str, password: str, again: str | None = None) -> str:
    rules.check_password(password, login=login)
    if again is not None:
        rules.check_confirmation(password, again)
    return hash_password(password)


def idle_lock_minutes(ctx: Context) -> int:
    value = get_setting(ctx.conn, IDLE_LOCK_SETTING)
    try:
        return rules.check_idle_minutes(value)
    except AuthError:
        return rules.DEFAULT_IDLE_LOCK_MINUTES


def set_idle_lock_minutes(ctx: Context, actor: str, minutes: int) -> int:
    rules.check_idle_minutes(minutes)
    with ctx.change(actor, "idle_lock_changed", admin=True,
                    admin_for="changer les réglages") as change:
        before = idle_lock_minutes(ctx)
        put_setting(change.conn, IDLE_LOCK_SETTING, minutes)
        change.details.update(before=before, after=minutes)
    return minutes


def require_proof(role: str, method: str | None, *, has_password: bool,
                  os_login: str | None) -> None:
    """An administrator must have a usable proof (password or mapped OS account)."""
    if role != "admin":
        return
    if method is None:
        raise PermissionRefused("Un administrateur doit prouver son identité : définissez son "
                                "mot de passe ou associez-le à son compte du poste.")
    rules.check_method(rules.parse_method(method), role=role, has_password=has_password,
                       os_login=os_login)

