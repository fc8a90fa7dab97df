"""Names, first names, sex and birth date: the character profile and checks of the strict traits.

Rules of the INS identity guide (section numbers of the project's rule notes):

- 2.3 (SEL-MP-043 read through a secondary source, consistent with the values INSi returns): the
  INSi profile is uppercase A-Z, space, apostrophe (ASCII 39) and hyphen (ASCII 45).
  * Birth name (and used name): the first character is not a space nor a hyphen (an apostrophe is
    allowed: D'ARC); a double hyphen "--" is allowed (never three); a space and an apostrophe are
    never doubled nor next to each other; no trailing space or hyphen.
  * First names (first birth first name, list of first names, used first name): the same, but no
    "--", and a first name never ends with a hyphen or an apostrophe.
  * Characters with a defined equivalent are transliterated (É -> E, Œ -> OE...); characters
    without one (digits, "_", "!", "/"...) are never deleted: `normalise()` leaves them in place
    and `validate()` refuses the value, so nothing disappears without the operator seeing it.
- 2.2: the first birth first name is coherent with the start of the list of first names, the
  hyphen and the apostrophe counting as a space (EXI ID 10, secondary source).
- 2.4: birth dates, incomplete dates completed with `corrected=True`.
- 2.5: sex M/F, "I" (indéterminé) locally only.

Length: 100 characters at most for every name kind (the datamatrix S3/S4 limit, 6.4).

Choices where the rules are silent or uncertain (the safer side each time):

- A list of first names is first names separated by single spaces; because a single first name
  may itself contain a space ("ANNE SOPHIE"), the first-name rules (no leading hyphen, no trailing
  hyphen or apostrophe) apply to every space-separated part, in a first name as in the list. A
  first name accepted alone is thus always acceptable at the head of the list.
- Coherence is decided on token boundaries: the tokens of the first name (split on space, hyphen
  and apostrophe) must be the first tokens of the list. "JEAN" is therefore coherent with
  "JEAN-CHRISTOPHE PAUL": the rule makes the hyphen equal to a space, so the check cannot tell the
  compound first name JEAN-CHRISTOPHE from the two first names JEAN and CHRISTOPHE; the operator
  settles it against the identity document. "ANNE" is not coherent with "ANNETTE".
- Comparisons (`traits_equal`, `first_names_equivalent`) are exact on the normalised forms, never
  fuzzy: deciding that two different spellings are the same person is the operator's job.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from insterm.domain.dates import split_date
from insterm.domain.errors import BirthDateError, RuleWarning, TraitError

MAX_LENGTH = 100

KINDS = ("birth_name", "first_name", "first_names", "used_name", "used_first_name")
_FIRST_NAME_KINDS = frozenset({"first_name", "first_names", "used_first_name"})


@dataclass(frozen=True, slots=True)
class _Label:
    definite: str  # "le nom de naissance"
    indefinite: str  # "un nom de naissance"

    @property
    def capital(self) -> str:
        return self.definite[0].upper() + self.definite[1:]

    @property
    def feminine(self) -> bool:
        return self.definite.startswith("la ")


_LABELS = {
    "birth_name": _Label("le nom de naissance", "un nom de naissance"),
    "first_name": _Label("le premier prénom de naissance", "un prénom"),
    "first_names": _Label("la liste des prénoms de naissance", "une liste de prénoms"),
    "used_name": _Label("le nom utilisé", "un nom"),
    "used_first_name": _Label("le prénom utilisé", "un prénom"),
}

_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ' -")
_LETTERS_AND_MARKS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ'-")

# Typographic forms with a plain equivalent (2.3). Handled before the Unicode decomposition, which
# would turn some of them into a space plus an accent.
_APOSTROPHES = frozenset("\u2019\u2018\u02bc\u00b4`\u2032\uff07")  # ’ ‘ ʼ ´ ` ′ ＇
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2212")  # ‐ ‑ ‒ – — −
# Letters that the decomposition leaves alone but that have an agreed equivalent (applied after
# uppercasing; "ß".upper() is already "SS"). Public: phonetic.py folds names the same way.
_LIGATURES = frozenset("ŒœÆæßẞ")
TRANSLITERATION = str.maketrans({"Œ": "OE", "Æ": "AE", "ẞ": "SS", "Ø": "O", "Ł": "L", "Đ": "D"})
_SPACE_CATEGORIES = frozenset({"Zs", "Zl", "Zp"})
_SPACE_CONTROLS = frozenset("\t\n\r\v\f")

_MULTIPLE_SPACES = re.compile(" {2,}")


def _label(kind: object) -> _Label:
    label = _LABELS.get(kind) if isinstance(kind, str) else None
    if label is None:
        raise TraitError(
            f"Type de trait inconnu : « {_show_text(str(kind))} ». "
            f"Types admis : {', '.join(KINDS)}.",
            field=str(kind),
        )
    return label


def _show_char(char: str) -> str:
    """A character as the operator can see it in a message."""
    if unicodedata.combining(char):
        return f"signe diacritique isolé U+{ord(char):04X}"
    if char.isprintable() and not char.isspace():
        return f"« {char} »"
    return f"invisible U+{ord(char):04X}"


def _show_text(text: str, limit: int = 40) -> str:
    """A value quoted in a message: invisible characters replaced, long values cut."""
    shown = "".join(c if c.isprintable() else "\ufffd" for c in text[:limit])
    return shown + "…" if len(text) > limit else shown


# --------------------------------------------------------------------------------------------
# Normalisation: a proposal the operator confirms.


@dataclass(frozen=True, slots=True)
class Normalisation:
    """A proposed value and the French sentences describing each change made to the input."""

    value: str
    changes: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _clusters(text: str) -> list[str]:
    """The text cut into a base character followed by its combining marks (decomposed input)."""
    clusters: list[str] = []
    for char in text:
        if clusters and unicodedata.combining(char) and not unicodedata.combining(clusters[-1][0]):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _fold_cluster(cluster: str) -> tuple[str, str | None]:
    """(replacement, French sentence) for one cluster; the cluster itself when nothing fits."""
    if len(cluster) == 1:
        if cluster in _ALLOWED:
            return cluster, None
        if cluster in _APOSTROPHES:
            return "'", (
                f"Apostrophe typographique « {cluster} » remplacée par l'apostrophe droite « ' »."
            )
        if cluster in _DASHES:
            return "-", f"Tiret typographique « {cluster} » remplacé par le trait d'union « - »."
        if cluster in _SPACE_CONTROLS or unicodedata.category(cluster) in _SPACE_CATEGORIES:
            return " ", (
                f"Espace spéciale ou saut de ligne (U+{ord(cluster):04X}) remplacé par une espace."
            )
    decomposed = unicodedata.normalize("NFKD", cluster)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = bare.upper().translate(TRANSLITERATION)
    if not folded or not _LETTERS_AND_MARKS.issuperset(folded):
        # No equivalent: kept as typed, validate() refuses it (never deleted silently).
        return cluster, None
    if cluster.isascii():
        return folded, ""  # lowercase ASCII letter: one sentence for all of them
    if any(c in _LIGATURES for c in cluster):
        return folded, f"Ligature « {cluster} » transcrite en « {folded} »."
    if len(bare) < len(decomposed):
        return folded, f"« {cluster} » remplacé par « {folded} » (accent ou cédille retiré)."
    return folded, f"« {cluster} » remplacé par « {folded} »."


def normalise(text: str, kind: str) -> Normalisation:
    """Propose the INSi form of `text` for a trait of `kind`, listing every change in French.

    Uppercase, diacritics stripped, ligatures transcribed (Œ -> OE, Æ -> AE, ß -> SS), typographic
    apostrophes and dashes replaced, special spaces replaced, spaces trimmed and collapsed.
    Characters without an equivalent are left in place for `validate()` to refuse. A value that
    is already valid comes back unchanged with no change listed.
    """
    _label(kind)
    if not isinstance(text, str):
        raise TraitError("Un texte est attendu.", field=kind)
    parts: list[str] = []
    changes: dict[str, None] = {}  # ordered set
    uppercased = False
    for cluster in _clusters(text):
        folded, sentence = _fold_cluster(cluster)
        parts.append(folded)
        if sentence == "":
            uppercased = True
        elif sentence is not None:
            changes[sentence] = None
    value = "".join(parts)
    stripped = value.strip(" ")
    if stripped != value:
        changes["Espaces en début ou en fin de saisie retirées."] = None
    collapsed = _MULTIPLE_SPACES.sub(" ", stripped)
    if collapsed != stripped:
        changes["Espaces consécutives réduites à une seule."] = None
    sentences = list(changes)
    if uppercased:
        sentences.insert(0, "Lettres minuscules passées en majuscules.")
    return Normalisation(collapsed, tuple(sentences))


# --------------------------------------------------------------------------------------------
# Validation against the INSi profile.

_ADJACENT_SEPARATORS = (
    ("---", "Trois traits d'union consécutifs ne sont pas admis (position {pos}) : deux au plus."),
    ("  ", "Deux espaces consécutives (position {pos}) : une seule espace entre deux mots."),
    ("''", "Deux apostrophes consécutives (position {pos}) ne sont pas admises."),
    (
        " '",
        "Une espace et une apostrophe ne peuvent pas se suivre (position {pos}) : "
        "retirez l'espace.",
    ),
    (
        "' ",
        "Une apostrophe et une espace ne peuvent pas se suivre (position {pos}) : "
        "retirez l'espace.",
    ),
)
_DOUBLE_HYPHEN_IN_FIRST_NAME = (
    "Le double trait d'union (position {pos}) n'est admis que dans un nom de naissance : "
    "dans un prénom, mettez un seul trait d'union."
)


def _refuse(kind: str, message: str) -> TraitError:
    return TraitError(message, field=kind)


def validate(value: str, kind: str) -> str:
    """Return `value` unchanged if it is in the INSi profile for `kind`, else raise `TraitError`.

    Never changes the value (use `normalise()` for a proposal). Kinds: see `KINDS`.
    """
    label = _label(kind)
    if not isinstance(value, str):
        raise _refuse(kind, f"{label.capital} doit être un texte.")
    if not value.strip():
        how = "la telle qu'elle" if label.feminine else "le tel qu'il"
        raise _refuse(
            kind, f"{label.capital} est vide : saisissez-{how} figure sur la pièce d'identité."
        )
    if len(value) > MAX_LENGTH:
        raise _refuse(
            kind,
            f"{label.capital} compte {len(value)} caractères : {MAX_LENGTH} au plus sont admis.",
        )
    for position, char in enumerate(value, start=1):
        if char not in _ALLOWED:
            raise _refuse(kind, _character_message(char, position, label))
    if value[0] == " ":
        raise _refuse(kind, f"{label.capital} ne peut pas commencer par une espace : retirez-la.")
    if value[0] == "-":
        raise _refuse(kind, f"{label.capital} ne peut pas commencer par un trait d'union.")
    first_name_kind = kind in _FIRST_NAME_KINDS
    found = [
        (value.find(pattern), message)
        for pattern, message in _ADJACENT_SEPARATORS
        if pattern in value
    ]
    if first_name_kind and "--" in value:
        found.append((value.find("--"), _DOUBLE_HYPHEN_IN_FIRST_NAME))
    if found:
        index, message = min(found, key=lambda item: item[0])
        raise _refuse(kind, message.format(pos=index + 1))
    if value[-1] == " ":
        raise _refuse(kind, f"{label.capital} ne peut pas se terminer par une espace : retirez-la.")
    if value[-1] == "-":
        raise _refuse(kind, f"{label.capital} ne peut pas se terminer par un trait d'union.")
    if first_name_kind:
        for part in value.split(" "):
            _check_first_name_part(part, kind)
    return value


def _character_message(char: str, position: int, label: _Label) -> str:
    message = (
        f"Le caractère {_show_char(char)} (position {position}) n'est pas admis dans "
        f"{label.indefinite} : lettres A à Z, espace, apostrophe et trait d'union seulement."
    )
    proposal, _ = _fold_cluster(char)
    if proposal == " ":
        message += " Remplacez-le par une espace ordinaire."
    elif proposal != char:
        message += f" Remplacez-le par « {proposal} »."
    elif char.isdigit():
        message += " Retirez le chiffre."
    else:
        message += " Retirez-le."
    return message


def _check_first_name_part(part: str, kind: str) -> None:
    # part is non-empty: no leading, trailing or doubled space at this point.
    if part[0] == "-":
        raise _refuse(kind, f"Le prénom « {part} » ne peut pas commencer par un trait d'union.")
    if part[-1] == "-":
        raise _refuse(kind, f"Le prénom « {part} » ne peut pas se terminer par un trait d'union.")
    if part[-1] == "'":
        raise _refuse(kind, f"Le prénom « {part} » ne peut pas se terminer par une apostrophe.")


# --------------------------------------------------------------------------------------------
# First names: coherence and comparisons.

_SEPARATORS = str.maketrans({"-": " ", "'": " "})


def _tokens(text: str) -> list[str]:
    """Normalised first-name tokens, hyphen and apostrophe counting as a space."""
    return normalise(text, "first_names").value.translate(_SEPARATORS).split()


def check_first_name_coherence(first_name: str, first_names: str) -> None:
    """Raise `TraitError` unless the first birth first name starts the list of first names.

    Decided on token boundaries, the hyphen and the apostrophe counting as a space (2.2, EXI ID
    10): "JEAN-CHRISTOPHE" and "JEAN CHRISTOPHE" are coherent with "JEAN CHRISTOPHE PIERRE";
    "CHRISTOPHE" is not; "ANNE" is not coherent with "ANNETTE". "JEAN" is coherent with
    "JEAN-CHRISTOPHE PAUL" (see the module docstring). Case and accents are ignored here; the
    character profile is `validate()`'s business.
    """
    if not isinstance(first_name, str) or not isinstance(first_names, str):
        raise TraitError(
            "Un texte est attendu pour le prénom et la liste des prénoms.", field="first_name"
        )
    head = _tokens(first_name)
    tokens = _tokens(first_names)
    if not head:
        raise TraitError(
            "Le premier prénom de naissance est vide : saisissez-le tel qu'il figure en tête "
            "de la liste des prénoms.",
            field="first_name",
        )
    if not tokens:
        raise TraitError(
            "La liste des prénoms de naissance est vide : saisissez tous les prénoms tels "
            "qu'ils figurent sur la pièce d'identité.",
            field="first_names",
        )
    if tokens[: len(head)] != head:
        raise TraitError(
            f"Le premier prénom « {_show_text(first_name)} » ne correspond pas au début de la "
            f"liste des prénoms « {_show_text(first_names)} » : saisissez le premier prénom tel "
            "qu'il figure en tête de la liste (trait d'union, apostrophe et espace sont "
            "équivalents).",
            field="first_name",
        )


def traits_equal(a: str, b: str) -> bool:
    """Whether two names are identical once normalised (case, accents, ligatures, spaces).

    No fuzzy matching: "DUPONT" and "DUPOND" differ; the operator decides.
    """
    if not isinstance(a, str) or not isinstance(b, str):
        raise TraitError("Un texte est attendu pour comparer deux traits.")
    return normalise(a, "birth_name").value == normalise(b, "birth_name").value


def first_names_equivalent(a: str, b: str) -> bool:
    """Whether two first names (or lists) are equal once normalised, with - ' and space equal."""
    if not isinstance(a, str) or not isinstance(b, str):
        raise TraitError("Un texte est attendu pour comparer deux prénoms.", field="first_names")
    return _tokens(a) == _tokens(b)


# --------------------------------------------------------------------------------------------
# Sex (2.5).

SEX_LABELS = {"M": "masculin", "F": "féminin", "I": "indéterminé"}  # how screens say the sex


def validate_sex(value: str, *, for_insi: bool = False) -> str:
    """Return "M", "F" or "I" unchanged; "I" (indéterminé) is refused when `for_insi` is set.

    The INSi téléservice knows only M and F (2.5); "I" is a local value that never matches INSi
    and cannot be printed in a datamatrix.
    """
    if value == "I" and for_insi:
        raise TraitError(
            "Le sexe indéterminé (I) ne peut pas être envoyé au téléservice INSi, qui ne connaît "
            "que M et F : l'identité reste provisoire.",
            field="sex",
        )
    if isinstance(value, str) and value in SEX_LABELS:
        return value
    shown = _show_text(value) if isinstance(value, str) else ""
    accepted = "M (masculin) ou F (féminin)"
    if not for_insi:
        accepted = "M (masculin), F (féminin) ou I (indéterminé)"
    raise TraitError(f"Sexe « {shown} » non reconnu : saisissez {accepted}.", field="sex")


# --------------------------------------------------------------------------------------------
# Birth date (2.4).

EARLIEST_YEAR = 1850
OLD_AGE_WARNING_YEARS = 120

_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
_FORMATS = "JJ/MM/AAAA (ou JJ-MM-AAAA, JJ.MM.AAAA, JJMMAAAA, AAAA-MM-JJ)"


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A parsed birth date.

    `corrected` is True when the typed date was incomplete (00 for the day and/or the month) and
    was completed per 2.4. A corrected date BLOCKS qualification: the identity cannot become
    RECUP nor QUAL and its matricule cannot be transmitted. PAM-FR 2.11.2 says so; the secondary
    source is silent; we take the safer side. `raw` is the text as typed (stripped).
    """

    value: date
    corrected: bool
    raw: str
    warnings: tuple[RuleWarning, ...] = ()


def format_birth_date(d: date) -> str:
    """The date as "JJ/MM/AAAA"."""
    if not isinstance(d, date):
        raise BirthDateError("Une date est attendue.", field="birth_date")
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def check_birth_date(value: date, *, today: date | None = None) -> tuple[RuleWarning, ...]:
    """Check a calendar date as a birth date; raise `BirthDateError` or return the warnings.

    Refused: a year before 1850, a date after `today`. Warned: an age of 120 years or more.
    """
    if not isinstance(value, date):
        raise BirthDateError("Une date de naissance est attendue.", field="birth_date")
    if isinstance(value, datetime):
        value = value.date()
    today = today or date.today()
    shown = format_birth_date(value)
    if value.year < EARLIEST_YEAR:
        raise BirthDateError(
            f"L'année {value.year} est antérieure à {EARLIEST_YEAR} : vérifiez la date de "
            "naissance sur la pièce d'identité.",
            field="birth_date",
        )
    if value > today:
        raise BirthDateError(
            f"La date de naissance {shown} est dans le futur : vérifiez-la sur la pièce "
            "d'identité.",
            field="birth_date",
        )
    if _age(value, today) >= OLD_AGE_WARNING_YEARS:
        return (
            RuleWarning(
                "birth_date_over_120_years",
                f"La date de naissance {shown} donne un âge de {OLD_AGE_WARNING_YEARS} ans ou "
                "plus : vérifiez-la.",
            ),
        )
    return ()


def parse_birth_date(text: str, *, today: date | None = None) -> BirthDate:
    """Parse a typed birth date; raise `BirthDateError` with a French message when it is wrong.

    Formats: "JJ/MM/AAAA", "JJ-MM-AAAA", "JJ.MM.AAAA" (day and month may have one digit there),
    "JJMMAAAA", "AAAA-MM-JJ". Only real calendar dates, from 1850 to `today` (default: the
    current date). Unknown parts typed as 00 are completed (2.4, EXI ID 11/12): day unknown ->
    01/MM/AAAA, month unknown -> JJ/01/AAAA, both unknown -> 31/12/AAAA, with `corrected=True`,
    which blocks qualification (see `BirthDate`). A completed date falling after `today` (both
    parts unknown for a child born this year) is refused rather than guessed: the rules say
    nothing of that case.
    """
    if not isinstance(text, str):
        raise BirthDateError("La date de naissance doit être un texte.", field="birth_date")
    raw = text.strip()
    if not raw:
        raise BirthDateError(
            f"La date de naissance est vide : saisissez-la au format {_FORMATS}.",
            field="birth_date",
        )
    parts = split_date(raw)  # the shapes every date field accepts (00 kept as typed)
    if parts is None:
        raise BirthDateError(
            f"« {_show_text(raw)} » n'est pas une date au format {_FORMATS}.", field="birth_date"
        )
    day, month, year = parts
    if year == 0:
        raise BirthDateError(
            "L'année de naissance est inconnue (0000) : une date de naissance ne peut pas être "
            "complétée sans l'année.",
            field="birth_date",
        )
    if month > 12:
        raise BirthDateError(
            f"Le mois « {month:02d} » n'existe pas : saisissez un mois de 01 à 12 (00 s'il est "
            "inconnu).",
            field="birth_date",
        )
    if day > 31:
        raise BirthDateError(
            f"Le jour « {day:02d} » n'existe pas : saisissez un jour de 01 à 31 (00 s'il est "
            "inconnu).",
            field="birth_date",
        )
    corrected = day == 0 or month == 0
    if day == 0 and month == 0:
        day, month, missing = 31, 12, "jour et mois inconnus"
    elif day == 0:
        day, missing = 1, "jour inconnu"
    elif month == 0:
        month, missing = 1, "mois inconnu"
    if day > _days_in_month(year, month):
        raise BirthDateError(
            f"Le {day:02d}/{month:02d}/{year:04d} n'existe pas : {_MONTHS[month - 1]} {year} "
            f"compte {_days_in_month(year, month)} jours.",
            field="birth_date",
        )
    value = date(year, month, day)
    today = today or date.today()
    if corrected and value > today:
        raise BirthDateError(
            f"La date complétée {format_birth_date(value)} ({missing}) serait dans le futur : "
            "saisissez le jour et le mois s'ils sont connus.",
            field="birth_date",
        )
    warnings = check_birth_date(value, today=today)
    if corrected:
        warnings += (
            RuleWarning(
                "birth_date_corrected",
                f"Date de naissance incomplète ({missing}) complétée en "
                f"{format_birth_date(value)} : date corrigée, l'identité ne pourra être ni "
                "récupérée ni qualifiée.",
            ),
        )
    return BirthDate(value, corrected, raw, warnings)
