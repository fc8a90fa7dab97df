"""The CPS code remembered in the keyring, per operator and card serial: only when the operator
ticks "Mémoriser" AND the practice allows it (database `cards.pin_memory_allowed`, off by
default, set by an administrator); forgotten from the settings, or for everybody when the
practice stops allowing it.

The code itself lives in the keyring only (entry `cps-pin:<operator>:<card serial>`, never in
the database, the settings file, the log or the audit). The database keeps which (operator,
serial) pairs have one (`cards.pin_remembered`, no secret), so that they can all be forgotten.

A remembered code is used once, when the card needs its code (`sign_in_remembered`); if the card
refuses it (the code was changed), it is forgotten at once and nothing tries it again: the
operator types the code.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from insterm import secrets
from insterm.store import settings as store
from insterm.usecases.errors import ActionRefused

if TYPE_CHECKING:
    from insterm.usecases.context import Context
    from insterm.usecases.cps_card import CardSession
    from insterm.usecases.insi_wiring import InsiRuntime

KEY_ALLOWED = "cards.pin_memory_allowed"
KEY_REMEMBERED = "cards.pin_remembered"


def entry_name(operator: str, serial: str) -> str:
    return f"cps-pin:{operator}:{serial}"


def memory_allowed(conn: sqlite3.Connection) -> bool:
    return store.get(conn, KEY_ALLOWED) is True


def _remembered(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    value = store.get(conn, KEY_REMEMBERED)
    if not isinstance(value, list):
        return []
    return [(str(pair[0]), str(pair[1])) for pair in value
            if isinstance(pair, list) and len(pair) == 2]


def has_remembered(conn: sqlite3.Connection, operator: str, serial: str | None = None) -> bool:
    return any(who == operator and (serial is None or card == serial)
               for who, card in _remembered(conn))


def _keyring_open() -> bool:
    """Open the keyring if it opens without a password; False when it needs one."""
    if secrets.current_backend() is None:
        try:
            secrets.select_backend(None)
        except secrets.SecretsError:
            return False
    return True


def set_memory_allowed(ctx: Context, actor: str, allowed: bool) -> int:
    """The practice's choice (administrators only, audited). Turning it off forgets every
    remembered code (the keyring must be open); returns how many were forgotten."""
    pairs = _remembered(ctx.conn)
    if not allowed and pairs and not _keyring_open():
        raise ActionRefused("Ouvrez d'abord le trousseau (onglet Trousseau) : les codes CPS "
                            "mémorisés doivent y être effacés.")
    with ctx.change(actor, "card_pin_policy_changed", admin=True,
                    admin_for="choisir si les codes CPS peuvent être mémorisés") as change:
        store.put(change.conn, KEY_ALLOWED, True if allowed else None)
        forgotten = 0
        if not allowed:
            for operator, serial in pairs:
                forgotten += secrets.delete_secret(entry_name(operator, serial))
            store.put(change.conn, KEY_REMEMBERED, None)
        change.details.update(allowed=allowed, forgotten=forgotten)
    return forgotten


def remember(ctx: Context, actor: str, serial: str, pin: str) -> None:
    """Keep `pin` for `actor` and this card (audited without the code)."""
    if not memory_allowed(ctx.conn):
        raise ActionRefused("Le cabinet ne permet pas de mémoriser le code de la carte CPS "
                            "(Réglages, onglet Carte CPS, réservé aux administrateurs).")
    if not _keyring_open():
        raise ActionRefused("Le trousseau est fermé : ouvrez-le (onglet Trousseau) pour "
                            "mémoriser le code de la carte CPS.")
    with ctx.change(actor, "card_pin_remembered") as change:
        secrets.set_secret(entry_name(actor, serial), pin)
        pairs = [pair for pair in _remembered(change.conn) if pair != (actor, serial)]
        store.put(change.conn, KEY_REMEMBERED, [[actor, serial], *[list(p) for p in pairs]])
        change.details.update(serial=serial)


def forget(ctx: Context, actor: str) -> int:
    """Forget every code remembered for `actor` (audited); returns how many."""
    pairs = [pair for pair in _remembered(ctx.conn) if pair[0] == actor]
    if not pairs:
        raise ActionRefused("Aucun code de carte CPS n'est mémorisé pour vous.")
    if not _keyring_open():
        raise ActionRefused("Ouvrez d'abord le trousseau (onglet Trousseau) : le code mémorisé "
                            "y est effacé.")
    with ctx.change(actor, "card_pin_forgotten") as change:
        for operator, serial in pairs:
            secrets.delete_secret(entry_name(operator, serial))
        store.put(change.conn, KEY_REMEMBERED,
                  [list(p) for p in _remembered(change.conn) if p[0] != actor] or None)
        change.details.update(serials=[serial for _, serial in pairs])
    return len(pairs)


def sign_in_remembered(ctx: Context, runtime: InsiRuntime, configured: str | None,
                       actor: str) -> CardSession | None:
    """Sign the card in with the code remembered for `actor` and the card present, once; None
    when there is none to use (not allowed, none kept, keyring locked). A code the card refuses
    is forgotten at once and the refusal raised (the operator then types it)."""
    from insterm.cards.pkcs11_signer import CpsPinError
    from insterm.usecases.cps_card import card_status, sign_in

    if not memory_allowed(ctx.conn):
        return None
    status = card_status(runtime, configured)
    if status.card is None or status.card.blocked or status.signed_in:
        return None
    serial = status.card.serial
    if not has_remembered(ctx.conn, actor, serial) or not _keyring_open():
        return None
    try:
        pin = secrets.get_secret(entry_name(actor, serial))
    except secrets.SecretsError:
        return None
    if not pin:
        return None
    try:
        return sign_in(runtime, configured, pin, actor)
    except CpsPinError as refused:
        forget(ctx, actor)
        raise CpsPinError("Le code mémorisé de la carte CPS n'est plus le bon : il a été oublié "
                          "et ne sera pas réessayé. " + refused.message,
                          refused.tries_left) from None
