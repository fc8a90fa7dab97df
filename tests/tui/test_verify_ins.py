"""Vérification d'un INS reçu, with real parts: the INSi simulator over mutual TLS on 127.0.0.1,
a real CryptFileKeyring holding the simulator certificate's passphrase, the practice's real
SQLite file, driven with Pilot at 80x24 (fixtures: tests/tui/conftest.py).

Each flow asserts on the database (identity, insi_call), the audit log and what the simulator
received, not only on the screen. Snapshots are in test_verify_ins_snapshots.py."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from insterm import secrets
from insterm.domain.datamatrix import DatamatrixIdentity, encode
from insterm.tui.screens.qualify import QualifyScreen
from insterm.tui.screens.verify_ins import VerifyInsScreen

from .insi_support import (
    ADRTROIS_INS,
    ADRTROIS_SHOWN,
    MASTER,
    calls,
    last_details,
    notifications,
    person,
    screen_text,
    type_into,
)
from .support import ADRUN_MATRICULE, audit_actions, settle

ADRUN_SHOWN = "2 75 12 63 220 749 74"
OID_NIR = "1.2.250.1.213.1.4.8"


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


async def open_verify(pilot, identity_id: int) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = VerifyInsScreen(identity_id)
    pilot.app.push_screen(screen)
    assert type(screen).__name__ == "VerifyInsScreen"
    await settle(pilot)


def field_message(app) -> str:  # type: ignore[no-untyped-def]
    message = app.screen.query_one("#verify-ins-message")
    return str(message.render()) if message.display else ""


def footer(app) -> str:  # type: ignore[no-untyped-def]
    """The last line of the screen as drawn (the footer's keys)."""
    return app.screen._compositor.render_strips()[-1].text


def insi_events(clinic, identity_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [action for action, _ in audit_actions(clinic, identity_id)
            if action.startswith("insi_")]


# --------------------------------------------------------------------------------------------
# Confirmed: accepted, refused


async def test_confirmed_ins_from_the_qualify_screen_accepted_gives_qual(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    version = insi.get(identity).version
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        qapp.push_screen(QualifyScreen(identity))
        await settle(pilot)
        assert "f3 INS reçu" in footer(qapp)  # the qualify screen's way in
        await pilot.press("f3")
        await settle(pilot)
        screen = qapp.screen
        assert type(screen).__name__ == "VerifyInsScreen"
        assert "Prêt pour l'appel INSi" in screen_text(qapp)
        assert screen.query_one("#verify-ins-field").value == ""  # no INS on this record
        assert qapp.focused is screen.query_one("#verify-ins-field")

        await type_into(pilot, "#verify-ins-field", ADRTROIS_SHOWN)  # as printed, with spaces
        assert "clé correcte" in field_message(qapp)
        assert screen.query_one("#verify-oid").value == OID_NIR  # NIR unless known otherwise
        assert simulator.handled == []  # nothing sent before F2
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "INS confirmé" in text and "Aucune différence" in text
        assert "INS renvoyé par INSi : le même" in text
        assert "F4 accepte" in text and "Identité qualifiée" in text
        assert len(simulator.handled) == 1
        rows = {row.label: row for row in screen.query_one("#verify-comparison").rows}
        assert rows["Nom de naissance"].state == "identical"
        assert rows["Lieu de naissance"].local == rows["Lieu de naissance"].insi == "2A020"

        await pilot.press("f4")
        await pilot.pause()
        assert type(qapp.screen).__name__ == "ConfirmModal"
        assert "« Identité validée » à « Identité qualifiée »" in screen_text(qapp)
        await pilot.press("f2")
        await settle(pilot)
        assert type(qapp.screen).__name__ == "QualifyScreen"  # back where it was opened
        assert any("Identité qualifiée" in n for n in notifications(qapp))

    record = insi.get(identity)
    assert (record.status, record.matricule, record.oid) == ("QUAL", ADRTROIS_INS, OID_NIR)
    assert record.version == version + 1
    [call] = calls(insi, identity)
    assert (call["cr"], call["fault"], call["who"]) == ("00", None, "sophie")
    assert insi_events(insi, identity) == ["insi_verification", "insi_decision",
                                           "insi_result_applied"]
    verification = last_details(insi, "insi_verification")
    assert (verification["verdict"], verification["supplied"]) == ("confirmed", ADRTROIS_INS)
    assert last_details(insi, "insi_decision")["accepted"] is True
    assert insi.verify_audit().ok


async def test_confirmed_ins_refused_changes_nothing_and_the_call_stays_logged(
        qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    before = insi.get(identity)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        await type_into(pilot, "#verify-ins-field", ADRTROIS_INS)
        await pilot.press("enter")  # Enter in the field verifies, as F2
        await settle(pilot)
        assert "INS confirmé" in screen_text(qapp)
        assert "Identité récupérée" in screen_text(qapp)  # what accepting would give
        assert qapp.screen.check_action("verify", ()) is False  # decide first
        await pilot.press("f6")
        await settle(pilot)
        assert type(qapp.screen).__name__ == "SearchScreen"
        assert any("refusé" in n for n in notifications(qapp))

    assert insi.get(identity) == before
    [call] = calls(insi, identity)
    assert call["cr"] == "00"
    assert insi_events(insi, identity) == ["insi_verification", "insi_decision"]
    assert last_details(insi, "insi_decision")["accepted"] is False


# --------------------------------------------------------------------------------------------
# Not confirmed


async def test_a_valid_ins_of_someone_else_is_not_confirmed_and_cannot_be_accepted(
        qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    before = insi.get(identity)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        await type_into(pilot, "#verify-ins-field", ADRUN_SHOWN)
        # Well formed, but the matricule says born in 1975 in 63: said, not refused.
        message = field_message(qapp)
        assert "clé correcte" in message and "année" in message.lower()
        await pilot.press("f2")  # asked first: the matricule disagrees with the record
        await settle(pilot)
        assert type(qapp.screen).__name__ == "ConfirmModal"
        asked = screen_text(qapp)
        assert "ne correspond pas aux traits du dossier" in asked and "année" in asked.lower()
        assert calls(insi, identity) == []  # nothing sent yet
        await pilot.press("f2")  # "Vérifier quand même"
        await settle(pilot)
        text = screen_text(qapp)
        assert "INS non confirmé" in text and "N'utilisez pas l'INS reçu" in text
        assert "F3 (recherche INSi)" in text
        assert f"INS reçu : {ADRUN_SHOWN}" in text
        # INSi's own INS for these traits is another one, of a non-qualified identity: hidden.
        assert "un autre INS (NIR), non affiché" in text
        assert ADRTROIS_SHOWN not in text and ADRTROIS_INS not in text
        screen = qapp.screen
        assert screen.check_action("accept", ()) is False
        assert screen.check_action("refuse", ()) is False
        assert "Accepter" not in footer(qapp) and "f3 Recherche INSi" in footer(qapp)
        assert screen.query_one("#verify-ins-field").display  # correct it and F2 again
        assert screen.query_one("#verify-body").max_scroll_y == 0  # all of it fits in 80x24

        await pilot.press("f3")  # the search by traits, for this identity
        await settle(pilot)
        assert type(qapp.screen).__name__ == "QualifyScreen"
        assert qapp.screen.identity_id == identity
        depth = len(qapp.screen_stack)
        await pilot.press("f3")  # back to the verification: no pile of screens
        await settle(pilot)
        assert qapp.screen is screen and len(qapp.screen_stack) == depth - 1
        await pilot.press("escape")  # nothing to decide, nothing typed since: leaves at once
        await settle(pilot)
        assert type(qapp.screen).__name__ == "SearchScreen"

    assert insi.get(identity) == before
    assert [c["cr"] for c in calls(insi, identity)] == ["00"]
    assert insi_events(insi, identity) == ["insi_verification"]
    verification = last_details(insi, "insi_verification")
    assert (verification["verdict"], verification["supplied"]) == \
        ("ins_different", ADRUN_MATRICULE)


@pytest.mark.parametrize(("typed", "said"), [
    ("2 97 02 2A 020 778 79", "Clé incorrecte"),             # wrong key
    ("2 97 13 2A 020 778 78", "Le mois"),                    # no month 13
    ("2 97 02 2A 020 77O 78", "caractère non autorisé « O »"),  # a letter O for a zero
], ids=["key", "month", "letter"])
async def test_a_bad_ins_is_said_next_to_the_field_and_nothing_is_sent(
        qapp, insi, simulator, typed, said):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    events = audit_actions(insi, identity)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        await type_into(pilot, "#verify-ins-field", typed)
        assert said in field_message(qapp)
        assert qapp.screen.query_one("#verify-ins-message").has_class("-error")
        await pilot.press("f2")
        await settle(pilot)
        assert said in field_message(qapp)
        assert "INS confirmé" not in screen_text(qapp)
        # F2 says why it does nothing, where the operator looks (not only under the field).
        assert any("Rien n'est envoyé à INSi" in n.message and said in n.message
                   for n in qapp._notifications)
        await pilot.press("escape")  # typed and not verified: asks first
        await pilot.pause()
        assert "Abandonner la saisie" in screen_text(qapp)
        await pilot.press("escape")
        await pilot.pause()
        assert type(qapp.screen).__name__ == "VerifyInsScreen"
    assert simulator.handled == [] and calls(insi, identity) == []
    assert audit_actions(insi, identity) == events


async def test_an_incomplete_ins_is_counted_then_refused_on_f2(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        await type_into(pilot, "#verify-ins-field", "2 97 02")
        assert "5/15 caractères" in field_message(qapp)
        assert not qapp.screen.query_one("#verify-ins-message").has_class("-error")
        await pilot.press("f2")
        await settle(pilot)
        assert "incomplet" in field_message(qapp)
    assert simulator.handled == [] and calls(insi, identity) == []


@pytest.mark.parametrize(("who", "code", "said"), [
    (("TCHITCHI", "OLA", "F", "1936-06-21"), "01", "aucune identité pour ces traits"),
    (("DE VINCI", "LEONARDO", "M", "2014-02-01"), "02", "plusieurs identités pour ces traits"),
], ids=["01", "02"])
async def test_01_and_02_say_the_ins_is_not_verified_and_what_to_do(qapp, insi, who, code,
                                                                  said):
    identity = person(insi, *who)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        await type_into(pilot, "#verify-ins-field", ADRTROIS_INS)
        await pilot.press("f2")
        await settle(pilot)
        if type(qapp.screen).__name__ == "ConfirmModal":  # disagrees with the record: asked
            await pilot.press("f2")
            await settle(pilot)
        text = screen_text(qapp)
        assert "INS non vérifié" in text and said in text
        assert "F3 (recherche INSi)" in text and "N'utilisez pas l'INS reçu" in text
        assert qapp.screen.check_action("accept", ()) is False
    assert [c["cr"] for c in calls(insi, identity)] == [code]
    assert insi.get(identity).matricule is None


# --------------------------------------------------------------------------------------------
# Faults, waiting


async def test_an_unknown_idam_shows_the_service_message_and_what_to_do(qapp, insi):
    insi.update_insi_settings("admin", idam="INCONNU42")
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    before = insi.get(identity)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        await type_into(pilot, "#verify-ins-field", ADRTROIS_INS)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "Le téléservice INSi a répondu par une erreur" in text
        assert "desir_550" in text and "IDAM" in text  # the service's own message
        assert "Que faire" in text and "F2 relance la vérification" in text
        assert "Accepter" not in footer(qapp)
        assert qapp.screen.check_action("verify", ()) is True  # F2 again once corrected
    assert insi.get(identity) == before
    [call] = calls(insi, identity)
    assert call["fault"].endswith("desir_550")
    assert last_details(insi, "insi_verification")["verdict"] == "error"


async def test_stop_waiting_during_a_slow_call_keeps_the_screen_usable(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    before = insi.get(identity)
    held = simulator.switches.hold = threading.Event()  # INSi answers when the test says
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        await type_into(pilot, "#verify-ins-field", ADRTROIS_INS)
        await pilot.press("f2")
        await pilot.pause()
        screen = qapp.screen
        assert "Vérification INSi en cours" in str(screen.query_one("#verify-progress").render())
        assert "f8 Ne plus attendre" in footer(qapp)
        assert screen.check_action("verify", ()) is False  # one call at a time
        await pilot.press("escape")  # stop waiting
        await pilot.pause()
        assert screen.phase == "prepare" and "Appel abandonné" in screen_text(qapp)
        assert not screen.query_one("#verify-ins-field").disabled
        assert screen.query_one("#verify-ins-field").value == ADRTROIS_INS  # kept
        assert not qapp.call_clinic(lambda clinic: calls(clinic, identity))
        held.set()
        for _ in range(100):  # the call goes on in the background and is logged
            if qapp.call_clinic(lambda clinic: calls(clinic, identity)):
                break
            await pilot.pause(0.1)
        await settle(pilot)
        assert "INS confirmé" not in screen_text(qapp)
    assert [c["cr"] for c in calls(insi, identity)] == ["00"]
    assert insi.get(identity) == before


async def test_a_locked_keyring_asks_the_master_password_then_verifies(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    secrets.reset_backend()  # locked: the encrypted keyring file exists
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        assert "Appel INSi impossible pour le moment" in screen_text(qapp)
        master = qapp.screen.query_one("#verify-master")
        assert master.display and qapp.focused is master
        await pilot.press(*MASTER, "enter")
        await settle(pilot)
        assert "Prêt pour l'appel INSi" in screen_text(qapp)
        await type_into(pilot, "#verify-ins-field", ADRTROIS_INS)
        await pilot.press("f2")
        await settle(pilot)
        assert "INS confirmé" in screen_text(qapp)
    assert len(simulator.handled) == 1


# --------------------------------------------------------------------------------------------
# Refused before sending


async def test_doubtful_identity_is_refused_before_sending(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    insi.set_attribute("sophie", identity, insi.get(identity).version, "DOUT")
    events = audit_actions(insi, identity)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        text = screen_text(qapp)
        assert "INSi interdit pour cette identité" in text and "douteuse" in text
        assert not qapp.screen.query_one("#verify-form").display
        assert qapp.screen.check_action("verify", ()) is False
        await pilot.press("f2")
        await settle(pilot)
        assert "INS confirmé" not in screen_text(qapp)
        await pilot.press("f1")  # the screen's help
        await pilot.pause()
        assert "Vérification auprès du téléservice INSi" in screen_text(qapp)
        await pilot.press("escape")
    assert simulator.handled == [] and calls(insi, identity) == []
    assert audit_actions(insi, identity) == events


# --------------------------------------------------------------------------------------------
# Datamatrix, re-verification


def adrtrois_payload(gs: str, oid: str = OID_NIR) -> str:
    identity = DatamatrixIdentity(matricule=ADRTROIS_INS, oid=oid, first_names="DOMINIQUE",
                                  birth_name="ADRTROIS", sex="F", birth_date=date(1997, 2, 26),
                                  birth_place="2A020")
    return encode(identity).replace("\x1d", gs)


async def test_a_scanned_datamatrix_fills_the_ins_and_its_nature(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        screen = qapp.screen
        screen.query_one("#verify-oid").value = "1.2.250.1.213.1.4.9"  # NIA chosen by mistake
        await type_into(pilot, "#verify-ins-field", adrtrois_payload("|"))  # a scanner's keys
        await settle(pilot)
        assert screen.query_one("#verify-ins-field").value == ADRTROIS_SHOWN
        assert screen.query_one("#verify-oid").value == OID_NIR  # the datamatrix's OID
        assert "Datamatrix INS lu : ADRTROIS DOMINIQUE" in field_message(qapp)
        assert simulator.handled == []
        await pilot.press("f2")
        await settle(pilot)
        assert "INS confirmé" in screen_text(qapp)
        await pilot.press("f6")
        await settle(pilot)
    assert last_details(insi, "insi_verification")["supplied"] == ADRTROIS_INS
    assert insi_events(insi, identity) == ["insi_verification", "insi_decision"]


async def test_a_payload_read_before_its_last_change_arrives_keeps_the_reading(qapp, insi):
    """The scanner's pause timer can fire before the screen has read the change made by the
    last key (a loaded PC): that stale change must not undo the reading (CI saw it once)."""
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        screen = qapp.screen
        field = screen.query_one("#verify-ins-field")
        field.value = adrtrois_payload("\x1d")  # its Changed waits in the queue...
        assert screen._read_datamatrix()  # ...while the timer's reading runs first
        await settle(pilot)
        assert field.value == ADRTROIS_SHOWN
        assert screen.query_one("#verify-oid").value == OID_NIR
        assert "Datamatrix INS lu : ADRTROIS DOMINIQUE" in field_message(qapp)


async def test_a_test_oid_from_a_datamatrix_is_offered_and_sent(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        field = qapp.screen.query_one("#verify-ins-field")
        field.value = adrtrois_payload("\x1d", "1.2.250.1.213.1.4.10")  # raw GS: no key name
        await pilot.press("enter")  # the scanner's Enter reads it at once
        await settle(pilot)
        assert qapp.screen.query_one("#verify-oid").value == "1.2.250.1.213.1.4.10"
        assert field.value == ADRTROIS_SHOWN
        await pilot.press("f2")
        await settle(pilot)
        # The simulator answers with the production OID (.8): not the INS received (.10).
        assert "INS non confirmé" in screen_text(qapp)
    assert last_details(insi, "insi_verification")["verdict"] == "ins_different"


async def test_an_unreadable_datamatrix_is_said_and_nothing_is_sent(qapp, insi, simulator,
                                                                   monkeypatch):
    from insterm.tui.screens import verify_ins

    # Long enough that a loaded machine still sees the wait; the test then waits it out.
    monkeypatch.setattr(verify_ins, "SCAN_WAIT", 2.0)
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        await type_into(pilot, "#verify-ins-field", adrtrois_payload("|")[:40])
        await pilot.pause()
        assert "Lecture du datamatrix INS" in field_message(qapp)  # it may go on
        for _ in range(100):  # the scanner has stopped: read as it is, once the wait is over
            if "Lecture du datamatrix INS" not in field_message(qapp):
                break
            await pilot.pause(0.1)
        assert "Datamatrix INS illisible" in field_message(qapp)
        await pilot.press("f2")
        await settle(pilot)
        assert "Datamatrix INS illisible" in field_message(qapp)
    assert simulator.handled == [] and calls(insi, identity) == []


async def test_reverification_of_a_qualified_identity_with_its_own_ins(qapp, insi, practice,
                                                                       simulator):
    identity = practice.adrun  # QUAL, INS 275126322074974
    before = insi.get(identity)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        screen = qapp.screen
        assert screen.query_one("#verify-ins-field").value == ADRUN_SHOWN
        assert "Re-vérification de l'INS du dossier" in screen_text(qapp)
        assert not screen._typed()  # the prefilled INS is not a typed one
        await pilot.press("f2")
        await settle(pilot)
        assert "INS confirmé" in screen_text(qapp)
        await pilot.press("f4")
        await pilot.pause()
        assert "ne changera pas le statut" in screen_text(qapp)
        await pilot.press("f2")
        await settle(pilot)
        assert type(qapp.screen).__name__ == "SearchScreen"

    record = insi.get(identity)
    assert (record.status, record.matricule, record.oid) == ("QUAL", before.matricule, before.oid)
    assert last_details(insi, "insi_verification")["supplied"] == ADRUN_MATRICULE
    assert insi_events(insi, identity)[-3:] == ["insi_verification", "insi_decision",
                                                "insi_result_applied"]


async def test_reverification_of_a_retrieved_ins_never_shows_it(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    report = insi.search_insi("admin", identity)
    insi.apply_insi_outcome("admin", identity, report.identity_version, report, accepted=True)
    assert insi.get(identity).status == "RECUP"
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, identity)
        screen = qapp.screen
        assert screen.query_one("#verify-ins-field").value == ""  # empty = the record's INS
        assert "Champ vide : re-vérification de cet INS" in screen_text(qapp)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "INS confirmé" in text and "non affiché" in text
        assert ADRTROIS_SHOWN not in text and ADRTROIS_INS not in text
        await pilot.press("f6")
        await settle(pilot)
    assert last_details(insi, "insi_verification")["supplied"] == ADRTROIS_INS
    assert insi.get(identity).status == "RECUP"


# --------------------------------------------------------------------------------------------
# Collision, palette


async def test_collision_blocks_accepting_and_opens_the_other_record(qapp, insi, simulator):
    first = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    report = insi.search_insi("admin", first)
    insi.apply_insi_outcome("admin", first, report.identity_version, report, accepted=True)
    holder = insi.get(first)
    second = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, second)
        await type_into(pilot, "#verify-ins-field", ADRTROIS_INS)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "Collision" in text and f"IPP {holder.ipp}" in text
        assert "f7 Autre dossier" in footer(qapp)
        await pilot.press("f4")
        await pilot.pause()
        assert type(qapp.screen).__name__ == "VerifyInsScreen"  # blocked: no confirmation
        await pilot.press("f7")
        await settle(pilot)
        assert type(qapp.screen).__name__ == "RecordScreen"
        assert qapp.screen.identity_id == first
        await pilot.press("escape")
        await settle(pilot)
        assert type(qapp.screen).__name__ == "VerifyInsScreen"
        await pilot.press("f6")
        await settle(pilot)
    record = insi.get(second)
    assert (record.status, record.matricule) == ("PROV", None)
    assert insi.get(first).matricule == ADRTROIS_INS
    assert last_details(insi, "insi_verification")["collision"]["ipp"] == holder.ipp
    assert insi_events(insi, second) == ["insi_verification", "insi_decision"]


async def test_the_palettes_list_the_verification(qapp, insi, practice):
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        qapp.push_screen(QualifyScreen(practice.martin))
        await settle(pilot)
        titles = [title for title, _, _ in qapp.screen.palette_commands()]
        assert "Vérifier un INS reçu" in titles
        await open_verify(pilot, practice.martin)
        titles = [title for title, _, _ in qapp.screen.palette_commands()]
        assert titles[:2] == ["Vérifier l'INS reçu", "Rechercher l'INS par les traits"]


async def test_on_an_ascii_terminal_the_screen_draws_ascii_and_french_only(insi, practice):
    from insterm.tui.app import InstermApp
    from insterm.tui.look import detect_look

    from .test_ascii_and_borders import FRENCH

    app = InstermApp(insi, os_login="sophie",
                     look=detect_look({"TERM": "linux"}))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_verify(pilot, practice.martin)
        await type_into(pilot, "#verify-ins-field", ADRUN_SHOWN)  # warnings: "!" marks
        app.screen.query_one("#verify-oid").focus()
        await pilot.pause()
        drawn = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "!" in field_message(app)
    assert {c for c in drawn if ord(c) > 127} <= FRENCH
