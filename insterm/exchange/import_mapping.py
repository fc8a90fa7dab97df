"""Which column of a patient file holds which trait: a mapping file (TOML) written by the
practice, or, without one, the columns recognised by their header.

A mapping file (`insterm import --correspondance FICHIER.toml`, example in docs/import.md):

    [colonnes]                     # trait = "header of the column in the file"
    nom_naissance = "NOM_JF"
    prenoms = "PRENOMS"
    date_naissance = "DDN"
    sexe = "SEXE"
    identifiant = "NUM_DOSSIER"    # the row's id in the old software (resuming, report)

    [dates]
    formats = ["%d/%m/%Y", "%d%m%Y"]   # strptime formats, tried in order

    [sexe]                         # the file's codes for each sex
    M = ["1", "H"]
    F = ["2"]

Recognised headers ignore case, accents, spaces and punctuation ("Date de naissance",
"DATE_NAISSANCE" and "ddn" are the same). A column named NIR or "numéro de sécurité sociale"
is never taken as the INS by itself: in older software it is often the insured person's number
(a parent's), not the patient's; map it explicitly only when it is the patient's own.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insterm.domain.errors import InstermError, echoed
from insterm.domain.imported import DEFAULT_SEX_CODES, FIELDS

# French keys of the mapping file -> trait fields.
KEYS: dict[str, str] = {
    "identifiant": "source_id", "nom_naissance": "birth_name", "prenom": "first_name",
    "prenoms": "first_names", "date_naissance": "birth_date", "sexe": "sex",
    "lieu_naissance": "birth_place", "nom_utilise": "used_name",
    "prenom_utilise": "used_first_name", "ins": "ins", "oid_ins": "ins_oid",
    "statut": "status", "attributs": "attributes",
}
_FRENCH_KEY = {value: key for key, value in KEYS.items()}
# Headers recognised without a mapping file (folded: uppercase letters and digits only).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "source_id": ("ID", "IDENTIFIANT", "NUMDOSSIER", "NUMERODOSSIER", "NDOSSIER", "DOSSIER",
                  "IPP", "IDPATIENT", "NUMPATIENT", "CODEPATIENT"),
    "birth_name": ("NOMNAISSANCE", "NOMDENAISSANCE", "NOMJF", "NOMJEUNEFILLE", "NOMNAIS",
                   "NOM", "NOMFAMILLE", "NOMDEFAMILLE"),
    "first_name": ("PRENOM", "PREMIERPRENOM", "PREMIERPRENOMDENAISSANCE", "PRENOMNAISSANCE"),
    "first_names": ("PRENOMS", "LISTEPRENOMS", "PRENOMSNAISSANCE", "PRENOMSDENAISSANCE",
                    "LISTEDESPRENOMS"),
    "birth_date": ("DATENAISSANCE", "DATEDENAISSANCE", "DDN", "NAISSANCE", "DATENAIS", "NELE",
                   "DATENAISS"),
    "sex": ("SEXE", "GENRE", "SEX"),
    "birth_place": ("LIEUNAISSANCE", "LIEUDENAISSANCE", "CODELIEUNAISSANCE", "COG",
                    "CODEINSEENAISSANCE", "INSEENAISSANCE", "CODELIEUDENAISSANCE"),
    "used_name": ("NOMUSAGE", "NOMDUSAGE", "NOMUTILISE", "NOMMARITAL", "NOMEPOUSE"),
    "used_first_name": ("PRENOMUSAGE", "PRENOMDUSAGE", "PRENOMUTILISE"),
    "ins": ("INS", "MATRICULEINS", "INSMATRICULE", "NUMEROINS"),
    "ins_oid": ("OID", "OIDINS", "INSOID"),
    "status": ("STATUT", "STATUTIDENTITE", "STATUTDELIDENTITE"),
    "attributes": ("ATTRIBUTS", "ATTRIBUT", "ATTRIBUTSIDENTITE"),
}


class MappingError(InstermError):
    """A mapping that cannot be used; the message says why, in French."""


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    columns: dict[str, int]  # trait field -> column index in the file
    headers: tuple[str, ...]
    date_formats: tuple[str, ...] = ()
    sex_codes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SEX_CODES))
    source: str = "en-têtes reconnus"  # or the mapping file's name

    def values(self, cells: Sequence[str]) -> dict[str, str]:
        return {name: cells[index] if index < len(cells) else ""
                for name, index in self.columns.items()}

    def describe(self) -> list[tuple[str, str]]:
        """(trait label, column header) for every mapped trait, in the file's order."""
        return [(FIELDS[name], self.headers[index])
                for name, index in sorted(self.columns.items(), key=lambda item: item[1])]

    def as_json(self) -> dict[str, Any]:
        return {"colonnes": {_FRENCH_KEY[name]: self.headers[index]
                             for name, index in self.columns.items()},
                "formats_date": list(self.date_formats), "source": self.source}


def fold(header: str) -> str:
    decomposed = unicodedata.normalize("NFKD", header)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).upper()


def _check_complete(columns: Mapping[str, int], headers: Sequence[str], how: str) -> None:
    missing = [FIELDS[name] for name in ("birth_name", "birth_date", "sex") if name not in columns]
    if "first_name" not in columns and "first_names" not in columns:
        missing.insert(1, "prénom(s) de naissance")
    if missing:
        raise MappingError(
            f"Colonnes introuvables ({how}) : {', '.join(missing)}. En-tête du fichier : "
            f"{echoed(' | '.join(headers), 200)}. Écrivez un fichier de correspondance (voir "
            "docs/import.md) et donnez-le avec --correspondance.")


def recognise(headers: Sequence[str]) -> ColumnMapping:
    """The mapping found from the headers alone (`MappingError` when a strict trait is not
    found). The first column recognised for a trait wins."""
    folded = [fold(h) for h in headers]
    columns: dict[str, int] = {}
    for name, names in SYNONYMS.items():
        for synonym in names:  # the most specific synonyms come first
            if synonym in folded and folded.index(synonym) not in columns.values():
                columns[name] = folded.index(synonym)
                break
    _check_complete(columns, headers, "en-têtes non reconnus")
    return ColumnMapping(columns, tuple(headers))


def load(path: Path, headers: Sequence[str]) -> ColumnMapping:
    """The mapping of the TOML file `path` for a file with `headers`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MappingError(f"Lecture impossible de {path} : {error.strerror or error}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MappingError(f"Fichier de correspondance {path.name} illisible : {error}.") from None
    unknown = set(data) - {"colonnes", "dates", "sexe"}
    if unknown:
        raise MappingError(f"{path.name} : section(s) inconnue(s) {', '.join(sorted(unknown))} "
                           "(colonnes, dates, sexe).")
    given = data.get("colonnes")
    if not isinstance(given, dict) or not given:
        raise MappingError(f"{path.name} : la section [colonnes] est absente ou vide.")
    by_header = {h: i for i, h in reversed(list(enumerate(headers)))}
    by_fold = {fold(h): i for i, h in reversed(list(enumerate(headers)))}
    columns: dict[str, int] = {}
    for key, header in given.items():
        if key not in KEYS:
            raise MappingError(f"{path.name} : trait « {echoed(key, 30)} » inconnu ; possibles : "
                               f"{', '.join(KEYS)}.")
        if not isinstance(header, str):
            raise MappingError(f"{path.name} : {key} doit être le nom d'une colonne (texte).")
        index = by_header.get(header, by_fold.get(fold(header)))
        if index is None:
            raise MappingError(f"{path.name} : colonne « {echoed(header, 40)} » ({key}) absente "
                               f"du fichier ; en-tête : {echoed(' | '.join(headers), 200)}.")
        columns[KEYS[key]] = index
    _check_complete(columns, headers, f"d'après {path.name}")
    return ColumnMapping(columns, tuple(headers), _formats(path, data.get("dates", {})),
                         _sex_codes(path, data.get("sexe")), path.name)


def _formats(path: Path, dates: Any) -> tuple[str, ...]:
    formats = dates.get("formats", []) if isinstance(dates, dict) else None
    if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f
                                                 for f in formats):
        raise MappingError(f"{path.name} : [dates] formats doit être une liste de formats "
                           'comme ["%d/%m/%Y", "%Y-%m-%d"].')
    return tuple(formats)


def _sex_codes(path: Path, given: Any) -> Mapping[str, str]:
    if given is None:
        return dict(DEFAULT_SEX_CODES)
    if not isinstance(given, dict) or not set(given) <= {"M", "F", "I"}:
        raise MappingError(f"{path.name} : la section [sexe] associe M, F ou I à la liste des "
                           'codes du fichier, par exemple M = ["1", "H"].')
    codes: dict[str, str] = {}
    for sex, values in given.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise MappingError(f"{path.name} : [sexe] {sex} doit être une liste de codes (texte).")
        codes.update({value.strip().upper(): sex for value in values})
    return codes
