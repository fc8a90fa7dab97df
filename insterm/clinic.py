"""The application facade: every use case the UI offers is one method here.

The TUI and the CLI hold no business rule: they call `Clinic`. Each writing method names the
operator who acts (`actor`, an operator login), applies the domain rules (`insterm.domain`),
writes in ONE `BEGIN IMMEDIATE` transaction and appends its audit event in that same
transaction. Methods that change an identity take the `expected_version` the caller read; a
record changed meanwhile raises `VersionConflict` naming who changed it and when.

The use cases themselves live in `insterm.usecases` (one concern per module); this class only
holds the connection and gives them one place to be found. It stays one flat class rather than
typed sub-facades (`clinic.insi`, `clinic.identities`...): the TUI and the CLI call about fifty
of its methods by name, and a split would change every screen for no gain in behaviour.

Errors, all with French messages: `insterm.domain.errors.DomainError` (an INS rule refuses),
`insterm.store.errors.StoreError` (`VersionConflict`, `MatriculeCollision`,
`ConstraintViolation`, `DatabaseBusy`...), `insterm.usecases.errors.ClinicError`
(`PermissionRefused`, `ActionRefused`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from types import EllipsisType
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from insterm.domain.documents import PracticeCatalogue
from insterm.domain.identity import StrictTraits, UsedNames
from insterm.domain.query import Query
from insterm.store import audit, audit_heads, duplicates, identities, records
from insterm.store import identity_view as identity_view_store
from insterm.store import operators as operator_store
from insterm.store import settings as settings_store
from insterm.store.audit_text import action_label
from insterm.store.connection import open_database
from insterm.store.search import DEFAULT_PAGE_SIZE, SearchPage, search
from insterm.usecases import authentication as auth_uc
from insterm.usecases import documents as documents_uc
from insterm.usecases import duplicates as duplicates_uc
from insterm.usecases import identities as identities_uc
from insterm.usecases import information as information_uc
from insterm.usecases import insi as insi_uc
from insterm.usecases import operators as operators_uc
from insterm.usecases.context import Context
from insterm.usecases.documents import DocumentCheck
from insterm.usecases.errors import ActionRefused
from insterm.usecases.identities import DuplicateOverride, Saved
from insterm.usecases.insi import InsiApplied, InsiOutcomeLike

if TYPE_CHECKING:
    from insterm.config import Settings
    from insterm.domain.unnamed import UnnamedIdentity
    from insterm.insi.simulator import Simulator
    from insterm.store.imports import Batch, RowOutcome
    from insterm.store.information import Information
    from insterm.store.pending import PendingItem
    from insterm.usecases.batch_verification import (
        BatchProgress,
        BatchReport,
        BatchWork,
        Cancel,
        Locked,
    )
    from insterm.usecases.cps_card import CardSession, CardStatus
    from insterm.usecases.exports import ExportResult, HL7Options
    from insterm.usecases.imports import ImportPlan, ImportReport
    from insterm.usecases.insi_calls import InsiCallPlan, InsiExchange, InsiSearchReport, Progress
    from insterm.usecases.insi_certificate import ImportedCertificate
    from insterm.usecases.insi_keyring import KeyringStatus
    from insterm.usecases.insi_pending import PendingStatus
    from insterm.usecases.insi_readiness import InsiReadiness
    from insterm.usecases.insi_settings import InsiSettingsView
    from insterm.usecases.insi_test_call import InsiTestCall
    from insterm.usecases.insi_wiring import InsiRuntime
    from insterm.usecases.labels import LabelsResult
    from insterm.usecases.outbox import DeliveryReport

__all__ = ["Clinic", "ClinicOptions", "DocumentCheck", "DuplicateOverride", "InsiApplied",
           "Saved"]


class ClinicOptions(TypedDict, total=False):
    """What `Clinic.open` passes on to `Clinic`: the clock (tests fix it) and the practice's
    document catalogue (tools, tests; None: the database's setting)."""

    today: Callable[[], date]
    practice_catalogue: PracticeCatalogue | None


class Clinic:
    def __init__(self, conn: sqlite3.Connection, *, today: Callable[[], date] = date.today,
                 practice_catalogue: PracticeCatalogue | None = None) -> None:
        self.conn = conn
        self._ctx = Context(conn, today, practice_catalogue)
        self._insi_runtime: InsiRuntime | None = None

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False,
             group: str | None = None, **options: Unpack[ClinicOptions]) -> Clinic:
        return cls(open_database(path, create=create, group=group), **options)

    def close(self) -> None:
        if self._insi_runtime is not None and self._insi_runtime.card is not None:
            self._insi_runtime.set_card(None)  # the CPS session ends with the clinic
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

    def find(self, text_or_query: str | Query, *, page: int = 0,
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

    def last_information(self, identity_id: int) -> Information | None:
        """When and how the patient was last told that their INS is used (None: never)."""
        return information_uc.last_information(self._ctx, identity_id)

    def verify_audit(self, expected: str | None = None) -> audit.AuditReport:
        """Recompute the audit chain and every identity's state digest; `expected`: a tail
        "COUNT:HASH" noted earlier (`AuditReport.tail`), to detect that the last events were
        cut off."""
        return audit.verify(self.conn, expected=expected)

    def verify_audit_and_note(self, heads_dir: str | os.PathLike[str] | None = None
                              ) -> audit_heads.Verdict:
        """`verify_audit` against the head file (`insterm.store.audit_heads`) of this base,
        noting the head when all is intact, as `insterm audit verify` does. `heads_dir`: the
        head file's folder (None: the `audit.heads_dir` setting, else the backups folder)."""
        from insterm.config import audit_heads_dir

        db_file = audit_heads.database_file(self.conn)
        if db_file is None:
            raise ActionRefused("Base en mémoire : pas de fichier des empreintes de fin.")
        folder = heads_dir if heads_dir is not None else audit_heads_dir()
        heads_file = audit_heads.heads_path(db_file, folder)
        try:  # beside the base (the default): named from the base's folder, shorter
            shown = str(heads_file.relative_to(db_file.parent))
        except ValueError:
            shown = None
        return audit_heads.verify_and_note(self.conn, heads_file, shown=shown)

    def operators(self) -> list[operator_store.Operator]:
        return operator_store.list_all(self.conn)

    def operator_for_os_login(self, os_login: str | None) -> operator_store.Operator | None:
        """The active operator who signs in by this OS account (mapped, with that method)."""
        return operators_uc.operator_for_os_login(self._ctx, os_login)

    def identity_view(self, identity_id: int) -> identity_view_store.IdentityView:
        """Everything the "Fiche patient" screen shows, in one read (`NotFound`)."""
        return identity_view_store.identity_view(self.conn, identity_id)

    def audit_events(self, *, identity_id: int | None = None, operator: str | None = None,
                     action: str | None = None, since: date | datetime | str | None = None,
                     until: date | datetime | str | None = None,
                     limit: int = 200, before_id: int | None = None) -> audit.AuditPage:
        """Journal page, newest first (`AuditEvent.describe()` gives its French line);
        `since`/`until`: dates (local days, included) or datetimes; next page:
        `before_id=page.next_before_id`."""
        return audit.events_page(self.conn, identity_id=identity_id, operator=operator,
                                 action=action, since=since, until=until, limit=limit,
                                 before_id=before_id)

    def audit_actions(self) -> list[tuple[str, str]]:
        """The actions present in the journal, as (code, French label), for its filter."""
        return sorted(((a, action_label(a)) for a in audit.actions(self.conn)),
                      key=lambda pair: pair[1].lower())

    def audit_operators(self) -> list[str]:
        """The operator logins present in the journal, for its filter."""
        return audit.operators(self.conn)

    def document_catalogue(self) -> PracticeCatalogue:
        """The practice's `PracticeCatalogue` (database setting, else the domain's default)."""
        return documents_uc.document_catalogue(self._ctx)

    # ---------------------------------------------------------------- identities

    def create_identity(self, actor: str, traits: StrictTraits, used: UsedNames | None = None, *,
                        channel: str = "SM", override: DuplicateOverride | None = None) -> Saved:
        """A new PROV identity from `StrictTraits` (+ `UsedNames`); returns the record and the
        duplicate candidates (stored as potential links). `DuplicateSuspected` when a stored
        record reaches the practice's stop score and `override` does not acknowledge it."""
        return identities_uc.create(self._ctx, actor, traits, used, channel=channel,
                                    override=override)

    def duplicate_stop_score(self) -> int:
        """The duplicate score from which creating an identity asks first."""
        return settings_store.duplicate_stop_score(self.conn)

    def set_duplicate_stop_score(self, actor: str, score: int) -> int:
        """Change that score (administrators only, audited)."""
        return duplicates_uc.set_stop_score(self._ctx, actor, score)

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

    def create_unnamed(self, actor: str, unnamed: UnnamedIdentity) -> Saved:
        """An identity nobody can name yet: PROV + DOUT (unknown) or FICT (anonymity)."""
        return identities_uc.create_unnamed(self._ctx, actor, unnamed)

    def record_information(self, actor: str, identity_id: int, how: str, *,
                           informed_on: date | None = None) -> Information:
        """Record that the patient was told that their INS is used (audited)."""
        return information_uc.record_information(self._ctx, actor, identity_id, how,
                                                 informed_on=informed_on)

    def set_document_catalogue(self, actor: str, codes: Sequence[str]) -> PracticeCatalogue:
        """Set the document types this practice accepts (administrators only, audited)."""
        return documents_uc.set_document_catalogue(self._ctx, actor, codes)

    def apply_insi_outcome(self, actor: str, identity_id: int, expected_version: int,
                           outcome: InsiOutcomeLike, *, accepted: bool,
                           environment: str | None = None) -> InsiApplied:
        return insi_uc.apply_outcome(self._ctx, actor, identity_id, expected_version, outcome,
                                     accepted=accepted, environment=environment)

    # ---------------------------------------------------------------- INSi: settings
    # The INSi use cases (settings, keyring, certificate, client: some twenty modules) are
    # imported by the methods below, not with the facade: at start they would cost the TUI
    # about a tenth of the bare Textual app's start (30 ms of CPU; benchmarks/tui_measure.py),
    # a good part of what the 1.5x budget leaves.

    def configure_insi(self, *, settings_path: str | os.PathLike[str] | None = None,
                       data_dir: str | os.PathLike[str] | None = None,
                       simulator: Simulator | None = None,
                       simulator_passphrase: str | None = None) -> None:
        """Per-process INSi wiring: the settings file and data folder (None = the defaults),
        and an embedded `insterm.insi.simulator.Simulator` (demo, tests) whose address, CA and
        demo certificate then serve the "simulator" environment; `simulator_passphrase` (its
        demo certificate's, kept in memory only) spares the keyring."""
        from insterm.usecases.insi_wiring import InsiRuntime, SimulatorLink

        if self._insi_runtime is not None:
            self._insi_runtime.close()
        link = (SimulatorLink.from_simulator(simulator, simulator_passphrase)
                if simulator is not None else None)
        self._insi_runtime = InsiRuntime(
            settings_path=Path(settings_path) if settings_path is not None else None,
            data_dir=Path(data_dir) if data_dir is not None else None, simulator=link)

    @property
    def insi_runtime(self) -> InsiRuntime:
        """This facade's INSi wiring (`configure_insi`; the defaults until it is called)."""
        from insterm.usecases.insi_wiring import InsiRuntime

        if self._insi_runtime is None:
            self._insi_runtime = InsiRuntime()
        return self._insi_runtime

    def insi_settings(self) -> InsiSettingsView:
        """Every INSi setting in force; `SettingsError` for a bad settings file."""
        from insterm.usecases import insi_settings

        return insi_settings.current(self._ctx, self.insi_runtime)

    def update_insi_settings(self, actor: str, *, environment: str | None = None,
                             idam: str | None = None, idam_environment: str | None = None,
                             software_name: str | None = None,
                             confirm_production: bool = False) -> dict[str, str | None]:
        """Practice-wide INSi settings (admin, audited); production needs `confirm_production`."""
        from insterm.usecases import insi_settings

        changed = insi_settings.update_practice(
            self._ctx, self.insi_runtime, actor, environment=environment, idam=idam,
            idam_environment=idam_environment, software_name=software_name,
            confirm_production=confirm_production)
        self.insi_runtime.close()
        return changed

    def test_insi_call(self, actor: str, environment: str) -> InsiTestCall:
        """The INSi test call of `environment` (admin, audited; the network, up to the
        timeout): a passed one is recorded for that configuration, which production needs."""
        from insterm.usecases import insi_test_call

        report = insi_test_call.run_test_call(self._ctx, self.insi_runtime, actor, environment)
        return report

    def insi_test_status(self) -> dict[str, str]:
        """{environment: French line} of the passed test calls of the current configurations
        (qualification and production)."""
        from insterm.usecases import insi_test_call

        return insi_test_call.status_lines(self._ctx, self.insi_runtime)

    def update_workstation_settings(self, actor: str, **values: float | str | None) -> Settings:
        """This machine's INSi settings in the settings file (admin, audited): timeout_seconds,
        ca_file, endpoint, simulator_url, simulator_dir (None removes one)."""
        from insterm.usecases import insi_settings

        return insi_settings.update_workstation(self._ctx, self.insi_runtime, actor, **values)

    def keyring_status(self) -> KeyringStatus:
        """Whether the keyring is open, or needs its master password."""
        from insterm.usecases import insi_keyring

        return insi_keyring.keyring_status()

    def open_keyring(self, master_password: str | None = None) -> KeyringStatus:
        """Open the keyring (Secret Service, else the encrypted file with `master_password`);
        `insterm.secrets.SecretsError` subclasses (French) when it cannot."""
        from insterm.usecases import insi_keyring

        return insi_keyring.open_keyring(master_password)

    def card_status(self) -> CardStatus:
        """The CPS of this workstation: PKCS#11 module, card and holder (no PIN), session."""
        from insterm.usecases import cps_card

        view = self.insi_settings()
        return cps_card.card_status(self.insi_runtime, view.pkcs11_module)

    def sign_in_card(self, actor: str, pin: str, *, remember: bool = False) -> CardSession:
        """Log in to the CPS with the PIN the operator typed (once: never retried); the PIN is
        neither logged nor audited, and kept only in the keyring when `remember` and the
        practice allows it (`session.note` says how that went). `InstermError` subclasses
        (French) when refused, `CpsPinError.tries_left` for a wrong PIN."""
        from insterm.domain.errors import InstermError
        from insterm.usecases import cps_card, cps_pin_memory

        self._ctx.operator(actor)
        view = self.insi_settings()
        session = cps_card.sign_in(self.insi_runtime, view.pkcs11_module, pin, actor)
        if remember:
            try:
                cps_pin_memory.remember(self._ctx, actor, session.serial, pin)
            except InstermError as refused:
                session.note = f"Code non mémorisé : {refused.message}"
            else:
                session.note = "Code mémorisé dans le trousseau pour cette carte."
        return session

    def sign_in_card_remembered(self, actor: str) -> CardSession | None:
        """Sign the CPS in with the code remembered for `actor`, once (None: none to use); a
        code the card refuses is forgotten and the refusal raised."""
        from insterm.usecases import cps_pin_memory

        self._ctx.operator(actor)
        view = self.insi_settings()
        return cps_pin_memory.sign_in_remembered(self._ctx, self.insi_runtime,
                                                 view.pkcs11_module, actor)

    def card_pin_memory(self, actor: str | None = None) -> tuple[bool, bool]:
        """(the practice allows remembering CPS codes, `actor` has one remembered)."""
        from insterm.usecases import cps_pin_memory

        return (cps_pin_memory.memory_allowed(self.conn),
                actor is not None and cps_pin_memory.has_remembered(self.conn, actor))

    def set_card_pin_memory(self, actor: str, allowed: bool) -> int:
        """Allow remembering CPS codes or not (administrators, audited); off forgets them all."""
        from insterm.usecases import cps_pin_memory

        return cps_pin_memory.set_memory_allowed(self._ctx, actor, allowed)

    def forget_card_pin(self, actor: str) -> int:
        """Forget the CPS codes remembered for `actor` (audited)."""
        from insterm.usecases import cps_pin_memory

        self.insi_runtime.set_card(None)
        return cps_pin_memory.forget(self._ctx, actor)

    def update_card_settings(self, actor: str, *, auth_mode: str,
                             pkcs11_module: str | None) -> Settings:
        """This workstation's INSi authentication mode (certificate / cps) and CPS module, in
        its settings file (administrators only, audited)."""
        from insterm.usecases import cps_card

        return cps_card.update_card_settings(self._ctx, self.insi_runtime, actor,
                                             auth_mode=auth_mode, pkcs11_module=pkcs11_module)

    def link_card(self, actor: str) -> str:
        """Link the CPS `actor` signed in with its code to `actor` (audited)."""
        from insterm.usecases import cps_operator

        return cps_operator.link_card(self._ctx, self.insi_runtime, actor)

    def unlink_cards(self, actor: str) -> int:
        """Remove the CPS linked to `actor` (audited)."""
        from insterm.usecases import cps_operator

        return cps_operator.unlink_cards(self._ctx, actor)

    def linked_cards(self, actor: str) -> list[str]:
        from insterm.usecases import cps_operator

        return cps_operator.linked_cards(self.conn, actor)

    def operator_for_card(self) -> str | None:
        """The active operator linked to the CPS inserted on this workstation (CPS mode only;
        identification, not a proof), or None."""
        from insterm.usecases import cps_operator

        if not cps_operator.any_link(self.conn):
            return None  # one read of the database: no settings file, no card read
        view = self.insi_settings()
        if view.auth_mode != "cps":
            return None
        return cps_operator.operator_for_card(self._ctx, self.insi_runtime, view.pkcs11_module)

    def sign_out_card(self) -> None:
        from insterm.usecases import cps_card

        cps_card.sign_out(self.insi_runtime)

    def import_insi_certificate(self, actor: str, p12_path: str | os.PathLike[str],
                                passphrase: str) -> ImportedCertificate:
        """Check and install the organisation certificate (admin, audited, passphrase into the
        keyring only); `ActionRefused` (French) when refused, nothing changed."""
        from insterm.usecases import insi_certificate

        return insi_certificate.import_certificate(self._ctx, self.insi_runtime, actor, p12_path,
                                                   passphrase)

    def insi_readiness(self, identity_id: int | None = None) -> InsiReadiness:
        """What is missing before an INSi call (blocking items and warnings), for this identity
        when given. Sends nothing."""
        from insterm.usecases import insi_readiness

        record = identities.get_identity(self.conn, identity_id) if identity_id is not None \
            else None
        return insi_readiness.readiness(self._ctx, self.insi_runtime, record)

    # ---------------------------------------------------------------- INSi: calls

    def search_insi(self, actor: str, identity_id: int, *,
                    first_names: str | Sequence[str] | None = None,
                    birth_place: str | None = None,
                    progress: Progress | None = None) -> InsiSearchReport:
        """Search the identity's INS (blocking: run it in a worker). Every attempt is logged;
        returns a report (outcome, trait comparison, collision, `accept_preview`) to show and
        then pass to `apply_insi_outcome(actor, id, report.identity_version, report,
        accepted=...)`. `progress(number, total, first_names_sent)` is called before each
        attempt. Holds this facade's connection for the whole call: a caller sharing it
        between threads runs the phases instead (`plan_insi_search`)."""
        from insterm.usecases import insi_calls

        return insi_calls.search(self._ctx, self.insi_runtime, actor, identity_id,
                                 first_names=first_names, birth_place=birth_place,
                                 progress=progress)

    def verify_insi(self, actor: str, identity_id: int, *, matricule: str | None = None,
                    oid: str | None = None) -> InsiSearchReport:
        """Verify an INS received from elsewhere (the record's own INS when none is given): a
        report whose `verification` holds the verdict."""
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

    def plan_insi_search(self, actor: str, identity_id: int, *,
                         first_names: str | Sequence[str] | None = None,
                         birth_place: str | None = None) -> InsiCallPlan:
        """Phase 1 of `search_insi`."""
        from insterm.usecases import insi_calls

        return insi_calls.plan_search(self._ctx, self.insi_runtime, actor, identity_id,
                                      first_names=first_names, birth_place=birth_place)

    def plan_insi_verification(self, actor: str, identity_id: int, *,
                               matricule: str | None = None,
                               oid: str | None = None) -> InsiCallPlan:
        """Phase 1 of `verify_insi` (`ActionRefused` when there is no INS to verify)."""
        from insterm.usecases import insi_calls

        return insi_calls.plan_verification(self._ctx, self.insi_runtime, actor, identity_id,
                                            matricule=matricule, oid=oid)

    def record_insi_exchange(self, exchange: InsiExchange) -> InsiSearchReport:
        """Phase 3: log what `plan.exchange()` gave (every attempt, or the refusal) in one
        transaction; the report."""
        from insterm.usecases import insi_calls

        return insi_calls.record_exchange(self._ctx, exchange)

    # ---------------------------------------------------------------- INSi: calls to make again

    def postpone_insi(self, actor: str, report: InsiSearchReport) -> PendingItem:
        """Put a call that INSi could not answer on the pending list (audited)."""
        from insterm.usecases import insi_pending

        return insi_pending.postpone(self._ctx, actor, report)

    def has_received_ins(self, identity_id: int) -> bool:
        """Whether an INS received for this identity (an import, a postponed verification)
        waits for INSi: it is never shown nor used before INSi confirms it."""
        from insterm.store import pending

        return pending.open_item(self.conn, identity_id, "verify") is not None

    def insi_pending(self) -> list[PendingItem]:
        """The calls waiting for INSi to answer again, oldest first (not the received INS:
        `verify_batch` takes those)."""
        from insterm.usecases import insi_pending

        return insi_pending.open_items(self._ctx)

    def insi_pending_status(self) -> PendingStatus:
        from insterm.usecases import insi_pending

        return insi_pending.status(self._ctx)

    def plan_pending_try(self, actor: str, item: PendingItem) -> InsiCallPlan:
        """Phase 1 of one more try of a pending call (phases as for `plan_insi_search`)."""
        if item.operation == "verify":
            return self.plan_insi_verification(actor, item.identity_id, matricule=item.matricule,
                                               oid=item.oid)
        return self.plan_insi_search(actor, item.identity_id)

    def record_pending_try(self, actor: str, item: PendingItem,
                           report: InsiSearchReport) -> PendingItem:
        """After `record_insi_exchange`: the item answered (off the list) or still waiting."""
        from insterm.usecases import insi_pending

        return insi_pending.record_try(self._ctx, actor, item, report)

    # ---------------------------------------------------------------- INSi: received INS, batch

    def record_received_ins(self, actor: str, identity_id: int, matricule: str, oid: str, *,
                            source: str) -> PendingItem:
        """Keep an INS received from elsewhere as "INS reçu, non vérifié" (never the patient's
        INS before INSi confirms it), to be verified by the batch (audited "ins_received")."""
        from insterm.usecases import received_ins

        return received_ins.record_received(self._ctx, actor, identity_id, matricule, oid,
                                            source=source)

    def received_ins_waiting(self) -> int:
        """How many received INS wait for their INSi verification."""
        from insterm.usecases import batch_verification

        return batch_verification.count_received(self._ctx)

    def batch_rate(self) -> float:
        """Requests per second of a batch verification (`insi.batch_rate`, else the default)."""
        from insterm.config import DEFAULT_BATCH_RATE

        return self.insi_runtime.file_settings().insi_batch_rate or DEFAULT_BATCH_RATE

    def batch_work(self, qualified_before: date | None = None) -> BatchWork:
        """What `verify_batch` verifies: the received INS, or (a date given) the qualified
        identities INSi last answered for before that day (`ActionRefused` for a future day)."""
        from insterm.usecases.batch_verification import BatchWork

        if qualified_before is None:
            return BatchWork.received()
        return BatchWork.qualified_before(qualified_before, self.today())

    def verify_batch(self, actor: str, work: BatchWork, *, rate: float | None = None,
                     locked: Locked | None = None, cancel: Cancel | None = None,
                     progress: Callable[[BatchProgress], None] | None = None) -> BatchReport:
        """Verify with INSi every identity of `work`, one at a time, at most `rate` requests
        per second (None: `batch_rate()`), applying only what is safe
        (`insterm.usecases.batch_verification`). Blocking: minutes to hours. A caller sharing
        this facade between threads passes `locked(phase)`, which runs each short database
        phase under its lock (the network waits run outside it). `cancel` (an Event or a
        callable) stops it after the identity in progress."""
        from insterm.usecases import batch_verification

        return batch_verification.run(
            self._ctx, self.insi_runtime, actor, work,
            rate=rate if rate is not None else self.batch_rate(),
            locked=locked or batch_verification.direct, cancel=cancel, progress=progress)

    def write_batch_report(self, actor: str, report: BatchReport, path: Path) -> int:
        """The batch's report as CSV at `path` (atomic, audited); its number of lines."""
        from insterm.usecases import batch_report

        return batch_report.write_report(self._ctx, actor, report, path)

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

    def hl7_feed(self) -> tuple[str, int, HL7Options] | None:
        """The HL7 feed's destination (host, port, envelope), or None when there is none."""
        from insterm.usecases import hl7_feed

        return hl7_feed.destination(self.conn)

    def configure_hl7_feed(self, actor: str, host: str | None, port: int | None = None,
                           options: HL7Options | None = None) -> None:
        """Send every change of an identity to `host:port` through the MLLP outbox (None: no
        feed any more). Administrators."""
        from insterm.usecases import hl7_feed

        hl7_feed.configure(self._ctx, actor, host, port, options)

    # ---------------------------------------------------------------- imports

    def inspect_import(self, actor: str, path: Path,
                       mapping_file: Path | None = None) -> ImportPlan:
        """A patient file described (kind, encoding, delimiter, mapping) with its first rows
        read as they would be imported; nothing written. Administrators."""
        from insterm.usecases import imports

        return imports.inspect(self._ctx, actor, path, mapping_file)

    def run_import(self, actor: str, plan: ImportPlan, *, dry_run: bool = False,
                   progress: Callable[[int, int], None] | None = None,
                   should_stop: Callable[[], bool] = lambda: False,
                   max_batches: int | None = None) -> ImportReport:
        """Import the file of `plan` (resuming an interrupted import of the same file; a file
        already imported imports nothing). `dry_run`: everything rolled back; `max_batches`:
        return after that many batches (call again to go on)."""
        from insterm.usecases import imports

        return imports.run(self._ctx, actor, plan.source, dry_run=dry_run, progress=progress,
                           should_stop=should_stop, max_batches=max_batches)

    def import_rows_to_review(self, batch_id: int) -> list[RowOutcome]:
        """The refused and held rows of import `batch_id`, in file order."""
        from insterm.usecases import imports

        return list(imports.rows_to_review(self._ctx, batch_id))

    def write_import_report(self, batch_id: int, target: Path | None = None,
                            source: Path | None = None) -> tuple[Path | None, list[RowOutcome]]:
        """The CSV report of an import's refused and held rows, at `target` (default: next to
        `source`, `<name>-rapport.csv`); (the path written or None when no row, the rows)."""
        from insterm.usecases import imports

        if target is None:
            if source is None:
                raise ValueError("a target or the source file is needed")
            target = imports.default_report_path(source)
        return imports.write_report(self._ctx, batch_id, target)

    def import_batches(self) -> list[Batch]:
        """The imports of this base, newest first."""
        from insterm.usecases import imports

        return imports.batches(self._ctx)

    def undo_import(self, actor: str, batch_id: int) -> int:
        """Withdraw every identity of an import nobody has changed since (administrators)."""
        from insterm.usecases import imports

        return imports.undo(self._ctx, actor, batch_id)

    # ---------------------------------------------------------------- operators

    def bootstrap_admin(self, login: str, display_name: str, rpps: str | None = None, *,
                        password: str | None = None, password_again: str | None = None,
                        os_login: str | None = None) -> operator_store.Operator:
        """The first administrator, with their proof (a password typed twice, or the OS
        account they work from); they are then signed in on this clinic."""
        return operators_uc.bootstrap_admin(self._ctx, login, display_name, rpps,
                                            password=password, password_again=password_again,
                                            os_login=os_login)

    def add_operator(self, actor: str, login: str, display_name: str, role: str = "staff",
                     rpps: str | None = None, os_login: str | None = None, *,
                     password: str | None = None, password_again: str | None = None,
                     method: str | None = None) -> operator_store.Operator:
        return operators_uc.add_operator(self._ctx, actor, login, display_name, role, rpps,
                                         os_login, password=password,
                                         password_again=password_again, method=method)

    # ---------------------------------------------------------------- sign-in

    def sign_in_with_password(self, login: str, password: str) -> auth_uc.SignedIn:
        """`login` proved by their password (`SignInRefused`, with `retry_in`, else); from
        then on every audit event of this clinic records "password"."""
        return auth_uc.sign_in_with_password(self._ctx, login, password)

    def sign_in_with_os_account(self, login: str, os_login: str | None) -> auth_uc.SignedIn:
        """`login` proved by the OS account of the process (`os_login`)."""
        return auth_uc.sign_in_with_os_account(self._ctx, login, os_login)

    def sign_out(self) -> None:
        auth_uc.sign_out(self._ctx)

    def auth_method(self, login: str) -> str:
        """How `login` proved who they are on this clinic ("unverified" if they did not)."""
        return self._ctx.auth_method(login)

    def set_operator_password(self, actor: str, login: str, password: str,
                              again: str | None = None) -> operator_store.Operator:
        """Set or reset `login`'s password (it becomes their method; a lock is lifted);
        admin only."""
        return operators_uc.change_proof(self._ctx, actor, login, "password",
                                         password=password, again=again)

    def set_operator_auth_method(self, actor: str, login: str,
                                 method: str) -> operator_store.Operator:
        """How `login` proves who they are ("password" or "os-account"); admin only."""
        return operators_uc.change_proof(self._ctx, actor, login, method)

    def change_operator_proof(self, actor: str, login: str, method: str, *,
                              os_login: str | EllipsisType | None = ...,
                              password: str | None = None,
                              again: str | None = None) -> operator_store.Operator:
        """How `login` proves who they are: the method, the OS account (`...` keeps it, None
        removes it), a new password (typed twice) if given; admin only, one audit event."""
        return operators_uc.change_proof(self._ctx, actor, login, method, os_login=os_login,
                                         password=password, again=again)

    def idle_lock_minutes(self) -> int:
        """Minutes of inactivity after which a session locks (practice setting)."""
        return auth_uc.idle_lock_minutes(self._ctx)

    def set_idle_lock_minutes(self, actor: str, minutes: int) -> int:
        return auth_uc.set_idle_lock_minutes(self._ctx, actor, minutes)

    def set_operator_os_login(self, actor: str, login: str,
                              os_login: str | None) -> operator_store.Operator:
        """Map an operator from an OS login (None removes the mapping); admin only."""
        return operators_uc.set_os_login(self._ctx, actor, login, os_login)

    def set_operator_role(self, actor: str, login: str, role: str) -> operator_store.Operator:
        return operators_uc.set_role(self._ctx, actor, login, role)

    def set_operator_active(self, actor: str, login: str,
                            active: bool) -> operator_store.Operator:
        return operators_uc.set_active(self._ctx, actor, login, active)

    # ---------------------------------------------------------------- exports and labels

    def export_fhir(self, actor: str, ipps: Sequence[str] | None,
                    output: Path | None = None, **options: str) -> ExportResult:
        """FR Core Patient JSON (one IPP) or NDJSON (several; None: the whole base, admin)."""
        from insterm.usecases import exports

        return exports.export_fhir(self._ctx, actor, ipps, output, **options)

    def export_hl7(self, actor: str, ipps: Sequence[str], folder: Path,
                   options: HL7Options | None = None) -> ExportResult:
        """One HL7 v2 PAM France message a file in the drop folder `folder`."""
        from insterm.usecases import exports

        return exports.export_hl7(self._ctx, actor, ipps, folder, options)

    def export_csv(self, actor: str, query: str, output: Path | None = None) -> ExportResult:
        """The identities a search returns, as CSV."""
        from insterm.usecases import exports

        return exports.export_csv(self._ctx, actor, query, output)

    def print_labels(self, actor: str, ipp: str, *, format_name: str = "3x8",
                     count: int | None = None, output: Path | None = None,
                     printer: str | None = None) -> LabelsResult:
        """INS datamatrix labels of a QUAL identity: a PDF, or sent to a CUPS printer."""
        from insterm.usecases import labels

        return labels.print_labels(self._ctx, actor, ipp, format_name=format_name,
                                   count=count, output=output, printer=printer)

    def queue_hl7(self, actor: str, ipps: Sequence[str], host: str, port: int,
                  options: HL7Options | None = None) -> int:
        """Queue one HL7 v2 message per IPP for MLLP delivery to `host:port` (audited)."""
        from insterm.usecases import outbox

        return outbox.queue_hl7(self._ctx, actor, ipps, host, port, options)

    def deliver_hl7(self, actor: str, *, timeout: float = 10.0) -> DeliveryReport:
        """Send the due messages of the HL7 outbox over MLLP (each outcome audited)."""
        from insterm.usecases import outbox

        return outbox.deliver(self._ctx, actor, timeout=timeout)

    def next_hl7_attempt_in(self) -> float:
        """Seconds until the next pending HL7 message is due (0: due now or none)."""
        from insterm.usecases import outbox

        return outbox.next_attempt_in(self._ctx)
