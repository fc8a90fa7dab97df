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
from collections.abc import Iterator
from pathlib import Path

import pytest

from insterm.clinic import Clinic

from .support import TODAY, Practice, build_practice


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        kwargs = {name: pyfuncitem.funcargs[name] for name in names}
        asyncio.run(pyfuncitem.obj(**kwargs))
        return True
    return None


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cabinet.sqlite3"


@pytest.fixture
def clinic(db_path: Path) -> Iterator[Clinic]:
    with Clinic.open(db_path, create=True, today=lambda: TODAY) as opened:
        yield opened


@pytest.fixture
def practice(clinic: Clinic) -> Practice:
    return build_practice(clinic)


@pytest.fixture
def app(clinic: Clinic, practice: Practice):  # type: ignore[no-untyped-def]
    """The app on the practice, working as `sophie`, default look (no animation, no blink)."""
    from insterm.tui.app import InstermApp
    from insterm.tui.look import TerminalLook

    return InstermApp(clinic, operator_login="sophie", os_login="",
                      look=TerminalLook(ascii=False, theme="textual-dark", animations="none"))
