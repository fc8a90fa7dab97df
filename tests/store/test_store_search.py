"""Search on a real file: every query kind, ranking, paging, and the matricule rule."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from conftest import QUAL_ROW, person
from hypothesis import given, settings
from hypothesis import strategies as st

from insterm.store import bulk
from insterm.store.search import search
from insterm.store.summary import IdentitySummary, MatriculeNotShowable

RECUP_ROW = dict(QUAL_ROW, status="RECUP", birth_name="HOUILLES", first_name="PIERRE",
                 first_names="PIERRE", sex="M", matricule="180032B02040123", birth_date="1980-03-01")


@pytest.fixture
def filled(conn: sqlite3.Connection) -> sqlite3.Connection:
    bulk.insert_identities(conn, [
        person(),  # 1 MARTIN JEAN 01/02/1980
        person(first_name="ANNE", first_names="ANNE", sex="F", birth_date=date(1970, 5, 6)),
        person(birth_name="MARTINEZ", first_name="LUIS", first_names="LUIS"),
        person(birth_name="DUPOND", first_name="MARIE", first_names="MARIE", sex="F",
               used_name="MARTIN"),  # 4: used name MARTIN
        person(birth_name="MARTAIN", first_name="PAUL", first_names="PAUL"),  # phonetic
        person(birth_name="LE GALL", first_name="MARIE", first_names="MARIE ANNE", sex="F",
               birth_date=date(1975, 4, 3)),
        QUAL_ROW,  # 7
        RECUP_ROW,  # 8
    ])
    return conn


def ids(page) -> list[int]:
    return [item.id for item in page.items]


def test_name_prefix_then_used_name_then_phonetic(filled: sqlite3.Connection) -> None:
    page = search(filled, "martin")
    assert ids(page) == [2, 1, 3, 4, 5]  # MARTIN ANNE, MARTIN JEAN, MARTINEZ, used, phonetic
    assert [i.match for i in page.items][-2:] == ["nom utilisé",
                                                  "nom de naissance proche (phonétique)"]


def test_name_and_first_name(filled: sqlite3.Connection) -> None:
    assert ids(search(filled, "MARTIN jean")) == [1]
    assert ids(search(filled, "le gall marie")) == [6]
    assert ids(search(filled, "le gall, mar")) == [6]


def test_name_and_birth_date(filled: sqlite3.Connection) -> None:
    assert ids(search(filled, "martin 06/05/1970")) == [2]
    assert ids(search(filled, "martin 07/05/1970")) == []


def test_birth_date_alone_sorted_by_name(filled: sqlite3.Connection) -> None:
    assert ids(search(filled, "01/02/1980")) == [4, 5, 1, 3]


def test_ipp_and_matricule(filled: sqlite3.Connection) -> None:
    assert ids(search(filled, "100000003")) == [3]
    page = search(filled, "2 75 12 63 220 749 74")
    assert ids(page) == [7] and page.items[0].matricule == "275126322074974"
    assert ids(search(filled, "2751263220749")) == [7]


def test_matricule_of_a_non_qual_identity_is_never_in_results(filled: sqlite3.Connection) -> None:
    found = search(filled, "180032B02040123").items
    assert [i.id for i in found] == [8]
    assert found[0].matricule is None and found[0].oid is None and found[0].has_ins
    for item in search(filled, "houilles").items + search(filled, "01/03/1980").items:
        assert item.matricule is None


def test_summary_refuses_a_matricule_for_non_qual() -> None:
    with pytest.raises(MatriculeNotShowable):
        IdentitySummary(1, "1", "A", "B", "B", None, None, date(2000, 1, 1), False, "M", None,
                        "RECUP", frozenset(), True, None, 1, matricule="275126322074974")


def test_paging_is_consistent(filled: sqlite3.Connection) -> None:
    everything = ids(search(filled, "ma", page_size=50))
    pages = []
    for number in range(10):
        page = search(filled, "ma", page=number, page_size=2)
        pages += ids(page)
        if not page.has_more:
            break
    assert pages == everything and len(set(pages)) == len(pages)


def test_merged_record_hidden_except_by_ipp(filled: sqlite3.Connection) -> None:
    filled.execute("UPDATE identity SET merged_into = 1, version = version + 1 WHERE id = 2")
    assert 2 not in ids(search(filled, "martin"))
    assert ids(search(filled, "100000002")) == [2]


@settings(max_examples=40, deadline=None)
@given(status=st.sampled_from(["PROV", "VALI", "RECUP", "QUAL"]), query=st.sampled_from(
    ["ADRUN", "adrun zoe", "31/12/1975", "275126322074974", "100000001"]))
def test_matricule_shown_only_for_qual(tmp_path_factory, status: str, query: str) -> None:
    from insterm.store.connection import open_database

    conn = open_database(tmp_path_factory.mktemp("h") / "h.db", create=True)
    row = dict(QUAL_ROW, status=status)
    if status in ("PROV", "VALI"):
        row.pop("matricule"), row.pop("oid")
    bulk.insert_identities(conn, [row])
    for item in search(conn, query).items:
        assert (item.matricule is not None) == (status == "QUAL")
    conn.close()
