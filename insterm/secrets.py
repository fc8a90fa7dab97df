"""Where insterm keeps its secrets: the keyring backend policy and the credential names.

The policy:
1. the Secret Service (GNOME Keyring, KWallet's bridge...) when a D-Bus session bus is reachable
   and its default collection exists and is already unlocked, so that using it never prompts;
2. otherwise an encrypted file keyring (keyrings.cryptfile, Argon2id + AES-GCM) unlocked with a
   master password that the caller supplies (the TUI asks for it in a password field); its key
   is set programmatically, so the backend never reaches `getpass`;
3. plaintext, "fail" and "null" backends, and keyring's auto-detected chainer, are refused with
   a French message: insterm never lets `keyring` pick a backend by itself.

For commands run unattended (cron, a systemd service, a script) on a machine without a desktop
keyring, the master password may come from a file only its owner can read
(`master_password_from_file`: `--mot-de-passe-fichier FICHIER`, or systemd's credential
`$CREDENTIALS_DIRECTORY/insterm-trousseau`, `unattended_master_password`); a file whose mode is
wider than 0600, owned by someone else, or not a regular file is refused.

No function here prompts on the terminal. Secret values are never logged nor put in an error
message; only backend names are.

`keyring` and its backends are imported when a secret is first used.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insterm.domain.errors import InstermError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "insterm"

# Credential names (the "username" under SERVICE in the keyring).
INSI_CERT_PASSPHRASE = "insi-certificate-passphrase"

CRYPTFILE_NAME = "cryptfile_pass.cfg"

# A new encrypted keyring's master password: long enough to resist a guessing attack on a stolen
# file (the file's Argon2id slows each guess, it does not save a short password).
MASTER_PASSWORD_MIN_LENGTH = 12
MASTER_PASSWORD_MIN_WORDS = 4
MASTER_PASSWORD_RULE = (f"{MASTER_PASSWORD_MIN_LENGTH} caractères au moins, ou une phrase d'au "
                        f"moins {MASTER_PASSWORD_MIN_WORDS} mots")

# Backends that store secrets in clear, lose them, or raise on every call.
_REFUSED_CLASS_NAMES = {"PlaintextKeyring", "Keyring@keyring.backends.fail",
                        "Keyring@keyring.backends.null", "ChainerBackend"}


class SecretsError(InstermError):
    """A secret could not be stored or read (French message saying what to do)."""


class SecretsUnavailable(SecretsError):
    """No acceptable keyring backend (none installed, or the one proposed is refused)."""


class MasterPasswordNeeded(SecretsUnavailable):
    """The encrypted file keyring is the backend to use and needs its master password."""


class WrongMasterPassword(SecretsUnavailable):
    """The master password does not open the existing encrypted file keyring."""


class WeakMasterPassword(WrongMasterPassword):
    """The master password chosen to create the encrypted file keyring is too weak."""


@dataclass(frozen=True, slots=True)
class BackendPlan:
    """What `select_backend` would do, without doing it (for the TUI to choose its screen).

    kind: "secret_service", "cryptfile_existing" (ask the master password) or "cryptfile_new"
    (ask a new master password twice: the first use creates the file with it).
    """

    kind: str
    reason: str
    cryptfile_path: Path | None = None

    @property
    def needs_master_password(self) -> bool:
        return self.kind != "secret_service"


_backend: KeyringBackend | None = None


# The systemd credential (LoadCredential=insterm-trousseau:/etc/insterm/trousseau) that holds
# the encrypted keyring's master password for a service.
CREDENTIAL_NAME = "insterm-trousseau"
_PASSWORD_FILE_MAX_BYTES = 4096


# --------------------------------------------------------------------------------------------
# Policy


def master_password_problem(password: str) -> str | None:
    """Why `password` is too weak to create the encrypted keyring (French), or None.

    At least 12 characters, or a passphrase of at least 4 words (words of two letters or more,
    separated by spaces or hyphens). Only checked when the keyring is created: an existing
    keyring opens with the password it was created with."""
    if len(password.strip()) >= MASTER_PASSWORD_MIN_LENGTH:
        return None
    words = [word for word in password.replace("-", " ").split() if len(word) >= 2]
    if len(words) >= MASTER_PASSWORD_MIN_WORDS:
        return None
    return (f"Mot de passe maître trop court pour créer le trousseau chiffré : "
            f"{MASTER_PASSWORD_RULE} (par exemple quatre mots sans rapport entre eux). Il n'a "
            "pas été créé.")


def cryptfile_path(xdg_data_home: str | os.PathLike[str] | None = None) -> Path:
    """The encrypted keyring file: <XDG_DATA_HOME>/python_keyring/cryptfile_pass.cfg (the place
    the `keyring` command line also uses for this backend)."""
    if xdg_data_home is None:
        xdg_data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(xdg_data_home) / "python_keyring" / CRYPTFILE_NAME


def master_password_from_file(path: str | os.PathLike[str]) -> str:
    """The master password kept in `path` (its first line; UTF-8). `SecretsUnavailable`
    (French) when the file is missing, not a regular file, not this user's, readable or
    writable by others (mode wider than 0600), empty or too long. The checks are made on the
    opened file (no race between the check and the read)."""
    import stat

    where = os.fspath(path)
    try:
        fd = os.open(where, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise SecretsUnavailable(f"Le fichier du mot de passe maître {where} est introuvable : "
                                 "indiquez son chemin complet.") from None
    except OSError as error:
        raise SecretsUnavailable(f"Le fichier du mot de passe maître {where} ne peut pas être "
                                 f"ouvert ({error.strerror}) : il doit être un fichier ordinaire "
                                 "(pas un lien) lisible par son propriétaire.") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise SecretsUnavailable(f"{where} n'est pas un fichier ordinaire : le mot de passe "
                                 "maître doit être dans un fichier.")
    with os.fdopen(fd, "rb") as file:
        mode = stat.S_IMODE(info.st_mode)
        if info.st_uid != os.geteuid():
            raise SecretsUnavailable(f"Le fichier du mot de passe maître {where} n'appartient pas "
                                     "à l'utilisateur qui lance insterm : il est refusé.")
        if mode & ~0o600:
            raise SecretsUnavailable(
                f"Le fichier du mot de passe maître {where} a le mode {mode:04o}, plus ouvert que "
                f"0600 : d'autres que son propriétaire pourraient le lire. Il est refusé ; faites "
                f"« chmod 600 {where} », puis recommencez.")
        data = file.read(_PASSWORD_FILE_MAX_BYTES + 1)
    if len(data) > _PASSWORD_FILE_MAX_BYTES:
        raise SecretsUnavailable(f"Le fichier du mot de passe maître {where} est trop long : il "
                                 "ne doit contenir que le mot de passe, sur une ligne.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretsUnavailable(f"Le fichier du mot de passe maître {where} n'est pas du texte "
                                 "UTF-8.") from None
    password = text.splitlines()[0] if text else ""
    if not password.strip():
        raise SecretsUnavailable(f"Le fichier du mot de passe maître {where} est vide.")
    return password


def unattended_master_password(path: str | os.PathLike[str] | None = None) -> str | None:
    """The master password for a command run unattended: from `path` when given, else from
    systemd's credential `$CREDENTIALS_DIRECTORY/insterm-trousseau` when there is one, else
    None (the caller asks on the terminal, or explains)."""
    if path is not None:
        return master_password_from_file(path)
    directory = os.environ.get("CREDENTIALS_DIRECTORY")
    if directory:
        candidate = Path(directory) / CREDENTIAL_NAME
        if candidate.exists():
            return master_password_from_file(candidate)
    return None


def secret_service_status() -> tuple[bool, str]:
    """(usable, French reason). Usable = a session bus, a Secret Service on it, a default
    collection that exists and is unlocked: then reading and writing never prompts."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        # no session bus: an SSH login or a session without a desktop
        return False, "aucun trousseau du système dans cette session (SSH ou sans bureau)"
    try:
        import secretstorage
        from secretstorage.exceptions import SecretStorageException
    except ImportError:
        return False, "le trousseau du système n'est pas pris en charge par cette installation"
    try:
        connection = secretstorage.dbus_init()
    except (SecretStorageException, OSError, ValueError) as error:
        log.debug("session bus: %r", error)
        return False, "le trousseau du système ne répond pas"
    try:
        if not secretstorage.check_service_availability(connection):
            return False, "aucun trousseau du système dans cette session"
        # Collection() on the default alias does not create it (get_default_collection would,
        # through a prompt).
        collection = secretstorage.Collection(connection)
        if collection.is_locked():
            return False, "le trousseau du système est verrouillé (ouvrez-le depuis le bureau)"
    except (SecretStorageException, OSError, ValueError) as error:
        log.debug("Secret Service: %r", error)
        return False, "le trousseau du système est inutilisable"
    finally:
        connection.close()
    return True, "trousseau du système disponible et ouvert"


def backend_plan(*, xdg_data_home: str | os.PathLike[str] | None = None) -> BackendPlan:
    usable, reason = secret_service_status()
    if usable:
        return BackendPlan("secret_service", reason)
    path = cryptfile_path(xdg_data_home)
    kind = "cryptfile_existing" if path.is_file() else "cryptfile_new"
    return BackendPlan(kind, reason, path)


def select_backend(
    master_password: str | None = None,
    *,
    xdg_data_home: str | os.PathLike[str] | None = None,
) -> KeyringBackend:
    """Choose the backend by the policy, install it (`use_backend`) and return it.

    Raises MasterPasswordNeeded when the encrypted file keyring is the one to use and no master
    password was given, WrongMasterPassword when it does not open the existing file (nothing is
    written then), WeakMasterPassword when it would create the file with a password shorter
    than `MASTER_PASSWORD_RULE` says (nothing is created). The first use with a master
    password creates the file (mode 0600) with it.
    """
    plan = backend_plan(xdg_data_home=xdg_data_home)
    if plan.kind == "secret_service":
        from keyring.backends.SecretService import Keyring as SecretServiceKeyring

        backend: KeyringBackend = SecretServiceKeyring()
    else:
        backend = open_cryptfile(master_password, xdg_data_home=xdg_data_home)
    use_backend(backend)
    log.info("trousseau choisi : %s (%s)", describe(backend), plan.reason)
    return backend


def open_cryptfile(
    master_password: str | None,
    *,
    xdg_data_home: str | os.PathLike[str] | None = None,
) -> KeyringBackend:
    """A CryptFileKeyring on `cryptfile_path(xdg_data_home)`, unlocked with `master_password`."""
    path = cryptfile_path(xdg_data_home)
    if master_password is None:
        raise MasterPasswordNeeded(
            "Aucun trousseau du système n'est disponible ici (session SSH ?) : saisissez le mot "
            "de passe maître du trousseau chiffré d'insterm"
            + (f" pour le créer ({MASTER_PASSWORD_RULE})." if not path.is_file()
               else " pour l'ouvrir.")
        )
    if not master_password.strip():
        raise WrongMasterPassword(
            "Le mot de passe maître du trousseau chiffré ne peut pas être vide : saisissez-en un."
        )
    try:
        from keyrings.cryptfile.cryptfile import CryptFileKeyring
    except ImportError as error:  # pragma: no cover - a declared dependency
        raise SecretsUnavailable(
            "Le trousseau chiffré (keyrings.cryptfile) n'est pas installé : réinstallez insterm."
        ) from error
    existed = path.is_file()
    if not existed:
        problem = master_password_problem(master_password)
        if problem is not None:
            raise WeakMasterPassword(problem)
    backend = CryptFileKeyring()
    backend.file_path = str(path)  # instance override of the NonDataProperty
    if not existed:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # Setting the key unlocks (existing file: checks the reference entry, a wrong password
        # fails its MAC) or creates the file; either way getpass is never reached.
        backend.keyring_key = master_password
    except (ValueError, AssertionError):
        raise WrongMasterPassword(
            "Mot de passe maître incorrect : le trousseau chiffré d'insterm ne s'ouvre pas. "
            "Vérifiez la saisie (majuscules, clavier) et recommencez."
        ) from None
    if not existed and path.is_file():
        os.chmod(path, 0o600)
    return backend


# --------------------------------------------------------------------------------------------
# The installed backend


def describe(backend: Any) -> str:
    """module.Class of a backend, for logs (never its content); screens say `label`."""
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


_LABELS = {
    "CryptFileKeyring": "trousseau chiffré d'insterm, protégé par le mot de passe maître",
    "EncryptedKeyring": "trousseau chiffré, protégé par un mot de passe maître",
    "SecretService": "trousseau de la session de bureau (Secret Service)",
    "Keyring": "trousseau du système",
}


def label(backend: Any) -> str:
    """A backend as a person names it (French), for screens and refusals."""
    return _LABELS.get(type(backend).__name__, "trousseau du système")


def _refusal(backend: Any) -> str | None:
    cls = type(backend)
    names = {cls.__name__, f"{cls.__name__}@{cls.__module__}"}
    if names & _REFUSED_CLASS_NAMES:
        return (
            f"Le trousseau « {label(backend)} » est refusé : il garderait les secrets en clair "
            "ou ne les garderait pas. Utilisez le Secret Service (session de bureau) ou le "
            "trousseau chiffré d'insterm (mot de passe maître)."
        )
    if cls.__name__ in {"EncryptedKeyring", "CryptFileKeyring"} and getattr(
        backend, "_keyring_key", None
    ) is None:
        return (
            f"Le trousseau chiffré « {label(backend)} » n'est pas déverrouillé : il demanderait "
            "son mot de passe dans le terminal. Saisissez le mot de passe maître dans insterm."
        )
    return None


def use_backend(backend: KeyringBackend) -> None:
    """Install `backend` for insterm (and for `keyring` in this process), or refuse it."""
    refusal = _refusal(backend)
    if refusal is not None:
        raise SecretsUnavailable(refusal)
    import keyring

    global _backend
    keyring.set_keyring(backend)
    _backend = backend


def current_backend() -> KeyringBackend | None:
    return _backend


def reset_backend() -> None:
    """Forget the installed backend (tests; the TUI when the operator locks the keyring)."""
    global _backend
    _backend = None


def _installed() -> KeyringBackend:
    if _backend is None:
        raise SecretsUnavailable(
            "Le trousseau d'insterm n'est pas ouvert : ouvrez-le (mot de passe maître) avant "
            "d'utiliser un secret."
        )
    return _backend


def _failure(action: str, name: str, error: BaseException) -> SecretsError:
    return SecretsError(
        f"Impossible {action} le secret « {name} » dans le {label(_backend)}. Vérifiez que "
        "le trousseau est déverrouillé, puis recommencez."
    )


def get_secret(name: str) -> str | None:
    backend = _installed()
    try:
        return backend.get_password(SERVICE, name)
    except Exception as error:  # keyring errors, D-Bus errors, file errors
        raise _failure("de lire", name, error) from None


def set_secret(name: str, value: str) -> None:
    if not isinstance(value, str) or value == "":
        raise SecretsError(f"Le secret « {name} » est vide : rien n'a été enregistré.")
    backend = _installed()
    try:
        backend.set_password(SERVICE, name, value)
    except Exception as error:
        raise _failure("d'enregistrer", name, error) from None


def delete_secret(name: str) -> bool:
    """Delete a secret; False when there was none."""
    backend = _installed()
    from keyring.errors import PasswordDeleteError

    try:
        backend.delete_password(SERVICE, name)
    except PasswordDeleteError:
        return False
    except Exception as error:
        raise _failure("d'effacer", name, error) from None
    return True
