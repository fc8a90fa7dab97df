"""Fixtures of the TUI tests: a real SQLite practice through `Clinic`, and the app on it.

    async def test_something(app, practice, clinic):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*"MARTIN")
            await settle(pilot)
            ...  # assert on the screen, then on the database (clinic) and the audit log

`async def` tests run on asyncio through the hook below (no plugin needed).
"""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from insterm.clinic import Clinic

from .insi_support import MASTER
from .support import TODAY, Practice, build_practice, quiet


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        kwargs = {name: pyfuncitem.funcargs[name] for name in names}
        asyncio.run(pyfuncitem.obj(**kwargs))
        return True
    return None


@pytest.fixture(scope="session", autouse=True)
def _pilot_waits_for_conditions() -> Iterator[None]:
    """Pilot's waits after each key and pause() end when the app has nothing left to do
    (support.quiet) instead of when the process has looked idle for 20 ms."""
    import textual.app
    import textual.pilot

    saved = textual.app.wait_for_idle, textual.pilot.wait_for_idle
    textual.app.wait_for_idle = textual.pilot.wait_for_idle = quiet
    yield
    textual.app.wait_for_idle, textual.pilot.wait_for_idle = saved


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cabinet.sqlite3"


@pytest.fixture(scope="session")
def practice_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Practice]:
    """The practice database, built once per worker through the real `Clinic`."""
    path = tmp_path_factory.mktemp("practice-template") / "cabinet.sqlite3"
    with Clinic.open(path, create=True, today=lambda: TODAY) as opened:
        made = build_practice(opened)
    return path, made


@pytest.fixture
def clinic(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Clinic]:
    """The test's own database: a copy of the practice template when the test asks for
    `practice`, else a new empty one."""
    if "practice" in request.fixturenames:
        template, _ = request.getfixturevalue("practice_template")
        with sqlite3.connect(template) as source, sqlite3.connect(db_path) as copy:
            source.backup(copy)
        source.close()
        copy.close()
    with Clinic.open(db_path, create=True, today=lambda: TODAY) as opened:
        yield opened


@pytest.fixture
def practice(clinic: Clinic, practice_template: tuple[Path, Practice]) -> Practice:
    """The practice of support.build_practice, in `clinic` (copied from the template)."""
    return practice_template[1]


@pytest.fixture
def app(clinic: Clinic, practice: Practice):  # type: ignore[no-untyped-def]
    """The app on the practice, working as `sophie`, default look (no animation, no blink)."""
    from insterm.tui.app import InstermApp
    from insterm.tui.look import TerminalLook

    return InstermApp(clinic, os_login="sophie",
                      look=TerminalLook(ascii=False, theme="textual-dark", animations="none"))


# --------------------------------------------------------------------------------------------
# The INSi screens (tests/tui/insi_support.py): simulator, keyring, the clinic wired to
# them, the app


@pytest.fixture(scope="module")
def keyring_made(tmp_path_factory: pytest.TempPathFactory, authority):  # type: ignore[no-untyped-def]
    """A real encrypted file keyring (Argon2: seconds to open) holding the simulator
    certificate's passphrase, made once for the module: (its XDG data folder, the backend)."""
    import keyring

    from insterm import secrets
    from insterm.usecases import insi_keyring

    home = tmp_path_factory.mktemp("xdg-keyring")
    previous = keyring.get_keyring()
    backend = secrets.open_cryptfile(MASTER, xdg_data_home=home)
    secrets.use_backend(backend)
    secrets.set_secret(insi_keyring.SIMULATOR_PASSPHRASE, authority[1])
    secrets.reset_backend()
    keyring.set_keyring(previous)
    return home, backend


@pytest.fixture
def keyring_open(monkeypatch: pytest.MonkeyPatch, keyring_made):  # type: ignore[no-untyped-def]
    """The module's keyring, open (its file in this test's XDG data folder)."""
    from insterm import secrets

    home, backend = keyring_made
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    secrets.use_backend(backend)
    return backend


@pytest.fixture
def simulator(authority):  # type: ignore[no-untyped-def]
    from insterm.insi.simulator import Simulator

    with Simulator(authority[0]) as running:
        yield running


@pytest.fixture
def insi(clinic: Clinic, practice, simulator, keyring_open) -> Clinic:  # type: ignore[no-untyped-def]
    """The practice's clinic, reaching the simulator with the keyring's passphrase."""
    clinic.configure_insi(simulator=simulator)
    yield clinic
    clinic.insi_runtime.close()


@pytest.fixture
def qapp(insi: Clinic):  # type: ignore[no-untyped-def]
    from insterm.tui.app import InstermApp
    from insterm.tui.look import TerminalLook

    return InstermApp(insi, os_login="sophie",
                      look=TerminalLook(ascii=False, theme="textual-dark", animations="none"))
