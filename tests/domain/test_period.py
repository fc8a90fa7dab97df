"""The report's period as typed (insterm.domain.period)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.errors import DomainError
from insterm.domain.period import Period, PeriodError, last_months, parse_period


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026", date(2026, 1, 1), date(2027, 1, 1)),
    ("2026-03", date(2026, 3, 1), date(2026, 4, 1)),
    ("03/2026", date(2026, 3, 1), date(2026, 4, 1)),
    ("2026-12", date(2026, 12, 1), date(2027, 1, 1)),
    ("2026-01..2026-06", date(2026, 1, 1), date(2026, 7, 1)),
    (" 15/02/2026 .. 2026-03-01 ", date(2026, 2, 15), date(2026, 3, 2)),
    ("2025..2026-02", date(2025, 1, 1), date(2026, 3, 1)),
])
def test_accepted_shapes(text: str, start: date, end: date) -> None:
    assert parse_period(text) == Period(start, end)


@pytest.mark.parametrize(("text", "said"), [
    ("", "Indiquez une période"),
    ("2026-13", "n'existe pas"),
    ("2026-06..2026-01", "après son début"),
    ("2026..2027..2028", "un seul « .. »"),
    ("juin", "illisible"),
    ("31/02/2026", "n'existe pas"),
    ("0000", "hors des années"),
    ("\x1b[2J", "\\x1b"),
])
def test_refusals_say_what_to_type(text: str, said: str) -> None:
    with pytest.raises(PeriodError) as refused:
        parse_period(text)
    assert said in refused.value.message
    assert "\x1b" not in refused.value.message


@given(st.text(max_size=30))
def test_any_text_is_a_period_or_a_french_refusal(text: str) -> None:
    try:
        period = parse_period(text)
    except DomainError as error:
        assert error.message and "\x1b" not in error.message
    else:
        assert period.start < period.end


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2998, 12, 31)),
       st.dates(min_value=date(1900, 1, 1), max_value=date(2998, 12, 31)))
def test_day_ranges_include_both_days(a: date, b: date) -> None:
    first, last = min(a, b), max(a, b)
    period = parse_period(f"{first:%d/%m/%Y}..{last.isoformat()}")
    assert period == Period(first, last + timedelta(days=1))
    months = period.months()
    assert months[0] == first.replace(day=1) and months[-1] == last.replace(day=1)
    assert months == tuple(sorted(set(months)))


def test_last_twelve_months_end_with_the_current_one() -> None:
    period = last_months(date(2026, 12, 4))
    assert period == Period(date(2026, 1, 1), date(2027, 1, 1))
    assert len(period.months()) == 12
    assert last_months(date(2026, 3, 31)).start == date(2025, 4, 1)
    assert period.label() == "du 01/01/2026 au 31/12/2026"
