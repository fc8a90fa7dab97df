"""Paths and settings (insterm.config): --db > INSTERM_DB > settings > platformdirs; no secret
in the settings file."""

from __future__ import annotations

from pathlib import Path

import pytest

from insterm import config
from insterm.config import (
    SettingsError,
    load_settings,
    parse_settings,
    resolve_db_path,
    settings_path,
    update_settings_file,
)


def test_db_path_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('[database]\npath = "/srv/from-settings.db"\ngroup = "cabinet"\n')
    monkeypatch.setenv("INSTERM_SETTINGS", str(settings))
    monkeypatch.delenv("INSTERM_DB", raising=False)
    assert resolve_db_path() == Path("/srv/from-settings.db")
    monkeypatch.setenv("INSTERM_DB", "/srv/env.db")
    assert resolve_db_path() == Path("/srv/env.db")
    assert resolve_db_path("/srv/cli.db") == Path("/srv/cli.db")
    assert load_settings().db_group == "cabinet"


def test_default_path_comes_from_platformdirs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("INSTERM_SETTINGS", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("INSTERM_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert resolve_db_path() == tmp_path / "data" / "insterm" / "insterm.sqlite3"


@pytest.mark.parametrize("text", [
    '[insi]\npassphrase = "x"\n', '[database]\npassword = "x"\n', '[secret]\na = "b"\n',
    '[insi]\napi_key = "x"\n', '[practice]\npin = "1234"\n'])
def test_secrets_are_refused(text: str) -> None:
    with pytest.raises(SettingsError, match="trousseau"):
        parse_settings(text)


@pytest.mark.parametrize("text", ['[database]\npth = "x"\n', '[other]\na = 1\n',
                                  '[insi]\ntimeout_seconds = "x"\n', "not toml ["])
def test_unknown_or_malformed_settings_are_refused(text: str) -> None:
    with pytest.raises(SettingsError):
        parse_settings(text)


def test_valid_settings() -> None:
    settings = parse_settings('[insi]\nendpoint = "simulator"\ntimeout_seconds = 5\n'
                              '[practice]\nname = "Cabinet"\n')
    assert settings.insi_timeout_seconds == 5.0 and settings.practice_name == "Cabinet"


def test_machine_settings_serve_every_account_without_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A shared server: the administrator writes /etc/insterm/settings.toml once; an account
    with no settings file of its own reads it, one with its own file reads only its own."""
    machine = tmp_path / "etc" / "settings.toml"
    machine.parent.mkdir()
    machine.write_text('[database]\npath = "/srv/insterm/cabinet.sqlite3"\ngroup = "cabinet"\n')
    monkeypatch.setattr(config, "SYSTEM_SETTINGS", machine)
    monkeypatch.delenv("INSTERM_SETTINGS")
    monkeypatch.delenv("INSTERM_DB", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    own = tmp_path / "home-config" / "insterm" / "settings.toml"

    assert settings_path() == machine
    assert resolve_db_path() == Path("/srv/insterm/cabinet.sqlite3")
    assert load_settings().db_group == "cabinet"

    own.parent.mkdir(parents=True)
    own.write_text('[database]\npath = "/home/me/own.sqlite3"\n')
    assert settings_path() == own
    assert resolve_db_path() == Path("/home/me/own.sqlite3")
    assert load_settings().db_group is None  # one file is read, not a merge

    monkeypatch.setenv("INSTERM_SETTINGS", str(tmp_path / "chosen.toml"))
    assert settings_path() == tmp_path / "chosen.toml"


def test_without_any_file_a_saved_setting_goes_to_the_accounts_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "SYSTEM_SETTINGS", tmp_path / "etc" / "settings.toml")
    monkeypatch.delenv("INSTERM_SETTINGS")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    own = tmp_path / "home-config" / "insterm" / "settings.toml"
    assert settings_path() == own
    update_settings_file({"insi": {"timeout_seconds": 12}})
    assert load_settings(own).insi_timeout_seconds == 12.0
    assert not (tmp_path / "etc").exists()


def test_a_staff_account_cannot_write_the_machines_file_and_is_told_who_can(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saving a setting of this machine (Réglages > INSi, "ce poste") from a staff account on a
    shared server: the machine's file is root's. The refusal says so and gives the lines for
    the system administrator; the file is unchanged. (The tests run as root, who may write
    anywhere: the permission error is the one the system gives a staff account.)"""
    from insterm import atomic_file

    machine = tmp_path / "etc" / "settings.toml"
    machine.parent.mkdir()
    before = '[database]\npath = "/srv/insterm/cabinet.sqlite3"\n'
    machine.write_text(before)
    monkeypatch.setattr(config, "SYSTEM_SETTINGS", machine)
    monkeypatch.delenv("INSTERM_SETTINGS")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))

    def refused(path: Path, data: bytes, *, mode: int = 0o600) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(atomic_file, "write_atomically", refused)
    with pytest.raises(SettingsError) as raised:
        update_settings_file({"insi": {"ca_file": "/srv/insi-sim/ca.pem"}})
    assert "administrateur du système" in raised.value.message
    assert '[insi] ca_file = "/srv/insi-sim/ca.pem"' in raised.value.message
    assert machine.read_text() == before
    assert not (tmp_path / "home-config").exists()
