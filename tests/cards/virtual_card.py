"""Virtual cards for vsmartcard's vpcd driver: a card is a TCP client of pcscd's vpcd reader.

The vpcd protocol: one TCP stream, each message a 2-byte big-endian length then the payload. A
1-byte payload is a control (00 power off, 01 power on, 02 reset, 04 "send the ATR"); anything
longer is a C-APDU, answered with the R-APDU. The card is present while its socket is connected:
`insert()` connects, `remove()` closes. TCP_QUICKACK before every recv: without it vpcd's
2-byte-then-payload writes meet delayed ACKs and each APDU costs 44 ms instead of 0.2 ms.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable

VITALE2_ATR = bytes.fromhex("3B75130000470 9EA9000".replace(" ", ""))


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


def vitale_files(people: list[tuple[str, str, str, str]]) -> tuple[bytes, bytes]:
    """The identity file and the VITALE file of a card holding `people`
    (birth name, first name, birth date AAAAMMJJ, NIR 15), zero-padded as on a card."""
    identity = b"".join(tlv(0x65, tlv(0x80, n.encode("latin-1")) + tlv(0x81, f.encode("latin-1"))
                            + tlv(0x82, d.encode())) for n, f, d, _ in people)
    numbers = b"".join(tlv(0x65, tlv(0x90, b"FRA") + tlv(0x93, nir.encode()))
                       for *_, nir in people)
    return identity + b"\x00" * 8, numbers + b"\x00" * 8


class VitaleCard:
    """A Vitale 2 answering the APDU flow of the cards document, with T=0 behaviour (a READ
    BINARY with Le=00 gets 6Cxx first, the right length, as T=0 cards do). `fail` maps a command
    prefix to a status word to answer instead; `on_command` sees every command (a test pulls
    the card out from there)."""

    def __init__(self, people: list[tuple[str, str, str, str]], *,
                 fail: dict[bytes, int] | None = None,
                 on_command: Callable[[bytes], None] | None = None) -> None:
        self.identity, self.numbers = vitale_files(people)
        self.fail = fail or {}
        self.on_command = on_command
        self.selected = "none"
        self.commands: list[bytes] = []

    def apdu(self, command: bytes) -> bytes:
        self.commands.append(command)
        if self.on_command is not None:
            self.on_command(command)
        for prefix, sw in self.fail.items():
            if command.startswith(prefix):
                return sw.to_bytes(2, "big")
        if command[0] != 0x00:
            return b"\x6e\x00"
        if command[:4] == bytes.fromhex("00A40000") and command[5:7] == b"\x3f\x00":
            self.selected = "mf"
            return b"\x90\x00"
        if command[:4] == bytes.fromhex("00A40400") and command[5:] == (
                bytes.fromhex("D250000002") + b"VITALE"):
            self.selected = "vitale"
            return b"\x90\x00"
        if command[:2] == b"\x00\xa4":
            return b"\x6a\x82"
        if command[:4] == bytes.fromhex("00B08200") and len(command) == 5:
            data = {"mf": self.identity, "vitale": self.numbers}.get(self.selected)
            if data is None:
                return b"\x69\x86"
            le = command[4] or 256
            if le != len(data):
                return bytes([0x6C, len(data) & 0xFF])
            return data + b"\x90\x00"
        return b"\x6d\x00"


class StatusCard:
    """Answers every APDU with one status word (6A82, 6982, 6D00...)."""

    def __init__(self, sw: int) -> None:
        self.sw = sw

    def apdu(self, command: bytes) -> bytes:
        return self.sw.to_bytes(2, "big")


class VirtualCard:
    """One card in one vpcd reader (`port`): insert() connects and serves it in a thread."""

    def __init__(self, card: VitaleCard | StatusCard, port: int, atr: bytes = VITALE2_ATR) -> None:
        self.card = card
        self.port = port
        self.atr = atr
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def insert(self) -> None:
        self._socket = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self._socket.settimeout(None)
        self._thread = threading.Thread(target=self._serve, args=(self._socket,), daemon=True)
        self._thread.start()

    def remove(self) -> None:
        sock, self._socket = self._socket, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def __enter__(self) -> VirtualCard:
        self.insert()
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def _serve(self, sock: socket.socket) -> None:
        def rx(n: int) -> bytes:
            data = b""
            while len(data) < n:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
                chunk = sock.recv(n - len(data))
                if not chunk:
                    raise ConnectionError("vpcd closed")
                data += chunk
            return data

        try:
            while True:
                (length,) = struct.unpack("!H", rx(2))
                message = rx(length)
                if length == 1:
                    if message[0] == 0x04:
                        sock.sendall(struct.pack("!H", len(self.atr)) + self.atr)
                    continue
                answer = self.card.apdu(message)
                if self._socket is not sock:  # pulled out while answering
                    return
                sock.sendall(struct.pack("!H", len(answer)) + answer)
        except OSError:
            return
