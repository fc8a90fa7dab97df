"""What every use case shares: the connection, who acts, and "write + audit in one transaction".

A use case runs `with ctx.change(actor, action, identity_id) as change:`; inside, it reads and
writes through `change.conn`, puts what the audit must say in `change.details`, and the audit
event is appended in the same `BEGIN IMMEDIATE` transaction, just before the commit. Any
exception rolls everything back: there is no change without its audit event, and no audit event
for a change that did not happen. The event records how the operator proved who they are
(`auth`: "password", "os-account"..., from `Context.signed_in`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from insterm.domain.authentication import UNVERIFIED
from insterm.domain.documents import PracticeCatalogue
from insterm.store import audit, identity_state
from insterm.store import operators as operator_store
from insterm.store.clock import utc_now
from insterm.store.connection import write_transaction
from insterm.store.errors import NotFound
from insterm.store.settings import document_catalogue
from insterm.usecases.errors import PermissionRefused


@dataclass
class Change:
    conn: sqlite3.Connection
    operator: operator_store.Operator
    at: str
    action: str
    identity_id: int | None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    conn: sqlite3.Connection
    today: Callable[[], date] = date.today
    practice_catalogue: PracticeCatalogue | None = None  # given by the caller; None: the base's
    # Who proved who they are on this context, and how (login -> AuthMethod value): set by
    # `insterm.usecases.authentication`; every audit event records it ("unverified" else).
    signed_in: dict[str, str] = field(default_factory=dict)

    def operator(self, login: str, *, admin: bool = False,
                 admin_for: str = "gérer les opérateurs") -> operator_store.Operator:
        """The active operator `login` (an admin when `admin`), or a French refusal;
        `admin_for` completes "seul un administrateur peut ..." in that refusal."""
        if not isinstance(login, str) or not login.strip():
            raise PermissionRefused("Indiquez l'opérateur qui agit (son identifiant).")
        try:
            who = operator_store.get_by_login(self.conn, login.strip())
        except NotFound as missing:
            raise PermissionRefused(missing.message) from None
        if not who.active:
            raise PermissionRefused(f"Le compte « {who.login} » est désactivé : demandez à un "
                                    "administrateur de le réactiver.")
        if admin and not who.is_admin:
            raise PermissionRefused(f"{who.label} n'est pas administrateur : seul un "
                                    f"administrateur peut {admin_for}. Demandez-le à un "
                                    "administrateur.")
        return who

    def document_catalogue(self) -> PracticeCatalogue:
        """The practice's document catalogue: the one given to the facade (tools, tests), else
        the one stored in the database settings, else the domain's default."""
        if self.practice_catalogue is not None:
            return self.practice_catalogue
        return document_catalogue(self.conn)

    @contextmanager
    def change(self, actor: str, action: str, identity_id: int | None = None, *,
               admin: bool = False, admin_for: str = "gérer les opérateurs") -> Iterator[Change]:
        with write_transaction(self.conn):
            who = self.operator(actor, admin=admin, admin_for=admin_for)
            identity_state.track(self.conn)  # the event records what the change wrote
            change = Change(self.conn, who, utc_now(), action, identity_id)
            yield change
            details = {**change.details, "auth": self.auth_method(who.login)}
            audit.append(self.conn, operator=who.login, action=change.action,
                         identity_id=change.identity_id, details=details, at=change.at)

    def auth_method(self, login: str) -> str:
        """How `login` proved who they are on this context (an AuthMethod value), or
        "unverified" (a tool or a test acting in their name)."""
        return self.signed_in.get(login, UNVERIFIED)
