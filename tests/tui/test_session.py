"""Who is working (issue 14.1): the operator mapped to the OS account signs in directly, the
others prove it with their password (counted, slowed, locked after five), the first
administrator is created with a proof, an idle session locks, and every audit event records how
its operator proved who they are."""

from __future__ import annotations

import json
import logging
from time import monotonic

import pytest

from insterm.clinic import Clinic
from insterm.tui.app import InstermApp
from insterm.tui.look import TerminalLook
from insterm.tui.screens.record import RecordScreen

from .support import audit_actions, settle

LOOK = TerminalLook(ascii=False, theme="textual-dark", animations="none")
PASSWORD = "Ch0colat-chaud"  # a test password, protecting nothing


async def wait_until(pilot, condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Pause until `condition()` holds (a timer or a worker gets it there)."""
    deadline = monotonic() + timeout
    while not condition():
        assert monotonic() < deadline, "condition never met"
        await pilot.pause(0.02)


@pytest.fixture
def marie(clinic: Clinic, practice) -> str:  # type: ignore[no-untyped-def]
    """A staff member who signs in by password (listed between admin and sophie)."""
    clinic.add_operator("admin", "marie", "Marie Dupont", password=PASSWORD,
                        password_again=PASSWORD)
    return "marie"


def screen_name(app: InstermApp) -> str:
    return type(app.screen).__name__


def error_text(app: InstermApp) -> str:
    return str(app.screen.query_one("#sign-in-error").render())


def last_auth(clinic: Clinic) -> tuple[str, str]:
    operator, details = clinic.conn.execute(
        "SELECT operator, details FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return operator, json.loads(details)["auth"]


async def set_homonym(pilot, app: InstermApp, identity_id: int) -> None:  # type: ignore[no-untyped-def]
    app.push_screen(RecordScreen(identity_id))
    await settle(pilot)
    await pilot.press("f6", "h")  # the attributes dialog: homonym
    await settle(pilot)
    await pilot.press("f2")  # confirmed
    await settle(pilot)


async def test_the_os_account_of_an_operator_opens_their_session(clinic, practice) -> None:
    app = InstermApp(clinic, os_login="sophie", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.operator is not None and app.operator.login == "sophie"
        assert screen_name(app) == "SearchScreen"
        await set_homonym(pilot, app, practice.martin)
    assert audit_actions(clinic, practice.martin)[-1] == ("attribute_set", "sophie")
    assert last_auth(clinic) == ("sophie", "os-account")


async def test_enter_alone_no_longer_signs_anyone_in(clinic, practice) -> None:
    app = InstermApp(clinic, os_login="nobody", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert screen_name(app) == "SignInModal"
        await pilot.press("escape", "f9", "ctrl+p")  # nobody chosen yet: the choice stays
        await settle(pilot)
        assert screen_name(app) == "SignInModal"
        for keys in (("home", "enter"), ("end", "enter")):  # admin, then sophie
            await pilot.press(*keys)
            await settle(pilot)
            assert screen_name(app) == "SignInModal" and app.operator is None
        assert "s'identifie par le compte du poste « sophie »" in error_text(app)
        assert app.operator is None


async def test_a_password_signs_in_and_a_wrong_one_is_counted(clinic, practice, marie,
                                                            monkeypatch) -> None:
    from insterm.domain import authentication

    monkeypatch.setattr(authentication, "failure_delay", lambda failures: 0.2)
    app = InstermApp(clinic, os_login="nobody", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("home", "down", "enter")  # marie: to her password field
        field = app.screen.query_one("#sign-in-password")
        assert app.focused is field and field.password
        await pilot.press(*"wrong-password", "enter")
        await settle(pilot)
        assert field.value == ""  # the typed password is kept nowhere
        assert "Mot de passe erroné pour Marie Dupont (marie). Encore 4 essais" in error_text(app)
        assert clinic.operators()[1].failed_attempts == 1
        await wait_until(pilot, lambda: not field.disabled)  # the pause is over
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert screen_name(app) == "SearchScreen"
        assert app.operator.login == "marie" and "Marie Dupont" in app.sub_title
        assert clinic.operators()[1].failed_attempts == 0
        await set_homonym(pilot, app, practice.martin)
    assert last_auth(clinic) == ("marie", "password")


async def test_a_password_typed_straight_away_goes_to_its_field(clinic, practice, marie
                                                               ) -> None:
    """The list has the focus, the one highlighted signs in by password: what is typed goes
    into the password field (as people type at once), not lost in the list."""
    app = InstermApp(clinic, os_login="nobody", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("home", "down")  # marie highlighted, the list still focused
        assert app.focused is app.screen.query_one("#operator-list")
        await pilot.press(*PASSWORD)
        field = app.screen.query_one("#sign-in-password")
        assert app.focused is field and field.value == PASSWORD, (field.value, app.focused)
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "SearchScreen" and app.operator.login == "marie"


async def test_five_wrong_passwords_lock_the_operator(clinic, practice, marie,
                                                      monkeypatch) -> None:
    from insterm.domain import authentication

    monkeypatch.setattr(authentication, "failure_delay", lambda failures: 0.05)
    app = InstermApp(clinic, os_login="nobody", operator_login="marie", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#sign-in-password")
        assert app.focused is field  # --operateur marie: her password asked at once
        for attempt in range(5):
            await wait_until(pilot, lambda: not field.disabled)
            await pilot.press(*f"wrong-{attempt}", "enter")
            await settle(pilot)
        assert "verrouillé après 5 mots de passe erronés" in error_text(app)
        await pilot.press(*PASSWORD, "enter")  # even the right one, while locked
        await settle(pilot)
        assert screen_name(app) == "SignInModal" and app.operator is None
        assert "verrouillé" in error_text(app)
    marie_now = clinic.operators()[1]
    assert marie_now.failed_attempts == 5 and marie_now.locked_until is not None
    assert audit_actions(clinic)[-1] == ("operator_locked", None)
    # An administrator's new password lifts the lock.
    clinic.sign_in_with_os_account("admin", "admin")
    clinic.set_operator_password("admin", "marie", "Autre-m0t-de-passe", "Autre-m0t-de-passe")
    assert clinic.sign_in_with_password("marie", "Autre-m0t-de-passe").operator.login == "marie"


async def test_the_password_is_never_stored_nor_logged(clinic, practice, marie, tmp_path,
                                                      caplog, capsys, db_path) -> None:
    caplog.set_level(logging.DEBUG)
    app = InstermApp(clinic, os_login="nobody", operator_login="marie", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert app.operator.login == "marie"
    clinic.conn.execute("PRAGMA wal_checkpoint(FULL)")
    stored = b"".join(path.read_bytes() for path in db_path.parent.glob(db_path.name + "*"))
    assert PASSWORD.encode() not in stored and b"$argon2id$" in stored
    out = capsys.readouterr()
    assert PASSWORD not in out.out + out.err + caplog.text


async def test_requested_operator_of_the_os_account_signs_in_directly(clinic, practice) -> None:
    app = InstermApp(clinic, operator_login="sophie", os_login="sophie", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.operator.login == "sophie" and screen_name(app) == "SearchScreen"


async def test_an_unknown_operator_option_warns_and_asks(clinic, practice) -> None:
    app = InstermApp(clinic, operator_login="ghost", os_login="", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert screen_name(app) == "SignInModal"
        assert any("« ghost » est inconnu" in n.message for n in app._notifications)


async def test_no_write_without_an_operator(clinic, practice) -> None:
    app = InstermApp(clinic, os_login="nobody", look=LOOK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        from insterm.usecases.errors import PermissionRefused

        with pytest.raises(PermissionRefused, match="Aucun opérateur"):
            _ = app.actor


async def test_first_run_creates_the_administrator_with_a_password(tmp_path) -> None:
    with Clinic.open(tmp_path / "new.sqlite3", create=True) as clinic:
        app = InstermApp(clinic, os_login="", look=LOOK)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert screen_name(app) == "BootstrapAdminModal"
            login = app.screen.query_one("#bootstrap-login")
            login.focus()
            await pilot.press(*"mdupont", "tab", *"Marie Dupont", "enter")
            await settle(pilot)  # no proof: refused, explained
            assert screen_name(app) == "BootstrapAdminModal"
            assert "Tapez un mot de passe" in str(app.screen.query_one("#bootstrap-error").render())
            assert clinic.operators() == []
            app.screen.query_one("#bootstrap-password").focus()
            await pilot.press(*PASSWORD, "tab", *"Ch0colat-froid", "enter")
            await settle(pilot)  # typed twice, differently
            assert "diffèrent" in str(app.screen.query_one("#bootstrap-error").render())
            assert clinic.operators() == []
            await pilot.press(*PASSWORD, "tab", *PASSWORD, "f2")
            await settle(pilot)
            assert screen_name(app) == "SearchScreen"
            assert app.operator is not None and app.operator.login == "mdupont"
        operators = clinic.operators()
        assert [(o.login, o.role, o.auth_method) for o in operators] == [
            ("mdupont", "admin", "password")]
        assert audit_actions(clinic) == [("operator_bootstrap", "mdupont")]
        assert last_auth(clinic) == ("mdupont", "password")


async def test_first_run_maps_the_administrator_to_this_os_account(tmp_path) -> None:
    with Clinic.open(tmp_path / "new.sqlite3", create=True) as clinic:
        app = InstermApp(clinic, os_login="mdupont", look=LOOK)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.screen.query_one("#bootstrap-method").value = "os-account"
            await settle(pilot)
            assert not app.screen.query_one("#bootstrap-password").display
            app.screen.query_one("#bootstrap-name").value = "Marie Dupont"
            await pilot.press("f2")
            await settle(pilot)
            assert app.operator.login == "mdupont"
        assert [(o.os_login, o.auth_method) for o in clinic.operators()] == [
            ("mdupont", "os-account")]


async def test_an_idle_session_locks_and_keeps_the_screen(clinic, practice, marie) -> None:
    app = InstermApp(clinic, os_login="nobody", operator_login="marie", look=LOOK,
                     idle_lock_seconds=2.0)  # not shorter: a loaded machine re-locks before the checks
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        record = RecordScreen(practice.martin)
        app.push_screen(record)
        await wait_until(pilot, lambda: screen_name(app) == "SignInModal")
        await settle(pilot)
        lock = app.screen
        assert lock.locked and lock.has_class("-locked")
        assert app.screen_stack[-2] is record  # what was on screen stays under the lock
        assert app.focused is lock.query_one("#sign-in-password")
        await pilot.press("escape", "f9", "ctrl+p")  # no way around it: no journal, no palette
        await settle(pilot)
        assert app.screen is lock
        await pilot.press(*"wrong-password", "enter")
        await settle(pilot)
        assert app.screen is lock and "erroné" in error_text(app)
        field = lock.query_one("#sign-in-password")
        await wait_until(pilot, lambda: not field.disabled)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert app.screen is record and app.operator.login == "marie"


async def test_change_of_operator_from_the_palette(app, clinic, practice, marie) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Changer d'op")
        await settle(pilot)  # the palette gathers its commands in a worker
        await pilot.press("enter")
        await settle(pilot)
        assert screen_name(app) == "SignInModal"
        await pilot.press("home", "enter")  # admin: not this OS account's, no password
        await settle(pilot)
        assert app.operator.login == "sophie"
        assert "Alice Admin s'identifie par le compte du poste « admin »" in error_text(app)
        await pilot.press("down", "enter", *PASSWORD, "enter")  # marie, with her password
        await settle(pilot)
        assert app.operator.login == "marie"
        assert "Marie Dupont" in app.sub_title
