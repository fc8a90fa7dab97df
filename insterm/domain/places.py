"""Birth places: COG communes and INSEE country codes, looked up by code or searched by name.

Rule (ins-rules.md 2.6): the birth place is stored as a 5-character code, the INSEE COG code of
the commune of birth (Corsica `2A`/`2B`, overseas `97x`/`98x` with a 2-digit commune part), or
`99` + the 3-digit INSEE country code for a birth abroad, or `99999` when the place is unknown.

The table comes from `data/places.tsv` (built by `scripts/build_places.py`; sources, licences and
limits in `data/README.md`), one row per place: code, kind, name, parent, department, population.
Kinds: COM (commune), ARM (municipal arrondissement of Paris/Lyon/Marseille), COMD (commune
déléguée), COMA (commune associée), PAYS (country), TERR (territory or other name filed under a
country's code, e.g. JERSEY under 99132), INCONNU (99999). A code may carry several rows: a commune
and its delegated commune of the same code (the chef-lieu), or a country and its territories.
`get()` gives the current one first (COM, then ARM, COMD, COMA; PAYS before TERR).

Known limit, and the safer choice taken: the code "valid at the date of birth" may be one that the
table lacks (ins-rules 2.6 asks for the historical COG; the table has the current communes and
their delegated/associated communes only, and no commune of the collectivités d'outre-mer 975,
977, 978, 98x). `validate_place_code` then refuses the code as *unknown* with its own error type
(`PlaceCodeUnknown`), distinct from a *malformed* code (`PlaceCodeMalformed`), so that a caller can
let an operator confirm a well-formed code that the table does not know; a code returned by INSi
should be stored as received, not re-validated against this table.

Search (autocompletion) is case-, accent- and punctuation-insensitive, expands "st"/"ste" to
"saint"/"sainte", matches names from their start (and after a leading article: "havre" finds
"Le Havre"), and searches codes by prefix when the text looks like a code.

Speed: loading checks the file with one regular expression and keeps its sorted lines (a code is
found by bisection); the name index is built on the first search, or ahead of it by
`prepare_search()`, which an application can call from a worker thread at start-up.
"""

from __future__ import annotations

import bisect
import gc
import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from os import PathLike
from pathlib import Path
from typing import NamedTuple

from insterm.domain.errors import PlaceError

__all__ = [
    "HEADER",
    "KIND_LABELS",
    "Place",
    "PlaceCodeMalformed",
    "PlaceCodeUnknown",
    "PlaceIndex",
    "fold",
    "load_places",
    "validate_place_code",
]

KIND_LABELS = {
    "COM": "Commune",
    "ARM": "Arrondissement municipal",
    "COMD": "Commune déléguée",
    "COMA": "Commune associée",
    "PAYS": "Pays",
    "TERR": "Territoire rattaché à un code pays",
    "INCONNU": "Lieu de naissance inconnu",
}
HEADER = ("code", "kind", "name", "parent", "department", "population")
_FIELDS = len(HEADER)

# Order of the rows of one code (get/all), and order between kinds in search results.
_CODE_ORDER = {"COM": 0, "ARM": 1, "COMD": 2, "COMA": 3, "PAYS": 4, "TERR": 5, "INCONNU": 6}
_SEARCH_ORDER = {"COM": 0, "ARM": 1, "PAYS": 2, "COMD": 3, "COMA": 4, "TERR": 5, "INCONNU": 6}
_KIND_WEIGHT = 1 << 40  # above any population

# Well-formed codes: a 2-digit department (00 and 96 excluded: 96 is a NIR-only code for Tunisia,
# never a COG code), 2A/2B, or 97x/98x/99x, then 3 digits. "20xxx" (Corsica before 1976 in NIRs)
# is well-formed; whether it is known is the table's business.
_CODE = r"(?:0[1-9]|[1-8][0-9]|9[0-57-9]|2[AB])[0-9]{3}"
_CODE_RE = re.compile(_CODE)
_KIND = "|".join(sorted(_CODE_ORDER, key=len, reverse=True))
# One row of the TSV: name not empty and not starting with a space; department 2 or 3
# characters; population digits or nothing.
_LINE = (rf"{_CODE}\t(?:{_KIND})\t[^\t\n ][^\t\n]*\t(?:{_CODE})?\t"
         r"(?:[0-9]{2}|2[AB]|9[0-9]{2})\t[0-9]{0,12}")
_LINE_RE = re.compile(_LINE)
_BODY_RE = re.compile(rf"(?:{_LINE}\n)*{_LINE}")
_CODE_PREFIX_RE = re.compile(r"[0-9](?:[0-9ABab][0-9]{0,3})?")
_SPACES_RE = re.compile(r"\s+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_ARTICLES = ("l ", "la ", "le ", "les ")
_MAX_CHAR = "\U0010ffff"

# Letters that NFKD does not reduce to ASCII, and typographic separators.
_REPLACEMENTS = (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), ("ß", "ss"), ("ø", "o"),
                 ("Ø", "O"), ("đ", "d"), ("Đ", "D"), ("ł", "l"), ("Ł", "L"), ("þ", "th"),
                 ("Þ", "TH"), ("’", " "), ("‘", " "), ("ʼ", " "), ("´", " "), ("–", " "),
                 ("—", " "), ("«", " "), ("»", " "), ("\u2028", " "),
                 ("\u2029", " "), ("\x85", " "))
# ASCII bytes: letters lowercased, digits and newline kept, anything else a space.
_BYTE_TABLE = bytes(
    b + 32 if 65 <= b <= 90 else b if (48 <= b <= 57 or 97 <= b <= 122 or b == 10) else 32
    for b in range(256)
)


def _fold_lines(lines: str) -> list[str]:
    """Fold newline-separated texts at once; each line is folded on its own (no step below moves
    or removes a newline). Characters with no ASCII form (other scripts) are dropped."""
    for char, replacement in _REPLACEMENTS:
        lines = lines.replace(char, replacement)
    data = unicodedata.normalize("NFKD", lines).encode("ascii", "ignore").translate(_BYTE_TABLE)
    while b"  " in data:
        data = data.replace(b"  ", b" ")
    data = data.replace(b" \n", b"\n").replace(b"\n ", b"\n").strip(b" ")
    return data.decode("ascii").split("\n")


def fold(text: str) -> str:
    """The search form of a text: lowercase ASCII letters and digits, words separated by one space.

    "Saint-Étienne" and "SAINT ETIENNE" both give "saint etienne"; "L'Haÿ-les-Roses" gives
    "l hay les roses"; "Œuilly" gives "oeuilly".
    """
    return _fold_lines(text.replace("\n", " "))[0]


class Place(NamedTuple):
    """One row of the birth-place table."""

    code: str
    kind: str
    name: str
    parent: str | None  # code of the parent commune, for COMD, COMA and ARM
    department: str  # "63", "2A", "971"; "99" for countries and 99999
    population: int | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


class PlaceCodeMalformed(PlaceError):
    """A birth-place code that cannot be a COG or country code (length, characters, structure)."""


class PlaceCodeUnknown(PlaceError):
    """A well-formed birth-place code that the table does not hold."""


def _table_error(detail: str, line: int = 0) -> PlaceError:
    where = f" (ligne {line})" if line > 0 else ""
    return PlaceError(
        f"Table des lieux de naissance invalide{where} : {detail}. Reconstruisez-la avec "
        "« python scripts/build_places.py » ou réinstallez l'application.",
        field="birth_place",
    )


def _row_line(row: object, number: int) -> str:
    """One row given to `from_rows` as a TSV line; `PlaceError` when it does not fit."""
    if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) not in (5, 6):
        raise _table_error("5 ou 6 colonnes attendues", number)
    fields = list(row) + [None] * (_FIELDS - len(row))
    for position in (3, 5):  # parent, population: None for nothing
        if fields[position] is None:
            fields[position] = ""
    if type(fields[5]) is int:
        fields[5] = str(fields[5])
    if not all(isinstance(field, str) for field in fields):
        raise _table_error("chaque colonne doit être un texte", number)
    line = "\t".join(fields)
    if not _LINE_RE.fullmatch(line):
        raise _table_error(f"ligne mal formée « {line[:80]} »", number)
    return line


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of objects are made (it would
    otherwise scan them repeatedly, for nothing: they hold no cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _NameIndex(NamedTuple):
    """Search entries sorted by folded name: the row of each entry and its rank (the smaller the
    better: kind, then larger population)."""

    keys: list[str]
    rows: list[int]
    ranks: list[int]


def _build_name_indexes(lines: list[str]) -> tuple[_NameIndex, _NameIndex]:
    """The index of folded names, and the index of names without their leading article."""
    if not lines:
        return _NameIndex([], [], []), _NameIndex([], [], [])
    with _no_gc():
        cells = "\t".join(lines).split("\t")
        kinds, names, populations = cells[1::_FIELDS], cells[2::_FIELDS], cells[5::_FIELDS]
        del cells
        keys = _fold_lines("\n".join(names))
        order = sorted(range(len(keys)), key=keys.__getitem__)
        keys = list(map(keys.__getitem__, order))
        weights = {kind: _KIND_WEIGHT * rank for kind, rank in _SEARCH_ORDER.items()}
        row_rank = [weights[kind] - int(pop) if pop else weights[kind]
                    for kind, pop in zip(kinds, populations)]
        ranks = list(map(row_rank.__getitem__, order))
        # Names with an article are contiguous in the sorted keys ("l ...", "la ...", ...).
        stripped: list[tuple[str, int, int]] = []
        for article in _ARTICLES:
            low = bisect.bisect_left(keys, article)
            high = bisect.bisect_left(keys, article + _MAX_CHAR, low)
            stripped.extend((keys[e][len(article):], order[e], ranks[e]) for e in range(low, high))
        stripped.sort()
        articles = _NameIndex([e[0] for e in stripped], [e[1] for e in stripped],
                              [e[2] for e in stripped])
    return _NameIndex(keys, order, ranks), articles


class PlaceIndex:
    """Lookup by code and prefix search by name or code over a birth-place table."""

    def __init__(self, lines: list[str]) -> None:
        """Use `from_rows` or `load_places`: `lines` are TSV rows already checked."""
        if not all(map(operator.le, lines, islice(lines, 1, None))):
            lines = sorted(lines)
        self._lines = lines
        self._names: tuple[_NameIndex, _NameIndex] | None = None

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[object]]) -> PlaceIndex:
        """Build an index from rows (code, kind, name, parent, department[, population]).

        Fields as in the TSV (strings, "" for none) or as in `Place` (so `Place` objects are rows
        too); raises `PlaceError` for a row that does not fit (rows counted from 1).
        """
        try:
            lines = [_row_line(row, number) for number, row in enumerate(rows, start=1)]
        except TypeError as error:  # rows itself is not iterable
            raise _table_error("les lignes ne sont pas lisibles") from error
        return cls(lines)

    def prepare_search(self) -> None:
        """Build the name index now rather than on the first search (safe from a worker thread:
        two concurrent builds give the same result, the last one is kept)."""
        self._name_indexes()

    def _name_indexes(self) -> tuple[_NameIndex, _NameIndex]:
        if self._names is None:
            self._names = _build_name_indexes(self._lines)
        return self._names

    def __len__(self) -> int:
        return len(self._lines)

    def _place(self, row: int) -> Place:
        code, kind, name, parent, department, population = self._lines[row].split("\t")
        return Place(code, kind, name, parent or None, department,
                     int(population) if population else None)

    def _rows(self, code: object) -> list[int]:
        """Rows of a code, best first (COM, ARM, COMD, COMA; PAYS before TERR)."""
        cleaned = _clean_code(code)
        if not cleaned:
            return []
        lines, prefix = self._lines, cleaned + "\t"
        low = high = bisect.bisect_left(lines, prefix)
        while high < len(lines) and lines[high].startswith(prefix):
            high += 1
        return sorted(range(low, high), key=lambda row: _CODE_ORDER[lines[row].split("\t")[1]])

    def all(self, code: str) -> tuple[Place, ...]:
        """Every row of a code, the current commune first; () for an unknown code."""
        return tuple(self._place(row) for row in self._rows(code))

    def get(self, code: str) -> Place | None:
        """The place of a code (the current commune when the code has several rows), or None."""
        rows = self._rows(code)
        return self._place(rows[0]) if rows else None

    def name(self, code: str) -> str | None:
        place = self.get(code)
        return place.name if place is not None else None

    def is_valid(self, code: str) -> bool:
        """True when the table holds this code."""
        return bool(self._rows(code))

    def search(self, text: str, limit: int = 20) -> list[Place]:
        """Places whose name (or code, for a code-like text) starts with `text`, best first.

        Ranking: exact name match, then communes, arrondissements and countries before delegated
        and associated communes and territories, then larger population, then alphabetical
        order. A (code, name) pair appears once.
        """
        if not isinstance(text, str) or type(limit) is not int or limit <= 0:
            return []
        compact = _SPACES_RE.sub("", text)
        if _CODE_PREFIX_RE.fullmatch(compact):
            return self._search_code(compact.upper(), limit)
        return self._search_name(text, limit)

    def _search_code(self, prefix: str, limit: int) -> list[Place]:
        lines = self._lines
        row = bisect.bisect_left(lines, prefix)
        found: list[Place] = []
        while row < len(lines) and lines[row].startswith(prefix) and len(found) < limit:
            rows = self._rows(lines[row][:5])
            found.extend(_unique_names(self._place(r) for r in rows))
            row = max(rows) + 1
        return found[:limit]

    def _search_name(self, text: str, limit: int) -> list[Place]:
        words = fold(text).split()
        if not words:
            return []
        variants = {" ".join(words), " ".join(_ABBREVIATIONS.get(w, w) for w in words)}
        wanted = 4 * limit  # one (code, name) result holds at most 4 entries of one range
        candidates: list[tuple[int, int, str, int]] = []
        for keys, rows, ranks in self._name_indexes():
            for query in variants:
                low = bisect.bisect_left(keys, query)
                equal = bisect.bisect_right(keys, query, low)
                high = bisect.bisect_left(keys, query + _MAX_CHAR, equal)
                candidates.extend((0, ranks[e], keys[e], rows[e]) for e in range(low, equal))
                best = sorted(range(equal, high), key=ranks.__getitem__)[:wanted]
                candidates.extend((1, ranks[e], keys[e], rows[e]) for e in best)
        candidates.sort()
        found: list[Place] = []
        seen: set[tuple[str, str]] = set()
        for *_, row in candidates:
            place = self._place(row)
            if (place.code, place.name) not in seen:
                seen.add((place.code, place.name))
                found.append(place)
                if len(found) == limit:
                    break
        return found


def _clean_code(code: object) -> str | None:
    if not isinstance(code, str):
        return None
    return _SPACES_RE.sub("", code).upper()


def _unique_names(rows: Iterable[Place]) -> list[Place]:
    seen: set[str] = set()
    unique = []
    for place in rows:
        if place.name not in seen:
            seen.add(place.name)
            unique.append(place)
    return unique


def load_places(path: str | PathLike[str]) -> PlaceIndex:
    """Read the TSV table (header line, then one place a line) and index it.

    Every line is checked (one regular expression over the file); the number of the first bad
    line is looked for only when that check fails.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, TypeError, ValueError) as error:
        raise PlaceError(
            f"Impossible de lire la table des lieux de naissance ({path}) : {error}. "
            "Réinstallez l'application ou reconstruisez la table avec "
            "« python scripts/build_places.py ».",
            field="birth_place",
        ) from error
    header, _, body = text.replace("\r\n", "\n").partition("\n")
    if tuple(header.split("\t")) != HEADER:
        raise _table_error(f"en-tête attendu « {' '.join(HEADER)} »", 1)
    body = body.rstrip("\n")
    if not body:
        return PlaceIndex([])
    if not _BODY_RE.fullmatch(body):
        raise _bad_line(body)
    with _no_gc():
        return PlaceIndex(body.split("\n"))


def _bad_line(body: str) -> PlaceError:
    """The error naming the first line that is not a well-formed row."""
    for number, line in enumerate(body.split("\n"), start=2):
        if not _LINE_RE.fullmatch(line):
            return _table_error(f"ligne mal formée « {line[:80]} »", number)
    return _table_error("structure incohérente")  # pragma: no cover - the file check failed


def validate_place_code(code: str, index: PlaceIndex | None = None) -> str:
    """The birth-place code, spaces removed and upper-cased, or a `PlaceError`.

    Without an index only the form is checked (`PlaceCodeMalformed`); with one, the code must
    also be in the table (`PlaceCodeUnknown`).
    """
    cleaned = _clean_code(code)
    if not cleaned:
        raise PlaceCodeMalformed(
            "Le lieu de naissance est vide : saisissez le code INSEE à 5 caractères de la "
            "commune, 99 suivi du code du pays pour une naissance à l'étranger, ou 99999 si le "
            "lieu est inconnu.",
            field="birth_place",
        )
    if not _CODE_RE.fullmatch(cleaned):
        shown = cleaned if len(cleaned) <= 20 else cleaned[:20] + "…"
        raise PlaceCodeMalformed(
            f"Le code de lieu de naissance « {shown} » est mal formé : il faut 5 caractères, "
            "le code INSEE de la commune (2A ou 2B pour la Corse) ou 99 suivi des 3 chiffres "
            "du pays.",
            field="birth_place",
        )
    if index is None or index.is_valid(cleaned):
        return cleaned
    raise PlaceCodeUnknown(_unknown_message(cleaned), field="birth_place")


def _unknown_message(code: str) -> str:
    if code.startswith("99"):
        return (f"Le code pays « {code} » est inconnu : cherchez le pays de naissance par son "
                "nom pour obtenir son code.")
    if code[:3] in ("975", "977", "978") or code.startswith("98"):
        return (f"Le code « {code} » (collectivité d'outre-mer) n'est pas dans la table des "
                "communes de l'application, qui ne couvre pas ces collectivités : vérifiez-le "
                "sur un document d'identité avant de le confirmer.")
    if code.startswith("20"):
        return (f"Le code « {code} » est introuvable : pour la Corse, la table utilise les codes "
                "2A… (Corse-du-Sud) et 2B… (Haute-Corse). Cherchez la commune par son nom.")
    return (f"Le code « {code} » ne correspond à aucune commune ni à aucun pays connu : "
            "vérifiez-le ou cherchez le lieu de naissance par son nom.")
