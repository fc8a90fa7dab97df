"""Helpers of the TUI tests: a small real practice database, and Pilot helpers.

`build_practice(clinic)` writes through the real `Clinic` (so every record has its audit
trail): an administrator `admin`, a staff member `sophie`, and a few identities in each status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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
    clinic.bootstrap_admin("admin", "Alice Admin")
    clinic.add_operator("admin", "sophie", "Sophie Secrétaire")
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


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let timers fire, workers finish and their results reach the screen. A worker cancelled
    meanwhile is normal (a search superseded by the next key of a burst): wait for the rest."""
    from textual.worker import WorkerCancelled

    for _ in range(2):
        await pilot.pause(0.1)
        for _attempt in range(50):
            try:
                await pilot.app.workers.wait_for_complete()
                break
            except WorkerCancelled:
                await pilot.pause()
        else:
            raise AssertionError("workers still being cancelled after 50 waits")
        await pilot.pause()


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
    app = pilot.app
    for _ in range(200):
        await pilot.pause(0.05)
        if not app._keys_waiting and not app._key_on_its_way:
            break
    else:
        raise AssertionError("keys still waiting after 10 s")
    await settle(pilot)
