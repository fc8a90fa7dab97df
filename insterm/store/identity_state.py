"""The state digest of an identity, recorded by the audit event that changes it.

The audit chain proves that no EVENT was changed; this module makes the events prove the DATA
they describe. Every event that changes an identity (its row in `identity`: traits, status,
attributes, INS; its INS history; its document checks) records the digest of that identity's
resulting rows, in the same transaction:

- `identity_state(identity_id, audit_id, digest)` holds one digest per identity and event
  (append only: triggers refuse UPDATE and DELETE);
- the event's `audit.state` column holds `event_state(...)`, the SHA-256 of its lines
  "IDENTITY_ID:DIGEST_HEX\\n" in identity order, and `state` is part of the hashed event, so a
  digest row cannot be changed, added or removed without breaking the chain.

A digest (`DIGEST_VERSION` 1, 67 bytes) is: one version byte, the SHA-256 of the canonical
serialisation, then for each of the `PART_LABELS` a 2-byte hint (low 16 bits of the CRC-32 of
the Python repr of that part's values), which lets `audit verify` say WHAT changed ("nom de
naissance", "historique des INS"...). The hints are a diagnosis only: the SHA-256 decides. The
canonical serialisation is the compact JSON (UTF-8, no spaces, no ASCII escaping) of
`[identity values in IDENTITY_COLUMNS order, [INS history rows], [document check rows]]`, the
values as SQLite returns them, each side row with every column but `identity_id`
(`INS_HISTORY_COLUMNS`, `DOCUMENT_CHECK_COLUMNS`), in row id order. The columns are named here,
never `*`: a column added later does not change old digests.

Which identities a transaction wrote is recorded by TEMP triggers on the writing connection
(`track`), so that no writer can forget one; `collect` reads and clears that list when the
event is appended (`insterm.store.audit.append`). The bulk import names its range instead.

`scan(conn)` recomputes the digest of every identity in one ordered pass over the three tables
and compares it with the last one recorded: see `insterm.store.audit.verify`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import struct
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

DIGEST_VERSION = 1

# (French label, columns of `identity`), in the serialisation's order.
IDENTITY_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nom de naissance", ("birth_name",)),
    ("premier prénom", ("first_name",)),
    ("prénoms de naissance", ("first_names",)),
    ("date de naissance", ("birth_date", "birth_date_corrected", "birth_date_raw")),
    ("sexe", ("sex",)),
    ("lieu de naissance", ("birth_place",)),
    ("nom d'usage", ("used_name",)),
    ("prénom d'usage", ("used_first_name",)),
    ("statut", ("status",)),
    ("attributs (douteuse, fictive, homonymie)", ("dout", "fict", "homa")),
    ("INS (matricule et OID)", ("matricule", "oid")),
    ("mode de recueil", ("channel",)),
    ("fusion", ("merged_into",)),
    ("numéro, IPP, version et dates du dossier",
     ("id", "ipp", "version", "created_at", "created_by", "updated_at", "updated_by")),
    ("clés de recherche", ("k_birth_name", "k_used_name", "k_first_name", "k_used_first_name",
                           "p_birth_name", "p_used_name", "p_first_name")),
)
INS_HISTORY_COLUMNS = ("id", "matricule", "oid", "date_start", "date_end", "active",
                       "insi_call_id", "received_at")
DOCUMENT_CHECK_COLUMNS = ("id", "document_type", "expires_on", "outcome", "note",
                          "operator_id", "at")
PART_LABELS: tuple[str, ...] = (*(label for label, _ in IDENTITY_PARTS),
                                "historique des INS", "contrôles de pièce d'identité")
IDENTITY_COLUMNS: tuple[str, ...] = tuple(c for _, cols in IDENTITY_PARTS for c in cols)
# Shown in messages: never the matricule.
_LABEL_COLUMNS = ("ipp", "birth_name", "first_name", "birth_date")


def _slices() -> tuple[tuple[int, int], ...]:
    found, start = [], 0
    for _, columns in IDENTITY_PARTS:
        found.append((start, start + len(columns)))
        start += len(columns)
    return tuple(found)


_SLICES = _slices()
_INDEX = {name: i for i, name in enumerate(IDENTITY_COLUMNS)}


_VERSION_BYTE = bytes([DIGEST_VERSION])
_FULL = 33  # version byte + SHA-256: what decides; the hints after it only say what changed
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _full(identity_row: tuple[Any, ...], ins_rows: Sequence[tuple[Any, ...]],
          document_rows: Sequence[tuple[Any, ...]]) -> bytes:
    """The version byte and the SHA-256 of the canonical serialisation (33 bytes)."""
    canonical = _ENCODER.encode([identity_row, ins_rows, document_rows]).encode("utf-8")
    return _VERSION_BYTE + hashlib.sha256(canonical).digest()


def _hints(identity_row: tuple[Any, ...], ins_rows: Sequence[tuple[Any, ...]],
           document_rows: Sequence[tuple[Any, ...]]) -> bytes:
    parts = [identity_row[a:b] for a, b in _SLICES]
    parts.extend((tuple(ins_rows), tuple(document_rows)))
    return struct.pack(f">{len(parts)}H",
                       *(zlib.crc32(repr(p).encode("utf-8")) & 0xFFFF for p in parts))


def digest(identity_row: tuple[Any, ...], ins_rows: Sequence[tuple[Any, ...]],
           document_rows: Sequence[tuple[Any, ...]]) -> bytes:
    """The digest of one identity: `identity_row` in `IDENTITY_COLUMNS` order, its INS history
    and document check rows (`INS_HISTORY_COLUMNS`, `DOCUMENT_CHECK_COLUMNS`) in id order."""
    return (_full(identity_row, ins_rows, document_rows)
            + _hints(identity_row, ins_rows, document_rows))


def changed_parts(recorded: bytes, current: bytes) -> tuple[str, ...]:
    """French labels of the parts whose hint differs (empty when it cannot tell)."""
    if len(recorded) != len(current) or recorded[:1] != current[:1]:
        return ()
    return tuple(label for i, label in enumerate(PART_LABELS)
                 if recorded[_FULL + 2 * i:_FULL + 2 + 2 * i]
                 != current[_FULL + 2 * i:_FULL + 2 + 2 * i])


def event_state(states: Mapping[int, bytes]) -> str:
    """The value of `audit.state` for an event recording `states` (identity id -> digest)."""
    hasher = hashlib.sha256()
    for identity_id in sorted(states):
        hasher.update(f"{identity_id}:{states[identity_id].hex()}\n".encode("ascii"))
    return hasher.hexdigest()


def _select_identity(where: str) -> str:
    return f"SELECT {', '.join(IDENTITY_COLUMNS)} FROM identity {where} ORDER BY id"


def _side_rows(table: str, columns: tuple[str, ...], where: str) -> str:
    return (f"SELECT identity_id, {', '.join(columns)} FROM {table} {where} "
            "ORDER BY identity_id, id")


def digests_between(conn: sqlite3.Connection, first_id: int, last_id: int) -> dict[int, bytes]:
    """The digest of every identity whose id is in [first_id, last_id]."""
    return {row[_INDEX["id"]]: digest(row, ins_rows, doc_rows)
            for row, ins_rows, doc_rows in _rows(conn, "WHERE id BETWEEN ? AND ?",
                                                 "WHERE identity_id BETWEEN ? AND ?",
                                                 (first_id, last_id))}


def digests_of(conn: sqlite3.Connection, identity_ids: Iterable[int]) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    for identity_id in sorted(set(identity_ids)):
        found.update(digests_between(conn, identity_id, identity_id))
    return found


_Rows = tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _rows(conn: sqlite3.Connection, where: str, side_where: str,
          params: tuple[Any, ...]) -> Iterator[_Rows]:
    """(identity row, its INS history rows, its document check rows) for each identity
    matching, in id order: one ordered pass over each of the three tables (a merge on the
    identity id)."""
    ins = groupby(conn.execute(_side_rows("ins_history", INS_HISTORY_COLUMNS, side_where),
                               params), key=lambda r: r[0])
    docs = groupby(conn.execute(_side_rows("document_check", DOCUMENT_CHECK_COLUMNS,
                                           side_where), params), key=lambda r: r[0])
    next_ins = next(ins, None)
    next_doc = next(docs, None)
    for row in conn.execute(_select_identity(where), params):
        identity_id = row[_INDEX["id"]]
        ins_rows: list[tuple[Any, ...]] = []
        doc_rows: list[tuple[Any, ...]] = []
        while next_ins is not None and next_ins[0] <= identity_id:
            if next_ins[0] == identity_id:
                ins_rows = [r[1:] for r in next_ins[1]]
            next_ins = next(ins, None)
        while next_doc is not None and next_doc[0] <= identity_id:
            if next_doc[0] == identity_id:
                doc_rows = [r[1:] for r in next_doc[1]]
            next_doc = next(docs, None)
        yield row, ins_rows, doc_rows


# ------------------------------------------------------------------ which identities changed

_TRACKING = (
    "CREATE TEMP TABLE IF NOT EXISTS insterm_touched (identity_id INTEGER PRIMARY KEY)",
    "CREATE TEMP TRIGGER IF NOT EXISTS insterm_touched_identity_insert AFTER INSERT ON "
    "main.identity BEGIN INSERT OR IGNORE INTO insterm_touched VALUES (NEW.id); END",
    "CREATE TEMP TRIGGER IF NOT EXISTS insterm_touched_identity_update AFTER UPDATE ON "
    "main.identity BEGIN INSERT OR IGNORE INTO insterm_touched VALUES (NEW.id); END",
    "CREATE TEMP TRIGGER IF NOT EXISTS insterm_touched_ins_history AFTER INSERT ON "
    "main.ins_history BEGIN INSERT OR IGNORE INTO insterm_touched VALUES (NEW.identity_id); END",
    "CREATE TEMP TRIGGER IF NOT EXISTS insterm_touched_document_check AFTER INSERT ON "
    "main.document_check BEGIN INSERT OR IGNORE INTO insterm_touched "
    "VALUES (NEW.identity_id); END",
)


def track(conn: sqlite3.Connection) -> None:
    """Record, on this connection, which identities its writes touch (TEMP triggers; idempotent,
    call it inside the write transaction)."""
    for statement in _TRACKING:
        conn.execute(statement)


def collect(conn: sqlite3.Connection) -> dict[int, bytes]:
    """The digest of every identity touched since the last call (then forgets them); empty
    when `track` was not called on this connection."""
    if conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'insterm_touched'"
                    ).fetchone() is None:
        return {}
    ids = [r[0] for r in conn.execute("SELECT identity_id FROM temp.insterm_touched")]
    if not ids:
        return {}
    conn.execute("DELETE FROM temp.insterm_touched")
    return digests_of(conn, ids)


def record(conn: sqlite3.Connection, audit_id: int, states: Mapping[int, bytes]) -> None:
    """Store the digests of event `audit_id` (inside its transaction)."""
    conn.executemany("INSERT INTO identity_state (identity_id, audit_id, digest) VALUES (?, ?, ?)",
                     ((identity_id, audit_id, states[identity_id]) for identity_id in
                      sorted(states)))


# ------------------------------------------------------------------ verification


@dataclass(frozen=True, slots=True)
class AlteredIdentity:
    """An identity whose rows no longer match its last event (or that no event created)."""

    identity_id: int
    label: str  # "IPP 100000012 (MARTIN Jean, né(e) le 01/02/1980)", never the matricule
    changed: tuple[str, ...]  # French labels of what changed, when it can tell
    event_id: int | None  # the last event that recorded its state
    kind: str  # "altered", "deleted", "unrecorded"

    @property
    def message(self) -> str:
        if self.kind == "deleted":
            return (f"dossier n°{self.identity_id} : supprimé de la table des identités "
                    f"(son dernier état est noté par l'événement n°{self.event_id})")
        if self.kind == "unrecorded":
            return (f"{self.label} : ajouté directement dans la base, sans événement du "
                    "journal")
        what = (", ".join(self.changed) + " modifié(s)" if self.changed
                else "contenu modifié")
        return (f"{self.label} : {what} depuis l'événement n°{self.event_id}, hors de "
                "l'application")


def _label(row: tuple[Any, ...]) -> str:
    ipp, name, first, born = (row[_INDEX[c]] for c in _LABEL_COLUMNS)
    try:
        shown = date.fromisoformat(str(born)).strftime("%d/%m/%Y")
    except ValueError:
        shown = str(born)
    return f"IPP {ipp} ({name} {first}, né(e) le {shown})"


@dataclass(frozen=True, slots=True)
class StateScan:
    altered: tuple[AlteredIdentity, ...]
    altered_total: int
    uncovered: int  # identities no event has recorded the state of (written before tracking)
    identities: int


class EventStates:
    """The recorded digests, event by event, in event order (one pass, constant memory):
    `check(audit_id, state)` for each event in id order says whether the digest rows of that
    event still give its `state`; `finish()` whether rows remain for events that do not exist."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._rows = conn.execute("SELECT audit_id, identity_id, digest FROM identity_state "
                                  "ORDER BY audit_id, identity_id")
        self._next = self._rows.fetchone()

    def check(self, audit_id: int, state: str | None) -> bool:
        hasher = None
        stray = False
        while self._next is not None and self._next[0] <= audit_id:
            row_audit, identity_id, recorded = self._next
            if row_audit < audit_id:
                stray = True
            else:
                hasher = hasher or hashlib.sha256()
                hasher.update(f"{identity_id}:{bytes(recorded).hex()}\n".encode("ascii"))
            self._next = self._rows.fetchone()
        if stray:
            return False
        return (hasher.hexdigest() if hasher is not None else None) == state

    def finish(self) -> int | None:
        """The first event id that digest rows name beyond the last event, if any."""
        return int(self._next[0]) if self._next is not None else None


def scan(conn: sqlite3.Connection, *, first_covered_id: int = 1,
         limit: int = 1000) -> StateScan:
    """Recompute every identity's digest and compare it with the last one recorded. An identity
    with no recorded state is `unrecorded` (altered) from `first_covered_id` on, merely
    uncovered below it. At most `limit` altered identities are listed."""
    altered: list[AlteredIdentity] = []
    total = 0
    uncovered = 0
    count = 0
    # The last recorded digest of each identity, in identity order (SQLite gives the bare
    # `digest` of the row holding max(audit_id)).
    last_states = conn.execute("SELECT identity_id, max(audit_id), digest FROM identity_state "
                               "GROUP BY identity_id ORDER BY identity_id")

    def add(item: AlteredIdentity) -> None:
        nonlocal total
        total += 1
        if len(altered) < limit:
            altered.append(item)

    pending = last_states.fetchone()
    for row, ins_rows, doc_rows in _rows(conn, "", "", ()):
        count += 1
        identity_id = row[_INDEX["id"]]
        recorded: tuple[int, bytes] | None = None
        while pending is not None and pending[0] <= identity_id:
            if pending[0] == identity_id:
                recorded = (pending[1], bytes(pending[2]))
            else:
                add(AlteredIdentity(pending[0], f"dossier n°{pending[0]}", (), pending[1],
                                    "deleted"))
            pending = last_states.fetchone()
        if recorded is None:
            if identity_id >= first_covered_id:
                add(AlteredIdentity(identity_id, _label(row), (), None, "unrecorded"))
            else:
                uncovered += 1
        elif recorded[1][:_FULL] != _full(row, ins_rows, doc_rows):
            current = digest(row, ins_rows, doc_rows)
            add(AlteredIdentity(identity_id, _label(row), changed_parts(recorded[1], current),
                                recorded[0], "altered"))
    while pending is not None:
        add(AlteredIdentity(pending[0], f"dossier n°{pending[0]}", (), pending[1], "deleted"))
        pending = last_states.fetchone()
    return StateScan(tuple(altered), total, uncovered, count)
