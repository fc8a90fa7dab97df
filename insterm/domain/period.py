"""A period of the identity-vigilance report, as a person types it, and its months.

Accepted: a year (`2026`), a month (`2026-03` or `03/2026`), a day (any date of
`insterm.domain.dates`), or two of these joined by `..` (`2026-01..2026-06`: January to June
inclusive). The period runs from the first day of its start to the last day of its end; it is
held as [start, end) so that SQL compares `at >= start AND at < end`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from insterm.domain.dates import parse_date, split_date
from insterm.domain.errors import DomainError, echoed

__all__ = ["PERIOD_FORMATS", "Period", "PeriodError", "last_months", "month_start", "parse_period"]

PERIOD_FORMATS = ("AAAA, AAAA-MM, MM/AAAA, JJ/MM/AAAA ou AAAA-MM-JJ, ou deux de ces formes "
                  "reliées par « .. »")

_YEAR = re.compile(r"([0-9]{4})")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")
_FRENCH_MONTH = re.compile(r"([0-9]{1,2})/([0-9]{4})")


class PeriodError(DomainError):
    """A period that cannot be read; the message is French and says what to type."""


@dataclass(frozen=True, slots=True)
class Period:
    """From `start` (included) to `end` (excluded), whole days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise PeriodError("La fin de la période doit venir après son début.")

    def label(self) -> str:
        """« du 01/01/2026 au 30/06/2026 »."""
        last = date.fromordinal(self.end.toordinal() - 1)
        return f"du {self.start:%d/%m/%Y} au {last:%d/%m/%Y}"

    def months(self) -> tuple[date, ...]:
        """The first day of every month the period touches, in order."""
        found = []
        month = month_start(self.start)
        while month < self.end:
            found.append(month)
            month = _next_month(month)
        return tuple(found)


def month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def last_months(today: date, count: int = 12) -> Period:
    """The `count` calendar months ending with the current one (to its last day)."""
    start = month_start(today)
    for _ in range(count - 1):
        start = (date(start.year - 1, 12, 1) if start.month == 1
                 else date(start.year, start.month - 1, 1))
    return Period(start, _next_month(month_start(today)))


def _year(value: str, raw: str) -> int:
    year = int(value)
    if not 1900 <= year <= 2999:
        raise PeriodError(f"L'année de « {echoed(raw, 20)} » est hors des années possibles "
                          "(1900 à 2999).")
    return year


def _bounds(text: str) -> tuple[date, date]:
    """The first day and the day after the last day of one typed year, month or day."""
    raw = text.strip()
    if match := _YEAR.fullmatch(raw):
        year = _year(match[1], raw)
        return date(year, 1, 1), date(year + 1, 1, 1)
    month_match = _ISO_MONTH.fullmatch(raw) or _FRENCH_MONTH.fullmatch(raw)
    if month_match is not None:
        year_text, month_text = ((month_match[1], month_match[2]) if month_match.re is _ISO_MONTH
                                 else (month_match[2], month_match[1]))
        year, month = _year(year_text, raw), int(month_text)
        if not 1 <= month <= 12:
            raise PeriodError(f"Le mois « {echoed(raw, 20)} » n'existe pas : 01 à 12.")
        first = date(year, month, 1)
        return first, _next_month(first)
    if split_date(raw) is None:
        raise PeriodError(f"Période « {echoed(raw, 30)} » illisible : tapez {PERIOD_FORMATS}.")
    day = parse_date(raw, label="Le jour")
    _year(str(day.year), raw)
    return day, date.fromordinal(day.toordinal() + 1)


def parse_period(text: str) -> Period:
    """The period typed, or `PeriodError` (French) saying what to type."""
    if not isinstance(text, str) or not text.strip():
        raise PeriodError(f"Indiquez une période : {PERIOD_FORMATS}.")
    parts = text.split("..")
    if len(parts) > 2:
        raise PeriodError(f"Période « {echoed(text.strip(), 30)} » illisible : un seul « .. » "
                          "sépare le début de la fin.")
    try:
        start, end = _bounds(parts[0])[0], _bounds(parts[-1])[1]
    except DomainError as error:
        raise PeriodError(error.message) from None
    return Period(start, end)
