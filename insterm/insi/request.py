"""Shaping INSi requests, and refusing before sending what must not leave the machine.

Pure logic (standard library + insterm.domain): no zeep, no lxml.

- `TraitsQuery`: the traits of a search by traits (RECSANSVITALE), built from a domain
  `StrictTraits` (or anything with the same attributes) by `TraitsQuery.from_traits`.
- `check_traits_query(query, state)`: raises `InsiRefused` (French) for traits outside the INSi
  character profile (CNDA 2.03 cas 3: D’ÆION / CŒUR with a typographic apostrophe), a sex other
  than M/F, an impossible date or birth-place code, or an identity marked doubtful or
  fictitious (the caller passes its `IdentityState`; `insterm.domain.status.insi_allowed`).
- `first_name_plan(query)`: the Prenom of each attempt (insi-contract.md 2.3).
- `traits_body`, `header_values`: the values zeep serialises (see `insterm.insi.soap`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from insterm.domain.errors import DomainError
from insterm.insi.errors import InsiRefused

if TYPE_CHECKING:  # pragma: no cover
    from insterm.domain.status import IdentityState
    from insterm.insi.settings import InsiSettings

__all__ = [
    "OPERATION_TRAITS",
    "OPERATION_VITALE",
    "TraitsQuery",
    "check_identity_state",
    "check_traits_query",
    "first_name_plan",
    "header_values",
    "new_message_id",
    "soap_timestamp",
    "traits_body",
]

OPERATION_TRAITS = "rechercherInsAvecTraitsIdentite"
OPERATION_VITALE = "rechercherInsAvecCarteVitale"

_COG = re.compile(r"(\d{5}|2[AB]\d{3})")
EARLIEST_BIRTH_YEAR = 1850


@dataclass(frozen=True, slots=True)
class TraitsQuery:
    """What a search by traits sends. `first_names` are the birth first names in order (the
    first one is the first birth first name); `birth_place` a 5-character COG code or None."""

    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: date
    birth_place: str | None = None

    @classmethod
    def from_traits(cls, traits: Any) -> TraitsQuery:
        """From a domain `StrictTraits` (birth_name, first_names as a space-separated string or a
        sequence, sex, birth_date as a date or "AAAA-MM-JJ", birth_place) or a TraitsQuery."""
        if isinstance(traits, TraitsQuery):
            return traits
        def get(name: str) -> Any:
            if isinstance(traits, dict):
                return traits.get(name)
            return getattr(traits, name, None)

        names = get("first_names")
        if isinstance(names, str):
            first_names = tuple(names.split(" ")) if names else ()
        elif names is None:
            single = get("first_name")
            first_names = (single,) if single else ()
        else:
            first_names = tuple(names)
        birth_date = get("birth_date")
        if isinstance(birth_date, str):
            text = birth_date
            try:
                birth_date = date.fromisoformat(text)
            except ValueError:
                raise InsiRefused(
                    f"Date de naissance « {text[:20]} » illisible : attendu AAAA-MM-JJ.",
                    reason="birth_date",
                    field="birth_date",
                ) from None
        return cls(
            birth_name=get("birth_name"),
            first_names=first_names,
            sex=get("sex"),
            birth_date=birth_date,
            birth_place=get("birth_place") or None,
        )

    @property
    def first_names_text(self) -> str:
        return " ".join(self.first_names)


def _refuse_trait(error: DomainError, field: str) -> InsiRefused:
    return InsiRefused(
        f"Recherche INSi non envoyée : {error.message}",
        reason="sex" if field == "sex" else "traits",
        field=error.field or field,
    )


def check_identity_state(state: IdentityState | None) -> None:
    """Refuse an identity whose state forbids INSi (doubtful, fictitious...). None = no stored
    identity (an ad-hoc search), allowed."""
    if state is None:
        return
    from insterm.domain.status import insi_block_reason

    reason = insi_block_reason(state)
    if reason is not None:
        raise InsiRefused(
            f"Recherche INSi non envoyée : {reason}", reason="identity_state", field="status"
        )


def check_traits_query(query: TraitsQuery, state: IdentityState | None = None) -> TraitsQuery:
    """Raise `InsiRefused` unless every trait may be sent to INSi; return the query."""
    from insterm.domain.errors import DomainError
    from insterm.domain.traits import validate, validate_sex

    check_identity_state(state)
    if not isinstance(query.birth_name, str) or not query.birth_name:
        raise InsiRefused(
            "Recherche INSi non envoyée : le nom de naissance est obligatoire.",
            reason="traits",
            field="birth_name",
        )
    try:
        validate(query.birth_name, "birth_name")
    except DomainError as error:
        raise _refuse_trait(error, "birth_name") from None
    if not query.first_names or not all(isinstance(n, str) and n for n in query.first_names):
        raise InsiRefused(
            "Recherche INSi non envoyée : au moins un prénom de naissance est obligatoire "
            "(prénoms séparés par une espace).",
            reason="traits",
            field="first_names",
        )
    try:
        for name in query.first_names:
            validate(name, "first_name")
        validate(query.first_names_text, "first_names")
    except DomainError as error:
        raise _refuse_trait(error, "first_names") from None
    if query.sex not in ("M", "F"):
        try:
            validate_sex(query.sex, for_insi=True)
        except DomainError as error:
            raise _refuse_trait(error, "sex") from None
        raise InsiRefused(  # pragma: no cover - validate_sex refuses everything but M/F here
            "Recherche INSi non envoyée : le sexe doit être M ou F.", reason="sex", field="sex"
        )
    if not isinstance(query.birth_date, date) or isinstance(query.birth_date, datetime):
        raise InsiRefused(
            "Recherche INSi non envoyée : la date de naissance est obligatoire.",
            reason="birth_date",
            field="birth_date",
        )
    if query.birth_date > date.today() or query.birth_date.year < EARLIEST_BIRTH_YEAR:
        raise InsiRefused(
            f"Recherche INSi non envoyée : la date de naissance {query.birth_date:%d/%m/%Y} "
            "est impossible (future ou antérieure à 1850).",
            reason="birth_date",
            field="birth_date",
        )
    if query.birth_place is not None and not (
        isinstance(query.birth_place, str) and _COG.fullmatch(query.birth_place)
    ):
        raise InsiRefused(
            f"Recherche INSi non envoyée : le lieu de naissance « {str(query.birth_place)[:20]} » "
            "n'est pas un code COG à 5 caractères (ex. 63220, 2A020, 99134 pour un pays).",
            reason="birth_place",
            field="birth_place",
        )
    return query


def first_name_plan(query: TraitsQuery) -> list[str]:
    """The Prenom sent by each attempt: every birth first name alone, in order, then (when
    there are several) the whole list in one Prenom (CNDA 2.07; insi-contract.md 2.3)."""
    plan = list(query.first_names)
    if len(plan) > 1:
        plan.append(query.first_names_text)
    return plan


def traits_body(query: TraitsQuery, prenom: str) -> dict[str, Any]:
    """RECSANSVITALE values for zeep: one Prenom element (every public client sends one)."""
    body: dict[str, Any] = {
        "NomNaissance": query.birth_name,
        "Prenom": [prenom],
        "Sexe": query.sex,
        "DateNaissance": query.birth_date.isoformat(),
    }
    if query.birth_place:
        body["LieuNaissance"] = query.birth_place
    return body


def new_message_id() -> str:
    """wsa:MessageID as every INSi client sends it: "uuid:" + a random UUID."""
    return f"uuid:{uuid.uuid4()}"


def soap_timestamp(now: datetime | None = None) -> str:
    """UTC with milliseconds and Z, as in the captured contexts: 2022-03-01T10:29:58.604Z."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def header_values(
    settings: InsiSettings,
    *,
    emitter: str,
    message_id: str,
    couverture: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """ContexteLPS, ContexteBAM and MessageID values for zeep's `_soapheaders`.

    ContexteBAM/COUVERTURE is empty for a traits search (padoa: "should be included but
    empty"); the Vitale search fills it from the card (`insterm.insi.vitale`).
    """
    stamp = soap_timestamp(now)
    return {
        "NO1_ContexteBAM": {
            "Version": "01_02",
            "Id": str(uuid.uuid4()),
            "Temps": stamp,
            "Emetteur": emitter,
            "COUVERTURE": couverture or {},
        },
        "NO1_ContexteLPS": {
            "Nature": "CTXLPS",
            "Version": "01_00",
            "Id": str(uuid.uuid4()),
            "Temps": stamp,
            "Emetteur": emitter,
            "LPS": {
                "IDAM": {"_value_1": settings.idam, "R": "4"},
                "Version": settings.software_version,
                "Instance": settings.installation_id,
                "Nom": settings.lps_name,
            },
        },
        "NO1_MessageID": message_id,
    }


def split_first_names(value: str | Sequence[str]) -> tuple[str, ...]:
    """"P1 P2" or ["P1", "P2"] -> ("P1", "P2") (for command lines and forms)."""
    if isinstance(value, str):
        return tuple(value.split())
    return tuple(value)
