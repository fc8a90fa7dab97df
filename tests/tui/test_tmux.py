"""The demo in a real terminal: started inside tmux (its own server socket), driven with
send-keys, its screen read with capture-pane: search, open a record, quit. The test starts
and kills its own tmux server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TMUX = shutil.which("tmux")


class Terminal:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        return subprocess.run([TMUX, "-L", self.socket, *args], check=True,  # type: ignore[list-item]
                              capture_output=True, text=True, timeout=30).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "demo", *keys)

    def wait_for(self, text: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; screen:\n{screen}")
            time.sleep(0.2)


@pytest.fixture
def terminal(tmp_path: Path):  # type: ignore[no-untyped-def]
    if TMUX is None:
        pytest.skip("tmux absent (scripts/debian-packages.txt)")
    term = Terminal(f"insterm-test-{os.getpid()}")
    yield term
    subprocess.run([TMUX, "-L", term.socket, "kill-server"], capture_output=True, timeout=30)


def test_demo_search_open_record_quit_in_tmux(terminal: Terminal, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    command = (f"cd {tmp_path} && {sys.executable} -m insterm.commands.demo --dir {folder} "
               f"--patients 40; echo DEMO-EXIT=$?; sleep 30")
    terminal.tmux("new-session", "-d", "-s", "demo", "-x", "80", "-y", "24", command)
    terminal.wait_for("Opérateur : Démonstration")

    from insterm.clinic import Clinic

    with Clinic.open(folder / "demo.sqlite3") as clinic:
        patient = clinic.get(1)
    terminal.keys(patient.ipp)
    # The results of the whole IPP (a partial one may be shown on the way under load).
    terminal.wait_for(patient.birth_name[:11])
    screen = terminal.wait_for("(IPP)")
    assert patient.birth_name[:11] in screen
    terminal.keys("Enter")
    screen = terminal.wait_for("Historique")  # the record (the search shows the IPP too)
    assert f"IPP {patient.ipp}" in screen
    assert patient.birth_date.strftime("%d/%m/%Y") in screen
    terminal.keys("Escape")
    terminal.wait_for("Nom de naissance")
    terminal.keys("F10")
    terminal.wait_for("DEMO-EXIT=0", timeout=30)
