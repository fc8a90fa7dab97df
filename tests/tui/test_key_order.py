"""Keys typed ahead follow the focus (insterm.tui.key_order): a burst of keys, as a stalled SSH
link releases it, fills the fields it was typed for, and the identity saved is the one typed."""

from __future__ import annotations

from datetime import date

from insterm.tui.screens.record import RecordScreen

from .support import audit_actions, burst, drained, settle


def value(app, name: str) -> str:  # type: ignore[no-untyped-def]
    return app.screen.query_one(f"#input-{name}").value


async def test_a_new_patient_typed_ahead_in_one_burst_lands_field_by_field(app, clinic,
                                                                           practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # F2 opens the form; Tab and Enter move to the next field: the keys after each one
        # belong to the next field, even though they all arrived before the form was drawn.
        burst(app, "f2", "BERNARD", "tab", "LUCIE", "enter", "LUCIE ANNE", "tab",
              "14/03/1992", "enter", "F", "tab", "99134")
        await drained(pilot)
        assert type(app.screen).__name__ == "CreateScreen"
        assert [value(app, name) for name in ("birth_name", "first_name", "first_names",
                                              "birth_date", "sex", "birth_place")] == [
            "BERNARD", "LUCIE", "LUCIE ANNE", "14/03/1992", "F", "99134"]
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
        new_id = app.screen.identity_id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#search-field").value == ""  # nothing typed there
    record = clinic.get(new_id)
    assert (record.birth_name, record.first_name, record.first_names, record.birth_date,
            record.sex, record.birth_place) == ("BERNARD", "LUCIE", "LUCIE ANNE",
                                                date(1992, 3, 14), "F", "99134")
    assert audit_actions(clinic, new_id) == [("identity_created", "sophie")]


async def test_keys_after_one_that_closes_its_screen_reach_the_next_screen(app, practice):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(RecordScreen(practice.durand))
        await settle(pilot)
        # Escape closes the record (the widget the key went to goes with it); the name typed
        # right after it starts the next search on the home screen.
        burst(app, "escape", "ADRUN")
        await drained(pilot)
        assert type(app.screen).__name__ == "SearchScreen"
        assert app.screen.query_one("#search-field").value == "ADRUN"


async def test_keys_typed_at_a_human_pace_go_out_at_once(app, practice):
    """Nothing waits when no key is on its way: the app adds no delay to normal typing."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        assert app._key_on_its_way == 0 and not app._keys_waiting
        await pilot.press("A")
        assert app.screen.query_one("#search-field").value == "MA"


async def test_a_lost_probe_delays_the_next_keys_never_loses_them(app, practice, monkeypatch):
    """A key that removes the widget it went to takes its probe with it: the next keys go out
    as soon as that is seen. A slow probe of a widget still alive is waited for (a busy PC must
    not hand a key out ahead of its turn), up to GIVE_UP_AFTER."""
    from time import monotonic

    from textual.widgets import Static

    from insterm.tui import key_order

    monkeypatch.setattr(key_order, "PROBE_TIMEOUT", 0.05)
    monkeypatch.setattr(key_order, "GIVE_UP_AFTER", 0.5)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        gone = Static("")
        await app.screen.mount(gone)
        await gone.remove()
        # The key went to a widget since removed: the next keys go out at once.
        app._key_on_its_way, app._key_sent_at, app._key_target = 999, monotonic(), gone
        burst(app, "A", "D")
        await pilot.pause()
        assert not app._keys_waiting
        await settle(pilot)
        assert app.screen.query_one("#search-field").value == "AD"
        # The key's widget still lives, its probe is just slow: the next key waits for it...
        app._key_on_its_way, app._key_sent_at = 998, monotonic()
        app._key_target = app.screen.query_one("#search-field")
        burst(app, "R")
        await pilot.pause(0.2)
        assert len(app._keys_waiting) == 1
        await drained(pilot)  # ...until GIVE_UP_AFTER, then goes out: delayed, not lost
        assert app.screen.query_one("#search-field").value == "ADR"




async def test_quit_keys_do_not_wait_behind_a_burst(app, practice, monkeypatch):
    """F10 and ctrl+q (the App's priority keys) act at once, even while the keys of a burst
    are still held for a key whose probe has not come back."""
    from time import monotonic

    from textual import events

    from insterm.tui import key_order

    monkeypatch.setattr(key_order, "GIVE_UP_AFTER", 60.0)
    quits: list[str] = []

    async def quit_spy() -> None:
        quits.append("quit")

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app, "action_quit", quit_spy)
        field = app.screen.query_one("#search-field")
        # A key on its way whose widget still lives: the keys after it are held.
        app._key_on_its_way, app._key_sent_at, app._key_target = 997, monotonic(), field
        burst(app, "MARTIN")
        app.post_message(events.Key("f10", None))
        await pilot.pause(0.1)
        assert quits == ["quit"]
        assert len(app._keys_waiting) == len("MARTIN")  # still held, in order
        app.post_message(events.Key("ctrl+q", "\x11"))
        await pilot.pause(0.1)
        assert quits == ["quit", "quit"]
        assert [key.character for key in app._keys_waiting] == list("MARTIN")
        monkeypatch.setattr(key_order, "GIVE_UP_AFTER", 0.0)  # the held keys go out now
        await drained(pilot)
        assert field.value == "MARTIN"
