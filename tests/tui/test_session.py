"""Who is working: OS login mapping, choice at start, first administrator, and the operator
named in the audit log of what they do."""

from __future__ import annotations

from insterm.clinic import Clinic
from insterm.tui.app import InstermApp
from insterm.tui.look import TerminalLook
from insterm.tui.screens.record import RecordScreen

from .support import audit_actions, settle

LOOK = TerminalLook(ascii=False, theme="textual-dark", animations="none")


async def test_the_os_login_of_an_operator_opens_their_session(clinic, practice) -> None:
    app = InstermApp(clinic, os_login="sophie", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.operator is not None and app.operator.login == "sophie"
        assert type(app.screen).__name__ == "SearchScreen"


async def test_an_unknown_os_login_asks_who_works_and_the_choice_is_audited(clinic, practice):
    app = InstermApp(clinic, os_login="nobody", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "OperatorPickModal"
        assert app.operator is None
        await pilot.press("escape")  # nobody chosen yet: the choice stays
        assert type(app.screen).__name__ == "OperatorPickModal"
        await pilot.press("down", "enter")  # admin, then sophie (sorted by login)
        await settle(pilot)
        assert app.operator is not None and app.operator.login == "sophie"
        app.push_screen(RecordScreen(practice.martin))
        await settle(pilot)
        await pilot.press("f6", "h")  # the attributes dialog: homonym
        await settle(pilot)
        await pilot.press("f2")  # confirmed
        await settle(pilot)
    assert audit_actions(clinic, practice.martin)[-1] == ("attribute_set", "sophie")


async def test_an_unknown_operator_option_warns_and_asks(clinic, practice) -> None:
    app = InstermApp(clinic, operator_login="ghost", os_login="", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "OperatorPickModal"
        assert any("« ghost » est inconnu" in n.message for n in app._notifications)


async def test_no_write_without_an_operator(clinic, practice) -> None:
    app = InstermApp(clinic, os_login="nobody", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        from insterm.usecases.errors import PermissionRefused

        try:
            _ = app.actor
        except PermissionRefused as refused:
            assert "Aucun opérateur" in refused.message
        else:  # pragma: no cover
            raise AssertionError("an actor without an operator")


async def test_first_run_creates_the_administrator(tmp_path) -> None:
    with Clinic.open(tmp_path / "new.sqlite3", create=True) as clinic:
        app = InstermApp(clinic, os_login="", look=LOOK)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert type(app.screen).__name__ == "BootstrapAdminModal"
            login = app.screen.query_one("#bootstrap-login")
            login.focus()
            login.value = ""
            await pilot.press(*"Bad Login", "tab", *"Marie Dupont", "enter")
            await settle(pilot)
            assert type(app.screen).__name__ == "BootstrapAdminModal"  # refused, explained
            assert "Identifiant" in str(app.screen.query_one("#bootstrap-error").render())
            login.value = "mdupont"
            await pilot.press("f2")
            await settle(pilot)
            assert type(app.screen).__name__ == "SearchScreen"
            assert app.operator is not None and app.operator.login == "mdupont"
        operators = clinic.operators()
        assert [(o.login, o.role) for o in operators] == [("mdupont", "admin")]
        assert audit_actions(clinic) == [("operator_bootstrap", "mdupont")]


async def test_change_of_operator_from_the_palette(app, clinic, practice) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Changer d'op")
        await settle(pilot)  # the palette gathers its commands in a worker
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "OperatorPickModal"
        await pilot.press("home", "enter")  # admin
        await settle(pilot)
        assert app.operator.login == "admin"
        assert "Alice Admin" in app.sub_title
