"""Duplicate candidates across the whole base (after a bulk import, or on demand).

The live finder (`duplicates.find_candidates`) runs for one identity at a time; comparing every
pair of a million identities is out of reach, so the scan compares only the records that share
a *block*. The table is read once, sorted by phonetic name (SQLite sorts in a temporary file
when large, so memory stays small), and each name's records are bucketed by:

- `date_name`: same birth date and same phonetic name;
- `names_year`: same phonetic name and first name, same birth year (a day or a month typed
  wrong, day and month swapped);
- `names_day_month`: same phonetic name and first name, same day and month (a year typed
  wrong);

where "name" is the birth name AND, for a record that has one, its used name (each record is
read under both), so a used name typed as the birth name is found too.

Every pair of a block is scored by the live finder's own rule (`duplicates.score_pair`, same
reasons, same threshold), so a pair is proposed here exactly when the finder would propose it
once the records exist, with one deliberate difference: the scan needs a resemblance of the
NAME (birth or used name). Same first name + same birth date with unrelated names (which the
live finder does propose while typing) is left out of the scan: on a large base it is mostly
different people (hundreds of thousands of pairs on a million synthetic identities).

Pairs already linked in any state are left as they are: a "not a duplicate" decision is never
overridden, a confirmed or merged pair stays so, and a potential one keeps its date. Records
merged into another are not scanned. Blocks larger than `MAX_BLOCK` (the same phonetic name,
first name and birth year shared by hundreds of records) are skipped and counted.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations, groupby
from operator import itemgetter
from typing import Any

from insterm.store.duplicates import THRESHOLD, Probe, probe_from_row, scan_select, score_pair

MAX_BLOCK = 200
_FETCH = 900  # ids per "WHERE id IN (...)" (below SQLite's default variable limit)
_ACTIVE = "merged_into IS NULL AND withdrawn = 0"

# Each record once under its birth name's phonetic key, and once more under its used name's
# when it has another one: a used name typed as a birth name meets its record in any block.
_NAMES = (
    f"SELECT id, p_birth_name AS k, p_first_name AS f, birth_date AS d FROM identity"
    f" WHERE {_ACTIVE} AND p_birth_name <> ''"
    " UNION ALL"
    f" SELECT id, p_used_name, p_first_name, birth_date FROM identity WHERE {_ACTIVE}"
    "   AND p_used_name IS NOT NULL AND p_used_name <> '' AND p_used_name <> p_birth_name")

# One sort of the table by phonetic name (in a temporary file when large); each name's records
# are then bucketed in memory by the three block keys.
_BY_NAME = f"SELECT k, f, d, id FROM ({_NAMES}) ORDER BY k"
BLOCK_KINDS = ("date_name", "names_year", "names_day_month")


@dataclass(frozen=True, slots=True)
class FoundPair:
    a: int  # smaller id
    b: int
    score: int
    reasons: tuple[str, ...]  # French


@dataclass(slots=True)
class ScanResult:
    """What a scan found: `pairs` (scored at or above the threshold, best first)."""

    pairs: list[FoundPair] = field(default_factory=list)
    blocks: int = 0
    compared: int = 0  # pairs scored (a pair sharing two blocks counts twice)
    skipped_blocks: int = 0  # larger than MAX_BLOCK
    by_block: dict[str, int] = field(default_factory=dict)  # blocks compared, per kind


def _blocks(conn: sqlite3.Connection) -> Iterator[tuple[str, list[int]]]:
    """(kind, sorted ids) of every block of two records or more."""
    for _, group in groupby(conn.execute(_BY_NAME), key=itemgetter(0)):
        rows = list(group)
        if len(rows) < 2:
            continue
        by_date: dict[str, set[int]] = {}
        by_year: dict[tuple[str, str], set[int]] = {}
        by_day_month: dict[tuple[str, str], set[int]] = {}
        for _, first, born, id_ in rows:
            by_date.setdefault(born, set()).add(id_)
            by_year.setdefault((first, born[:4]), set()).add(id_)
            by_day_month.setdefault((first, born[5:]), set()).add(id_)
        buckets = (by_date.values(), by_year.values(), by_day_month.values())
        for kind, bucket in zip(BLOCK_KINDS, buckets):
            for ids in bucket:
                if len(ids) > 1:
                    yield kind, sorted(ids)


def _rows(conn: sqlite3.Connection, ids: set[int]) -> dict[int, tuple[Any, ...]]:
    rows: dict[int, tuple[Any, ...]] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), _FETCH):
        part = wanted[start:start + _FETCH]
        sql = f"{scan_select()} WHERE identity.id IN ({', '.join('?' for _ in part)})"
        for row in conn.execute(sql, part):
            rows[row[0]] = row
    return rows


def _score_blocks(conn: sqlite3.Connection, blocks: list[list[int]], threshold: int,
                  found: dict[tuple[int, int], FoundPair], result: ScanResult) -> None:
    rows = _rows(conn, {i for block in blocks for i in block})
    probes: dict[int, Probe] = {}
    for block in blocks:
        for a, b in combinations(block, 2):
            if a not in rows or b not in rows:
                continue
            result.compared += 1
            probe = probes.get(a)
            if probe is None:
                probe = probes[a] = probe_from_row(rows[a])
            scored = score_pair(probe, rows[b], need_name=True)
            if scored is not None and scored[0] >= threshold:
                found[(a, b)] = FoundPair(a, b, scored[0], tuple(scored[1]))


def find_pairs(conn: sqlite3.Connection, *, threshold: int = THRESHOLD,
               max_block: int = MAX_BLOCK) -> ScanResult:
    """Read-only: every pair of the base that the blocks bring together and that scores at
    least `threshold` with a name resemblance (see the module docstring)."""
    result = ScanResult(by_block=dict.fromkeys(BLOCK_KINDS, 0))
    found: dict[tuple[int, int], FoundPair] = {}
    batch: list[list[int]] = []
    size = 0
    for kind, block in _blocks(conn):
        result.blocks += 1
        if len(block) > max_block:
            result.skipped_blocks += 1
            continue
        result.by_block[kind] += 1
        batch.append(block)
        size += len(block)
        if size >= 5 * _FETCH:  # rows fetched by a few "IN (...)" queries at a time
            _score_blocks(conn, batch, threshold, found, result)
            batch, size = [], 0
    if batch:
        _score_blocks(conn, batch, threshold, found, result)
    result.pairs = sorted(found.values(), key=lambda p: (-p.score, p.a, p.b))
    return result


def store_pairs(conn: sqlite3.Connection, pairs: list[FoundPair], *, at: str) -> int:
    """Insert the pairs as `potential` links, leaving every existing link (decided or not) as
    it is; inside the caller's write transaction. Pairs whose records were merged meanwhile are
    left out. Returns how many links were added."""
    merged = {i for (i,) in conn.execute(
        "SELECT id FROM identity WHERE merged_into IS NOT NULL")}
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO duplicate_link (identity_a, identity_b, state, score, reasons, found_at)"
        " VALUES (?, ?, 'potential', ?, ?, ?) ON CONFLICT (identity_a, identity_b) DO NOTHING",
        ((p.a, p.b, p.score, json.dumps(list(p.reasons), ensure_ascii=False), at)
         for p in pairs if p.a not in merged and p.b not in merged))
    return conn.total_changes - before
