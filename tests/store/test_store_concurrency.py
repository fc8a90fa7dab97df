"""Concurrency and durability with real processes on a real file (issue section 6)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from insterm.clinic import Clinic
from insterm.domain.identity import StrictTraits
from insterm.store import audit
from insterm.store.connection import connect_file

WRITER = Path(__file__).with_name("writer_process.py")
sys.path.insert(0, str(WRITER.parent))
from writer_process import decode  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.processes]


def _prepare(path: Path) -> int:
    with Clinic.open(path, create=True) as clinic:
        clinic.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        traits = StrictTraits.build(birth_name="MARTIN", first_name="JEAN", first_names="JEAN",
                                    birth_date="01/02/1980", sex="M", birth_place="75056")
        return clinic.create_identity("admin", traits).record.id


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parents[2]),
                                                      env.get("PYTHONPATH")]))
    return env


def test_four_writers_lose_no_update(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    identity_id = _prepare(path)
    writers, updates = 4, 500
    procs = [subprocess.Popen([sys.executable, str(WRITER), "count", str(path),
                               str(identity_id), str(updates)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=_env())
             for _ in range(writers)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "locked" not in err and out.startswith(f"done {updates} ")
    conn = connect_file(path)
    version, used_name = conn.execute("SELECT version, used_name FROM identity WHERE id = ?",
                                      (identity_id,)).fetchone()
    # every increment landed on the value it read: none overwrote another
    assert decode(used_name) == writers * updates
    assert version == 1 + writers * updates
    events = conn.execute("SELECT count(*) FROM audit WHERE action = 'traits_edited'"
                          ).fetchone()[0]
    assert events == writers * updates
    assert audit.verify(conn).ok
    conn.close()


def test_sigkill_loses_no_reported_write(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    _prepare(path)
    reported: set[str] = set()
    rng = random.Random(1234)
    for _ in range(30):
        proc = subprocess.Popen([sys.executable, str(WRITER), "create", str(path)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
        # wait for the first commit, then kill at a random moment while it writes
        first = proc.stdout.readline()
        assert first.startswith(b"committed "), proc.stderr.read()
        reported.add(first.split()[1].decode())
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        for line in out.split(b"\n"):
            if line.startswith(b"committed ") and len(line.split()) == 2:
                reported.add(line.split()[1].decode())
    conn = connect_file(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert audit.verify(conn).ok
    present = {r[0] for r in conn.execute("SELECT ipp FROM identity")}
    assert reported <= present
    assert len(reported) >= 30
    created = conn.execute("SELECT count(*) FROM audit WHERE action = 'identity_created'").fetchone()[0]
    assert created == conn.execute("SELECT count(*) FROM identity").fetchone()[0]
    conn.close()
