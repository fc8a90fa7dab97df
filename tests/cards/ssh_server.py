"""A throwaway OpenSSH server for the `ssh -R` card tests: Debian's sshd on 127.0.0.1, a free
port, its own host key, client key and sshd_config in a test folder (public keys only, no PAM,
no password, Unix-socket forwarding allowed), stopped by its PID. `start_sshd` skips the test
and says exactly why when sshd cannot run here (binary missing, not root, port refused).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cards.fixtures import stop_process

SSHD = Path("/usr/sbin/sshd")


@dataclass(frozen=True)
class SshServer:
    pid: int
    port: int
    user: str
    folder: Path
    log: Path

    def client(self, *argv: str) -> list[str]:
        """An ssh command line for this server, using only the test's key and known host."""
        return ["ssh", "-F", "/dev/null", "-p", str(self.port),
                "-i", str(self.folder / "client_key"),
                "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
                "-o", f"UserKnownHostsFile={self.folder / 'known_hosts'}",
                "-o", "StrictHostKeyChecking=yes", "-o", "ExitOnForwardFailure=yes",
                "-o", "LogLevel=ERROR", *argv, f"{self.user}@127.0.0.1"]


def _keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "insterm-test",
                    "-f", str(path)], check=True, capture_output=True, timeout=30)
    return Path(f"{path}.pub").read_text().strip()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _banner(port: int) -> bool:
    """sshd accepts and speaks: its SSH-2.0 identification line."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as link:
            return link.recv(8).startswith(b"SSH-2.0")
    except OSError:
        return False


@contextlib.contextmanager
def start_sshd(folder: Path) -> Iterator[SshServer]:
    if not SSHD.exists():
        pytest.skip(f"sshd absent ({SSHD}, paquet Debian openssh-server) : test ssh -R sauté")
    for tool in ("ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} absent (paquet Debian openssh-client) : test ssh -R sauté")
    if os.geteuid() != 0:
        pytest.skip("sshd doit tourner en root ici (séparation des privilèges, /run/sshd) : "
                    "test ssh -R sauté")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    folder.mkdir(parents=True, exist_ok=True)
    host_public = _keygen(folder / "host_key")
    (folder / "authorized_keys").write_text(_keygen(folder / "client_key") + "\n")
    user = "root"
    port = _free_port()
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_public}\n")
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host_key'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile none\n"
        "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nStrictModes no\n"
        "AllowStreamLocalForwarding yes\nStreamLocalBindUnlink yes\n"
        "X11Forwarding no\nPrintMotd no\nLogLevel VERBOSE\n")
    log = folder / "sshd.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)],
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while not _banner(port):
            if process.poll() is not None or time.monotonic() > deadline:
                said = log.read_text(errors="replace").strip()
                if "bind" in said.lower() or "address already in use" in said.lower():
                    pytest.skip(f"sshd ne peut pas écouter sur 127.0.0.1:{port} : {said[-300:]}")
                raise AssertionError(f"sshd did not start: {said[-600:]!r}")
            time.sleep(0.02)
        yield SshServer(process.pid, port, user, folder, log)
    finally:
        stop_process(process)
