"""Measurements of the terminal application for `scripts/bench`.

- `start_to_first_screen_seconds(app="insterm"|"bare", db_path=..., runs=5)`: median wall time
  from starting a fresh Python process to the first frame of the home screen sent to the
  terminal (headless, 80x24). "bare" is a plain Textual app with the same widgets as the
  search screen (Header, Input, Static, the results table with the same columns, Footer) and
  no database, clinic or screen of insterm: the budget is insterm <= 1.2 x bare.
- `keystroke_to_results_seconds(db_path, queries)`: p95 of the time from the last keystroke of
  each query (typed after a pause) to the first frame sent to the terminal with its results in
  the table, in process, on the real search screen. Fast typing is debounced (80 ms), which
  this does not measure.
- `resident_memory_mb(db_path)`: peak resident memory of a process that opened the app on the
  database and ran one search.
- `bytes_over_terminal(db_path, name)`: the bytes `insterm` writes to a real pseudo-terminal
  (pty.fork, 80x24, TERM=xterm-256color) for its first screen, then for each key of `name`
  typed once the previous repaint has settled: what an SSH link carries.

`db_path` must exist and hold an operator whose login is given (`operator`, default: the first
active operator).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_CHILD = r'''
import json, sys, time
started = float(sys.argv[1])
kind, db, operator, query = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
sys.path.insert(0, sys.argv[6])  # the repository, for the benchmarks package
from benchmarks.tui_measure import _run_child
_run_child(started, kind, db, operator, query)
'''


def _bare_app() -> Any:
    """A plain Textual app with the search screen's widgets: Textual's own, and the results
    table (a small widget of ours that imports only Textual and Rich), with the same columns.
    No database, no clinic, no insterm screen."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Input, Static

    from insterm.tui.widgets.results_table import ResultsTable

    columns = [("Nom de naissance", 18), ("1er prénom", 13), ("Né(e) le", 10), ("Sexe", 4),
               ("Statut", 10), ("Att", 3), ("Matricule INS", 15)]

    class BareApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Header(show_clock=False, icon="")
            yield Input(placeholder="Nom prénom date, matricule, IPP, date, datamatrix",
                        compact=True)
            yield Static("Tapez un nom")
            yield ResultsTable(columns)
            yield Static("")
            yield Footer(compact=True)

    return BareApp()


def _peak_rss_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _run_child(started: float, kind: str, db: str, operator: str, query: str) -> None:
    """In the measured process: start the app, note its first frame, optionally search, exit.

    "First frame": the first screen update the app sends to the terminal once the home screen
    is up (`App._display`, which every frame goes through), for both apps alike."""
    result: dict[str, float] = {}

    if kind == "bare":
        app = _bare_app()
        home: Any = None  # the bare app's own default screen
    else:
        from insterm.clinic import Clinic
        from insterm.tui.app import InstermApp
        from insterm.tui.screens.search import SearchScreen

        clinic = Clinic.open(db)
        app = InstermApp(clinic, os_login=_os_login_of(clinic, operator))
        home = SearchScreen
    original_display = app._display

    def display(screen: Any, update: Any) -> None:
        original_display(screen, update)
        if update is None or "first_screen" in result:
            return
        if home is not None and not isinstance(screen, home):
            return
        result["first_screen"] = time.time() - started
        if query:
            app.screen.query_one("#search-field").value = query
            app.set_timer(0.5, app.exit)
        else:
            app.call_later(app.exit)

    app._display = display  # wraps Textual's private frame hook
    app.run(headless=True, size=(80, 24))
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def _os_login_of(clinic: Any, operator: str) -> str:
    """The OS account `operator` signs in by: the app is given it, as if run from it."""
    for candidate in clinic.operators():
        if candidate.login == operator and candidate.os_login:
            return str(candidate.os_login)
    raise RuntimeError(f"operator {operator!r} signs in by no OS account")


def _first_operator(db_path: str | os.PathLike[str]) -> str:
    from insterm.clinic import Clinic

    with Clinic.open(db_path) as clinic:
        for operator in clinic.operators():
            if operator.active:
                return operator.login
    raise RuntimeError(f"{db_path}: no active operator")


def _child(kind: str, db_path: str | os.PathLike[str] | None, operator: str,
           query: str = "") -> dict[str, float]:
    env = dict(os.environ, TEXTUAL_ANIMATIONS="none")
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, repr(started), kind, str(db_path or ""), operator, query,
         str(Path(__file__).resolve().parent.parent)],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"measured process failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_to_first_screen_seconds(app: str = "insterm",
                                  db_path: str | os.PathLike[str] | None = None, *,
                                  runs: int = 5, operator: str | None = None) -> float:
    """Median seconds from process start to the first screen (see the module docstring)."""
    if app not in ("insterm", "bare"):
        raise ValueError("app is 'insterm' or 'bare'")
    if app == "insterm":
        if db_path is None:
            raise ValueError("insterm needs db_path")
        operator = operator or _first_operator(db_path)
    times = [_child(app, db_path, operator or "")["first_screen"] for _ in range(runs)]
    return statistics.median(times)


def resident_memory_mb(db_path: str | os.PathLike[str], query: str = "MARTIN", *,
                       operator: str | None = None) -> float:
    """Peak resident memory (MB) of the app opened on `db_path` after one search."""
    return _child("insterm", db_path, operator or _first_operator(db_path), query)["peak_rss_mb"]


def keystroke_to_results(db_path: str | os.PathLike[str], queries: list[str], *,
                         operator: str | None = None) -> dict[str, float]:
    """Per query: type all but the last character, wait, press the last one, time until the
    results table is refreshed (painted) for the full text. Returns p50, p95, max of that
    (seconds), `filled_p95` (until the table holds the rows, before the repaint), count."""
    import asyncio

    operator = operator or _first_operator(db_path)
    samples = asyncio.run(_keystrokes(Path(db_path), queries, operator))

    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)]

    painted = [p for _, p in samples]
    filled = [f for f, _ in samples]
    return {"p50": statistics.median(painted), "p95": p95(painted), "max": max(painted),
            "filled_p95": p95(filled), "count": float(len(samples))}


def keystroke_to_results_seconds(db_path: str | os.PathLike[str], queries: list[str], *,
                                 operator: str | None = None) -> float:
    """p95 seconds from a keystroke to the refreshed results (see `keystroke_to_results`)."""
    return keystroke_to_results(db_path, queries, operator=operator)["p95"]


async def _keystrokes(db_path: Path, queries: list[str],
                      operator: str) -> list[tuple[float, float]]:
    import asyncio

    from textual.widgets import Input

    from insterm.clinic import Clinic
    from insterm.tui.app import InstermApp

    samples: list[tuple[float, float]] = []
    with Clinic.open(db_path) as clinic:
        app = InstermApp(clinic, os_login=_os_login_of(clinic, operator))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.2)
            screen: Any = app.screen  # the search screen, whose private hooks are wrapped
            field = screen.query_one("#search-field", Input)
            original_show, original_failed = screen._show, screen._failed
            marks: dict[str, float] = {}

            def timed(original: Any) -> Any:
                def wrapper(generation: int, value: Any) -> None:
                    original(generation, value)
                    if generation == screen._generation:
                        now = time.perf_counter()
                        marks.setdefault("filled", now)
                        if screen._table.changed_lines == 0:  # the same rows: no repaint
                            marks.setdefault("shown", now)
                return wrapper

            # "Painted": the first frame the app sends to the terminal once the rows are in the
            # table (Textual's App._display, which every screen update goes through). A
            # callback after refresh is not enough: it may run before the table's repaint.
            original_display = getattr(app, "_display", None)
            if original_display is None:
                raise RuntimeError("textual: App._display is gone; adapt the measurement")

            def display(target: Any, update: Any) -> None:
                original_display(target, update)
                if update is not None and "filled" in marks:
                    marks.setdefault("shown", time.perf_counter())

            app._display = display  # type: ignore[assignment]  # wraps Textual's private frame hook

            screen._show = timed(original_show)
            screen._failed = timed(original_failed)
            for query in queries:
                if len(query) < 2:
                    continue
                field.value = query[:-1]
                field.cursor_position = len(field.value)
                await pilot.pause(0.15)
                await app.workers.wait_for_complete()
                await pilot.pause(0.15)  # a pause: the next keystroke is not debounced
                marks.clear()
                started = time.perf_counter()
                await pilot.press(query[-1] if query[-1] != " " else "space")
                for _ in range(5000):
                    if "shown" in marks:
                        break
                    await asyncio.sleep(0.0005)
                else:
                    raise RuntimeError(f"no results shown for {query!r}")
                samples.append((marks["filled"] - started, marks["shown"] - started))
    return samples


# ---------------------------------------------------------------- bytes over a terminal

def _read_until_quiet(fd: int, quiet: float, limit: float) -> bytes:
    """Everything the terminal receives until nothing came for `quiet` seconds (a repaint has
    settled), or `limit` seconds in all."""
    import select

    chunks: list[bytes] = []
    deadline = time.monotonic() + limit
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], min(quiet, left))
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def bytes_over_terminal(db_path: str | os.PathLike[str], name: str, *,
                        operator: str | None = None, size: tuple[int, int] = (80, 24),
                        env: dict[str, str] | None = None,
                        quiet: float = 0.4) -> dict[str, Any]:
    """Run `insterm` in a real pseudo-terminal of `size` (columns, rows) on `db_path`, wait for
    the first screen, type `name` one key at a time (each after the previous repaint settled:
    no debounce, one search a key), then quit. Returns the bytes the application wrote:
    `first_screen`, `keys` (one count a keystroke), `mean`, `max`."""
    import fcntl
    import pty
    import struct
    import termios

    operator = operator or _first_operator(db_path)
    columns, rows = size
    child_env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES=str(rows),
                     **(env or {}))
    for variable in ("TEXTUAL", "NO_COLOR"):  # what the calling terminal may have set
        child_env.pop(variable, None)
    argv = [sys.executable, "-m", "insterm", "--db", str(db_path), "--operateur", operator]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the application on the pseudo-terminal's slave side
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.execve(sys.executable, argv, child_env)
        finally:
            os._exit(127)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        first = _read_until_quiet(fd, max(quiet, 1.5), 60)
        if "prénom date".encode() not in first:  # the search placeholder, not a sign-in
            raise RuntimeError("the application did not open on the search screen (is the "
                               f"operator {operator!r} mapped to this OS account?)")
        keys = []
        for key in name:
            os.write(fd, key.encode())
            keys.append(len(_read_until_quiet(fd, quiet, 10)))
        os.write(fd, b"\x11")  # ctrl+q
        _read_until_quiet(fd, 0.5, 5)
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have quit on ctrl+q already
            os.kill(pid, 15)
        os.waitpid(pid, 0)
        os.close(fd)
    return {"first_screen": len(first), "keys": keys, "mean": statistics.mean(keys),
            "max": max(keys)}
