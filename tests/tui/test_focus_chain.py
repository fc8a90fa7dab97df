"""No keyboard trap (issue 14.4): on every screen, Tab and shift+Tab reach every control of the
focus chain, in both directions, and come back round (the settings' tab bar included, from each
section). The screens are opened in the states of test_footers (the most controls shown)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.screen import Screen
from textual.widget import Widget

from insterm.tui.app import InstermApp
from insterm.tui.screens.settings import SettingsScreen

from .support import Practice, settle
from .test_footers import STATES, Setup


def _settings(section: str) -> Setup:
    async def setup(pilot: Any, practice: Practice) -> None:
        await settle(pilot)
        pilot.app.push_screen(SettingsScreen())
        await settle(pilot)
        pilot.app.screen.show_section(section)
        await settle(pilot)

    return setup


@pytest.fixture(autouse=True)
def journal_page_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal state of test_footers sets its page size: put it back afterwards."""
    from insterm.tui.screens import journal

    monkeypatch.setattr(journal, "PAGE_SIZE", journal.PAGE_SIZE)


CASES: dict[str, Setup] = {cls.__name__: setup for cls, setup in STATES.items()}
CASES.update({f"SettingsScreen-{s}": _settings(s)
              for s in ("insi", "certificate", "keyring", "operators", "catalogue")})


async def _walk(pilot: Any, key: str, steps: int) -> list[Widget | None]:
    seen = []
    for _ in range(steps):
        await pilot.press(key)
        await pilot.pause()
        seen.append(pilot.app.focused)
    return seen


@pytest.mark.parametrize("case", sorted(CASES))
async def test_tab_and_shift_tab_reach_every_control(clinic, practice, case):
    app = InstermApp(clinic, operator_login="admin")
    async with app.run_test(size=(80, 24)) as pilot:
        await CASES[case](pilot, practice)
        screen: Screen[Any] = app.screen
        chain = list(screen.focus_chain)
        assert chain, f"{case}: nothing can take the focus"
        forward = await _walk(pilot, "tab", len(chain) + 1)
        backward = await _walk(pilot, "shift+tab", len(chain) + 1)
        assert app.screen is screen, f"{case}: Tab or shift+Tab left the screen"
    names = [f"{type(w).__name__}#{w.id}" for w in chain]
    assert [w for w in chain if w not in forward] == [], (case, names)
    assert [w for w in chain if w not in backward] == [], (case, names)
    # Round trip: Tab from the last control reaches the first, shift+Tab the other way.
    assert forward[-1] is forward[0] or len(chain) == 1
    assert backward[-1] is backward[0] or len(chain) == 1
