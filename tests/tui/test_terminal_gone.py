"""The application quits when its terminal is gone, even when no SIGHUP reaches it (a dropped
SSH link under `su -`: the app kept running on the hung-up terminal, a core at 50 %, its
database connection open). Real parts: a pseudo-terminal, the real `insterm` process, a real
SQLite file; the process ignores SIGHUP as it did there."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _read_until(fd: int, text: bytes, deadline: float) -> bytes:
    seen = b""
    while text not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{text!r} never appeared: {seen[-400:]!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


@pytest.mark.processes
def test_the_application_quits_when_its_terminal_hangs_up(tmp_path: Path) -> None:
    db = tmp_path / "cabinet.sqlite3"
    env = dict(os.environ, INSTERM_SETTINGS=str(tmp_path / "settings.toml"),
               PYTHONPATH=str(ROOT), TERM="xterm-256color")
    made = subprocess.run([sys.executable, "-m", "insterm", "db", "init", "--admin", "alice",
                           "--compte-du-poste", "--db", str(db)], env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert made.returncode == 0, made.stderr
    pid, fd = pty.fork()
    if pid == 0:  # the child: SIGHUP ignored (inherited through exec), then the application
        try:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            os.execve(sys.executable, [sys.executable, "-m", "insterm", "--db", str(db)], env)
        finally:
            os._exit(127)
    try:
        _read_until(fd, "Opérateur".encode(), time.monotonic() + 60)
    finally:
        os.close(fd)  # the terminal is gone
    deadline = time.monotonic() + 30
    done = 0
    while time.monotonic() < deadline:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.2)  # polling the child's exit, not waiting for a fixed time
    if not done:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    assert done, "insterm kept running after its terminal hung up"
