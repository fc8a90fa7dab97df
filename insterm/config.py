"""Where insterm keeps its files, and the settings file.

Paths: the database's default place comes from platformdirs (the user's data folder); the
`--db` option and the `INSTERM_DB` environment variable override it, in that order. The settings
file is TOML (read with tomllib), at the user's config folder or at `INSTERM_SETTINGS`.

The settings file never holds a secret: a key whose name looks like one (password, passphrase,
PIN, secret, token, key) is refused with a French message saying where secrets go (the OS
keyring). Unknown keys are refused too, so that a typo does not pass silently.

Imports stay light: platformdirs and tomllib are loaded only when a path or a setting is needed
that the command line and the environment did not give (the `insterm lookup` path).
"""

from __future__ import annotations

import os

# (annotations name pathlib.Path; it is imported only where a Path is built: lookup path)

APP_NAME = "insterm"
DB_ENV = "INSTERM_DB"
SETTINGS_ENV = "INSTERM_SETTINGS"
DB_FILE_NAME = "insterm.sqlite3"
SETTINGS_FILE_NAME = "settings.toml"

# A settings key containing one of these words is refused: secrets live in the keyring only.
_SECRET_WORDS = ("password", "passphrase", "passwd", "pin", "secret", "token", "key", "mot_de_passe")

# section -> allowed keys (with their expected Python type)
_SCHEMA: dict[str, dict[str, type]] = {
    "database": {"path": str, "group": str},
    "insi": {"endpoint": str, "environment": str, "timeout_seconds": float},
    "practice": {"name": str, "finess": str},
}


class SettingsError(ValueError):
    """A settings file that cannot be used; the message is French and says what to fix."""


class Settings:
    """What the settings file may say. Every field is optional (None).

    A plain class rather than a dataclass: this module is on the `insterm lookup` path.
    """

    __slots__ = ("db_path", "db_group", "insi_endpoint", "insi_environment",
                 "insi_timeout_seconds", "practice_name", "practice_finess")

    def __init__(self, **values: object) -> None:
        for name in self.__slots__:
            setattr(self, name, values.pop(name, None))
        if values:
            raise TypeError(f"unknown settings {sorted(values)}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and all(
            getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __repr__(self) -> str:
        return "Settings(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__) + ")"


def settings_path() -> Path:
    """The settings file: `INSTERM_SETTINGS`, else `<user config dir>/insterm/settings.toml`."""
    from pathlib import Path

    env = os.environ.get(SETTINGS_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME) / SETTINGS_FILE_NAME


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
    from pathlib import Path

    db_path = values.pop("database_path", None)
    return Settings(
        db_path=Path(str(db_path)).expanduser() if db_path else None,
        db_group=values.get("database_group"),  # type: ignore[arg-type]
        insi_endpoint=values.get("insi_endpoint"),  # type: ignore[arg-type]
        insi_environment=values.get("insi_environment"),  # type: ignore[arg-type]
        insi_timeout_seconds=values.get("insi_timeout_seconds"),  # type: ignore[arg-type]
        practice_name=values.get("practice_name"),  # type: ignore[arg-type]
        practice_finess=values.get("practice_finess"),  # type: ignore[arg-type]
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
    from pathlib import Path

    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    settings = settings if settings is not None else load_settings()
    if settings.db_path is not None:
        return settings.db_path
    return default_db_path()


def db_group(settings: Settings | None = None) -> str | None:
    """The group that may share the database file (mode 0660), when one is configured."""
    settings = settings if settings is not None else load_settings()
    return settings.db_group
