"""How an operator proves who they are: the methods, the password policy, the lock-out rule.

Pure rules (no hashing, no clock of its own): the use cases (`insterm.usecases.authentication`)
hash with Argon2id, store the counters and apply these rules.

- Methods (`AuthMethod`), chosen per operator by the practice: a password, or the OS account
  the operator is mapped to (the real user of the process: a person logged in over SSH as
  `sophie` is Sophie without typing anything more). `CPS` is reserved for the health
  professional card (the cards issue): it is not accepted yet.
- An administrator always needs a password or a mapped OS account (`check_method`).
- Passwords (`check_password`): the CNIL's recommendation for a password backed by a
  lock-out: at least 12 characters, or at least 8 mixing three kinds of characters among
  lowercase, uppercase, digits and others; never the login itself.
- Wrong passwords (`failure_delay`, `locked_until`): each wrong password in a row waits a
  little longer before the next try (1, 2, 4, 8 s); the fifth in a row locks the operator for
  `LOCK_MINUTES` minutes.
- Idle sessions lock after `DEFAULT_IDLE_LOCK_MINUTES` minutes (a practice setting, between
  `MIN_IDLE_LOCK_MINUTES` and `MAX_IDLE_LOCK_MINUTES`).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from insterm.domain.errors import DomainError


class AuthError(DomainError):
    """A proof refused or impossible (French message, field when it concerns one)."""


class AuthMethod(enum.StrEnum):
    PASSWORD = "password"
    OS_ACCOUNT = "os-account"
    CPS = "cps"  # the health professional card: once the cards issue lands

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


METHOD_LABELS: dict[AuthMethod, str] = {
    AuthMethod.PASSWORD: "mot de passe",
    AuthMethod.OS_ACCOUNT: "compte du poste",
    AuthMethod.CPS: "carte CPS",
}
# The methods an operator can be given today.
AVAILABLE_METHODS = (AuthMethod.PASSWORD, AuthMethod.OS_ACCOUNT)
# What the audit records for an actor that proved nothing in this session (tools, imports).
UNVERIFIED = "unverified"

MAX_FAILURES = 5
LOCK_MINUTES = 5
MIN_PASSWORD_LENGTH = 8
LONG_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
DEFAULT_IDLE_LOCK_MINUTES = 10
MIN_IDLE_LOCK_MINUTES = 1
MAX_IDLE_LOCK_MINUTES = 60


def parse_method(value: str | None) -> AuthMethod:
    try:
        return AuthMethod(value or "")
    except ValueError:
        raise AuthError("Méthode d'identification inconnue : choisissez « mot de passe » ou "
                        "« compte du poste ».", field="method") from None


def check_method(method: AuthMethod, *, role: str, has_password: bool,
                 os_login: str | None) -> None:
    """Refuse a method the operator cannot use: CPS (not yet), a password never set, an OS
    account never mapped. An administrator needs a password or a mapped OS account."""
    if method is AuthMethod.CPS:
        raise AuthError("La carte CPS n'est pas encore prise en charge : choisissez le mot de "
                        "passe ou le compte du poste.", field="method")
    if method is AuthMethod.PASSWORD and not has_password:
        raise AuthError("Aucun mot de passe n'est défini pour cet opérateur : définissez-le "
                        "d'abord.", field="password")
    if method is AuthMethod.OS_ACCOUNT and not os_login:
        raise AuthError("Aucun compte du poste n'est associé à cet opérateur : associez-le "
                        "d'abord.", field="os_login")
    if role == "admin" and method not in AVAILABLE_METHODS:  # pragma: no cover - CPS above
        raise AuthError("Un administrateur prouve son identité par un mot de passe ou par son "
                        "compte du poste.", field="method")


def _kinds(password: str) -> int:
    return sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password)))


def check_password(password: str, *, login: str = "") -> None:
    """Refuse a password too weak for the policy (French message naming what is missing).
    The password itself never appears in the message."""
    if not isinstance(password, str) or not password:
        raise AuthError("Tapez un mot de passe.", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError(f"Mot de passe trop long : {MAX_PASSWORD_LENGTH} caractères au plus.",
                        field="password")
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise AuthError("Le mot de passe ne peut pas contenir de caractère de contrôle.",
                        field="password")
    if login and login.lower() in password.lower():
        raise AuthError("Le mot de passe ne doit pas contenir l'identifiant.", field="password")
    if len(password) >= LONG_PASSWORD_LENGTH:
        return
    if len(password) >= MIN_PASSWORD_LENGTH and _kinds(password) >= 3:
        return
    raise AuthError(f"Mot de passe trop faible : au moins {LONG_PASSWORD_LENGTH} caractères, ou "
                    f"au moins {MIN_PASSWORD_LENGTH} mêlant trois sortes de caractères parmi "
                    "minuscules, majuscules, chiffres et autres signes.", field="password")


def check_confirmation(password: str, again: str) -> None:
    if password != again:
        raise AuthError("Les deux mots de passe tapés diffèrent : tapez-le deux fois à "
                        "l'identique.", field="password_again")


def failure_delay(failures: int) -> float:
    """Seconds to wait before the next try after `failures` wrong passwords in a row."""
    if failures <= 0:
        return 0.0
    return float(min(2 ** (failures - 1), 8))


def locked_until(now: datetime, failures: int) -> datetime | None:
    """When the operator's lock ends after `failures` wrong passwords in a row (None: not
    locked)."""
    return now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None


def lock_message(label: str, until: datetime, now: datetime) -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return (f"{label} est verrouillé après {MAX_FAILURES} mots de passe erronés : réessayez "
            f"dans {minutes} minute{'s' if minutes > 1 else ''} (à {until.astimezone():%H:%M}), "
            "ou demandez à un administrateur.")


def check_idle_minutes(minutes: int) -> int:
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not (
            MIN_IDLE_LOCK_MINUTES <= minutes <= MAX_IDLE_LOCK_MINUTES):
        raise AuthError(f"Verrouillage après inactivité : entre {MIN_IDLE_LOCK_MINUTES} et "
                        f"{MAX_IDLE_LOCK_MINUTES} minutes.", field="idle_lock")
    return minutes
