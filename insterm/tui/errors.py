"""The one place where an exception becomes what the operator reads.

Every typed error of insterm carries a French `message` saying what is wrong and what to do
(`DomainError`, `StoreError`, `ClinicError`, `QueryError`, `InsiError`, `SettingsError`...): it is
shown as it is. Anything else is a defect: the operator gets a French sentence saying that
nothing was done, and the traceback goes to the Textual log (never to the screen).
"""

from __future__ import annotations


def is_expected(error: BaseException) -> bool:
    """True for insterm's typed refusals (their message is meant for the operator)."""
    message = getattr(error, "message", None)
    return isinstance(message, str) and bool(message.strip())


def french_message(error: BaseException, *, doing: str | None = None) -> str:
    """The sentence to show for `error`; `doing` names the action in French ("la recherche")."""
    if is_expected(error):
        return str(error.message)
    what = f"pendant {doing}" if doing else "pendant l'action demandée"
    return (f"Erreur inattendue {what} ({type(error).__name__}) : rien n'a été enregistré. "
            "Réessayez ; si cela se reproduit, notez l'heure et prévenez le responsable.")
