"""`insterm insi verifier-lot` as a process, unattended (the keyring's master password from a
file, the OS account mapped to the operator), against the simulator over HTTPS: its exit codes,
its report CSV, and Ctrl+C stopping it after the identity in progress."""

from __future__ import annotations

import csv
import getpass
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from insterm.config import update_settings_file
from tests.batch_people import people
from tests.test_batch_verification import MASTER, World, world  # noqa: F401  # the fixture

pytestmark = pytest.mark.slow  # processes (with the keyring's real Argon2 cost)


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


@pytest.fixture
def command(world: World, tmp_path: Path, authority):  # type: ignore[no-untyped-def]  # noqa: F811
    """The command line of this practice: settings file naming the simulator, the master
    password in a file, the OS account running the tests mapped to an operator."""
    update_settings_file({"insi": {"simulator_url": world.simulator.url,
                                   "simulator_dir": str(authority[0].state_dir)}})
    secret = tmp_path / "trousseau"
    secret.write_text(MASTER + "\n", encoding="utf-8")
    secret.chmod(0o600)
    world.clinic.add_operator("admin", "claire", "Claire Cron", os_login=getpass.getuser())
    db = str(world.clinic.conn.execute("PRAGMA database_list").fetchone()[2])
    return [sys.executable, "-m", "insterm", "insi", "verifier-lot", "--db", db,
            "--mot-de-passe-fichier", str(secret)]


def run(command: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_exit_codes_and_the_report(world: World, command: list[str], tmp_path: Path) -> None:  # noqa: F811
    ids = world.add([p for p in people(16) if p.kind != "fault"])
    update_settings_file({"insi": {"batch_rate": 50.0}})
    report = tmp_path / "rapport.csv"
    done = run(command, "--rapport", str(report))
    assert done.returncode == 3, done.stderr  # all answered, some for a person
    assert "14/14 identité(s)" in done.stdout  # the plain progress line (not a terminal)
    assert "Confirmés et appliqués" in done.stdout and "Reste(nt) à vérifier : 0." in done.stdout
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["IPP", "Nom", "Résultat"] and len(rows) == 1 + len(ids)
    outcomes = {row[0]: row[2] for row in rows[1:]}
    for identity_id, person in ids.items():
        ipp = world.clinic.get(identity_id).ipp
        assert outcomes[ipp] == {"confirmed": "confirmé, appliqué", "traits": "à revoir",
                                 "other_ins": "à revoir", "unknown": "non trouvé"}[person.kind]
    assert not any(p.received in report.read_text(encoding="utf-8-sig") for p in ids.values())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".rapport")] == []

    nothing = run(command)
    assert nothing.returncode == 0 and "Reste(nt) à vérifier : 0." in nothing.stdout

    world.add([p for p in people(8, start=100) if p.kind == "fault"])
    left = run(command)
    assert left.returncode == 1 and "Reste(nt) à vérifier : 1." in left.stdout

    future = run(command, "--qualifiees-avant", "01/01/2999")
    assert future.returncode == 2 and "futur" in future.stderr


def test_ctrl_c_stops_after_the_identity_in_progress(world: World, command: list[str]) -> None:  # noqa: F811
    added = len(world.add([p for p in people(40) if p.kind == "confirmed"]))
    update_settings_file({"insi": {"batch_rate": 5.0}})
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 60
        while len(world.simulator.handled) < 3:  # under way
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, err
    assert "Arrêt demandé" in err and "Traceback" not in err
    left = world.clinic.received_ins_waiting()
    assert 0 < left < added and f"Reste(nt) à vérifier : {left}." in out
    calls = world.calls()
    assert len(calls) == added - left and set(calls.values()) == {1}  # none cut in the middle
    assert os.environ.get("INSTERM_DB") is None


def test_a_terminal_gets_a_progress_bar(world: World, command: list[str]) -> None:  # noqa: F811
    import pty

    added = len(world.add([p for p in people(16) if p.kind == "confirmed"]))
    update_settings_file({"insi": {"batch_rate": 50.0}})
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(command, stdout=follower, stderr=follower,
                                   stdin=subprocess.DEVNULL,
                                   env={**os.environ, "TERM": "xterm", "COLUMNS": "100"})
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
    finally:
        os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "Vérification" in shown and f"{added}/{added}" in shown and "/s, reste" in shown
    assert "━" in shown  # the bar itself
    assert f"{added} identité(s) traitée(s) sur {added}" in shown
