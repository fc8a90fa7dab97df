"""The one place where an exception becomes what the operator reads.

Every refusal of insterm derives from `insterm.domain.errors.InstermError` and carries a French
`message` saying what is wrong and what to do (`DomainError`, `StoreError`, `ClinicError`,
`InsiError`, `SettingsError`, `SecretsError`...): it is shown as it is, and so is the store's
message for a file or disk error (full disk, I/O error, read-only or locked file: SQLite's
result code or the OS's errno, `insterm.store.errors.storage_error`). Anything else is a
defect: the operator gets a French sentence saying that nothing was done, and the traceback goes
to the Textual log (never to the screen).
"""

from __future__ import annotations

from insterm.domain.errors import InstermError


def refusal_message(error: BaseException) -> str | None:
    """The French message of one of insterm's typed refusals, or None for anything else."""
    if isinstance(error, InstermError) and error.message.strip():
        return error.message
    # A file or disk error that reached the TUI untyped (a read on a full or failing disk, a
    # file another program holds): the store's French message, never "Erreur inattendue".
    from insterm.store.errors import storage_error

    typed = storage_error(error)
    return typed.message if typed is not None else None


def is_expected(error: BaseException) -> bool:
    """True for insterm's typed refusals (their message is meant for the operator)."""
    return refusal_message(error) is not None


def french_message(error: BaseException, *, doing: str | None = None) -> str:
    """The sentence to show for `error`; `doing` names the action in French ("la recherche")."""
    message = refusal_message(error)
    if message is not None:
        return message
    what = f"pendant {doing}" if doing else "pendant l'action demandée"
    return (f"Erreur inattendue {what} : rien n'a été enregistré. "
            "Réessayez ; si cela se reproduit, notez l'heure et prévenez le responsable.")
