"""The practice's INSi settings: what each value is, where it lives, reading them all as they
apply now (`current`) and changing them (`update_practice`, `update_workstation`).

Where each value lives, and why:

- environment (simulator / qualification / production): database `insi.environment` (JSON
  text, `insterm.store.settings`): the whole practice works in one environment, and every
  workstation (over SSH too) opens the same database;
- IDAM, one per environment: database `insi.idam.<environment>`: the software's CNDA
  authorisation, the same for every workstation; the simulator's defaults to `SIMULATOR_IDAM`;
- software name: database `insi.software_name` (default "insterm"), sent in ContexteLPS
  (urn:lps:NAME:VERSION);
- software version: the installed package (`insterm.__version__`), never stored: a stored copy
  would go stale after an upgrade;
- installation UUID: database `installation.id`, created once on first use, never changed (one
  installation = the practice's database);
- timeout: settings file `insi.timeout_seconds` (default 30 s): the network differs per machine;
- CA bundle for qualification/production: settings file `insi.ca_file` (default: the system
  store), a path on this machine;
- relay replacing the qualification/production address: settings file `insi.endpoint`;
- simulator address and state folder: the embedded simulator when one runs in this process,
  else settings file `insi.simulator_url` / `insi.simulator_dir` (written by `insterm insi-sim
  --setup`), else `https://127.0.0.1:8443/lps` and the default state folder
  (`insterm.usecases.insi_wiring`);
- authentication mode: settings file `insi.auth_mode` ("certificate", the default, or "cps"):
  a CPS must sit in a reader of the machine that runs insterm, so this is chosen per
  workstation (a desk used over SSH keeps the organisation certificate); in CPS mode the
  qualification/production addresses are the plain (non-"tlsm") hosts, and the card's PKCS#11
  module is settings file `cards.pkcs11_module` (`insterm.usecases.cps_card`);
- organisation certificate: `<data dir>/insi/organisation-certificate.p12`, mode 0600
  (`insterm.usecases.insi_certificate`), a file of this machine;
- certificate passphrases: the keyring only (`insterm.usecases.insi_keyring`), being secrets.

The environment defaults to the simulator. Production is an explicit choice: only an
administrator can set it, with `confirm_production=True` (the screen asks), and it is audited.
Nothing here ever holds a secret: the passphrase goes to the keyring and nowhere else (neither
the database, nor the settings file, nor the audit log).
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from insterm import __version__, config, secrets
from insterm.domain.errors import echoed
from insterm.insi.settings import InsiSettings
from insterm.store import settings as store
from insterm.store.connection import write_transaction
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.insi_keyring import SIMULATOR_PASSPHRASE, CertificateSource
from insterm.usecases.insi_wiring import InsiRuntime

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
# insi-contract.md section 1.3: the plain hosts of the CPS card mode (assertion PS).
CPS_SERVICE_ENDPOINTS = {
    "qualification": "https://qualiflps.services-ps.ameli.fr/lps",
    "production": "https://services-ps.ameli.fr/lps",
}
AUTH_MODES = ("certificate", "cps")
AUTH_MODE_LABELS = {
    "certificate": "Certificat d'organisation (fonctionne aussi par SSH)",
    "cps": "Carte CPS (lecteur branché sur ce poste, code à saisir)",
}
SIMULATOR_IDAM = "INSTERMDEMO1"  # = insterm.insi.simulator.DEMO_IDAM (checked by a test)
DEFAULT_SOFTWARE_NAME = "insterm"
DEFAULT_TIMEOUT_SECONDS = 30.0
WORKSTATION_KEYS = ("timeout_seconds", "ca_file", "endpoint", "simulator_url", "simulator_dir",
                    "auth_mode")

KEY_ENVIRONMENT = "insi.environment"
KEY_SOFTWARE_NAME = "insi.software_name"
KEY_INSTALLATION_ID = "installation.id"


def idam_key(environment: str) -> str:
    return f"insi.idam.{environment}"


def _practice_values(conn: sqlite3.Connection) -> dict[str, str]:
    """The practice-wide INSi values stored in the database (text values only)."""
    keys = [KEY_ENVIRONMENT, KEY_SOFTWARE_NAME, *(idam_key(env) for env in ENVIRONMENTS)]
    values = {key: store.get(conn, key) for key in keys}
    return {key: value for key, value in values.items() if isinstance(value, str) and value}


def environment_in_force(conn: sqlite3.Connection) -> str:
    """The practice's INSi environment: the stored one, else the simulator."""
    value = store.get(conn, KEY_ENVIRONMENT)
    return value if value in ENVIRONMENTS else "simulator"


@dataclass(frozen=True, slots=True)
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
    auth_mode: str = "certificate"
    pkcs11_module: str | None = None  # the configured path (None: the candidates)

    @property
    def auth_mode_label(self) -> str:
        return AUTH_MODE_LABELS[self.auth_mode]

    @property
    def lps_name(self) -> str:
        return f"urn:lps:{self.software_name}:{self.software_version}"

    def client_settings(self) -> InsiSettings:
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


def current(ctx: Context, runtime: InsiRuntime,
            environment: str | None = None) -> InsiSettingsView:
    """The INSi settings in force (database + settings file + runtime), or those that would be
    in force in `environment` (the test call of an environment not chosen yet); `SettingsError`
    when the settings file cannot be read."""
    practice = _practice_values(ctx.conn)
    file = runtime.file_settings()
    stored_env = practice.get(KEY_ENVIRONMENT)
    if environment is None:
        environment = stored_env if stored_env in ENVIRONMENTS else "simulator"
    elif environment not in ENVIRONMENTS:
        raise ActionRefused("Environnement INSi inconnu : choisissez simulateur, qualification "
                            "ou production.")
    idams = {env: practice[idam_key(env)] for env in ENVIRONMENTS if practice.get(idam_key(env))}
    idam = idams.get(environment) or (SIMULATOR_IDAM if environment == "simulator" else None)
    ca_file: str | None
    auth_mode = file.insi_auth_mode if file.insi_auth_mode in AUTH_MODES else "certificate"
    if environment == "simulator":
        link = runtime.simulator_link(file)
        endpoint, ca_file = link.url, str(link.ca_file)
        certificate = CertificateSource(
            link.client_p12, (SIMULATOR_PASSPHRASE, secrets.INSI_CERT_PASSPHRASE),
            "certificat de démonstration du simulateur", link.passphrase)
    else:
        endpoints = CPS_SERVICE_ENDPOINTS if auth_mode == "cps" else SERVICE_ENDPOINTS
        endpoint = file.insi_endpoint or endpoints[environment]
        ca_file = file.insi_ca_file
        certificate = CertificateSource(runtime.certificate_path(),
                                        (secrets.INSI_CERT_PASSPHRASE,),
                                        "certificat d'organisation")
    return InsiSettingsView(
        environment=environment, environment_label=ENVIRONMENT_LABELS[environment],
        environment_chosen=stored_env == environment, idam=idam, idams=idams,
        software_name=practice.get(KEY_SOFTWARE_NAME) or DEFAULT_SOFTWARE_NAME,
        software_version=__version__, installation_id=installation_id(ctx),
        endpoint_url=endpoint, ca_file=ca_file,
        timeout_seconds=file.insi_timeout_seconds or DEFAULT_TIMEOUT_SECONDS,
        certificate=certificate, settings_file=runtime.settings_path, auth_mode=auth_mode,
        pkcs11_module=file.cards_pkcs11_module)


# --------------------------------------------------------------------------------------------
# Changing settings


def update_practice(ctx: Context, runtime: InsiRuntime, actor: str, *,
                    environment: str | None = None, idam: str | None = None,
                    idam_environment: str | None = None, software_name: str | None = None,
                    confirm_production: bool = False) -> dict[str, str | None]:
    """Change practice-wide INSi settings (administrators only, audited). `idam` applies to
    `idam_environment` (default: the environment in force after this change); "" removes it.
    Choosing production needs `confirm_production=True`, an installed certificate and a passed
    test call of that very configuration (`insi_test_call.production_refusal`). Returns
    {key: new value}."""
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
    if environment == "production":
        from insterm.usecases.insi_test_call import production_refusal

        ctx.operator(actor, admin=True, admin_for="changer les réglages INSi du cabinet")
        stored = store.get(ctx.conn, KEY_ENVIRONMENT)
        production_idam = idam if idam is not None and (idam_environment or "production") \
            == "production" else None
        problem = (None if stored == "production" and production_idam is None
                   else production_refusal(ctx, runtime, production_idam))
        if problem is not None:
            raise ActionRefused(problem)
    with ctx.change(actor, "insi_settings_changed", admin=True,
                    admin_for="changer les réglages INSi du cabinet") as change:
        before = _practice_values(change.conn)
        after: dict[str, str | None] = {}

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




def update_workstation(ctx: Context, runtime: InsiRuntime, actor: str,
                       **values: float | str | None) -> config.Settings:
    """Change this machine's INSi settings in the settings file (administrators only, audited):
    `WORKSTATION_KEYS`; None removes a key."""
    unknown = sorted(set(values) - set(WORKSTATION_KEYS))
    if unknown:
        raise TypeError(f"unknown workstation settings {unknown}")
    values = {name: values[name] for name in WORKSTATION_KEYS if name in values}
    if not values:
        raise ActionRefused("Aucun réglage à changer.")
    timeout = values.get("timeout_seconds")
    if timeout is not None and not (isinstance(timeout, (int, float)) and 0 < timeout <= 600):
        raise ActionRefused("Le délai d'attente INSi doit être compris entre 0 et 600 secondes.")
    for name in ("endpoint", "simulator_url"):
        url = values.get(name)
        if url is not None and not str(url).startswith("https://"):
            raise ActionRefused("L'adresse du service INSi doit commencer par https://.")
    mode = values.get("auth_mode")
    if mode is not None and mode not in AUTH_MODES:
        raise ActionRefused("Mode d'authentification INSi inconnu : certificat d'organisation "
                            "(certificate) ou carte CPS (cps).")
    path = values.get("ca_file")
    if path is not None and not Path(str(path)).expanduser().is_file():
        raise ActionRefused(f"Le fichier {echoed(str(path))} est introuvable : indiquez le chemin "
                            "complet du fichier des autorités de certification (PEM).")
    folder = values.get("simulator_dir")
    if folder is not None and not Path(str(folder)).expanduser().is_dir():
        raise ActionRefused(f"Le dossier {echoed(str(folder))} est introuvable : indiquez le "
                            "dossier du simulateur (celui de « insterm insi-sim --setup »).")
    with ctx.change(actor, "workstation_settings_changed", admin=True,
                    admin_for="changer les réglages INSi de ce poste") as change:
        settings = config.update_settings_file({"insi": values}, runtime.settings_path)
        change.details.update(after=values)
    runtime.close()
    return settings
