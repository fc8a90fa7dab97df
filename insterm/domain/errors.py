"""Typed errors and warnings shared by the domain rules, and the base of every refusal.

Every refusal is a `DomainError` (a `ValueError`), whose `str()` is a French sentence for the
operator saying what is wrong and what to do. `field` names the trait concerned when there is one,
so that a form can put the message next to the right input.
"""

from __future__ import annotations

from dataclasses import dataclass


class InstermError(Exception):
    """Base of every refusal insterm explains to a person, in every layer (domain, store,
    use cases, INSi, settings, keyring): `message` is French and says what is wrong and what
    to do; `field` names the input it concerns when there is one, so that a form puts the
    message next to it. It lives here because the domain is the one layer every other imports.
    The screens test `isinstance(error, InstermError)`: anything else is a defect."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


def echoed(text: str, limit: int | None = None) -> str:
    """Typed text as a refusal may quote it: control characters (an escape sequence would act
    on the terminal) shown as \\xNN or \\uNNNN; cut at `limit` characters with "..."."""
    cut = text if limit is None or len(text) <= limit else text[:limit - 3]
    visible = "".join(ch if ch.isprintable() else
                      (f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
                      for ch in cut)
    return visible if cut is text else visible + "..."


class DomainError(InstermError, ValueError):
    """A value or an action refused by an INS rule; the message is French."""


def require_bool(value: object, what: str, error: type[DomainError] = DomainError) -> bool:
    """`value` when it is a bool; otherwise `error` saying that « what » is a yes or no."""
    if not isinstance(value, bool):
        raise error(f"Valeur incorrecte pour « {what} » : oui ou non est attendu.")
    return value


class NirError(DomainError):
    """A matricule (NIR/NIA) that cannot be accepted."""


class NirKeyError(NirError):
    """The matricule is well formed but its key does not match; `expected_key` is the right one."""

    def __init__(self, message: str, *, expected_key: str, given_key: str) -> None:
        super().__init__(message, field="matricule")
        self.expected_key = expected_key
        self.given_key = given_key


class TraitError(DomainError):
    """A name, first name, sex or birth place outside the rules."""


class BirthDateError(DomainError):
    """A birth date that is not a real date, lies in the future, or cannot be completed."""


class PlaceError(DomainError):
    """A birth-place code (COG commune or 99xxx country) that is unknown or malformed."""


class DocumentError(DomainError):
    """An identity document, or a combination of documents, that cannot prove an identity."""


class TransitionRefused(DomainError):
    """A status or attribute change that the INS rules forbid."""


class DatamatrixError(DomainError):
    """An INS datamatrix payload that cannot be decoded or does not hold a valid identity."""


@dataclass(frozen=True, slots=True)
class RuleWarning:
    """Something the operator should look at, which does not refuse the value.

    `code` is a stable machine name (e.g. "nir_sex_mismatch"); `message` is French.
    """

    code: str
    message: str
