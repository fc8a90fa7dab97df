"""insterm.secrets against a real Secret Service: gnome-keyring-daemon on a private D-Bus session.

The test starts `dbus-run-session -- python CHILD`; the child starts gnome-keyring-daemon (its
login keyring unlocked by a password on stdin, generated here), runs the policy, locks the
collection to check the fallback, then stops the daemon by its PID. dbus-run-session ends the bus
when the child exits; the test kills the session by PID if it ever hangs.
"""

from __future__ import annotations

import json
import os
import secrets as stdlib_secrets
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MISSING = [name for name in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(name)]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"{', '.join(MISSING)} absent: install the packages of scripts/debian-packages.txt "
        "(scripts/test does it when run as root)",
    ),
]

CHILD = textwrap.dedent(
    """
    import json, os, subprocess, sys, time
    unlock_password, secret_value, master = sys.argv[1], sys.argv[2], sys.argv[3]
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--unlock", "--foreground", "--components=secrets"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    daemon.stdin.write(unlock_password.encode())
    daemon.stdin.close()
    report = {"daemon_pid": daemon.pid}
    try:
        from insterm import secrets
        deadline = time.monotonic() + 20
        while True:
            usable, reason = secrets.secret_service_status()
            if usable or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        report["usable"], report["reason"] = usable, reason
        backend = secrets.select_backend()
        report["backend"] = secrets.describe(backend)
        secrets.set_secret(secrets.INSI_CERT_PASSPHRASE, secret_value)
        read_back = secrets.get_secret(secrets.INSI_CERT_PASSPHRASE)
        report["read_back_matches"] = read_back == secret_value
        report["deleted"] = secrets.delete_secret(secrets.INSI_CERT_PASSPHRASE)
        report["after_delete"] = secrets.get_secret(secrets.INSI_CERT_PASSPHRASE)

        # A locked collection could only be opened through a prompt: the policy falls back to
        # the encrypted file keyring instead.
        import secretstorage
        connection = secretstorage.dbus_init()
        secretstorage.Collection(connection).lock()
        connection.close()
        secrets.reset_backend()
        report["locked_status"] = secrets.secret_service_status()
        report["locked_plan"] = secrets.backend_plan().kind
        report["fallback"] = secrets.describe(secrets.select_backend(master))
    finally:
        daemon.terminate()
        report["daemon_exit"] = daemon.wait(timeout=10)
    print(json.dumps(report))
    """
)


def test_secret_service_backend_with_gnome_keyring(tmp_path: Path) -> None:
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_RUNTIME_DIR=str(runtime),
    )
    unlock_password = stdlib_secrets.token_urlsafe(12)
    value = stdlib_secrets.token_urlsafe(24)
    master = stdlib_secrets.token_urlsafe(12)

    session = subprocess.Popen(
        ["dbus-run-session", "--", sys.executable, "-c", CHILD, unlock_password, value, master],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )
    try:
        out, err = session.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(session.pid, signal.SIGKILL)  # the session's own process group, by its PID
        session.communicate()
        pytest.fail("dbus-run-session did not finish within 120 s")
    assert session.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])

    assert report["usable"] is True, report["reason"]
    assert report["backend"] == "keyring.backends.SecretService.Keyring"
    assert report["read_back_matches"] is True
    assert report["deleted"] is True and report["after_delete"] is None
    assert report["locked_status"][0] is False and "verrouillé" in report["locked_status"][1]
    assert report["locked_plan"] == "cryptfile_new"
    assert report["fallback"] == "keyrings.cryptfile.cryptfile.CryptFileKeyring"
    assert report["daemon_exit"] is not None
    # The daemon is gone (stopped by PID in the child), and no secret leaked into the output.
    with pytest.raises(ProcessLookupError):
        os.kill(report["daemon_pid"], 0)
    for text in (out, err):
        assert value not in text and master not in text and unlock_password not in text
