"""Which Unix socket the PC/SC client library (libpcsclite) uses to reach pcscd.

libpcsclite connects to `PCSCLITE_CSOCK_NAME` when it is set, else to the path compiled into
it (`DEFAULT_SOCKET`, Debian's and upstream's /run/pcscd/pcscd.comm). It reads the variable once
per process, at its first `SCardEstablishContext` (not when pyscard is imported), and keeps that
path for the life of the process: changing the variable later changes nothing. `pin()` is
called before every PC/SC call so that what insterm shows is what the library really uses.

Two traps it removes or names: a variable set but empty makes libpcsclite connect to "" (no
service at all), so `pin()` drops it and the default applies; a path longer than a Unix
socket address can hold (107 bytes) cannot be reached, which `problem` says in French.
A relative path is made absolute (from the working directory of the first call).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from insterm.domain.errors import echoed

ENV = "PCSCLITE_CSOCK_NAME"
DEFAULT_SOCKET = "/run/pcscd/pcscd.comm"
MAX_PATH_BYTES = 107  # sizeof(sockaddr_un.sun_path) - 1 on Linux


@dataclass(frozen=True, slots=True)
class PcscSocket:
    path: str  # absolute
    from_env: bool  # False: libpcsclite's default

    @property
    def source(self) -> str:
        return ENV if self.from_env else "défaut de libpcsclite"

    def describe(self) -> str:
        """French, one line: the path and where it comes from."""
        return f"{echoed(self.path)} ({self.source})"

    @property
    def problem(self) -> str | None:
        """Why the library cannot reach this path whatever runs there, or None."""
        size = len(os.fsencode(self.path))
        if size > MAX_PATH_BYTES:
            return (f"Le chemin du socket PC/SC fait {size} octets : un socket Unix en permet "
                    f"{MAX_PATH_BYTES} au plus. Choisissez un chemin plus court pour {ENV}.")
        return None


_lock = threading.Lock()
_pinned: PcscSocket | None = None


def _from_environment() -> PcscSocket:
    value = os.environ.get(ENV)
    if value:
        return PcscSocket(os.path.abspath(value), True)
    return PcscSocket(DEFAULT_SOCKET, False)


def current() -> PcscSocket:
    """The socket the library uses in this process (or will use at its first call)."""
    return _pinned if _pinned is not None else _from_environment()


def pin() -> PcscSocket:
    """Called before a PC/SC call: the first time, drops an empty `PCSCLITE_CSOCK_NAME` and
    records the socket, as libpcsclite is about to do for the rest of the process."""
    global _pinned
    with _lock:
        if _pinned is None:
            value = os.environ.get(ENV)
            if value == "":
                del os.environ[ENV]
            elif value is not None and not os.path.isabs(value):
                os.environ[ENV] = os.path.abspath(value)  # the same socket after a chdir
            _pinned = _from_environment()
        return _pinned
