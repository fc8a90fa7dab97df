"""Dates as a person types them, read the same way everywhere (search, forms, journal filters,
command-line options).

Accepted: JJ/MM/AAAA, with "/", "-", "." or spaces between the parts, the same separator
twice (day and month may have one digit: 1/6/2025; "1 / 6 / 2025" too), JJMMAAAA (eight
digits), and AAAA-MM-JJ. Nothing else is a date: "2025", "06/2025", "1/6/25" or "12/03-1980"
are refused rather than guessed.

`split_date` only recognises the shape (a birth date may hold 00 for an unknown day or month,
which `insterm.domain.traits.parse_birth_date` completes); `parse_date` also requires a real
calendar day.
"""

from __future__ import annotations

import re
from datetime import date

from insterm.domain.errors import DomainError, echoed

__all__ = [
    "DATE_CHARACTERS",
    "DATE_FORMATS",
    "DATE_MAX_LENGTH",
    "DateTextError",
    "parse_date",
    "split_date",
]

DATE_FORMATS = "JJ/MM/AAAA (ou JJMMAAAA, AAAA-MM-JJ)"
# What a date field lets through as it is typed, and its length ("01 / 06 / 2025" is 14).
DATE_CHARACTERS = r"[0-9/.\- ]*"
DATE_MAX_LENGTH = 14

# One of / - . (spaces around it allowed) or spaces, the same twice: "12/03-1980" is refused.
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})(\s*[/.\-]\s*|\s+)([0-9]{1,2})\2([0-9]{4})")
_COMPACT = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class DateTextError(DomainError):
    """Typed text that is not a date (`kind` "format") or not a day of the calendar
    (`kind` "calendar"); the message is French and says what to type."""

    def __init__(self, message: str, *, kind: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.kind = kind


def split_date(text: str) -> tuple[int, int, int] | None:
    """(day, month, year) of a typed date in one of the accepted shapes, else None. The parts
    are not checked against the calendar (00 and 31/02 come back as typed)."""
    raw = text.strip()
    if match := _DAY_MONTH_YEAR.fullmatch(raw):
        return int(match[1]), int(match[3]), int(match[4])
    if match := _COMPACT.fullmatch(raw):
        return int(match[1]), int(match[2]), int(match[3])
    if match := _ISO.fullmatch(raw):
        return int(match[3]), int(match[2]), int(match[1])
    return None


def parse_date(text: str, *, label: str = "La date", field: str | None = None) -> date:
    """The calendar day typed in `text`; `DateTextError` otherwise. `label` starts the French
    message ("Date d'expiration", "Du"...), `field` is passed on to the error."""
    raw = text.strip()
    parts = split_date(raw)
    if parts is None:
        raise DateTextError(f"{label} : « {echoed(raw, 40)} » n'est pas une date ; tapez-la sous la "
                            f"forme {DATE_FORMATS}, par exemple 01/06/2025.",
                            kind="format", field=field)
    day, month, year = parts
    try:
        return date(year, month, day)
    except ValueError:
        raise DateTextError(f"{label} : le {day:02d}/{month:02d}/{year:04d} n'existe pas dans "
                            "le calendrier ; vérifiez le jour et le mois.",
                            kind="calendar", field=field) from None
