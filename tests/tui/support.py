"""Helpers of the TUI tests: a small real practice database, and Pilot helpers.

`build_practice(clinic)` writes through the real `Clinic` (so every record has its audit
trail): an administrator `admin`, a staff member `sophie`, and a few identities in each status.
`settle(pilot)` waits until the app is at rest (workers done, debounces fired, screen drawn),
and `quiet()` replaces Pilot's wait after each key: both wait for conditions, never a fixed time.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import date, datetime

from duplicate_override import create_anyway as create_anyway  # re-exported for the tests

from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.identity import StrictTraits, UsedNames

TODAY = date(2025, 6, 1)
PASSPORT = DocumentCheck(codes=["PA"], traits_match=True, expires_on={"PA": date(2030, 1, 1)})
ADRUN_MATRICULE = "275126322074974"
ADRUN_OID = "1.2.250.1.213.1.4.8"  # INS-NIR


@dataclass(frozen=True)
class Practice:
    adrun: int   # QUAL, INS 275126322074974 (NIR)
    martin: int  # PROV, MARTIN JEAN (JEAN PIERRE) 01/02/1980
    durand: int  # VALI, MARTIN MARIE used name DURAND, 14/07/1985
    legall: int  # PROV, LE GALL ANNE 03/03/1990
    dupont: int  # PROV + homonyme, DUPONT PAUL 05/05/1950


def traits(**values: object) -> StrictTraits:
    return StrictTraits.build(**values, today=TODAY)  # type: ignore[arg-type]


def insi_outcome(matricule: str = ADRUN_MATRICULE[:13], key: str = ADRUN_MATRICULE[13:],
                 oid: str = ADRUN_OID):
    """A CR 00 INSi outcome for ADRUN ZOE, as the client returns it."""
    from insterm.insi.results import Attempt, InsiResult, InsRecord, ReturnedTraits, SearchOutcome

    returned = ReturnedTraits(birth_name="ADRUN", first_name=None, first_names="ZOE", sex="F",
                              birth_date="1975-12-31", birth_place="63220")
    result = InsiResult("00", "OK", InsRecord(matricule, key, oid), (), returned)
    attempt = Attempt("rechercherInsAvecTraitsIdentite", "uuid-test", datetime(2025, 6, 1), 0.2,
                      b"<request/>", b"<response/>", 200, result=result, sent_first_names="ZOE")
    return SearchOutcome((attempt,), result=result)


def build_practice(clinic: Clinic) -> Practice:
    clinic.bootstrap_admin("admin", "Alice Admin", os_login="admin")
    clinic.add_operator("admin", "sophie", "Sophie Secrétaire", os_login="sophie")
    adrun = clinic.create_identity("sophie", traits(
        birth_name="ADRUN", first_name="ZOE", first_names="ZOE", birth_date=date(1975, 12, 31),
        sex="F", birth_place="63220")).record
    adrun = clinic.check_document("sophie", adrun.id, adrun.version, PASSPORT).record
    adrun = clinic.apply_insi_outcome("sophie", adrun.id, adrun.version, insi_outcome(),
                                      accepted=True).saved.record
    assert adrun.status == "QUAL"
    martin = clinic.create_identity("sophie", traits(
        birth_name="MARTIN", first_name="JEAN", first_names="JEAN PIERRE",
        birth_date=date(1980, 2, 1), sex="M", birth_place="75056")).record
    durand = clinic.create_identity("sophie", traits(
        birth_name="MARTIN", first_name="MARIE", first_names="MARIE", birth_date=date(1985, 7, 14),
        sex="F", birth_place="69123"), UsedNames.build(used_name="DURAND")).record
    durand = clinic.check_document("sophie", durand.id, durand.version, PASSPORT).record
    legall = clinic.create_identity("sophie", traits(
        birth_name="LE GALL", first_name="ANNE", first_names="ANNE", birth_date=date(1990, 3, 3),
        sex="F", birth_place="29019")).record
    dupont = clinic.create_identity("sophie", traits(
        birth_name="DUPONT", first_name="PAUL", first_names="PAUL", birth_date=date(1950, 5, 5),
        sex="M", birth_place="75056")).record
    dupont = clinic.set_attribute("sophie", dupont.id, dupont.version, "HOMA").record
    return Practice(adrun.id, martin.id, durand.id, legall.id, dupont.id)


def audit_actions(clinic: Clinic, identity_id: int | None = None) -> list[tuple[str, str]]:
    """(action, operator) of the audit events, oldest first (of one identity if given)."""
    if identity_id is None:
        rows = clinic.conn.execute("SELECT action, operator FROM audit ORDER BY id")
    else:
        rows = clinic.conn.execute("SELECT action, operator FROM audit WHERE identity_id = ? "
                                   "ORDER BY id", (identity_id,))
    return [(a, o) for a, o in rows]


# ------------------------------------------------------------------ waiting for the app
#
# Textual's Pilot waits after every key and every pause() until the process *looks* idle: it
# naps 20 ms at a time until a nap costs under 1 ms of CPU (textual._wait.wait_for_idle). That
# is 40 ms to 2 s a key, most of it spent sleeping, and it says nothing of what is left to do.
# The tests wait for conditions instead: `quiet()` (installed in Textual's place by conftest.py)
# and `settle()`.

SHORT_TIMER = 0.3  # seconds: the one-shot timers settle() lets fire (the screens' debounces)
SETTLE_TIMEOUT = 30.0  # seconds before settle() gives up (never reached by a working screen)
_NAP = 0.002  # seconds between two looks while the screen or a thread has work under way


def _running_thread_workers(app) -> bool:  # type: ignore[no-untyped-def]
    from textual.worker import WorkerState

    return any(worker._thread_worker and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
               for worker in app.workers)


def _refresh_pending(app) -> bool:  # type: ignore[no-untyped-def]
    """The current screen has a layout, a repaint or an after-refresh callback to come (its
    update timer runs it within a frame)."""
    try:
        screen = app.screen
    except Exception:  # no screen yet, or the app is closing
        return False
    return bool(screen._layout_required or screen._scroll_required or screen._repaint_required
                or screen._recompose_required or screen._dirty_widgets or screen._callbacks)


async def quiet(min_sleep: float = 0.0, max_sleep: float = 1.0) -> None:
    """Until the app has nothing left to do now (Textual's `wait_for_idle`, by conditions): no
    asyncio callback ready to run (so every message queue is empty and every handler done or
    waiting), the screen refreshed, and no thread worker running. While a thread worker runs,
    Textual's own rule ends the wait: a thread blocked on the network (a slow INSi call the test
    is about to abandon) is idle. `min_sleep` is Textual's and not needed here."""
    from time import monotonic, process_time

    from textual._context import active_app

    loop = asyncio.get_running_loop()
    app = active_app.get(None)
    start = monotonic()
    window_wall, window_cpu = start, process_time()
    calm = 0
    while monotonic() - start < max_sleep:
        if loop._ready:  # type: ignore[attr-defined]  # asyncio's queue of ready callbacks
            calm = 0
            await asyncio.sleep(0)
            continue
        threads = app is not None and _running_thread_workers(app)
        if not threads and not (app is not None and _refresh_pending(app)):
            calm += 1
            if calm >= 2:  # two turns of the loop in a row with nothing to run
                return
            await asyncio.sleep(0)
            continue
        calm = 0
        if not threads:  # what Pilot.pause() does at its end: the screen's update, now
            app.screen._on_timer_update()
            await asyncio.sleep(0)
            if not _refresh_pending(app):
                continue
        await asyncio.sleep(_NAP)
        if threads:  # Textual's rule: 20 ms of wall time with under 1 ms of CPU
            now = monotonic()
            if now - window_wall >= 0.02:
                if process_time() - window_cpu < 0.001:
                    return
                window_wall, window_cpu = now, process_time()


def _short_timers(app) -> list:  # type: ignore[no-untyped-def]
    """The one-shot timers of the app and its screens due within SHORT_TIMER of being set (the
    debounces of search, hints and scans), not yet fired. Toasts' timeouts are not waited for."""
    from textual.widgets._toast import Toast

    nodes = [app]
    for screen in app.screen_stack:
        nodes.extend(screen.walk_children(with_self=True))
    return [timer for node in nodes if not isinstance(node, Toast)
            for timer in list(node._timers)
            if timer._repeat == 0 and timer._interval <= SHORT_TIMER
            and timer._task is not None and not timer._task.done()
            and timer._active.is_set()]  # a paused timer would never fire


async def settle(pilot, timeout: float = SETTLE_TIMEOUT,  # type: ignore[no-untyped-def]
                 tolerate: tuple[type[Exception], ...] = ()) -> None:
    """Until the app is at rest: nothing left to run, the debounce timers fired, every worker
    finished and its result on the screen. A worker cancelled meanwhile is normal (a search
    superseded by the next key of a burst): wait for the rest; so are the worker errors in
    `tolerate` (WorkerFailed where the screen shows a worker's refusal)."""
    from time import monotonic

    from textual.worker import WorkerCancelled, WorkerState

    app = pilot.app
    deadline = monotonic() + timeout
    at_rest = 0
    while at_rest < 2:  # twice in a row: what the last round ran may have started more
        await pilot.pause()
        if monotonic() > deadline:
            raise AssertionError(f"the app is still busy after {timeout} s")
        at_rest += 1
        if any(worker.state in (WorkerState.PENDING, WorkerState.RUNNING)
               for worker in app.workers):
            at_rest = 0
            with contextlib.suppress(WorkerCancelled, *tolerate):
                await app.workers.wait_for_complete()
        elif _short_timers(app):
            at_rest = 0
            await asyncio.sleep(0.01)  # until they fire: their own delay, 0.3 s at most


# ------------------------------------------------------------------ bursts of keys

NAMED_KEYS = {"f2", "tab", "enter", "escape"}


def burst(app, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Post every key at once, as the terminal driver does with one read of a burst. A key is
    a key name of NAMED_KEYS, or a text typed character by character."""
    from textual import events
    from textual.keys import _character_to_key

    for key in keys:
        if key in NAMED_KEYS:
            app.post_message(events.Key(key, "\r" if key == "enter" else None))
            continue
        for character in key:
            name = character if character.isalnum() else _character_to_key(character)
            app.post_message(events.Key(name, character))


async def drained(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until every key of the burst has been handed out (a loaded PC takes its time),
    then for what they started."""
    from time import monotonic

    app = pilot.app
    deadline = monotonic() + 10
    while app._keys_waiting or app._key_on_its_way:
        if monotonic() > deadline:
            raise AssertionError("keys still waiting after 10 s")
        await pilot.pause()
    await settle(pilot)

