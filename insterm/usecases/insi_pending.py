"""Use case: INSi calls to make again later, when the service was down.

A qualification or a verification that failed because INSi could not answer (the network, a
timeout, or a fault of the service's own side: SOAP Receiver) may be put on the pending list
(`postpone`, audited "insi_postponed"); its status does not change. A refusal of the request
itself (Sender fault, a trait INSi refuses, a certificate problem) is not put there: calling
again would fail the same way, so the operator must act first.

The list is run again (`retry`, one item at a time, by the screen's worker or
`insterm insi reprendre`): each try is an ordinary INSi call, logged as any other; an item
leaves the list when INSi answers (00, 01 or 02). Nothing is applied by the batch: a 00 still
needs the operator's decision on the qualification screen, as in the single-call flow (a 00
whose traits differ is never applied without a person).

The INS received from elsewhere (`insterm.usecases.received_ins`, the import: reason "INS reçu
...") are 'verify' items too, but not calls to relaunch: the batch verification
(`insterm.usecases.batch_verification`) takes them and applies what is safe. They are left out
of this list and of its count, so that relaunching never closes them unapplied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from insterm.insi.errors import InsiFault, InsiTransportError
from insterm.store import batch_work, pending
from insterm.store.pending import PendingItem
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.identities import active_record

if TYPE_CHECKING:
    from insterm.insi.errors import InsiError
    from insterm.usecases.insi_calls import InsiSearchReport


def retryable(error: InsiError | None) -> bool:
    """Whether calling again later may succeed: the network, or the service's own failure."""
    if isinstance(error, InsiTransportError):
        return True
    return isinstance(error, InsiFault) and error.soap_code == "Receiver"


@dataclass(frozen=True, slots=True)
class PendingStatus:
    """For the home screen: the calls waiting, and when INSi last failed on the network (if
    the last call did)."""

    waiting: int
    unreachable_since: str | None
    received: int = 0  # received INS (an import...) waiting for the batch verification


def status(ctx: Context) -> PendingStatus:
    return PendingStatus(pending.count_open(ctx.conn, with_received=False),
                         pending.last_unreachable(ctx.conn),
                         batch_work.count_received_waiting(ctx.conn))


def postpone(ctx: Context, actor: str, report: InsiSearchReport) -> PendingItem:
    """Put the call of `report` (which failed with a retryable error) on the pending list; the
    open item it already has is returned as it is. `ActionRefused` (French) otherwise."""
    if report.error is None or not retryable(report.error):
        raise ActionRefused("Seul un appel que le service INSi n'a pas pu traiter (réseau, "
                            "délai dépassé, service indisponible) se reprend plus tard.")
    verification = report.verification
    operation = "verify" if verification is not None else "search"
    with ctx.change(actor, "insi_postponed", report.identity_id) as change:
        active_record(change.conn, report.identity_id)
        existing = pending.open_item(change.conn, report.identity_id, operation)
        if existing is not None:
            change.details.update(pending=existing.id, already=True)
            return existing
        reason = report.error.message
        matricule, oid = ((verification.supplied_ins, verification.supplied_oid)
                          if verification is not None else (None, None))
        item_id = pending.add_item(change.conn, report.identity_id, operation, reason=reason,
                                   matricule=matricule, oid=oid, operator_id=change.operator.id,
                                   at=change.at)
        change.details.update(pending=item_id, operation=operation, reason=reason)
    item = pending.get_item(ctx.conn, item_id)
    assert item is not None
    return item


def open_items(ctx: Context) -> list[PendingItem]:
    """The calls to relaunch: not the INS received from elsewhere (an import), which the batch
    verification verifies and applies when safe (`insterm.usecases.batch_verification`)."""
    return pending.open_items(ctx.conn, with_received=False)


def record_try(ctx: Context, actor: str, item: PendingItem,
               report: InsiSearchReport) -> PendingItem:
    """What one more try of `item` gave (the call itself is already logged): answered, it
    leaves the list; failed, it stays with the new reason."""
    answered = report.error is None and report.code in ("00", "01", "02")
    outcome = (f"réponse {report.code}" if answered else
               report.error.message if report.error is not None else "aucune réponse")
    with ctx.change(actor, "insi_pending_tried", item.identity_id) as change:
        pending.record_try(change.conn, item.id, at=change.at, outcome=outcome,
                           answer_code=report.code if answered else None)
        change.details.update(pending=item.id, answered=answered, outcome=outcome)
    after = pending.get_item(ctx.conn, item.id)
    assert after is not None
    return after
