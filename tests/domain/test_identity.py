"""Tests of insterm.domain.identity: StrictTraits and UsedNames value objects."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.errors import BirthDateError, DomainError, TraitError
from insterm.domain.identity import StrictTraits, UsedNames

TODAY = date(2025, 6, 15)
# The INSi test identity printed in the datamatrix example of ins-rules.md 6.4.
GOOD: dict[str, Any] = {
    "birth_name": "ADRUN",
    "first_name": "ZOE",
    "first_names": "ZOE",
    "birth_date": date(1975, 12, 31),
    "sex": "F",
    "birth_place": "63220",
}


def build(**changes: Any) -> StrictTraits:
    return StrictTraits.build(**{**GOOD, **changes}, today=TODAY)


def test_build_keeps_every_value() -> None:
    traits = build()
    assert traits == StrictTraits("ADRUN", "ZOE", "ZOE", date(1975, 12, 31), "F", "63220", False)


def test_build_parses_a_text_date_and_flags_a_completed_one() -> None:
    assert build(birth_date="31/12/1975") == build()
    completed = build(birth_date="00/00/1975")
    assert (completed.birth_date, completed.birth_date_corrected) == (date(1975, 12, 31), True)
    assert build(birth_date="31/12/1975", birth_date_corrected=True).birth_date_corrected


def test_build_keeps_the_corrected_flag_of_a_date() -> None:
    assert build(birth_date_corrected=True).birth_date_corrected is True
    assert build(birth_date=datetime(1975, 12, 31, 8, 0)).birth_date == date(1975, 12, 31)


def test_list_of_first_names_may_be_completed_later() -> None:
    assert build(first_names="").first_names == ""


@pytest.mark.parametrize("place", [None, "2A004", "2B020", "99134", "99999", "97105"])
def test_birth_place_shapes(place: str | None) -> None:
    assert build(birth_place=place).birth_place == place


def test_local_sex_i_is_kept() -> None:
    assert build(sex="I").sex == "I"


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"birth_name": "Adrun"}, TraitError, "birth_name"),
        ({"first_name": "ZOE-"}, TraitError, "first_name"),
        ({"first_names": "ZOE--ANNE"}, TraitError, "first_names"),
        ({"first_names": "ANNE ZOE"}, TraitError, "first_name"),  # coherence
        ({"birth_date": "31/02/1975"}, BirthDateError, "birth_date"),
        ({"birth_date": date(2025, 6, 16)}, BirthDateError, "birth_date"),
        ({"birth_date": "1975"}, BirthDateError, "birth_date"),
        ({"birth_date_corrected": "yes"}, BirthDateError, "birth_date"),
        ({"sex": "X"}, TraitError, "sex"),
        ({"birth_place": "2C004"}, TraitError, "birth_place"),
        ({"birth_place": "2a004"}, TraitError, "birth_place"),
        ({"birth_place": "6322"}, TraitError, "birth_place"),
        ({"birth_place": ""}, TraitError, "birth_place"),
        ({"birth_place": 63220}, TraitError, "birth_place"),
    ],
)
def test_build_refuses_each_bad_field(changes: dict[str, Any], error: type, field: str) -> None:
    with pytest.raises(error) as caught:
        build(**changes)
    assert caught.value.field == field
    assert caught.value.message


def test_first_error_in_field_order_is_raised() -> None:
    with pytest.raises(TraitError) as caught:
        build(birth_name="1", first_name="2", sex="X", birth_place="?")
    assert caught.value.field == "birth_name"
    with pytest.raises(BirthDateError):
        build(birth_date="99/99/9999", sex="X", birth_place="?")


def test_place_message_explains_the_format() -> None:
    with pytest.raises(TraitError) as caught:
        build(birth_place="2C\x00004")
    assert "« 2C\ufffd004 »" in caught.value.message
    assert "99999" in caught.value.message


def test_value_objects_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        build().sex = "M"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        UsedNames().used_name = "X"  # type: ignore[misc]


def test_used_names() -> None:
    assert UsedNames.build() == UsedNames(None, None)
    assert UsedNames.build(used_name="MARTIN--DURAND", used_first_name="ZOE") == UsedNames(
        "MARTIN--DURAND", "ZOE"
    )
    with pytest.raises(TraitError) as caught:
        UsedNames.build(used_name="martin")
    assert caught.value.field == "used_name"
    with pytest.raises(TraitError) as caught:
        UsedNames.build(used_first_name="JEAN--PAUL")
    assert caught.value.field == "used_first_name"
    with pytest.raises(TraitError):
        UsedNames.build(used_name="")


@given(
    st.text(max_size=30),
    st.text(max_size=30),
    st.text(max_size=30),
    st.text(max_size=12),
    st.text(max_size=3),
    st.none() | st.text(max_size=6),
)
def test_build_only_raises_domain_errors(
    name: str, first: str, names: str, born: str, sex: str, place: str | None
) -> None:
    try:
        traits = StrictTraits.build(
            birth_name=name, first_name=first, first_names=names, birth_date=born, sex=sex,
            birth_place=place, today=TODAY,
        )
    except DomainError as error:
        assert isinstance(error, TraitError | BirthDateError)
        return
    assert traits.birth_name == name and traits.first_name == first  # never changed
