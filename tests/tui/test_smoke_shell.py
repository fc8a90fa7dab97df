"""The shell: the app starts on the search screen with its operator; F1 help."""

from __future__ import annotations

from textual.widgets import Input

from .support import settle


async def test_starts_on_search_with_the_operator(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "SearchScreen"
        assert app.operator is not None and app.operator.login == "sophie"
        assert app.actor == "sophie"
        assert isinstance(app.focused, Input)


async def test_f1_shows_the_help_of_the_current_screen(app) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        texts = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "matricule INS" in texts and "Nouveau patient" in texts
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "SearchScreen"
