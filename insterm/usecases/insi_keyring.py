"""The keyring as the INSi use cases see it: whether it is open, opening it, and reading the
passphrase of a certificate.

The keyring itself (Secret Service, else an encrypted file with a master password) and its
policy are `insterm.secrets`. A certificate passphrase lives there and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from insterm import secrets

# The simulator's demo certificate passphrase has its own keyring entry, so that setting the
# simulator up never overwrites the passphrase of the practice's real certificate.
SIMULATOR_PASSPHRASE = "insi-simulator-certificate-passphrase"


@dataclass(frozen=True, slots=True)
class CertificateSource:
    """Where the certificate of an environment is, and where its passphrase is kept."""

    p12_path: Path
    passphrase_names: tuple[str, ...]  # keyring entries, tried in order
    label: str  # French
    passphrase: str | None = field(default=None, repr=False)  # embedded simulator only


@dataclass(frozen=True, slots=True)
class KeyringStatus:
    open: bool
    backend: str | None  # French: what the keyring is ("trousseau chiffré d'insterm...")
    needs_master_password: bool
    creating: bool  # the encrypted keyring does not exist yet: ask a new password twice
    reason: str  # French


def keyring_status() -> KeyringStatus:
    backend = secrets.current_backend()
    if backend is not None:
        return KeyringStatus(True, secrets.label(backend), False, False, "Trousseau ouvert.")
    plan = secrets.backend_plan()
    return KeyringStatus(False, None, plan.needs_master_password,
                         plan.kind == "cryptfile_new", plan.reason)


def open_keyring(master_password: str | None = None) -> KeyringStatus:
    """Open the keyring by the policy of `insterm.secrets` (Secret Service, else the encrypted
    file with `master_password`). `SecretsError` subclasses (French) when it cannot."""
    secrets.select_backend(master_password)
    return keyring_status()


def ensure_keyring() -> None:
    """Open the keyring when it can be opened without a password (Secret Service)."""
    if secrets.current_backend() is None:
        secrets.select_backend(None)  # MasterPasswordNeeded when a password is needed


def read_passphrase(source: CertificateSource) -> str | None:
    """The certificate's passphrase: in memory (embedded simulator), else the keyring entries in
    order. Raises `SecretsError` (French) when the keyring is locked."""
    if source.passphrase:
        return source.passphrase
    ensure_keyring()
    found = []
    for name in source.passphrase_names:
        value = secrets.get_secret(name)
        if value and _opens(source.p12_path, value):
            return value
        if value:
            found.append(value)
    return found[0] if found else None  # the certificate check will say it does not open


def _opens(p12_path: Path, passphrase: str) -> bool:
    from cryptography.hazmat.primitives.serialization import pkcs12  # 0.1 s: on use only

    try:
        pkcs12.load_key_and_certificates(p12_path.read_bytes(), passphrase.encode("utf-8"))
    except (OSError, ValueError, TypeError):
        return False
    return True
