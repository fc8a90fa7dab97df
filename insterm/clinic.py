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

import importlib
import os
import sqlite3
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from insterm.store.connection import open_database
from insterm.store.search import DEFAULT_PAGE_SIZE

if TYPE_CHECKING:
    from insterm.store import audit, duplicates, identities, records
    from insterm.store import identity_view as identity_view_store
    from insterm.store import operators as operator_store
    from insterm.store.search import SearchPage
    from insterm.usecases import documents as documents_uc
    from insterm.usecases import duplicates as duplicates_uc
    from insterm.usecases import identities as identities_uc
    from insterm.usecases import insi as insi_uc
    from insterm.usecases import operators as operators_uc
    from insterm.usecases.context import Context
    from insterm.usecases.documents import DocumentCheck
    from insterm.usecases.identities import Saved
    from insterm.usecases.insi import InsiApplied, InsiOutcomeLike


class _OnFirstUse:
    """A module imported the first time one of its names is read. Opening the application
    must be quick on an old PC: the home screen needs only the search and the operators, not
    the domain rules, documents, duplicates or INSi use cases (tens of milliseconds of imports
    measured by `scripts/bench`)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: Any = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


if not TYPE_CHECKING:
    audit = _OnFirstUse("insterm.store.audit")
    duplicates = _OnFirstUse("insterm.store.duplicates")
    identities = _OnFirstUse("insterm.store.identities")
    records = _OnFirstUse("insterm.store.records")
    identity_view_store = _OnFirstUse("insterm.store.identity_view")
    operator_store = _OnFirstUse("insterm.store.operators")
    documents_uc = _OnFirstUse("insterm.usecases.documents")
    duplicates_uc = _OnFirstUse("insterm.usecases.duplicates")
    identities_uc = _OnFirstUse("insterm.usecases.identities")
    insi_uc = _OnFirstUse("insterm.usecases.insi")
    operators_uc = _OnFirstUse("insterm.usecases.operators")

_EXPORTED = {"DocumentCheck": "insterm.usecases.documents",
             "Saved": "insterm.usecases.identities",
             "InsiApplied": "insterm.usecases.insi"}


def __getattr__(name: str) -> Any:  # `from insterm.clinic import DocumentCheck` (PEP 562)
    if name in _EXPORTED:
        return getattr(importlib.import_module(_EXPORTED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Clinic", "DocumentCheck", "InsiApplied", "Saved"]


class Clinic:
    def __init__(self, conn: sqlite3.Connection, *, today: Callable[[], date] = date.today,
                 practice_catalogue: Any = None) -> None:
        self.conn = conn
        self._today = today
        self._practice_catalogue = practice_catalogue
        self._context: Context | None = None

    @property
    def _ctx(self) -> Context:
        """The use cases' context (made on first use: see `_OnFirstUse`)."""
        if self._context is None:
            from insterm.usecases.context import Context

            self._context = Context(self.conn, self._today, self._practice_catalogue)
        return self._context

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

    # ---------------------------------------------------------------- clock and rights

    def today(self) -> date:
        """The clinic's current date (the clock it was opened with; tests fix it)."""
        return self._ctx.today()

    def check_admin(self, actor: str, for_what: str) -> None:
        """Nothing when `actor` is an active administrator; else `PermissionRefused` whose
        French message ends "seul un administrateur peut <for_what>". Writes nothing: a screen
        asks before offering an admin action, which checks again when it runs."""
        self._ctx.operator(actor, admin=True, admin_for=for_what)

    # ---------------------------------------------------------------- reading

    def find(self, text_or_query: Any, *, page: int = 0,
             page_size: int = DEFAULT_PAGE_SIZE) -> SearchPage:
        """Search (matricule, IPP, name [first name] [date], date, datamatrix); `QueryError`."""
        from insterm.store.search import search

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

    def verify_audit(self, expected: str | None = None) -> audit.AuditReport:
        """Recompute the audit chain; `expected`: a tail "COUNT:HASH" noted earlier
        (`AuditReport.tail`), to detect that the last events were cut off."""
        return audit.verify(self.conn, expected=expected)

    def operators(self) -> list[operator_store.Operator]:
        return operator_store.list_all(self.conn)

    def operator_for_os_login(self, os_login: str | None) -> operator_store.Operator | None:
        """The active operator of a session opened by this OS account (mapped, or same login)."""
        return operators_uc.operator_for_os_login(self._ctx, os_login)

    def identity_view(self, identity_id: int) -> identity_view_store.IdentityView:
        """Everything the "Fiche patient" screen shows, in one read (`NotFound`)."""
        return identity_view_store.identity_view(self.conn, identity_id)

    def audit_events(self, *, identity_id: int | None = None, operator: str | None = None,
                     action: str | None = None, since: Any = None, until: Any = None,
                     limit: int = 200, before_id: int | None = None) -> audit.AuditPage:
        """Journal page, newest first (`AuditEvent.describe()` gives its French line);
        `since`/`until`: dates (local days, included) or datetimes; next page:
        `before_id=page.next_before_id`."""
        return audit.events_page(self.conn, identity_id=identity_id, operator=operator,
                                 action=action, since=since, until=until, limit=limit,
                                 before_id=before_id)

    def audit_actions(self) -> list[tuple[str, str]]:
        """The actions present in the journal, as (code, French label), for its filter."""
        from insterm.store.audit_text import action_label

        return sorted(((a, action_label(a)) for a in audit.actions(self.conn)),
                      key=lambda pair: pair[1].lower())

    def audit_operators(self) -> list[str]:
        """The operator logins present in the journal, for its filter."""
        return audit.operators(self.conn)

    def document_catalogue(self) -> Any:
        """The practice's `PracticeCatalogue` (database setting, else the domain's default)."""
        return documents_uc.document_catalogue(self._ctx)

    # ---------------------------------------------------------------- identities

    def create_identity(self, actor: str, traits: Any, used: Any = None, *,
                        channel: str = "SM") -> Saved:
        """A new PROV identity from `StrictTraits` (+ `UsedNames`); returns the record and the
        duplicate candidates (stored as potential links)."""
        return identities_uc.create(self._ctx, actor, traits, used, channel=channel)

    def edit_traits(self, actor: str, identity_id: int, expected_version: int,
                    changes: Mapping[str, Any], *,
                    document: DocumentCheck | None = None) -> Saved:
        """Change traits; `document`: the new values re-checked on the identity document in
        the same action (a `document_check` row is written with the edit; the smaller drop)."""
        return identities_uc.edit_traits(self._ctx, actor, identity_id, expected_version,
                                         changes, document=document)

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

    def set_document_catalogue(self, actor: str, codes: Any) -> Any:
        """Set the document types this practice accepts (administrators only, audited)."""
        return documents_uc.set_document_catalogue(self._ctx, actor, codes)

    def apply_insi_outcome(self, actor: str, identity_id: int, expected_version: int,
                           outcome: InsiOutcomeLike, *, accepted: bool,
                           environment: str | None = None) -> InsiApplied:
        return insi_uc.apply_outcome(self._ctx, actor, identity_id, expected_version, outcome,
                                     accepted=accepted, environment=environment)

    # ---------------------------------------------------------------- INSi: calls and settings
    # (insterm.usecases.insi_calls and the insi_* settings modules; imported on first use so that
    # opening the facade loads neither the INSi client nor cryptography)

    def configure_insi(self, *, settings_path: str | os.PathLike[str] | None = None,
                       data_dir: str | os.PathLike[str] | None = None, simulator: Any = None,
                       simulator_passphrase: str | None = None) -> None:
        """Per-process INSi wiring: the settings file and data folder (None = the defaults),
        and an embedded `insterm.insi.simulator.Simulator` (demo, tests) whose address, CA and
        demo certificate then serve the "simulator" environment; `simulator_passphrase` (its
        demo certificate's, kept in memory only) spares the keyring."""
        from pathlib import Path

        from insterm.usecases import insi_wiring

        old = getattr(self, "_insi_runtime", None)
        if old is not None:
            old.close()
        link = (insi_wiring.SimulatorLink.from_simulator(simulator, simulator_passphrase)
                if simulator is not None else None)
        self._insi_runtime = insi_wiring.InsiRuntime(
            settings_path=Path(settings_path) if settings_path is not None else None,
            data_dir=Path(data_dir) if data_dir is not None else None, simulator=link)

    @property
    def insi_runtime(self) -> Any:
        """The `insterm.usecases.insi_wiring.InsiRuntime` of this facade (defaults on first use)."""
        if getattr(self, "_insi_runtime", None) is None:
            self.configure_insi()
        return self._insi_runtime

    def insi_settings(self) -> Any:
        """Every INSi setting in force (`InsiSettingsView`); `SettingsError` for a bad file."""
        from insterm.usecases import insi_settings

        return insi_settings.current(self._ctx, self.insi_runtime)

    def update_insi_settings(self, actor: str, *, environment: str | None = None,
                             idam: str | None = None, idam_environment: str | None = None,
                             software_name: str | None = None,
                             confirm_production: bool = False) -> dict[str, Any]:
        """Practice-wide INSi settings (admin, audited); production needs `confirm_production`."""
        from insterm.usecases import insi_settings

        changed = insi_settings.update_practice(
            self._ctx, actor, environment=environment, idam=idam,
            idam_environment=idam_environment, software_name=software_name,
            confirm_production=confirm_production)
        self.insi_runtime.close()
        return changed

    def update_workstation_settings(self, actor: str, **values: Any) -> Any:
        """This machine's INSi settings in the settings file (admin, audited): timeout_seconds,
        ca_file, endpoint, simulator_url, simulator_dir (None removes one)."""
        from insterm.usecases import insi_settings

        return insi_settings.update_workstation(self._ctx, self.insi_runtime, actor, **values)

    def keyring_status(self) -> Any:
        """Whether the keyring is open, or needs its master password (`KeyringStatus`)."""
        from insterm.usecases import insi_keyring

        return insi_keyring.keyring_status()

    def open_keyring(self, master_password: str | None = None) -> Any:
        """Open the keyring (Secret Service, else the encrypted file with `master_password`);
        `insterm.secrets.SecretsError` subclasses (French) when it cannot."""
        from insterm.usecases import insi_keyring

        return insi_keyring.open_keyring(master_password)

    def import_insi_certificate(self, actor: str, p12_path: str | os.PathLike[str],
                                passphrase: str) -> Any:
        """Check and install the organisation certificate (admin, audited, passphrase into the
        keyring only); `ActionRefused` (French) when refused, nothing changed."""
        from insterm.usecases import insi_certificate

        return insi_certificate.import_certificate(self._ctx, self.insi_runtime, actor, p12_path,
                                              passphrase)

    def insi_readiness(self, identity_id: int | None = None) -> Any:
        """What is missing before an INSi call (`InsiReadiness`: blocking items and warnings),
        for this identity when given. Sends nothing."""
        from insterm.usecases import insi_readiness

        record = identities.get_identity(self.conn, identity_id) if identity_id is not None \
            else None
        return insi_readiness.readiness(self._ctx, self.insi_runtime, record)

    def search_insi(self, actor: str, identity_id: int, *, first_names: Any = None,
                    birth_place: str | None = None, progress: Any = None) -> Any:
        """Search the identity's INS (blocking: run it in a worker). Every attempt is logged;
        returns an `InsiSearchReport` (outcome, trait comparison, collision, `accept_preview`)
        to show and then pass to `apply_insi_outcome(actor, id, report.identity_version,
        report, accepted=...)`. `progress(number, total, first_names_sent)` is called before
        each attempt. Holds this facade's connection for the whole call: a caller sharing it
        between threads runs the phases instead (`plan_insi_search`)."""
        from insterm.usecases import insi_calls

        return insi_calls.search(self._ctx, self.insi_runtime, actor, identity_id,
                                 first_names=first_names, birth_place=birth_place,
                                 progress=progress)

    def verify_insi(self, actor: str, identity_id: int, *, matricule: str | None = None,
                    oid: str | None = None) -> Any:
        """Verify an INS received from elsewhere (the record's own INS when none is given):
        an `InsiSearchReport` whose `verification` holds the verdict."""
        from insterm.usecases import insi_calls

        return insi_calls.verify(self._ctx, self.insi_runtime, actor, identity_id,
                                 matricule=matricule, oid=oid)

    # The same calls in three phases, for a caller that shares this facade between threads
    # under one lock (the TUI): hold the lock for the plan and for the record, not for
    # `plan.exchange(progress)`, which uses no database connection. So a slow or unreachable
    # INSi (30 s per attempt) never stops the rest of the application.
    #
    #     plan = clinic.plan_insi_search(actor, identity_id)       # short read, under the lock
    #     exchange = plan.exchange(progress)                       # network, without the lock
    #     report = clinic.record_insi_exchange(exchange)           # short write, under the lock

    def plan_insi_search(self, actor: str, identity_id: int, *, first_names: Any = None,
                         birth_place: str | None = None) -> Any:
        """Phase 1 of `search_insi`: an `insterm.usecases.insi_calls.InsiCallPlan`."""
        from insterm.usecases import insi_calls

        return insi_calls.plan_search(self._ctx, self.insi_runtime, actor, identity_id,
                                      first_names=first_names, birth_place=birth_place)

    def plan_insi_verification(self, actor: str, identity_id: int, *,
                               matricule: str | None = None, oid: str | None = None) -> Any:
        """Phase 1 of `verify_insi` (`ActionRefused` when there is no INS to verify)."""
        from insterm.usecases import insi_calls

        return insi_calls.plan_verification(self._ctx, self.insi_runtime, actor, identity_id,
                                            matricule=matricule, oid=oid)

    def record_insi_exchange(self, exchange: Any) -> Any:
        """Phase 3: log what `plan.exchange()` gave (every attempt, or the refusal) in one
        transaction; the `InsiSearchReport`."""
        from insterm.usecases import insi_calls

        return insi_calls.record_exchange(self._ctx, exchange)

    def insi_call_log(self, identity_id: int) -> list[dict[str, Any]]:
        """The INSi calls made for this identity (no XML), oldest first."""
        return records.insi_calls(self.conn, identity_id)

    # ---------------------------------------------------------------- duplicates

    def mark_duplicate(self, actor: str, first_id: int, second_id: int) -> None:
        duplicates_uc.mark_duplicate(self._ctx, actor, first_id, second_id)

    def dismiss_duplicate(self, actor: str, first_id: int, second_id: int) -> None:
        duplicates_uc.dismiss_duplicate(self._ctx, actor, first_id, second_id)

    def merge(self, actor: str, survivor_id: int, survivor_version: int, absorbed_id: int,
              absorbed_version: int) -> Saved:
        return duplicates_uc.merge(self._ctx, actor, survivor_id, survivor_version, absorbed_id,
                                   absorbed_version)

    def scan_duplicates(self, actor: str) -> duplicates_uc.ScanReport:
        """Find candidate pairs across the whole base (after an import) and store them as
        potential links; "not a duplicate" decisions are respected. Seconds on a big base."""
        return duplicates_uc.scan(self._ctx, actor)

    # ---------------------------------------------------------------- operators

    def bootstrap_admin(self, login: str, display_name: str,
                        rpps: str | None = None) -> operator_store.Operator:
        return operators_uc.bootstrap_admin(self._ctx, login, display_name, rpps)

    def add_operator(self, actor: str, login: str, display_name: str, role: str = "staff",
                     rpps: str | None = None,
                     os_login: str | None = None) -> operator_store.Operator:
        return operators_uc.add_operator(self._ctx, actor, login, display_name, role, rpps,
                                         os_login)

    def set_operator_os_login(self, actor: str, login: str,
                              os_login: str | None) -> operator_store.Operator:
        """Map an operator from an OS login (None removes the mapping); admin only."""
        return operators_uc.set_os_login(self._ctx, actor, login, os_login)

    def set_operator_role(self, actor: str, login: str, role: str) -> operator_store.Operator:
        return operators_uc.set_role(self._ctx, actor, login, role)

    def set_operator_active(self, actor: str, login: str,
                            active: bool) -> operator_store.Operator:
        return operators_uc.set_active(self._ctx, actor, login, active)
