"""Who the simulator knows, and how a traits search finds them.

Two sources: the public test identities (data/insi_test_identities.json, loaded by
`identities.load_test_identities`) and, optionally, a `people` provider giving the demo
database's synthetic people. A provider is either an iterable of mappings or a callable taking a
`Query` and returning an iterable of mappings (it may return more than the matches: the simulator
applies the matching rules itself). A mapping has:

    birth_name, first_names (space-separated str or list), sex ("M"/"F"),
    birth_date ("AAAA-MM-JJ" or datetime.date), birth_place (COG code or None),
    matricule (13 characters, or 15 = 13 + key), key (optional when 15 characters or computed),
    oid (optional: 1.2.250.1.213.1.4.8 for a NIR, .9 for a NIA (sex digit 3, 4, 7, 8)),
    history (optional: list of {matricule, key, oid, type_matricule, date_deb, date_fin}).

Matching (what the real service seems to do, from the captured and CNDA cases): birth name, sex
and birth date equal; the birth place equal when the request gives one; and every Prenom of the
request is either one of the person's birth first names or the whole list of them, in order
(CNDA 2.07: each first name alone, then the whole list). Values are compared after trimming and
collapsing spaces, nothing more: the request has passed the INSi character profile before.
One match gives 00, none 01, several 02.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .replies import FaultSpec, InsNumber, ReturnedTraits

OID_NIR = "1.2.250.1.213.1.4.8"
OID_NIA = "1.2.250.1.213.1.4.9"


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = " ".join(str(text).split())
    return cleaned or None


@dataclass(frozen=True, slots=True)
class Query:
    """The traits of a search request, as sent (cleaned of extra spaces)."""

    birth_name: str | None
    first_names: tuple[str, ...]  # the Prenom elements, in order
    sex: str | None
    birth_date: str | None
    birth_place: str | None = None
    matricule: str | None = None  # set for a Vitale search by the card's individual matricule


@dataclass(frozen=True, slots=True)
class SimPerson:
    """A person the simulator can return."""

    birth_name: str
    first_names: tuple[str, ...]
    sex: str
    birth_date: str
    birth_place: str | None
    active: InsNumber
    history: tuple[InsNumber, ...] = ()
    tiq_first_name: str | None = None  # TIQ/Prenom, only when a fixture has it
    source: str = ""

    @property
    def first_names_text(self) -> str:
        return " ".join(self.first_names)

    def returned_traits(self) -> ReturnedTraits:
        return ReturnedTraits(
            birth_name=self.birth_name,
            first_names=self.first_names_text,
            sex=self.sex,
            birth_date=self.birth_date,
            birth_place=self.birth_place,
            first_name=self.tiq_first_name,
        )


@dataclass(frozen=True, slots=True)
class FixedCase:
    """Exact request traits for which the service gives a fixed answer instead of a search:
    a fault (D'AEION / COEUR -> siram_40 / insi_102) or a CR without identity (01, 02).

    Matches when the birth name, sex, birth date and birth place are those of the case (a case
    without birth place matches only requests without one, unless `any_place`), and every Prenom
    of the request is one of the case's `first_names` (empty = any)."""

    birth_name: str
    first_names: tuple[str, ...]
    sex: str | None
    birth_date: str | None
    answer: FaultSpec | str  # a fault, or "01" / "02"
    birth_place: str | None = None
    any_place: bool = False
    note: str = ""

    def matches(self, query: Query) -> bool:
        if query.birth_name != self.birth_name:
            return False
        if self.sex is not None and query.sex != self.sex:
            return False
        if self.birth_date is not None and query.birth_date != self.birth_date:
            return False
        if not self.any_place and query.birth_place != self.birth_place:
            return False
        if self.first_names:
            return bool(query.first_names) and all(
                p in self.first_names for p in query.first_names)
        return True


def first_names_match(requested: tuple[str, ...], first_names: tuple[str, ...]) -> bool:
    """Every requested Prenom is one birth first name, or the whole list in order."""
    if not requested:
        return False
    whole = " ".join(first_names)
    return all(p == whole or p in first_names for p in requested)


def matches(person: SimPerson, query: Query) -> bool:
    return (
        person.birth_name == query.birth_name
        and person.sex == query.sex
        and person.birth_date == query.birth_date
        and (query.birth_place is None or person.birth_place == query.birth_place)
        and first_names_match(query.first_names, person.first_names)
    )


# ------------------------------------------------------------------------------------------
# Building people from mappings (the provider's format)


def _key_of(matricule: str) -> str:
    from insterm.domain.nir import compute_key

    return compute_key(matricule)


def oid_for(matricule: str) -> str:
    return OID_NIA if matricule[:1] in {"3", "4", "7", "8"} else OID_NIR


def ins_from_mapping(data: Mapping[str, Any]) -> InsNumber:
    raw = "".join(str(data["matricule"]).split()).upper()
    key = data.get("key") or data.get("cle")
    if len(raw) == 15:
        raw, key = raw[:13], key or raw[13:]
    if len(raw) != 13:
        raise ValueError(f"matricule {raw!r}: 13 or 15 characters expected")
    if key is None:
        key = _key_of(raw)
    return InsNumber(
        matricule=raw,
        key=str(key),
        oid=str(data.get("oid") or oid_for(raw)),
        type_matricule=data.get("type_matricule"),
        date_deb=data.get("date_deb"),
        date_fin=data.get("date_fin"),
    )


def _date_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value).strip()


def person_from_mapping(data: Mapping[str, Any], *, source: str = "") -> SimPerson:
    """A SimPerson from the provider format (module docstring). Raises ValueError/KeyError."""
    first_names = data["first_names"]
    if isinstance(first_names, str):
        first_names = first_names.split()
    place = data.get("birth_place")
    return SimPerson(
        birth_name=_clean(data["birth_name"]) or "",
        first_names=tuple(_clean(p) or "" for p in first_names),
        sex=str(data["sex"]).strip(),
        birth_date=_date_text(data["birth_date"]),
        birth_place=_clean(place) if place else None,
        active=ins_from_mapping(data),
        history=tuple(ins_from_mapping(h) for h in data.get("history") or ()),
        tiq_first_name=_clean(data.get("tiq_first_name")),
        source=source or str(data.get("source") or ""),
    )


PeopleProvider = Callable[[Query], Iterable[Mapping[str, Any]]] | Iterable[Mapping[str, Any]]


@dataclass
class Directory:
    """Everyone the simulator can answer about: people, fixed answers, and a provider."""

    people: list[SimPerson] = field(default_factory=list)
    fixed_cases: list[FixedCase] = field(default_factory=list)
    provider: PeopleProvider | None = None

    def fixed_for(self, query: Query) -> FixedCase | None:
        for case in self.fixed_cases:
            if case.matches(query):
                return case
        return None

    def candidates(self, query: Query) -> Iterable[SimPerson]:
        yield from self.people
        if self.provider is None:
            return
        rows = self.provider(query) if callable(self.provider) else self.provider
        for row in rows:
            yield person_from_mapping(row, source="people")

    def search(self, query: Query) -> list[SimPerson]:
        """The people matching `query`, each once: a provider's person with the very traits of
        one of the simulator's own people (a demo patient typed as a public test identity) is
        that person, not a second one (INSi would otherwise answer 02 for them)."""
        found: list[SimPerson] = []
        seen: set[str] = set()
        own_traits: set[tuple[object, ...]] = set()
        for person in self.candidates(query):
            if not matches(person, query) or person.active.matricule in seen:
                continue
            traits = (person.birth_name, person.first_names, person.sex, person.birth_date,
                      person.birth_place)
            if person.source == "people" and traits in own_traits:
                continue
            if person.source != "people":
                own_traits.add(traits)
            seen.add(person.active.matricule)
            found.append(person)
        return found

    def by_matricule(self, matricule: str) -> list[SimPerson]:
        """People whose active or historical INS has this 13-character matricule (Vitale)."""
        probe = Query(None, (), None, None, matricule=matricule)
        found = []
        for person in self.candidates(probe):
            numbers = (person.active, *person.history)
            if any(n.matricule == matricule for n in numbers):
                found.append(person)
        return found
