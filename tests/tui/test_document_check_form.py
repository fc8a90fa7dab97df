"""The document check form's pure parts: the expiry date parser (hypothesis), and how the
entered values become the clinic's `DocumentCheck` (no app, no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.tui.screens.document_check import (
    Entered,
    build_check,
    parse_day,
    proof_arguments,
)


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_every_date_reads_back_with_or_without_slashes(day: date) -> None:
    assert parse_day(day.strftime("%d/%m/%Y")) == day
    assert parse_day(day.strftime("%d%m%Y")) == day
    assert parse_day(f"  {day:%d/%m/%Y} ") == day


@given(st.text(max_size=14))
def test_any_text_is_a_date_or_a_french_refusal(text: str) -> None:
    try:
        parsed = parse_day(text)
    except ValueError as refused:
        message = str(refused)
        assert ("JJ/MM/AAAA" in message and message.startswith("Date incorrecte")) or \
            "n'existe pas : vérifiez la date" in message
    else:
        assert isinstance(parsed, date)


@pytest.mark.parametrize("text", ["", "1/1/2030", "٠١٠١٢٠٣٠", "01/012030", "01/01/30",
                                  "01-01-2030", "2030/01/01", "010120301", "aa/bb/cccc",
                                  "01//012030"])
def test_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="JJ/MM/AAAA"):
        parse_day(text)


def test_impossible_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="Le 29/02/2027 n'existe pas"):
        parse_day("29/02/2027")
    assert parse_day("29/02/2028") == date(2028, 2, 29)


def test_no_type_gives_no_check() -> None:
    check, problems = build_check(Entered(expiry="01/01/2030"), minor=False)
    assert check is None and "aucun type n'est présélectionné" in problems["document"]


def test_passport_check() -> None:
    check, problems = build_check(Entered(code="PA", expiry="31/12/2030"), minor=False)
    assert problems == {}
    assert check is not None
    assert (list(check.codes), check.traits_match, dict(check.expires_on)) == \
        (["PA"], True, {"PA": date(2030, 12, 31)})
    assert (check.parent_codes, check.child_welfare) == ((), False)


def test_situation_ignored_when_the_type_proves_alone_for_an_adult() -> None:
    entered = Entered(code="PA", situation="ehpad", vitale=True)
    assert proof_arguments(entered, minor=False) == {"codes": ["PA"]}


def test_situation_of_the_other_age_is_ignored() -> None:
    # A minor's situation left over is never sent for an adult (and the reverse).
    assert proof_arguments(Entered(code="AN", situation="parent", other_code="PA"),
                           minor=False) == {"codes": ["AN"]}
    assert proof_arguments(Entered(code="AN", situation="ehpad", vitale=True),
                           minor=True) == {"codes": ["AN"]}


def test_parent_document_with_its_expiry() -> None:
    entered = Entered(code="LE", situation="parent", other_code="CN", other_expiry="01/01/2031")
    check, problems = build_check(entered, minor=True)
    assert problems == {} and check is not None
    assert (list(check.codes), list(check.parent_codes), dict(check.expires_on)) == \
        (["LE"], ["CN"], {"CN": date(2031, 1, 1)})


def test_parent_document_missing_or_without_its_date() -> None:
    _, problems = build_check(Entered(code="LE", situation="guardian"), minor=True)
    assert "pièce du tuteur" in problems["other"]
    _, problems = build_check(Entered(code="LE", situation="parent", other_code="PA"),
                              minor=True)
    assert "« Passeport »" in problems["other_expiry"]


def test_vitale_situations_add_the_card_and_the_context() -> None:
    check, _ = build_check(Entered(code="AN", situation="ase", vitale=True), minor=True)
    assert check is not None and list(check.codes) == ["AN", "CV"] and check.child_welfare
    check, _ = build_check(Entered(code="LE", situation="ehpad", vitale=False), minor=False)
    assert check is not None and list(check.codes) == ["LE"] and check.ehpad_direct_admission


def test_anything_and_unconfirmed() -> None:
    assert not Entered().anything
    assert Entered(confirmed={"sex": True}).anything
    assert Entered(confirmed={"sex": True}).unconfirmed == [
        "birth_name", "first_names", "birth_date", "birth_place"]
