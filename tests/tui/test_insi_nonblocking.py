"""A slow INSi does not stop the rest of the application (issue: "When INSi is unreachable, the
rest of the app keeps working").

Real parts: the INSi simulator over mutual TLS on 127.0.0.1 holding its answers until the test
releases them (its `hold` switch: an INSi that does not answer, for as long as the test needs,
without sleeping), a real encrypted file keyring, the practice's SQLite file, Pilot at 80x24.
The identity has two birth first names and INSi knows only the second one: the search makes two
attempts (PAUL -> 01, then DOMINIQUE -> 00).

The assertions are on ordering, not on durations: a search made while the INSi worker waits
gets its results while that worker is still running and before anything of the INSi call is
logged (with the INSi call holding the app's clinic lock, the search would wait for it)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from textual.worker import WorkerState

from insterm.clinic import Clinic
from insterm.domain.identity import StrictTraits
from insterm.tui.screens.qualify import QualifyScreen

from .support import PASSPORT, TODAY, settle

WAIT_STEP = 0.05
WAIT_STEPS = 400  # a bound, not a budget: 20 s before a test gives up waiting


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


@pytest.fixture
def simulator(simulator):  # type: ignore[no-untyped-def]
    """tests/tui/conftest.py's simulator, answering only once the test sets `switches.hold`."""
    simulator.switches.hold = threading.Event()
    return simulator


# `keyring_open`, `insi` and `qapp`: tests/tui/conftest.py's.


def two_attempts_person(clinic: Clinic) -> int:
    """ADRTROIS PAUL DOMINIQUE: INSi knows DOMINIQUE, not PAUL (two attempts, then 00)."""
    traits = StrictTraits.build(birth_name="ADRTROIS", first_name="PAUL",
                                first_names="PAUL DOMINIQUE", birth_date=date(1997, 2, 26),
                                sex="F", birth_place="2A020", today=TODAY)
    record = clinic.create_identity("sophie", traits).record
    return clinic.check_document("sophie", record.id, record.version, PASSPORT).record.id


def logged_calls(app, identity_id: int) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    """(first names sent, CR code) of the insi_call rows, through the app's clinic lock."""
    import json

    def read(clinic: Clinic) -> list[tuple[str, str | None]]:
        rows = clinic.conn.execute(
            "SELECT traits_sent, cr_code FROM insi_call WHERE identity_id = ? ORDER BY id",
            (identity_id,))
        return [(json.loads(traits)["first_names"], code) for traits, code in rows]

    return app.call_clinic(read)


async def wait_until(pilot, condition) -> bool:  # type: ignore[no-untyped-def]
    for _ in range(WAIT_STEPS):
        if condition():
            return True
        await pilot.pause(WAIT_STEP)
    return condition()


def progress_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#qualify-progress").render())


async def test_a_search_completes_while_the_qualify_call_waits_for_insi(qapp, insi, simulator):
    identity = two_attempts_person(insi)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        search = qapp.screen
        assert type(search).__name__ == "SearchScreen"
        qapp.push_screen(QualifyScreen(identity))
        await settle(pilot)
        qualify = qapp.screen
        assert qualify.readiness is not None and qualify.readiness.ready
        await pilot.press("f2")
        assert await wait_until(pilot, lambda: "tentative 1/3 : prénom PAUL"
                                in progress_text(qapp))
        insi_worker = qualify._insi_worker
        assert insi_worker is not None and insi_worker.state == WorkerState.RUNNING

        # Meanwhile, the search screen below searches (its own worker, the app's clinic lock).
        found: list = []
        search.run_clinic(lambda clinic: clinic.find("ADRTROIS"), done=found.append,
                          group="search", doing="la recherche")
        assert await wait_until(pilot, lambda: bool(found))

        # The search answered while INSi was still being waited for: nothing logged yet.
        assert insi_worker.state == WorkerState.RUNNING and qualify.phase == "calling"
        assert logged_calls(qapp, identity) == []
        assert [item.id for item in found[0].items] == [identity]
        simulator.switches.hold.set()  # INSi answers now

        # Per-attempt progress, then the result as usual.
        assert await wait_until(pilot, lambda: qualify.phase != "calling" or
                                "tentative 2/3 : prénom DOMINIQUE" in progress_text(qapp))
        assert "tentative 2/3 : prénom DOMINIQUE" in progress_text(qapp)
        assert await wait_until(pilot, lambda: qualify.phase == "result")
        await settle(pilot)
        assert insi_worker.state == WorkerState.SUCCESS
        assert qualify.report.code == "00"
        assert qualify.report.accept_preview.status == "QUAL"
    assert logged_calls(qapp, identity) == [("PAUL", "01"), ("DOMINIQUE", "00")]
    assert len(simulator.handled) == 2


async def test_after_stop_waiting_the_search_screen_answers_before_the_call_ends(
        qapp, insi, simulator):
    identity = two_attempts_person(insi)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        qapp.push_screen(QualifyScreen(identity))
        await settle(pilot)
        await pilot.press("f2")
        assert await wait_until(pilot, lambda: "tentative 1/3" in progress_text(qapp))
        worker = qapp.screen._insi_worker
        await pilot.press("escape")  # stop waiting: the call goes on in the background
        await pilot.pause()
        await pilot.press("escape")  # back to the search screen
        await pilot.pause()
        search = qapp.screen
        assert type(search).__name__ == "SearchScreen"

        await pilot.press(*"ADRTROIS")
        assert await wait_until(pilot, lambda: "Patients 1 à 1" in str(
            search.query_one("#search-message").render()))

        # The results are on screen; the INSi exchange is still going on (its worker is
        # cancelled, its thread still waits for INSi): nothing logged yet.
        assert worker.is_cancelled
        assert logged_calls(qapp, identity) == []
        assert len(simulator.handled) < 2
        simulator.switches.hold.set()  # INSi answers now

        # When INSi answers, both attempts are logged all the same; nothing is applied.
        assert await wait_until(pilot, lambda: len(logged_calls(qapp, identity)) == 2)
        await settle(pilot)
    assert logged_calls(qapp, identity) == [("PAUL", "01"), ("DOMINIQUE", "00")]
    assert insi.get(identity).status == "VALI"
