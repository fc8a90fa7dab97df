"""Identities nobody can name yet: the quick capture for a patient who cannot give an identity
(unconscious, confused, a newborn not yet named), and anonymity at the patient's request.

The rules we could read say what such an identity is, not how to write it down: an identity in
doubt carries DOUT, an identity chosen not to be the real one carries FICT, both stay PROV and
INSi is never called for them (EXI SI 09); an unknown day and month of birth is completed as
31/12/AAAA and marked corrected, which blocks qualification. So, the safer reading:
- an unknown patient is DOUT; what is not known is written INCONNU (birth name, first name),
  a newborn's known birth name is kept; the birth date is the real one when known, else the
  estimated year as 31/12/AAAA marked corrected;
- anonymity on request is FICT, under the alias the patient chose (both names required);
- the traits are placeholders: no duplicate is looked for at capture (every INCONNU would match
  every other); it is when the identity is completed (an edit, then the usual document check)
  that the duplicate search runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from insterm.domain.errors import BirthDateError, TraitError
from insterm.domain.identity import StrictTraits

UNKNOWN_NAME = "INCONNU"


class UnnamedKind(StrEnum):
    UNKNOWN = "inconnu"  # cannot give an identity: DOUT
    ANONYMOUS = "anonyme"  # anonymity on request: FICT

    @property
    def attribute(self) -> str:
        return "DOUT" if self is UnnamedKind.UNKNOWN else "FICT"

    @property
    def label(self) -> str:
        return ("Patient non identifiable (identité douteuse)" if self is UnnamedKind.UNKNOWN
                else "Anonymat à la demande du patient (identité fictive)")


@dataclass(frozen=True, slots=True)
class UnnamedIdentity:
    kind: UnnamedKind
    traits: StrictTraits


def unnamed_identity(kind: UnnamedKind, *, birth_name: str = "", first_name: str = "",
                     sex: str, birth_date: str = "", estimated_year: str = "",
                     today: date | None = None) -> UnnamedIdentity:
    """The identity to create, or the first `TraitError`/`BirthDateError` (French)."""
    birth_name, first_name = birth_name.strip().upper(), first_name.strip().upper()
    if kind is UnnamedKind.ANONYMOUS:
        if not birth_name:
            raise TraitError("Indiquez le nom d'emprunt choisi par le patient.",
                             field="birth_name")
        if not first_name:
            raise TraitError("Indiquez le prénom d'emprunt choisi par le patient.",
                             field="first_name")
    if not sex.strip():
        raise TraitError("Indiquez le sexe : M, F, ou I s'il ne peut pas être déterminé.",
                         field="sex")
    typed, year = birth_date.strip(), estimated_year.strip()
    if typed and year:
        raise BirthDateError("Indiquez la date de naissance ou une année estimée, pas les deux.",
                             field="birth_date")
    if not typed and not year:
        raise BirthDateError("Indiquez la date de naissance, ou à défaut une année estimée "
                             "(AAAA).", field="birth_date")
    if year and not (len(year) == 4 and year.isdigit()):
        raise BirthDateError("L'année estimée s'écrit AAAA (par exemple 1950).",
                             field="estimated_year")
    traits = StrictTraits.build(
        birth_name=birth_name or UNKNOWN_NAME, first_name=first_name or UNKNOWN_NAME,
        first_names=first_name or UNKNOWN_NAME, birth_date=typed or f"00/00/{year}",
        sex=sex.strip().upper(), today=today)
    return UnnamedIdentity(kind, traits)
