"""Changing a database behind insterm's back, as the tampering tests do (raw sqlite3)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from insterm.store import audit
from insterm.store.migrations import GENESIS_HASH


def tamper(db: Path, *statements: str, drop: tuple[str, ...] = ()) -> None:
    raw = sqlite3.connect(db, isolation_level=None)
    try:
        for trigger in drop:
            raw.execute(f"DROP TRIGGER {trigger}")
        for statement in statements:
            raw.execute(statement)
    finally:
        raw.close()


def recompute_chain(db: Path) -> None:
    """What someone holding the source code can do: rewrite each digest, each event's state
    and every hash after an edit, so that the chain and the digests are consistent again."""
    from insterm.store import identity_state  # (the tests run against older code too)

    conn = sqlite3.connect(db, isolation_level=None)
    for trigger in ("audit_no_update", "identity_state_no_update"):
        conn.execute(f"DROP TRIGGER {trigger}")
    last = {r[0]: r[1] for r in conn.execute(
        "SELECT identity_id, max(audit_id) FROM identity_state GROUP BY identity_id")}
    for identity_id, digest in identity_state.digests_of(conn, list(last)).items():
        conn.execute("UPDATE identity_state SET digest = ? WHERE identity_id = ? AND "
                     "audit_id = ?", (digest, identity_id, last[identity_id]))
    prev = GENESIS_HASH
    for id_, at, operator, action, identity_id, details, state in conn.execute(
            "SELECT id, at, operator, action, identity_id, details, state FROM audit "
            "ORDER BY id").fetchall():
        if state is not None:
            states = {r[0]: bytes(r[1]) for r in conn.execute(
                "SELECT identity_id, digest FROM identity_state WHERE audit_id = ?", (id_,))}
            state = identity_state.event_state(states)
        event = {"id": id_, "at": at, "operator": operator, "action": action,
                 "identity_id": identity_id, "details": json.loads(details)}
        if state is not None:
            event["state"] = state
        digest = audit.event_hash(prev, event)
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ?, state = ? WHERE id = ?",
                     (prev, digest, state, id_))
        prev = digest
    conn.close()
