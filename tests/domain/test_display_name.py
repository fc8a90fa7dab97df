"""The one rule that names a patient (insterm.domain.display_name)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.display_name import PatientName, display_name, main_name

NAME = st.from_regex(r"[A-Z]{1,8}(?:[- '][A-Z]{1,8}){0,2}", fullmatch=True)
MAYBE = st.one_of(st.none(), st.just(""), NAME)


@dataclass(frozen=True)
class Person:
    birth_name: str
    first_name: str
    used_name: str | None = None
    used_first_name: str | None = None


def test_the_issue_example_reads_birth_values_first_then_used_ones_marked() -> None:
    person = Person("BOKOBZA", "ISABELLE", "MARTIN", "KARINE")
    assert main_name(person) == "BOKOBZA ISABELLE"
    assert display_name(person) == (
        "BOKOBZA ISABELLE (nom utilisé : MARTIN, prénom utilisé : KARINE)")


def test_one_used_value_alone_is_marked_alone() -> None:
    assert display_name(Person("MARTIN", "MARIE", "DURAND")) == (
        "MARTIN MARIE (nom utilisé : DURAND)")
    assert display_name(Person("MARTIN", "MARIE", None, "MAUD")) == (
        "MARTIN MARIE (prénom utilisé : MAUD)")


def test_used_values_equal_to_birth_ones_or_blank_say_nothing() -> None:
    assert display_name(Person("ADRUN", "ZOE", "ADRUN", "ZOE")) == "ADRUN ZOE"
    assert display_name(Person("ADRUN", "ZOE", "  ", "")) == "ADRUN ZOE"


@given(NAME, NAME, MAYBE, MAYBE)
def test_the_birth_values_always_come_first_and_whole(birth: str, first: str,
                                                      used: str | None,
                                                      used_first: str | None) -> None:
    name = PatientName.of(Person(birth, first, used, used_first))
    assert name.full.startswith(f"{birth} {first}")
    assert name.main == f"{birth} {first}"
    rest = name.full[len(name.main):]
    if used and used != birth:
        assert f"nom utilisé : {used}" in rest
    if used_first and used_first != first:
        assert f"prénom utilisé : {used_first}" in rest
    if (not used or used == birth) and (not used_first or used_first == first):
        assert rest == ""
    else:
        assert rest.startswith(" (") and rest.endswith(")")
    assert str(name) == name.full == display_name(Person(birth, first, used, used_first))
