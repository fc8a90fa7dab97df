"""Per-process INSi wiring: what this process knows beyond the database.

Where the settings file and the data folder are, how to reach the simulator (embedded in this
process, or the one `insterm insi-sim --setup` set up), and the INSi clients and certificate
passphrases kept while they stay valid (building a client reads the WSDL; reading the encrypted
keyring costs about half a second).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from insterm import config, secrets
from insterm.insi.auth import CertificateAuth
from insterm.insi.client import InsiClient
from insterm.insi.settings import InsiSettings
from insterm.usecases.insi_keyring import CertificateSource, ensure_keyring, read_passphrase

if TYPE_CHECKING:
    from insterm.insi.simulator import Simulator
    from insterm.usecases.cps_card import CardSession

DEFAULT_SIMULATOR_URL = "https://127.0.0.1:8443/lps"
SIMULATOR_DIR_ENV = "INSTERM_INSI_SIM_DIR"
CERTIFICATE_FILE = Path("insi") / "organisation-certificate.p12"

# (settings, certificate file, its modification time, passphrase digest)
_ClientKey = tuple[InsiSettings, str, int | None, str]
# (keyring backend, certificate file, its modification time, keyring entries)
_PassphraseKey = tuple[object, str, int | None, tuple[str, ...]]


def default_simulator_dir() -> Path:
    """The simulator's state folder: `$INSTERM_INSI_SIM_DIR`, else `<user data dir>/insi-sim`."""
    from_env = os.environ.get(SIMULATOR_DIR_ENV)
    if from_env:
        return Path(from_env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("insterm")) / "insi-sim"


@dataclass(frozen=True, slots=True)
class SimulatorLink:
    """How this process reaches a simulator: its URL, the CA to trust, the demo certificate and,
    for an embedded simulator, the certificate passphrase held in memory only."""

    url: str
    ca_file: Path
    client_p12: Path
    passphrase: str | None = field(default=None, repr=False)

    @classmethod
    def from_simulator(cls, simulator: Simulator, passphrase: str | None = None) -> SimulatorLink:
        """From a running `insterm.insi.simulator.Simulator` (embedded: demo, tests)."""
        authority = simulator.authority
        return cls(simulator.url, Path(authority.ca_cert), Path(authority.client_p12), passphrase)

    @classmethod
    def from_state_dir(cls, url: str, state_dir: str | os.PathLike[str]) -> SimulatorLink:
        folder = Path(state_dir)
        return cls(url, folder / "ca.pem", folder / "client-insi-manu.p12")


def _stamp(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


@dataclass
class InsiRuntime:
    """Per-process INSi wiring: where the settings file and the data folder are (None = the
    defaults of `insterm.config`), the embedded simulator if any, and the client cache."""

    settings_path: Path | None = None
    data_dir: Path | None = None
    simulator: SimulatorLink | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _clients: dict[_ClientKey, InsiClient] = field(default_factory=dict, repr=False)
    _passphrases: dict[_PassphraseKey, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # The CPS signed in on this workstation (`insterm.usecases.cps_card`): its logged-in
    # PKCS#11 session and the INSi auth made of it; the client built on it.
    card: CardSession | None = field(default=None, repr=False)
    _card_client: tuple[InsiSettings, int, InsiClient] | None = field(default=None, repr=False)

    def file_settings(self) -> config.Settings:
        return config.load_settings(self.settings_path)

    def data_folder(self) -> Path:
        if self.data_dir is not None:
            return Path(self.data_dir)
        return config.data_dir()

    def certificate_path(self) -> Path:
        return self.data_folder() / CERTIFICATE_FILE

    def simulator_link(self, file: config.Settings | None = None) -> SimulatorLink:
        if self.simulator is not None:
            return self.simulator
        file = file if file is not None else self.file_settings()
        state_dir = file.insi_simulator_dir or default_simulator_dir()
        return SimulatorLink.from_state_dir(file.insi_simulator_url or DEFAULT_SIMULATOR_URL,
                                            Path(state_dir).expanduser())

    def client(self, settings: InsiSettings, source: CertificateSource,
               passphrase: str) -> InsiClient:
        """An InsiClient for these settings and certificate, kept while they stay the same (the
        WSDL and the TLS session are built once)."""
        digest = hashlib.sha256(passphrase.encode("utf-8")).hexdigest()
        key = (settings, str(source.p12_path), _stamp(source.p12_path), digest)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                for old in self._clients.values():
                    old.close()
                self._clients.clear()
                client = InsiClient(settings, CertificateAuth(source.p12_path, passphrase))
                self._clients[key] = client
            return client

    def card_client(self, settings: InsiSettings) -> InsiClient | None:
        """An InsiClient in CPS mode on the card signed in, kept while the card session and the
        settings stay the same; None when no card is signed in."""
        with self._lock:
            card = self.card
            if card is None or card.closed:
                return None
            kept = self._card_client
            if kept is not None and kept[0] == settings and kept[1] == id(card):
                return kept[2]
            if kept is not None:
                kept[2].close()
            client = InsiClient(settings, card.auth)
            self._card_client = (settings, id(card), client)
            return client

    def set_card(self, card: CardSession | None) -> None:
        """The card signed in from now on (None: none); the previous one is closed."""
        with self._lock:
            previous, self.card = self.card, card
            if self._card_client is not None:
                self._card_client[2].close()
                self._card_client = None
        if previous is not None and previous is not card:
            previous.close()

    def passphrase(self, source: CertificateSource) -> str | None:
        """`read_passphrase`, remembered while the same keyring backend stays open and the
        certificate file is the same (reading the encrypted keyring costs ~0.5 s: Argon2).
        Locking the keyring (`secrets.reset_backend`) makes it read (and ask) again."""
        if source.passphrase:
            return source.passphrase
        ensure_keyring()
        key = (secrets.current_backend(), str(source.p12_path),  # the object: no id reuse
               _stamp(source.p12_path), source.passphrase_names)
        with self._lock:
            known = self._passphrases.get(key)
        if known is not None:
            return known
        value = read_passphrase(source)
        if value is not None:
            with self._lock:
                self._passphrases.clear()
                self._passphrases[key] = value
        return value

    def close(self) -> None:
        """Close the cached clients, forget the remembered passphrase and sign the card out
        (a settings change may name another module or mode: the code is asked again)."""
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
            self._passphrases.clear()
        self.set_card(None)
