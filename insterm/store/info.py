"""Figures about a database file for `insterm db info`."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    path: Path
    schema_version: int
    size_bytes: int
    total: int
    merged: int
    by_status: dict[str, int]
    by_attribute: dict[str, int]
    potential_duplicates: int
    operators: int
    audit_events: int


def database_info(conn: sqlite3.Connection, path: Path) -> DatabaseInfo:
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    by_status = dict(conn.execute(
        "SELECT status, count(*) FROM identity WHERE merged_into IS NULL AND withdrawn = 0 GROUP BY status"))
    dout, fict, homa, merged, total = conn.execute(
        "SELECT coalesce(sum(dout), 0), coalesce(sum(fict), 0), coalesce(sum(homa), 0), "
        "count(merged_into), count(*) FROM identity").fetchone()
    return DatabaseInfo(
        path=path,
        schema_version=int(conn.execute("PRAGMA user_version").fetchone()[0]),
        size_bytes=size, total=total, merged=merged, by_status=by_status,
        by_attribute={"DOUT": dout, "FICT": fict, "HOMA": homa},
        potential_duplicates=conn.execute(
            "SELECT count(*) FROM duplicate_link WHERE state = 'potential'").fetchone()[0],
        operators=conn.execute("SELECT count(*) FROM operator WHERE active = 1").fetchone()[0],
        audit_events=conn.execute("SELECT count(*) FROM audit").fetchone()[0],
    )
