"""NIR / NIA matricule: parsing, key, structure, description and consistency with the traits.

Rules from ins-rules.md section 5 (5.1 structure, 5.2 key, 5.3 NIA) and 2.6 (birth place codes).

A matricule is 13 characters plus a 2-digit key (15 in all):

| positions | content |
| --- | --- |
| 1 | sex: 1 male, 2 female; 3/7 male and 4/8 female for provisional numbers (persons born abroad
|   | being registered) |
| 2-3 | year of birth, 2 digits (the century is not in the number) |
| 4-5 | month 01-12, or a pseudo-month 20-42 / 50-99 when the month is unknown |
| 6-7 | department 01-95, 2A/2B (Corsica); 97x/98x overseas (3-digit department, 2-digit
|     | commune); 99 born abroad (then 8-10 is the country); 91-96 also historical codes for
|     | Algeria, Morocco and Tunisia |
| 8-10 | commune (001-999), or the country code for 99 |
| 11-13 | order number of the birth record, 001-999 |
| 14-15 | key = 97 - (N mod 97), N the 13 characters read as a number with 2A -> 19, 2B -> 18 |

A NIA (waiting number) has the same layout and key: it cannot be told from a NIR by its digits,
only by its OID (ins-rules 5.3), so nothing here says "NIR" or "NIA" from the digits alone.

The meaning of the pseudo-months and of sex digits 3/4/7/8 comes from validators, not from an
INSEE primary text (ins-rules 7.8, uncertain): the safer choice taken here is to *accept* them
(refusing a real matricule would block a patient) and never to derive a birth month from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from insterm.domain.errors import DomainError, NirError, NirKeyError, RuleWarning

__all__ = [
    "Nir",
    "check_consistency",
    "compute_key",
    "describe",
    "grouped",
    "parse_nir",
]

_DIGITS = frozenset("0123456789")
_ALLOWED = _DIGITS | {"A", "B"}
_MALE_DIGITS = frozenset("137")
_FEMALE_DIGITS = frozenset("248")
_PROVISIONAL_DIGITS = frozenset("3478")
_MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# Historical department codes (ins-rules 5.1): 91-94 Algeria before 1962, 95 Morocco,
# 96 Tunisia (before 1964). 91-95 are also today's departments of Ile-de-France (created 1968),
# so only 96 is unambiguous; the 2-digit year does not allow us to decide for the others.
# The descriptions below are for 91-95; 96 is described as Tunisia directly.
_HISTORICAL_TERRITORIES = {
    "91": "l'Algérie (naissance avant 1962)",
    "92": "l'Algérie (naissance avant 1962)",
    "93": "l'Algérie (naissance avant 1962)",
    "94": "l'Algérie (naissance avant 1962)",
    "95": "le Maroc (code historique)",
}
# INSEE country codes (99xxx) of the territories above, as a birth place may be recorded today.
_HISTORICAL_COUNTRY_CODES = {
    "91": "99352",
    "92": "99352",
    "93": "99352",
    "94": "99352",
    "95": "99350",
    "96": "99351",
}
_PLACE_CODE_RE = re.compile(r"(?:[0-9]{5}|2[AB][0-9]{3})")
_MAX_ECHO = 40


def _echo(text: str) -> str:
    """The user's text, shortened and with invisible characters made visible, for a message."""
    shown = "".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in text[:_MAX_ECHO])
    return shown + ("…" if len(text) > _MAX_ECHO else "")


def _compact(text: object) -> str:
    """Remove spaces (any whitespace) and dots, upper-case; refuse anything but digits, A, B."""
    if not isinstance(text, str):
        raise NirError("Le matricule doit être saisi sous forme de texte.", field="matricule")
    kept = [c for c in text if not c.isspace() and c != "."]
    if not kept:
        raise NirError(
            "Le matricule est vide : saisissez les 15 caractères du NIR (13 + la clé).",
            field="matricule",
        )
    for c in kept:
        if c.upper() not in _ALLOWED:
            raise NirError(
                f"Le matricule contient un caractère non autorisé « {_echo(c)} » : seuls les "
                "chiffres sont acceptés (et 2A / 2B pour un département de Corse).",
                field="matricule",
            )
    return "".join(kept).upper()


def _is_digits(text: str) -> bool:
    return bool(text) and all(c in _DIGITS for c in text)


def _check_body(body: str) -> None:
    """Check the structure of a 13-character body; raise a NirError naming the wrong part."""
    sex = body[0]
    if sex not in _MALE_DIGITS | _FEMALE_DIGITS:
        raise NirError(
            f"Le premier chiffre (sexe) « {sex} » n'existe pas : 1 pour un homme, 2 pour une "
            "femme (3, 7 ou 4, 8 pour un numéro provisoire).",
            field="matricule",
        )
    year = body[1:3]
    if not _is_digits(year):
        raise NirError(
            f"L'année (positions 2-3) « {year} » doit être composée de 2 chiffres.",
            field="matricule",
        )
    month = body[3:5]
    if not _is_digits(month) or not _month_exists(int(month)):
        raise NirError(
            f"Le mois (positions 4-5) « {month} » n'existe pas : 01 à 12, ou 20 à 42 / "
            "50 à 99 pour un mois inconnu.",
            field="matricule",
        )
    dept2 = body[5:7]
    if dept2 in ("97", "98"):
        _check_overseas(body)
    elif dept2 in ("2A", "2B") or (_is_digits(dept2) and dept2 != "00"):
        # 2A/2B exist only for births from 1 January 1976 (before, Corsica was 20), but the
        # year has 2 digits and INSEE has re-coded some older numbers (CNDA test identity born
        # 1960 carries 2B), so the date is not enforced.
        commune = body[7:10]
        what = "Le code pays" if dept2 == "99" else "La commune"
        if not _is_digits(commune) or commune == "000":
            raise NirError(
                f"{what} (positions 8-10) « {commune} » n'existe pas : 3 chiffres, de 001 "
                "à 999.",
                field="matricule",
            )
    else:
        raise NirError(
            f"Le département (positions 6-7) « {dept2} » n'existe pas : 01 à 95, 2A, 2B, 96, "
            "97x / 98x (outre-mer) ou 99 (né à l'étranger).",
            field="matricule",
        )
    order = body[10:13]
    if not _is_digits(order) or order == "000":
        raise NirError(
            f"Le numéro d'ordre (positions 11-13) « {order} » n'existe pas : 3 chiffres, de 001 "
            "à 999.",
            field="matricule",
        )


def _check_overseas(body: str) -> None:
    """97x / 98x: a 3-digit department (971-976 DOM, 975/977/978/98x COM) and 2-digit commune."""
    third = body[7]
    if third not in _DIGITS:
        raise NirError(
            f"Le département d'outre-mer (positions 6-8) « {body[5:8]} » n'existe pas : 97 ou "
            "98 suivi d'un chiffre (971 à 978, 984 à 989).",
            field="matricule",
        )
    commune = body[8:10]
    if not _is_digits(commune) or commune == "00":
        raise NirError(
            f"La commune d'outre-mer (positions 9-10) « {commune} » n'existe pas : 2 chiffres, "
            "de 01 à 99.",
            field="matricule",
        )


def _month_exists(month: int) -> bool:
    return 1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99


def _key_of(body: str) -> str:
    number = int(body[:5] + body[5:7].replace("2A", "19").replace("2B", "18") + body[7:])
    return f"{97 - number % 97:02d}"


def compute_key(body: str) -> str:
    """The 2-digit key ("01".."97") of a 13-character body (spaces, dots, lowercase 2a/2b allowed).

    Only the shape is checked here (13 digits, 2A/2B allowed at positions 6-7); use `parse_nir`
    to check the structure.
    """
    compact = _compact(body)
    if len(compact) != 13:
        raise NirError(
            "Le calcul de la clé demande les 13 premiers caractères du matricule ; "
            f"« {_echo(compact)} » en comporte {len(compact)}.",
            field="matricule",
        )
    outside_corsica = compact[:5] + compact[7:]
    dept2 = compact[5:7]
    if not _is_digits(outside_corsica) or not (_is_digits(dept2) or dept2 in ("2A", "2B")):
        raise NirError(
            f"« {_echo(compact)} » : les lettres A et B ne sont admises qu'en positions 6-7 "
            "(2A ou 2B, Corse).",
            field="matricule",
        )
    return _key_of(compact)


@dataclass(frozen=True, slots=True)
class Nir:
    """A valid matricule (NIR or NIA), always 15 characters: 13 + key, uppercase, no space.

    Building one directly checks it as `parse_nir` does (a `NirError` if it is not canonical).
    """

    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, str) or _compact(self.value) != self.value:
            raise NirError(
                "Le matricule doit être écrit sur 15 caractères, sans espace ni point.",
                field="matricule",
            )
        _check_full(self.value, require_key=True)

    @property
    def body(self) -> str:
        """The 13 characters before the key."""
        return self.value[:13]

    @property
    def key(self) -> str:
        return self.value[13:]

    @property
    def sex_digit(self) -> str:
        return self.value[0]

    @property
    def sex(self) -> str:
        """"M" or "F" (sex digits 1/3/7 and 2/4/8)."""
        return "M" if self.sex_digit in _MALE_DIGITS else "F"

    @property
    def provisional(self) -> bool:
        """Sex digit 3, 4, 7 or 8: a provisional number (person born abroad being registered)."""
        return self.sex_digit in _PROVISIONAL_DIGITS

    @property
    def year2(self) -> str:
        """The last 2 digits of the birth year; the century is not in the matricule."""
        return self.value[1:3]

    @property
    def month(self) -> str:
        return self.value[3:5]

    @property
    def month_is_real(self) -> bool:
        """False for the pseudo-months 20-42 / 50-99 (month unknown): never derive a month then."""
        return 1 <= int(self.month) <= 12

    @property
    def department(self) -> str:
        """"63", "2A", "99", or 3 characters overseas ("971")."""
        if self.value[5:7] in ("97", "98"):
            return self.value[5:8]
        return self.value[5:7]

    @property
    def commune(self) -> str:
        """The commune part of the place code (2 digits overseas), or the country code for 99."""
        return self.value[5 + len(self.department) : 10]

    @property
    def place_code(self) -> str:
        """The 5-character place code: COG commune ("63220", "2A020", "97105") or "99" + country."""
        return self.value[5:10]

    @property
    def born_abroad(self) -> bool:
        return self.department == "99"

    @property
    def order(self) -> str:
        """The order number of the birth record (001-999)."""
        return self.value[10:13]

    @property
    def formatted(self) -> str:
        """Grouped for reading aloud: "2 79 03 51 215 189 89"."""
        return grouped(self.value)


def grouped(matricule: str) -> str:
    """A matricule as the card prints it, "2 79 03 51 215 189 89" (sex, year, month, place,
    order, key), for a value already checked (a stored one); no check here."""
    m = matricule
    return f"{m[0:1]} {m[1:3]} {m[3:5]} {m[5:7]} {m[7:10]} {m[10:13]} {m[13:]}".strip()


def _check_full(compact: str, *, require_key: bool) -> str:
    """Check a compact matricule; return its 15-character form (the key computed if absent)."""
    allowed_lengths = (15,) if require_key else (13, 15)
    if len(compact) not in allowed_lengths:
        expected = (
            "15 caractères (13 + la clé de 2 chiffres)"
            if require_key
            else "13 caractères (sans la clé) ou 15 (avec la clé)"
        )
        raise NirError(
            f"Le matricule doit comporter {expected} ; « {_echo(compact)} » en comporte "
            f"{len(compact)}.",
            field="matricule",
        )
    body = compact[:13]
    _check_body(body)
    expected_key = _key_of(body)
    if len(compact) == 13:
        return body + expected_key
    given_key = compact[13:]
    if not _is_digits(given_key):
        raise NirError(
            f"La clé (positions 14-15) « {given_key} » doit être composée de 2 chiffres.",
            field="matricule",
        )
    if given_key != expected_key:
        raise NirKeyError(
            f"Clé incorrecte : la clé attendue est {expected_key} (saisie : {given_key}). "
            "Vérifiez les 13 premiers caractères et la clé sur le document.",
            expected_key=expected_key,
            given_key=given_key,
        )
    return compact


def parse_nir(text: str, *, require_key: bool = True) -> Nir:
    """Parse a matricule typed or received: spaces, dots and lowercase 2a/2b are accepted.

    15 characters (13 + key): the key is checked (`NirKeyError` with `expected_key`). With
    `require_key=False`, 13 characters are also accepted and the key is computed. Any structural
    error raises a `NirError` saying which part is wrong.
    """
    return Nir(_check_full(_compact(text), require_key=require_key))


def _place_phrase(nir: Nir, born: str, place_name: Callable[[str], str | None] | None) -> str:
    code = nir.place_code
    name = None
    if place_name is not None:
        try:
            name = place_name(code)
        except DomainError:  # an unknown code in the caller's index: describe without a name
            name = None
    if nir.born_abroad:
        country = f"pays {code} : {name}" if name else f"pays {code}"
        return f"{born} à l'étranger ({country})"
    dept2 = nir.value[5:7]
    if dept2 == "96":  # no department 96 ever existed in France
        return f"{born} en Tunisie (code historique {code})"
    phrase = f"{born} à {name} ({code})" if name else f"{born} dans la commune de code {code}"
    territory = _HISTORICAL_TERRITORIES.get(dept2)
    if territory is not None:  # 91-95: today's departments, or a historical code
        phrase += f" ; ce code peut aussi désigner {territory}"
    return phrase


def describe(nir: Nir, place_name: Callable[[str], str | None] | None = None) -> str:
    """A French description of what the matricule says, for the operator.

    `place_name(code)` may give the name of the commune or country of a place code; the year is
    given on 2 digits because the century is not in the matricule.
    """
    male = nir.sex == "M"
    born = "né" if male else "née"
    parts = [
        "Homme" if male else "Femme",
        f"{born} en {nir.year2} (année sur 2 chiffres : le siècle n'est pas dans le matricule)",
    ]
    if nir.month_is_real:
        parts.append(f"mois de naissance : {_MONTH_NAMES[int(nir.month) - 1]}")
    else:
        parts.append(f"mois non renseigné (code {nir.month})")
    parts.append(_place_phrase(nir, born, place_name))
    text = " ; ".join(parts) + "."
    if nir.provisional:
        text += (
            f" Numéro provisoire (premier chiffre {nir.sex_digit}) : personne née à l'étranger "
            "en cours d'immatriculation."
        )
    return text


def _department_of(code: str) -> str:
    return code[:3] if code[:2] in ("97", "98") else code[:2]


def _same_department(nir_dept: str, place_dept: str) -> bool:
    if nir_dept == place_dept:
        return True
    # Corsica was department 20 before 1976: 20 matches 2A or 2B (but 2A does not match 2B).
    return {nir_dept, place_dept} in ({"20", "2A"}, {"20", "2B"})


def _place_warnings(nir: Nir, birth_place: str) -> list[RuleWarning]:
    place = birth_place.strip().upper()
    if not _PLACE_CODE_RE.fullmatch(place) or place == nir.place_code:
        return []
    if nir.born_abroad or place.startswith("99"):
        if nir.born_abroad and place.startswith("99"):
            return [
                RuleWarning(
                    "nir_country_mismatch",
                    f"Le pays de naissance saisi ({place}) ne correspond pas à celui du "
                    f"matricule ({nir.place_code}). Vérifiez le lieu de naissance sur la pièce "
                    "d'identité.",
                )
            ]
        if _HISTORICAL_COUNTRY_CODES.get(nir.value[5:7]) == place:
            return []  # Algeria / Morocco / Tunisia under a historical department code
        said = "à l'étranger" if nir.born_abroad else "en France"
        return [
            RuleWarning(
                "nir_place_mismatch",
                f"Le matricule indique une naissance {said} ({nir.place_code}), le lieu saisi "
                f"est {place}. Vérifiez le lieu de naissance sur la pièce d'identité.",
            )
        ]
    place_dept = _department_of(place)
    if not _same_department(nir.department, place_dept):
        return [
            RuleWarning(
                "nir_place_mismatch",
                f"Le département de naissance saisi ({place_dept}, lieu {place}) ne correspond "
                f"pas à celui du matricule ({nir.department}). Vérifiez le lieu de naissance sur "
                "la pièce d'identité.",
            )
        ]
    if place[len(place_dept) :] == nir.commune:
        return []  # 20xxx vs 2Axxx / 2Bxxx: the same Corsican commune
    return [
        RuleWarning(
            "nir_commune_mismatch",
            f"La commune de naissance saisie ({place}) n'est pas celle du matricule "
            f"({nir.place_code}). Cela peut venir d'une fusion de communes : vérifiez le lieu "
            "de naissance sur la pièce d'identité.",
        )
    ]


def check_consistency(
    nir: Nir,
    *,
    sex: str | None = None,
    birth_date: date | None = None,
    birth_place: str | None = None,
) -> list[RuleWarning]:
    """Warnings where the matricule disagrees with the traits given; never raises.

    Only warnings, never refusals: an INS may legitimately disagree with the traits. A NIA, or a
    number given to a person born abroad, may carry a pseudo-month or a place that is not the
    birth place; the civil status may have been corrected after the number was given (sex, date);
    communes merge and are renamed, while the matricule keeps the code of the birth commune at the
    time. The operator checks the identity document and decides. Traits that are absent, or not
    of the expected type, are not compared. Sex is compared only for "M"/"F"; the month only when
    the matricule holds a real month; the year on its last 2 digits.
    """
    warnings: list[RuleWarning] = []
    if isinstance(sex, str) and sex.strip().upper() in ("M", "F"):
        given = sex.strip().upper()
        if given != nir.sex:
            said = "un homme" if nir.sex == "M" else "une femme"
            warnings.append(
                RuleWarning(
                    "nir_sex_mismatch",
                    f"Le sexe saisi ({given}) ne correspond pas au matricule, qui indique {said} "
                    f"(premier chiffre {nir.sex_digit}). Vérifiez le sexe et le matricule sur la "
                    "pièce d'identité.",
                )
            )
    if isinstance(birth_date, date):
        if f"{birth_date.year % 100:02d}" != nir.year2:
            warnings.append(
                RuleWarning(
                    "nir_year_mismatch",
                    f"L'année de naissance saisie ({birth_date.year}) ne se termine pas par "
                    f"{nir.year2} comme dans le matricule. Vérifiez la date de naissance et le "
                    "matricule.",
                )
            )
        if nir.month_is_real and f"{birth_date.month:02d}" != nir.month:
            warnings.append(
                RuleWarning(
                    "nir_month_mismatch",
                    f"Le mois de naissance saisi ({birth_date.month:02d}) ne correspond pas au "
                    f"matricule ({nir.month}). Vérifiez la date de naissance et le matricule.",
                )
            )
    if isinstance(birth_place, str):
        warnings.extend(_place_warnings(nir, birth_place))
    return warnings
