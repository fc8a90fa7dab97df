"""The command palette and F1 speak French (issue 14.4): matching without accents ("regl",
"param" find "Réglages"), no Textual command in English, a French prompt and "no match";
Réglages reachable from the home screen's footer and F1; Textual's built-in keys (ctrl+u in a
field...) named in French in the help, or left out."""

from __future__ import annotations

import re

from insterm.tui.screens.help import HelpScreen
from insterm.tui.screens.settings import SettingsScreen

from .support import settle

ENGLISH = re.compile(r"\b(Keys|Maximize|Minimize|Screenshot|Theme|Quit|Scroll|Dismiss|Delete|"
                     r"Cursor|Move|Go to|Submit|Paste|Copy|Cut|Select all|Search for)\b")


def palette_lines(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [strip.text for strip in app.screen._compositor.render_strips()]


async def test_palette_matches_without_accents_and_runs_the_settings(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for query in ("regl", "param", "REGLAGES"):
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*query)
            await pilot.pause(0.3)
            await settle(pilot)
            text = "\n".join(palette_lines(app))
            assert "Réglages" in text, (query, text)
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"regl")
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)


async def test_palette_speaks_french_only(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        prompt = "\n".join(palette_lines(app))
        assert "Chercher une commande" in prompt
        await pilot.press("down")  # every entry listed
        await settle(pilot)
        listed = "\n".join(palette_lines(app))
        assert "Réglages" in listed and not ENGLISH.search(listed), listed
        await pilot.press(*"zzzqqq")
        await pilot.pause(1.5)  # Textual's "no match" countdown (one second)
        await settle(pilot)
        assert "Aucune commande ne correspond" in "\n".join(palette_lines(app))
        await pilot.press("f1")
        await settle(pilot)
        helped = "\n".join(palette_lines(app))
        assert not ENGLISH.search(helped), helped


async def test_settings_from_the_home_footer_and_f1(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = palette_lines(app)[-1]
        assert "f8 Réglages" in footer
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert ("f8", "Réglages") in app.screen._keys
        await pilot.press("escape", "f8")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)


async def test_f1_in_a_field_names_textual_keys_in_french(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)  # the search field has the focus: Input's keys are active
        await pilot.press("f1")
        await settle(pilot)
        keys = app.screen._keys
    descriptions = dict((d, k) for k, d in keys)
    assert "Effacer jusqu'au début" in descriptions, descriptions  # ctrl+u
    assert not [d for d in descriptions if ENGLISH.search(d)], descriptions
