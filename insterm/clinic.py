"""The application facade: every use case the UI offers is one method here.

The TUI and the CLI hold no business rule: they call `Clinic`. Each writing method names the
operator who acts (`actor`, an operator login), applies the domain rules (`insterm.domain`),
writes in ONE `BEGIN IMMEDIATE` transaction and appends its audit event in that same
transaction. Methods that change an identity take the `expected_version` the caller read; a
record changed meanwhile raises `VersionConflict` naming who changed it and when.

The use cases themselves live in `insterm.usecases` (one concern per module); this class only
holds the connection and gives them one place to be found.

Errors, all with French messages: `insterm.domain.errors.DomainError` (an INS rule refuses),
`insterm.store.errors.StoreError` (`VersionConflict`, `MatriculeCollision`,
`ConstraintViolation`, `DatabaseBusy`...), `insterm.usecases.errors.ClinicError`
(`PermissionRefused`, `ActionRefused`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from insterm.store import audit, duplicates, identities, records
from insterm.store import operators as operator_store
from insterm.store.connection import open_database
from insterm.store.search import DEFAULT_PAGE_SIZE, SearchPage, search
from insterm.usecases import documents as documents_uc
from insterm.usecases import duplicates as duplicates_uc
from insterm.usecases import identities as identities_uc
from insterm.usecases import insi as insi_uc
from insterm.usecases import operators as operators_uc
from insterm.usecases.context import Context
from insterm.usecases.documents import DocumentCheck
from insterm.usecases.identities import Saved
from insterm.usecases.insi import InsiApplied, InsiOutcomeLike

__all__ = ["Clinic", "DocumentCheck", "InsiApplied", "Saved"]


class Clinic:
    def __init__(self, conn: sqlite3.Connection, *, today: Callable[[], date] = date.today,
                 practice_catalogue: Any = None) -> None:
        self.conn = conn
        self._ctx = Context(conn, today, practice_catalogue)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False,
             group: str | None = None, **options: Any) -> Clinic:
        return cls(open_database(path, create=create, group=group), **options)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Clinic:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- reading

    def find(self, text_or_query: Any, *, page: int = 0,
             page_size: int = DEFAULT_PAGE_SIZE) -> SearchPage:
        """Search (matricule, IPP, name [first name] [date], date, datamatrix); `QueryError`."""
        return search(self.conn, text_or_query, page=page, page_size=page_size)

    def get(self, identity_id: int) -> identities.IdentityRecord:
        return identities.get_identity(self.conn, identity_id)

    def duplicate_hints(self, traits: Mapping[str, Any], *,
                        exclude_id: int | None = None) -> list[duplicates.Candidate]:
        """Live hints while an identity is typed (nothing is stored)."""
        return duplicates.find_candidates(self.conn, traits, exclude_id=exclude_id)

    def duplicate_group(self, identity_id: int) -> duplicates.DuplicateGroup:
        return duplicates_uc.group(self._ctx, identity_id)

    def open_duplicate_groups(self, limit: int = 100) -> list[duplicates.DuplicateGroup]:
        return duplicates_uc.open_groups(self._ctx, limit)

    def history(self, identity_id: int) -> list[audit.AuditEvent]:
        return audit.events_for(self.conn, identity_id)

    def ins_history(self, identity_id: int) -> list[records.InsHistoryRow]:
        return records.ins_history(self.conn, identity_id)

    def document_checks(self, identity_id: int) -> list[dict[str, Any]]:
        return records.document_checks(self.conn, identity_id)

    def verify_audit(self) -> audit.AuditReport:
        return audit.verify(self.conn)

    def operators(self) -> list[operator_store.Operator]:
        return operator_store.list_all(self.conn)

    # ---------------------------------------------------------------- identities

    def create_identity(self, actor: str, traits: Any, used: Any = None, *,
                        channel: str = "SM") -> Saved:
        """A new PROV identity from `StrictTraits` (+ `UsedNames`); returns the record and the
        duplicate candidates (stored as potential links)."""
        return identities_uc.create(self._ctx, actor, traits, used, channel=channel)

    def edit_traits(self, actor: str, identity_id: int, expected_version: int,
                    changes: Mapping[str, Any], *, rechecked: bool = False) -> Saved:
        return identities_uc.edit_traits(self._ctx, actor, identity_id, expected_version,
                                         changes, rechecked=rechecked)

    def set_attribute(self, actor: str, identity_id: int, expected_version: int,
                      attribute: str) -> Saved:
        return identities_uc.set_attribute(self._ctx, actor, identity_id, expected_version,
                                           attribute)

    def clear_attribute(self, actor: str, identity_id: int, expected_version: int,
                        attribute: str) -> Saved:
        return identities_uc.clear_attribute(self._ctx, actor, identity_id, expected_version,
                                             attribute)

    def check_document(self, actor: str, identity_id: int, expected_version: int,
                       check: DocumentCheck) -> Saved:
        return documents_uc.check_document(self._ctx, actor, identity_id, expected_version, check)

    def apply_insi_outcome(self, actor: str, identity_id: int, expected_version: int,
                           outcome: InsiOutcomeLike, *, accepted: bool,
                           environment: str | None = None) -> InsiApplied:
        return insi_uc.apply_outcome(self._ctx, actor, identity_id, expected_version, outcome,
                                     accepted=accepted, environment=environment)

    # ---------------------------------------------------------------- duplicates

    def mark_duplicate(self, actor: str, first_id: int, second_id: int) -> None:
        duplicates_uc.mark_duplicate(self._ctx, actor, first_id, second_id)

    def dismiss_duplicate(self, actor: str, first_id: int, second_id: int) -> None:
        duplicates_uc.dismiss_duplicate(self._ctx, actor, first_id, second_id)

    def merge(self, actor: str, survivor_id: int, survivor_version: int, absorbed_id: int,
              absorbed_version: int) -> Saved:
        return duplicates_uc.merge(self._ctx, actor, survivor_id, survivor_version, absorbed_id,
                                   absorbed_version)

    # ---------------------------------------------------------------- operators

    def bootstrap_admin(self, login: str, display_name: str,
                        rpps: str | None = None) -> operator_store.Operator:
        return operators_uc.bootstrap_admin(self._ctx, login, display_name, rpps)

    def add_operator(self, actor: str, login: str, display_name: str, role: str = "staff",
                     rpps: str | None = None) -> operator_store.Operator:
        return operators_uc.add_operator(self._ctx, actor, login, display_name, role, rpps)

    def set_operator_role(self, actor: str, login: str, role: str) -> operator_store.Operator:
        return operators_uc.set_role(self._ctx, actor, login, role)

    def set_operator_active(self, actor: str, login: str,
                            active: bool) -> operator_store.Operator:
        return operators_uc.set_active(self._ctx, actor, login, active)
