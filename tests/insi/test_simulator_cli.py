"""`insterm insi-sim`: --setup (certificates + passphrase in the real encrypted keyring) and the
foreground server (a subprocess stopped by its PID with SIGINT)."""

from __future__ import annotations

import argparse
import io
import os
import queue
import re
import secrets as stdlib_secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree

from insterm import secrets
from insterm.commands import insi_sim
from insterm.insi.simulator import TestAuthority
from insterm.insi.simulator.authority import p12_to_pem_files

from .test_simulator_support import traits_request

RUNNER = (
    "import argparse, sys\n"
    # the tests' cheap Argon2 for the keyring (tests/conftest.py): the library's cost is not
    # what these tests are about, and it costs seconds a process
    "from keyrings.cryptfile.cryptfile import ArgonAESEncryption\n"
    "ArgonAESEncryption.time_cost, ArgonAESEncryption.memory_cost = 1, 2**10\n"
    "from insterm.commands import insi_sim\n"
    "parser = argparse.ArgumentParser()\n"
    "insi_sim.configure(parser)\n"
    "sys.exit(insi_sim.run(parser.parse_args(sys.argv[1:])))\n"
)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    insi_sim.configure(parser)
    return parser.parse_args(argv)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(insi_sim.STATE_DIR_ENV, raising=False)
    secrets.reset_backend()
    yield
    secrets.reset_backend()


def test_default_state_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from platformdirs import user_data_dir

    assert insi_sim.default_state_dir() == Path(user_data_dir("insterm")) / "insi-sim"
    monkeypatch.setenv(insi_sim.STATE_DIR_ENV, str(tmp_path / "env"))
    assert insi_sim.default_state_dir() == tmp_path / "env"
    assert parse("--state-dir", str(tmp_path / "arg")).state_dir == tmp_path / "arg"
    assert parse().port == insi_sim.DEFAULT_PORT


def test_setup_puts_the_passphrase_in_the_keyring_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    master = stdlib_secrets.token_urlsafe(12)
    state = tmp_path / "state"
    monkeypatch.setattr(sys, "stdin", io.StringIO(master + "\n"))
    assert insi_sim.run(parse("--setup", "--state-dir", str(state))) == 0
    passphrase = secrets.get_secret(secrets.INSI_CERT_PASSPHRASE)
    authority = TestAuthority(state)
    pkcs12.load_key_and_certificates(authority.client_p12.read_bytes(), passphrase.encode())
    out, err = capsys.readouterr()
    assert "Simulateur INSi prêt" in out and str(authority.ca_cert) in out
    assert passphrase not in out + err and master not in out + err
    for path in list(state.rglob("*")) + list((tmp_path / "xdg").rglob("*")):
        if path.is_file():
            assert passphrase.encode() not in path.read_bytes(), path

    # Again: nothing changes (same certificate, same passphrase).
    p12 = authority.client_p12.read_bytes()
    secrets.reset_backend()
    monkeypatch.setattr(sys, "stdin", io.StringIO(master + "\n"))
    assert insi_sim.run(parse("--setup", "--state-dir", str(state))) == 0
    assert authority.client_p12.read_bytes() == p12
    assert secrets.get_secret(secrets.INSI_CERT_PASSPHRASE) == passphrase

    # Another keyring (say another user): the certificate is issued again for it.
    secrets.reset_backend()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "other-xdg"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(master + "\n"))
    assert insi_sim.run(parse("--setup", "--state-dir", str(state))) == 0
    renewed = secrets.get_secret(secrets.INSI_CERT_PASSPHRASE)
    assert renewed != passphrase
    pkcs12.load_key_and_certificates(authority.client_p12.read_bytes(), renewed.encode())
    assert "émis à nouveau" in capsys.readouterr().out


def test_setup_with_a_wrong_master_password_fails_in_french(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    master = stdlib_secrets.token_urlsafe(12)
    secrets.select_backend(master)  # creates the encrypted keyring
    secrets.reset_backend()
    monkeypatch.setattr(sys, "stdin", io.StringIO("not-" + master + "\n"))
    assert insi_sim.run(parse("--setup", "--state-dir", str(tmp_path / "state"))) == 2
    err = capsys.readouterr().err
    assert "Mot de passe maître incorrect" in err and master not in err
    assert not (tmp_path / "state").exists()


@pytest.mark.slow
def test_foreground_simulator_serves_until_interrupted(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from keyrings.cryptfile.cryptfile import ArgonAESEncryption

    # the same cheap Argon2 as the RUNNER process (the slow marker restored the library's)
    monkeypatch.setattr(ArgonAESEncryption, "time_cost", 1)
    monkeypatch.setattr(ArgonAESEncryption, "memory_cost", 2**10)
    master = stdlib_secrets.token_urlsafe(12)
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "--port", "0", "--state-dir", str(state)],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                              daemon=True)
    reader.start()
    try:
        process.stdin.write(master + "\n")
        process.stdin.close()
        url = None
        while url is None:
            line = lines.get(timeout=60)
            found = re.search(r"à l'écoute sur (https://127\.0\.0\.1:\d+/lps)", line)
            url = found.group(1) if found else None

        secrets.select_backend(master, xdg_data_home=tmp_path / "xdg")
        passphrase = secrets.get_secret(secrets.INSI_CERT_PASSPHRASE)
        authority = TestAuthority(state)
        cert = p12_to_pem_files(authority.client_p12, passphrase, tmp_path / "pem")
        reply = requests.post(
            url, data=traits_request("PERSONNE", "INCONNUE", "F", "1990-01-01"),
            headers={"Content-Type": "application/soap+xml"},
            cert=tuple(map(str, cert)), verify=str(authority.ca_cert), timeout=15,
        )
        assert reply.status_code == 200
        code = etree.fromstring(reply.content).findtext(
            ".//{http://www.cnamts.fr/INSiResultat}CodeCR")
        assert code == "01"
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    reader.join(10)  # the pipe closed with the process: every line is in the queue
    rest = ""
    while not lines.empty():
        rest += lines.get()
    stderr = process.stderr.read()
    assert process.returncode == 0, stderr
    assert "Simulateur arrêté" in rest
    assert passphrase not in rest + stderr and master not in rest + stderr
    assert "requête INSi -> 200 01" in stderr  # the request log line
