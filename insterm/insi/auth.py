"""How the client authenticates to INSi: the `AuthMode` protocol and the organisation
certificate mode (mutual TLS, insi-contract.md 4.1).

An `AuthMode` does four things, all before anything is sent:
- `check(now)`: refuse (French `InsiAuthError`) material that the service would refuse;
- `emitter()`: the Emetteur of ContexteLPS / ContexteBAM;
- `configure_tls(context)`: load what TLS needs (client certificate, or nothing);
- `security_header(message_id)`: the children of wsse:Security (signed SAML assertions), or []
  for no wsse:Security header at all (the certificate mode: padoa sends none).
The CPS card mode (a SAML "assertion PS" signed by the card, insi-contract.md 4.2) will be a
second implementation: no client certificate, `emitter()` the card holder's id, and its
assertion in `security_header`. Nothing else in the client changes.

`CertificateAuth(p12_path, passphrase)`: the practice's IGC-Santé organisation certificate as a
PKCS#12 file; the caller gets the passphrase from the keyring (insterm.secrets,
INSI_CERT_PASSPHRASE). Checked before any call: CN exactly INSI-MANU or INSI-AUTO (else the
service answers DESIR_560), inside its validity period; Emetteur = the subject's OU.

Python's ssl module loads a client key only from a file. The key is never written in clear: it
is re-encrypted with a random one-time password into a private temporary folder (mode 0700, file
mode 0600), loaded into the SSLContext, and both files are deleted right away (in `finally`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from insterm.insi.errors import InsiAuthError

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509

__all__ = [
    "ALLOWED_CNS",
    "AuthMode",
    "CertificateAuth",
    "CertificateInfo",
    "check_certificate",
]

ALLOWED_CNS = ("INSI-MANU", "INSI-AUTO")


@runtime_checkable
class AuthMode(Protocol):
    """An authentication mode for INSi calls (see the module docstring)."""

    label: str  # French, for screens: "certificat d'organisation", "carte CPS"

    def check(self, now: datetime | None = None) -> Any: ...

    def emitter(self) -> str: ...

    def configure_tls(self, context: ssl.SSLContext) -> None: ...

    def security_header(self, message_id: str) -> list[Any]: ...


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """What the checks read from the certificate (no secret)."""

    common_name: str
    organisational_unit: str
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    serial_number: int

    def days_left(self, now: datetime | None = None) -> int:
        return (self.not_after - (now or datetime.now(UTC))).days


def _attribute(name: x509.Name, oid: Any) -> str | None:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def check_certificate(certificate: x509.Certificate, now: datetime | None = None) -> CertificateInfo:
    """Raise `InsiAuthError` (French) unless the certificate may authenticate INSi calls."""
    from cryptography.x509.oid import NameOID

    moment = (now or datetime.now(UTC)).astimezone(UTC)
    cn = _attribute(certificate.subject, NameOID.COMMON_NAME) or ""
    ou = _attribute(certificate.subject, NameOID.ORGANIZATIONAL_UNIT_NAME) or ""
    not_before = certificate.not_valid_before_utc
    not_after = certificate.not_valid_after_utc
    if cn not in ALLOWED_CNS:
        raise InsiAuthError(
            f"Le certificat « {cn or 'sans nom'} » ne peut pas servir pour INSi : son nom (CN) "
            "doit être exactement INSI-MANU ou INSI-AUTO (certificat d'organisation IGC-Santé "
            "d'authentification). Le service le refuserait (DESIR_560). Choisissez le bon "
            "fichier .p12 dans les réglages INSi. Aucune demande n'a été envoyée.",
            reason="wrong_cn",
        )
    if moment > not_after:
        raise InsiAuthError(
            f"Le certificat INSi ({cn}) a expiré le {not_after:%d/%m/%Y} : demandez son "
            "renouvellement (IGC-Santé) puis installez le nouveau fichier .p12. Aucune demande "
            "n'a été envoyée.",
            reason="expired",
        )
    if moment < not_before:
        raise InsiAuthError(
            f"Le certificat INSi ({cn}) n'est valable qu'à partir du {not_before:%d/%m/%Y} : "
            "vérifiez la date et l'heure de cet ordinateur, ou attendez cette date. Aucune "
            "demande n'a été envoyée.",
            reason="not_yet_valid",
        )
    if not ou.strip():
        raise InsiAuthError(
            f"Le certificat INSi ({cn}) ne porte pas d'unité d'organisation (OU) : l'identifiant "
            "de la structure (émetteur des demandes) ne peut pas en être tiré. Vérifiez que "
            "c'est bien le certificat d'organisation délivré pour INSi.",
            reason="no_ou",
        )
    return CertificateInfo(
        common_name=cn,
        organisational_unit=ou.strip(),
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        not_before=not_before,
        not_after=not_after,
        serial_number=certificate.serial_number,
    )


class CertificateAuth:
    """Organisation certificate (PKCS#12 + passphrase from the keyring), mutual TLS."""

    label = "certificat d'organisation"

    def __init__(self, p12_path: str | os.PathLike[str], passphrase: str | bytes | None) -> None:
        self.p12_path = Path(p12_path)
        self._passphrase = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
        self._loaded: tuple[Any, Any, list[Any]] | None = None
        self._info: CertificateInfo | None = None

    def __repr__(self) -> str:  # never shows the passphrase
        return f"CertificateAuth({str(self.p12_path)!r})"

    def _load(self) -> tuple[Any, Any, list[Any]]:
        if self._loaded is not None:
            return self._loaded
        from cryptography.hazmat.primitives.serialization import pkcs12

        try:
            data = self.p12_path.read_bytes()
        except OSError:
            raise InsiAuthError(
                f"Le fichier du certificat INSi {str(self.p12_path)!r} est introuvable ou "
                "illisible : vérifiez le chemin dans les réglages INSi.",
                reason="p12_missing",
            ) from None
        if self._passphrase is None:
            raise InsiAuthError(
                "La phrase de passe du certificat INSi n'est pas enregistrée dans le trousseau : "
                "saisissez-la dans les réglages INSi.",
                reason="no_passphrase",
            )
        try:
            key, certificate, additional = pkcs12.load_key_and_certificates(
                data, self._passphrase
            )
        except (ValueError, TypeError):
            raise InsiAuthError(
                "Le certificat INSi ne peut pas être ouvert : la phrase de passe enregistrée ne "
                "convient pas, ou le fichier n'est pas un PKCS#12 valide. Ressaisissez la phrase "
                "de passe dans les réglages INSi.",
                reason="p12_unreadable",
            ) from None
        if key is None or certificate is None:
            raise InsiAuthError(
                "Le fichier PKCS#12 ne contient pas à la fois le certificat et sa clé privée : "
                "exportez-le de nouveau avec la clé.",
                reason="p12_incomplete",
            )
        self._loaded = (key, certificate, list(additional or []))
        return self._loaded

    @property
    def certificate(self) -> x509.Certificate:
        return self._load()[1]

    def check(self, now: datetime | None = None) -> CertificateInfo:
        info = check_certificate(self._load()[1], now)
        self._info = info
        return info

    def emitter(self) -> str:
        info = self._info or self.check()
        return info.organisational_unit

    def security_header(self, message_id: str) -> list[Any]:
        return []  # mutual TLS: no wsse:Security header (insi-contract.md 2.1, 4.1)

    def configure_tls(self, context: ssl.SSLContext) -> None:
        """Load the client certificate chain and key into `context` without writing the key in
        clear (see the module docstring)."""
        from cryptography.hazmat.primitives.serialization import (
            BestAvailableEncryption,
            Encoding,
            PrivateFormat,
        )

        key, certificate, additional = self._load()
        one_time = secrets.token_urlsafe(32).encode("ascii")
        key_pem = key.private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(one_time)
        )
        chain_pem = certificate.public_bytes(Encoding.PEM) + b"".join(
            extra.public_bytes(Encoding.PEM) for extra in additional
        )
        folder = tempfile.mkdtemp(prefix="insterm-tls-")  # mode 0700
        try:
            key_path = os.path.join(folder, "client-key.pem")
            chain_path = os.path.join(folder, "client-chain.pem")
            for path, content in ((key_path, key_pem), (chain_path, chain_pem)):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(content)
            try:
                context.load_cert_chain(chain_path, key_path, password=one_time)
            except ssl.SSLError:
                raise InsiAuthError(
                    "La clé privée du certificat INSi ne correspond pas au certificat : "
                    "exportez de nouveau le fichier .p12.",
                    reason="key_mismatch",
                ) from None
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def client_tls_context(auth: AuthMode, ca_file: str | None) -> ssl.SSLContext:
    """A client SSLContext: server verified (hostname + chain: `ca_file` or the system store),
    TLS 1.2 at least, and whatever the auth mode loads (client certificate)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    auth.configure_tls(context)
    return context
