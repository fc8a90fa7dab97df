"""Timestamps as stored (UTC, ISO 8601 with microseconds) and as shown (local, French)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Now, UTC, e.g. "2025-03-01T09:30:12.123456+00:00" (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def french_time(stored: str | None) -> str | None:
    """A stored timestamp as local French text, e.g. "01/03/2025 à 10:30:12"."""
    if not stored:
        return None
    try:
        moment = datetime.fromisoformat(stored).astimezone()
    except ValueError:
        return stored
    return moment.strftime("%d/%m/%Y à %H:%M:%S")
