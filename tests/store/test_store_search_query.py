"""The search-field parser (insterm.domain.query): every kind, and hypothesis for any text."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insterm.domain.datamatrix import DatamatrixIdentity, encode
from insterm.domain.nir import compute_key
from insterm.domain.query import (
    BirthDateQuery,
    DatamatrixQuery,
    IppQuery,
    MatriculeQuery,
    NameQuery,
    QueryError,
    parse_query,
    search_key,
)


def test_matricule_with_spaces_and_13_without_key() -> None:
    assert parse_query("2 79 03 51 215 189 89") == MatriculeQuery("279035121518989")
    assert parse_query("2790351215189") == MatriculeQuery("279035121518989")
    assert parse_query("180032b02040123") == MatriculeQuery("180032B02040123")


def test_wrong_key_names_the_expected_key() -> None:
    with pytest.raises(QueryError) as error:
        parse_query("279035121518988")
    assert "89" in str(error.value)


@pytest.mark.parametrize("text", ["01/02/1980", "1/2/1980", "01-02-1980", "01.02.1980",
                                  "1980-02-01", "01 02 1980"])
def test_dates(text: str) -> None:
    assert parse_query(text) == BirthDateQuery(date(1980, 2, 1))


def test_eight_digits_date_also_tried_as_ipp() -> None:
    assert parse_query("01021980") == BirthDateQuery(date(1980, 2, 1), also_ipp="01021980")
    # eight digits that are no date: an IPP
    assert parse_query("99999999") == IppQuery("99999999")


def test_impossible_date_is_refused() -> None:
    with pytest.raises(QueryError, match="date réelle"):
        parse_query("31/02/1980")


def test_ipp() -> None:
    assert parse_query("100000012") == IppQuery("100000012")
    assert parse_query("p-123") == IppQuery("P-123")


def test_name_first_name_and_date_splits() -> None:
    query = parse_query("Le Gall Marie 03/04/1975")
    assert isinstance(query, NameQuery)
    assert query.birth_date == date(1975, 4, 3)
    assert [(s.name_key, s.first_name_key) for s in query.splits] == [
        ("LE", "GALLMARIE"), ("LEGALL", "MARIE"), ("LEGALLMARIE", None)]


def test_comma_separates_name_and_first_name() -> None:
    query = parse_query("le gall, marie-anne")
    assert isinstance(query, NameQuery)
    assert [(s.name_key, s.first_name_key) for s in query.splits] == [("LEGALL", "MARIEANNE")]


def test_diacritics_and_ligatures_in_keys() -> None:
    assert search_key("Œuvray-Hélène d'Arc") == "OEUVRAYHELENEDARC"
    assert parse_query("ÉLODIE").splits[0].name_key == "ELODIE"  # type: ignore[union-attr]


def test_datamatrix_payload() -> None:
    identity = DatamatrixIdentity(matricule="275126322074974", oid="1.2.250.1.213.1.4.8",
                                  first_names="ZOE", birth_name="ADRUN", sex="F",
                                  birth_date=date(1975, 12, 31), birth_place="63220")
    query = parse_query(encode(identity).replace("\x1d", "<GS>"))
    assert isinstance(query, DatamatrixQuery)
    assert query.identity.matricule == "275126322074974"


@pytest.mark.parametrize("text", ["", "   ", "@@@", "MARTIN 12#4", "IS01xyz", "a,b,c"])
def test_nonsense_is_a_french_query_error(text: str) -> None:
    with pytest.raises(QueryError) as error:
        parse_query(text)
    assert error.value.message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_a_query_or_a_query_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as error:
        assert error.message
        return
    assert isinstance(query, (MatriculeQuery, IppQuery, BirthDateQuery, NameQuery,
                              DatamatrixQuery))
    if isinstance(query, NameQuery):
        for split in query.splits:
            assert split.name_key and set(split.name_key) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_search_key_is_idempotent_and_uppercase_ascii(text: str) -> None:
    key = search_key(text)
    assert set(key) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert search_key(key) == key


_bodies = st.builds(
    lambda sex, yy, mm, dept, commune, order: f"{sex}{yy:02d}{mm:02d}{dept}{commune:03d}{order:03d}",
    st.sampled_from("12"), st.integers(0, 99), st.integers(1, 12),
    st.sampled_from(["75", "63", "2A", "2B", "13"]), st.integers(1, 999), st.integers(1, 999))


@settings(max_examples=200, deadline=None)
@given(_bodies, st.sampled_from(["", " ", "."]))
def test_any_valid_matricule_is_found_with_or_without_key(body: str, sep: str) -> None:
    full = body + compute_key(body)
    spaced = sep.join([full[0], full[1:3], full[3:5], full[5:7], full[7:10], full[10:13],
                       full[13:]])
    assert parse_query(spaced) == MatriculeQuery(full)
    assert parse_query(body.lower()) == MatriculeQuery(full)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1850, 1, 1), max_value=date(2030, 12, 31)),
       st.sampled_from(["/", "-", "."]))
def test_any_date_typed_day_first_is_a_birth_date_query(day: date, sep: str) -> None:
    text = f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year:04d}"
    assert parse_query(text).birth_date == day  # type: ignore[union-attr]
    named = parse_query(f"MARTIN Jean {text}")
    assert isinstance(named, NameQuery) and named.birth_date == day


_any_bodies = st.builds(
    lambda sex, yy, mm, dept, commune, order: f"{sex}{yy:02d}{mm:02d}{dept}{commune:03d}{order:03d}",
    st.sampled_from("0123456789"), st.integers(0, 99), st.integers(0, 99),
    st.sampled_from(["00", "01", "20", "2A", "2B", "75", "91", "96", "97", "98", "99"]),
    st.integers(0, 999), st.integers(0, 999))


@settings(max_examples=400, deadline=None)
@given(_any_bodies, st.booleans())
def test_matricule_queries_agree_with_the_domain(body: str, right_key: bool) -> None:
    """A typed matricule is accepted exactly when insterm.domain.nir accepts it."""
    from insterm.domain.errors import NirError
    from insterm.domain.nir import parse_nir

    key = compute_key(body) if right_key else f"{(int(compute_key(body)) % 97) + 1:02d}"
    text = body + key
    try:
        expected: object = MatriculeQuery(parse_nir(text).value)
    except NirError:
        expected = QueryError
    try:
        got: object = parse_query(text)
    except QueryError:
        got = QueryError
    assert got == expected
