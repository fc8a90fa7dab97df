"""Every place a person types a date reads the same shapes (insterm.domain.dates): the search
field, the birth date of the identity form, the document's expiry and the journal's filters."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.query import BirthDateQuery, parse_query
from insterm.domain.traits import parse_birth_date
from insterm.tui.forms.document_check import parse_day as document_day
from insterm.tui.screens.journal import parse_day as journal_day

SHAPES = ["{d:02d}/{m:02d}/{y:04d}", "{d}/{m}/{y:04d}", "{d:02d}-{m:02d}-{y:04d}",
          "{d:02d}.{m:02d}.{y:04d}", "{d:02d} {m:02d} {y:04d}", "{d} / {m} / {y:04d}",
          "{d:02d}{m:02d}{y:04d}", "{y:04d}-{m:02d}-{d:02d}"]
TODAY = date(2026, 12, 4)


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY), st.sampled_from(SHAPES))
def test_the_four_readers_agree(day: date, shape: str) -> None:
    text = shape.format(d=day.day, m=day.month, y=day.year)
    assert parse_birth_date(text, today=TODAY).value == day
    assert document_day(text) == day
    assert journal_day(text, "since", "Du") == day
    query = parse_query(text)
    assert isinstance(query, BirthDateQuery) and query.birth_date == day
