"""The identity-vigilance indicators, one SQL query each (read only).

A `Window` is a span of stored timestamps (UTC ISO text, which sorts as time): `start`
included, `end` excluded. "Seen in the window" means an identity created or changed in it, or
named by an audit event of it (document check, INSi call, duplicate decision, attribute...).
Opening a record is not recorded, so a patient only looked up is not "seen": the figures for
the patients seen therefore undercount rather than invent.

INSi calls are sorted by what the `insi_call` row holds: the CR code (00, 01, 02), else the
fault family written by `insterm.usecases.insi_log` ("fault.*" and "reply.*": the service or its
reply; "transport.*": the network; anything else: refused before sending).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field

STATUSES = ("PROV", "RECUP", "VALI", "QUAL")
INSI_OUTCOMES = ("00", "01", "02", "fault", "transport", "not_sent")


@dataclass(frozen=True, slots=True)
class Window:
    start: str
    end: str


@dataclass(frozen=True, slots=True)
class IdentityCounts:
    """Active identities (not merged into another) by status and attribute."""

    by_status: dict[str, int]
    dout: int
    fict: int
    homa: int
    corrected_birth_date: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True, slots=True)
class OperatorFigures:
    """What one operator did in a window: identities created (and, of those still active,
    their status and attributes now), document checks (and by type and outcome),
    qualifications, INSi calls by outcome."""

    login: str
    display_name: str
    created: int
    document_checks: int
    qualified: int
    insi: dict[str, int]
    created_now: IdentityCounts | None = None
    documents: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """The state at the end of a month (`month`: "AAAA-MM", local calendar month)."""

    month: str
    identities: int
    qualified: int
    qualified_in_month: int


_SEEN = ("(identity.created_at >= :start AND identity.created_at < :end)"
         " OR (identity.updated_at >= :start AND identity.updated_at < :end)"
         " OR identity.id IN (SELECT identity_id FROM audit"
         " WHERE at >= :start AND at < :end AND identity_id IS NOT NULL)")

_OUTCOME = ("CASE WHEN cr_code IS NOT NULL THEN cr_code"
            " WHEN fault LIKE 'fault.%' OR fault LIKE 'reply.%' THEN 'fault'"
            " WHEN fault LIKE 'transport.%' THEN 'transport'"
            " ELSE 'not_sent' END")

_QUALIFIED = "json_extract(details, '$.after.status') = 'QUAL'"


def identity_counts(conn: sqlite3.Connection, seen: Window | None = None) -> IdentityCounts:
    """The whole file (`seen` None), or the identities seen in `seen`."""
    where = "merged_into IS NULL AND withdrawn = 0" + (f" AND ({_SEEN})" if seen is not None else "")
    params = {"start": seen.start, "end": seen.end} if seen is not None else {}
    by_status = dict.fromkeys(STATUSES, 0)
    dout = fict = homa = corrected = 0
    for status, count, d, f, h, c in conn.execute(
            "SELECT status, count(*), sum(dout), sum(fict), sum(homa), sum(birth_date_corrected)"
            f" FROM identity WHERE {where} GROUP BY status", params):
        by_status[status] = count
        dout, fict, homa, corrected = dout + d, fict + f, homa + h, corrected + c
    return IdentityCounts(by_status, dout, fict, homa, corrected)


def open_duplicates(conn: sqlite3.Connection, found: Window | None = None) -> int:
    """Potential duplicate pairs nobody has decided yet (found in `found`, if given)."""
    sql = "SELECT count(*) FROM duplicate_link WHERE state = 'potential'"
    if found is None:
        return int(conn.execute(sql).fetchone()[0])
    return int(conn.execute(sql + " AND found_at >= ? AND found_at < ?",
                            (found.start, found.end)).fetchone()[0])


def unnamed_to_complete(conn: sqlite3.Connection) -> int:
    """Identities captured as unknown (quick capture) that still carry DOUT: not yet named."""
    return int(conn.execute(
        "SELECT count(*) FROM identity WHERE merged_into IS NULL AND withdrawn = 0 AND dout = 1 AND id IN"
        " (SELECT identity_id FROM audit WHERE action = 'identity_created'"
        " AND json_extract(details, '$.unnamed') = 'inconnu')").fetchone()[0])


def insi_outcomes(conn: sqlite3.Connection, window: Window) -> dict[str, int]:
    """INSi calls made in `window` by outcome (INSI_OUTCOMES)."""
    counts = dict.fromkeys(INSI_OUTCOMES, 0)
    for outcome, count in conn.execute(
            f"SELECT {_OUTCOME}, count(*) FROM insi_call WHERE at >= ? AND at < ? GROUP BY 1",
            (window.start, window.end)):
        counts[outcome] = counts.get(outcome, 0) + count
    return counts


def document_checks(conn: sqlite3.Connection, window: Window) -> dict[tuple[str, str], int]:
    """Document checks made in `window` by (document type code, outcome "ok"/"mismatch")."""
    return {(kind, outcome): count for kind, outcome, count in conn.execute(
        "SELECT document_type, outcome, count(*) FROM document_check"
        " WHERE at >= ? AND at < ? GROUP BY 1, 2 ORDER BY 1, 2", (window.start, window.end))}


def per_operator(conn: sqlite3.Connection, window: Window) -> list[OperatorFigures]:
    """What each operator did in `window` (operators who did nothing are left out)."""
    params = (window.start, window.end)
    created = Counter(dict(conn.execute(
        "SELECT created_by, count(*) FROM identity WHERE created_at >= ? AND created_at < ?"
        " AND created_by IS NOT NULL GROUP BY 1", params).fetchall()))
    checks = Counter(dict(conn.execute(
        "SELECT operator_id, count(*) FROM document_check WHERE at >= ? AND at < ?"
        " AND operator_id IS NOT NULL GROUP BY 1", params).fetchall()))
    qualified = Counter(dict(conn.execute(
        "SELECT operator.id, count(*) FROM audit JOIN operator ON operator.login = audit.operator"
        f" WHERE audit.at >= ? AND audit.at < ? AND {_QUALIFIED} GROUP BY 1", params).fetchall()))
    insi: dict[int, dict[str, int]] = {}
    for operator_id, outcome, count in conn.execute(
            f"SELECT operator_id, {_OUTCOME}, count(*) FROM insi_call WHERE at >= ? AND at < ?"
            " AND operator_id IS NOT NULL GROUP BY 1, 2", params):
        insi.setdefault(operator_id, dict.fromkeys(INSI_OUTCOMES, 0))[outcome] += count
    created_now: dict[int, IdentityCounts] = {}
    for operator_id, status, count, dout, fict, homa, corrected in conn.execute(
            "SELECT created_by, status, count(*), sum(dout), sum(fict), sum(homa),"
            " sum(birth_date_corrected) FROM identity WHERE created_at >= ? AND created_at < ?"
            " AND created_by IS NOT NULL AND merged_into IS NULL AND withdrawn = 0 GROUP BY 1, 2", params):
        before = created_now.get(operator_id) or IdentityCounts(dict.fromkeys(STATUSES, 0),
                                                                0, 0, 0, 0)
        created_now[operator_id] = IdentityCounts(
            {**before.by_status, status: count}, before.dout + dout, before.fict + fict,
            before.homa + homa, before.corrected_birth_date + corrected)
    documents: dict[int, dict[tuple[str, str], int]] = {}
    for operator_id, kind, outcome, count in conn.execute(
            "SELECT operator_id, document_type, outcome, count(*) FROM document_check"
            " WHERE at >= ? AND at < ? AND operator_id IS NOT NULL GROUP BY 1, 2, 3"
            " ORDER BY 1, 2, 3", params):
        documents.setdefault(operator_id, {})[(kind, outcome)] = count
    figures = []
    for operator_id, login, name in conn.execute(
            "SELECT id, login, display_name FROM operator ORDER BY login"):
        if operator_id in created or operator_id in checks or operator_id in qualified \
                or operator_id in insi:
            figures.append(OperatorFigures(
                login, name, created[operator_id], checks[operator_id], qualified[operator_id],
                insi.get(operator_id, dict.fromkeys(INSI_OUTCOMES, 0)),
                created_now.get(operator_id), documents.get(operator_id, {})))
    return figures


def monthly(conn: sqlite3.Connection, months: list[tuple[str, Window]]) -> list[MonthFigures]:
    """For each (label "AAAA-MM", that month as a window), consecutive and in order: the
    identities created before its end (not merged since), those qualified at its end, and
    the qualifications made during it.

    Two queries. The first counts the identities by month of creation as if each had had its
    current status since its creation (true of those whose status never changed, such as an
    imported file). The second reads the status changes the audit recorded (`before.status`
    and `after.status` of an event's details) and, for the identities that have some, replaces
    that assumption by their real history."""
    ends = [window.end for _, window in months]
    first_start = months[0][1].start if months else ""

    def bucket(at: str) -> int:
        """The first month whose end is after `at` (len(ends) when none)."""
        low, high = 0, len(ends)
        while low < high:
            middle = (low + high) // 2
            if at < ends[middle]:
                high = middle
            else:
                low = middle + 1
        return low

    created = [0] * (len(ends) + 1)
    qualified_delta = [0] * (len(ends) + 1)
    qualified_in = [0] * (len(ends) + 1)
    # the month index of each identity, as a CASE over the sorted ends (a correlated subquery
    # on a VALUES table took twice as long over a million identities)
    by_month = ("CASE " + " ".join(f"WHEN created_at < ? THEN {index}"
                                   for index in range(len(ends)))
                + f" ELSE {len(ends)} END") if ends else "0"
    for index, count, qualified_now in conn.execute(
            f"SELECT {by_month}, count(*), sum(status = 'QUAL') FROM identity"
            " WHERE merged_into IS NULL AND withdrawn = 0 GROUP BY 1", ends):
        created[index] += count
        qualified_delta[index] += qualified_now

    current: int | None = None
    was_qualified = False
    for identity_id, created_at, status_now, at, before, after in conn.execute(
            "SELECT identity.id, identity.created_at, identity.status, audit.at,"
            " json_extract(audit.details, '$.before.status'),"
            " json_extract(audit.details, '$.after.status')"
            " FROM audit JOIN identity ON identity.id = audit.identity_id"
            " WHERE identity.merged_into IS NULL AND identity.withdrawn = 0"
            " AND json_extract(audit.details, '$.after.status') IS NOT NULL"
            " ORDER BY audit.identity_id, audit.id"):
        if identity_id != current:  # first change: undo the assumption, start the history
            current = identity_id
            start = bucket(created_at)
            qualified_delta[start] -= status_now == "QUAL"
            was_qualified = (before or "PROV") == "QUAL"
            qualified_delta[start] += was_qualified
        is_qualified = after == "QUAL"
        if is_qualified != was_qualified:
            qualified_delta[bucket(at)] += 1 if is_qualified else -1
            if is_qualified and at >= first_start:
                qualified_in[bucket(at)] += 1
            was_qualified = is_qualified
    figures = []
    identities = qualified = 0
    for index, (label, _) in enumerate(months):
        identities += created[index]
        qualified += qualified_delta[index]
        figures.append(MonthFigures(label, identities, qualified, qualified_in[index]))
    return figures
