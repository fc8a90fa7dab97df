"""Use cases: call INSi for a stored identity (search by traits, verification of a received INS).

Blocking: the network exchange may last minutes. `search` / `verify` run three phases in a row
(a short database read -> an immutable `InsiCallPlan`; `InsiCallPlan.exchange()`, the network,
with no database connection; `record_exchange`, one short write transaction): a caller sharing
one connection (the TUI's clinic lock) runs the phases itself and the exchange outside its lock
(see "A call in three phases" below). The flow of `search`:

1. refuse before sending what the domain and `insterm.insi.request` refuse (doubtful or
   fictitious identity, corrected birth date, sex I, traits outside the INSi profile): nothing
   leaves the machine, the refusal is audited (`insi_not_sent`);
2. build the client from the settings (`insterm.usecases.insi_settings`) and the keyring: a locked
   keyring, a missing or unusable certificate, incomplete settings also end here, nothing sent
   (`needs_master_password` tells the screen to ask the keyring's master password);
3. run the search strategy; EVERY attempt is logged in `insi_call` (message id, operation,
   traits sent, CR or fault code, duration, raw request/response XML, who, when, environment)
   with its audit event (`insi_called`), in one transaction, whatever the outcome;
4. return an `InsiSearchReport`: the outcome, the local traits next to the INSi traits field by
   field (equal / different with `insterm.domain.traits` helpers, no fuzzy matching) and the
   collision check (the matricule is already another record's current INS: that record named).

The operator's decision is then `Clinic.apply_insi_outcome(actor, id, report.identity_version,
report, accepted=...)`: the report carries `logged_call_ids`, so the calls are not logged twice.

`verify` does the same for an INS received from elsewhere (the client's `verify`: a traits
search + comparison, the official verification operation not being public).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from insterm import secrets
from insterm.config import SettingsError
from insterm.domain.errors import DomainError
from insterm.domain.status import InsiRetrieved, InsReplaced, describe_drop, transition
from insterm.domain.traits import first_names_equivalent, traits_equal
from insterm.insi.errors import InsiAuthError, InsiError, InsiRefused, InsiSettingsError
from insterm.insi.request import TraitsQuery, check_traits_query
from insterm.insi.results import OID_NIR, SearchOutcome
from insterm.insi.verification import parse_supplied_ins
from insterm.store import identities
from insterm.usecases import insi_settings
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.identities import active_record
from insterm.usecases.insi import accept_event
from insterm.usecases.insi_log import log_attempts
from insterm.usecases.insi_settings import InsiSettingsView
from insterm.usecases.insi_wiring import InsiRuntime

if TYPE_CHECKING:
    from insterm.insi.client import InsiClient
    from insterm.insi.results import Attempt, InsiResult
    from insterm.insi.verification import VerificationOutcome
    from insterm.store.identities import IdentityRecord

Progress = Callable[[int, int, str], None]
"""`progress(number, total, first_names_sent)`: called before each attempt of a search."""

FIELD_LABELS = {
    "birth_name": "Nom de naissance",
    "first_names": "Prénoms de naissance",
    "first_name": "Premier prénom",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "birth_place": "Lieu de naissance",
}


@dataclass(frozen=True)
class TraitComparison:
    """One strict trait, local next to INSi. `equal`: the same trait once normalised (case,
    accents, separators of first names: `insterm.domain.traits`); `identical`: the same
    characters (accepting replaces the local value only when not identical)."""

    field: str
    local: str | None
    insi: str | None
    equal: bool
    identical: bool

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.field]

    @property
    def message_fr(self) -> str:
        state = "identique" if self.identical else ("équivalent" if self.equal else "DIFFÉRENT")
        return f"{self.label} : local « {self.local or ''} », INSi « {self.insi or ''} » ({state})"


@dataclass(frozen=True)
class Collision:
    """The INS returned is already the current INS of another record."""

    matricule: str
    identity_id: int
    ipp: str
    label: str  # "IPP 100000012 (MARTIN Jean, né(e) le 01/02/1980)"

    @property
    def message_fr(self) -> str:
        return (f"Collision : cet INS est déjà celui du dossier {self.label}. Il ne peut pas être "
                "attribué à un second dossier : ouvrez l'autre dossier, vérifiez s'il s'agit de "
                "la même personne (doublon à fusionner) ou d'une erreur d'identité, et signalez-le "
                "au référent en identitovigilance.")


@dataclass(frozen=True)
class InsiSearchReport:
    """What a call gave, for the Qualification screen and for `apply_insi_outcome`."""

    identity_id: int
    identity_version: int  # the version read before the call: pass it to apply_insi_outcome
    environment: str
    outcome: SearchOutcome
    call_ids: tuple[int, ...] = ()
    comparison: tuple[TraitComparison, ...] = ()
    collision: Collision | None = None
    needs_master_password: bool = False
    verification: VerificationOutcome | None = None
    accept_preview: AcceptPreview | None = None  # a 00: what accepting it would do

    # --- the shape `insterm.usecases.insi.apply_outcome` reads (InsiOutcomeLike)
    @property
    def attempts(self) -> tuple[Attempt, ...]:
        return self.outcome.attempts

    @property
    def result(self) -> InsiResult | None:
        return self.outcome.result

    @property
    def error(self) -> InsiError | None:
        return self.outcome.error

    @property
    def logged_call_ids(self) -> tuple[int, ...]:
        return self.call_ids

    # --- for screens
    @property
    def sent(self) -> bool:
        """Whether anything left the machine."""
        return any(getattr(a, "sent", True) for a in self.outcome.attempts)

    @property
    def code(self) -> str:
        return self.outcome.code

    @property
    def found(self) -> bool:
        return self.outcome.found

    @property
    def differences(self) -> tuple[TraitComparison, ...]:
        return tuple(c for c in self.comparison if not c.equal)

    @property
    def can_accept(self) -> bool:
        """A 00 without collision: the operator may accept the INSi traits."""
        result = self.result
        return (self.found and self.collision is None and result is not None
                and result.active is not None)

    @property
    def message_fr(self) -> str:
        if self.verification is not None:
            return self.verification.message_fr
        return self.outcome.message_fr

    @property
    def guidance_fr(self) -> str:
        """What to do next (French)."""
        if self.collision is not None:
            return self.collision.message_fr
        if self.outcome.error is not None:
            error = self.outcome.error
            kind = type(error).__name__
            if self.needs_master_password:
                return ("Ouvrez le trousseau d'insterm (mot de passe maître) puis relancez "
                        "l'appel.")
            from insterm.usecases.insi_pending import retryable

            later = (" F5 le reprend plus tard : il sera relancé depuis « Appels INSi en "
                     "attente » (ctrl+p) quand le service répondra.")
            if kind == "InsiFault":
                return ("Message du téléservice ci-dessus. L'identité reste inchangée ; l'appel est "
                        "enregistré. Corrigez ce qui est indiqué, ou réessayez plus tard s'il "
                        "s'agit d'une erreur technique." + (later if retryable(error) else ""))
            if kind == "InsiTransportError":
                return ("Le téléservice INSi est injoignable pour le moment : l'identité reste en "
                        "l'état ; le reste de l'application fonctionne normalement." + later)
            if not self.sent:
                return "Rien n'a été envoyé au téléservice. " + str(error)
            return "L'identité reste inchangée ; l'appel est enregistré."
        code = self.outcome.code
        if code == "01":
            return ("Aucune identité trouvée : vérifiez chaque trait sur le document d'identité "
                    "(orthographe du nom de naissance, date), essayez avec tous les prénoms de "
                    "naissance dans l'ordre, ou d'autres prénoms, puis relancez.")
        if code == "02":
            return ("Plusieurs identités trouvées : ajoutez le lieu de naissance (code COG) et "
                    "tous les prénoms de naissance, puis relancez.")
        if self.differences:
            return ("Des traits diffèrent : comparez-les avec le document d'identité. En "
                    "acceptant, les traits INSi remplacent les traits locaux tels quels ; en "
                    "refusant, rien ne change.")
        return ("Les traits INSi correspondent aux traits locaux : acceptez pour récupérer "
                "l'INS, ou refusez (rien ne change).")


@dataclass(frozen=True)
class AcceptPreview:
    """What accepting a 00 does to the record (as it was when the call was recorded), by the
    domain's own transition, computed once for every screen: `event` (`InsiRetrieved`, or
    `InsReplaced` when the record holds another INS), the resulting `status` code and the
    French `sentence` saying it; or `refused`, the domain's French refusal (accepting is then
    impossible, e.g. a doubtful identity)."""

    event: InsiRetrieved | InsReplaced
    status: str | None
    sentence: str
    refused: DomainError | None = None

    @property
    def allowed(self) -> bool:
        return self.refused is None


def preview_accept(record: IdentityRecord, result: InsiResult | None) -> AcceptPreview | None:
    """`AcceptPreview` of a 00 for this record; None when there is nothing to accept."""
    if result is None or result.code != "00" or result.active is None:
        return None
    event = accept_event(record, result.active)
    try:
        moved = transition(record.state(), event)
        sentence = describe_drop(record.state(), event)
    except DomainError as refused:
        return AcceptPreview(event, None, refused.message, refused)
    return AcceptPreview(event, str(moved.state.status), sentence)


# --------------------------------------------------------------------------------------------
# Comparison and collision (pure logic on the record and the result)


def _names_equal(kind: str, a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    try:
        if kind == "birth_name":
            return traits_equal(a, b)
        return first_names_equivalent(a, b)
    except DomainError:
        return a == b


def compare_traits(record: IdentityRecord, result: InsiResult | None) -> tuple[TraitComparison, ...]:
    """Local traits next to the traits INSi returned (TIQ), field by field."""
    if result is None or result.traits is None:
        return ()
    tiq = result.traits
    returned_first = tiq.first_name or (tiq.first_name_list[0] if tiq.first_name_list else None)
    local_date = record.birth_date.isoformat()
    rows = [
        ("birth_name", record.birth_name, tiq.birth_name,
         _names_equal("birth_name", record.birth_name, tiq.birth_name)),
        ("first_names", record.first_names, tiq.first_names,
         _names_equal("first_names", record.first_names, tiq.first_names)),
        ("first_name", record.first_name, returned_first,
         _names_equal("first_name", record.first_name, returned_first)),
        ("sex", record.sex, tiq.sex, record.sex == tiq.sex),
        ("birth_date", local_date, tiq.birth_date, local_date == tiq.birth_date),
        ("birth_place", record.birth_place, tiq.birth_place,
         (record.birth_place or None) == (tiq.birth_place or None)),
    ]
    return tuple(TraitComparison(name, local, insi, equal, (local or None) == (insi or None))
                 for name, local, insi, equal in rows)


def find_collision(conn: sqlite3.Connection, record: IdentityRecord,
                   result: InsiResult | None) -> Collision | None:
    if result is None or result.code != "00" or result.active is None:
        return None
    holder = identities.matricule_holder(conn, result.active.value, exclude_id=record.id)
    if holder is None:
        return None
    return Collision(result.active.value, holder.id, holder.ipp, holder.label)


# --------------------------------------------------------------------------------------------
# Logging


# --------------------------------------------------------------------------------------------
# The calls


def _first_names(value: str | Sequence[str] | None, record: IdentityRecord) -> str:
    if value is None:
        return record.first_names
    if isinstance(value, str):
        return " ".join(value.split())
    return " ".join(" ".join(str(v).split()) for v in value)


def _not_sent(ctx: Context, actor: str, record: IdentityRecord, environment: str,
              error: InsiError | None, *,
              needs_master_password: bool = False, operation: str = "search") -> InsiSearchReport:
    with ctx.change(actor, "insi_not_sent", record.id) as change:
        change.details.update(operation=operation, environment=environment,
                              reason=getattr(error, "code", type(error).__name__),
                              message=str(error))
    return InsiSearchReport(record.id, record.version, environment,
                            SearchOutcome(attempts=(), error=error),
                            needs_master_password=needs_master_password)


@dataclass
class PreparedClient:
    client: InsiClient | None = None
    environment: str = "simulator"
    refusal: InsiError | None = None
    needs_master_password: bool = False
    needs_cps_pin: bool = False


def client_for(view: InsiSettingsView, runtime: InsiRuntime) -> PreparedClient:
    """The client for these settings, or the refusal saying what is missing. Reads the keyring
    and the certificate file (CPS mode: the card signed in), never the database."""
    prepared = PreparedClient(environment=view.environment)
    if view.auth_mode == "cps":
        client = runtime.card_client(view.client_settings())
        if client is None:
            prepared.refusal = InsiAuthError(
                "Mode carte CPS : insérez la carte CPS dans le lecteur de ce poste et saisissez "
                "son code avant l'appel INSi.", reason="cps_pin_needed")
            prepared.needs_cps_pin = True
        prepared.client = client
        return prepared
    try:
        passphrase = runtime.passphrase(view.certificate)
    except secrets.MasterPasswordNeeded as error:
        prepared.refusal = InsiRefused(str(error), reason="keyring_locked")
        prepared.needs_master_password = True
        return prepared
    except secrets.SecretsError as error:
        prepared.refusal = InsiRefused(str(error), reason="keyring_unavailable")
        return prepared
    if not view.certificate.p12_path.is_file():
        prepared.refusal = InsiAuthError(
            "Aucun certificat INSi n'est installé pour l'environnement « "
            f"{view.environment_label} » : importez le certificat d'organisation (.p12) dans les "
            "réglages INSi" + (", ou lancez `insterm insi-sim --setup` pour le simulateur."
                               if view.environment == "simulator" else "."),
            reason="no_certificate")
        return prepared
    if passphrase is None:
        prepared.refusal = InsiAuthError(
            "La phrase de passe du certificat INSi n'est pas dans le trousseau : importez de "
            "nouveau le certificat dans les réglages INSi.", reason="no_passphrase")
        return prepared
    prepared.client = runtime.client(view.client_settings(), view.certificate, passphrase)
    return prepared


def _settings_view(
        ctx: Context, runtime: InsiRuntime,
) -> tuple[InsiSettingsView | None, InsiSettingsError | None]:

    """(the settings in force, None), or (None, the refusal when the settings file is bad)."""
    try:
        return insi_settings.current(ctx, runtime), None
    except SettingsError as error:
        return None, InsiSettingsError(str(error), setting="settings_file")


def prepare_client(ctx: Context, runtime: InsiRuntime) -> PreparedClient:
    """The client for the settings in force, or the refusal saying what is missing."""
    view, refusal = _settings_view(ctx, runtime)
    if view is None:
        return PreparedClient(refusal=refusal, environment="?")
    return client_for(view, runtime)


def _query(record: IdentityRecord, first_names: str | Sequence[str] | None,
           birth_place: str | None) -> TraitsQuery:
    place = birth_place.strip().upper() if isinstance(birth_place, str) and birth_place.strip() \
        else record.birth_place
    return TraitsQuery.from_traits({
        "birth_name": record.birth_name, "first_names": _first_names(first_names, record),
        "sex": record.sex, "birth_date": record.birth_date, "birth_place": place})


# --------------------------------------------------------------------------------------------
# A call in three phases: read (database), exchange (network only), record (database)
#
# The network exchange may last minutes (30 s timeout per attempt, up to three attempts): it
# must not hold the database connection. So a call is
#   1. `plan_search` / `plan_verification`: a short read (operator, record, traits checked,
#      settings in force) giving an immutable `InsiCallPlan`;
#   2. `InsiCallPlan.exchange(progress)`: keyring, client, INSi: no database connection at all,
#      so a caller holding one connection for the whole process (the TUI's clinic lock) runs it
#      without that lock and the rest of the application keeps working meanwhile;
#   3. `record_exchange`: one short write transaction logging every attempt (or the refusal)
#      with its audit event, and the report.
# Phases rather than a second connection for the worker: phases 1 and 3 are the database work
# the call always did, only the wait moves out, and there is no second connection to open,
# configure, close and keep consistent with the first (the record's version read in phase 1 is
# what `apply_insi_outcome` checks afterwards, as before).


@dataclass(frozen=True)
class InsiCallPlan:
    """Phase 1 of a call: everything the exchange needs, read from the database. `refusal`: an
    `InsiError` that stops the call before anything is sent (recorded as `insi_not_sent`)."""

    operation: str  # "search" or "verify"
    actor: str
    record: IdentityRecord
    environment: str
    runtime: InsiRuntime = field(repr=False, compare=False)
    view: InsiSettingsView | None = None
    query: TraitsQuery | None = None
    supplied: tuple[str, str] | None = None  # verify: (matricule, oid) as received
    refusal: InsiError | None = None

    def exchange(self, progress: Progress | None = None) -> InsiExchange:
        """Phase 2: build the client (keyring, certificate) and talk to INSi. Touches no
        database connection: run it outside any database lock. Never raises for anything INSi,
        keyring or network related (it is in the returned exchange). `progress(number, total,
        first_names_sent)` is called before each attempt (request sent)."""
        if self.refusal is not None:
            return InsiExchange(self, SearchOutcome(attempts=(), error=self.refusal))
        assert self.view is not None and self.query is not None
        prepared = client_for(self.view, self.runtime)
        if prepared.refusal is not None:
            return InsiExchange(self, SearchOutcome(attempts=(), error=prepared.refusal),
                                needs_master_password=prepared.needs_master_password)
        assert prepared.client is not None  # no refusal: a client
        state = self.record.state()
        if self.operation == "verify":
            assert self.supplied is not None
            verification = prepared.client.verify(self.query, *self.supplied, state=state,
                                                  progress=progress)
            return InsiExchange(self, verification.search, verification)
        outcome = prepared.client.search_by_traits(self.query, state=state, progress=progress)
        return InsiExchange(self, outcome)


@dataclass(frozen=True)
class InsiExchange:
    """Phase 2's result: what INSi answered (or why nothing was sent), not yet recorded."""

    plan: InsiCallPlan
    search: SearchOutcome
    verification: VerificationOutcome | None = None
    needs_master_password: bool = False


def plan_search(ctx: Context, runtime: InsiRuntime, actor: str, identity_id: int, *,
                first_names: str | Sequence[str] | None = None,
                birth_place: str | None = None) -> InsiCallPlan:
    """Phase 1 of `search` (database reads only, plus the installation id created once).
    Raises the facade's own refusals (unknown operator, unknown or merged record)."""
    ctx.operator(actor)
    record = active_record(ctx.conn, identity_id)
    return _plan(ctx, runtime, "search", actor, record,
                 lambda: _query(record, first_names, birth_place))


def plan_verification(ctx: Context, runtime: InsiRuntime, actor: str,
                      identity_id: int, *, matricule: str | None = None,
                      oid: str | None = None) -> InsiCallPlan:
    """Phase 1 of `verify`; `ActionRefused` when there is no INS to verify."""
    ctx.operator(actor)
    record = active_record(ctx.conn, identity_id)
    supplied = matricule if matricule is not None else record.matricule
    if not supplied:
        raise ActionRefused("Ce dossier n'a pas d'INS à vérifier : indiquez l'INS reçu (15 "
                            "caractères), ou lancez une recherche INSi (qualification).")
    supplied_oid = oid or (record.oid if matricule is None else None) or OID_NIR

    def query() -> TraitsQuery:
        parse_supplied_ins(supplied, supplied_oid)
        return _query(record, None, None)

    return _plan(ctx, runtime, "verify", actor, record, query, (supplied, supplied_oid))


def _plan(ctx: Context, runtime: InsiRuntime, operation: str, actor: str,
          record: IdentityRecord, query: Callable[[], TraitsQuery],
          supplied: tuple[str, str] | None = None) -> InsiCallPlan:
    """The plan of `operation`: refused when `query()` (the traits sent) or the settings are
    refused, else ready for its exchange."""
    try:
        traits = check_traits_query(query(), record.state())
    except InsiRefused as refused:
        return InsiCallPlan(operation, actor, record, insi_settings.environment_in_force(ctx.conn),
                            runtime, refusal=refused)
    view, refusal = _settings_view(ctx, runtime)
    if view is None:
        return InsiCallPlan(operation, actor, record, "?", runtime, refusal=refusal)
    return InsiCallPlan(operation, actor, record, view.environment, runtime, view, traits, supplied)


def record_exchange(ctx: Context, exchange: InsiExchange) -> InsiSearchReport:
    """Phase 3: one write transaction logging every attempt (`insi_call` rows + the audit event
    `insi_called` / `insi_verification`), or the refusal (`insi_not_sent`); the report."""
    plan, search = exchange.plan, exchange.search
    record, actor, verification = plan.record, plan.actor, exchange.verification
    if not search.attempts:  # refused before anything was built or sent
        return _not_sent(ctx, actor, record, plan.environment, search.error,
                         needs_master_password=exchange.needs_master_password,
                         operation=plan.operation)
    query = plan.query
    assert query is not None  # attempts were made: the plan had its query
    action = "insi_verification" if plan.operation == "verify" else "insi_called"
    with ctx.change(actor, action, record.id) as change:
        sent = {"birth_name": query.birth_name, "sex": query.sex,
                "birth_date": query.birth_date.isoformat(), "birth_place": query.birth_place}
        call_ids = log_attempts(change.conn, search.attempts, record.id, sent,
                                environment=plan.environment,
                                operator_id=change.operator.id, at=change.at)
        current = identities.get_identity(change.conn, record.id)
        collision = find_collision(change.conn, current, search.result)
        change.details.update(
            calls=call_ids, environment=plan.environment, code=search.code,
            first_names_sent=[a.sent_first_names for a in search.attempts],
            birth_place_sent=query.birth_place)
        if search.error is not None:
            change.details["error"] = str(search.error)
        if search.result is not None and search.result.active is not None:
            change.details.update(matricule=search.result.active.value,
                                  oid=search.result.active.oid)
        if collision is not None:
            change.details["collision"] = {"id": collision.identity_id, "ipp": collision.ipp}
        if verification is not None:
            change.details.update(verdict=verification.verdict.value,
                                  supplied=verification.supplied_ins, method=verification.method)
    return InsiSearchReport(
        record.id, record.version, plan.environment, search, tuple(call_ids),
        compare_traits(record, search.result), collision, False, verification,
        preview_accept(current, search.result))


def search(ctx: Context, runtime: InsiRuntime, actor: str, identity_id: int, *,
           first_names: str | Sequence[str] | None = None, birth_place: str | None = None,
           progress: Progress | None = None) -> InsiSearchReport:
    """Search the INS of a stored identity (module docstring), the three phases in a row.
    `first_names` replaces the birth first names sent (the operator tries others after a 01),
    `birth_place` adds or replaces the birth place sent (after a 02); `progress(number, total,
    first_names_sent)` is called before each attempt. Raises only for the facade's own refusals
    (unknown operator, unknown or merged record); every INSi outcome is in the report."""
    plan = plan_search(ctx, runtime, actor, identity_id, first_names=first_names,
                       birth_place=birth_place)
    return record_exchange(ctx, plan.exchange(progress))


def verify(ctx: Context, runtime: InsiRuntime, actor: str, identity_id: int, *,
           matricule: str | None = None, oid: str | None = None) -> InsiSearchReport:
    """Verify an INS received from elsewhere against INSi: `matricule`/`oid` as received (15
    characters), or the record's own INS when not given. The report's `verification` holds the
    verdict; accepting its 00 goes through `apply_insi_outcome` as for a search."""
    plan = plan_verification(ctx, runtime, actor, identity_id, matricule=matricule, oid=oid)
    return record_exchange(ctx, plan.exchange())


__all__ = ["AcceptPreview", "Collision", "InsiCallPlan", "InsiExchange", "InsiSearchReport",
           "Progress", "TraitComparison", "accept_event", "client_for", "compare_traits",
           "find_collision", "plan_search", "plan_verification",
           "preview_accept", "record_exchange", "search", "verify"]
