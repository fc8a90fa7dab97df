"""When INSi is down (issue 13.3), with the real simulator switched to fail and back: F5 "Plus
tard" puts the qualification aside (status unchanged), the home screen says so, the "Appels
INSi en attente" screen relaunches it once INSi answers, and the operator then accepts the 00
on the record as usual."""

from __future__ import annotations

import pytest

from insterm.tui.screens.insi_pending import InsiPendingScreen
from insterm.tui.screens.qualify import QualifyScreen

from .insi_support import notifications, person, screen_text
from .support import settle


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


async def test_insi_down_then_back(qapp, insi, simulator) -> None:  # type: ignore[no-untyped-def]
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    simulator.switches.http_503 = True
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        qapp.push_screen(QualifyScreen(identity))
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert qapp.screen.check_action("postpone", ()) is True
        await pilot.press("f5")
        await settle(pilot)
        assert not isinstance(qapp.screen, QualifyScreen)
        assert any("Appel mis en attente" in n for n in notifications(qapp))
        assert [item.identity_id for item in insi.insi_pending()] == [identity]
        assert insi.get(identity).status == "VALI"
        home = screen_text(qapp)
        assert "1 appel(s) INSi en attente" in home and "INSi injoignable au dernier essai" in home

        simulator.switches.reset()
        await pilot.press("ctrl+p", *"appels insi", "enter")
        await settle(pilot)
        assert isinstance(qapp.screen, InsiPendingScreen)
        assert "1 appel(s) en attente" in screen_text(qapp)
        progress = qapp.screen.query_one("#pending-progress")
        assert not progress.display  # shown only while calls are made again
        await pilot.press("f2")
        await settle(pilot)
        assert "1 appel(s) relancé(s) : 1 réponse(s) d'INSi, 0 toujours en attente" in \
            screen_text(qapp)
        table = qapp.screen.query_one("#pending-table")
        assert str(table.get_row_at(0)[3]) == "réponse 00 : à décider (Entrée)"
        assert progress.display and (progress.progress, progress.total) == (1, 1)
        assert insi.insi_pending() == [] and insi.get(identity).status == "VALI"

        await pilot.press("enter")  # the record, where F4 shows the answer to decide on
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("f2")  # confirm the acceptance
        await settle(pilot)
        await pilot.press("escape")  # the information duty: later
        await settle(pilot)
        assert "Identité qualifiée" in screen_text(qapp)
    assert insi.get(identity).status == "QUAL"
    assert len(simulator.handled) == 3  # the failure, the relaunch, the call decided on


async def test_a_refused_request_offers_no_plus_tard(qapp, insi, simulator) -> None:  # type: ignore[no-untyped-def]
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    async with qapp.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        qapp.push_screen(QualifyScreen(identity))
        await settle(pilot)
        await pilot.press("f2", "f5")  # answered 00: nothing to make again
        await settle(pilot)
        assert isinstance(qapp.screen, QualifyScreen)
        assert qapp.screen.check_action("postpone", ()) is False
    assert insi.insi_pending() == []
