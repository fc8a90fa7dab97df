"""Where insterm keeps its files, and the settings file.

Paths: the database's default place comes from platformdirs (the user's data folder); the
`--db` option and the `INSTERM_DB` environment variable override it, in that order. The settings
file is TOML (read with tomllib): `INSTERM_SETTINGS`, the user's own file, or the machine's
`/etc/insterm/settings.toml` on a server shared by several staff accounts (`settings_path`).

The settings file never holds a secret: a key whose name looks like one (password, passphrase,
PIN, secret, token, key) is refused with a French message saying where secrets go (the OS
keyring). Unknown keys are refused too, so that a typo does not pass silently.

platformdirs, tomllib and tomlkit are imported where they are used: a command given its database
with --db or `INSTERM_DB` (as scripts calling `insterm lookup` do) neither reads nor writes the
file.

What goes where (per value; see also `insterm.usecases.insi_settings`):
- this file holds what belongs to ONE machine: the database path and group, the INSi timeout,
  the paths this machine uses to reach INSi (`insi.ca_file`: the IGC-Santé CA bundle;
  `insi.endpoint`: a relay replacing the qualification/production address), and where this
  machine reaches the INSi simulator (`insi.simulator_url`, `insi.simulator_dir`: its state
  folder, whose ca.pem and demo certificate are used), written by `insterm insi-sim --setup`;
  how this machine authenticates INSi calls (`insi.auth_mode`: "certificate" or "cps": a CPS
  needs a reader on this very machine, an organisation certificate also works over SSH) and
  `[cards] pkcs11_module`: the CPS's PKCS#11 module on this machine; `insi.batch_rate`: the
  requests per second of a batch verification run from this machine (`insterm insi
  verifier-lot`);
- `[audit] heads_dir`: the folder of the audit head file (`insterm.store.audit_heads`; default:
  the backups folder beside the database), per machine like the database path;
- the database's `settings` table holds what the whole practice shares (every workstation over
  SSH opens the same database): the INSi environment, the IDAMs, the software name, the
  installation UUID. `insi.environment` is therefore refused here.

`update_settings_file` changes a few keys of the file with tomlkit, which keeps comments and
every other line; the result is parsed back and checked before it replaces the file (atomic
rename).

`data_dir()`: where insterm keeps its own files (the imported INSi certificate):
`INSTERM_DATA_DIR`, else the user's data folder (platformdirs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from insterm.domain.errors import InstermError

APP_NAME = "insterm"
DB_ENV = "INSTERM_DB"
SETTINGS_ENV = "INSTERM_SETTINGS"
DATA_DIR_ENV = "INSTERM_DATA_DIR"
DB_FILE_NAME = "insterm.sqlite3"
SETTINGS_FILE_NAME = "settings.toml"
# The machine-wide settings file of a server shared by several staff accounts (see settings_path).
SYSTEM_SETTINGS = Path("/etc/insterm") / SETTINGS_FILE_NAME
# Batch INSi verification (`insi.batch_rate`): requests per second by default, and at most.
DEFAULT_BATCH_RATE = 1.0
MAX_BATCH_RATE = 50.0

# Keys that moved to the database (practice-wide): refused here with where to set them.
_PRACTICE_WIDE = {
    "insi.environment": "L'environnement INSi (simulateur, qualification, production) est un "
                        "réglage du cabinet, commun à tous les postes : choisissez-le dans "
                        "l'écran Réglages d'insterm (il est gardé dans la base de données).",
    "insi.idam": "Le numéro d'autorisation (IDAM) est un réglage du cabinet, commun à tous les "
                 "postes : saisissez-le dans l'écran Réglages d'insterm.",
}

# A settings key containing one of these words is refused: secrets live in the keyring only.
_SECRET_WORDS = ("password", "passphrase", "passwd", "pin", "secret", "token", "key", "mot_de_passe")

# section -> allowed keys (with their expected Python type)
_SCHEMA: dict[str, dict[str, type]] = {
    "database": {"path": str, "group": str},
    "insi": {"endpoint": str, "timeout_seconds": float, "ca_file": str, "simulator_url": str,
             "simulator_dir": str, "auth_mode": str, "batch_rate": float},
    "cards": {"pkcs11_module": str},
    "practice": {"name": str, "finess": str},
    "audit": {"heads_dir": str},
}


class SettingsError(InstermError, ValueError):
    """A settings file that cannot be used; the message is French and says what to fix."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the settings file may say. Every field is optional (None)."""

    db_path: Path | None = None
    db_group: str | None = None
    insi_endpoint: str | None = None
    insi_timeout_seconds: float | None = None
    insi_ca_file: str | None = None
    insi_simulator_url: str | None = None
    insi_simulator_dir: str | None = None
    # How this machine authenticates INSi calls: "certificate" (organisation certificate, the
    # default) or "cps" (the professional's card in a reader of this machine).
    insi_auth_mode: str | None = None
    # Batch INSi verification: at most this many requests per second (None: the default,
    # `DEFAULT_BATCH_RATE`); one request at a time whatever the rate.
    insi_batch_rate: float | None = None
    # The PKCS#11 module of the CPS (None: the candidates of insterm.cards.pkcs11_module).
    cards_pkcs11_module: str | None = None
    practice_name: str | None = None
    practice_finess: str | None = None
    # Folder of the audit head file (`insterm.store.audit_heads`); None: the backups folder.
    audit_heads_dir: str | None = None


def settings_path() -> Path:
    """The settings file: `INSTERM_SETTINGS`; else the user's own file
    (`<user config dir>/insterm/settings.toml`) when it exists; else the machine's file
    (`/etc/insterm/settings.toml`, written by the administrator for every staff account of a
    shared server) when it exists; else the user's own file (created when a setting is saved).
    One file is read, never a merge of two: what a person sees in it is what applies."""
    env = os.environ.get(SETTINGS_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    own = user_config_path(APP_NAME) / SETTINGS_FILE_NAME
    if not own.exists() and SYSTEM_SETTINGS.exists():
        return SYSTEM_SETTINGS
    return own


def _looks_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered.replace("-", "_").split("_") or lowered.endswith(word)
               for word in _SECRET_WORDS)


def parse_settings(text: str, *, source: str = "réglages") -> Settings:
    """Settings from TOML text; `SettingsError` (French) for bad TOML, unknown or secret keys."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"Fichier de réglages illisible ({source}) : {error}. "
                            "Corrigez la syntaxe TOML.") from None
    values: dict[str, object] = {}
    for section, content in data.items():
        if _looks_secret(section):
            raise SettingsError(_secret_message(section, source))
        if section not in _SCHEMA or not isinstance(content, dict):
            known = ", ".join(f"[{name}]" for name in _SCHEMA)
            raise SettingsError(f"Section inconnue « {section} » dans {source} ; "
                                f"sections possibles : {known}.")
        for key, value in content.items():
            if _looks_secret(key):
                raise SettingsError(_secret_message(f"{section}.{key}", source))
            if f"{section}.{key}" in _PRACTICE_WIDE:
                raise SettingsError(f"Réglage « {section}.{key} » refusé dans {source} : "
                                    + _PRACTICE_WIDE[f"{section}.{key}"] + " Retirez cette ligne.")
            expected = _SCHEMA[section].get(key)
            if expected is None:
                known = ", ".join(_SCHEMA[section])
                raise SettingsError(f"Réglage inconnu « {section}.{key} » dans {source} ; "
                                    f"réglages possibles dans [{section}] : {known}.")
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, expected) or isinstance(value, bool):
                raise SettingsError(f"Le réglage « {section}.{key} » de {source} n'a pas le bon "
                                    f"type : attendu {_TYPE_FR[expected]}.")
            values[f"{section}_{key}"] = value

    def string(name: str) -> str | None:
        value = values.get(name)
        return value if isinstance(value, str) else None

    timeout = values.get("insi_timeout_seconds")
    batch_rate = values.get("insi_batch_rate")
    if isinstance(batch_rate, float) and not 0 < batch_rate <= MAX_BATCH_RATE:
        raise SettingsError(f"Le réglage « insi.batch_rate » de {source} doit être un nombre "
                            f"d'appels par seconde entre 0 (exclu) et {MAX_BATCH_RATE:g}, "
                            "par exemple 0.5 (un appel toutes les deux secondes).")
    db_path = string("database_path")
    if string("insi_auth_mode") not in (None, "certificate", "cps"):
        raise SettingsError(f"Le réglage « insi.auth_mode » de {source} doit valoir "
                            "\"certificate\" (certificat d'organisation) ou \"cps\" (carte CPS).")
    return Settings(
        db_path=Path(db_path).expanduser() if db_path else None,
        db_group=string("database_group"),
        insi_endpoint=string("insi_endpoint"),
        insi_timeout_seconds=timeout if isinstance(timeout, float) else None,
        insi_ca_file=string("insi_ca_file"),
        insi_simulator_url=string("insi_simulator_url"),
        insi_simulator_dir=string("insi_simulator_dir"),
        insi_auth_mode=string("insi_auth_mode"),
        insi_batch_rate=batch_rate if isinstance(batch_rate, float) else None,
        cards_pkcs11_module=string("cards_pkcs11_module"),
        practice_name=string("practice_name"),
        practice_finess=string("practice_finess"),
        audit_heads_dir=string("audit_heads_dir"),
    )


_TYPE_FR = {str: "un texte entre guillemets", float: "un nombre"}


def _secret_message(name: str, source: str) -> str:
    return (f"Le réglage « {name} » ressemble à un secret : aucun secret n'est admis dans {source}. "
            "Retirez-le ; les secrets sont gardés dans le trousseau du système.")


def load_settings(path: Path | None = None) -> Settings:
    """The settings file's content, or default settings when the file does not exist."""
    path = path if path is not None else settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as error:
        raise SettingsError(f"Fichier de réglages {path} illisible : {error.strerror}.") from None
    return parse_settings(text, source=str(path))


def default_db_path() -> Path:
    """`<user data dir>/insterm/insterm.sqlite3` (platformdirs)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME) / DB_FILE_NAME


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None,
                    settings: Settings | None = None) -> Path:
    """The database file: `--db`, else `INSTERM_DB`, else the settings file, else the default.

    The settings file is read only when neither the option nor the variable says where.
    """
    return locate_db(cli_value, settings)[0]


# Where `locate_db` found the database, as said to the user.
DB_FROM_OPTION = "l'option --db"
DB_FROM_ENV = f"la variable {DB_ENV}"
DB_FROM_SETTINGS = "le fichier de réglages"
DB_FROM_DEFAULT = "l'emplacement par défaut"


def locate_db(cli_value: str | os.PathLike[str] | None = None,
              settings: Settings | None = None) -> tuple[Path, str]:
    """`resolve_db_path` and where the path came from (one of the DB_FROM_* phrases)."""
    if cli_value:
        return Path(cli_value).expanduser(), DB_FROM_OPTION
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser(), DB_FROM_ENV
    settings = settings if settings is not None else load_settings()
    if settings.db_path is not None:
        return settings.db_path, DB_FROM_SETTINGS
    return default_db_path(), DB_FROM_DEFAULT


def db_group(settings: Settings | None = None) -> str | None:
    """The group that may share the database file (mode 0660), when one is configured."""
    settings = settings if settings is not None else load_settings()
    return settings.db_group


def audit_heads_dir(settings: Settings | None = None) -> str | None:
    """The folder of the audit head file when the settings name one (`[audit] heads_dir`)."""
    settings = settings if settings is not None else load_settings()
    return settings.audit_heads_dir


def data_dir() -> Path:
    """Where insterm keeps its own files: `INSTERM_DATA_DIR`, else `<user data dir>/insterm`."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME)


# --------------------------------------------------------------------------------------------
# Writing the settings file


def _toml_value(value: object) -> str | float:
    """The value as the file keeps it: a text, or a number (always a float)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SettingsError("Valeur de réglage impossible à écrire : un texte ou un nombre est "
                            "attendu.")
    return value if isinstance(value, str) else float(value)


def _machine_file_message(path: Path,
                          changes: dict[str, dict[str, str | float | None]]) -> str:
    """A staff account cannot write the machine's file (root's, for every account): say so,
    and the lines the system administrator should put in it."""
    import tomlkit

    lines = [f"[{section}] {key} = {tomlkit.item(_toml_value(value)).as_string()}"
             for section, values in changes.items()
             for key, value in values.items() if value is not None]
    return (f"Ce réglage du poste est gardé dans {path}, le fichier de réglages de la machine "
            "(commun aux comptes du personnel), que votre compte ne peut pas modifier : rien "
            "n'a été enregistré. Demandez à l'administrateur du système de l'y écrire"
            + (" :\n" + "\n".join(lines) if lines else "."))


def update_settings_file(changes: dict[str, dict[str, str | float | None]],
                         path: Path | None = None) -> Settings:
    """Set (or, with None, remove) keys of the settings file, keeping everything else.

    `changes` is {section: {key: value}}. Only keys of the file's schema are accepted, never a
    secret. The new text is parsed and checked before it atomically replaces the file (same
    folder, fsync, rename; the file's mode is kept, 0644 for a new one). Returns the new
    settings. `SettingsError` (French) when a key is not allowed or the file cannot be written.
    """
    import tomlkit

    path = path if path is not None else settings_path()
    for section, values in changes.items():
        for key in values:
            name = f"{section}.{key}"
            if _looks_secret(section) or _looks_secret(key):
                raise SettingsError(_secret_message(name, str(path)))
            if section not in _SCHEMA or key not in _SCHEMA[section]:
                raise SettingsError(f"Réglage inconnu « {name} » : il ne peut pas être écrit "
                                    "dans le fichier de réglages.")
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        text, mode = "", 0o644
    except OSError as error:
        raise SettingsError(f"Fichier de réglages {path} illisible : {error.strerror}.") from None
    parse_settings(text, source=str(path))  # never rewrite a file we could not read back

    document = tomlkit.parse(text)
    for section, values in changes.items():
        table = document.get(section)
        if table is None:
            if all(value is None for value in values.values()):
                continue
            table = tomlkit.table()
            document.add(section, table)
        for key, value in values.items():
            if value is None:
                table.pop(key, None)
            else:
                table[key] = _toml_value(value)
    new_text = tomlkit.dumps(document)
    settings = parse_settings(new_text, source=str(path))
    for section, values in changes.items():
        for key, value in values.items():
            got = getattr(settings, f"{section}_{key}", None)
            if section == "database" and key == "path":
                continue  # read back expanded (~) as a Path
            expected = float(value) if isinstance(value, int) else value
            if got != expected:
                raise SettingsError(f"Le réglage « {section}.{key} » n'a pas pu être écrit "
                                    f"dans {path} : corrigez ce fichier à la main.")
    from insterm.atomic_file import write_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, new_text.encode("utf-8"), mode=mode)
    except OSError as error:
        if isinstance(error, PermissionError) and path == SYSTEM_SETTINGS:
            raise SettingsError(_machine_file_message(path, changes)) from None
        from insterm.store.errors import storage_error

        typed = storage_error(error, path)  # full disk, read-only folder...: what to do
        raise SettingsError(f"Impossible d'écrire le fichier de réglages {path} : " + (
            typed.message if typed is not None else f"{error.strerror}.")) from None
    return settings

