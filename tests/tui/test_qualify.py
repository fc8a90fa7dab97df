"""Qualification INSi screen, with real parts: the INSi simulator over mutual TLS on 127.0.0.1,
a real CryptFileKeyring in a temporary folder holding the simulator certificate's passphrase,
the practice's real SQLite file, driven with Pilot at 80x24.

Each flow asserts on the database (identity, ins_history, insi_call), the audit log and what the
simulator received, not only on the screen. Snapshots of the main states are at the end."""

from __future__ import annotations

import threading

import pytest

from insterm import secrets
from insterm.tui.screens.qualify import QualifyScreen
from insterm.tui.screens.record import RecordScreen

from .insi_support import (
    ADRTROIS_INS,
    ADRTROIS_SHOWN,
    MASTER,
    calls,
    last_details,
    notifications,
    person,
    rendered,
    screen_text,
    settle_after_failure,
    type_into,
)
from .support import audit_actions, settle


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


# --------------------------------------------------------------------------------------------
# Helpers


async def open_qualify(pilot, identity_id: int) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = QualifyScreen(identity_id)
    pilot.app.push_screen(screen)
    assert type(screen).__name__ == "QualifyScreen"
    await settle(pilot)


def comparison_row(app, label: str):  # type: ignore[no-untyped-def]
    rows = app.screen.query_one("#qualify-comparison").rows
    return next(row for row in rows if row.label == label)


# --------------------------------------------------------------------------------------------
# 00 accepted and refused


async def test_00_accepted_from_the_record_gives_qual_with_ins_history_calls_and_audit(
        qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    version = insi.get(identity).version
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        qapp.push_screen(RecordScreen(identity))
        await settle(pilot)
        await pilot.press("f4")  # the record screen's key for "qualify"
        await settle(pilot)
        assert type(qapp.screen).__name__ == "QualifyScreen"
        text = screen_text(qapp)
        assert "Prêt pour l'appel INSi" in text and "Simulateur" in text
        assert qapp.screen.query_one("#qualify-first-names").value == "DOMINIQUE"
        assert simulator.handled == []  # nothing sent before F2

        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "Réponse INSi 00" in text and "Aucune différence" in text
        assert ADRTROIS_SHOWN in text and "INS-NIR" in text  # accepting gives QUAL: shown
        assert len(simulator.handled) == 1

        await pilot.press("f4")
        await pilot.pause()
        assert type(qapp.screen).__name__ == "ConfirmModal"
        confirm = screen_text(qapp)
        assert "« Identité validée » à « Identité qualifiée »" in confirm
        assert "Statut après acceptation : « Identité qualifiée »" in confirm
        await pilot.press("f2")
        await settle(pilot)
        # First qualification: the patient-information duty is asked (not forced).
        assert type(qapp.screen).__name__ == "InformationModal"
        assert "Dernière information : non enregistrée" in screen_text(qapp)
        await pilot.press("o")
        await settle(pilot)
        assert type(qapp.screen).__name__ == "RecordScreen"  # dismissed, record reloaded
        assert "Identité qualifiée" in screen_text(qapp)
        assert "Information oralement le " in screen_text(qapp)
        assert any("Identité qualifiée" in n for n in notifications(qapp))

    record = insi.get(identity)
    assert (record.status, record.matricule, record.oid) == \
        ("QUAL", ADRTROIS_INS, "1.2.250.1.213.1.4.8")
    assert record.version == version + 1
    assert [h.matricule for h in insi.ins_history(identity) if h.active] == [ADRTROIS_INS]
    [call] = calls(insi, identity)
    assert (call["cr"], call["fault"], call["who"]) == ("00", None, "sophie")
    assert call["traits"]["first_names"] == "DOMINIQUE"
    assert audit_actions(insi, identity)[-4:] == [
        ("insi_called", "sophie"), ("insi_decision", "sophie"),
        ("insi_result_applied", "sophie"), ("patient_informed", "sophie")]
    assert last_details(insi, "insi_decision")["accepted"] is True
    assert insi.last_information(identity).how == "oral"
    assert insi.verify_audit().ok


async def test_00_with_a_difference_marked_then_refused_changes_nothing(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")  # PROV, no place
    before = insi.get(identity)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await pilot.press("f2")
        await settle(pilot)
        place = comparison_row(qapp, "Lieu de naissance")
        assert place.state == "different" and place.local == "" and "2A020" in place.insi
        assert comparison_row(qapp, "Nom de naissance").state == "identical"
        table = rendered(qapp.screen.query_one("#qualify-comparison")).splitlines()
        place_line = next(line for line in table if "Lieu de naissance" in line)
        assert place_line.lstrip().startswith("≠")  # the difference reads without colour
        name_line = next(line for line in table if "Nom de naissance" in line)
        assert "≠" not in name_line and "ADRTROIS" in name_line
        text = screen_text(qapp)
        assert "1 différence(s) : lieu de naissance" in text
        # Accepting would give RECUP only: the matricule is not shown, its nature is.
        assert ADRTROIS_INS[:5] not in text and ADRTROIS_SHOWN not in text
        assert "INS-NIR" in text
        await pilot.press("f4")
        await pilot.pause()
        assert "Statut après acceptation : « Identité récupérée »" in screen_text(qapp)
        await pilot.press("escape")  # not accepted
        await pilot.pause()
        assert type(qapp.screen).__name__ == "QualifyScreen"
        await pilot.press("f6")  # refuse
        await settle(pilot)
        assert type(qapp.screen).__name__ == "SearchScreen"
        assert any("refusé" in n for n in notifications(qapp))

    assert insi.get(identity) == before
    assert insi.ins_history(identity) == []
    [call] = calls(insi, identity)
    assert call["cr"] == "00"
    assert audit_actions(insi, identity)[-2:] == [("insi_called", "sophie"),
                                                  ("insi_decision", "sophie")]
    assert last_details(insi, "insi_decision")["accepted"] is False


async def test_escape_on_an_undecided_00_asks_then_records_a_refusal(qapp, insi):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    before = insi.get(identity)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert "Revenir sans accepter" in screen_text(qapp)
        await pilot.press("f2")  # F2 confirms in every dialog: "Refuser et revenir"
        await settle(pilot)
        assert type(qapp.screen).__name__ == "SearchScreen"
    assert insi.get(identity) == before
    assert last_details(insi, "insi_decision")["accepted"] is False


# --------------------------------------------------------------------------------------------
# 01 and 02: guidance, then a retry with what the operator chose


async def test_01_guides_then_another_first_name_gives_00_and_accept_gives_recup(
        qapp, insi, simulator):
    identity = person(insi, "TCHITCHI", "OLA", "F", "1936-06-21")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "Réponse INSi 01 : aucune identité trouvée" in text
        assert "Prénoms de naissance du dossier : OLA" in text and "F2" in text
        assert qapp.focused is qapp.screen.query_one("#qualify-first-names")
        assert qapp.screen.query_one("#qualify-form").display

        await type_into(pilot, "#qualify-first-names", "catarina")
        await pilot.press("enter")  # Enter in the field relaunches, as F2
        await settle(pilot)
        assert "Réponse INSi 00" in screen_text(qapp)
        first_names = comparison_row(qapp, "Prénoms de naissance")
        assert (first_names.local, first_names.insi, first_names.state) == \
            ("OLA", "CATARINA BELLA", "different")
        await pilot.press("f4")
        await pilot.pause()
        assert "« Identité provisoire » à « Identité récupérée »" in screen_text(qapp)
        await pilot.press("f2")
        await settle(pilot)

    sent = [c["traits"]["first_names"] for c in calls(insi, identity)]
    assert sent == ["OLA", "CATARINA"]
    assert [c["cr"] for c in calls(insi, identity)] == ["01", "00"]
    assert len(simulator.handled) == 2
    record = insi.get(identity)
    assert record.status == "RECUP" and record.matricule is not None
    assert record.first_names == "CATARINA BELLA"  # the INSi traits, as returned
    assert record.shown_matricule is None
    assert audit_actions(insi, identity)[-1] == ("insi_result_applied", "sophie")


async def test_02_guides_then_the_birth_place_gives_00(qapp, insi, simulator):
    identity = person(insi, "DE VINCI", "LEONARDO", "M", "2014-02-01")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "Réponse INSi 02 : plusieurs identités trouvées" in text
        assert "lieu de naissance" in text
        assert qapp.focused is qapp.screen.query_one("#qualify-birth-place")
        await pilot.press(*"63220")
        await pilot.pause()
        assert "Mazoires" in screen_text(qapp)  # the commune of the code typed
        await pilot.press("f2")
        await settle(pilot)
        assert "Réponse INSi 00" in screen_text(qapp)
        await pilot.press("f6")
        await settle(pilot)
    logged = calls(insi, identity)
    assert [c["cr"] for c in logged] == ["02", "00"]
    assert logged[-1]["traits"]["birth_place"] == "63220"
    assert b"63220" in simulator.handled[-1].request_xml
    assert insi.get(identity).birth_place is None  # refused: nothing changed


async def test_02_then_the_birth_place_picked_by_name_in_the_list(qapp, insi, simulator):
    """The INSi screen's birth place is the identity form's field: a commune typed by name,
    picked in the list (Enter), sends its COG code."""
    identity = person(insi, "DE VINCI", "LEONARDO", "M", "2014-02-01")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await pilot.press("f2")
        await settle(pilot)
        assert qapp.focused is qapp.screen.query_one("#qualify-birth-place")
        await pilot.press(*"mazoi")
        await settle(pilot)
        listed = qapp.screen.query_one("#qualify_birth_place-list")
        options = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert listed.has_class("-open") and options[0].startswith("63220  Mazoires")
        await pilot.press("enter")
        await settle(pilot)
        assert qapp.screen.query_one("#qualify-birth-place").value == "63220"
        assert not listed.has_class("-open") and "Mazoires" in screen_text(qapp)
        assert len(simulator.handled) == 1  # picking does not call INSi by itself
        await pilot.press("f2")
        await settle(pilot)
        assert "Réponse INSi 00" in screen_text(qapp)
    assert calls(insi, identity)[-1]["traits"]["birth_place"] == "63220"
    assert b"63220" in simulator.handled[-1].request_xml


async def test_bad_input_is_said_next_to_the_field_and_nothing_is_sent(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await type_into(pilot, "#qualify-birth-place", "123")
        await pilot.press("f2")
        await settle(pilot)
        error = str(qapp.screen.query_one("#qualify-birth-place-error").render())
        assert "code COG à 5 caractères" in error
        await type_into(pilot, "#qualify-birth-place", "")
        qapp.screen.query_one("#qualify-first-names").value = ""
        await pilot.press("f2")
        await settle(pilot)
        assert "au moins un prénom" in str(
            qapp.screen.query_one("#qualify-first-names-error").render())
        # Escape with typed data asks first.
        await pilot.press("escape")
        await pilot.pause()
        assert "Abandonner la saisie" in screen_text(qapp)
        await pilot.press("escape")
        await pilot.pause()
        assert type(qapp.screen).__name__ == "QualifyScreen"
    assert simulator.handled == [] and calls(insi, identity) == []


# --------------------------------------------------------------------------------------------
# Faults and transport errors


async def test_service_unreachable_shows_what_to_do_and_the_app_keeps_working(
        qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    before = insi.get(identity)
    simulator.switches.http_503 = True
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "Le téléservice INSi est injoignable" in text
        assert "plus tard" in text and "F2 relance" in text
        await pilot.press("escape")
        await settle(pilot)
        assert type(qapp.screen).__name__ == "SearchScreen"
        field = qapp.screen.query_one("#search-field")
        field.focus()
        await pilot.press(*"ADRTROIS")
        await settle(pilot)
        assert qapp.screen.query_one("#search-results").row_count == 1
    assert insi.get(identity) == before
    [call] = calls(insi, identity)
    assert call["fault"] == "transport.http_status" and call["cr"] is None


async def test_an_unknown_idam_shows_the_service_message_and_what_to_do(qapp, insi):
    insi.update_insi_settings("admin", idam="INCONNU42")
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    before = insi.get(identity)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "Le téléservice INSi a répondu par une erreur" in text
        assert "desir_550" in text and "IDAM" in text
        assert "F4" not in str(qapp.screen.query_one("Footer").render())
    assert insi.get(identity) == before
    [call] = calls(insi, identity)
    assert call["fault"].endswith("desir_550")


# --------------------------------------------------------------------------------------------
# Collision, doubtful identity, keyring, cancel


async def test_collision_blocks_accept_and_opens_the_other_record(qapp, insi):
    first = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    report = insi.search_insi("admin", first)
    insi.apply_insi_outcome("admin", first, report.identity_version, report, accepted=True)
    holder = insi.get(first)
    second = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, second)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
        assert "Collision" in text and f"IPP {holder.ipp}" in text
        await pilot.press("f4")
        await pilot.pause()
        assert type(qapp.screen).__name__ == "QualifyScreen"  # no confirmation: blocked
        await pilot.press("f7")
        await settle(pilot)
        assert type(qapp.screen).__name__ == "RecordScreen"
        assert qapp.screen.identity_id == first
        await pilot.press("escape")
        await settle(pilot)
        assert type(qapp.screen).__name__ == "QualifyScreen"
        await pilot.press("f6")
        await settle(pilot)
    record = insi.get(second)
    assert (record.status, record.matricule) == ("PROV", None)
    assert insi.get(first).matricule == ADRTROIS_INS
    assert last_details(insi, "insi_called")["collision"]["ipp"] == holder.ipp
    assert audit_actions(insi, second)[-1] == ("insi_decision", "sophie")


async def test_doubtful_identity_forbids_insi_and_sends_nothing(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    insi.set_attribute("sophie", identity, insi.get(identity).version, "DOUT")
    events = audit_actions(insi, identity)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        text = screen_text(qapp)
        assert "INSi interdit pour cette identité" in text and "douteuse" in text
        assert not qapp.screen.query_one("#qualify-form").display
        await pilot.press("f2")
        await settle(pilot)
        assert "Réponse INSi" not in screen_text(qapp)
        await pilot.press("f1")  # the screen's help
        await pilot.pause()
        assert "Qualification par le téléservice INSi" in screen_text(qapp)
        await pilot.press("escape")
    assert simulator.handled == [] and calls(insi, identity) == []
    assert audit_actions(insi, identity) == events


async def test_locked_keyring_asks_the_master_password_in_a_field(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    secrets.reset_backend()  # locked: the encrypted keyring file exists
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        text = screen_text(qapp)
        assert "Appel INSi impossible pour le moment" in text
        master = qapp.screen.query_one("#qualify-master")
        assert master.display and master.password and qapp.focused is master
        await pilot.press("f2")
        await settle(pilot)
        assert simulator.handled == []
        await pilot.press(*"pas-le-bon", "enter")
        await settle_after_failure(pilot)
        assert "incorrect" in str(qapp.screen.query_one("#qualify-master-error").render())
        assert master.value == ""  # the password never stays in the field
        assert secrets.current_backend() is None
        await pilot.press(*MASTER, "enter")
        await settle(pilot)
        assert "Prêt pour l'appel INSi" in screen_text(qapp)
        assert not qapp.screen.query_one("#qualify-keyring").display
        await pilot.press("f2")
        await settle(pilot)
        assert "Réponse INSi 00" in screen_text(qapp)
    assert len(simulator.handled) == 1
    assert MASTER not in "".join(str(row) for row in insi.conn.execute("SELECT * FROM audit"))


async def test_cancel_during_a_slow_call_keeps_the_screen_usable_and_applies_nothing(
        qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    before = insi.get(identity)
    held = simulator.switches.hold = threading.Event()  # INSi answers when the test says
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await pilot.press("f2")
        await pilot.pause()
        progress = str(qapp.screen.query_one("#qualify-progress").render())
        assert "Appel INSi en cours" in progress and "DOMINIQUE" in progress
        assert qapp.screen.check_action("stop_waiting", ()) is True
        assert qapp.screen.check_action("call", ()) is False  # one call at a time
        await pilot.press("escape")  # stop waiting
        await pilot.pause()
        screen = qapp.screen
        assert type(screen).__name__ == "QualifyScreen" and screen.phase == "prepare"
        assert "Appel abandonné" in screen_text(qapp)
        assert "enregistré" in screen_text(qapp)
        assert not screen.query_one("#qualify-first-names").disabled
        assert screen.check_action("call", ()) is True
        # The call went on in the background: it is logged when it ends, nothing is applied.
        assert not qapp.call_clinic(lambda clinic: calls(clinic, identity))
        held.set()
        for _ in range(100):
            if qapp.call_clinic(lambda clinic: calls(clinic, identity)):
                break
            await pilot.pause(0.1)
        await settle(pilot)
        assert type(qapp.screen).__name__ == "QualifyScreen"
        assert "Réponse INSi" not in screen_text(qapp)
    assert [c["cr"] for c in calls(insi, identity)] == ["00"]
    assert insi.get(identity) == before
    assert "insi_result_applied" not in [a for a, _ in audit_actions(insi, identity)]


# --------------------------------------------------------------------------------------------
# Snapshots of the main states, 80x24


def _snapshot(snap_compare, app, identity_id: int, *, call: bool) -> bool:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_qualify(pilot, identity_id)
        if call:
            await pilot.press("f2")
            await settle(pilot)

    return snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_ready(snap_compare, qapp, insi) -> None:  # type: ignore[no-untyped-def]
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    assert _snapshot(snap_compare, qapp, identity, call=False)


def test_snapshot_doubtful(snap_compare, qapp, insi) -> None:  # type: ignore[no-untyped-def]
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    insi.set_attribute("sophie", identity, insi.get(identity).version, "DOUT")
    assert _snapshot(snap_compare, qapp, identity, call=False)


def test_snapshot_00_with_a_difference(snap_compare, qapp, insi) -> None:  # type: ignore[no-untyped-def]
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    assert _snapshot(snap_compare, qapp, identity, call=True)


def test_snapshot_01_guidance(snap_compare, qapp, insi) -> None:  # type: ignore[no-untyped-def]
    identity = person(insi, "TCHITCHI", "OLA", "F", "1936-06-21")
    assert _snapshot(snap_compare, qapp, identity, call=True)


def test_snapshot_collision(snap_compare, qapp, insi) -> None:  # type: ignore[no-untyped-def]
    first = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    report = insi.search_insi("admin", first)
    insi.apply_insi_outcome("admin", first, report.identity_version, report, accepted=True)
    second = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    assert _snapshot(snap_compare, qapp, second, call=True)


def test_snapshot_service_unreachable(snap_compare, qapp, insi, simulator) -> None:  # type: ignore[no-untyped-def]
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    simulator.switches.http_503 = True
    assert _snapshot(snap_compare, qapp, identity, call=True)


async def test_on_an_ascii_terminal_the_difference_marker_is_ascii(insi, simulator):
    from insterm.tui.app import InstermApp
    from insterm.tui.look import TerminalLook

    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    app = InstermApp(insi, os_login="sophie",
                     look=TerminalLook(ascii=True, theme="ansi-dark", animations="none"))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await pilot.press("f2")
        await settle(pilot)
        table = rendered(app.screen.query_one("#qualify-comparison"))
        place_line = next(line for line in table.splitlines() if "Lieu de naissance" in line)
        assert place_line.lstrip().startswith("!=")
        assert "≠" not in table and "—" not in table
        assert "!= différent" in screen_text(app)
        await pilot.press("f6")
        await settle(pilot)


async def test_sex_i_forbids_insi_with_the_reason(qapp, insi, simulator):
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "I", "1997-02-26")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        text = screen_text(qapp)
        assert "INSi interdit pour cette identité" in text and "indéterminé (I)" in text
        assert qapp.screen.check_action("call", ()) is False
    assert simulator.handled == [] and calls(insi, identity) == []


async def test_no_certificate_says_what_to_do_and_sends_nothing(app, clinic, practice,
                                                                simulator, keyring_open):
    # Not wired to the running simulator: the default simulator folder has no certificate.
    async with app.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, practice.martin)
        text = screen_text(app)
        assert "Appel INSi impossible pour le moment" in text
        assert "insterm insi-sim --setup" in text
        await pilot.press("f2")
        await settle(pilot)
        assert "Réponse INSi" not in screen_text(app)
    assert simulator.handled == [] and calls(clinic, practice.martin) == []


async def test_01_with_a_birth_place_sent_does_not_ask_to_add_one(qapp, insi, simulator):
    identity = person(insi, "TCHITCHI", "OLA", "F", "1936-06-21", "63220")
    async with qapp.run_test(size=(80, 24)) as pilot:
        await open_qualify(pilot, identity)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(qapp)
    assert "Réponse INSi 01" in text
    assert "ajoutez le lieu de naissance" not in text
    assert "le lieu de naissance (Mazoires) a été envoyé" in text
    assert [c["traits"]["birth_place"] for c in calls(insi, identity)] == ["63220"]
