"""Identities nobody can name yet (insterm.domain.unnamed)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.errors import DomainError
from insterm.domain.unnamed import UNKNOWN_NAME, UnnamedKind, unnamed_identity

TODAY = date(2026, 12, 4)


def test_an_unknown_patient_with_an_estimated_year() -> None:
    made = unnamed_identity(UnnamedKind.UNKNOWN, sex="M", estimated_year="1950", today=TODAY)
    traits = made.traits
    assert (traits.birth_name, traits.first_name, traits.sex) == (UNKNOWN_NAME, UNKNOWN_NAME, "M")
    assert (traits.birth_date, traits.birth_date_corrected) == (date(1950, 12, 31), True)
    assert made.kind.attribute == "DOUT"


def test_a_newborn_keeps_its_birth_name_and_real_date() -> None:
    made = unnamed_identity(UnnamedKind.UNKNOWN, birth_name=" martin ", sex="I",
                            birth_date="03/12/2026", today=TODAY)
    assert (made.traits.birth_name, made.traits.first_name) == ("MARTIN", UNKNOWN_NAME)
    assert (made.traits.birth_date, made.traits.birth_date_corrected) == (date(2026, 12, 3),
                                                                          False)


@pytest.mark.parametrize(("kind", "values", "field", "said"), [
    (UnnamedKind.ANONYMOUS, dict(first_name="X", sex="F", estimated_year="1980"), "birth_name",
     "nom d'emprunt"),
    (UnnamedKind.ANONYMOUS, dict(birth_name="DUPRE", sex="F", estimated_year="1980"),
     "first_name", "prénom d'emprunt"),
    (UnnamedKind.UNKNOWN, dict(sex="", estimated_year="1980"), "sex", "Indiquez le sexe"),
    (UnnamedKind.UNKNOWN, dict(sex="F"), "birth_date", "ou à défaut une année estimée"),
    (UnnamedKind.UNKNOWN, dict(sex="F", birth_date="01/01/1980", estimated_year="1980"),
     "birth_date", "pas les deux"),
    (UnnamedKind.UNKNOWN, dict(sex="F", estimated_year="80"), "estimated_year", "AAAA"),
])
def test_refusals_name_their_field(kind: UnnamedKind, values: dict, field: str,
                                   said: str) -> None:
    with pytest.raises(DomainError, match=said) as refused:
        unnamed_identity(kind, today=TODAY, **values)
    assert refused.value.field == field


@given(st.text(max_size=8), st.text(max_size=8), st.sampled_from(["M", "F", "I", "", "X"]),
       st.text(max_size=12), st.text(max_size=5))
def test_any_input_is_an_identity_or_a_french_refusal(name: str, first: str, sex: str,
                                                       born: str, year: str) -> None:
    try:
        made = unnamed_identity(UnnamedKind.UNKNOWN, birth_name=name, first_name=first, sex=sex,
                                birth_date=born, estimated_year=year, today=TODAY)
    except DomainError as error:
        assert error.message and "\x1b" not in error.message
    else:
        assert made.traits.birth_date <= TODAY
