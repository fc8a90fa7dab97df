"""Which operator a CPS belongs to: the card's national identifier (RPPS, or ADELI) linked to
an operator, so that "Qui travaille ?" proposes the holder of the card inserted.

- `link_card(ctx, runtime, actor)`: the operator links the card signed in with its code by
  themselves (holding the card and knowing its code is what shows it is theirs); audited; a
  card already linked to someone else is refused.
- `unlink_cards(ctx, actor)`: removes the operator's links (audited).
- `operator_for_card(ctx, runtime, configured)`: the active operator linked to the card present
  (read without its code), or None. Identification only: the operator still proves who they are
  (password or OS account) in "Qui travaille ?".

The links live in the database (`cards.operator_cards`: {national id: login}); a national
identifier is not a secret (it is printed on the card and in the public directory).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from insterm.store import operators as operator_store
from insterm.store import settings as store
from insterm.store.errors import NotFound
from insterm.usecases.errors import ActionRefused

if TYPE_CHECKING:
    from insterm.usecases.context import Context
    from insterm.usecases.insi_wiring import InsiRuntime

KEY = "cards.operator_cards"


def _links(conn: sqlite3.Connection) -> dict[str, str]:
    value = store.get(conn, KEY)
    if not isinstance(value, dict):
        return {}
    return {str(card): str(login) for card, login in value.items()}


def any_link(conn: sqlite3.Connection) -> bool:
    return bool(_links(conn))


def linked_cards(conn: sqlite3.Connection, login: str) -> list[str]:
    return sorted(card for card, who in _links(conn).items() if who == login)


def link_card(ctx: Context, runtime: InsiRuntime, actor: str) -> str:
    """Link the card `actor` signed in to `actor`; returns its national identifier."""
    session = runtime.card
    if session is None or session.closed or session.operator != actor:
        raise ActionRefused("Saisissez d'abord le code de votre carte CPS (à l'appel INSi) : "
                            "seule une carte ouverte avec son code par vous peut vous être "
                            "associée.")
    national_id = session.holder.national_id
    owner = _links(ctx.conn).get(national_id)
    if owner is not None and owner != actor:
        raise ActionRefused(f"Cette carte ({session.holder.display_name}) est déjà associée à "
                            f"l'opérateur « {owner} » : il doit d'abord retirer l'association.")
    with ctx.change(actor, "card_linked") as change:
        links = _links(change.conn)
        links[national_id] = actor
        store.put(change.conn, KEY, links)
        change.details.update(national_id=national_id, kind=session.holder.id_kind)
    return national_id


def unlink_cards(ctx: Context, actor: str) -> int:
    """Remove every card linked to `actor`; returns how many."""
    mine = linked_cards(ctx.conn, actor)
    if not mine:
        raise ActionRefused("Aucune carte CPS ne vous est associée.")
    with ctx.change(actor, "card_unlinked") as change:
        links = {card: who for card, who in _links(change.conn).items() if who != actor}
        store.put(change.conn, KEY, links or None)
        change.details.update(national_ids=mine)
    return len(mine)


def operator_for_card(ctx: Context, runtime: InsiRuntime, configured: str | None) -> str | None:
    """The active operator linked to the card present, or None (no card, no link)."""
    from insterm.usecases.cps_card import card_status

    links = _links(ctx.conn)
    if not links:
        return None  # nothing to match: the card is not even read
    status = card_status(runtime, configured)
    if status.card is None:
        return None
    login = links.get(status.card.holder.national_id)
    if login is None:
        return None
    try:
        operator = operator_store.get_by_login(ctx.conn, login)
    except NotFound:  # removed since: no one to propose
        return None
    return operator.login if operator.active else None
