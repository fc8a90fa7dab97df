"""INSi settings: endpoint, IDAM, software identity, installation UUID. Standard library only.

Until the settings file exists (config issue), `InsiSettings.from_env()` reads them from the
environment (documented in docs/insi-api.md):

    INSTERM_INSI_ENDPOINT         https URL of the service (required)
    INSTERM_INSI_IDAM             CNDA software authorisation number (required)
    INSTERM_INSI_INSTALLATION_ID  UUID created once per installation (required)
    INSTERM_INSI_ENVIRONMENT      simulator | qualification | production (default simulator)
    INSTERM_INSI_TIMEOUT          seconds, default 30
    INSTERM_INSI_CA_FILE          PEM bundle of the CAs that sign the server certificate
                                  (default: the system store)

No secret here, ever: the certificate passphrase comes from the keyring (insterm.secrets).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from insterm import __version__
from insterm.insi.errors import InsiSettingsError

__all__ = ["ENVIRONMENTS", "InsiSettings"]

ENVIRONMENTS = ("simulator", "qualification", "production")
DEFAULT_MAX_REPLY_BYTES = 1_000_000  # real replies are under 3 kB


@dataclass(frozen=True, slots=True)
class InsiSettings:
    """Everything the client needs that is not a secret. `check()` explains in French what is
    wrong; the client calls it before any request."""

    endpoint_url: str
    idam: str
    installation_id: str
    software_name: str = "insterm"
    software_version: str = __version__
    environment: str = "simulator"
    timeout_seconds: float = 30.0
    ca_file: str | None = None
    max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES

    @property
    def lps_name(self) -> str:
        """ContexteLPS/LPS/Nom: urn:lps:NAME:VERSION (as padoa and SAPA send it)."""
        return f"urn:lps:{self.software_name}:{self.software_version}"

    def check(self) -> InsiSettings:
        parts = urlsplit(self.endpoint_url or "")
        if parts.scheme != "https" or not parts.hostname:
            raise InsiSettingsError(
                "L'adresse du service INSi doit être une URL https:// complète "
                f"(réglage actuel : {self.endpoint_url!r}).",
                setting="endpoint_url",
            )
        if not (self.idam or "").strip():
            raise InsiSettingsError(
                "Le numéro d'autorisation du logiciel (IDAM, délivré par le CNDA) n'est pas "
                "réglé : renseignez-le dans les réglages INSi.",
                setting="idam",
            )
        try:
            uuid.UUID(self.installation_id)
        except (ValueError, AttributeError, TypeError):
            raise InsiSettingsError(
                "L'identifiant de cette installation (UUID créé une fois pour toutes) est absent "
                "ou mal formé : il doit être de la forme 8-4-4-4-12 caractères hexadécimaux.",
                setting="installation_id",
            ) from None
        if self.environment not in ENVIRONMENTS:
            raise InsiSettingsError(
                f"Environnement INSi inconnu {self.environment!r} : choisissez parmi "
                + ", ".join(ENVIRONMENTS)
                + ".",
                setting="environment",
            )
        if not 0 < self.timeout_seconds <= 600:
            raise InsiSettingsError(
                "Le délai d'attente INSi doit être compris entre 0 et 600 secondes.",
                setting="timeout_seconds",
            )
        if self.ca_file is not None and not os.path.isfile(self.ca_file):
            raise InsiSettingsError(
                f"Le fichier des autorités de certification {self.ca_file!r} est introuvable.",
                setting="ca_file",
            )
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> InsiSettings:
        env = os.environ if environ is None else environ

        def required(name: str, setting: str, label: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise InsiSettingsError(
                    f"{label} n'est pas réglé : définissez la variable d'environnement {name}.",
                    setting=setting,
                )
            return value

        timeout_text = env.get("INSTERM_INSI_TIMEOUT", "30").strip()
        try:
            timeout = float(timeout_text)
        except ValueError:
            raise InsiSettingsError(
                f"INSTERM_INSI_TIMEOUT doit être un nombre de secondes (reçu {timeout_text!r}).",
                setting="timeout_seconds",
            ) from None
        return cls(
            endpoint_url=required("INSTERM_INSI_ENDPOINT", "endpoint_url", "L'adresse du service INSi"),
            idam=required("INSTERM_INSI_IDAM", "idam", "Le numéro d'autorisation du logiciel (IDAM)"),
            installation_id=required(
                "INSTERM_INSI_INSTALLATION_ID", "installation_id", "L'identifiant d'installation"
            ),
            environment=env.get("INSTERM_INSI_ENVIRONMENT", "simulator").strip() or "simulator",
            timeout_seconds=timeout,
            ca_file=env.get("INSTERM_INSI_CA_FILE") or None,
        ).check()
