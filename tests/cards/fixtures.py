"""One real pcscd for the card tests of this process (session scope; a plugin of tests/conftest.py,
so that tests/tui shares it), with vsmartcard's vpcd
driver on two free TCP ports (two readers: "Virtual PCD 00 00" and "... 00 01").

pcscd 1.9.9 always listens on /run/pcscd/pcscd.comm (it ignores PCSCLITE_CSOCK_NAME), so it is
started in a private mount namespace (`unshare -m`) where /run/pcscd is a folder of the test:
its socket is then that folder's pcscd.comm, which the tests reach through PCSCLITE_CSOCK_NAME
(the route insterm supports for `ssh -R`). Each xdist worker has its own pcscd, ports and socket.
It is stopped by its PID.

libpcsclite reads PCSCLITE_CSOCK_NAME once per process, at its first call, and keeps it: so the
variable is set when pytest starts (`pytest_configure`) to the path this process's pcscd will
have. A PC/SC call made before the fixture (the settings screen looking at the readers) then
finds no pcscd there, as on a machine without one, instead of locking the process onto
/run/pcscd/pcscd.comm; and no test ever reaches a pcscd of the machine.
Where pcscd, vpcd, pyscard or unshare are missing, the tests skip and say which.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


@dataclass(frozen=True)
class Pcscd:
    pid: int
    socket: str
    ports: tuple[int, int]
    readers: tuple[str, str]


_RUN: Path | None = None  # this process's pcscd folder (its socket: pcscd.comm)
_PREVIOUS = os.environ.get("PCSCLITE_CSOCK_NAME")


def pytest_configure(config: pytest.Config) -> None:
    global _RUN
    _RUN = Path(tempfile.mkdtemp(prefix="insterm-pcscd-"))
    os.environ["PCSCLITE_CSOCK_NAME"] = str(_RUN / "pcscd.comm")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _RUN is not None:
        shutil.rmtree(_RUN, ignore_errors=True)
    if _PREVIOUS is None:
        os.environ.pop("PCSCLITE_CSOCK_NAME", None)
    else:
        os.environ["PCSCLITE_CSOCK_NAME"] = _PREVIOUS


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port >= 65535:
            continue
        with socket.socket() as a, socket.socket() as b:
            try:
                a.bind(("0.0.0.0", port))
                b.bind(("0.0.0.0", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two free consecutive TCP ports")


def _readers() -> list[str]:
    from smartcard.System import readers

    return [str(r) for r in readers()]


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    try:
        import smartcard.System  # noqa: F401
    except ImportError:
        pytest.skip("pyscard n'est pas installé (extra cards ou test) : tests des lecteurs sautés")
    pcscd_bin = shutil.which("pcscd") or ("/usr/sbin/pcscd" if Path("/usr/sbin/pcscd").exists()
                                          else None)
    if pcscd_bin is None:
        pytest.skip("pcscd absent (paquet Debian pcscd) : tests des lecteurs sautés")
    if not VPCD_DRIVER.exists():
        pytest.skip("pilote vpcd absent (paquet Debian vsmartcard-vpcd) : tests des lecteurs sautés")
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        pytest.skip("un pcscd privé demande root et unshare (espace de montage à part)")
    base = tmp_path_factory.mktemp("pcscd")
    conf = base / "reader.conf.d"
    conf.mkdir()
    assert _RUN is not None, "pytest_configure of tests.cards.fixtures did not run"
    run = _RUN
    port = _free_port_pair()
    (conf / "vpcd").write_text(
        f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{port:X}\n'
        f"LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{port:X}\n")
    Path("/run/pcscd").mkdir(parents=True, exist_ok=True)
    log = (base / "pcscd.log").open("wb")
    process = subprocess.Popen(
        [unshare, "-m", "sh", "-c",
         f'mount --bind "{run}" /run/pcscd && exec "{pcscd_bin}" -f -c "{conf}"'],
        stdout=log, stderr=subprocess.STDOUT)
    sock = str(run / "pcscd.comm")
    os.environ["PCSCLITE_CSOCK_NAME"] = sock
    try:
        deadline = time.monotonic() + 15
        names: list[str] = []
        while time.monotonic() < deadline and process.poll() is None:
            if Path(sock).exists():
                with contextlib.suppress(Exception):
                    names = _readers()
                if len(names) >= 2:
                    break
            time.sleep(0.02)
        if len(names) < 2:
            process.kill()
            process.wait()
            pytest.skip(f"pcscd privé non démarré ({(base / 'pcscd.log').read_text()[-300:]!r})")
        yield Pcscd(process.pid, sock, (port, port + 1), (names[0], names[1]))
    finally:
        stop_process(process)
        log.close()


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a process the test started: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition, timeout: float = 10.0, step: float = 0.01):  # type: ignore[no-untyped-def]
    """Poll `condition()` until it is truthy (its value) or `timeout` (AssertionError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")
