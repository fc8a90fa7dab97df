"""Duplicate candidates (score, reasons, day/month swap, decisions respected, groups) and the
bulk import (all or nothing, constraints applied)."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from conftest import QUAL_ROW, person

from insterm.store import audit, bulk, duplicate_scan, duplicates
from insterm.store.clock import utc_now
from insterm.store.connection import write_transaction
from insterm.store.errors import ConstraintViolation


@pytest.fixture
def filled(conn: sqlite3.Connection) -> sqlite3.Connection:
    bulk.insert_identities(conn, [
        person(),  # 1 MARTIN JEAN 01/02/1980 M
        person(birth_name="MARTAIN", birth_date=date(1980, 1, 2)),  # 2 phonetic + swapped
        person(birth_date=date(1981, 2, 1)),  # 3 year differs
        person(sex="F", first_name="JEANNE", first_names="JEANNE"),  # 4 other first name, sex
        person(birth_name="DURAND", first_name="LUC", first_names="LUC"),  # 5 same date only
        person(birth_name="DUPOND", used_name="MARTIN"),  # 6 used name = probe's birth name
    ])
    return conn


def probe(**changes: object) -> dict[str, object]:
    return person(**changes)


def test_candidates_scores_and_reasons(filled: sqlite3.Connection) -> None:
    found = {c.identity.id: c for c in duplicates.find_candidates(filled, probe())}
    assert 5 not in found  # nothing but the date in common
    assert found[1].score == 100 and "même date de naissance" in found[1].reasons
    assert "date de naissance avec jour et mois inversés" in found[2].reasons
    assert "noms de naissance proches à l'oreille" in found[2].reasons
    assert any("un seul élément" in r for r in found[3].reasons)
    assert "sexe différent" in found[4].reasons
    assert any("nom utilisé" in r for r in found[6].reasons)
    scores = [c.score for c in duplicates.find_candidates(filled, probe())]
    assert scores == sorted(scores, reverse=True)


def test_swap_only_when_it_is_another_real_date() -> None:
    assert duplicates.swapped(date(1980, 2, 1)) == date(1980, 1, 2)
    assert duplicates.swapped(date(1980, 2, 13)) is None
    assert duplicates.swapped(date(1980, 3, 3)) is None


def test_not_a_duplicate_is_respected_and_groups(filled: sqlite3.Connection) -> None:
    at = utc_now()
    with write_transaction(filled):
        found = duplicates.find_candidates(filled, probe(), exclude_id=1)
        duplicates.record_potential(filled, 1, found, at=at)
        duplicates.decide(filled, 1, 2, "not_duplicate", operator_id=None, at=at)
        duplicates.record_potential(filled, 1, found, at=at)  # the decision is kept
    assert duplicates.link_state(filled, 2, 1) == "not_duplicate"
    again = {c.identity.id for c in duplicates.find_candidates(filled, probe(), exclude_id=1)}
    assert 2 not in again and 1 not in again and 3 in again
    group = duplicates.group_of(filled, 3)
    assert {m.id for m in group.members} == {1} | again
    assert all(link[2] == "potential" for link in group.links)
    assert [g.members[0].id for g in duplicates.open_groups(filled)] == [1]


def test_bulk_is_all_or_nothing_and_audited(conn: sqlite3.Connection) -> None:
    assert bulk.insert_identities(conn, [person(), QUAL_ROW]) == 2
    with pytest.raises(ConstraintViolation, match="aucune ligne enregistrée"):
        bulk.insert_identities(conn, [person(), dict(QUAL_ROW, birth_name="AUTRE")])
    assert conn.execute("SELECT count(*) FROM identity").fetchone()[0] == 2
    with pytest.raises(ConstraintViolation):
        bulk.insert_identities(conn, [person(attributes=["DOUT", "FICT"])])
    events = conn.execute("SELECT action, operator, details FROM audit").fetchall()
    assert events == [("bulk_import", None,
                       '{"count":2,"first_id":1,"last_id":2,"source":"import"}')]
    assert audit.verify(conn).ok
    ipps = [r[0] for r in conn.execute("SELECT ipp FROM identity ORDER BY id")]
    assert ipps == ["100000001", "100000002"]


def test_bulk_from_a_path_creates_the_file(tmp_path) -> None:
    path = tmp_path / "new.db"
    names = ["JEAN", "PAUL", "LUC", "ANNE"]
    rows = (person(first_name=names[i % 4], first_names=names[i % 4]) for i in range(12000))
    assert bulk.insert_identities(path, rows) == 12000  # more than one chunk
    assert (path.stat().st_mode & 0o777) == 0o600


def test_bulk_names_its_actor_and_source_in_one_event(conn: sqlite3.Connection) -> None:
    with write_transaction(conn):
        conn.execute("INSERT INTO operator (login, display_name, role, created_at) "
                     "VALUES ('admin', 'Alice', 'admin', 'now')")
    with pytest.raises(ConstraintViolation, match="opérateur « inconnu » inconnu"):
        bulk.insert_identities(conn, [person()], actor="inconnu")
    assert bulk.insert_identities(conn, [person(), person(first_name="LUC", first_names="LUC")],
                                  actor="admin", source="demo.jsonl") == 2
    (operator, details), = conn.execute("SELECT operator, details FROM audit").fetchall()
    assert operator == "admin"
    assert '"count":2' in details and '"source":"demo.jsonl"' in details
    assert {r[0] for r in conn.execute("SELECT created_by FROM identity")} == {1}


def _pairs(conn: sqlite3.Connection) -> dict[tuple[int, int], duplicate_scan.FoundPair]:
    return {(p.a, p.b): p for p in duplicate_scan.find_pairs(conn).pairs}


def test_scan_finds_what_the_finder_finds_with_a_name_resemblance(
        filled: sqlite3.Connection) -> None:
    pairs = _pairs(filled)
    # for each record, the finder's candidates that resemble by name are exactly the scan's
    for row_id in range(1, 7):
        record = filled.execute("SELECT birth_name, first_name, first_names, used_name, "
                                "birth_date, sex, birth_place FROM identity WHERE id = ?",
                                (row_id,)).fetchone()
        traits = dict(zip(("birth_name", "first_name", "first_names", "used_name", "birth_date",
                           "sex", "birth_place"), record))
        expected = {c.identity.id: c.score for c in duplicates.find_candidates(
            filled, traits, exclude_id=row_id) if any("nom" in r and "prénom" not in r
                                                     for r in c.reasons)}
        scanned = {(b if a == row_id else a): p.score for (a, b), p in pairs.items()
                   if row_id in (a, b)}
        assert scanned == expected, row_id
    assert (1, 2) in pairs and (1, 3) in pairs and (1, 6) in pairs
    assert (1, 5) not in pairs  # only the date in common
    assert pairs[(1, 2)].reasons == tuple(
        next(c for c in duplicates.find_candidates(filled, probe()) if c.identity.id == 2).reasons)


def test_scan_stores_potential_links_and_keeps_decisions(filled: sqlite3.Connection) -> None:
    at = utc_now()
    with write_transaction(filled):
        duplicates.decide(filled, 1, 2, "not_duplicate", operator_id=None, at=at)
        duplicates.decide(filled, 1, 3, "confirmed", operator_id=None, at=at)
    pairs = duplicate_scan.find_pairs(filled).pairs
    with write_transaction(filled):
        added = duplicate_scan.store_pairs(filled, pairs, at=at)
    assert added == len(pairs) - 2
    assert duplicates.link_state(filled, 1, 2) == "not_duplicate"
    assert duplicates.link_state(filled, 1, 3) == "confirmed"
    assert duplicates.link_state(filled, 1, 6) == "potential"
    with write_transaction(filled):
        assert duplicate_scan.store_pairs(filled, pairs, at=utc_now()) == 0  # idempotent


def test_scan_skips_merged_records_and_oversized_blocks(conn: sqlite3.Connection) -> None:
    bulk.insert_identities(conn, [person(first_names="JEAN")] * 5)
    assert len(duplicate_scan.find_pairs(conn).pairs) == 10
    result = duplicate_scan.find_pairs(conn, max_block=4)
    assert result.pairs == [] and result.skipped_blocks >= 1
    raw_update = ("UPDATE identity SET merged_into = 1, version = version + 1 "
                  "WHERE id IN (2, 3, 4)")
    with write_transaction(conn):
        conn.execute(raw_update)
    assert {(p.a, p.b) for p in duplicate_scan.find_pairs(conn).pairs} == {(1, 5)}
