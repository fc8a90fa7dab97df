"""Vérification d'un INS reçu at 80x24: the empty form, a confirmed INS, an INS that is not this
person's. Real simulator and keyring (tests/tui/conftest.py); a fresh practice each time."""

from __future__ import annotations

import pytest

from insterm.tui.screens.verify_ins import VerifyInsScreen

from .insi_support import ADRTROIS_SHOWN, person, type_into
from .support import settle

ADRUN_SHOWN = "2 75 12 63 220 749 74"


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


def _snapshot(snap_compare, app, identity_id: int, typed: str | None = None) -> bool:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        app.push_screen(VerifyInsScreen(identity_id))
        await settle(pilot)
        if typed is not None:
            await type_into(pilot, "#verify-ins-field", typed)
            await pilot.press("f2")
            await settle(pilot)
            if type(app.screen).__name__ == "ConfirmModal":  # disagrees with the record
                await pilot.press("f2")
                await settle(pilot)

    return snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_empty_form(snap_compare, qapp, insi) -> None:  # type: ignore[no-untyped-def]
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    assert _snapshot(snap_compare, qapp, identity)


def test_snapshot_confirmed(snap_compare, qapp, insi) -> None:  # type: ignore[no-untyped-def]
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    assert _snapshot(snap_compare, qapp, identity, ADRTROIS_SHOWN)


def test_snapshot_not_this_persons_ins(snap_compare, qapp, insi) -> None:  # type: ignore[no-untyped-def]
    identity = person(insi, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", checked=True)
    assert _snapshot(snap_compare, qapp, identity, ADRUN_SHOWN)
