"""The rules for one identity read from another program's patient file (an import row).

Nothing imported is trusted. `read_row` takes the row's values as read (texts, keyed by the
trait names of `FIELDS`) and returns an `ImportedIdentity` or raises `RowRefused` with the
French reason:
- names and first names get the same proposals as the capture form (`traits.normalise`:
  uppercase, accents removed, typographic apostrophes...), each change listed in French; a
  value still outside the INSi profile after that is refused, never cut;
- the birth date is parsed with the row's date formats (the mapping's) or, without any, as a
  person types it (`traits.parse_birth_date`, 00 for an unknown day or month is completed and
  flagged); an impossible date is refused;
- the sex is read through the mapping's codes (M/F/I and the usual H, 1, 2 by default);
- an identity always starts PROV: a status the source gives (VALI, QUAL...) is not taken over
  (noted); DOUT or FICT given by the source are kept;
- an INS that comes with the row is a *received* INS: kept apart to be verified with INSi
  before any use, never the identity's INS. A malformed one (wrong key, bad OID) is dropped
  with a note, and so is any INS of a doubtful or fictitious identity (the safer side: such an
  identity may not carry an INS).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from insterm.domain import traits
from insterm.domain.datamatrix import INS_OIDS
from insterm.domain.errors import DomainError, echoed
from insterm.domain.identity import StrictTraits, UsedNames
from insterm.domain.nir import parse_nir

# Target fields a column may be mapped to, with their French label (mapping files, reports).
FIELDS: dict[str, str] = {
    "source_id": "identifiant dans le fichier d'origine",
    "birth_name": "nom de naissance",
    "first_name": "premier prénom de naissance",
    "first_names": "prénoms de naissance",
    "birth_date": "date de naissance",
    "sex": "sexe",
    "birth_place": "code du lieu de naissance",
    "used_name": "nom utilisé",
    "used_first_name": "prénom utilisé",
    "ins": "matricule INS reçu",
    "ins_oid": "OID de l'INS reçu",
    "status": "statut d'origine",
    "attributes": "attributs (DOUT, FICT)",
}
REQUIRED = ("birth_name", "birth_date", "sex")  # and a first name (first_name or first_names)

OID_NIR = "1.2.250.1.213.1.4.8"  # the default OID of a received INS (one of INS_OIDS)
DEFAULT_SEX_CODES: Mapping[str, str] = {
    "M": "M", "H": "M", "1": "M", "MASCULIN": "M", "HOMME": "M",
    "F": "F", "2": "F", "FEMININ": "F", "FÉMININ": "F", "FEMME": "F",
    "I": "I", "INDETERMINE": "I", "INDÉTERMINÉ": "I",
}
_ATTRIBUTES = {"DOUT": "DOUT", "DOUTEUSE": "DOUT", "FICT": "FICT", "FICTIVE": "FICT"}
_STATUSES = {"PROV", "VALI", "RECUP", "QUAL"}
_SPACES = re.compile(r"[\s.]+")


class RowRefused(DomainError):
    """A row that cannot become an identity; the message says why, in French."""


@dataclass(frozen=True, slots=True)
class ReceivedIns:
    """An INS that came with the row: to verify with INSi, never used as it is."""

    matricule: str
    oid: str


@dataclass(frozen=True, slots=True)
class ImportedIdentity:
    traits: StrictTraits
    used: UsedNames
    attributes: frozenset[str]  # "DOUT" and/or "FICT" (never both)
    received_ins: ReceivedIns | None
    birth_date_raw: str | None  # the date as written, when it was completed
    proposals: tuple[str, ...]  # every change made to the values as read, in French


def _text(values: Mapping[str, str | None], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def _normalised(value: str, kind: str, proposals: list[str]) -> str:
    result = traits.normalise(value, kind)
    label = FIELDS.get(kind, kind)
    proposals.extend(f"{label.capitalize()} : {change}" for change in result.changes)
    try:
        return traits.validate(result.value, kind)
    except DomainError as error:
        raise RowRefused(f"{label.capitalize()} {echoed(value, 40)!r} refusé : {error.message}",
                         field=kind) from None


def _birth_date(text: str, formats: Sequence[str], today: date,
                proposals: list[str]) -> tuple[date, bool, str | None]:
    if not text:
        raise RowRefused("Date de naissance absente : un trait strict est obligatoire.",
                         field="birth_date")
    for pattern in formats:
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        try:
            traits.check_birth_date(parsed, today=today)
        except DomainError as error:
            raise RowRefused(f"Date de naissance refusée : {error.message}",
                             field="birth_date") from None
        return parsed, False, None
    try:
        birth = traits.parse_birth_date(text, today=today)
    except DomainError as error:
        shown = f" (formats attendus : {', '.join(formats)})" if formats else ""
        raise RowRefused(f"Date de naissance refusée{shown} : {error.message}",
                         field="birth_date") from None
    if birth.corrected:
        proposals.append(f"Date de naissance incomplète « {echoed(text, 20)} » complétée en "
                         f"{traits.format_birth_date(birth.value)} (à vérifier sur une pièce ; "
                         "elle empêche la qualification).")
    return birth.value, birth.corrected, birth.raw if birth.corrected else None


def _sex(text: str, codes: Mapping[str, str]) -> str:
    if not text:
        raise RowRefused("Sexe absent : un trait strict est obligatoire.", field="sex")
    sex = codes.get(text.upper())
    if sex is None:
        known = ", ".join(sorted(codes))
        raise RowRefused(f"Sexe « {echoed(text, 20)} » inconnu (codes lus : {known}).",
                         field="sex")
    return sex


def _attributes(values: Mapping[str, str | None], proposals: list[str]) -> frozenset[str]:
    found: set[str] = set()
    for word in re.split(r"[\s,;|/]+", _text(values, "attributes").upper()):
        if not word:
            continue
        if word in _ATTRIBUTES:
            found.add(_ATTRIBUTES[word])
        elif word != "HOMA":  # homonymy is found here, not taken from elsewhere
            raise RowRefused(f"Attribut « {echoed(word, 20)} » inconnu (DOUT ou FICT).",
                             field="attributes")
    status = _text(values, "status").upper()
    if status in {"DOUT", "FICT"}:
        found.add(status)
    elif status and status not in _STATUSES:
        raise RowRefused(f"Statut d'origine « {echoed(status, 20)} » inconnu "
                         "(PROV, VALI, RECUP, QUAL, DOUT ou FICT).", field="status")
    elif status and status != "PROV":
        proposals.append(f"Statut d'origine {status} non repris : une identité importée commence "
                         "provisoire (PROV) jusqu'à sa vérification ici.")
    if found == {"DOUT", "FICT"}:
        raise RowRefused("Une identité ne peut pas être à la fois douteuse (DOUT) et fictive "
                         "(FICT).", field="attributes")
    return frozenset(found)


def _received_ins(values: Mapping[str, str | None], attributes: frozenset[str],
                  proposals: list[str]) -> ReceivedIns | None:
    text = _SPACES.sub("", _text(values, "ins")).upper()
    if not text:
        return None
    oid = _text(values, "ins_oid") or OID_NIR
    if attributes:
        proposals.append(f"INS reçu écarté : une identité {'/'.join(sorted(attributes))} ne "
                         "porte pas d'INS.")
        return None
    if oid not in INS_OIDS:
        proposals.append(f"INS reçu écarté : OID « {echoed(oid, 30)} » inconnu.")
        return None
    try:
        nir = parse_nir(text)
    except DomainError as error:
        proposals.append(f"INS reçu écarté : {error.message}")
        return None
    return ReceivedIns(nir.value, oid)


def read_row(values: Mapping[str, str | None], *, date_formats: Sequence[str] = (),
             sex_codes: Mapping[str, str] = DEFAULT_SEX_CODES,
             today: date | None = None) -> ImportedIdentity:
    """The identity a row describes (module docstring), or `RowRefused`."""
    today = today or date.today()
    proposals: list[str] = []
    raw_name = _text(values, "birth_name")
    if not raw_name:
        raise RowRefused("Nom de naissance absent : un trait strict est obligatoire.",
                         field="birth_name")
    birth_name = _normalised(raw_name, "birth_name", proposals)
    raw_list, raw_first = _text(values, "first_names"), _text(values, "first_name")
    if not raw_list and not raw_first:
        raise RowRefused("Prénom de naissance absent : un trait strict est obligatoire.",
                         field="first_name")
    first_names = _normalised(raw_list, "first_names", proposals) if raw_list else ""
    first_name = (_normalised(raw_first, "first_name", proposals) if raw_first
                  else first_names.split(" ")[0])
    born, corrected, raw_date = _birth_date(_text(values, "birth_date"), date_formats, today,
                                            proposals)
    sex = _sex(_text(values, "sex"), sex_codes)
    place = _text(values, "birth_place").upper() or None
    used_name = _text(values, "used_name")
    used_first = _text(values, "used_first_name")
    try:
        strict = StrictTraits.build(birth_name=birth_name, first_name=first_name,
                                    first_names=first_names, birth_date=born, sex=sex,
                                    birth_place=place, birth_date_corrected=corrected,
                                    today=today)
        used = UsedNames.build(
            used_name=_normalised(used_name, "used_name", proposals) if used_name else None,
            used_first_name=(_normalised(used_first, "used_first_name", proposals)
                             if used_first else None))
    except RowRefused:
        raise
    except DomainError as error:
        raise RowRefused(error.message, field=error.field) from None
    attributes = _attributes(values, proposals)
    received = _received_ins(values, attributes, proposals)
    return ImportedIdentity(strict, used, attributes, received, raw_date, tuple(proposals))
