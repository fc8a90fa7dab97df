"""Duplicate candidates, their score and reasons, and the links the operators decide.

Candidates for a set of traits are read through three indexes (a few dozen rows on a million
identities): the same birth date or the same date with day and month swapped; the same phonetic
birth name and first name (any birth date); the phonetic name found as the other record's used
name. Each is scored (0-100) with French reasons; a candidate needs both a name and a
birth-date resemblance and a score of at least `THRESHOLD`.

Decisions live in `duplicate_link` (one row per pair, smaller id first): `potential` (found by
the finder), `confirmed` (an operator says they are the same person), `not_duplicate` (an
operator says they are not: the finder never proposes the pair again), `merged`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from insterm.domain.query import phonetic, search_key
from insterm.store.summary import SUMMARY_COLUMNS, SUMMARY_SELECT, IdentitySummary, row_to_summary

THRESHOLD = 50
# From this score on, a new identity is created only once an operator has seen the candidate
# and given a reason (the practice may change it, within STOP_SCORE_RANGE). 75 stops the same
# birth name, first name and birth date (90-100), one part of the date mistyped with the same
# sex (77), the day and month swapped (82), a birth name heard alike (80); it lets through
# twins of different first names (70) and same-name-same-date persons of another sex (55).
STOP_SCORE_DEFAULT = 75
STOP_SCORE_RANGE = range(THRESHOLD, 101)
LINK_STATES = ("potential", "confirmed", "not_duplicate", "merged")

_EXTRA = ("k_birth_name", "k_first_name", "k_used_name", "p_birth_name", "p_first_name",
          "p_used_name")
_SELECT = f"SELECT {SUMMARY_SELECT}, " + ", ".join(f"identity.{c}" for c in _EXTRA) + \
    " FROM identity"


@dataclass(frozen=True, slots=True)
class Candidate:
    identity: IdentitySummary
    score: int
    reasons: tuple[str, ...]  # French


@dataclass(frozen=True, slots=True)
class Probe:
    k_birth: str
    p_birth: str
    k_first: str
    p_first: str
    k_used: str | None
    p_used: str | None
    first_names: str
    birth_date: date
    sex: str
    birth_place: str | None


def _probe(traits: Mapping[str, Any]) -> Probe:
    birth_date = traits["birth_date"]
    if isinstance(birth_date, str):
        birth_date = date.fromisoformat(birth_date)
    used = traits.get("used_name") or None
    return Probe(
        k_birth=search_key(traits["birth_name"]), p_birth=phonetic(traits["birth_name"]),
        k_first=search_key(traits["first_name"]), p_first=phonetic(traits["first_name"]),
        k_used=search_key(used) if used else None, p_used=phonetic(used) if used else None,
        first_names=traits.get("first_names") or traits["first_name"],
        birth_date=birth_date, sex=traits.get("sex") or "", birth_place=traits.get("birth_place"),
    )


def probe_from_row(row: tuple[Any, ...]) -> Probe:
    """The probe of a stored record read with `scan_select()` (its stored keys, no recompute)."""
    n = len(SUMMARY_COLUMNS)
    k_birth, k_first, k_used, p_birth, p_first, p_used = row[n:n + 6]
    return Probe(k_birth=k_birth, p_birth=p_birth, k_first=k_first, p_first=p_first,
                  k_used=k_used, p_used=p_used, first_names=row[4],
                  birth_date=date.fromisoformat(row[7]), sex=row[9] or "", birth_place=row[10])


def scan_select() -> str:
    """`SELECT <summary columns + keys> FROM identity`: the rows `score_pair` reads."""
    return _SELECT


def swapped(day_month: date) -> date | None:
    """The date with day and month exchanged, when that is another real date."""
    if day_month.day > 12 or day_month.day == day_month.month:
        return None
    return date(day_month.year, day_month.day, day_month.month)


def _one_part_differs(a: date, b: date) -> bool:
    same = (a.year == b.year) + (a.month == b.month) + (a.day == b.day)
    return same == 2


def score_pair(probe: Probe, row: tuple[Any, ...], *,
               need_name: bool = False) -> tuple[int, list[str]] | None:
    """Score `row` (read with `scan_select()`) against `probe`: (score, French reasons), or None
    when there is no resemblance of the name or first name and of the birth date (and, with
    `need_name`, of the birth or used name itself)."""
    summary_len = len(SUMMARY_COLUMNS)
    k_birth, k_first, _k_used, p_birth, p_first, p_used = row[summary_len:summary_len + 6]
    other_date = date.fromisoformat(row[7])
    other_sex, other_place, other_first_names = row[9], row[10], row[4]
    reasons: list[str] = []
    name = 0
    if k_birth == probe.k_birth:
        name, text = 35, "même nom de naissance"
    elif p_birth == probe.p_birth and probe.p_birth:
        name, text = 25, "noms de naissance proches à l'oreille"
    elif (p_used and p_used == probe.p_birth) or (probe.p_used and probe.p_used == p_birth):
        name, text = 25, "le nom utilisé de l'un correspond au nom de naissance de l'autre"
    elif probe.p_used and p_used == probe.p_used:
        name, text = 15, "même nom utilisé"
    else:
        text = ""
    if name:
        reasons.append(text)
    first = 0
    if k_first == probe.k_first:
        first, text = 25, "même premier prénom"
    elif p_first == probe.p_first and probe.p_first:
        first, text = 18, "premiers prénoms proches à l'oreille"
    elif probe.k_first in {search_key(w) for w in other_first_names.split()} or \
            k_first in {search_key(w) for w in probe.first_names.split()}:
        first, text = 10, "le premier prénom de l'un figure dans la liste des prénoms de l'autre"
    if first:
        reasons.append(text)
    when = 0
    if other_date == probe.birth_date:
        when, text = 30, "même date de naissance"
    elif swapped(probe.birth_date) == other_date:
        when, text = 22, "date de naissance avec jour et mois inversés"
    elif _one_part_differs(other_date, probe.birth_date):
        when, text = 12, "date de naissance différente d'un seul élément (jour, mois ou année)"
    if when:
        reasons.append(text)
    if not (name or first) or not when or (need_name and not name):
        return None
    score = name + first + when
    if probe.sex and other_sex == probe.sex:
        score += 5
        reasons.append("même sexe")
    elif probe.sex and other_sex != probe.sex:
        score -= 10
        reasons.append("sexe différent")
    if probe.birth_place and other_place == probe.birth_place:
        score += 5
        reasons.append("même lieu de naissance")
    return min(score, 100), reasons


def not_duplicate_ids(conn: sqlite3.Connection, identity_id: int) -> set[int]:
    rows = conn.execute(
        "SELECT identity_a, identity_b FROM duplicate_link WHERE state = 'not_duplicate' "
        "AND (identity_a = ? OR identity_b = ?)", (identity_id, identity_id))
    return {b if a == identity_id else a for a, b in rows}


def find_candidates(conn: sqlite3.Connection, traits: Mapping[str, Any], *,
                    exclude_id: int | None = None, limit: int = 20) -> list[Candidate]:
    """Records that may be the same person as `traits` (birth_name, first_name, first_names,
    used_name, birth_date, sex, birth_place), best first; pairs decided "not a duplicate"
    with `exclude_id` are left out."""
    probe = _probe(traits)
    dates = [probe.birth_date.isoformat()]
    other = swapped(probe.birth_date)
    if other is not None:
        dates.append(other.isoformat())
    active = ("identity.merged_into IS NULL AND identity.withdrawn = 0 "
              "AND identity.id IS NOT ?")
    queries: list[tuple[str, tuple[object, ...]]] = [
        (f"{_SELECT} INDEXED BY identity_birth_date WHERE identity.birth_date IN "
         f"({', '.join('?' for _ in dates)}) AND {active}", (*dates, exclude_id)),
        (f"{_SELECT} INDEXED BY identity_p_birth_name WHERE identity.p_birth_name = ? "
         f"AND identity.p_first_name = ? AND {active}", (probe.p_birth, probe.p_first, exclude_id)),
        (f"{_SELECT} INDEXED BY identity_p_used_name WHERE identity.p_used_name = ? "
         f"AND identity.p_first_name = ? AND {active}", (probe.p_birth, probe.p_first, exclude_id)),
    ]
    if probe.p_used:
        queries.append((f"{_SELECT} INDEXED BY identity_p_birth_name WHERE identity.p_birth_name = ?"
                        f" AND identity.p_first_name = ? AND {active}",
                        (probe.p_used, probe.p_first, exclude_id)))
    excluded = not_duplicate_ids(conn, exclude_id) if exclude_id is not None else set()
    seen: set[int] = set()
    found: list[Candidate] = []
    for sql, params in queries:
        for row in conn.execute(sql, params):
            if row[0] in seen or row[0] in excluded:
                continue
            seen.add(row[0])
            scored = score_pair(probe, row)
            if scored is None or scored[0] < THRESHOLD:
                continue
            found.append(Candidate(row_to_summary(row), scored[0], tuple(scored[1])))
    found.sort(key=lambda c: (-c.score, c.identity.birth_name, c.identity.first_name,
                              c.identity.id))
    return found[:limit]


def _pair(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise ValueError("a duplicate link joins two different records")
    return (a, b) if a < b else (b, a)


def record_potential(conn: sqlite3.Connection, identity_id: int, candidates: list[Candidate],
                     *, at: str) -> int:
    """Store the candidates as `potential` links (a decided pair keeps its decision)."""
    for candidate in candidates:
        a, b = _pair(identity_id, candidate.identity.id)
        conn.execute(
            "INSERT INTO duplicate_link (identity_a, identity_b, state, score, reasons, found_at)"
            " VALUES (?, ?, 'potential', ?, ?, ?) ON CONFLICT (identity_a, identity_b) DO UPDATE"
            " SET score = excluded.score, reasons = excluded.reasons, found_at = excluded.found_at"
            " WHERE duplicate_link.state = 'potential'",
            (a, b, candidate.score, json.dumps(list(candidate.reasons), ensure_ascii=False), at))
    return len(candidates)


def decide(conn: sqlite3.Connection, first_id: int, second_id: int, state: str, *,
           operator_id: int | None, at: str, score: int = 0,
           reasons: tuple[str, ...] = ()) -> None:
    """Record an operator's decision on a pair (creating the link when the finder had not)."""
    a, b = _pair(first_id, second_id)
    conn.execute(
        "INSERT INTO duplicate_link (identity_a, identity_b, state, score, reasons, found_at,"
        " decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (identity_a, identity_b) DO UPDATE SET state = excluded.state,"
        " decided_by = excluded.decided_by, decided_at = excluded.decided_at",
        (a, b, state, score, json.dumps(list(reasons), ensure_ascii=False), at, operator_id, at))


def link_state(conn: sqlite3.Connection, first_id: int, second_id: int) -> str | None:
    a, b = _pair(first_id, second_id)
    row = conn.execute("SELECT state FROM duplicate_link WHERE identity_a = ? AND identity_b = ?",
                       (a, b)).fetchone()
    return row[0] if row else None


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    members: tuple[IdentitySummary, ...]
    links: tuple[tuple[int, int, str, int, tuple[str, ...]], ...]  # (a, b, state, score, reasons)


def group_of(conn: sqlite3.Connection, identity_id: int) -> DuplicateGroup:
    """Every record linked to `identity_id` through potential or confirmed links, transitively."""
    members = {identity_id}
    frontier = [identity_id]
    links: dict[tuple[int, int], tuple[int, int, str, int, tuple[str, ...]]] = {}
    while frontier:
        current = frontier.pop()
        for a, b, state, score, reasons in conn.execute(
                "SELECT identity_a, identity_b, state, score, reasons FROM duplicate_link "
                "WHERE (identity_a = ? OR identity_b = ?) AND state IN ('potential', 'confirmed')",
                (current, current)):
            links[(a, b)] = (a, b, state, score, tuple(json.loads(reasons)))
            for other in (a, b):
                if other not in members:
                    members.add(other)
                    frontier.append(other)
    rows = conn.execute(
        f"SELECT {SUMMARY_SELECT} FROM identity WHERE id IN "
        f"({', '.join('?' for _ in members)}) ORDER BY id", tuple(members)).fetchall()
    return DuplicateGroup(tuple(row_to_summary(r) for r in rows),
                          tuple(sorted(links.values())))


def open_groups(conn: sqlite3.Connection, *, limit: int = 100) -> list[DuplicateGroup]:
    """The groups that still need a decision, oldest first: an undecided (`potential`) link,
    or a `confirmed` duplicate not merged yet (an administrator merges it from this list)."""
    groups: list[DuplicateGroup] = []
    covered: set[int] = set()
    for (a,) in conn.execute(
            "SELECT link.identity_a FROM duplicate_link AS link"
            " JOIN identity AS first ON first.id = link.identity_a"
            " JOIN identity AS second ON second.id = link.identity_b"
            " WHERE link.state IN ('potential', 'confirmed')"
            " AND first.merged_into IS NULL AND second.merged_into IS NULL"
            " AND first.withdrawn = 0 AND second.withdrawn = 0"
            " ORDER BY link.found_at, link.id"):
        if a in covered:
            continue
        group = group_of(conn, a)
        covered.update(m.id for m in group.members)
        groups.append(group)
        if len(groups) >= limit:
            break
    return groups
