"""The "Vérification INSi par lot" screen with the real simulator over HTTPS: reached from the
palette and from "Appels INSi en attente", it shows the received INS waiting, runs the batch in
a worker (progress, F8 stops after the identity in progress), shows the report table, and Enter
opens the record of a row; asserted on the database and on the messages shown."""

from __future__ import annotations

import time

import pytest

from insterm import secrets
from insterm.clinic import Clinic
from insterm.config import update_settings_file
from insterm.store import batch_work, bulk
from insterm.tui.screens.batch_verification import BatchVerificationScreen
from insterm.tui.screens.insi_pending import InsiPendingScreen
from insterm.tui.screens.record import RecordScreen
from tests.batch_people import Person, Provider, fault_cases, people

from .insi_support import MASTER, screen_text, settle_after_failure
from .support import settle


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


def received(clinic: Clinic, simulator, persons: list[Person]) -> dict[int, Person]:  # type: ignore[no-untyped-def]
    """The persons as identities with their received INS, known to the simulator."""
    simulator.directory.provider = Provider(persons)
    simulator.directory.fixed_cases.extend(fault_cases(persons))
    first = clinic.conn.execute("SELECT max(id) FROM identity").fetchone()[0]
    bulk.insert_identities(clinic.conn, [p.row() for p in persons], source="tests",
                           actor="admin")
    ids = {first + 1 + n: p for n, p in enumerate(persons)}
    for identity_id, person in ids.items():
        clinic.record_received_ins("sophie", identity_id, person.received,
                                   "1.2.250.1.213.1.4.8", source="tests")
    return ids


async def test_the_batch_from_the_palette(qapp, insi, simulator) -> None:  # type: ignore[no-untyped-def]
    ids = received(insi, simulator, people(16))
    update_settings_file({"insi": {"batch_rate": 50.0}})
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"par lot", "enter")
        await settle(pilot)
        assert isinstance(qapp.screen, BatchVerificationScreen)
        assert ("16 INS reçu(s) attendent leur vérification INSi. F2 les vérifie, un par un "
                "(50 appel(s) par seconde au plus).") in screen_text(qapp)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "Vérification terminée : 16 identité(s) vérifiée(s)." in text
        assert ("16 identité(s) traitée(s) sur 16, 8 confirmée(s) et appliquée(s), 4 à revoir, "
                "2 non trouvée(s), 0 avec plusieurs identités, 2 en erreur ; 2 reste(nt) à "
                "vérifier.") in text
        bar = qapp.screen.query_one("#batch-progress")
        assert bar.display and (bar.progress, bar.total) == (16, 16)
        table = qapp.screen.query_one("#batch-table")
        assert table.row_count == 16
        # the database agrees: the confirmed ones applied, the others untouched
        for identity_id, person in ids.items():
            record = insi.get(identity_id)
            if person.kind == "confirmed":
                assert (record.status, record.matricule) == ("RECUP", person.received)
            else:
                assert (record.status, record.matricule) == ("PROV", None)
        assert {i.identity_id for i in batch_work.received_waiting(insi.conn)} == \
            {i for i, p in ids.items() if p.kind == "fault"}
        assert insi.insi_pending() == []  # never relaunched unapplied from "Appels en attente"
        # Enter on a row to review: its record
        row = next(n for n, line in enumerate(qapp.screen.lines)
                   if line.outcome.value == "differs")
        table.move_cursor(row=row)
        await settle(pilot)
        assert "à revoir" in screen_text(qapp) and "Rien n'a été appliqué." in screen_text(qapp)
        wanted = qapp.screen.lines[row].identity_id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(qapp.screen, RecordScreen) and qapp.screen.identity_id == wanted
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(qapp.screen, BatchVerificationScreen)


async def test_f8_stops_after_the_identity_in_progress(qapp, insi, simulator) -> None:  # type: ignore[no-untyped-def]
    ids = received(insi, simulator, [p for p in people(48) if p.kind == "confirmed"])
    update_settings_file({"insi": {"batch_rate": 5.0}})  # F8 lands well before the end
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"appels insi", "enter")
        await settle(pilot)
        assert isinstance(qapp.screen, InsiPendingScreen)
        await pilot.press("f3")  # from "Appels INSi en attente"
        await settle(pilot)
        assert isinstance(qapp.screen, BatchVerificationScreen)
        assert "24 INS reçu(s) attendent" in screen_text(qapp)
        await pilot.press("f2")
        deadline = time.monotonic() + 30
        while len(simulator.handled) < 3:
            assert time.monotonic() < deadline
            await pilot.pause(0.02)
        assert qapp.screen.check_action("stop", ()) and not qapp.screen.check_action("run", ())
        await pilot.press("f8")
        await settle(pilot)
        left = insi.received_ins_waiting()
        assert 0 < left < 24
        text = screen_text(qapp)
        assert (f"Arrêté à la demande, après l'identité en cours. {left} INS reçu(s) restent à "
                "vérifier : F2 reprend ce qui reste.") in text
        done = 24 - left
        assert qapp.screen.query_one("#batch-table").row_count == done
        marks = ",".join("?" * len(ids))
        assert insi.conn.execute(f"SELECT count(*) FROM insi_call WHERE identity_id IN ({marks})",
                                 tuple(ids)).fetchone()[0] == done
        assert sum(insi.get(i).status == "RECUP" for i in ids) == done
        assert qapp.screen.check_action("run", ())  # F2 takes the rest
        update_settings_file({"insi": {"batch_rate": 50.0}})
        await pilot.press("f2")
        await settle(pilot)
        assert insi.received_ins_waiting() == 0
        assert f"Vérification terminée : {left} identité(s) vérifiée(s)." in screen_text(qapp)


async def test_a_locked_keyring_is_opened_on_the_screen(qapp, insi, simulator) -> None:  # type: ignore[no-untyped-def]
    ids = received(insi, simulator, [p for p in people(8) if p.kind == "confirmed"])
    update_settings_file({"insi": {"batch_rate": 50.0}})
    secrets.reset_backend()  # locked: the encrypted keyring file exists
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        qapp.push_screen(BatchVerificationScreen())
        await settle(pilot)
        assert "Appel INSi impossible pour le moment" in screen_text(qapp)
        master = qapp.screen.query_one("#batch-master")
        assert master.display and qapp.focused is master
        assert not qapp.screen.check_action("run", ())
        await pilot.press("f2")  # nothing runs while the keyring is locked
        await settle(pilot)
        assert simulator.handled == []
        await pilot.press(*"pas-le-bon", "enter")
        await settle_after_failure(pilot)
        assert "incorrect" in str(qapp.screen.query_one("#batch-master-error").render())
        await pilot.press(*MASTER, "enter")
        await settle(pilot)
        assert not qapp.screen.query_one("#batch-keyring").display
        await pilot.press("f2")
        await settle(pilot)
        assert "Vérification terminée : 4 identité(s) vérifiée(s)." in screen_text(qapp)
    assert all(insi.get(i).status == "RECUP" for i in ids)
    assert MASTER not in "".join(str(row) for row in insi.conn.execute("SELECT * FROM audit"))


async def test_escape_during_the_run_leaves_and_stops_it(qapp, insi, simulator) -> None:  # type: ignore[no-untyped-def]
    received(insi, simulator, [p for p in people(48) if p.kind == "confirmed"])
    update_settings_file({"insi": {"batch_rate": 5.0}})
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        qapp.push_screen(BatchVerificationScreen())
        await settle(pilot)
        await pilot.press("f2")
        deadline = time.monotonic() + 30
        while len(simulator.handled) < 2:
            assert time.monotonic() < deadline
            await pilot.pause(0.02)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(qapp.screen, BatchVerificationScreen)
        deadline = time.monotonic() + 30
        while qapp.call_clinic(lambda clinic: clinic.conn.execute(
                "SELECT count(*) FROM audit WHERE action = 'insi_batch_finished'"
        ).fetchone()[0]) == 0:
            assert time.monotonic() < deadline  # the worker's thread ends by itself
            await pilot.pause(0.05)
        await pilot.press(*"MARTIN")  # the application still works
        await settle(pilot)
        assert "MARTIN" in screen_text(qapp)
    assert 0 < insi.received_ins_waiting() < 24
