"""INSi settings: what each value is, where it lives, and what is missing before a call.

Where each value lives (chosen per value):

| value | where | why |
|---|---|---|
| environment (simulator / qualification / production) | database `insi.environment` (JSON text, `insterm.store.settings`) | the whole practice works in one environment: every workstation (over SSH too) opens the same database |
| IDAM, one per environment | database `insi.idam.<environment>` | the software's CNDA authorisation, the same for every workstation; the simulator's defaults to `SIMULATOR_IDAM` |
| software name | database `insi.software_name` (default "insterm") | sent in ContexteLPS (urn:lps:NAME:VERSION) |
| software version | the installed package (`insterm.__version__`), never stored | a stored copy would go stale after an upgrade |
| installation UUID | database `installation.id`, created once on first use, never changed | one installation = the practice's database |
| timeout | settings file `insi.timeout_seconds` (default 30 s) | the network differs per machine |
| CA bundle for qualification/production | settings file `insi.ca_file` (default: the system store) | a path on this machine |
| relay replacing the qualification/production address | settings file `insi.endpoint` | a path on this machine's network |
| simulator address and state folder | the embedded simulator when one runs in this process, else settings file `insi.simulator_url` / `insi.simulator_dir` (written by `insterm insi-sim --setup`), else `https://127.0.0.1:8443/lps` and the default state folder | where this machine reaches the simulator |
| organisation certificate | `<data dir>/insi/organisation-certificate.p12`, mode 0600 (`import_certificate`) | a file of this machine |
| certificate passphrases | the keyring only (`insterm.secrets`) | a secret |

The environment defaults to the simulator. Production is an explicit choice: only an
administrator can set it, with `confirm_production=True` (the screen asks), and it is audited.
Nothing here ever holds a secret: the passphrase goes to the keyring and nowhere else (neither
the database, nor the settings file, nor the audit log).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insterm import __version__
from insterm.store import settings as store
from insterm.store.connection import write_transaction
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused

if TYPE_CHECKING:  # pragma: no cover
    from insterm.config import Settings
    from insterm.insi.auth import CertificateInfo
    from insterm.insi.client import InsiClient
    from insterm.insi.settings import InsiSettings

ENVIRONMENTS = ("simulator", "qualification", "production")
ENVIRONMENT_LABELS = {
    "simulator": "Simulateur (démonstration et formation, aucun patient réel)",
    "qualification": "Qualification (tests avec l'Assurance maladie)",
    "production": "Production (téléservice réel, patients réels)",
}
# insi-contract.md section 1.3: the mutual-TLS ("-tlsm") hosts, organisation certificate mode.
SERVICE_ENDPOINTS = {
    "qualification": "https://qualiflps-services-ps-tlsm.ameli.fr/lps",
    "production": "https://services-ps-tlsm.ameli.fr/lps",
}
DEFAULT_SIMULATOR_URL = "https://127.0.0.1:8443/lps"
SIMULATOR_DIR_ENV = "INSTERM_INSI_SIM_DIR"
SIMULATOR_IDAM = "INSTERMDEMO1"  # = insterm.insi.simulator.DEMO_IDAM (checked by a test)
DEFAULT_SOFTWARE_NAME = "insterm"
DEFAULT_TIMEOUT_SECONDS = 30.0
CERTIFICATE_EXPIRY_WARNING_DAYS = 30

# The simulator's demo certificate passphrase has its own keyring entry, so that setting the
# simulator up never overwrites the passphrase of the practice's real certificate.
SIMULATOR_PASSPHRASE = "insi-simulator-certificate-passphrase"

KEY_ENVIRONMENT = "insi.environment"
KEY_SOFTWARE_NAME = "insi.software_name"
KEY_INSTALLATION_ID = "installation.id"
CERTIFICATE_FILE = Path("insi") / "organisation-certificate.p12"


def idam_key(environment: str) -> str:
    return f"insi.idam.{environment}"


def _practice_values(conn: Any) -> dict[str, str]:
    """The practice-wide INSi values stored in the database (text values only)."""
    keys = [KEY_ENVIRONMENT, KEY_SOFTWARE_NAME, *(idam_key(env) for env in ENVIRONMENTS)]
    values = {key: store.get(conn, key) for key in keys}
    return {key: value for key, value in values.items() if isinstance(value, str) and value}


def default_simulator_dir() -> Path:
    """The simulator's state folder: `$INSTERM_INSI_SIM_DIR`, else `<user data dir>/insi-sim`."""
    from_env = os.environ.get(SIMULATOR_DIR_ENV)
    if from_env:
        return Path(from_env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("insterm")) / "insi-sim"


# --------------------------------------------------------------------------------------------
# Runtime: what this process knows beyond the database (paths, an embedded simulator)


@dataclass(frozen=True)
class SimulatorLink:
    """How this process reaches a simulator: its URL, the CA to trust, the demo certificate and,
    for an embedded simulator, the certificate passphrase held in memory only."""

    url: str
    ca_file: Path
    client_p12: Path
    passphrase: str | None = field(default=None, repr=False)

    @classmethod
    def from_simulator(cls, simulator: Any, passphrase: str | None = None) -> SimulatorLink:
        """From a running `insterm.insi.simulator.Simulator` (embedded: demo, tests)."""
        authority = simulator.authority
        return cls(simulator.url, Path(authority.ca_cert), Path(authority.client_p12), passphrase)

    @classmethod
    def from_state_dir(cls, url: str, state_dir: str | os.PathLike[str]) -> SimulatorLink:
        folder = Path(state_dir)
        return cls(url, folder / "ca.pem", folder / "client-insi-manu.p12")


@dataclass
class InsiRuntime:
    """Per-process INSi wiring: where the settings file and the data folder are (None = the
    defaults of `insterm.config`), the embedded simulator if any, and the client cache."""

    settings_path: Path | None = None
    data_dir: Path | None = None
    simulator: SimulatorLink | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _clients: dict[tuple, Any] = field(default_factory=dict, repr=False)
    _passphrases: dict[tuple, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def file_settings(self) -> Settings:
        from insterm.config import load_settings

        return load_settings(self.settings_path)

    def data_folder(self) -> Path:
        if self.data_dir is not None:
            return Path(self.data_dir)
        from insterm.config import data_dir

        return data_dir()

    def certificate_path(self) -> Path:
        return self.data_folder() / CERTIFICATE_FILE

    def simulator_link(self, file: Settings | None = None) -> SimulatorLink:
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
        from insterm.insi.auth import CertificateAuth
        from insterm.insi.client import InsiClient

        try:
            stamp = source.p12_path.stat().st_mtime_ns
        except OSError:
            stamp = None
        digest = hashlib.sha256(passphrase.encode("utf-8")).hexdigest()
        key = (settings, str(source.p12_path), stamp, digest)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                for old in self._clients.values():
                    old.close()
                self._clients.clear()
                client = InsiClient(settings, CertificateAuth(source.p12_path, passphrase))
                self._clients[key] = client
            return client

    def passphrase(self, source: CertificateSource) -> str | None:
        """`read_passphrase`, remembered while the same keyring backend stays open and the
        certificate file is the same (reading the encrypted keyring costs ~0.5 s: Argon2).
        Locking the keyring (`secrets.reset_backend`) makes it read (and ask) again."""
        if source.passphrase:
            return source.passphrase
        from insterm import secrets

        _ensure_keyring()
        try:
            stamp = source.p12_path.stat().st_mtime_ns
        except OSError:
            stamp = None
        key = (secrets.current_backend(), str(source.p12_path), stamp,  # the object: no id reuse
               source.passphrase_names)
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
        """Close the cached clients and forget the remembered passphrase."""
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
            self._passphrases.clear()


# --------------------------------------------------------------------------------------------
# The settings as a whole


@dataclass(frozen=True)
class CertificateSource:
    """Where the certificate of an environment is, and where its passphrase is kept."""

    p12_path: Path
    passphrase_names: tuple[str, ...]  # keyring entries, tried in order
    label: str  # French
    passphrase: str | None = field(default=None, repr=False)  # embedded simulator only


@dataclass(frozen=True)
class InsiSettingsView:
    """Every INSi setting as it applies now, with where it came from (for Réglages)."""

    environment: str
    environment_label: str
    environment_chosen: bool  # False = the default (simulator), nothing stored
    idam: str | None
    idams: dict[str, str]
    software_name: str
    software_version: str
    installation_id: str
    endpoint_url: str
    ca_file: str | None
    timeout_seconds: float
    certificate: CertificateSource
    settings_file: Path | None

    @property
    def lps_name(self) -> str:
        return f"urn:lps:{self.software_name}:{self.software_version}"

    def client_settings(self) -> InsiSettings:
        from insterm.insi.settings import InsiSettings

        return InsiSettings(
            endpoint_url=self.endpoint_url, idam=self.idam or "",
            installation_id=self.installation_id, software_name=self.software_name,
            software_version=self.software_version, environment=self.environment,
            timeout_seconds=self.timeout_seconds, ca_file=self.ca_file)


def installation_id(ctx: Context) -> str:
    """The installation's UUID: created once (first use), then always the same."""
    current = store.get(ctx.conn, KEY_INSTALLATION_ID)
    if isinstance(current, str) and current:
        return current
    with write_transaction(ctx.conn):  # read again under the write lock: created once
        current = store.get(ctx.conn, KEY_INSTALLATION_ID)
        if not (isinstance(current, str) and current):
            current = str(uuid.uuid4())
            store.put(ctx.conn, KEY_INSTALLATION_ID, current)
    return current


def current(ctx: Context, runtime: InsiRuntime) -> InsiSettingsView:
    """The INSi settings in force (database + settings file + runtime); `SettingsError` when
    the settings file cannot be read."""
    practice = _practice_values(ctx.conn)
    file = runtime.file_settings()
    stored_env = practice.get(KEY_ENVIRONMENT)
    environment = stored_env if stored_env in ENVIRONMENTS else "simulator"
    idams = {env: practice[idam_key(env)] for env in ENVIRONMENTS if practice.get(idam_key(env))}
    idam = idams.get(environment) or (SIMULATOR_IDAM if environment == "simulator" else None)
    if environment == "simulator":
        link = runtime.simulator_link(file)
        endpoint, ca_file = link.url, str(link.ca_file)
        certificate = CertificateSource(
            link.client_p12, (SIMULATOR_PASSPHRASE, _insi_passphrase_name()),
            "certificat de démonstration du simulateur", link.passphrase)
    else:
        endpoint = file.insi_endpoint or SERVICE_ENDPOINTS[environment]
        ca_file = file.insi_ca_file
        certificate = CertificateSource(runtime.certificate_path(), (_insi_passphrase_name(),),
                                        "certificat d'organisation")
    return InsiSettingsView(
        environment=environment, environment_label=ENVIRONMENT_LABELS[environment],
        environment_chosen=stored_env is not None, idam=idam, idams=idams,
        software_name=practice.get(KEY_SOFTWARE_NAME) or DEFAULT_SOFTWARE_NAME,
        software_version=__version__, installation_id=installation_id(ctx),
        endpoint_url=endpoint, ca_file=ca_file,
        timeout_seconds=file.insi_timeout_seconds or DEFAULT_TIMEOUT_SECONDS,
        certificate=certificate, settings_file=runtime.settings_path)


def _insi_passphrase_name() -> str:
    from insterm.secrets import INSI_CERT_PASSPHRASE

    return INSI_CERT_PASSPHRASE


# --------------------------------------------------------------------------------------------
# Changing settings


_UNSET: Any = object()


def update_practice(ctx: Context, actor: str, *, environment: str | None = None,
                    idam: str | None = None, idam_environment: str | None = None,
                    software_name: str | None = None,
                    confirm_production: bool = False) -> dict[str, Any]:
    """Change practice-wide INSi settings (administrators only, audited). `idam` applies to
    `idam_environment` (default: the environment in force after this change); "" removes it.
    Choosing production needs `confirm_production=True`. Returns {key: new value}."""
    if environment is not None and environment not in ENVIRONMENTS:
        raise ActionRefused("Environnement INSi inconnu : choisissez simulateur, qualification "
                            "ou production.")
    if environment == "production" and not confirm_production:
        raise ActionRefused("Passer en production est un choix explicite : confirmez que le "
                            "cabinet interroge désormais le téléservice INSi réel, pour des "
                            "patients réels.")
    if idam_environment is not None and idam_environment not in ENVIRONMENTS:
        raise ActionRefused("Environnement inconnu pour l'IDAM : simulateur, qualification ou "
                            "production.")
    if idam is not None:
        idam = idam.strip()
        if idam and (len(idam) > 64 or not idam.replace("-", "").replace("_", "").isalnum()):
            raise ActionRefused("IDAM incorrect : le numéro d'autorisation délivré par le CNDA "
                                "ne contient que des lettres et des chiffres.")
    if software_name is not None:
        software_name = software_name.strip()
        if not software_name or len(software_name) > 64 or ":" in software_name:
            raise ActionRefused("Nom de logiciel incorrect : un mot sans « : », 64 caractères "
                                "au plus (il est envoyé sous la forme urn:lps:NOM:VERSION).")
    with ctx.change(actor, "insi_settings_changed", admin=True,
                    admin_for="changer les réglages INSi du cabinet") as change:
        before = _practice_values(change.conn)
        after: dict[str, Any] = {}
        if environment is not None:
            store.put(change.conn, KEY_ENVIRONMENT, environment)
            after[KEY_ENVIRONMENT] = environment
        if idam is not None:
            target = idam_environment or environment or before.get(KEY_ENVIRONMENT) or "simulator"
            if idam:
                store.put(change.conn, idam_key(target), idam)
            else:
                store.put(change.conn, idam_key(target), None)
            after[idam_key(target)] = idam or None
        if software_name is not None:
            store.put(change.conn, KEY_SOFTWARE_NAME, software_name)
            after[KEY_SOFTWARE_NAME] = software_name
        if not after:
            raise ActionRefused("Aucun réglage à changer.")
        change.details.update(before={k: before.get(k) for k in after}, after=after)
    return after


def update_workstation(ctx: Context, runtime: InsiRuntime, actor: str, *,
                       timeout_seconds: float | None = _UNSET, ca_file: str | None = _UNSET,
                       endpoint: str | None = _UNSET, simulator_url: str | None = _UNSET,
                       simulator_dir: str | None = _UNSET) -> Settings:
    """Change this machine's INSi settings in the settings file (administrators only, audited);
    None removes a key."""
    values = {name: value for name, value in (
        ("timeout_seconds", timeout_seconds), ("ca_file", ca_file), ("endpoint", endpoint),
        ("simulator_url", simulator_url), ("simulator_dir", simulator_dir)) if value is not _UNSET}
    if not values:
        raise ActionRefused("Aucun réglage à changer.")
    timeout = values.get("timeout_seconds")
    if timeout is not None and not (isinstance(timeout, (int, float)) and 0 < timeout <= 600):
        raise ActionRefused("Le délai d'attente INSi doit être compris entre 0 et 600 secondes.")
    for name in ("endpoint", "simulator_url"):
        url = values.get(name)
        if url is not None and not str(url).startswith("https://"):
            raise ActionRefused("L'adresse du service INSi doit commencer par https://.")
    for name in ("ca_file",):
        path = values.get(name)
        if path is not None and not Path(path).expanduser().is_file():
            raise ActionRefused(f"Le fichier {path} est introuvable : indiquez le chemin complet "
                                "du fichier des autorités de certification (PEM).")
    from insterm.config import update_settings_file

    with ctx.change(actor, "workstation_settings_changed", admin=True,
                    admin_for="changer les réglages INSi de ce poste") as change:
        settings = update_settings_file({"insi": values}, runtime.settings_path)
        change.details.update(after=values)
    runtime.close()
    return settings


# --------------------------------------------------------------------------------------------
# The keyring


@dataclass(frozen=True)
class KeyringStatus:
    open: bool
    backend: str | None
    needs_master_password: bool
    creating: bool  # the encrypted keyring does not exist yet: ask a new password twice
    reason: str  # French


def keyring_status() -> KeyringStatus:
    from insterm import secrets

    backend = secrets.current_backend()
    if backend is not None:
        return KeyringStatus(True, secrets.describe(backend), False, False, "Trousseau ouvert.")
    plan = secrets.backend_plan()
    return KeyringStatus(False, None, plan.needs_master_password,
                         plan.kind == "cryptfile_new", plan.reason)


def open_keyring(master_password: str | None = None) -> KeyringStatus:
    """Open the keyring by the policy of `insterm.secrets` (Secret Service, else the encrypted
    file with `master_password`). `SecretsError` subclasses (French) when it cannot."""
    from insterm import secrets

    secrets.select_backend(master_password)
    return keyring_status()


def _ensure_keyring() -> None:
    """Open the keyring when it can be opened without a password (Secret Service)."""
    from insterm import secrets

    if secrets.current_backend() is None:
        secrets.select_backend(None)  # MasterPasswordNeeded when a password is needed


def read_passphrase(source: CertificateSource) -> str | None:
    """The certificate's passphrase: in memory (embedded simulator), else the keyring entries in
    order. Raises `SecretsError` (French) when the keyring is locked."""
    if source.passphrase:
        return source.passphrase
    from insterm import secrets

    _ensure_keyring()
    found = []
    for name in source.passphrase_names:
        value = secrets.get_secret(name)
        if value and _opens(source.p12_path, value):
            return value
        if value:
            found.append(value)
    return found[0] if found else None  # the certificate check will say it does not open


def _opens(p12_path: Path, passphrase: str) -> bool:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        pkcs12.load_key_and_certificates(p12_path.read_bytes(), passphrase.encode("utf-8"))
    except (OSError, ValueError, TypeError):
        return False
    return True


# --------------------------------------------------------------------------------------------
# The organisation certificate


@dataclass(frozen=True)
class ImportedCertificate:
    path: Path
    info: CertificateInfo
    fingerprint_sha256: str
    expiring: bool  # expires within CERTIFICATE_EXPIRY_WARNING_DAYS

    @property
    def message_fr(self) -> str:
        text = (f"Certificat {self.info.common_name} de la structure {self.info.organisational_unit}"
                f" installé ; valable jusqu'au {self.info.not_after:%d/%m/%Y}.")
        if self.expiring:
            text += " Attention : il expire dans moins de 30 jours, demandez son renouvellement."
        return text


def import_certificate(ctx: Context, runtime: InsiRuntime, actor: str,
                       p12_path: str | os.PathLike[str], passphrase: str) -> ImportedCertificate:
    """Check a PKCS#12 organisation certificate (CN INSI-MANU/INSI-AUTO, validity, OU), copy it
    to the data folder (mode 0600), put its passphrase in the keyring, audit the import (never
    the passphrase). Administrators only. Refusals: `ActionRefused` (French), or the keyring's
    own `SecretsError` when it is locked; nothing changes then."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from insterm import secrets
    from insterm.insi.auth import CertificateAuth
    from insterm.insi.errors import InsiAuthError

    ctx.operator(actor, admin=True, admin_for="installer le certificat INSi")
    source = Path(p12_path).expanduser()
    if not source.is_file():
        raise ActionRefused(f"Le fichier {source} est introuvable : indiquez le chemin complet du "
                            "certificat d'organisation (.p12).")
    if not isinstance(passphrase, str) or not passphrase:
        raise ActionRefused("Saisissez la phrase de passe du fichier .p12 (donnée avec le "
                            "certificat).")
    try:
        data = source.read_bytes()
    except OSError as error:
        raise ActionRefused(f"Le fichier {source} est illisible ({error.strerror}).") from None
    if len(data) > 1_000_000:
        raise ActionRefused("Ce fichier est trop gros pour un certificat .p12 : choisissez le "
                            "fichier du certificat d'organisation.")
    auth = CertificateAuth(source, passphrase)
    try:
        info = auth.check(runtime.now())
    except InsiAuthError as error:
        raise ActionRefused(f"Certificat refusé : {error}") from None
    fingerprint = hashlib.sha256(auth.certificate.public_bytes(Encoding.DER)).hexdigest()
    _ensure_keyring()  # refuse now (locked keyring) rather than after copying anything
    target = runtime.certificate_path()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(target.parent, 0o700)
    fd, tmp = tempfile.mkstemp(prefix=".import-", suffix=".p12", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with ctx.change(actor, "insi_certificate_imported") as change:
            change.details.update(
                common_name=info.common_name, organisational_unit=info.organisational_unit,
                subject=info.subject, issuer=info.issuer, serial_number=str(info.serial_number),
                not_after=info.not_after.isoformat(), fingerprint_sha256=fingerprint,
                path=str(target))
            secrets.set_secret(_insi_passphrase_name(), passphrase)
            os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    runtime.close()
    expiring = info.days_left(runtime.now()) < CERTIFICATE_EXPIRY_WARNING_DAYS
    return ImportedCertificate(target, info, fingerprint, expiring)


# --------------------------------------------------------------------------------------------
# Readiness: what is missing before a call


@dataclass(frozen=True)
class ReadinessItem:
    code: str  # machine name: no_certificate, keyring_locked, certificate_expiring...
    message: str  # French: what is wrong and what to do
    blocking: bool


@dataclass(frozen=True)
class InsiReadiness:
    environment: str
    environment_label: str
    endpoint_url: str
    items: tuple[ReadinessItem, ...]
    certificate: CertificateInfo | None = None
    needs_master_password: bool = False

    @property
    def ready(self) -> bool:
        return not any(item.blocking for item in self.items)

    @property
    def blocking(self) -> tuple[ReadinessItem, ...]:
        return tuple(item for item in self.items if item.blocking)

    @property
    def warnings(self) -> tuple[ReadinessItem, ...]:
        return tuple(item for item in self.items if not item.blocking)

    @property
    def message_fr(self) -> str:
        if not self.items:
            return f"INSi prêt ({self.environment_label})."
        return " ".join(item.message for item in self.items)


def identity_items(record: Any) -> list[ReadinessItem]:
    """What forbids INSi for this identity (doubtful, fictitious, corrected date, sex I...)."""
    from insterm.domain.status import insi_block_reason

    items = []
    if record.merged_into is not None:
        items.append(ReadinessItem(
            "identity_merged", "Ce dossier a été fusionné dans un autre : qualifiez le dossier "
            "principal.", True))
        return items
    reason = insi_block_reason(record.state())
    if reason is not None:
        code = "identity_corrected_date" if record.birth_date_corrected else "identity_attribute"
        items.append(ReadinessItem(code, reason, True))
    if record.sex not in ("M", "F"):
        items.append(ReadinessItem(
            "identity_sex", "Le sexe indéterminé (I) ne peut pas être envoyé au téléservice INSi, "
            "qui ne connaît que M et F : l'identité reste provisoire.", True))
    return items


def readiness(ctx: Context, runtime: InsiRuntime, record: Any = None) -> InsiReadiness:
    """Everything that would stop a call now, without sending anything."""
    from insterm.config import SettingsError
    from insterm.insi.auth import CertificateAuth
    from insterm.insi.errors import InsiError

    items: list[ReadinessItem] = []
    if record is not None:
        items += identity_items(record)
    try:
        view = current(ctx, runtime)
    except SettingsError as error:
        items.append(ReadinessItem("settings_file", str(error), True))
        return InsiReadiness("?", "?", "", tuple(items))
    try:
        view.client_settings().check()
    except InsiError as error:
        items.append(ReadinessItem(f"settings.{getattr(error, 'setting', 'insi')}", str(error),
                                   True))
    if view.environment != "simulator" and not view.ca_file:
        items.append(ReadinessItem(
            "no_ca_file", "Aucun fichier d'autorités de certification IGC-Santé n'est réglé : le "
            "magasin du système sera utilisé, qui ne les contient souvent pas. Indiquez le "
            "fichier (insi.ca_file) si la connexion échoue.", False))
    certificate = None
    needs_master = False
    source = view.certificate
    if not source.p12_path.is_file():
        if view.environment == "simulator":
            message = ("Le certificat de démonstration du simulateur est absent : lancez "
                       "`insterm insi-sim --setup`.")
        else:
            message = ("Aucun certificat d'organisation INSi n'est installé : importez le fichier "
                       ".p12 (CN INSI-MANU ou INSI-AUTO) dans les réglages INSi.")
        items.append(ReadinessItem("no_certificate", message, True))
    else:
        from insterm import secrets

        passphrase = None
        try:
            passphrase = runtime.passphrase(source)
        except secrets.MasterPasswordNeeded as error:
            needs_master = True
            items.append(ReadinessItem("keyring_locked", str(error), True))
        except secrets.SecretsError as error:
            items.append(ReadinessItem("keyring_unavailable", str(error), True))
        else:
            if passphrase is None:
                items.append(ReadinessItem(
                    "no_passphrase", "La phrase de passe du certificat INSi n'est pas dans le "
                    "trousseau : importez de nouveau le certificat (réglages INSi).", True))
        if passphrase is not None:
            try:
                certificate = CertificateAuth(source.p12_path, passphrase).check(runtime.now())
            except InsiError as error:
                items.append(ReadinessItem(getattr(error, "code", "certificate"), str(error),
                                           True))
            else:
                days = certificate.days_left(runtime.now())
                if days < CERTIFICATE_EXPIRY_WARNING_DAYS:
                    items.append(ReadinessItem(
                        "certificate_expiring",
                        f"Le certificat INSi expire le {certificate.not_after:%d/%m/%Y} (dans "
                        f"{max(days, 0)} jours) : demandez son renouvellement dès maintenant.",
                        False))
    return InsiReadiness(view.environment, view.environment_label, view.endpoint_url,
                         tuple(items), certificate, needs_master)
