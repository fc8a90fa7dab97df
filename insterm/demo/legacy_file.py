"""A fictitious patient file as older practice software exports it, to try `insterm import`
(tests, benchmark, demonstrations): `write_legacy_csv(path, count)`.

The rows come from `insterm.demo.synthetic` (so near-duplicates and homonyms are there), then
are made to look typed by people over years, each deliberately, so that a test knows what the
import must say of them (the `Expected` counts):
- names in lowercase with accents ("hélène", "lefèvre") or a typographic apostrophe ("d’arc"),
  which the import normalises back to the INSi form;
- impossible birth dates ("31/02/1987", "1987-13-01"), which the import refuses;
- rows repeated word for word (the same patient entered twice);
- the INS of the RECUP/QUAL identities as received, with its OID and the old status;
- a Windows-1252 file (by default) with `;` between columns and CRLF line ends.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

from insterm.demo.synthetic import generate_identities

HEADER = ("NumDossier", "Nom de naissance", "Prénoms", "Date de naissance", "Sexe",
          "Lieu de naissance", "Nom d'usage", "Prénom d'usage", "INS", "OID", "Statut")
_ACCENTS = {"E": "é", "A": "à", "C": "ç", "I": "î", "O": "ô", "U": "ù"}


@dataclass
class Expected:
    rows: int = 0
    bad_dates: int = 0
    repeated: int = 0
    accented: int = 0
    received_ins: int = 0
    near_duplicates: int = 0
    bad_date_lines: list[int] = field(default_factory=list, repr=False)


def _typed(name: str, rng: random.Random) -> str:
    """The name as a person may have typed it: lowercase, an accent, a curly apostrophe."""
    letters = [(_ACCENTS.get(c, c.lower()) if rng.random() < 0.3 else c.lower()) for c in name]
    return "".join(letters).replace("'", "\u2019")


def write_legacy_csv(path: Path, count: int, *, seed: int = 7, encoding: str = "cp1252",
                     bad_date_rate: float = 0.02, repeat_rate: float = 0.01,
                     accent_rate: float = 0.3) -> Expected:
    """Write `count` rows (repeats included) to `path`; what the import must find."""
    rng = random.Random(seed)
    expected = Expected()
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        line = 1
        previous: list[str] | None = None
        previous_bad = previous_ins = False
        for number, identity in enumerate(generate_identities(count, seed=seed), start=1):
            if expected.rows >= count:
                break
            if previous is not None and rng.random() < repeat_rate and expected.rows < count - 1:
                writer.writerow(previous)
                line += 1
                expected.rows += 1
                expected.repeated += 1
                if previous_bad:
                    expected.bad_dates += 1
                    expected.bad_date_lines.append(line)
                expected.received_ins += previous_ins
            previous_bad = previous_ins = False
            born = identity["birth_date"]
            year, month, day = born[:4], born[5:7], born[8:10]
            birth_date = f"{day}/{month}/{year}"
            if rng.random() < bad_date_rate:
                birth_date = rng.choice((f"31/02/{year}", f"{year}-13-{day}", f"{day}/{month}"))
                expected.bad_dates += 1
                expected.bad_date_lines.append(line + 1)
                previous_bad = True
            name, first_names = identity["birth_name"], identity["first_names"]
            if rng.random() < accent_rate:
                name, first_names = _typed(name, rng), _typed(first_names, rng)
                expected.accented += 1
            ins, oid = identity.get("matricule") or "", identity.get("oid") or ""
            if ins and not previous_bad:
                expected.received_ins += 1
                previous_ins = True
            if identity.get("duplicate_of"):
                expected.near_duplicates += 1
            cells = [f"D{number:07d}", name, first_names, birth_date,
                     identity["sex"], identity["birth_place"] or "",
                     identity.get("used_name") or "", identity.get("used_first_name") or "",
                     ins, oid, identity["status"]]
            writer.writerow(cells)
            line += 1
            expected.rows += 1
            previous = cells
    return expected
