"""insterm.secrets: the backend policy (in-memory backend) and the real encrypted file keyring.

The Secret Service half runs for real in tests/test_secrets_service.py (gnome-keyring-daemon).
"""

from __future__ import annotations

import getpass
import logging
import os
import secrets as stdlib_secrets
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from insterm import secrets


class MemoryKeyring(KeyringBackend):
    """Dict-backed backend for the unit tests of the policy (pure logic, no storage)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.store[(service, username)]
        except KeyError:
            raise PasswordDeleteError("absent") from None


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("bus gone")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"cannot store {password}")  # a careless backend echoing the value


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """No D-Bus session, a private XDG_DATA_HOME, and a getpass that fails the test if reached."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))

    def no_prompt(*args: object, **kwargs: object) -> str:
        raise AssertionError("getpass was reached: a backend tried to prompt on the terminal")

    monkeypatch.setattr(getpass, "getpass", no_prompt)
    secrets.reset_backend()
    yield
    secrets.reset_backend()


# ------------------------------------------------------------------------------------------
# Policy with an in-memory backend


def test_nothing_works_before_a_backend_is_installed() -> None:
    with pytest.raises(secrets.SecretsUnavailable, match="trousseau d'insterm n'est pas ouvert"):
        secrets.get_secret(secrets.INSI_CERT_PASSPHRASE)
    with pytest.raises(secrets.SecretsUnavailable):
        secrets.set_secret(secrets.INSI_CERT_PASSPHRASE, "x")


def test_round_trip_through_the_installed_backend() -> None:
    backend = MemoryKeyring()
    secrets.use_backend(backend)
    assert secrets.current_backend() is backend
    assert secrets.get_secret(secrets.INSI_CERT_PASSPHRASE) is None
    value = stdlib_secrets.token_urlsafe(16)
    secrets.set_secret(secrets.INSI_CERT_PASSPHRASE, value)
    assert backend.store == {(secrets.SERVICE, secrets.INSI_CERT_PASSPHRASE): value}
    assert secrets.get_secret(secrets.INSI_CERT_PASSPHRASE) == value
    assert secrets.delete_secret(secrets.INSI_CERT_PASSPHRASE) is True
    assert secrets.delete_secret(secrets.INSI_CERT_PASSPHRASE) is False
    assert secrets.get_secret(secrets.INSI_CERT_PASSPHRASE) is None


def test_an_empty_secret_is_refused_and_nothing_is_written() -> None:
    backend = MemoryKeyring()
    secrets.use_backend(backend)
    with pytest.raises(secrets.SecretsError, match="vide"):
        secrets.set_secret("x", "")
    assert backend.store == {}


def _refused_backends() -> list[object]:
    from keyring.backends import chainer, fail, null
    from keyrings.cryptfile.cryptfile import CryptFileKeyring
    from keyrings.cryptfile.file import PlaintextKeyring

    return [PlaintextKeyring(), fail.Keyring(), null.Keyring(), chainer.ChainerBackend(),
            CryptFileKeyring()]


@pytest.mark.parametrize("backend", _refused_backends(), ids=lambda b: secrets.describe(b))
def test_plaintext_fail_null_chainer_and_locked_file_backends_are_refused(backend) -> None:
    with pytest.raises(secrets.SecretsUnavailable) as refused:
        secrets.use_backend(backend)
    message = str(refused.value)
    assert "refusé" in message or "pas déverrouillé" in message
    assert secrets.current_backend() is None


def test_backend_failures_become_french_errors_without_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secrets.use_backend(BrokenKeyring())
    value = stdlib_secrets.token_urlsafe(16)
    with caplog.at_level(logging.DEBUG), pytest.raises(secrets.SecretsError) as failed:
        secrets.set_secret(secrets.INSI_CERT_PASSPHRASE, value)
    assert "Impossible d'enregistrer" in str(failed.value)
    assert value not in str(failed.value)
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    assert value not in caplog.text
    with pytest.raises(secrets.SecretsError, match="Impossible de lire"):
        secrets.get_secret(secrets.INSI_CERT_PASSPHRASE)


def test_no_dbus_session_means_no_secret_service() -> None:
    usable, reason = secrets.secret_service_status()
    assert usable is False
    assert "aucun trousseau du système" in reason and "DBUS" not in reason  # plain words


def test_an_unreachable_bus_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-such-bus")
    usable, reason = secrets.secret_service_status()
    assert usable is False
    assert reason


def test_the_policy_prefers_a_usable_secret_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrets, "secret_service_status", lambda: (True, "ok"))
    plan = secrets.backend_plan()
    assert plan.kind == "secret_service" and not plan.needs_master_password
    backend = secrets.select_backend()
    assert secrets.describe(backend) == "keyring.backends.SecretService.Keyring"
    assert secrets.current_backend() is backend


def test_without_secret_service_a_master_password_is_asked_for(tmp_path: Path) -> None:
    plan = secrets.backend_plan()
    assert plan.kind == "cryptfile_new" and plan.needs_master_password
    assert plan.cryptfile_path == tmp_path / "xdg" / "python_keyring" / "cryptfile_pass.cfg"
    with pytest.raises(secrets.MasterPasswordNeeded, match="mot de passe maître"):
        secrets.select_backend()
    assert not plan.cryptfile_path.exists()
    assert secrets.current_backend() is None


def test_a_blank_master_password_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(secrets.WrongMasterPassword, match="vide"):
        secrets.select_backend("   ")
    assert not secrets.cryptfile_path().exists()


@pytest.mark.parametrize("weak", ["xq7!", "onze-lettre", "a b c d e f", "deux mots"])
def test_a_weak_master_password_creates_no_keyring(weak: str) -> None:
    with pytest.raises(secrets.WeakMasterPassword) as caught:
        secrets.select_backend(weak)
    assert str(caught.value) == (
        "Mot de passe maître trop court pour créer le trousseau chiffré : 12 caractères au "
        "moins, ou une phrase d'au moins 4 mots (par exemple quatre mots sans rapport entre "
        "eux). Il n'a pas été créé.")
    assert weak not in str(caught.value)
    assert not secrets.cryptfile_path().exists() and secrets.current_backend() is None


def test_the_prompt_for_a_new_keyring_says_the_rule() -> None:
    with pytest.raises(secrets.MasterPasswordNeeded) as caught:
        secrets.select_backend()
    assert str(caught.value).endswith(
        "pour le créer (12 caractères au moins, ou une phrase d'au moins 4 mots).")


@pytest.mark.parametrize("good", ["douze-lettre", "un de la le", "chat noir dort ici"])
def test_twelve_characters_or_four_words_create_the_keyring(good: str) -> None:
    assert secrets.master_password_problem(good) is None
    secrets.select_backend(good)
    assert secrets.cryptfile_path().is_file()


def test_an_existing_keyring_opens_with_its_old_short_password(tmp_path: Path) -> None:
    """The rule is for new keyrings: one made before it still opens with its password."""
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    path = secrets.cryptfile_path()
    path.parent.mkdir(parents=True)
    old = CryptFileKeyring()
    old.file_path = str(path)
    old.keyring_key = "court"
    old.set_password("insterm", "x", "y")
    backend = secrets.select_backend("court")
    assert backend.get_password("insterm", "x") == "y"


# ------------------------------------------------------------------------------------------
# The real encrypted file keyring (Argon2id: each operation takes a fraction of a second)


def test_cryptfile_keyring_round_trip_in_a_private_xdg_dir(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    master = stdlib_secrets.token_urlsafe(12)
    value = stdlib_secrets.token_urlsafe(24)
    data_home = tmp_path / "elsewhere"
    with caplog.at_level(logging.DEBUG):
        backend = secrets.select_backend(master, xdg_data_home=data_home)
        assert secrets.describe(backend) == "keyrings.cryptfile.cryptfile.CryptFileKeyring"
        secrets.set_secret(secrets.INSI_CERT_PASSPHRASE, value)

        path = secrets.cryptfile_path(data_home)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        stored = path.read_bytes()
        assert value.encode() not in stored and master.encode() not in stored
        assert secrets.backend_plan(xdg_data_home=data_home).kind == "cryptfile_existing"

        # A later session: a fresh backend opened with the same master password.
        secrets.reset_backend()
        secrets.select_backend(master, xdg_data_home=data_home)
        assert secrets.get_secret(secrets.INSI_CERT_PASSPHRASE) == value
    out, err = capsys.readouterr()
    for text in (caplog.text, out, err):
        assert value not in text and master not in text
    assert "CryptFileKeyring" in caplog.text  # the backend name is logged, the values are not


def test_wrong_master_password_is_a_french_error_and_writes_nothing(tmp_path: Path) -> None:
    master = stdlib_secrets.token_urlsafe(12)
    value = stdlib_secrets.token_urlsafe(24)
    secrets.select_backend(master)
    secrets.set_secret("demo", value)
    path = secrets.cryptfile_path()
    before = path.read_bytes(), path.stat().st_mtime_ns
    secrets.reset_backend()

    wrong = master + "x"
    with pytest.raises(secrets.WrongMasterPassword) as refused:
        secrets.select_backend(wrong)
    message = str(refused.value)
    assert "Mot de passe maître incorrect" in message
    assert wrong not in message and master not in message
    assert refused.value.__cause__ is None
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert secrets.current_backend() is None


def test_no_backend_prompts_with_stdin_closed_and_no_terminal(tmp_path: Path) -> None:
    """In a process with fd 0 closed and no controlling terminal, the whole policy runs without
    reaching getpass (which would print its prompt to stderr and fail on stdin)."""
    master = stdlib_secrets.token_urlsafe(12)
    code = textwrap.dedent(
        f"""
        import os
        os.close(0)
        from keyrings.cryptfile.cryptfile import ArgonAESEncryption
        # a cheap Argon2 as in the tests' own process (conftest.py): the cost is not tested
        ArgonAESEncryption.time_cost, ArgonAESEncryption.memory_cost = 1, 2**10
        from insterm import secrets
        try:
            secrets.select_backend()
        except secrets.MasterPasswordNeeded:
            print("needed")
        from keyrings.cryptfile.cryptfile import CryptFileKeyring
        try:
            secrets.use_backend(CryptFileKeyring())
        except secrets.SecretsUnavailable:
            print("locked-refused")
        secrets.select_backend({master!r})
        secrets.set_secret("k", "v")
        secrets.reset_backend()
        try:
            secrets.select_backend({master!r} + "!")
        except secrets.WrongMasterPassword:
            print("wrong")
        secrets.select_backend({master!r})
        print("value", secrets.get_secret("k"))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["XDG_DATA_HOME"] = str(tmp_path / "child")
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:4] == ["needed", "locked-refused", "wrong", "value v"]
    assert "password" not in (done.stdout + done.stderr).lower()
