"""Tests of insterm.demo.synthetic (synthetic identities), scripts/gen_synthetic.py and
scripts/build_names.py, against the domain rules of insterm.domain."""

from __future__ import annotations

import importlib.util
import itertools
import json
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insterm.datasets import data_file, place_index
from insterm.demo.synthetic import (
    DEFAULT_REFERENCE_DATE,
    DUPLICATE_KINDS,
    FAMILY_NAMES_FILE,
    FIRST_NAMES_FILE,
    FLAG_FIELDS,
    NIA_OID,
    NIR_OID,
    STORE_FIELDS,
    Mix,
    generate_identities,
    store_row,
)
from insterm.domain.identity import StrictTraits, UsedNames
from insterm.domain.nir import check_consistency, parse_nir
from insterm.domain.phonetic import phonetic_key
from insterm.domain.status import IdentityState, Status
from insterm.domain.traits import check_birth_date, validate

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_synthetic.py"
COUNT = 12_000


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return list(generate_identities(COUNT, seed=11))


@pytest.fixture(scope="module")
def by_ipp(rows: list[dict]) -> dict[str, dict]:
    return {row["ipp"]: row for row in rows}


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_the_same_rows(rows: list[dict]) -> None:
    assert list(generate_identities(COUNT, seed=11)) == rows


def test_another_seed_or_reference_date_gives_other_rows(rows: list[dict]) -> None:
    assert list(generate_identities(200, seed=12)) != rows[:200]
    later = list(generate_identities(200, seed=11, reference_date=date(2030, 6, 1)))
    assert later != rows[:200]
    assert max(r["birth_date"] for r in later) > max(r["birth_date"] for r in rows[:200])


def test_a_shorter_run_is_a_prefix_of_a_longer_one(rows: list[dict]) -> None:
    assert list(generate_identities(500, seed=11)) == rows[:500]


def test_changing_a_yielded_row_changes_nothing_later() -> None:
    clean = list(generate_identities(3000, seed=4))
    mangled = []
    for row in generate_identities(3000, seed=4):
        mangled.append(json.loads(json.dumps(row)))
        row["birth_name"] = "X"
        row["used_name"] = "Y"
        row["birth_date"] = "1900-01-01"
    assert mangled == clean


# --- every field against the domain rules ---------------------------------------------------


def test_fields_are_the_store_fields_plus_the_flags(rows: list[dict]) -> None:
    for row in rows:
        assert tuple(row) == STORE_FIELDS + FLAG_FIELDS
        assert tuple(store_row(row)) == STORE_FIELDS


def test_every_row_follows_the_trait_rules(rows: list[dict]) -> None:
    places = place_index()
    for row in rows:
        traits = StrictTraits.build(
            birth_name=row["birth_name"], first_name=row["first_name"],
            first_names=row["first_names"], birth_date=date.fromisoformat(row["birth_date"]),
            sex=row["sex"], birth_place=row["birth_place"], today=DEFAULT_REFERENCE_DATE)
        UsedNames.build(used_name=row["used_name"], used_first_name=row["used_first_name"])
        assert row["first_name"] == row["first_names"].split(" ")[0]
        assert 1 <= len(row["first_names"].split(" ")) <= 3
        assert row["sex"] in ("M", "F")
        assert traits.birth_date < DEFAULT_REFERENCE_DATE
        assert check_birth_date(traits.birth_date, today=DEFAULT_REFERENCE_DATE) == ()
        assert places.is_valid(row["birth_place"]), row["birth_place"]
        assert row["used_name"] != row["birth_name"]
        if row["used_first_name"] is not None:
            assert row["used_first_name"] in row["first_names"].split(" ")[1:]
        assert row["birth_date_corrected"] is False
        assert row["channel"] == "SM"


def test_every_state_is_a_valid_status_and_attribute_combination(rows: list[dict]) -> None:
    for row in rows:
        state = IdentityState(status=row["status"], attributes=frozenset(row["attributes"]),
                              has_ins=row["matricule"] is not None)
        assert len(set(row["attributes"])) == len(row["attributes"])
        if state.status in (Status.RECUP, Status.QUAL):
            assert row["oid"] in (NIR_OID, NIA_OID)
        else:
            assert row["matricule"] is None and row["oid"] is None


def test_matricules_are_valid_unique_and_agree_with_the_traits(rows: list[dict]) -> None:
    with_ins = [row for row in rows if row["matricule"] is not None]
    assert len({row["matricule"] for row in with_ins}) == len(with_ins)
    for row in with_ins:
        nir = parse_nir(row["matricule"])
        assert nir.value == row["matricule"]
        assert not nir.provisional
        warnings = check_consistency(nir, sex=row["sex"],
                                     birth_date=date.fromisoformat(row["birth_date"]),
                                     birth_place=row["birth_place"])
        assert warnings == [], (row, warnings)
    nia = [row for row in with_ins if row["oid"] == NIA_OID]
    assert nia and all(row["birth_place"].startswith("99") for row in nia)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=-(2**63), max_value=2**63),
       reference=st.dates(min_value=date(1960, 1, 1), max_value=date(2100, 12, 31)))
def test_any_seed_and_reference_date_give_valid_identities(seed: int, reference: date) -> None:
    rows = list(generate_identities(150, seed=seed, reference_date=reference,
                                    mix=Mix(near_duplicate_share=0.2, homonym_share=0.1,
                                            max_delay=20)))
    assert len(rows) == 150
    for row in rows:
        born = date.fromisoformat(row["birth_date"])
        StrictTraits.build(birth_name=row["birth_name"], first_name=row["first_name"],
                           first_names=row["first_names"], birth_date=born, sex=row["sex"],
                           birth_place=row["birth_place"], today=reference)
        # born in the oldest year kept (age 104 at its end): at most max_age + 1 years old
        assert (reference - born).days <= 106 * 366
        IdentityState(status=row["status"], attributes=frozenset(row["attributes"]),
                      has_ins=row["matricule"] is not None)
        if row["matricule"] is not None:
            assert check_consistency(parse_nir(row["matricule"]), sex=row["sex"],
                                     birth_date=born, birth_place=row["birth_place"]) == []


def test_ipps_are_unique_nine_digit_and_consecutive(rows: list[dict]) -> None:
    ipps = [int(row["ipp"]) for row in rows]
    assert ipps == list(range(100_000_001, 100_000_001 + COUNT))
    shifted = list(generate_identities(3, seed=11, ipp_start=5000))
    assert [r["ipp"] for r in shifted] == ["100005000", "100005001", "100005002"]


# --- the population -------------------------------------------------------------------------


def test_population_shares(rows: list[dict]) -> None:
    fresh = [row for row in rows if row["duplicate_of"] is None]
    statuses = Counter(row["status"] for row in fresh)
    assert set(statuses) == {"PROV", "VALI", "QUAL", "RECUP"}
    assert statuses["PROV"] > len(fresh) / 2
    assert statuses["RECUP"] < statuses["VALI"] < statuses["QUAL"] < statuses["PROV"]
    women = sum(row["sex"] == "F" for row in fresh) / len(fresh)
    assert 0.48 < women < 0.56
    abroad = sum(row["birth_place"].startswith("99") and row["birth_place"] != "99999"
                 for row in fresh) / len(fresh)
    assert 0.06 < abroad < 0.10
    attributes = Counter(a for row in rows for a in row["attributes"])
    assert attributes["DOUT"] > 0 and attributes["FICT"] > 0 and attributes["HOMA"] > 0
    assert sum(row["used_name"] is not None for row in fresh if row["sex"] == "F") > 0.3 * sum(
        row["sex"] == "F" for row in fresh)
    counts = Counter(len(row["first_names"].split(" ")) for row in fresh)
    assert set(counts) == {1, 2, 3}
    assert any("-" in row["first_name"] for row in fresh)  # compound first names
    years = [int(row["birth_date"][:4]) for row in rows]
    assert max(years) - min(years) >= 95


def test_frequent_names_come_first_and_first_names_follow_the_decade(rows: list[dict]) -> None:
    names = Counter(row["birth_name"] for row in rows)
    assert names.most_common(1)[0][0] == "MARTIN"
    old = Counter(r["first_name"] for r in rows if r["sex"] == "F" and r["birth_date"] < "1940")
    young = Counter(r["first_name"] for r in rows if r["sex"] == "F" and r["birth_date"] >= "2005")
    assert old["MARIE"] > young["MARIE"] and young["EMMA"] > old["EMMA"]


def test_places_are_weighted_by_population(rows: list[dict]) -> None:
    places = Counter(row["birth_place"] for row in rows)
    # Paris is recorded by arrondissement; a big city beats a village.
    assert "75056" not in places and any(code.startswith("751") for code in places)
    assert places["31555"] > places.get("01002", 0)  # Toulouse vs Abergement-de-Varey


# --- near-duplicates and homonyms -----------------------------------------------------------


def test_near_duplicate_share_is_a_few_percent(rows: list[dict]) -> None:
    share = sum(row["duplicate_of"] is not None for row in rows) / len(rows)
    assert 0.02 <= share <= 0.04
    kinds = Counter(row["duplicate_kind"] for row in rows if row["duplicate_kind"])
    assert set(kinds) == set(DUPLICATE_KINDS)


def test_each_near_duplicate_differs_from_its_original_as_flagged(
        rows: list[dict], by_ipp: dict[str, dict]) -> None:
    position = {row["ipp"]: i for i, row in enumerate(rows)}
    same_key = spelling = 0
    for row in rows:
        if row["duplicate_of"] is None:
            assert row["duplicate_kind"] is None
            continue
        original = by_ipp[row["duplicate_of"]]
        assert position[original["ipp"]] < position[row["ipp"]]
        assert original["duplicate_of"] is None
        assert row["status"] == "PROV" and row["attributes"] == [] and row["matricule"] is None
        changed = {f for f in ("birth_name", "first_names", "birth_date", "used_name",
                               "used_first_name", "sex", "birth_place", "first_name")
                   if row[f] != original[f]}
        kind = row["duplicate_kind"]
        if kind == "spelling":
            assert changed == {"birth_name"}
            spelling += 1
            same_key += phonetic_key(row["birth_name"]) == phonetic_key(original["birth_name"])
        elif kind == "day_month_swap":
            assert changed == {"birth_date"}
            y, m, d = original["birth_date"].split("-")
            assert row["birth_date"] == f"{y}-{d}-{m}"
        elif kind == "used_name":
            assert changed == {"birth_name", "used_name"}
            assert row["birth_name"] == original["used_name"] and row["used_name"] is None
        else:
            assert kind == "first_names"
            assert changed <= {"first_names", "used_first_name"} and "first_names" in changed
            assert row["first_names"] == original["first_name"]
    assert spelling and same_key >= 0.9 * spelling


def test_homonyms_are_pairs_of_homa_records(rows: list[dict], by_ipp: dict[str, dict]) -> None:
    homonyms = [row for row in rows if row["homonym_of"] is not None]
    assert homonyms
    for row in homonyms:
        original = by_ipp[row["homonym_of"]]
        assert "HOMA" in row["attributes"] and "HOMA" in original["attributes"]
        for f in ("birth_name", "first_name", "first_names", "sex"):
            assert row[f] == original[f]
        assert row["birth_date"] != original["birth_date"]
    paired = {row["homonym_of"] for row in homonyms} | {row["ipp"] for row in homonyms}
    lone = [row for row in rows if "HOMA" in row["attributes"] and row["ipp"] not in paired]
    # A HOMA record whose homonym did not fit in the run (it would have come after the end).
    assert all(int(row["ipp"]) > 100_000_000 + COUNT - Mix().max_delay for row in lone)


# --- arguments ------------------------------------------------------------------------------


def test_bad_arguments_are_refused() -> None:
    assert list(generate_identities(0)) == []
    with pytest.raises(ValueError):
        generate_identities(-1)
    with pytest.raises(ValueError):
        generate_identities(10, ipp_start=0)
    with pytest.raises(ValueError):
        Mix(abroad_share=1.5)
    with pytest.raises(ValueError):
        Mix(dout_share_of_prov=0.7, fict_share_of_prov=0.6)
    with pytest.raises(ValueError):
        Mix(status_shares=(("PROV", 1.0), ("GOOD", 1.0)))


def test_a_mix_without_duplicates_gives_none() -> None:
    rows = list(generate_identities(2000, seed=3, mix=Mix(near_duplicate_share=0.0,
                                                         homonym_share=0.0)))
    assert all(row["duplicate_of"] is None and row["homonym_of"] is None for row in rows)
    assert all("HOMA" not in row["attributes"] for row in rows)


# --- the data files and their builder -------------------------------------------------------


def test_every_name_of_the_tables_is_in_the_insi_profile() -> None:
    for filename, kind in ((FAMILY_NAMES_FILE, "birth_name"), (FIRST_NAMES_FILE, "first_name")):
        lines = data_file(filename).read_text(encoding="utf-8").splitlines()
        seen = set()
        for line in lines[1:]:
            cells = line.split("\t")
            validate(cells[0], kind)
            key = tuple(cells[:2]) if kind == "first_name" else cells[0]
            assert key not in seen
            seen.add(key)
            if kind == "first_name":
                assert cells[1] in ("F", "M") and any(cells[2:])
                assert all(c == "" or int(c) >= 10 for c in cells[2:])
            else:
                assert int(cells[1]) > 0 and cells[2] in ("measured", "rank")
        assert len(seen) > 10_000


def test_estimated_counts_go_through_the_class_boundaries() -> None:
    build_names = _load_script("build_names")
    counts = build_names.estimated_counts((3, 10, 20, 40))
    assert len(counts) == 40
    assert counts[0] == pytest.approx(1500)  # Zipf above the first boundary: 500 x 3 / 1
    for rank, expected in ((3, 500), (10, 100), (20, 50), (40, 10)):
        assert counts[rank - 1] == pytest.approx(expected)
    assert all(a >= b for a, b in itertools.pairwise(counts))


def test_the_builder_refuses_a_file_whose_boundaries_do_not_fit() -> None:
    build_names = _load_script("build_names")
    with pytest.raises(build_names.BuildError):
        build_names.read_ranked("1 2 3 9\nA,B,C\n", "x")
    bounds, names = build_names.read_ranked("1 2 2 3\r\nMartin,Bernard,Thomas\r\n", "x")
    assert bounds == (1, 2, 2, 3) and names == ["Martin", "Bernard", "Thomas"]


# --- the script -----------------------------------------------------------------------------


def _run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_script_writes_json_lines_equal_to_the_module(tmp_path: Path) -> None:
    out = tmp_path / "ids.jsonl"
    result = _run_script("--count", "150", "--seed", "5", "--jsonl", str(out))
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == list(generate_identities(150, seed=5))
    assert "150 identités" in result.stderr


def test_script_fills_a_database_and_refuses_a_second_identical_run(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    result = _run_script("--count", "400", "--seed", "2", "--db", str(db), "--chunk", "150")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT status, count(*) FROM identity GROUP BY status"))
        ipps = [r[0] for r in conn.execute("SELECT ipp FROM identity ORDER BY id")]
    expected = list(generate_identities(400, seed=2))
    assert stored == dict(Counter(row["status"] for row in expected))
    assert ipps == [row["ipp"] for row in expected]
    again = _run_script("--count", "10", "--seed", "2", "--db", str(db))
    assert again.returncode == 1
    assert "refusé" in again.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM identity").fetchone()[0] == 400


def test_script_needs_an_output() -> None:
    result = _run_script("--count", "3")
    assert result.returncode == 2
    assert "--jsonl" in result.stderr
