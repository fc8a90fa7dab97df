"""How insterm talks to a card: a small `Transport` (connect, ATR, transmit, disconnect) and its
pyscard implementation over PC/SC (pcscd).

pyscard is optional (the `cards` extra): it is imported inside the functions, and its absence
is `CardsUnavailable`. Every pyscard or PC/SC failure becomes a typed `CardError` here
(`translate`), so nothing above sees a pyscard exception.

The PC/SC client library finds pcscd through a Unix socket: `PCSCLITE_CSOCK_NAME` when it is
set (a socket forwarded by `ssh -R`, a test's own pcscd), else /run/pcscd/pcscd.comm; it reads
it once per process, so every PC/SC call here first pins it (`pcsc_socket.pin`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from insterm.cards.atr import atr_hex, identify
from insterm.cards.errors import (
    UNKNOWN_SESAM_READER,
    CardError,
    CardRemoved,
    CardsUnavailable,
    LinkLost,
    MuteCard,
    NoCard,
    NoReader,
    PcscdClosed,
    PcscdNotRunning,
    PcscdRefused,
    ReaderBusy,
    UnknownReader,
)
from insterm.cards.pcsc_socket import PcscSocket, current, pin

# PC/SC return codes (pcsclite.h) that say something to the operator
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_E_SHARING_VIOLATION = 0x8010000B
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_F_COMM_ERROR = 0x80100013
SCARD_W_SECURITY_VIOLATION = 0x8010006A


def socket_path() -> str:
    """The socket the PC/SC client library uses (what `PCSCLITE_CSOCK_NAME` says, if set)."""
    return current().path


def pcsc_socket() -> PcscSocket:
    """The socket the PC/SC client library uses, and where that path comes from."""
    return current()


def _pin() -> None:
    """Before a PC/SC call: the socket libpcsclite will keep, refused at once when no socket
    can have that path."""
    socket = pin()
    if socket.problem is not None:
        raise PcscdNotRunning(socket)


def pyscard_available() -> bool:
    try:
        import smartcard.System  # noqa: F401
    except ImportError:
        return False
    return True


def _usb_ids(root: Path = Path("/sys/bus/usb/devices")) -> set[str]:
    ids: set[str] = set()
    try:
        devices = list(root.iterdir())
    except OSError:
        return ids
    for device in devices:
        try:
            vendor = (device / "idVendor").read_text().strip()
            product = (device / "idProduct").read_text().strip()
        except OSError:
            continue
        ids.add(f"{vendor}:{product}".lower())
    return ids


def _hresult(error: BaseException) -> int:
    hresult = getattr(error, "hresult", -1)
    return hresult & 0xFFFFFFFF if isinstance(hresult, int) and hresult != -1 else -1


def _service_answers() -> bool:
    """Whether pcscd still answers on the socket (a new PC/SC context can be made)."""
    from smartcard.scard import SCARD_SCOPE_USER, SCardEstablishContext, SCardReleaseContext

    hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
    if hresult != 0:
        return False
    SCardReleaseContext(context)
    return True


def translate(error: BaseException, reader: str | None = None) -> CardError:
    """A pyscard exception as the `CardError` that says it in French."""
    if isinstance(error, CardError):
        return error
    hresult = _hresult(error)
    text = str(error).lower()
    if hresult == SCARD_E_SERVICE_STOPPED:
        return PcscdRefused(current())
    if hresult == SCARD_E_NO_SERVICE or "service not available" in text:
        return PcscdNotRunning(current())
    if hresult == SCARD_W_SECURITY_VIOLATION and "establish context" in text:
        return PcscdClosed(current())
    if hresult == SCARD_E_NO_READERS_AVAILABLE:
        return no_reader_error()
    if hresult == SCARD_E_SHARING_VIOLATION or "sharing violation" in text:
        return ReaderBusy(reader or "?")
    if hresult in (SCARD_W_REMOVED_CARD, SCARD_W_RESET_CARD, SCARD_E_READER_UNAVAILABLE,
                   SCARD_F_COMM_ERROR) or "removed" in text:
        return CardRemoved()
    if hresult in (SCARD_W_UNRESPONSIVE_CARD, SCARD_W_UNPOWERED_CARD) or "unresponsive" in text:
        return MuteCard()
    if hresult == SCARD_E_NO_SMARTCARD or type(error).__name__ == "NoCardException":
        return NoCard(reader)
    return CardError(f"Erreur du lecteur de cartes : {error}. Rien n'a été lu.")


def no_reader_error(usb_root: Path = Path("/sys/bus/usb/devices")) -> CardError:
    """No reader known to pcscd: say so, or name the SESAM-Vitale reader it ignores."""
    if UNKNOWN_SESAM_READER in _usb_ids(usb_root):
        return UnknownReader(UNKNOWN_SESAM_READER)
    return NoReader()


def reader_names() -> list[str]:
    """The readers pcscd sees (possibly none). `CardsUnavailable` without pyscard,
    `PcscdNotRunning` when nothing answers on the socket."""
    try:
        from smartcard.System import readers
    except ImportError:
        raise CardsUnavailable() from None
    _pin()
    try:
        return [str(reader) for reader in readers()]
    except Exception as error:
        raise translate(error) from None


@dataclass(frozen=True, slots=True)
class ReaderState:
    """One reader and the ATR of the card in it (None: empty)."""

    name: str
    atr: bytes | None

    def card_text(self) -> str:
        """French: what is in the reader."""
        if self.atr is None:
            return "vide"
        if not self.atr:
            return "carte présente, lecteur occupé par un autre programme"
        return f"{identify(self.atr).label} (ATR {atr_hex(self.atr)})"


def reader_states() -> list[ReaderState]:
    """Every reader with the ATR of its card, in pcscd's order."""
    names = reader_names()
    states = []
    for name in names:
        transport = PyscardTransport(name)
        try:
            transport.connect()
            states.append(ReaderState(name, transport.atr()))
        except (NoCard, MuteCard, CardRemoved):
            states.append(ReaderState(name, None))
        except ReaderBusy:
            states.append(ReaderState(name, b""))  # a card, held by another program
        finally:
            transport.disconnect()
    return states


class Transport(Protocol):
    """A card in a reader: the APDU link, nothing more (no T=0 handling: `apdu.exchange`)."""

    reader: str

    def connect(self) -> None: ...

    def atr(self) -> bytes: ...

    def transmit(self, command: bytes) -> tuple[bytes, int]:
        """The response data and the status word (SW1 << 8 | SW2)."""
        ...

    def disconnect(self) -> None: ...


class PyscardTransport:
    """A `Transport` over pyscard, the card held exclusively between connect and disconnect
    (another program cannot interleave its APDUs with ours)."""

    def __init__(self, reader: str) -> None:
        self.reader = reader
        self._connection: Any = None

    def connect(self) -> None:
        try:
            from smartcard.scard import SCARD_SHARE_EXCLUSIVE
            from smartcard.System import readers
        except ImportError:
            raise CardsUnavailable() from None
        _pin()
        try:
            found = [r for r in readers() if str(r) == self.reader]
            if not found:
                raise NoReader()
            connection = found[0].createConnection()
            connection.connect(mode=SCARD_SHARE_EXCLUSIVE)
        except Exception as error:
            raise translate(error, self.reader) from None
        self._connection = connection

    def atr(self) -> bytes:
        try:
            return bytes(self._require().getATR())
        except Exception as error:
            raise translate(error, self.reader) from None

    def transmit(self, command: bytes) -> tuple[bytes, int]:
        try:
            data, sw1, sw2 = self._require().transmit(list(command))
        except Exception as error:
            if "no valid response" in str(error).lower():
                # no status word at all: the card left the reader, or it is mute
                raise self._gone_or_mute() from None
            if _hresult(error) == SCARD_F_COMM_ERROR and not _service_answers():
                raise LinkLost(current()) from None  # pcscd itself is gone, not the card
            raise translate(error, self.reader) from None
        return bytes(data), (sw1 << 8) | sw2

    def _gone_or_mute(self, wait: float = 1.5) -> CardError:
        """After an answer without a status word: `CardRemoved` when the reader says the card
        is gone within `wait` seconds (pcscd notices a removal a little later), else `MuteCard`."""
        import time

        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                self._require().getATR()
            except Exception as error:
                found = translate(error, self.reader)
                return CardRemoved() if isinstance(found, CardRemoved | NoCard) else MuteCard()
            time.sleep(0.05)
        return MuteCard()

    def disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        for step in (connection.disconnect, connection.release):
            try:
                step()
            except Exception:
                # a card or a pcscd link already gone: nothing left to release. pyscard's
                # __del__ would try again and print "Exception ignored" on the terminal.
                inner = getattr(connection, "component", connection)
                for handle in ("hcard", "hcontext"):
                    if hasattr(inner, handle):
                        setattr(inner, handle, None)
                return

    def _require(self) -> Any:
        if self._connection is None:
            raise CardRemoved()
        return self._connection
