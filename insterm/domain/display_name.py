"""How a patient is named on every screen, message and printout: one rule, written once.

Identity vigilance names a person by the strict traits first (ins-rules.md 2.1-2.2): the birth
name and the first birth first name, in that order, as INSi and the identity document give
them. The used name and the used first name are complementary traits: shown after the birth
ones, each marked as used, and only when they differ from them (a used name equal to the birth
name says nothing more). They never stand in for the birth values.

    name = PatientName.of(record)          # anything with the four attributes below
    name.main    -> "BOKOBZA ISABELLE"
    name.used    -> "nom utilisé : MARTIN, prénom utilisé : KARINE"   ("" when none)
    name.full    -> "BOKOBZA ISABELLE (nom utilisé : MARTIN, prénom utilisé : KARINE)"
    display_name(record) == PatientName.of(record).full

`main` is for the places too short for the rest (a title, a table column, a dialog's first
line) where the used names are shown next to it or a keystroke away; everywhere else `full`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

USED_NAME = "nom utilisé"
USED_FIRST_NAME = "prénom utilisé"


class HasNames(Protocol):
    """An identity as every layer holds it (record, search summary, INSi person...)."""

    @property
    def birth_name(self) -> str: ...

    @property
    def first_name(self) -> str: ...

    @property
    def used_name(self) -> str | None: ...

    @property
    def used_first_name(self) -> str | None: ...


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


@dataclass(frozen=True, slots=True)
class PatientName:
    """A patient's name by the identity-vigilance rule (module docstring)."""

    birth_name: str
    first_name: str
    used_name: str = ""
    used_first_name: str = ""

    @classmethod
    def build(cls, birth_name: str, first_name: str, used_name: str | None = None,
              used_first_name: str | None = None) -> PatientName:
        """The name from its four traits (None or blank: absent; inner blanks collapsed)."""
        birth, first = _clean(birth_name), _clean(first_name)
        used, used_first = _clean(used_name), _clean(used_first_name)
        return cls(birth, first, "" if used == birth else used,
                   "" if used_first == first else used_first)

    @classmethod
    def of(cls, identity: HasNames) -> PatientName:
        return cls.build(identity.birth_name, identity.first_name, identity.used_name,
                         identity.used_first_name)

    @property
    def main(self) -> str:
        """Birth name then first birth first name: "BOKOBZA ISABELLE"."""
        return " ".join(part for part in (self.birth_name, self.first_name) if part)

    @property
    def used(self) -> str:
        """The used names, each marked ("nom utilisé : MARTIN"); "" when there is none."""
        parts = []
        if self.used_name:
            parts.append(f"{USED_NAME} : {self.used_name}")
        if self.used_first_name:
            parts.append(f"{USED_FIRST_NAME} : {self.used_first_name}")
        return ", ".join(parts)

    @property
    def full(self) -> str:
        """`main`, then the used names in brackets when there are some."""
        used = self.used
        return f"{self.main} ({used})" if used else self.main

    def __str__(self) -> str:
        return self.full


def display_name(identity: HasNames) -> str:
    """The full name of `identity` by the rule: `PatientName.of(identity).full`."""
    return PatientName.of(identity).full


def main_name(identity: HasNames) -> str:
    """Birth name and first birth first name only: `PatientName.of(identity).main`."""
    return PatientName.of(identity).main
