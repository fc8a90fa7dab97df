"""Synthetic French patient identities, for the demo database, the tests and the benchmark.

Every identity is fictitious but looks like a real practice's: family names and first names drawn
from INSEE-derived frequency tables (`data/names_family.tsv`, `data/names_first.tsv`, built by
`scripts/build_names.py`; first names by sex and decade of birth), birth dates over a century,
birth places that are real COG codes of `data/places.tsv` (communes weighted by population,
~8 % born abroad), a mix of statuses and attributes, and a few percent of near-duplicates and
homonyms, flagged so that a test can check the duplicate finder against them.

`generate_identities(count, seed=...)` yields plain dicts (one per identity): the same seed, the
same reference date and the same data files always give the same rows, in the same order. It
uses one `random.Random(seed)`, precomputed cumulative weights and no per-row validation, so
that a million rows take well under two minutes on one core (`scripts/gen_synthetic.py`).

Row fields (the store's bulk-insert format, `STORE_FIELDS`): `ipp` (nine digits, unique),
`birth_name`, `first_name` (always the first of `first_names`), `first_names` (1-3 birth first
names, space-separated, compound first names hyphenated: "JEAN-PIERRE MARCEL"), `birth_date`
(ISO), `sex` ("M"/"F"), `birth_place` (5-character COG code, "99xxx" abroad, "99999" unknown
for a few PROV), `used_name`, `used_first_name` (or None), `status` (PROV/VALI/QUAL/RECUP),
`attributes` (list of "DOUT"/"FICT"/"HOMA"), `matricule` and `oid` (RECUP and QUAL only: a
15-character NIR/NIA whose key is valid and whose sex, year, month and place agree with the
traits; unique), `birth_date_corrected` (always False) and `channel` ("SM").

Flags for the tests (`FLAG_FIELDS`, not stored): `duplicate_of` (IPP of the identity this row is
a near-duplicate of) with `duplicate_kind` ("spelling": one spelling change in the birth name,
FAURE/FAURRE; "day_month_swap": day and month exchanged; "used_name": the used name typed as the
birth name; "first_names": only the first first name), and `homonym_of` (IPP of a different
person with the same birth name, first names and sex: both carry HOMA). A near-duplicate is
created as PROV without an INS, as a second record typed at the front desk would be.

Standard library and insterm.domain only (plus `insterm.datasets.data_file` to find the files).
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from random import Random
from typing import Any, Generic, TypeVar

from insterm.datasets import PLACES_FILE, data_file
from insterm.domain.errors import TraitError
from insterm.domain.nir import compute_key
from insterm.domain.phonetic import phonetic_key
from insterm.domain.traits import validate

__all__ = [
    "DEFAULT_REFERENCE_DATE",
    "DUPLICATE_KINDS",
    "FAMILY_NAMES_FILE",
    "FIRST_NAMES_FILE",
    "FLAG_FIELDS",
    "IPP_BASE",
    "NIA_OID",
    "NIR_OID",
    "STORE_FIELDS",
    "Mix",
    "NameTables",
    "PlaceTables",
    "generate_identities",
    "load_name_tables",
    "load_place_tables",
    "store_row",
]

FAMILY_NAMES_FILE = "names_family.tsv"
FIRST_NAMES_FILE = "names_first.tsv"

# The reference "today" of the generated population: births are before it. A constant, so that
# the same seed gives the same rows whatever the day (pass `reference_date` to move it).
DEFAULT_REFERENCE_DATE = date(2026, 1, 1)

# Nine-digit IPPs, as insterm.store generates them (never taken for a JJMMAAAA date).
IPP_BASE = 100_000_000

NIR_OID = "1.2.250.1.213.1.4.8"
NIA_OID = "1.2.250.1.213.1.4.9"

STORE_FIELDS = (
    "ipp", "birth_name", "first_name", "first_names", "birth_date", "birth_date_corrected",
    "sex", "birth_place", "used_name", "used_first_name", "status", "attributes", "matricule",
    "oid", "channel",
)
FLAG_FIELDS = ("duplicate_of", "duplicate_kind", "homonym_of")
DUPLICATE_KINDS = ("spelling", "day_month_swap", "used_name", "first_names")

UNKNOWN_PLACE = "99999"

# Countries of birth most often found among immigrants in France (INSEE, "être né à l'étranger"
# tables), in decreasing order: a model parameter, not data. Each code is checked against
# places.tsv when the tables load; the rest of the abroad births are uniform over all countries.
FREQUENT_BIRTH_COUNTRIES = (
    "99352",  # Algérie
    "99350",  # Maroc
    "99139",  # Portugal
    "99351",  # Tunisie
    "99127",  # Italie
    "99208",  # Turquie
    "99134",  # Espagne
)


@dataclass(frozen=True, slots=True)
class Mix:
    """The proportions of the generated population (model parameters, see data/README.md)."""

    female_share: float = 0.52
    abroad_share: float = 0.08
    frequent_country_share: float = 0.6  # of the births abroad, on FREQUENT_BIRTH_COUNTRIES
    status_shares: tuple[tuple[str, float], ...] = (
        ("PROV", 0.55), ("VALI", 0.15), ("QUAL", 0.28), ("RECUP", 0.02))
    dout_share_of_prov: float = 0.015
    fict_share_of_prov: float = 0.005
    unknown_place_share_of_prov: float = 0.003
    nia_share_of_abroad_ins: float = 0.25
    # Of the fresh identities, how many get a near-duplicate later in the output, and how many a
    # homonym (a pair of HOMA records).
    near_duplicate_share: float = 0.03
    homonym_share: float = 0.004
    duplicate_kind_shares: tuple[tuple[str, float], ...] = (
        ("spelling", 0.4), ("day_month_swap", 0.2), ("used_name", 0.2), ("first_names", 0.2))
    # A near-duplicate or a homonym comes 1..max_delay rows after its original.
    max_delay: int = 2000
    first_name_count_shares: tuple[float, float, float] = (0.35, 0.40, 0.25)
    used_first_name_share: float = 0.03
    used_name_share_women_30: float = 0.6  # women aged 30 or more
    used_name_share_women_22: float = 0.3  # women aged 22-29
    used_name_share_men: float = 0.01
    double_used_name_share: float = 0.15  # "SPOUSE-BIRTH" rather than the spouse's name alone
    # Age pyramid: flat up to `flat_until` years, then falling linearly to 0 at `max_age`.
    flat_until: int = 60
    max_age: int = 105

    def __post_init__(self) -> None:
        for name in ("female_share", "abroad_share", "frequent_country_share",
                     "dout_share_of_prov", "fict_share_of_prov", "unknown_place_share_of_prov",
                     "nia_share_of_abroad_ins", "near_duplicate_share", "homonym_share",
                     "used_first_name_share", "used_name_share_women_30",
                     "used_name_share_women_22", "used_name_share_men", "double_used_name_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"Mix.{name} = {value}: a share lies between 0 and 1.")
        if self.dout_share_of_prov + self.fict_share_of_prov > 1.0:
            raise ValueError("Mix: DOUT and FICT never go together, their shares add up to 1 "
                             "at most.")
        if {s for s, _ in self.status_shares} - {"PROV", "VALI", "QUAL", "RECUP"}:
            raise ValueError(f"Mix.status_shares: unknown status in {self.status_shares}.")
        if set(k for k, _ in self.duplicate_kind_shares) - set(DUPLICATE_KINDS):
            raise ValueError("Mix.duplicate_kind_shares: unknown kind in "
                             f"{self.duplicate_kind_shares}.")
        if not 0 < self.flat_until < self.max_age <= 120 or self.max_delay < 1:
            raise ValueError("Mix: 0 < flat_until < max_age <= 120 and max_delay >= 1.")


_T = TypeVar("_T")


class _Table(Generic[_T]):
    """Values with cumulative weights: `pick(random)` draws one in O(log n)."""

    __slots__ = ("values", "cumulative", "total", "last")

    def __init__(self, values: Sequence[_T], weights: Sequence[float]) -> None:
        pairs = [(v, w) for v, w in zip(values, weights, strict=True) if w > 0]
        if not pairs:
            raise ValueError("a weighted table needs at least one value with a positive weight")
        self.values = tuple(v for v, _ in pairs)
        running = 0.0
        cumulative = []
        for _, weight in pairs:
            running += weight
            cumulative.append(running)
        self.cumulative = cumulative
        self.total = running
        self.last = len(pairs) - 1

    def pick(self, random: Callable[[], float]) -> _T:
        index = bisect_right(self.cumulative, random() * self.total)
        return self.values[index if index <= self.last else self.last]

    def __len__(self) -> int:
        return len(self.values)


@dataclass(frozen=True, slots=True)
class NameTables:
    """Family names (one table) and first names by (sex, decade of birth)."""

    family: _Table[str]
    first: dict[tuple[str, int], _Table[str]]
    decades: tuple[int, ...]

    def first_names(self, sex: str, year: int) -> _Table[str]:
        """The first-name table of that sex for the decade of `year` (clamped to the data)."""
        decades = self.decades
        index = bisect_right(decades, year) - 1
        return self.first[(sex, decades[max(0, min(index, len(decades) - 1))])]


@dataclass(frozen=True, slots=True)
class PlaceTables:
    """Communes weighted by population (Paris/Lyon/Marseille by arrondissement), countries."""

    communes: _Table[str]
    countries: tuple[str, ...]
    frequent_countries: tuple[str, ...]


def _tsv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise ValueError(f"{path}: empty file")
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:] if line]


def load_name_tables(folder: Path | None = None) -> NameTables:
    """The name tables from `folder` (default: the shipped data files); cached for the default."""
    if folder is None:
        return _default_name_tables()
    return _read_name_tables(folder / FAMILY_NAMES_FILE, folder / FIRST_NAMES_FILE)


@cache
def _default_name_tables() -> NameTables:
    return _read_name_tables(data_file(FAMILY_NAMES_FILE), data_file(FIRST_NAMES_FILE))


def _read_name_tables(family_path: Path, first_path: Path) -> NameTables:
    header, rows = _tsv_rows(family_path)
    if header[:2] != ["name", "weight"]:
        raise ValueError(f"{family_path}: unexpected header {header}")
    family = _Table([r[0] for r in rows], [float(r[1]) for r in rows])
    header, rows = _tsv_rows(first_path)
    if header[:2] != ["name", "sex"] or len(header) < 3:
        raise ValueError(f"{first_path}: unexpected header {header}")
    decades = tuple(int(h) for h in header[2:])
    columns: dict[tuple[str, int], tuple[list[str], list[float]]] = {
        (sex, d): ([], []) for sex in ("F", "M") for d in decades}
    for row in rows:
        name, sex = row[0], row[1]
        for decade, cell in zip(decades, row[2:], strict=False):
            if cell:
                names, weights = columns[(sex, decade)]
                names.append(name)
                weights.append(float(cell))
    first = {key: _Table(names, weights) for key, (names, weights) in columns.items()}
    return NameTables(family=family, first=first, decades=decades)


def load_place_tables(path: Path | None = None) -> PlaceTables:
    """Birth places from places.tsv (default: the shipped file); cached for the default."""
    if path is None:
        return _default_place_tables()
    return _read_place_tables(path)


@cache
def _default_place_tables() -> PlaceTables:
    return _read_place_tables(data_file(PLACES_FILE))


def _read_place_tables(path: Path) -> PlaceTables:
    header, rows = _tsv_rows(path)
    try:
        code_at, kind_at = header.index("code"), header.index("kind")
        parent_at, population_at = header.index("parent"), header.index("population")
    except ValueError as error:
        raise ValueError(f"{path}: unexpected header {header}") from error
    # A person born in Paris, Lyon or Marseille is registered in an arrondissement: those
    # communes are replaced by their arrondissements (ARM rows).
    with_arrondissements = {r[parent_at] for r in rows if r[kind_at] == "ARM"}
    codes: list[str] = []
    weights: list[float] = []
    countries: list[str] = []
    for row in rows:
        code, kind, population = row[code_at], row[kind_at], row[population_at]
        if kind == "PAYS":
            if code not in countries[-1:]:
                countries.append(code)
        elif ((kind == "COM" and code not in with_arrondissements) or kind == "ARM") and population:
            codes.append(code)
            weights.append(float(population))
    if not codes or not countries:
        raise ValueError(f"{path}: no commune with a population or no country")
    known = set(countries)
    frequent = tuple(c for c in FREQUENT_BIRTH_COUNTRIES if c in known)
    if len(frequent) != len(FREQUENT_BIRTH_COUNTRIES):
        missing = sorted(set(FREQUENT_BIRTH_COUNTRIES) - known)
        raise ValueError(f"{path}: the country codes {missing} are missing")
    return PlaceTables(communes=_Table(codes, weights), countries=tuple(countries),
                       frequent_countries=frequent)


class _Generator:
    def __init__(self, seed: int, names: NameTables, places: PlaceTables, mix: Mix,
                 reference_date: date, ipp_start: int) -> None:
        self.rng = Random(seed)
        self.random = self.rng.random
        self.names = names
        self.places = places
        self.mix = mix
        self.reference_date = reference_date
        self.next_ipp = IPP_BASE + ipp_start
        self.matricules: set[str] = set()
        self.status_table = _Table([s for s, _ in mix.status_shares],
                                   [w for _, w in mix.status_shares])
        counts = mix.first_name_count_shares
        self.count_table = _Table((1, 2, 3), counts)
        self.kind_table = _Table([k for k, _ in mix.duplicate_kind_shares],
                                 [w for _, w in mix.duplicate_kind_shares])
        # Birth dates: one table of (first day, last day) per year of birth, weighted by the age
        # pyramid and by the number of its days that lie before the reference date.
        last = reference_date.toordinal() - 1
        years, weights = [], []
        for year in range(reference_date.year - mix.max_age, reference_date.year + 1):
            start = date(year, 1, 1).toordinal()
            end = min(date(year, 12, 31).toordinal(), last)
            age = max(0, reference_date.year - year - 1)  # at the end of that year
            if end < start or age >= mix.max_age:
                continue
            age_weight = 1.0 if age < mix.flat_until else (
                (mix.max_age - age) / (mix.max_age - mix.flat_until))
            years.append((start, end))
            weights.append(age_weight * (end - start + 1))
        self.year_table = _Table(years, weights)

    # --- one identity -------------------------------------------------------------------------

    def ipp(self) -> str:
        value = str(self.next_ipp)
        self.next_ipp += 1
        return value

    def birth_date(self) -> date:
        start, end = self.year_table.pick(self.random)
        return date.fromordinal(start + int(self.random() * (end - start + 1)))

    def first_names(self, sex: str, year: int) -> list[str]:
        table = self.names.first_names(sex, year)
        wanted = self.count_table.pick(self.random)
        chosen: list[str] = []
        tokens: set[str] = set()
        for _ in range(wanted * 3):
            name = table.pick(self.random)
            parts = set(name.replace("-", " ").replace("'", " ").split())
            if parts & tokens:  # no JEAN-PIERRE PIERRE
                continue
            chosen.append(name)
            tokens |= parts
            if len(chosen) == wanted:
                break
        return chosen

    def birth_place(self) -> str:
        random = self.random
        if random() < self.mix.abroad_share:
            if random() < self.mix.frequent_country_share:
                countries = self.places.frequent_countries
                # Log-uniform over the ranks (Zipf-like): rank k (from 1) has the probability
                # log((k + 1) / k) / log(n + 1), from 33 % for the first of 7 to 6 % for the last.
                n = len(countries)
                return countries[min(int((n + 1) ** random()) - 1, n - 1)]
            countries = self.places.countries
            return countries[int(random() * len(countries))]
        return self.places.communes.pick(random)

    def used_name(self, sex: str, age: int, birth_name: str) -> str | None:
        mix, random = self.mix, self.random
        if sex == "F":
            share = (mix.used_name_share_women_30 if age >= 30
                     else mix.used_name_share_women_22 if age >= 22 else 0.0)
        else:
            share = mix.used_name_share_men
        if random() >= share:
            return None
        other = birth_name
        for _ in range(5):
            other = self.names.family.pick(random)
            if other != birth_name:
                break
        if other == birth_name:
            return None
        if sex == "M" or random() < mix.double_used_name_share:
            return f"{other}-{birth_name}" if sex == "F" else f"{birth_name}-{other}"
        return other

    def matricule(self, sex: str, born: date, place: str) -> str:
        head = ("1" if sex == "M" else "2") + f"{born.year % 100:02d}{born.month:02d}" + place
        randint = self.rng.randint
        for _ in range(10_000):  # 999 order numbers per (sex, year, month, place)
            body = head + f"{randint(1, 999):03d}"
            value = body + compute_key(body)
            if value not in self.matricules:
                self.matricules.add(value)
                return value
        raise ValueError(f"no free order number left for the matricules {head}xxx: too many "
                         "identities for the birth places given")

    def fresh(self, like: dict[str, Any] | None = None) -> dict[str, Any]:
        """A new identity; with `like`, a homonym of it (same names and sex, other person)."""
        random, mix = self.random, self.mix
        born = self.birth_date()
        if like is not None:
            sex = like["sex"]
            for _ in range(5):  # another person: not the same birth date
                if born.isoformat() != like["birth_date"]:
                    break
                born = self.birth_date()
            first_names = like["first_names"].split(" ")
            birth_name = like["birth_name"]
        else:
            sex = "F" if random() < mix.female_share else "M"
            first_names = self.first_names(sex, born.year)
            birth_name = self.names.family.pick(random)
        ref = self.reference_date
        age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
        status = self.status_table.pick(random)
        place = self.birth_place()
        attributes: list[str] = []
        if status == "PROV":
            draw = random()
            if draw < mix.dout_share_of_prov:
                attributes.append("DOUT")
            elif draw < mix.dout_share_of_prov + mix.fict_share_of_prov:
                attributes.append("FICT")
            if random() < mix.unknown_place_share_of_prov:
                place = UNKNOWN_PLACE
        matricule = oid = None
        if status in ("QUAL", "RECUP"):
            matricule = self.matricule(sex, born, place)
            oid = NIA_OID if (place.startswith("99")
                              and random() < mix.nia_share_of_abroad_ins) else NIR_OID
        used_first_name = None
        if len(first_names) > 1 and random() < mix.used_first_name_share:
            used_first_name = first_names[1]
        if like is not None:
            attributes.append("HOMA")
        return {
            "ipp": self.ipp(),
            "birth_name": birth_name,
            "first_name": first_names[0],
            "first_names": " ".join(first_names),
            "birth_date": born.isoformat(),
            "birth_date_corrected": False,
            "sex": sex,
            "birth_place": place,
            "used_name": self.used_name(sex, age, birth_name),
            "used_first_name": used_first_name,
            "status": status,
            "attributes": attributes,
            "matricule": matricule,
            "oid": oid,
            "channel": "SM",
            "duplicate_of": None,
            "duplicate_kind": None,
            "homonym_of": like["ipp"] if like is not None else None,
        }

    # --- near-duplicates ----------------------------------------------------------------------

    def applies(self, kind: str, original: dict[str, Any]) -> bool:
        """Whether a near-duplicate of that kind can be made of `original`."""
        if kind == "day_month_swap":
            day, month = int(original["birth_date"][8:]), int(original["birth_date"][5:7])
            year = int(original["birth_date"][:4])
            # the swapped date must be real and not after "today" (a child born this year)
            return (day <= 12 and day != month
                    and date(year, day, month) < self.reference_date)
        if kind == "used_name":
            return original["used_name"] is not None
        if kind == "first_names":
            return " " in original["first_names"]
        return True

    def near_duplicate(self, original: dict[str, Any], kind: str) -> dict[str, Any]:
        """A second record of the same person, as typed again at the front desk (PROV, no INS)."""
        row = dict(original)
        if kind == "day_month_swap":
            born = date.fromisoformat(row["birth_date"])
            row["birth_date"] = date(born.year, born.day, born.month).isoformat()
        elif kind == "used_name":
            row["birth_name"], row["used_name"] = row["used_name"], None
        elif kind == "first_names":
            row["first_names"] = row["first_name"]
            row["used_first_name"] = None
        else:
            row["birth_name"] = self.misspelt(row["birth_name"])
        row.update(ipp=self.ipp(), status="PROV", attributes=[], matricule=None, oid=None,
                   duplicate_of=original["ipp"], duplicate_kind=kind, homonym_of=None)
        return row

    def misspelt(self, name: str) -> str:
        """One spelling change, FAURE -> FAURRE, BONNET -> BONET, that keeps the French phonetic
        key when one such change exists (the duplicate finder searches by that key)."""
        candidates = _spelling_variants(name)
        self.rng.shuffle(candidates)
        key = phonetic_key(name)
        candidates.sort(key=lambda c: phonetic_key(c) != key)  # stable: same key first
        for candidate in candidates:
            try:
                return validate(candidate, "birth_name")
            except TraitError:
                continue
        return name + "E" if not name.endswith("E") else name[:-1] + "ES"


_VOWELS = frozenset("AEIOUY")
_DOUBLABLE = frozenset("BCDFGLMNPRST")
_SWAPS = (("PH", "F"), ("F", "PH"), ("EAU", "O"), ("AU", "O"), ("Y", "I"), ("I", "Y"),
          ("QU", "K"), ("AN", "EN"), ("EN", "AN"), ("AI", "E"), ("TH", "T"))
_ENDING_SWAPS = (("EZ", "ET"), ("ET", "EZ"), ("AND", "ANT"), ("ANT", "AND"), ("ARD", "ART"),
                 ("AULT", "AUD"), ("AUD", "AULT"), ("OT", "AUT"), ("S", ""), ("X", ""))


def _spelling_variants(name: str) -> list[str]:
    """Names one spelling change away from `name`: a consonant doubled or undoubled, a spelling
    of the same sound swapped (PH/F, EAU/O...), a silent ending changed (-ET/-EZ, -AND/-ANT)."""
    variants: set[str] = set()
    n = len(name)
    for i in range(1, n - 1):
        c = name[i]
        if c in _DOUBLABLE and name[i - 1] in _VOWELS and name[i + 1] in _VOWELS:
            variants.add(name[: i + 1] + c + name[i + 1 :])  # FAURE -> FAURRE
        if c == name[i + 1] and c in _DOUBLABLE:
            variants.add(name[:i] + name[i + 1 :])  # BONNET -> BONET
    for old, new in _SWAPS:
        start = name.find(old, 1)
        if start > 0:
            variants.add(name[:start] + new + name[start + len(old) :])
    for old, new in _ENDING_SWAPS:
        if name.endswith(old) and n - len(old) >= 2:
            variants.add(name[: n - len(old)] + new)
    if name[-1] in "RL" and n > 2:
        variants.add(name + "E")  # FAUR -> FAURE
    elif name.endswith(("RE", "LE")) and n > 3:
        variants.add(name[:-1])
    variants.discard(name)
    return sorted(v for v in variants
                  if v and v[-1] not in " '-" and "PHF" not in v and "FPH" not in v)


def generate_identities(count: int, *, seed: int = 0, mix: Mix | None = None,
                        reference_date: date = DEFAULT_REFERENCE_DATE, ipp_start: int = 1,
                        names: NameTables | None = None,
                        places: PlaceTables | None = None) -> Iterator[dict[str, Any]]:
    """`count` synthetic identities (dicts, see the module doc), deterministic for a seed.

    `ipp_start`: the first IPP is IPP_BASE + ipp_start (to append to a database that already
    holds records). `names`/`places` default to the shipped tables.
    """
    if count < 0:
        raise ValueError(f"count = {count}: the number of identities cannot be negative.")
    if not 0 < ipp_start < 900_000_000 - count:
        raise ValueError(f"ipp_start = {ipp_start}: the IPPs must keep nine digits.")
    mix = mix or Mix()
    generator = _Generator(seed, names or load_name_tables(), places or load_place_tables(),
                           mix, reference_date, ipp_start)
    return _run(generator, count)


def _run(generator: _Generator, count: int) -> Iterator[dict[str, Any]]:
    mix, random, randint = generator.mix, generator.random, generator.rng.randint
    # Near-duplicates and homonyms waiting for their place: (due index, order, kind, original);
    # the original is a copy, so that a caller changing the rows it receives changes nothing here.
    pending: list[tuple[int, int, str, dict[str, Any]]] = []
    backlog: list[str] = []  # near-duplicate kinds waiting for a row they apply to
    order = 0
    for index in range(count):
        if pending and pending[0][0] <= index:
            _, _, due, original = heapq.heappop(pending)
            if due == "homonym":
                yield generator.fresh(like=original)
            else:
                yield generator.near_duplicate(original, due)
            continue
        row = generator.fresh()
        draw = random()
        kind: str | None = None
        if draw < mix.near_duplicate_share:
            # The kind is drawn first, so that the kinds keep their shares: when it does not
            # apply to this row (no used name...), it waits for the next row it applies to.
            wanted = generator.kind_table.pick(random)
            if generator.applies(wanted, row):
                kind = wanted
            else:
                backlog.append(wanted)
        elif backlog and generator.applies(backlog[0], row):
            kind = backlog.pop(0)
        elif (draw < mix.near_duplicate_share + mix.homonym_share
              and "FICT" not in row["attributes"]):
            row["attributes"].append("HOMA")
            order += 1
            heapq.heappush(pending, (index + randint(1, mix.max_delay), order, "homonym",
                                     dict(row)))
        if kind is not None:
            order += 1
            heapq.heappush(pending, (index + randint(1, mix.max_delay), order, kind, dict(row)))
        yield row


def store_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row without the test flags: the fields of the store's bulk insert."""
    return {name: row[name] for name in STORE_FIELDS}
