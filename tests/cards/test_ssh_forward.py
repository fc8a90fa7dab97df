"""The reader of the desk PC reached from elsewhere through its forwarded pcscd socket: a real
sshd on 127.0.0.1 and `ssh -R far.sock:<pcscd socket>`, then `insterm cartes --vitale` with
PCSCLITE_CSOCK_NAME=far.sock lists the virtual Vitale's two beneficiaries (README, « Lecteur de
cartes à distance (SSH) »). A socat relay of the same socket runs even where sshd cannot; the
default socket (variable unset or empty) and a refused protocol version through a real pcscd.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from insterm.cards.pcsc_socket import DEFAULT_SOCKET
from insterm.cards.transport import reader_states
from tests.cards.fixtures import Pcscd, stop_process, wait_for
from tests.cards.ssh_server import SshServer, start_sshd
from tests.cards.test_vitale_pcscd import FAMILY
from tests.cards.virtual_card import VirtualCard, VitaleCard

README = Path(__file__).resolve().parents[2] / "README.md"
BENEFICIARIES = ("1. DUPONT JEAN, né(e) le 01/01/1970 (assuré)",
                 "2. DUPONT LÉA, né(e) le 02/02/2010 (ayant droit)")


def _cartes(*argv: str, socket: str | None, cwd: Path | None = None
            ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PCSCLITE_CSOCK_NAME"}
    if socket is not None:
        env["PCSCLITE_CSOCK_NAME"] = socket
    return subprocess.run([sys.executable, "-m", "insterm", "cartes", *argv], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


@contextlib.contextmanager
def _vitale_in(pcscd: Pcscd) -> Iterator[None]:
    with VirtualCard(VitaleCard(FAMILY), pcscd.ports[0]):
        wait_for(lambda: any(s.name == pcscd.readers[0] and s.atr for s in reader_states()))
        yield


@contextlib.contextmanager
def _running(argv: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        yield process
    finally:
        stop_process(process)


def _listening(path: Path, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until `path` is a socket (or `process` died: fail with its log)."""
    wait_for(lambda: path.is_socket() or process.poll() is not None, timeout=15)
    assert process.poll() is None, log.read_text(errors="replace")


def _accepting(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _read_lists_both(done: subprocess.CompletedProcess[str], socket: Path) -> None:
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"Socket PC/SC : {socket} (PCSCLITE_CSOCK_NAME)"
    assert "2 bénéficiaire(s)" in done.stdout
    for line in BENEFICIARIES:
        assert line in done.stdout


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with start_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


def test_vitale_read_through_ssh_R(pcscd: Pcscd, sshd: SshServer, tmp_path: Path) -> None:
    far = tmp_path / "far"
    far.mkdir()
    remote = far / "remote.sock"
    log = tmp_path / "ssh.log"
    forward_argv = sshd.client("-N", "-R", f"{remote}:{pcscd.socket}")
    with _vitale_in(pcscd):
        with _running(forward_argv, log) as forward:
            _listening(remote, forward, log)
            assert remote.stat().st_mode & 0o077 == 0  # sshd's StreamLocalBindMask: owner only
            read = _cartes("--vitale", socket="remote.sock", cwd=far)  # relative, as typed
        _read_lists_both(read, remote)
        assert f"  {pcscd.readers[0]} : carte Vitale 2" in read.stdout
        # the link is down, its socket stays behind: nothing answers, insterm says what to check
        assert remote.is_socket()
        gone = _cartes("--vitale", socket=str(remote))
        assert gone.returncode == 3, gone.stdout + gone.stderr
        assert f"ne répond pas sur {remote}" in gone.stderr and "ssh -R" in gone.stderr
        # the next session binds the same path again (StreamLocalBindUnlink yes on the server)
        with _running(forward_argv, log) as forward:
            wait_for(lambda: _accepting(remote) or forward.poll() is not None, timeout=15)
            assert forward.poll() is None, log.read_text(errors="replace")
            again = _cartes("--vitale", socket=str(remote))
    _read_lists_both(again, remote)
    assert "Accepted publickey for root" in sshd.log.read_text(errors="replace")


def test_desk_pc_without_pcscd_is_named(sshd: SshServer, tmp_path: Path) -> None:
    """ssh accepts on the far socket but cannot reach the desk's: libpcsclite says "access
    denied" (the connection closed before pcscd's answer) or "no service" (closed before the
    client wrote, a matter of timing); either way insterm points at pcscd on the reader's
    computer."""
    remote = tmp_path / "remote.sock"
    log = tmp_path / "ssh.log"
    with _running(sshd.client("-N", "-R", f"{remote}:{tmp_path / 'no-pcscd.comm'}"),
                  log) as forward:
        _listening(remote, forward, log)
        done = _cartes("--vitale", socket=str(remote))
    assert done.returncode == 3, done.stdout + done.stderr
    assert (f"(pcscd) sur {remote} a été fermée sans réponse" in done.stderr
            or f"(pcscd) ne répond pas sur {remote}" in done.stderr), done.stderr
    assert "ssh -R" in done.stderr and "pcscd" in done.stderr
    assert "l'ordinateur du lecteur" in done.stderr


def test_ssh_session_closed_during_the_read(pcscd: Pcscd, sshd: SshServer,
                                           tmp_path: Path) -> None:
    """The ssh client killed at the card's second APDU: nothing is read, insterm says the link
    was cut (not that the card was pulled), exit 3, and no pyscard noise on the terminal."""
    remote = tmp_path / "remote.sock"
    log = tmp_path / "ssh.log"
    forwards: list[subprocess.Popen[bytes]] = []
    seen: list[bytes] = []

    def cut_at_the_second_apdu(command: bytes) -> None:
        seen.append(command)
        if len(seen) == 2:
            forwards[0].kill()
            forwards[0].wait()

    card = VitaleCard(FAMILY, on_command=cut_at_the_second_apdu)
    with VirtualCard(card, pcscd.ports[0]):
        wait_for(lambda: any(s.name == pcscd.readers[0] and s.atr for s in reader_states()))
        with _running(sshd.client("-N", "-R", f"{remote}:{pcscd.socket}"), log) as forward:
            _listening(remote, forward, log)
            forwards.append(forward)
            done = _cartes("--vitale", socket=str(remote))
        # the card stays until pcscd has let go of the dead link's hold (this process can hold
        # it again): removed sooner, the reader answered "no card" to every other process
        # afterwards here (pcscd 1.9.9 with vpcd), and the next tests failed
        wait_for(lambda: any(s.name == pcscd.readers[0] and s.atr for s in reader_states()))
    assert len(seen) >= 2 and forwards[0].returncode is not None
    assert done.returncode == 3, done.stdout + done.stderr
    assert "bénéficiaire" not in done.stdout
    assert done.stderr.strip() == (
        f"insterm cartes : La liaison avec le service des lecteurs de cartes (pcscd, {remote}) "
        "a été coupée pendant la lecture : rien n'a été lu. La session « ssh -R » qui transfère "
        "le lecteur s'est-elle fermée ? Rouvrez-la, puis relisez la carte.")


def test_command_on_the_far_side_in_the_same_ssh_session(pcscd: Pcscd, sshd: SshServer,
                                                         tmp_path: Path) -> None:
    """As staff type it: one `ssh -R ... server 'PCSCLITE_CSOCK_NAME=... insterm cartes'`."""
    remote = tmp_path / "far.sock"
    command = f"PCSCLITE_CSOCK_NAME={remote} {sys.executable} -m insterm cartes --vitale"
    with _vitale_in(pcscd):
        done = subprocess.run([*sshd.client("-R", f"{remote}:{pcscd.socket}"), command],
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    _read_lists_both(done, remote)


def test_vitale_read_through_a_socat_relay(pcscd: Pcscd, tmp_path: Path) -> None:
    socat = shutil.which("socat")
    if socat is None:
        pytest.skip("socat absent (paquet Debian socat) : test du relais sauté")
    relay = tmp_path / "relay.sock"
    log = tmp_path / "socat.log"
    with _vitale_in(pcscd), _running(
            [socat, f"UNIX-LISTEN:{relay},fork", f"UNIX-CONNECT:{pcscd.socket}"], log) as process:
        _listening(relay, process, log)
        read = _cartes("--vitale", socket=str(relay))
    _read_lists_both(read, relay)


@pytest.mark.parametrize("variable", [None, ""], ids=["unset", "empty"])
def test_without_the_variable_the_library_default_is_used(pcscd: Pcscd,
                                                          variable: str | None) -> None:
    """In a mount namespace where the test's pcscd folder is /run/pcscd: with the variable
    unset (or set empty, which libpcsclite alone would take as the path ""), insterm reaches
    the reader on the path it names as libpcsclite's default."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        pytest.skip("un /run/pcscd privé demande root et unshare")
    env = {k: v for k, v in os.environ.items() if k != "PCSCLITE_CSOCK_NAME"}
    if variable is not None:
        env["PCSCLITE_CSOCK_NAME"] = variable
    folder = str(Path(pcscd.socket).parent)
    with _vitale_in(pcscd):
        done = subprocess.run(
            [unshare, "-m", "sh", "-c", f'mount --bind "{folder}" /run/pcscd && exec '
             f'"{sys.executable}" -m insterm cartes --vitale'],
            env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == \
        f"Socket PC/SC : {DEFAULT_SOCKET} (défaut de libpcsclite)"
    assert BENEFICIARIES[1] in done.stdout


def _version_rewriting_relay(listen: Path, target: str, minor: int,
                             announced: list[tuple[int, int]]) -> socket.socket:
    """A relay in front of the real pcscd that makes the client announce protocol 4.`minor`
    (the first message: an 8-byte header, then major, minor, rv as 32-bit integers); what the
    client itself announced is appended to `announced`."""
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(listen))
    server.listen()

    def pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = server.accept()
                upstream = socket.socket(socket.AF_UNIX)
                upstream.connect(target)
                first = b""
                while len(first) < 20:
                    chunk = client.recv(20 - len(first))
                    if not chunk:
                        break
                    first += chunk
                if len(first) == 20:
                    announced.append((int.from_bytes(first[8:12], "little"),
                                      int.from_bytes(first[12:16], "little")))
                    first = first[:12] + minor.to_bytes(4, "little") + first[16:]
                upstream.sendall(first)
                threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
                threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return server


def test_a_pcscd_of_another_protocol_version_refuses_and_insterm_says_so(pcscd: Pcscd,
                                                                         tmp_path: Path) -> None:
    """pcsc-lite 1.9.9 speaks protocol 4.4 (the README says so): through the relay unchanged,
    the readers are listed; announced as 4.3, the real pcscd refuses the client and insterm
    says the versions differ."""
    listed: dict[int, subprocess.CompletedProcess[str]] = {}
    announced: list[tuple[int, int]] = []
    for minor in (4, 3):
        relay = tmp_path / f"protocol-4.{minor}.sock"
        server = _version_rewriting_relay(relay, pcscd.socket, minor, announced)
        try:
            listed[minor] = _cartes(socket=str(relay))
        finally:
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            server.close()
    assert announced and set(announced) == {(4, 4)}
    readme = README.read_text(encoding="utf-8")
    assert "protocol\n  4.4;" in readme or "protocol 4.4;" in readme
    assert listed[4].returncode == 0, listed[4].stderr
    assert f"  {pcscd.readers[1]} : vide" in listed[4].stdout
    refused = listed[3]
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert f"(pcscd) a refusé la connexion sur {tmp_path / 'protocol-4.3.sock'}" in \
        refused.stderr
    assert "version de protocole" in refused.stderr


def test_the_readme_section_the_messages_name() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "\n## Lecteur de cartes à distance (SSH)\n" in readme
    assert "ssh -R /chemin/distant.sock:/run/pcscd/pcscd.comm" in readme
    assert "PCSCLITE_CSOCK_NAME=/chemin/distant.sock insterm" in readme
    assert "StreamLocalBindUnlink yes" in readme
