"""What `insterm insi verifier-lot` prints without a terminal (a line every 100 identities and
at the end) and which exit code a report gives (pure: reports built here)."""

from __future__ import annotations

import pytest

from insterm.commands import insi_batch
from insterm.usecases.batch_verification import (
    BatchLine,
    BatchProgress,
    BatchReport,
    BatchWork,
    Outcome,
)


def test_a_plain_line_every_hundred(capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    with insi_batch._progress_display() as show:
        for done in range(1, 251):
            show(BatchProgress(done, 250, 2.0, (250 - done) / 2.0))
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["100/250 identité(s), 2.0/s, reste environ 1 min 15 s",
                     "200/250 identité(s), 2.0/s, reste environ 25 s",
                     "250/250 identité(s), 2.0/s, reste environ 0 s"]


def line(outcome: Outcome) -> BatchLine:
    return BatchLine(1, "100000001", "MARTIN JEAN", outcome, "", "PROV", "PROV")


@pytest.mark.parametrize(("outcomes", "left", "stopped", "code"), [
    ([Outcome.APPLIED, Outcome.CONFIRMED], 0, None, 0),
    ([Outcome.APPLIED, Outcome.DIFFERS], 0, None, 3),
    ([Outcome.NOT_FOUND], 0, None, 3),
    ([Outcome.APPLIED, Outcome.ERROR], 1, None, 1),
    ([Outcome.DIFFERS, Outcome.ERROR], 1, None, 1),  # a re-run first
    ([], 5, "Arrêté : le trousseau est verrouillé.", 2),  # nothing could be sent
    ([Outcome.APPLIED], 4, "Arrêté à la demande.", 1),
    ([], 0, None, 0),
])
def test_exit_codes(outcomes: list[Outcome], left: int, stopped: str | None,
                    code: int) -> None:
    report = BatchReport(BatchWork.received(), len(outcomes) + left,
                         [line(o) for o in outcomes], stopped=stopped, left=left,
                         cancelled=bool(stopped and "demande" in stopped))
    assert insi_batch.exit_code(report) == code


def test_durations_in_french() -> None:
    assert [insi_batch.duration_fr(s) for s in (None, 0.4, 59, 61, 3600, 7322)] == \
        ["?", "0 s", "59 s", "1 min 01 s", "1 h 00 min", "2 h 02 min"]
