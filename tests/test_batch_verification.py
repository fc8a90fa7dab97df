"""Batch INSi verification (usecases.batch_verification, usecases.received_ins) against the
real simulator over HTTPS on 127.0.0.1: received INS confirmed and applied only when safe,
the rest left for a person, errors kept on the list; stopped and resumed with nothing done
twice; cancelled; rate limited (read from the logged call times); the qualified re-check."""

from __future__ import annotations

import itertools
import secrets as stdlib_secrets
import threading
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from insterm import secrets
from insterm.clinic import Clinic, DocumentCheck
from insterm.insi.simulator import Directory, Simulator, load_test_identities
from insterm.store import batch_work, bulk
from insterm.usecases import insi_keyring
from insterm.usecases.batch_verification import BatchProgress, Outcome
from insterm.usecases.errors import ActionRefused
from tests.batch_people import Person, Provider, fault_cases, people

OID_NIR = "1.2.250.1.213.1.4.8"
MASTER = "maître-" + stdlib_secrets.token_urlsafe(8)


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


class World:
    """A practice, its simulator and the people both know."""

    def __init__(self, clinic: Clinic, simulator: Simulator, provider: Provider) -> None:
        self.clinic, self.simulator, self.provider = clinic, simulator, provider

    def add(self, persons: list[Person], *, receive: bool = True, qualified: bool = False,
            **row: object) -> dict[int, Person]:
        """The persons as identities (bulk), known to the simulator, each with its received INS
        recorded through the use case (`qualified`: QUAL identities holding that INS instead);
        identity id -> person."""
        self.provider.add(persons)
        self.simulator.directory.fixed_cases.extend(fault_cases(persons))
        first = self.clinic.conn.execute("SELECT coalesce(max(id), 0) FROM identity").fetchone()[0]
        rows = [p.row(**row, **({"status": "QUAL", "matricule": p.received, "oid": OID_NIR}
                                 if qualified else {})) for p in persons]
        bulk.insert_identities(self.clinic.conn, rows, source="tests", actor="admin")
        ids = {first + 1 + n: p for n, p in enumerate(persons)}
        if receive:
            for identity_id, person in ids.items():
                self.clinic.record_received_ins("sophie", identity_id, person.received,
                                                "1.2.250.1.213.1.4.8", source="tests")
        return ids

    def calls(self) -> Counter[int]:
        return Counter(row[0] for row in self.clinic.conn.execute(
            "SELECT identity_id FROM insi_call"))


@pytest.fixture
def world(tmp_path: Path, authority):  # type: ignore[no-untyped-def]
    provider = Provider([])
    base = load_test_identities()
    directory = Directory(list(base.people), list(base.fixed_cases), provider)
    backend = secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg")
    secrets.use_backend(backend)
    secrets.set_secret(insi_keyring.SIMULATOR_PASSPHRASE, authority[1])
    with Simulator(authority[0], identities=directory) as simulator, \
            Clinic.open(tmp_path / "cabinet.sqlite3", create=True) as clinic:
        clinic.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        clinic.add_operator("admin", "sophie", "Sophie Secrétaire")
        clinic.configure_insi(simulator=simulator)
        yield World(clinic, simulator, provider)
        clinic.insi_runtime.close()


EXPECTED = {"confirmed": Outcome.APPLIED, "traits": Outcome.DIFFERS, "other_ins": Outcome.DIFFERS,
            "unknown": Outcome.NOT_FOUND, "fault": Outcome.ERROR}


def test_received_ins_is_checked_before_it_is_kept(world: World) -> None:
    clinic = world.clinic
    [(identity, person)] = world.add(people(1), receive=False).items()
    with pytest.raises(ActionRefused, match="clé"):
        clinic.record_received_ins("sophie", identity, person.received[:13] + "00",
                                   "1.2.250.1.213.1.4.8", source="tests")
    with pytest.raises(ActionRefused, match="n'est pas celui d'un INS"):
        clinic.record_received_ins("sophie", identity, person.received, "1.2.3\x1b[2J",
                                   source="tests")
    item = clinic.record_received_ins("sophie", identity, person.received,
                                      "1.2.250.1.213.1.4.8", source="ancien logiciel")
    assert item.reason.startswith("INS reçu") and item.matricule == person.received
    with pytest.raises(ActionRefused, match="déjà un INS reçu en attente"):
        clinic.record_received_ins("sophie", identity, person.received,
                                   "1.2.250.1.213.1.4.8", source="tests")
    record = clinic.get(identity)
    assert record.matricule is None and record.status == "PROV"  # never the patient's INS
    assert clinic.received_ins_waiting() == 1
    # not a call to relaunch ("Appels INSi en attente", insi reprendre): the batch's
    assert clinic.insi_pending() == [] and clinic.insi_pending_status().waiting == 0
    assert [e.action for e in clinic.history(identity)].count("ins_received") == 1

    [(qualified, other)] = world.add(people(1, start=1, prefix="QUA"), receive=False,
                                     status="QUAL", matricule=people(1, start=1)[0].received,
                                     oid="1.2.250.1.213.1.4.8").items()
    with pytest.raises(ActionRefused, match="a déjà un INS"):
        clinic.record_received_ins("sophie", qualified, other.received, "1.2.250.1.213.1.4.8",
                                   source="tests")


def test_a_thousand_received_ins(world: World) -> None:
    """1,000 received INS: the confirmed ones applied, the others left for a person with their
    outcome; the counts checked against the database; one call each, no more."""
    clinic = world.clinic
    ids = world.add(people(1000))
    # a quarter had their document checked: a confirmed INS makes them QUAL, the others RECUP
    for identity_id in list(ids)[::4]:
        record = clinic.get(identity_id)
        clinic.check_document("sophie", identity_id, record.version, DocumentCheck(
            codes=["PA"], traits_match=True, expires_on={"PA": date(date.today().year + 3, 1, 1)}))
    seen: list[BatchProgress] = []
    report = clinic.verify_batch("sophie", clinic.batch_work(), rate=1000,
                                 progress=seen.append)

    assert report.total == report.done == 1000 and report.stopped is None
    expected = Counter(EXPECTED[p.kind] for p in ids.values())
    assert report.counts == {outcome: expected[outcome] for outcome in Outcome}
    assert seen[-1].done == seen[-1].total == 1000 and seen[-1].seconds_left == 0
    for line in report.lines:
        assert line.outcome is EXPECTED[ids[line.identity_id].kind], line
    # the database agrees
    status = dict(clinic.conn.execute("SELECT id, status FROM identity"))
    matricules = dict(clinic.conn.execute("SELECT id, matricule FROM identity"))
    checked = set(list(ids)[::4])
    for identity_id, person in ids.items():
        if person.kind == "confirmed":
            assert matricules[identity_id] == person.received
            assert status[identity_id] == ("QUAL" if identity_id in checked else "RECUP")
        else:
            assert matricules[identity_id] is None
            assert status[identity_id] == ("VALI" if identity_id in checked else "PROV")
    waiting = {item.identity_id for item in batch_work.received_waiting(clinic.conn)}
    assert waiting == {i for i, p in ids.items() if p.kind == "fault"}  # errors stay
    assert clinic.received_ins_waiting() == report.left == expected[Outcome.ERROR]
    closed = dict(clinic.conn.execute(
        "SELECT identity_id, answer_code FROM insi_pending WHERE answered_at IS NOT NULL"))
    assert Counter(closed.values()) == {"00": expected[Outcome.APPLIED] + expected[Outcome.DIFFERS],
                                        "01": expected[Outcome.NOT_FOUND]}
    assert set(world.calls().values()) == {1}  # one request each (one birth first name)
    assert len(world.calls()) == 1000
    events = Counter(row[0] for row in clinic.conn.execute("SELECT action FROM audit"))
    assert events["insi_batch_verified"] == 1000 and events["insi_batch_finished"] == 1
    assert events["insi_result_applied"] == expected[Outcome.APPLIED]
    assert clinic.verify_audit().ok

    # a re-run takes only the faults; five service failures in a row stop it
    again = clinic.verify_batch("sophie", clinic.batch_work(), rate=1000)
    assert again.total == expected[Outcome.ERROR] and again.left == again.total
    assert again.done == again.count(Outcome.ERROR) == 5
    assert "INSi n'a pas répondu 5 fois de suite" in (again.stopped or "")
    assert sum(world.calls().values()) == 1000 + 5


def test_simulator_stopped_mid_run_then_a_rerun_finishes_with_nothing_done_twice(
        world: World) -> None:
    clinic = world.clinic
    ids = world.add([p for p in people(120) if p.kind != "fault"])

    def stop_after_40(progress: BatchProgress) -> None:
        if progress.done == 40:
            world.simulator.stop()

    first = clinic.verify_batch("sophie", clinic.batch_work(), rate=1000, progress=stop_after_40)
    assert first.stopped is not None and "5 fois de suite" in first.stopped
    assert first.done == 45 and first.count(Outcome.ERROR) == 5
    assert all(line.unreachable for line in first.lines[40:])
    answered_first = {line.identity_id for line in first.lines[:40]}
    assert first.left == len(ids) - 40 == clinic.received_ins_waiting()
    calls_after_first = world.calls()

    world.simulator.start()  # same port
    second = clinic.verify_batch("sophie", clinic.batch_work(), rate=1000)
    assert second.stopped is None and second.total == len(ids) - 40 == second.done
    assert not {line.identity_id for line in second.lines} & answered_first
    assert clinic.received_ins_waiting() == 0 == second.left
    calls = world.calls()
    for identity_id in ids:
        if identity_id in answered_first:  # not asked again
            assert calls[identity_id] == calls_after_first[identity_id] == 1
        elif calls_after_first[identity_id]:  # failed on the network, then answered
            assert calls[identity_id] == 2
        else:
            assert calls[identity_id] == 1
    applied = sum(1 for line in [*first.lines, *second.lines] if line.outcome is Outcome.APPLIED)
    assert applied == sum(1 for p in ids.values() if p.kind == "confirmed")
    assert clinic.conn.execute("SELECT count(*) FROM identity WHERE status = 'RECUP'"
                               ).fetchone()[0] == applied


def test_cancel_stops_after_the_identity_in_progress(world: World) -> None:
    clinic = world.clinic
    world.add(people(30))
    stop = threading.Event()

    def cancel_at_10(progress: BatchProgress) -> None:
        if progress.done == 10:
            stop.set()

    report = clinic.verify_batch("sophie", clinic.batch_work(), rate=1000, cancel=stop,
                                 progress=cancel_at_10)
    assert report.cancelled and report.done == 10 and report.left == 30 - 10 + \
        report.count(Outcome.ERROR)
    assert len(world.calls()) == 10
    assert "Arrêté à la demande" in (report.stopped or "")


def test_the_rate_spaces_every_request(world: World) -> None:
    """At 20 requests a second, no two logged calls are closer than 50 ms (read from the
    logged times of the calls, whatever the machine's speed), including the second request
    of an identity with two birth first names that the search strategy tries."""
    clinic = world.clinic
    persons = [p for p in people(12) if p.kind in ("confirmed", "unknown")]
    world.add(persons[:-1])
    two = Person(999, "unknown", "LOTDEUX", "JEAN PIERRE", "M", date(1980, 1, 1),
                 persons[-1].received)
    world.add([two])
    report = clinic.verify_batch("sophie", clinic.batch_work(), rate=20)
    assert report.done == len(persons)
    times = [datetime.fromisoformat(row[0]) for row in clinic.conn.execute(
        "SELECT at FROM insi_call ORDER BY at")]
    assert len(times) == len(persons) + 2  # LOTDEUX: JEAN, PIERRE, then both
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= timedelta(milliseconds=49), gaps


def test_rate_comes_from_the_settings_file(world: World) -> None:
    from insterm.config import DEFAULT_BATCH_RATE, SettingsError, update_settings_file

    assert world.clinic.batch_rate() == DEFAULT_BATCH_RATE
    update_settings_file({"insi": {"batch_rate": 4}})
    assert world.clinic.batch_rate() == 4.0
    with pytest.raises(SettingsError, match="batch_rate"):
        update_settings_file({"insi": {"batch_rate": 0}})


def test_qualified_identities_verified_before_a_date(world: World) -> None:
    """The periodic re-check: a confirmed QUAL stays as it is; one INSi no longer confirms is
    reported and left unchanged (the safer choice); a re-run skips what this run verified."""
    clinic = world.clinic
    persons = [p for p in people(16, prefix="QUA") if p.kind != "fault"]
    ids = world.add(persons, receive=False, qualified=True)
    with pytest.raises(ActionRefused, match="futur"):
        clinic.batch_work(date.today() + timedelta(days=1))
    work = clinic.batch_work(date.today())
    report = clinic.verify_batch("sophie", work, rate=1000)
    assert report.total == len(ids)
    for line in report.lines:
        kind = ids[line.identity_id].kind
        assert line.status_after == "QUAL"  # nothing downgraded by itself
        if kind == "confirmed":
            assert line.outcome is Outcome.CONFIRMED and not line.qualified_not_confirmed
        else:
            assert line.qualified_not_confirmed and "NON confirmée" in line.message
    assert clinic.conn.execute("SELECT count(*) FROM identity WHERE status = 'QUAL'"
                               ).fetchone()[0] == len(ids)
    again = clinic.verify_batch("sophie", clinic.batch_work(date.today()), rate=1000)
    assert again.total == 0 and again.left == 0
    assert len(world.calls()) == len(ids)


def test_a_locked_keyring_stops_the_run_before_anything_is_sent(world: World) -> None:
    clinic = world.clinic
    world.add(people(5))
    secrets.reset_backend()  # the encrypted keyring locked again: its master password needed
    clinic.insi_runtime.close()
    report = clinic.verify_batch("sophie", clinic.batch_work(), rate=1000)
    assert report.stopped is not None and report.done == 0 and report.left == 5
    assert world.calls() == Counter()
    assert clinic.conn.execute("SELECT count(*) FROM audit WHERE action = 'insi_not_sent'"
                               ).fetchone()[0] == 1


def test_a_collision_or_traits_not_identical_are_left_for_a_person(world: World) -> None:
    """Confirmed by INSi, yet not applied: the INS is already another record's; or the record
    has no birth place where INSi returns one, so applying would write a trait nobody checked."""
    clinic = world.clinic
    [holder_person, _, placeless_person] = [
        p for p in people(24, prefix="COL") if p.kind == "confirmed"][:3]
    holder = world.add([holder_person], receive=False, qualified=True)
    [twin] = world.add([Person(500, "confirmed", "JUMEAU", "PAUL", "M", date(1990, 5, 5),
                               holder_person.received)], receive=False)
    # the simulator knows JUMEAU PAUL under the holder's INS: confirmed, but a collision
    clinic.record_received_ins("sophie", twin, holder_person.received, OID_NIR, source="tests")
    [placeless] = world.add([placeless_person], receive=False, birth_place=None)
    clinic.record_received_ins("sophie", placeless, placeless_person.received, OID_NIR,
                               source="tests")
    report = clinic.verify_batch("sophie", clinic.batch_work(), rate=1000)
    lines = {line.identity_id: line for line in report.lines}
    assert lines[twin].outcome is Outcome.DIFFERS and "Collision" in lines[twin].message
    assert lines[placeless].outcome is Outcome.DIFFERS
    assert "pas identiques caractère pour caractère" in lines[placeless].message
    assert "Lieu de naissance : local «  », INSi « 75056 » (DIFFÉRENT)" in lines[placeless].message
    for identity_id in (twin, placeless):
        assert clinic.get(identity_id).matricule is None
        assert clinic.get(identity_id).status == "PROV"
    assert [clinic.get(i).status for i in holder] == ["QUAL"]
    assert clinic.received_ins_waiting() == 0  # INSi answered: off the list, in the report
