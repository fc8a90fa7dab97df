"""Synthetic people for the batch INSi verification tests: identities in the database (bulk
insert), the simulator's answer for each (a person, another person, nobody, a fault), and the
received INS recorded through the use case.

Kinds (one per identity, by `kind_of(index)`):
- "confirmed": the simulator knows the person with the same traits and the received INS;
- "traits": it knows them under the received INS with one more birth first name (00, traits
  different);
- "other_ins": it knows them with another INS (00, INS different);
- "unknown": it knows nobody with these traits (01);
- "fault": it answers the captured SOAP fault (Receiver, siram_40 / insi_102) for these
  traits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from insterm.domain.nir import compute_key
from insterm.insi.simulator import FixedCase
from insterm.insi.simulator.replies import FaultSpec

KINDS = ("confirmed", "confirmed", "confirmed", "confirmed", "traits", "other_ins", "unknown",
         "fault")
PLACE = "75056"
OID_NIR = "1.2.250.1.213.1.4.8"
FAULT = FaultSpec(soap_code="Receiver", subcode="siram_40",  # as captured (test identities)
                  reason="Le service est temporairement inaccessible. Veuillez renouveler votre "
                         "demande ultérieurement.",
                  error_code="insi_102", severity="fatal",
                  detail="L'appel au service de recherche avec les traits d'identité renvoie une "
                         "erreur technique.", source="tests/batch_people.py")


def kind_of(index: int) -> str:
    return KINDS[index % len(KINDS)]


def letters(number: int, width: int = 4) -> str:
    out = ""
    for _ in range(width):
        number, digit = divmod(number, 26)
        out = chr(ord("A") + digit) + out
    return out


def matricule(sex: str, born: date, order: int) -> str:
    body = f"{1 if sex == 'M' else 2}{born.year % 100:02d}{born.month:02d}{PLACE}{order:03d}"
    return body + compute_key(body)


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    kind: str
    birth_name: str
    first_names: str
    sex: str
    birth_date: date
    received: str  # the INS received with the identity

    def row(self, **extra: Any) -> dict[str, Any]:
        return {"birth_name": self.birth_name, "first_name": self.first_names.split()[0],
                "first_names": self.first_names, "birth_date": self.birth_date,
                "sex": self.sex, "birth_place": PLACE, **extra}


def people(count: int, *, start: int = 0, prefix: str = "LOT") -> list[Person]:
    made = []
    for index in range(start, start + count):
        sex = "F" if index % 2 else "M"
        born = date(1950, 1, 1) + timedelta(days=index * 7 % 20000)
        first = "MARIE" if sex == "F" else "JEAN"
        made.append(Person(index, kind_of(index), f"{prefix}{letters(index)}", first, sex, born,
                           matricule(sex, born, index % 999 + 1)))
    return made


def sim_mapping(person: Person) -> Mapping[str, Any] | None:
    base = {"birth_name": person.birth_name, "first_names": person.first_names,
            "sex": person.sex, "birth_date": person.birth_date.isoformat(),
            "birth_place": PLACE, "matricule": person.received, "oid": OID_NIR}
    if person.kind == "confirmed":
        return base
    if person.kind == "traits":
        return {**base, "first_names": person.first_names + " CLAIRE"}
    if person.kind == "other_ins":
        other = matricule(person.sex, person.birth_date, (person.index + 500) % 999 + 1)
        return {**base, "matricule": other}
    return None


class Provider:
    """The simulator's `people` provider: the people of these persons, found by birth name."""

    def __init__(self, persons: Sequence[Person]) -> None:
        self.by_name: dict[str, list[Mapping[str, Any]]] = {}
        self.add(persons)

    def add(self, persons: Sequence[Person]) -> None:
        for person in persons:
            mapping = sim_mapping(person)
            if mapping is not None:
                self.by_name.setdefault(person.birth_name, []).append(mapping)

    def __call__(self, query: Any) -> list[Mapping[str, Any]]:
        return self.by_name.get(query.birth_name or "", [])


def fault_cases(persons: Sequence[Person]) -> list[FixedCase]:
    return [FixedCase(p.birth_name, (), p.sex, p.birth_date.isoformat(), FAULT,
                      birth_place=PLACE) for p in persons if p.kind == "fault"]
