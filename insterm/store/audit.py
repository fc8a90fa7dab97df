"""The audit log: append-only and hash-chained.

Each row stores `hash = sha256(prev_hash + canonical JSON of the event)` where the event is
`{"id", "at", "operator", "action", "identity_id", "details"}`, plus `"state"` when the event
recorded identity states, and the canonical JSON has sorted keys, no spaces and UTF-8 text
(`ensure_ascii=False`). The first row links to 64 zeros. Triggers refuse UPDATE and DELETE and
an INSERT that does not link to the last row; `verify` recomputes the whole chain and names the
first broken row, so an edit made behind the triggers' back (a raw connection that drops them)
is found.

The data the events describe: an event that changes an identity records the digest of its
resulting rows (`insterm.store.identity_state`, the `state` of the event); `verify` recomputes
every identity's digest and names those whose rows no longer match their last event.

The limit of a hash chain: it proves that no row was changed, removed or inserted BEFORE the
last one, but nothing inside the file can prove that the last rows were not cut off, or that
the whole chain was not recomputed. So `verify` reports the tail (`AuditReport.tail`,
"COUNT:HASH" of the last row), which `insterm.store.audit_heads` notes in the head file outside
the database at each backup and verification; `verify(heads=...)` checks every noted head, and
`verify(expected=...)` (`insterm audit verify --attendu COUNT:HASH`) one more noted elsewhere:
the row COUNT must still be there with that hash. See docs/audit.md.

Reading for the Journal screen: `events_page` (filters, newest first, paged by `before_id`),
`actions` (the distinct actions present, for the filter), `AuditEvent.describe()` (one French
line, `insterm.store.audit_text`).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from insterm.store import audit_text, identity_state
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

    @property
    def label(self) -> str:
        """The action in French, e.g. "Contrôle de pièce d'identité"."""
        return audit_text.action_label(self.action)

    def describe(self) -> str:
        """One French line saying what happened, e.g. "Statut : Identité provisoire → Identité
        validée (contrôle : Passeport)". Never shows a matricule."""
        return audit_text.describe(self.action, self.details)

    @property
    def action_label(self) -> str:
        """The action in French ("Contrôle de pièce d'identité")."""
        return audit_text.action_label(self.action)


STATE_TRACKING_STARTED = "state_tracking_started"


def _event(id_: int, at: str, operator: str | None, action: str, identity_id: int | None,
           details: Any, state: str | None) -> dict[str, Any]:
    event = {"id": id_, "at": at, "operator": operator, "action": action,
             "identity_id": identity_id, "details": details}
    if state is not None:  # events written before state digests existed hash as they did
        event["state"] = state
    return event


def _has_state(conn: sqlite3.Connection) -> bool:
    return any(r[1] == "state" for r in conn.execute("PRAGMA table_info(audit)"))


def append(conn: sqlite3.Connection, *, operator: str | None, action: str,
           identity_id: int | None, details: dict[str, Any], at: str,
           states: Mapping[int, bytes] | None = None) -> AuditEvent:
    """Append one event; call it inside the write transaction of the change it records.

    The event records the state digest of every identity this transaction wrote (those the
    connection tracked, `identity_state.track`, plus `states`), see `identity_state`."""
    recorded = dict(identity_state.collect(conn))
    if states:
        recorded.update(states)
    if recorded and not _has_state(conn):  # a base older than migration 7 (tests, tools)
        recorded = {}
    last = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    next_id, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    # Round-trip the details through JSON so that what is hashed is what is stored.
    details_json = canonical_json(details)
    details = json.loads(details_json)
    state = identity_state.event_state(recorded) if recorded else None
    digest = event_hash(prev_hash, _event(next_id, at, operator, action, identity_id, details,
                                          state))
    if state is None:  # (also on a base older than the `state` column)
        conn.execute(
            "INSERT INTO audit (id, at, operator, action, identity_id, details, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (next_id, at, operator, action, identity_id, details_json, prev_hash, digest))
    else:
        conn.execute(
            "INSERT INTO audit (id, at, operator, action, identity_id, details, prev_hash, hash,"
            " state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (next_id, at, operator, action, identity_id, details_json, prev_hash, digest, state))
    if recorded:
        identity_state.record(conn, next_id, recorded)
    return AuditEvent(next_id, at, operator, action, identity_id, details, prev_hash, digest)


@dataclass(frozen=True, slots=True)
class AuditReport:
    ok: bool
    rows: int
    first_broken_id: int | None = None
    reason: str | None = None  # French
    last_hash: str | None = None  # hash of the last row read (None: empty journal)
    expected: str | None = None  # the "COUNT:HASH" checked, when one was given
    # The identities whose rows no longer match their last event (at most 1000 listed),
    # how many in all; None when the identities were not checked.
    altered: tuple[identity_state.AlteredIdentity, ...] = ()
    altered_total: int = 0
    identities: int | None = None
    uncovered: int = 0  # identities written before state digests existed, unchanged since
    heads: int = 0  # heads of the head file checked
    heads_file: str | None = None

    @property
    def tail(self) -> str:
        """"COUNT:HASH" of the last row (to note outside the file); "0:" + zeros when empty."""
        return f"{self.rows}:{self.last_hash or GENESIS_HASH}"

    @property
    def message(self) -> str:
        if self.ok:
            checked = (f" Les {self.expected.split(':')[0]} premiers événements notés sont "
                       "toujours là, avec la même empreinte." if self.expected else "")
            if self.heads:
                checked += (f" Fin de journal conforme aux {self.heads} empreinte(s) de fin "
                            f"notées dans {self.heads_file}.")
            return (f"Journal d'audit intact : {self.rows} événement(s), chaîne vérifiée."
                    f"{checked}{self._identities_note}"
                    f" Empreinte de fin à noter : {self.tail}")
        advice = (" Conservez cette base en l'état et prévenez le responsable ; "
                  "restaurez une sauvegarde vérifiée si besoin.")
        if self.reason is None and self.altered:
            listed = "".join(f"\n  - {item.message}" for item in self.altered)
            more = self.altered_total - len(self.altered)
            listed += f"\n  - … et {more} autre(s)" if more > 0 else ""
            return (f"Données ALTÉRÉES hors de l'application : {self.altered_total} dossier(s) "
                    "ne correspondent plus au journal d'audit (la chaîne de "
                    f"{self.rows} événement(s) est intacte) :{listed}\n" + advice.strip())
        where = (f" à partir de la ligne {self.first_broken_id}"
                 if self.first_broken_id is not None else "")
        return f"Journal d'audit ALTÉRÉ{where} : {self.reason}{advice}"

    @property
    def _identities_note(self) -> str:
        if self.identities is None:
            return ""
        note = (f" {self.identities} dossier(s) conformes à leur dernier événement"
                if not self.uncovered else
                f" {self.identities - self.uncovered} dossier(s) conformes à leur dernier "
                f"événement ; {self.uncovered} dossier(s) antérieur(s) au suivi de leur état, "
                "non couvert(s) jusqu'à leur prochaine modification")
        return note + "."

    @property
    def limit_note(self) -> str:
        """What the chain alone cannot prove (French), for the operator."""
        return ("La chaîne prouve qu'aucun événement n'a été modifié, inséré ni retiré avant le "
                "dernier ; elle ne peut pas prouver, seule, que les derniers n'ont pas été "
                "supprimés : l'empreinte de fin est notée dans le fichier des empreintes (à "
                "chaque sauvegarde et vérification) ; gardez-en une copie ailleurs, ou vérifiez "
                "avec « insterm audit verify --attendu NOMBRE:EMPREINTE ».")


_TAIL = re.compile(r"\s*([0-9]{1,12})\s*:\s*([0-9a-fA-F]{64})\s*")


def parse_tail(text: str) -> tuple[int, str]:
    """"COUNT:HASH" as printed by `AuditReport.tail` -> (count, hash); ValueError (French)."""
    match = _TAIL.fullmatch(text or "")
    if not match:
        raise ValueError(f"« {str(text)[:80]} » n'est pas une empreinte de fin de journal : "
                         "attendu NOMBRE:EMPREINTE, par exemple 1520:3f9a… (64 caractères "
                         "hexadécimaux), tel que « insterm audit verify » l'affiche.")
    return int(match.group(1)), match.group(2).lower()


@dataclass(frozen=True, slots=True)
class NotedHead:
    """A chain head noted outside the file: `count` events, the last with `hash`; `noted`:
    French words saying when and where, for the messages ("notés le 04/12/2026 à 23:40 dans
    /…/insterm.empreintes")."""

    count: int
    hash: str
    noted: str = "notés"


def verify(conn: sqlite3.Connection, *, expected: str | tuple[int, str] | None = None,
           heads: Sequence[NotedHead] = (), heads_file: str | None = None,
           identities: bool = True) -> AuditReport:
    """Recompute the chain from the first row; the report names the first broken row.

    `expected`: a tail noted earlier ("COUNT:HASH" or (count, hash)); the row COUNT must then
    still exist with that hash (else the journal was cut, or replaced). `heads`: the heads of
    the head file (`audit_heads`), each checked the same way. `identities`: also recompute the
    state digest of every identity and name those whose rows no longer match their last
    event (`identity_state.scan`)."""
    checks: list[NotedHead] = []
    shown = None
    if expected is not None:
        count, digest = (parse_tail(expected) if isinstance(expected, str)
                         else (int(expected[0]), expected[1].lower()))
        shown = f"{count}:{digest}"
        checks.append(NotedHead(count, digest))
    checks.extend(NotedHead(h.count, h.hash.lower(), h.noted) for h in heads)
    wanted = {h.count for h in checks}
    has_state = _has_state(conn)
    seen: dict[int, str] = {0: GENESIS_HASH}
    # The digest rows of each event, read along the chain (a base older than migration 7
    # has none).
    event_states = identity_state.EventStates(conn) if identities and has_state else None
    state_broken: int | None = None
    first_covered = 1
    prev_hash = GENESIS_HASH
    expected_id = 1
    count = 0
    cursor = conn.execute(
        "SELECT id, at, operator, action, identity_id, details, prev_hash, hash, "
        + ("state" if has_state else "NULL") + " FROM audit ORDER BY id")
    for (id_, at, operator, action, identity_id, details_json, stored_prev, stored_hash,
         state) in cursor:
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
        event = _event(id_, at, operator, action, identity_id, details, state)
        if canonical_json(details) != details_json or event_hash(prev_hash, event) != stored_hash:
            return AuditReport(False, count, id_,
                               "son contenu ne correspond plus à son empreinte (modifié après coup).")
        if (event_states is not None and state_broken is None
                and not event_states.check(id_, state)):
            state_broken = id_
        if action == STATE_TRACKING_STARTED and isinstance(details, dict):
            first_covered = int(details.get("first_covered_id") or 1)
        prev_hash = stored_hash
        if id_ in wanted:
            seen[id_] = stored_hash
        expected_id += 1
    last = prev_hash if count else None
    for head in checks:
        if count < head.count:
            return AuditReport(
                False, count, count + 1,
                f"le journal ne compte que {count} événement(s) alors que {head.count} avaient "
                f"été {head.noted} : ses derniers événements ont été supprimés"
                + (" (ou une sauvegarde plus ancienne a été restaurée depuis)."
                   if head.noted != "notés" else "."), last, shown)
        if seen.get(head.count) != head.hash:
            return AuditReport(
                False, count, head.count,
                f"l'événement n°{head.count} n'a plus l'empreinte de fin {head.noted} : le "
                "journal a été remplacé ou réécrit (recalculé) depuis.", last, shown)
    if not identities:
        return AuditReport(True, count, last_hash=last, expected=shown, heads=len(heads),
                           heads_file=heads_file)
    if event_states is None:
        # A base older than the state digests (a backup being checked): the chain only.
        return AuditReport(True, count, last_hash=last, expected=shown, heads=len(heads),
                           heads_file=heads_file)
    if state_broken is None:
        state_broken = event_states.finish()
    if state_broken is not None:
        return AuditReport(
            False, count, state_broken,
            "les empreintes d'état des dossiers qu'il note (table identity_state) ont été "
            "modifiées, ajoutées ou retirées.", last, shown)
    found = identity_state.scan(conn, first_covered_id=first_covered)
    if found.altered:
        return AuditReport(False, count, None, None, last, shown, found.altered,
                           found.altered_total, found.identities, found.uncovered, len(heads),
                           heads_file)
    return AuditReport(True, count, last_hash=last, expected=shown, identities=found.identities,
                       uncovered=found.uncovered, heads=len(heads), heads_file=heads_file)


# The events about one identity: its own, plus the bulk import or the file import's batch that
# created it (one event for the whole batch, naming the range of ids it wrote). Such events are
# few and `action` is indexed, so the second arm costs a handful of index entries.
_CONCERNS = ("(identity_id = ? OR (action IN ('bulk_import', 'import_rows')"
             " AND identity_id IS NULL"
             " AND json_extract(details, '$.first_id') <= ?"
             " AND json_extract(details, '$.last_id') >= ?))")


def events_for(conn: sqlite3.Connection, identity_id: int) -> list[AuditEvent]:
    """Everything the journal says about this identity, oldest first: its own events and the
    bulk import that wrote it, if it came from one."""
    rows = conn.execute(
        "SELECT id, at, operator, action, identity_id, details, prev_hash, hash FROM audit "
        f"WHERE {_CONCERNS} ORDER BY id", (identity_id,) * 3).fetchall()
    return [AuditEvent(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7]) for r in rows]


# ---------------------------------------------------------------------------- Journal screen


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Events newest first; `next_before_id`: give it as `before_id` for the next (older) page,
    None when there is none."""

    events: tuple[AuditEvent, ...]
    next_before_id: int | None


def _utc_bound(value: date | datetime | str, *, end: bool) -> str:
    """A stored-form UTC timestamp bound. A date is a local day: from its midnight (`end`:
    up to the next midnight, excluded); a naive datetime is local time."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value.strip() \
            else date.fromisoformat(value)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.astimezone()
    else:
        day = value + timedelta(days=1) if end else value
        moment = datetime.combine(day, time()).astimezone()
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def events_page(conn: sqlite3.Connection, *, identity_id: int | None = None,
                operator: str | None = None, action: str | None = None,
                since: date | datetime | str | None = None,
                until: date | datetime | str | None = None, limit: int = 200,
                before_id: int | None = None) -> AuditPage:
    """Events matching every filter given, newest first, at most `limit` (1-1000).

    `since`/`until`: a date (a whole local day, both included) or a datetime (`until`
    included). Each filter has its index, so a page costs about `limit` index entries."""
    limit = max(1, min(int(limit), 1000))
    where: list[str] = []
    params: list[Any] = []
    if identity_id is not None:  # its events and the bulk import that wrote it (events_for)
        where.append(_CONCERNS)
        params.extend((identity_id,) * 3)
    for clause, value in (("operator = ?", operator),
                          ("action = ?", action), ("id < ?", before_id)):
        if value is not None:
            where.append(clause)
            params.append(value)
    if since is not None:
        where.append("at >= ?")
        params.append(_utc_bound(since, end=False))
    if until is not None:
        exclusive = not isinstance(until, datetime) and not (isinstance(until, str)
                                                             and ("T" in until or " " in until))
        where.append("at < ?" if exclusive else "at <= ?")
        params.append(_utc_bound(until, end=True))
    sql = ("SELECT id, at, operator, action, identity_id, details, prev_hash, hash FROM audit"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?")
    rows = conn.execute(sql, (*params, limit + 1)).fetchall()
    events = tuple(AuditEvent(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7])
                   for r in rows[:limit])
    return AuditPage(events, events[-1].id if len(rows) > limit else None)


def _distinct(conn: sqlite3.Connection, column: str) -> list[str]:
    # One index probe per distinct value (column is indexed): fast on a long journal.
    found: list[str] = []
    current = conn.execute(f"SELECT min({column}) FROM audit").fetchone()[0]
    while current is not None:
        found.append(current)
        current = conn.execute(f"SELECT min({column}) FROM audit WHERE {column} > ?",
                               (current,)).fetchone()[0]
    return found


def actions(conn: sqlite3.Connection) -> list[str]:
    """The distinct actions present in the journal, sorted."""
    return _distinct(conn, "action")


def operators(conn: sqlite3.Connection) -> list[str]:
    """The distinct operator logins present in the journal, sorted."""
    return _distinct(conn, "operator")
