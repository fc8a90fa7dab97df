"""The NIR key of insterm.domain.nir against python-stdnum's `stdnum.fr.nir`, an independent
implementation (a test dependency only), on generated 13-character bodies: any digits with
2A/2B at positions 6-7 for the key, and well-formed matricules (Corsica and overseas among
them) for parsing, the key check and the printed grouping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.exceptions import InvalidChecksum
from stdnum.fr import nir as stdnum_nir

from insterm.domain.errors import NirKeyError
from insterm.domain.nir import compute_key, grouped, parse_nir


def digits(count: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=count, max_size=count)


def numbered(low: int, high: int, width: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:0{width}d}")


# Positions 6-7 of any body: two digits, or Corsica's 2A / 2B (the key reads them 19 / 18).
DEPARTMENT_PAIR = st.one_of(digits(2), st.sampled_from(["2A", "2B"]))
ANY_BODY = st.builds(lambda head, dept, tail: head + dept + tail,
                     digits(5), DEPARTMENT_PAIR, digits(6))

# Well-formed bodies (ins-rules 5.1): sex, year, month or pseudo-month, place, order number.
SEX = st.sampled_from("123478")  # 3, 4, 7, 8: provisional numbers
MONTH = st.one_of(numbered(1, 12, 2), numbered(20, 42, 2), numbered(50, 99, 2))
MAINLAND_PLACE = st.builds(
    lambda dept, commune: dept + commune,
    st.one_of(numbered(1, 96, 2), st.sampled_from(["2A", "2B", "99"])),
    numbered(1, 999, 3),
)
OVERSEAS_PLACE = st.builds(lambda dept, digit, commune: dept + digit + commune,
                           st.sampled_from(["97", "98"]), digits(1), numbered(1, 99, 2))
WELL_FORMED_BODY = st.builds(lambda sex, year, month, place, order: sex + year + month + place
                             + order,
                             SEX, digits(2), MONTH, st.one_of(MAINLAND_PLACE, OVERSEAS_PLACE),
                             numbered(1, 999, 3))
CORSICAN_BODY = WELL_FORMED_BODY.filter(lambda body: body[5:7] in ("2A", "2B"))


@given(ANY_BODY)
def test_the_key_of_any_body_is_stdnums(body: str) -> None:
    assert compute_key(body) == stdnum_nir.calc_check_digits(body)


@given(ANY_BODY)
def test_lowercase_2a_2b_give_stdnums_key(body: str) -> None:
    assert compute_key(body.lower()) == stdnum_nir.calc_check_digits(body)


@given(WELL_FORMED_BODY)
def test_a_well_formed_matricule_with_its_key_is_valid_for_both(body: str) -> None:
    matricule = body + stdnum_nir.calc_check_digits(body)
    nir = parse_nir(matricule)
    assert nir.value == stdnum_nir.validate(matricule) == matricule
    assert nir.key == matricule[13:]
    assert grouped(matricule) == stdnum_nir.format(matricule)


@given(CORSICAN_BODY)
def test_corsican_matricules_agree(body: str) -> None:
    key = compute_key(body)
    assert key == stdnum_nir.calc_check_digits(body)
    assert stdnum_nir.is_valid(body + key)
    assert parse_nir(body + key).department == body[5:7]


@given(WELL_FORMED_BODY, st.integers(1, 96))
def test_a_wrong_key_is_refused_by_both(body: str, shift: int) -> None:
    right = int(stdnum_nir.calc_check_digits(body))
    wrong = f"{(right - 1 + shift) % 97 + 1:02d}"  # another key of 01..97
    assert wrong != f"{right:02d}"
    with pytest.raises(NirKeyError):
        parse_nir(body + wrong)
    with pytest.raises(InvalidChecksum):
        stdnum_nir.validate(body + wrong)
