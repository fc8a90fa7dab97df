"""Every test runs with its own configuration and data folders: nothing a test does may touch the
user's real settings file, database, keyring file or simulator state."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_user_folders(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    home = tmp_path_factory.mktemp("home")
    for variable, folder in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                             ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
        path = Path(home) / folder
        path.mkdir()
        monkeypatch.setenv(variable, str(path))
    monkeypatch.setenv("INSTERM_SETTINGS", str(Path(home) / "config" / "insterm" / "settings.toml"))
    for variable in ("INSTERM_DB", "INSTERM_INSI_SIM_DIR", "INSTERM_INSI_ENDPOINT"):
        monkeypatch.delenv(variable, raising=False)


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Long parameters (SOAP envelopes with fresh UUIDs, XML bodies) get their argument's name as
    id: pytest-xdist needs every worker to collect the very same test ids, and pytest adds a
    number to make repeated ids unique."""
    if isinstance(val, (str, bytes)) and len(val) > 60:
        return argname
    return None
