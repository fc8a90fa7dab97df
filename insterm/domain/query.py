"""What the operator typed in the search field -> a query kind (pure logic).

Standard library and `insterm.domain` only, and no SQL: the store turns each query kind into
indexed SQL (`insterm.store.search`).

Kinds, tried in this order:

1. `DatamatrixQuery`: an INS datamatrix payload ("IS01" + 22 zeros + blocks), as a USB scanner
   in keyboard mode types it; decoded by `insterm.domain.datamatrix.decode`.
2. `MatriculeQuery`: 15 characters (13 + key) or 13 without the key (the key is computed),
   digits with 2A/2B for Corsica; spaces and dots allowed ("2 79 03 51 215 189 89").
   A wrong key is refused with the expected key (`QueryError`).
3. `BirthDateQuery`: a date alone, JJ/MM/AAAA (also with "-", "." or spaces as separators,
   one-digit day/month allowed), JJMMAAAA or AAAA-MM-JJ. Eight digits that form a date are
   also tried as an IPP (`also_ipp`), since an imported IPP may have eight digits.
4. `IppQuery`: one word holding a digit that is none of the above (generated IPPs have nine
   digits).
5. `NameQuery`: `NOM [prénom] [date]`; "NOM, prénom" separates a compound name from the first
   name explicitly; without a comma every way of cutting the words into name + first name is
   tried, the shortest name first ("LE GALL MARIE" finds LE GALL Marie). Names are compared
   through `search_key()` (uppercase letters only: diacritics, spaces, hyphens and apostrophes
   removed) for prefixes, and through the phonetic key of `insterm.domain.phonetic`.

Anything else raises `QueryError` with a French message saying what to type.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from insterm.domain.dates import split_date
from insterm.domain.errors import DomainError, NirError, echoed
from insterm.domain.nir import parse_nir

if TYPE_CHECKING:
    from insterm.domain.datamatrix import DatamatrixIdentity

__all__ = [
    "BirthDateQuery",
    "DatamatrixQuery",
    "IppQuery",
    "MatriculeQuery",
    "NameQuery",
    "NameSplit",
    "Query",
    "QueryError",
    "parse_query",
    "phonetic",
    "search_key",
]

MAX_QUERY_LENGTH = 300
MAX_NAME_WORDS = 6


class QueryError(DomainError):
    """Typed text that is no search; the message is French and says what to type."""


# --------------------------------------------------------------------------------------------
# Keys

_LIGATURES = {"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS", "ẞ": "SS"}


def search_key(text: str) -> str:
    """Uppercase A-Z only: diacritics stripped, ligatures expanded, everything else removed.

    "Le Gall-Hervé" -> "LEGALLHERVE", "D'Arc" -> "DARC". Idempotent.
    """
    if text.isascii():
        upper = text.upper()
    else:
        expanded = "".join(_LIGATURES.get(ch, ch) for ch in text)
        decomposed = unicodedata.normalize("NFKD", expanded)
        upper = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()
    return "".join(ch for ch in upper if "A" <= ch <= "Z")


def _words_text(text: str) -> str:
    """Uppercase words of letters, for the phonetic key ("le gall-hervé" -> "LE GALL HERVE")."""
    words = [search_key(word) for word in re.split(r"[\s\-'’]+", text)]
    return " ".join(word for word in words if word)


def phonetic(text: str) -> str:
    """The phonetic key (`insterm.domain.phonetic.phonetic_key`) of a name as typed or stored."""
    from insterm.domain.phonetic import phonetic_key  # name searches only: not for a matricule

    words = _words_text(text)
    return phonetic_key(words) if words else ""


# --------------------------------------------------------------------------------------------
# Query kinds


@dataclass(frozen=True, slots=True)
class MatriculeQuery:
    matricule: str  # 15 characters, key checked (or computed when 13 were typed)


@dataclass(frozen=True, slots=True)
class IppQuery:
    ipp: str


@dataclass(frozen=True, slots=True)
class BirthDateQuery:
    birth_date: date
    also_ipp: str | None = None  # the digits typed were also a possible IPP


@dataclass(frozen=True, slots=True)
class NameSplit:
    """One way to read the words: name key (+ its phonetic key) and first-name key."""

    name_key: str
    name_phonetic: str
    first_name_key: str | None  # None when no word is read as a first name
    first_name_phonetic: str | None


@dataclass(frozen=True, slots=True)
class NameQuery:
    splits: tuple[NameSplit, ...]  # in the order to try them
    birth_date: date | None = None


@dataclass(frozen=True, slots=True)
class DatamatrixQuery:
    identity: DatamatrixIdentity


Query = MatriculeQuery | IppQuery | BirthDateQuery | NameQuery | DatamatrixQuery

# --------------------------------------------------------------------------------------------
# Parsing

_MATRICULE_RE = re.compile(r"[0-9]{5}[0-9][0-9AB][0-9]{6}(?:[0-9]{2})?")
_DATE_TAIL_RE = re.compile(
    r"^(?P<head>.*?)[\s,]*(?P<date>[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-][0-9]{4}|[0-9]{8}"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2})\s*$"
)
_ALLOWED_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[\s\-'’.]+[^\W\d_]+)*$")


def _parse_date(text: str) -> date | None:
    """A date typed alone (the shapes of `insterm.domain.dates`), or None when the text does
    not look like a date."""
    text = text.strip()
    parts = split_date(text)
    if parts is None:
        return None
    day, month, year = parts
    try:
        return date(year, month, day)
    except ValueError:
        if text.isdigit():
            return None  # eight digits that are no date: an IPP maybe
        raise QueryError(
            f"« {echoed(text)} » n'est pas une date réelle : tapez la date de naissance au format "
            "JJ/MM/AAAA."
        ) from None


def _matricule(compact: str) -> MatriculeQuery:
    try:
        nir = parse_nir(compact, require_key=len(compact) == 15)
    except NirError as error:
        raise QueryError(f"Matricule refusé : {error.message}") from None
    return MatriculeQuery(nir.value)


def _datamatrix(text: str) -> DatamatrixQuery:
    from insterm.domain.datamatrix import decode  # scanned payloads only

    try:
        return DatamatrixQuery(decode(text, gs_substitutes=("<GS>", "|", "~", "^]")))
    except DomainError as error:
        raise QueryError(f"Datamatrix INS illisible : {error.message}") from None


def _name_query(head: str, birth_date: date | None) -> NameQuery:
    head = head.strip(" ,")
    if "," in head:
        name_part, _, first_part = head.partition(",")
        name_words = _words_text(name_part)
        first_words = _words_text(first_part)
        if not name_words:
            raise QueryError("Tapez un nom avant la virgule (NOM, prénom).")
        splits = [(name_words, first_words or None)]
    else:
        words = _words_text(head).split()
        if not words:
            raise QueryError(
                "Rien à chercher : tapez un nom (et un prénom), un matricule INS, un IPP "
                "ou une date de naissance JJ/MM/AAAA."
            )
        if len(words) > MAX_NAME_WORDS:
            raise QueryError(f"Trop de mots ({len(words)}) : tapez le nom et le prénom seulement.")
        splits = [(" ".join(words[:k]), " ".join(words[k:]) or None)
                  for k in range(1, len(words) + 1)]
    result = []
    for name, first in splits:
        result.append(NameSplit(
            name_key=search_key(name),
            name_phonetic=phonetic(name),
            first_name_key=search_key(first) if first else None,
            first_name_phonetic=phonetic(first) if first else None,
        ))
    return NameQuery(tuple(result), birth_date)


def parse_query(text: str) -> Query:
    """The query kind for what was typed; `QueryError` (French) when it is none."""
    if not isinstance(text, str):
        raise QueryError("La recherche attend un texte.")
    stripped = text.strip()
    if not stripped:
        raise QueryError(
            "Tapez un nom (et un prénom), un matricule INS, un IPP ou une date de naissance."
        )
    if len(stripped) > MAX_QUERY_LENGTH:
        raise QueryError(f"Recherche trop longue ({len(stripped)} caractères) : "
                         f"{MAX_QUERY_LENGTH} au plus.")
    if stripped[:4].upper() == "IS01" or stripped.startswith("]d"):
        return _datamatrix(stripped)
    compact = re.sub(r"[\s.]", "", stripped).upper()
    if _MATRICULE_RE.fullmatch(compact):
        return _matricule(compact)
    birth_date = _parse_date(stripped)
    if birth_date is not None:
        also = stripped if stripped.isdigit() and len(stripped) == 8 else None
        return BirthDateQuery(birth_date, also_ipp=also)
    if any(ch.isdigit() for ch in stripped):
        if re.fullmatch(r"[0-9A-Za-z\-_/]+", stripped):
            return IppQuery(stripped.upper())
        match = _DATE_TAIL_RE.match(stripped)
        if match and match.group("head").strip(" ,"):
            tail = _parse_date(match.group("date"))
            if tail is None:
                raise QueryError(f"« {match.group('date')} » n'est pas une date réelle : "
                                 "tapez la date de naissance au format JJ/MM/AAAA.")
            return _name_query(_checked_name(match.group("head")), tail)
        raise QueryError(
            f"« {echoed(stripped[:60])} » n'est ni un matricule (15 caractères, ou 13 sans la clé), "
            "ni un IPP, ni une date JJ/MM/AAAA, ni un nom : corrigez la saisie."
        )
    return _name_query(_checked_name(stripped), None)


def _checked_name(text: str) -> str:
    cleaned = text.strip(" ,")
    for part in cleaned.split(","):
        part = part.strip()
        if part and not _ALLOWED_NAME_CHARS.fullmatch(part):
            bad = sorted({ch for ch in part if not (ch.isalpha() or ch in " -'’.")})
            if not bad:  # only allowed characters, but no letters around them: "-", "' '"
                raise QueryError(f"« {echoed(part[:30])} » n'est pas un nom : tapez des "
                                 "lettres (tirets, espaces et apostrophes vont entre deux "
                                 "lettres).")
            shown = " ".join(echoed(ch) for ch in bad)
            raise QueryError(f"Caractère inattendu dans le nom ({shown}) : tapez des lettres, "
                             "espaces, tirets ou apostrophes.")
    if cleaned.count(",") > 1:
        raise QueryError("Une seule virgule : NOM, prénom.")
    return cleaned
