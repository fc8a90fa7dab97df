"""The INSi result codes' French meanings: the three codes of the contract, nothing else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.insi_codes import CR_MEANINGS, cr_meaning


def test_the_three_codes_of_the_contract_have_a_meaning() -> None:
    assert cr_meaning("00") == "une identité trouvée"
    assert cr_meaning("01") == "aucune identité trouvée"
    assert cr_meaning("02") == "plusieurs identités trouvées"
    assert set(CR_MEANINGS) == {"00", "01", "02"}


@given(st.one_of(st.text(), st.none(), st.integers()))
def test_any_other_value_has_none(code: object) -> None:
    if code not in CR_MEANINGS:
        assert cr_meaning(code) is None
