"""The carte Vitale in the TUI through a real pcscd and a virtual card: insertion and removal
notified by the app, F6 on the search screen lists the beneficiaries, choosing one opens the
record (found locally) or the capture form pre-filled (then saved PROV, no INS)."""

from __future__ import annotations

import time

import pytest

from insterm.tui.app import InstermApp
from insterm.tui.look import TerminalLook
from insterm.usecases.vitale_card import CardEvent, reader_states
from tests.cards.fixtures import Pcscd, wait_for
from tests.cards.virtual_card import VirtualCard, VitaleCard

from .support import settle

FAMILY = [("DUPONT", "JEAN", "19700101", "170017512345678"),
          ("DUPONT", "LÉA", "20100202", "170017512345678")]


def _app(clinic, card_watch: bool = False) -> InstermApp:  # type: ignore[no-untyped-def]
    return InstermApp(clinic, os_login="sophie", card_watch=card_watch,
                      look=TerminalLook(ascii=False, theme="textual-dark", animations="none"))


async def _until(pilot, condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.01)


def _notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def test_insertion_and_removal_are_notified(clinic, practice, pcscd: Pcscd) -> None:  # type: ignore[no-untyped-def]
    app = _app(clinic, card_watch=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _until(pilot, lambda: app._card_watcher is not None)
        card = VirtualCard(VitaleCard(FAMILY), pcscd.ports[1])
        inserted_at = time.monotonic()
        card.insert()
        await _until(pilot, lambda: any(isinstance(e, CardEvent) and e.inserted
                                        and e.reader == pcscd.readers[1]
                                        for e in app.card_events))
        seen = time.monotonic() - inserted_at
        assert f"Carte Vitale 2 insérée dans « {pcscd.readers[1]} »." in _notes(app)
        card.remove()
        await _until(pilot, lambda: any(isinstance(e, CardEvent) and not e.inserted
                                        and e.reader == pcscd.readers[1]
                                        for e in app.card_events))
        assert f"Carte retirée du lecteur « {pcscd.readers[1]} »." in _notes(app)
    print(f"insertion -> event on screen: {seen * 1000:.0f} ms")


async def test_f6_lists_beneficiaries_and_prefills_the_form(clinic, practice, pcscd: Pcscd) -> None:  # type: ignore[no-untyped-def]
    from insterm.tui.screens.edit import CreateScreen
    from insterm.tui.screens.vitale import VitaleModal

    app = _app(clinic)
    with VirtualCard(VitaleCard(FAMILY), pcscd.ports[0]):
        wait_for(lambda: any(s.atr for s in reader_states()))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f6")
            await _until(pilot, lambda: isinstance(app.screen, VitaleModal)
                         and app.screen.card is not None)
            modal = app.screen
            assert isinstance(modal, VitaleModal)
            shown = [str(modal.query_one("#vitale-people").get_option_at_index(i).prompt)
                     for i in range(2)]
            assert shown == ["1. DUPONT JEAN, né(e) le 01/01/1970 (assuré)",
                             "2. DUPONT LÉA, né(e) le 02/02/2010 (ayant droit)"]
            await pilot.press("down", "enter")
            await _until(pilot, lambda: isinstance(app.screen, CreateScreen))
            await settle(pilot)
            form = app.screen
            assert isinstance(form, CreateScreen)
            values = form.values()  # as the card wrote them, proposals not applied yet
            assert (values["birth_name"], values["first_name"], values["birth_date"]) == (
                "DUPONT", "LÉA", "02/02/2010")
            assert values["sex"] == ""  # not on the card: the operator types it
            before = clinic.find("DUPONT LEA 02/02/2010").items
            assert not before
            form.field("sex").value = "F"
            await settle(pilot)
            await pilot.press("f4")  # the form's proposals (LÉA -> LEA, first names) applied
            await settle(pilot)
            await pilot.press("f2")
            await settle(pilot)
            await _until(pilot, lambda: bool(clinic.find("DUPONT LEA 02/02/2010").items))
    saved = clinic.find("DUPONT LEA 02/02/2010").items[0]
    assert saved.status == "PROV" and not saved.matricule
    assert clinic.get(saved.id).channel == "CV"  # collected from the carte Vitale


async def test_no_card_the_dialog_says_so(clinic, practice, pcscd: Pcscd) -> None:  # type: ignore[no-untyped-def]
    """(Without pcscd at all: `insterm cartes` in a fresh process, tests/cards: the PC/SC
    library keeps the socket it first used for the whole process.)"""
    from insterm.tui.screens.vitale import VitaleModal

    wait_for(lambda: not any(s.atr for s in reader_states()))
    app = _app(clinic)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await _until(pilot, lambda: isinstance(app.screen, VitaleModal)
                     and "-error" in app.screen.query_one("#vitale-status").classes)
        text = str(app.screen.query_one("#vitale-status").render())
        assert "Aucune carte dans aucun lecteur" in text and "F6 pour relire" in text
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, VitaleModal)


@pytest.mark.parametrize("birth_name", ["MARTIN", "MARTAIN"], ids=["same-name", "sounds-alike"])
async def test_a_known_patient_opens_the_record(clinic, practice, pcscd: Pcscd,  # type: ignore[no-untyped-def]
                                                birth_name: str) -> None:
    from insterm.tui.screens.record import RecordScreen

    people = [(birth_name, "JEAN", "19800201", "180027505612345")]
    app = _app(clinic)
    with VirtualCard(VitaleCard(people), pcscd.ports[0]):
        wait_for(lambda: any(s.atr for s in reader_states()))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f6")
            await _until(pilot, lambda: getattr(app.screen, "card", None) is not None)
            await pilot.press("enter")
            await _until(pilot, lambda: isinstance(app.screen, RecordScreen))
            screen = app.screen
            assert isinstance(screen, RecordScreen)
            assert screen.identity_id == practice.martin
    record = clinic.get(practice.martin)
    assert record.status == "PROV" and record.matricule is None  # nothing taken from the card
