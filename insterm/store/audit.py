"""The audit log: append-only and hash-chained.

Each row stores `hash = sha256(prev_hash + canonical JSON of the event)` where the event is
`{"id", "at", "operator", "action", "identity_id", "details"}` and the canonical JSON has sorted
keys, no spaces and UTF-8 text (`ensure_ascii=False`). The first row links to 64 zeros.
Triggers refuse UPDATE and DELETE and an INSERT that does not link to the last row; `verify`
recomputes the whole chain and names the first broken row, so an edit made behind the
triggers' back (a raw connection that drops them) is found.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from insterm.store.migrations import GENESIS_HASH


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def event_hash(prev_hash: str, event: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(event)).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    at: str
    operator: str | None
    action: str
    identity_id: int | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


def append(conn: sqlite3.Connection, *, operator: str | None, action: str,
           identity_id: int | None, details: dict[str, Any], at: str) -> AuditEvent:
    """Append one event; call it inside the write transaction of the change it records."""
    last = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    next_id, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    # Round-trip the details through JSON so that what is hashed is what is stored.
    details_json = canonical_json(details)
    details = json.loads(details_json)
    event = {"id": next_id, "at": at, "operator": operator, "action": action,
             "identity_id": identity_id, "details": details}
    digest = event_hash(prev_hash, event)
    conn.execute(
        "INSERT INTO audit (id, at, operator, action, identity_id, details, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (next_id, at, operator, action, identity_id, details_json, prev_hash, digest),
    )
    return AuditEvent(next_id, at, operator, action, identity_id, details, prev_hash, digest)


@dataclass(frozen=True, slots=True)
class AuditReport:
    ok: bool
    rows: int
    first_broken_id: int | None = None
    reason: str | None = None  # French

    @property
    def message(self) -> str:
        if self.ok:
            return f"Journal d'audit intact : {self.rows} événement(s), chaîne vérifiée."
        return (f"Journal d'audit ALTÉRÉ à partir de la ligne {self.first_broken_id} : "
                f"{self.reason} Conservez cette base en l'état et prévenez le responsable ; "
                "restaurez une sauvegarde vérifiée si besoin.")


def verify(conn: sqlite3.Connection) -> AuditReport:
    """Recompute the chain from the first row; the report names the first broken row."""
    prev_hash = GENESIS_HASH
    expected_id = 1
    count = 0
    cursor = conn.execute(
        "SELECT id, at, operator, action, identity_id, details, prev_hash, hash "
        "FROM audit ORDER BY id")
    for id_, at, operator, action, identity_id, details_json, stored_prev, stored_hash in cursor:
        count += 1
        if id_ != expected_id:
            return AuditReport(False, count, id_,
                               f"la ligne {expected_id} manque (numérotation interrompue).")
        if stored_prev != prev_hash:
            return AuditReport(False, count, id_,
                               "elle ne se rattache pas à la ligne précédente.")
        try:
            details = json.loads(details_json)
        except (TypeError, ValueError):
            return AuditReport(False, count, id_, "son contenu n'est pas du JSON lisible.")
        event = {"id": id_, "at": at, "operator": operator, "action": action,
                 "identity_id": identity_id, "details": details}
        if canonical_json(details) != details_json or event_hash(prev_hash, event) != stored_hash:
            return AuditReport(False, count, id_,
                               "son contenu ne correspond plus à son empreinte (modifié après coup).")
        prev_hash = stored_hash
        expected_id += 1
    return AuditReport(True, count)


def events_for(conn: sqlite3.Connection, identity_id: int) -> list[AuditEvent]:
    rows = conn.execute(
        "SELECT id, at, operator, action, identity_id, details, prev_hash, hash FROM audit "
        "WHERE identity_id = ? ORDER BY id", (identity_id,)).fetchall()
    return [AuditEvent(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7]) for r in rows]
