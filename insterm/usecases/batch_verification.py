"""Use case: verify with INSi, one identity after the other, a whole list of INS.

The work (`select`):
- "received": every received INS not verified yet (an open 'verify' item of the INSi pending
  list: `insterm.usecases.received_ins`, or the import);
- "qualified": on demand, every QUAL identity for which INSi last answered before a cutoff
  (a periodic re-verification).

Each identity is one ordinary verification in three phases (`insterm.usecases.insi_calls`:
plan under the caller's lock, the network exchange without it, the record under it), so every
request is logged in `insi_call` as a single verification's is. Then, under the lock again:

- applied only when it is safe: verdict "confirmed" (INSi returns the received INS, active, for
  the record's traits), every trait character for character identical to the record's (nothing
  to rewrite), no collision (the INS is no other record's), the record still without an INS and
  the status transition allowed. The application is the single verification's acceptance
  (`insterm.usecases.insi.apply_outcome`, accepted): PROV -> RECUP, VALI -> QUAL, INS history
  stored, audited;
- anything else (traits that differ even by an accent, another INS, an old INS, not found,
  several identities, a collision) is left for a person: nothing changes on the record, the
  outcome is written on the item and in the report;
- the item leaves the list when INSi answered (00, 01, 02); an error (network, timeout, fault of
  the service, a refusal before sending) leaves it on the list with its reason, for a later run.

A qualified identity INSi no longer confirms (another INS, an old one, not found, several, traits
that differ) is reported ("à revoir") and NOT changed: this is what the single verification does
(the operator reads the answer and decides; the domain has no transition "INSi no longer confirms"),
and the safer choice for a batch: an automatic downgrade would take the INS off every document and
exchange on an answer nobody has read, while the identity-vigilance referent can revoke the
document check or set the identity doubtful in one action once they have checked. The report says
so for each one. A confirmed qualified identity is left as it is (nothing to apply).

The run is rate limited (at most `rate` requests per second, one at a time: every request of a
verification, including the other first names the search strategy tries, waits for its slot),
cancellable between identities (`cancel`: a `threading.Event` or a callable, checked before each
identity and while waiting for a slot), reports its progress (`progress(BatchProgress)` after each
identity), stops by itself when INSi is unreachable several times in a row or when the INSi
client cannot be built at all (keyring locked, certificate missing: the first refusal is recorded,
then the run stops), and is resumable: a re-run selects only what is left.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as day_time
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, TypeVar

from insterm.domain.display_name import display_name
from insterm.domain.errors import InstermError
from insterm.insi.errors import InsiSettingsError
from insterm.insi.verification import Verdict
from insterm.store import batch_work, identities, pending
from insterm.usecases import insi_calls
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.insi import apply_outcome
from insterm.usecases.insi_pending import retryable

if TYPE_CHECKING:
    from insterm.usecases.insi_calls import InsiCallPlan, InsiExchange, InsiSearchReport
    from insterm.usecases.insi_wiring import InsiRuntime

T = TypeVar("T")

RECEIVED = "received"
QUALIFIED = "qualified"
UNREACHABLE_IN_A_ROW = 5  # the run stops after this many network failures in a row


class Locked(Protocol):
    """Runs a database phase under the caller's lock (the TUI's clinic lock); the default
    calls it directly."""

    def __call__(self, phase: Callable[[], T]) -> T: ...


def direct(phase: Callable[[], T]) -> T:
    return phase()


Cancel = threading.Event | Callable[[], bool]


class Outcome(StrEnum):
    APPLIED = "applied"  # confirmed and applied (received INS)
    CONFIRMED = "confirmed"  # confirmed, nothing to apply (qualified identity)
    DIFFERS = "differs"  # INSi answered 00 but it is not safe to apply: for a person
    NOT_FOUND = "not_found"  # 01
    AMBIGUOUS = "ambiguous"  # 02
    ERROR = "error"  # no answer (network, fault, refusal): stays on the list

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.APPLIED: "confirmé, appliqué",
    Outcome.CONFIRMED: "confirmé",
    Outcome.DIFFERS: "à revoir",
    Outcome.NOT_FOUND: "non trouvé",
    Outcome.AMBIGUOUS: "plusieurs identités",
    Outcome.ERROR: "erreur",
}


@dataclass(frozen=True, slots=True)
class BatchWork:
    """What a run verifies: `kind` RECEIVED, or QUALIFIED with the `cutoff` (a stored UTC
    timestamp: the start of the chosen local day)."""

    kind: str
    cutoff: str | None = None
    cutoff_day: date | None = None

    @classmethod
    def received(cls) -> BatchWork:
        return cls(RECEIVED)

    @classmethod
    def qualified_before(cls, day: date, today: date) -> BatchWork:
        """The QUAL identities INSi last answered for before `day` (local); a day after
        `today` is refused (it would take again what this run verifies)."""
        if day > today:
            raise ActionRefused("La date de la re-vérification ne peut pas être dans le futur : "
                                f"indiquez le {today.strftime('%d/%m/%Y')} au plus tard.",
                                field="qualified_before")
        start = datetime.combine(day, day_time(0)).astimezone(UTC)
        return cls(QUALIFIED, start.isoformat(timespec="microseconds"), day)

    @property
    def label(self) -> str:
        if self.kind == RECEIVED:
            return "INS reçus non vérifiés"
        day = self.cutoff_day.strftime("%d/%m/%Y") if self.cutoff_day else "?"
        return f"identités qualifiées vérifiées avant le {day}"


@dataclass(frozen=True, slots=True)
class Task:
    identity_id: int
    item_id: int | None = None  # the received INS's pending item
    matricule: str | None = None
    oid: str | None = None


@dataclass(frozen=True, slots=True)
class BatchLine:
    """What one identity gave."""

    identity_id: int
    ipp: str
    name: str
    outcome: Outcome
    message: str  # French
    status_before: str
    status_after: str
    call_ids: tuple[int, ...] = ()
    qualified_not_confirmed: bool = False
    unreachable: bool = False  # INSi could not answer (network, service down): try later


def duration_fr(seconds: float | None) -> str:
    """A duration as the progress says it: "45 s", "3 min 05 s", "2 h 02 min" ("?": unknown)."""
    if seconds is None:
        return "?"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


@dataclass(frozen=True, slots=True)
class BatchProgress:
    done: int
    total: int
    rate: float  # identities per second so far
    seconds_left: float | None
    line: BatchLine | None = None


@dataclass
class BatchReport:
    work: BatchWork
    total: int  # selected at the start
    lines: list[BatchLine] = field(default_factory=list)
    stopped: str | None = None  # why the run ended early (French), None when it went through
    cancelled: bool = False
    left: int = 0  # what a re-run would take (errors included)
    skipped: int = 0  # answered meanwhile by someone else
    seconds: float = 0.0

    def count(self, outcome: Outcome) -> int:
        return sum(1 for line in self.lines if line.outcome is outcome)

    @property
    def done(self) -> int:
        return len(self.lines)

    @property
    def counts(self) -> dict[Outcome, int]:
        return {outcome: self.count(outcome) for outcome in Outcome}

    @property
    def summary_fr(self) -> str:
        parts = [f"{self.done} identité(s) traitée(s) sur {self.total}"]
        if self.work.kind == RECEIVED:
            parts.append(f"{self.count(Outcome.APPLIED)} confirmée(s) et appliquée(s)")
        else:
            parts.append(f"{self.count(Outcome.CONFIRMED)} confirmée(s)")
        parts += [f"{self.count(Outcome.DIFFERS)} à revoir",
                  f"{self.count(Outcome.NOT_FOUND)} non trouvée(s)",
                  f"{self.count(Outcome.AMBIGUOUS)} avec plusieurs identités",
                  f"{self.count(Outcome.ERROR)} en erreur"]
        return ", ".join(parts) + f" ; {self.left} reste(nt) à vérifier."


class _RateLimiter:
    """At most `rate` requests per second: `wait()` until the next slot (False when cancelled
    meanwhile), `take()` when a request leaves."""

    def __init__(self, rate: float, cancelled: Callable[[], bool], event: threading.Event | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self.cancelled = cancelled
        self.event = event
        self.clock = clock
        self.next_at: float | None = None
        self.waited_for_next = False

    def wait(self, *, cancellable: bool = True) -> bool:
        while self.next_at is not None:
            left = self.next_at - self.clock()
            if left <= 0:
                break
            if cancellable and self.cancelled():
                return False
            if cancellable and self.event is not None:
                self.event.wait(left)
            else:
                time.sleep(min(left, 0.05))
        if cancellable and self.cancelled():
            return False
        self.waited_for_next = True
        return True

    def take(self) -> None:
        now = self.clock()
        self.next_at = max(now, self.next_at or now) + self.interval
        self.waited_for_next = False

    def before_request(self, number: int, total: int, first_names: str) -> None:
        """The exchange's `progress`: each request after the first of an identity waits."""
        if not self.waited_for_next:
            self.wait(cancellable=False)
        self.take()


def _cancelled(cancel: Cancel | None) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


# --------------------------------------------------------------------------------------------
# Selection


def select(ctx: Context, work: BatchWork) -> list[Task]:
    """What is left to verify for `work`, in order."""
    if work.kind == RECEIVED:
        return [Task(item.identity_id, item.id, item.matricule, item.oid)
                for item in batch_work.received_waiting(ctx.conn)]
    assert work.cutoff is not None
    return [Task(due.identity_id) for due in batch_work.qualified_due(ctx.conn, work.cutoff)]


def left_to_do(ctx: Context, work: BatchWork) -> int:
    if work.kind == RECEIVED:
        return batch_work.count_received_waiting(ctx.conn)
    assert work.cutoff is not None
    return len(batch_work.qualified_due(ctx.conn, work.cutoff))


def count_received(ctx: Context) -> int:
    """The received INS waiting for their INSi verification."""
    return batch_work.count_received_waiting(ctx.conn)


# --------------------------------------------------------------------------------------------
# One identity


def _still_due(ctx: Context, work: BatchWork, task: Task) -> bool:
    if task.item_id is not None:
        item = pending.get_item(ctx.conn, task.item_id)
        return item is not None and item.answered_at is None
    assert work.cutoff is not None
    if identities.get_identity(ctx.conn, task.identity_id).status != "QUAL":
        return False  # no longer qualified meanwhile: not this run's work
    last = batch_work.last_answer_at(ctx.conn, task.identity_id)
    return last is None or last < work.cutoff


def _plan(ctx: Context, runtime: InsiRuntime, actor: str, work: BatchWork,
          task: Task) -> InsiCallPlan | None:
    """Phase 1, or None when someone else verified it meanwhile."""
    if not _still_due(ctx, work, task):
        return None
    return insi_calls.plan_verification(ctx, runtime, actor, task.identity_id,
                                        matricule=task.matricule, oid=task.oid)


def _global_refusal(plan: InsiCallPlan, exchange: InsiExchange) -> bool:
    """No request could be sent for a reason that holds for every identity (keyring, certificate,
    settings): the run stops."""
    if exchange.search.attempts:
        return False
    return plan.refusal is None or isinstance(plan.refusal, InsiSettingsError)


def _safe_to_apply(report: InsiSearchReport) -> bool:
    verification = report.verification
    preview = report.accept_preview
    return (report.error is None and verification is not None
            and verification.verdict is Verdict.CONFIRMED and report.collision is None
            and bool(report.comparison) and all(c.identical for c in report.comparison)
            and preview is not None and preview.allowed)


def _judge(ctx: Context, actor: str, work: BatchWork, task: Task,
           report: InsiSearchReport) -> tuple[Outcome, str, bool]:
    """(outcome, French message, whether the record was changed), applying what is safe."""
    record = identities.get_identity(ctx.conn, task.identity_id)
    qualified = work.kind == QUALIFIED
    if report.error is not None:
        return Outcome.ERROR, f"{report.error.message} (reste à vérifier)", False
    verification = report.verification
    code = report.code
    if code == "01":
        return Outcome.NOT_FOUND, (verification.message_fr if verification else
                                   "Aucune identité trouvée."), False
    if code == "02":
        return Outcome.AMBIGUOUS, (verification.message_fr if verification else
                                   "Plusieurs identités trouvées."), False
    if report.collision is not None:
        return Outcome.DIFFERS, report.collision.message_fr, False
    if qualified:
        confirmed = (verification is not None and verification.verdict is Verdict.CONFIRMED
                     and all(c.identical for c in report.comparison))
        if confirmed:
            return Outcome.CONFIRMED, "INS confirmé : identité inchangée.", False
        return Outcome.DIFFERS, _differences(report), False
    if record.matricule is not None:
        return Outcome.DIFFERS, ("Le dossier a reçu un INS entre-temps : l'INS reçu n'est pas "
                                 "appliqué, comparez-les sur la fiche."), False
    if not _safe_to_apply(report):
        return Outcome.DIFFERS, _differences(report), False
    try:
        applied = apply_outcome(ctx, actor, task.identity_id, report.identity_version, report,
                                accepted=True)
    except InstermError as refused:
        return Outcome.DIFFERS, f"Non appliqué : {refused.message}", False
    after = applied.saved.record
    label = "qualifiée" if after.status == "QUAL" else "récupérée"
    return Outcome.APPLIED, (f"INS confirmé et appliqué : identité {label} ({record.status} -> "
                             f"{after.status})."), True


def _differences(report: InsiSearchReport) -> str:
    verification = report.verification
    text = verification.message_fr if verification is not None else report.message_fr
    if verification is not None and verification.verdict is Verdict.CONFIRMED:
        unequal = [c.message_fr for c in report.comparison if not c.identical]
        text = ("INS confirmé, mais des traits ne sont pas identiques caractère pour caractère "
                "(" + " ; ".join(unequal) + ") : à décider sur la fiche.")
    return text + " Rien n'a été appliqué."


def _record(ctx: Context, actor: str, work: BatchWork, task: Task,
            exchange: InsiExchange) -> BatchLine:
    """Phase 3 and the decision: log the call, apply what is safe, write the outcome on the
    item (closed when INSi answered) with the event "insi_batch_verified"."""
    report = insi_calls.record_exchange(ctx, exchange)
    before = exchange.plan.record
    outcome, message, changed = _judge(ctx, actor, work, task, report)
    qualified_not_confirmed = work.kind == QUALIFIED and outcome not in (Outcome.CONFIRMED,
                                                                        Outcome.ERROR)
    if qualified_not_confirmed:
        message = ("Identité qualifiée NON confirmée par INSi, laissée en l'état : à revoir par "
                   "le référent en identitovigilance. " + message)
    answered = report.error is None and report.code in ("00", "01", "02")
    with ctx.change(actor, "insi_batch_verified", task.identity_id) as change:
        if task.item_id is not None:
            pending.record_try(change.conn, task.item_id, at=change.at,
                               outcome=f"{outcome.label} : {message}"[:500],
                               answer_code=report.code if answered else None)
        change.details.update(work=work.kind, outcome=outcome.value, code=report.code,
                              calls=list(report.call_ids), applied=changed,
                              pending=task.item_id)
        if report.verification is not None:
            change.details["verdict"] = report.verification.verdict.value
        if qualified_not_confirmed:
            change.details["qualified_not_confirmed"] = True
    after = identities.get_identity(ctx.conn, task.identity_id)
    error = report.error
    return BatchLine(task.identity_id, before.ipp, display_name(before), outcome, message,
                     before.status, after.status, tuple(report.call_ids),
                     qualified_not_confirmed,
                     unreachable=error is not None and report.sent and retryable(error))


def _refused_line(ctx: Context, task: Task, refusal: InstermError) -> BatchLine:
    record = identities.get_identity(ctx.conn, task.identity_id)
    return BatchLine(task.identity_id, record.ipp, display_name(record), Outcome.ERROR,
                     f"{refusal.message} (reste à vérifier)", record.status, record.status)


# --------------------------------------------------------------------------------------------
# The run


class _Stop(InstermError):
    """The run cannot go on (French message); caught by `run`, which reports it."""


def _verify_one(ctx: Context, runtime: InsiRuntime, actor: str, work: BatchWork, task: Task,
                locked: Locked, limiter: _RateLimiter) -> BatchLine | None:
    """One identity in three phases (None: verified meanwhile by someone else); `_Stop` when no
    request can be sent for anybody."""

    def plan_phase() -> InsiCallPlan | InstermError | None:
        try:
            return _plan(ctx, runtime, actor, work, task)
        except ActionRefused as refused:  # merged, no INS any more...
            return refused

    plan = locked(plan_phase)
    if plan is None:
        return None
    if isinstance(plan, InstermError):
        refusal = plan
        return locked(lambda: _refused_line(ctx, task, refusal))
    exchange = plan.exchange(limiter.before_request)
    if _global_refusal(plan, exchange):
        locked(lambda: insi_calls.record_exchange(ctx, exchange))  # audited as a single call's
        error = exchange.search.error
        raise _Stop(f"Arrêté : {error.message if error is not None else '?'} Rien n'a été "
                    "envoyé ; corrigez puis relancez.")
    return locked(lambda: _record(ctx, actor, work, task, exchange))


def run(ctx: Context, runtime: InsiRuntime, actor: str, work: BatchWork, *, rate: float,
        locked: Locked = direct, cancel: Cancel | None = None,
        progress: Callable[[BatchProgress], None] | None = None,
        clock: Callable[[], float] = time.monotonic) -> BatchReport:
    """Verify everything `work` selects (module docstring); the report. Raises only the facade's
    own refusals before the first call (unknown or deactivated operator)."""
    if not rate > 0:
        raise ActionRefused("Le débit de la vérification par lot doit être positif.")

    def selection() -> list[Task]:
        ctx.operator(actor)
        return select(ctx, work)

    tasks = locked(selection)
    report = BatchReport(work, len(tasks))
    cancelled = _cancelled(cancel)
    limiter = _RateLimiter(rate, cancelled, cancel if isinstance(cancel, threading.Event)
                           else None, clock)
    started = clock()
    in_a_row = 0
    for task in tasks:
        if not limiter.wait():
            report.cancelled = True
            report.stopped = "Arrêté à la demande, après l'identité en cours."
            break
        try:
            line = _verify_one(ctx, runtime, actor, work, task, locked, limiter)
        except _Stop as stop:
            report.stopped = stop.message
            break
        if line is None:
            report.skipped += 1
            continue
        report.lines.append(line)
        in_a_row = in_a_row + 1 if line.unreachable else 0
        if progress is not None:
            handled = report.done + report.skipped
            elapsed = max(clock() - started, 1e-6)
            speed = handled / elapsed
            progress(BatchProgress(handled, len(tasks), speed,
                                   (len(tasks) - handled) / speed, line))
        if in_a_row >= UNREACHABLE_IN_A_ROW:
            report.stopped = (f"Arrêté : INSi n'a pas répondu {in_a_row} fois de suite "
                              "(réseau, service indisponible). Relancez plus tard : seul ce qui "
                              "reste sera vérifié.")
            break
    report.seconds = clock() - started

    def finish() -> None:
        report.left = left_to_do(ctx, work)
        with ctx.change(actor, "insi_batch_finished") as change:
            change.details.update(
                work=work.kind, cutoff=work.cutoff, total=report.total, done=report.done,
                left=report.left, stopped=report.stopped, cancelled=report.cancelled,
                counts={outcome.value: count for outcome, count in report.counts.items()})

    locked(finish)
    return report
