"""Installing the practice's INSi organisation certificate (a PKCS#12 file).

The certificate is checked (CN INSI-MANU or INSI-AUTO, validity, OU), copied to this machine's
data folder with mode 0600, its passphrase put in the keyring (nowhere else), and the import
audited. Administrators only.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from insterm import secrets
from insterm.insi.auth import CertificateAuth, CertificateInfo
from insterm.insi.errors import InsiAuthError
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused
from insterm.usecases.insi_keyring import ensure_keyring
from insterm.usecases.insi_wiring import InsiRuntime

CERTIFICATE_EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True, slots=True)
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
    from cryptography.hazmat.primitives.serialization import Encoding  # 0.1 s: on use only

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
    ensure_keyring()  # refuse now (locked keyring) rather than after copying anything
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
            secrets.set_secret(secrets.INSI_CERT_PASSPHRASE, passphrase)

            os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    runtime.close()
    expiring = info.days_left(runtime.now()) < CERTIFICATE_EXPIRY_WARNING_DAYS
    return ImportedCertificate(target, info, fingerprint, expiring)

