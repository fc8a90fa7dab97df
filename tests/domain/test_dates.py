"""One reading of typed dates for every field and command (insterm.domain.dates)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.dates import DateTextError, parse_date, split_date
from insterm.domain.traits import format_birth_date

DAYS = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@given(DAYS, st.sampled_from(["{d:02d}/{m:02d}/{y:04d}", "{d}/{m}/{y:04d}", "{d:02d}-{m:02d}-{y:04d}",
                              "{d:02d}.{m:02d}.{y:04d}", "{d:02d} {m:02d} {y:04d}",
                              "{d:02d}{m:02d}{y:04d}", "{y:04d}-{m:02d}-{d:02d}",
                              "  {d:02d}/{m:02d}/{y:04d}  "]))
def test_every_accepted_shape_reads_the_same_day(day: date, shape: str) -> None:
    text = shape.format(d=day.day, m=day.month, y=day.year)
    assert parse_date(text) == day
    assert split_date(text) == (day.day, day.month, day.year)


@given(DAYS)
def test_what_the_screens_show_reads_back(day: date) -> None:
    assert parse_date(format_birth_date(day)) == day


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_a_french_refusal(text: str) -> None:
    try:
        value = parse_date(text)
    except DateTextError as error:
        assert error.kind in ("format", "calendar")
        assert "\x1b" not in error.message
        assert ("n'est pas une date" in error.message) == (error.kind == "format")
    else:
        assert isinstance(value, date)
        assert split_date(text) == (value.day, value.month, value.year)


@pytest.mark.parametrize("text", ["2025", "06/2025", "1/6/25", "01/06/2025 12:00", "1er juin 2025",
                                  "01//06/2025", "123/06/2025", "2025/06/01", "",
                                  "12/03-1980", "12 /03/1980"])
def test_shapes_that_are_not_dates_are_refused_not_guessed(text: str) -> None:
    assert split_date(text) is None
    with pytest.raises(DateTextError, match="n'est pas une date") as refused:
        parse_date(text, label="Du", field="since")
    assert refused.value.message.startswith("Du : ")
    assert refused.value.field == "since" and refused.value.kind == "format"


@pytest.mark.parametrize(("text", "said"), [("31/02/2024", "le 31/02/2024 n'existe pas"),
                                            ("00/06/2025", "le 00/06/2025 n'existe pas"),
                                            ("2023-02-29", "le 29/02/2023 n'existe pas")])
def test_days_outside_the_calendar_say_so(text: str, said: str) -> None:
    assert split_date(text) is not None
    with pytest.raises(DateTextError, match=said) as refused:
        parse_date(text)
    assert refused.value.kind == "calendar"


def test_control_characters_are_escaped_in_the_message() -> None:
    with pytest.raises(DateTextError) as refused:
        parse_date("\x1b[31m01/01")
    assert "\x1b" not in refused.value.message and "\\x1b" in refused.value.message
