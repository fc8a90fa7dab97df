"""Value objects for the strict traits and the used names of an identity (ins-rules.md 2.1-2.6).

`StrictTraits.build()` and `UsedNames.build()` check every field with `traits.py` and raise the
first error (`TraitError` or `BirthDateError`), in the order of the fields. They never change a
value: the caller proposes corrections with `traits.normalise()` and the operator confirms them.

Choices:
- The birth place is checked here for its shape only (5 characters: 2 digits or 2A/2B, then 3
  digits; "99xxx" for a country, "99999" unknown); whether the code exists in the COG at the date
  of birth needs the dataset and is the caller's job (places.py). `None` means not captured yet.
- The list of first names may be left empty ("") at creation: RNIV v2.0 lets it be completed
  later while the first birth first name is required (2.1, secondary source). When it is given,
  it must be in the profile and start with the first birth first name (2.2).
- Used name and used first name are never filled from the birth values (EXI ID 08, 2.1): absent
  is `None`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from insterm.domain import traits
from insterm.domain.errors import BirthDateError, TraitError

_PLACE_CODE = re.compile(r"(?:[0-9]{2}|2[AB])[0-9]{3}", re.ASCII)


def _validate_birth_place(code: str | None) -> str | None:
    if code is None:
        return None
    if isinstance(code, str) and _PLACE_CODE.fullmatch(code):
        return code
    shown = "donné"
    if isinstance(code, str):
        shown = "« " + "".join(c if c.isprintable() else "\ufffd" for c in code[:12]) + " »"
    raise TraitError(
        f"Le code du lieu de naissance {shown} n'est pas un code INSEE : 5 caractères, "
        "par exemple 63220, 2A004 (Corse) ou 99134 (né à l'étranger), 99999 s'il est inconnu.",
        field="birth_place",
    )


def _birth_date(value: date | str, corrected: bool, today: date | None) -> tuple[date, bool]:
    if not isinstance(corrected, bool):
        raise BirthDateError(
            "L'indicateur de date corrigée doit être vrai ou faux.", field="birth_date"
        )
    if isinstance(value, str):
        parsed = traits.parse_birth_date(value, today=today)
        return parsed.value, parsed.corrected or corrected
    if isinstance(value, datetime):
        value = value.date()
    traits.check_birth_date(value, today=today)
    return value, corrected


@dataclass(frozen=True, slots=True)
class StrictTraits:
    """The strict traits of an identity, in the INSi profile (build it with `build()`).

    `birth_date_corrected` is True when the birth date was completed from an incomplete one; it
    blocks qualification (see `traits.BirthDate`).
    """

    birth_name: str
    first_name: str
    first_names: str
    birth_date: date
    sex: str
    birth_place: str | None
    birth_date_corrected: bool = False

    @classmethod
    def build(
        cls,
        *,
        birth_name: str,
        first_name: str,
        first_names: str,
        birth_date: date | str,
        sex: str,
        birth_place: str | None = None,
        birth_date_corrected: bool = False,
        today: date | None = None,
    ) -> StrictTraits:
        """Check every field and return the traits; raise the first TraitError/BirthDateError.

        `birth_date` is a date, or a text parsed with `traits.parse_birth_date` (an incomplete
        text date sets `birth_date_corrected`). `first_names` may be "" (list not known yet).
        `sex` may be "I" locally; sending it to INSi is refused elsewhere (`validate_sex`).
        """
        traits.validate(birth_name, "birth_name")
        traits.validate(first_name, "first_name")
        if first_names != "":
            traits.validate(first_names, "first_names")
            traits.check_first_name_coherence(first_name, first_names)
        born, corrected = _birth_date(birth_date, birth_date_corrected, today)
        traits.validate_sex(sex)
        place = _validate_birth_place(birth_place)
        return cls(birth_name, first_name, first_names, born, sex, place, corrected)


@dataclass(frozen=True, slots=True)
class UsedNames:
    """Used name and used first name (complementary traits); `None` when not given."""

    used_name: str | None = None
    used_first_name: str | None = None

    @classmethod
    def build(
        cls, *, used_name: str | None = None, used_first_name: str | None = None
    ) -> UsedNames:
        """Check each given value (birth-name profile, first-name profile) or raise `TraitError`."""
        if used_name is not None:
            traits.validate(used_name, "used_name")
        if used_first_name is not None:
            traits.validate(used_first_name, "used_first_name")
        return cls(used_name, used_first_name)
