"""HL7 v2 over MLLP with a persisted outbox: nothing is lost when the receiver is down.

`queue_hl7` builds the messages (same rules as the drop folder, `exports.export_hl7`) and
stores them in `hl7_outbox` in one transaction with its export audit event. `deliver` sends the
messages that are due, oldest first, one connection each, OUTSIDE any write transaction, then
records each outcome in its own short transaction with its audit event `hl7_delivery`:
- AA/CA: sent;
- AE/AR (CE/CR): refused by the receiver, kept with its answer for the operator, never resent;
- no answer, timeout, connection refused, not an ACK of this message: still pending, next
  attempt after a back-off doubling from `backoff_s` up to `backoff_max_s`.
Delivery is at least once: if the process stops between the receiver's ACK and the record, the
message goes again, with the same MSH-10 (control id) for the receiver to recognise it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from insterm.exchange import files, mllp
from insterm.exchange.identity import ExportRefused
from insterm.store import outbox
from insterm.store.identities import IdentityRecord
from insterm.usecases.context import Context
from insterm.usecases.exports import ACTION, HL7Options, build_hl7_messages, exchange_identity

__all__ = ["DeliveryReport", "deliver", "next_attempt_in", "queue_hl7"]

DELIVERY_ACTION = "hl7_delivery"
Sender = Callable[..., mllp.Ack]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _check_port(host: str, port: int) -> None:
    if not host or not 1 <= port <= 65535:
        raise ExportRefused("Indiquez l'hôte et le port MLLP du destinataire (HÔTE:PORT, port "
                            "de 1 à 65535).", field="mllp")


def queue_hl7(ctx: Context, actor: str, ipps: Sequence[str], host: str, port: int,
              options: HL7Options | None = None, *,
              now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    """Queue one message per IPP for `host:port`; returns how many were queued."""
    options = options or HL7Options()
    _check_port(host, port)
    stamp = now()
    with ctx.change(actor, ACTION) as change:
        found: list[IdentityRecord] = []
        messages = build_hl7_messages(change, ipps, options, stamp, found)
        exported = [exchange_identity(change.conn, r) for r in found]
        data = b"".join(m.encode("utf-8") for _, _, m in messages)
        change.identity_id = found[0].id if len(found) == 1 else None
        change.details.update(
            format="hl7", destination=f"MLLP {host}:{port}", count=len(exported),
            with_ins=sum(1 for i in exported if i.qualified), sha256=files.digest(data),
            event=options.event, control_ids=[c for _, c, _ in messages])
        if len(exported) <= 100:
            change.details["ipps"] = [i.ipp for i in exported]
        for record, (_, control_id, message) in zip(found, messages):
            outbox.add(change.conn, event=options.event, identity_id=record.id,
                       control_id=control_id, message=message, host=host, port=port,
                       operator_id=change.operator.id, at=change.at, due_at=_iso(stamp))
    return len(messages)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int
    refused: tuple[str, ...]  # French lines: control id and the receiver's answer
    failed: tuple[str, ...]  # French lines: still pending, why
    pending: int  # left in the outbox (due later or not reached)

    @property
    def message(self) -> str:
        lines = [f"HL7 : {self.sent} message(s) accepté(s), {len(self.refused)} refusé(s), "
                 f"{self.pending} en attente."]
        lines += [f"Refusé : {line}" for line in self.refused]
        lines += [f"Non remis : {line}" for line in self.failed]
        return "\n".join(lines)


def deliver(ctx: Context, actor: str, *, send: Sender = mllp.send, timeout: float = 10.0,
            backoff_s: float = 30.0, backoff_max_s: float = 3600.0, limit: int = 100,
            now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> DeliveryReport:
    """Send the due messages of the outbox (see the module)."""
    ctx.operator(actor)  # refuse an unknown operator before any network traffic
    sent = 0
    refused: list[str] = []
    failed: list[str] = []
    down: set[tuple[str, int]] = set()  # receivers that failed in this pass: not tried again
    for item in outbox.due(ctx.conn, _iso(now()), limit):
        where = (item.host, item.port)
        error: str | None = None
        ack: mllp.Ack | None = None
        if where in down:
            error = "destinataire injoignable lors de ce passage"
        else:
            try:
                ack = send(item.host, item.port, item.message.encode("utf-8"), item.control_id,
                           timeout=timeout)
            except mllp.MllpError as failure:
                error = failure.message
                down.add(where)
        with ctx.change(actor, DELIVERY_ACTION, item.identity_id) as change:
            change.details.update(control_id=item.control_id, event=item.event,
                                  destination=f"{item.host}:{item.port}",
                                  attempt=item.attempts + 1)
            if ack is not None:
                state = "sent" if ack.accepted else "refused"
                outbox.mark_done(change.conn, item.id, state=state, ack_code=ack.code,
                                 text=ack.text or None, at=change.at)
                change.details.update(outcome=state, ack=ack.code, text=ack.text)
            else:
                delay = min(backoff_s * 2 ** item.attempts, backoff_max_s)
                retry_at = now() + timedelta(seconds=delay)
                outbox.mark_retry(change.conn, item.id, error=error or "",
                                  next_attempt_at=_iso(retry_at))
                change.details.update(outcome="retry", error=error,
                                      next_attempt_at=_iso(retry_at))
        if ack is not None and ack.accepted:
            sent += 1
        elif ack is not None:
            refused.append(f"{item.control_id} ({ack.code}) {ack.text}".rstrip())
        else:
            failed.append(f"{item.control_id} : {error}")
    pending = outbox.counts(ctx.conn).get("pending", 0)
    return DeliveryReport(sent, tuple(refused), tuple(failed), pending)


def next_attempt_in(ctx: Context, *,
                    now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> float:
    """Seconds until the next pending message is due (0 when one is due or none waits)."""
    at = outbox.next_due(ctx.conn)
    if at is None:
        return 0.0
    return max(0.0, (datetime.fromisoformat(at) - now()).total_seconds())
