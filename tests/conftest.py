"""Every test runs with its own configuration and data folders: nothing a test does may touch the
user's real settings file, database, keyring file or simulator state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# the session's one pcscd with virtual readers (tests/cards and the TUI's card tests)
pytest_plugins = ["tests.cards.fixtures"]

# Hypothesis profiles. "default": 50 examples for the properties that do not set their own
# count (a test's explicit max_examples is its author's floor, kept). "thorough", chosen with
# `--hypothesis-profile=thorough`: 1,000 examples for every property, no deadline.
THOROUGH_EXAMPLES = 1000
settings.register_profile("default", max_examples=50)
settings.register_profile("thorough", max_examples=THOROUGH_EXAMPLES, deadline=None)
settings.load_profile("default")  # pytest's --hypothesis-profile loads its own after this


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--chiffre", action="store_true", default=False,
                     help="run the store tests on encrypted (SQLCipher) databases: every "
                          "database they create is encrypted with a random key of the run")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under the thorough profile, the properties with their own (smaller) count get the
    profile's count too."""
    if settings.get_current_profile_name() != "thorough":
        return
    for item in items:
        test = getattr(item, "obj", None)
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if own is not None and own.max_examples < THOROUGH_EXAMPLES:
            test._hypothesis_internal_use_settings = settings(
                own, max_examples=THOROUGH_EXAMPLES, deadline=None)


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


_KDF_DEFAULTS: dict[str, int] = {}


@pytest.fixture(scope="session", autouse=True)
def _cheap_keyring_kdf() -> Iterator[None]:
    """The encrypted file keyring derives its AES key with Argon2id on every read and write
    (keyrings.cryptfile's defaults: 15 passes over 64 MB, about a second each on the CI
    machines). The tests keep the real keyring, files and passwords, with a cheap Argon2: the
    cost is the library's own setting, not insterm's, and no test is about it."""
    try:
        from keyrings.cryptfile.cryptfile import ArgonAESEncryption
    except ImportError:  # the secrets tests say so themselves
        yield
        return
    _KDF_DEFAULTS.update(time_cost=ArgonAESEncryption.time_cost,
                         memory_cost=ArgonAESEncryption.memory_cost)
    ArgonAESEncryption.time_cost, ArgonAESEncryption.memory_cost = 1, 2**10
    yield
    ArgonAESEncryption.time_cost = _KDF_DEFAULTS["time_cost"]
    ArgonAESEncryption.memory_cost = _KDF_DEFAULTS["memory_cost"]


@pytest.fixture(autouse=True)
def _installed_keyring_kdf_for_processes(request: pytest.FixtureRequest,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests marked `slow` start processes, whose keyring has the library's Argon2 cost: the
    test's own side of the keyring uses it too."""
    if _KDF_DEFAULTS and request.node.get_closest_marker("slow") is not None:
        from keyrings.cryptfile.cryptfile import ArgonAESEncryption

        for name, value in _KDF_DEFAULTS.items():
            monkeypatch.setattr(ArgonAESEncryption, name, value)


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Long parameters (SOAP envelopes with fresh UUIDs, XML bodies) get their argument's name as
    id: pytest-xdist needs every worker to collect the very same test ids, and pytest adds a
    number to make repeated ids unique."""
    if isinstance(val, (str, bytes)) and len(val) > 60:
        return argname
    return None


# ---------------------------------------------------------------------------------------------
# INSi over the real simulator: shared by the INSi wiring, phases and qualification tests


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The simulator's test CA for one test module: (TestAuthority, client p12 passphrase)."""
    from insterm.insi.simulator import TestAuthority

    made = TestAuthority(tmp_path_factory.mktemp("insi-sim-state"))
    passphrase = made.ensure()
    assert passphrase is not None
    return made, passphrase


@pytest.fixture
def insi_isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """This test's own settings file, data folder and keyring; no D-Bus, no endpoint override;
    the keyring backend in force before the test is put back after it."""
    import keyring

    from insterm import secrets

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("INSTERM_INSI_ENDPOINT", raising=False)
    monkeypatch.delenv("INSTERM_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("INSTERM_SETTINGS", str(tmp_path / "settings.toml"))
    monkeypatch.setenv("INSTERM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INSTERM_INSI_SIM_DIR", str(tmp_path / "no-simulator-here"))
    previous = keyring.get_keyring()
    secrets.reset_backend()
    yield
    secrets.reset_backend()
    keyring.set_keyring(previous)


# ---------------------------------------------------------------------------------------------
# A tiny disk: a tmpfs of its own, to fill up (full-disk tests of the store, the CLI, the TUI)


class TinyDisk:
    """A tmpfs mounted for one test; `fill()` takes every free byte with a ballast file,
    `free()` gives them back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ballast = path / "ballast"

    def fill(self) -> None:
        import errno
        import os

        fd = os.open(self.ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (65536, 4096, 512, 1):
                while True:
                    try:
                        os.write(fd, b"\0" * size)
                    except OSError as error:
                        if error.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)

    def free(self) -> None:
        self.ballast.unlink(missing_ok=True)

    def files(self) -> list[str]:
        """The names in the disk's top folder, the ballast left out."""
        return sorted(p.name for p in self.path.iterdir() if p != self.ballast)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[TinyDisk]:
    """A 4 MiB tmpfs at tmp_path/disk. It needs root (mount): elsewhere the test is skipped,
    saying so (scripts/test and CI run as root)."""
    import os
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tiny tmpfs (mount -t tmpfs): run the tests as root")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs",
                           str(mount_point)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield TinyDisk(mount_point)
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
