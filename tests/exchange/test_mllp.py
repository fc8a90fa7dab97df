"""HL7 over MLLP with the persisted outbox, against a real receiver on 127.0.0.1: accepted
(AA), refused (AE/AR, never resent), no answer (timeout, retried after a back-off), receiver
down then back (nothing lost, nothing sent twice)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import hl7
import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.errors import echoed
from insterm.exchange import mllp
from insterm.store import audit, outbox
from insterm.usecases import outbox as outbox_uc
from insterm.usecases.exports import HL7Options
from tests.exchange.conftest import MATRICULE, Practice
from tests.exchange.mllp_receiver import MllpReceiver

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def receiver() -> Iterator[MllpReceiver]:
    with MllpReceiver() as running:
        yield running


def states(practice: Practice) -> list[tuple[str, int, str | None]]:
    return [(m.state, m.attempts, m.ack_code) for m in outbox.all_messages(practice.clinic.conn)]


def queue(practice: Practice, receiver: MllpReceiver, *ipps: str, at: datetime = T0) -> int:
    return outbox_uc.queue_hl7(practice.clinic._ctx, "sophie", list(ipps), "127.0.0.1",
                               receiver.port, HL7Options(event="A28"), now=lambda: at)


def deliver(practice: Practice, at: datetime = T0, **options: float) -> outbox_uc.DeliveryReport:
    return outbox_uc.deliver(practice.clinic._ctx, "sophie", now=lambda: at,
                             **{"timeout": 2.0, **options})


def test_send_reads_the_ack_of_this_message(receiver: MllpReceiver) -> None:
    message = "MSH|^~\\&|INSTERM||||20250601||ADT^A28^ADT_A05|C1|P|2.5\rPID|1\r"
    ack = mllp.send("127.0.0.1", receiver.port, message.encode(), "C1", timeout=2)
    assert (ack.code, ack.control_id, ack.accepted) == ("AA", "C1", True)
    assert receiver.received == [message]
    with pytest.raises(mllp.MllpError, match="un autre message"):
        mllp.send("127.0.0.1", receiver.port, message.encode(), "C2", timeout=2)


def test_accepted_messages_are_sent_once_in_order(practice: Practice,
                                                  receiver: MllpReceiver) -> None:
    assert queue(practice, receiver, practice.qual, practice.prov) == 2
    report = deliver(practice)
    assert (report.sent, report.pending, report.refused) == (2, 0, ())
    assert states(practice) == [("sent", 1, "AA"), ("sent", 1, "AA")]
    first, second = (hl7.parse(m) for m in receiver.received)
    assert MATRICULE in str(first.segment("PID")[3])
    assert [str(r[4]) for r in second.segment("PID")[3]] == ["PI"]
    assert deliver(practice, T0 + timedelta(hours=2)).sent == 0  # nothing sent twice
    assert len(receiver.received) == 2
    actions = [e.action for e in audit.events_page(practice.clinic.conn).events]
    assert actions[:3] == ["hl7_delivery", "hl7_delivery", "identities_exported"]
    assert practice.clinic.verify_audit().ok


@pytest.mark.parametrize("code", ["AE", "AR"])
def test_refused_messages_are_kept_and_never_resent(practice: Practice, receiver: MllpReceiver,
                                                    code: str) -> None:
    receiver.mode = code
    queue(practice, receiver, practice.qual)
    report = deliver(practice)
    assert report.sent == 0 and len(report.refused) == 1
    assert f"({code}) PID-3 illisible" in report.refused[0]
    assert states(practice) == [("refused", 1, code)]
    deliver(practice, T0 + timedelta(days=1))
    assert len(receiver.received) == 1


def test_a_silent_receiver_times_out_and_the_message_waits_its_back_off(
        practice: Practice, receiver: MllpReceiver) -> None:
    receiver.mode = "silent"
    queue(practice, receiver, practice.qual)
    report = deliver(practice, timeout=0.3, backoff_s=30)
    assert report.pending == 1 and "n'a pas accusé réception" in report.failed[0]
    assert states(practice) == [("pending", 1, None)]
    deliver(practice, T0 + timedelta(seconds=29))  # not due yet: not tried
    assert len(receiver.received) == 1
    receiver.mode = "AA"
    assert deliver(practice, T0 + timedelta(seconds=31)).sent == 1
    assert states(practice) == [("sent", 2, "AA")]
    assert len(receiver.received) == 2  # the same message again, same control id
    assert receiver.received[0] == receiver.received[1]


def test_nothing_is_lost_while_the_receiver_is_down(practice: Practice,
                                                    receiver: MllpReceiver) -> None:
    receiver.stop()
    queue(practice, receiver, practice.qual, practice.prov, practice.recup)
    report = deliver(practice, backoff_s=10)
    assert report.sent == 0 and report.pending == 3
    assert "injoignable" in report.failed[0]
    assert [s[:2] for s in states(practice)] == [("pending", 1)] * 3
    # Doubling back-off: the second failure waits 20 s.
    report = deliver(practice, T0 + timedelta(seconds=11), backoff_s=10)
    retry = [m.next_attempt_at for m in outbox.all_messages(practice.clinic.conn)]
    assert retry == [(T0 + timedelta(seconds=31)).isoformat(timespec="microseconds")] * 3
    receiver.start()  # the receiving software is back, same port
    report = deliver(practice, T0 + timedelta(seconds=32), backoff_s=10)
    assert (report.sent, report.pending) == (3, 0)
    assert [hl7.parse(m).segment("PID")[3][0][0][0] for m in receiver.received] == [
        practice.qual, practice.prov, practice.recup]


@given(st.binary(max_size=300), st.text(max_size=20))
def test_any_answer_is_an_ack_or_a_french_refusal(answer: bytes, control_id: str) -> None:
    try:
        ack = mllp.read_ack(answer, control_id)
    except mllp.MllpError as error:
        assert error.message
    else:
        assert ack.control_id == control_id and ack.code in ("AA", "AE", "AR", "CA", "CE", "CR")


@given(st.sampled_from(["AA", "AE", "AR", "CA"]), st.text(max_size=30))
def test_a_well_formed_ack_is_read(code: str, text: str) -> None:
    from insterm.exchange import er7

    answer = er7.message([er7.msh("R", None, None, None, "20250601", None,
                                  er7.Comp("ACK", "A28", "ACK"), "X1", "P", "2.5"),
                          er7.segment("MSA", code, "C7", text)])
    ack = mllp.read_ack(answer.encode(), "C7")
    assert (ack.code, ack.accepted) == (code, code in ("AA", "CA"))
    assert ack.text == echoed(text, 200)
