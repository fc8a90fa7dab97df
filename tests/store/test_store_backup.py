"""Backup with the online backup API while another process writes; restore refuses bad files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_store_concurrency import WRITER, _env, _prepare

from insterm.store import audit
from insterm.store.backup import BackupFailed, RestoreRefused, backup, check_file, restore
from insterm.store.connection import connect_file

pytestmark = pytest.mark.slow


@pytest.mark.processes
def test_backup_while_a_writer_writes(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    _prepare(path)
    writer = subprocess.Popen([sys.executable, str(WRITER), "create", str(path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    try:
        for _ in range(20):  # let it write a while
            assert writer.stdout.readline().startswith(b"committed ")
        checks = [backup(path, tmp_path / f"copy{i}.db") for i in range(3)]
        for _ in range(5):  # still writing after the backups
            assert writer.stdout.readline().startswith(b"committed ")
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.communicate()
    counts = []
    for check in checks:
        assert check.ok and check.integrity == "ok" and check.audit.ok
        assert (check.path.stat().st_mode & 0o777) == 0o600
        conn = connect_file(check.path)
        counts.append(conn.execute("SELECT count(*) FROM identity").fetchone()[0])
        conn.close()
    assert counts == sorted(counts) and counts[0] >= 21
    with pytest.raises(BackupFailed, match="existe déjà"):
        backup(path, checks[0].path)


def test_restore_refuses_a_tampered_or_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    _prepare(path)
    copy = backup(path, tmp_path / "copy.db").path
    raw = connect_file(copy)
    raw.execute("DROP TRIGGER audit_no_update")
    raw.execute("UPDATE audit SET operator = 'mallory' WHERE id = 1")
    raw.commit()
    raw.close()
    assert not check_file(copy).ok
    before = path.read_bytes()
    with pytest.raises(RestoreRefused, match="ALTÉRÉ à partir de la ligne 1"):
        restore(copy, path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(RestoreRefused, match=r"illisible|intégrité"):
        restore(junk, path)
    assert path.read_bytes() == before


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    _prepare(path)
    copy = backup(path, tmp_path / "copy.db").path
    from insterm.clinic import Clinic
    from insterm.domain.identity import StrictTraits

    with Clinic.open(path) as clinic:
        clinic.create_identity("admin", StrictTraits.build(
            birth_name="APRES", first_name="LUC", first_names="LUC", birth_date="02/03/1990",
            sex="M"))
    after, safety = restore(copy, path)
    assert after.ok and safety is not None and check_file(safety).ok
    conn = connect_file(path)
    assert [r[0] for r in conn.execute("SELECT birth_name FROM identity")] == ["MARTIN"]
    assert audit.verify(conn).ok
    conn.close()
    assert (path.stat().st_mode & 0o777) == 0o600
    assert os.path.exists(safety)
