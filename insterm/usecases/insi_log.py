"""One `insi_call` row per INSi attempt (message id, operation, traits sent, CR code or fault,
duration, request and response XML, who, when the request left), written inside the caller's
transaction.

Shared by the three-phase calls (`insi_calls`, which know the traits they sent) and by the
application of an outcome obtained elsewhere (`insi.apply_outcome`, which sends the record's)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from insterm.store import records

if TYPE_CHECKING:
    from insterm.insi.results import Attempt


def log_attempts(conn: sqlite3.Connection, attempts: Sequence[Attempt], identity_id: int,
                 sent: Mapping[str, object], *, environment: str | None, operator_id: int,
                 at: str) -> list[int]:
    """The new rows' ids; `sent` holds the traits common to every attempt (birth name, sex,
    birth date, birth place), each attempt adding the first names it sent."""
    ids = []
    for attempt in attempts:
        result, error = attempt.result, attempt.error
        ids.append(records.add_insi_call(
            conn, message_id=attempt.message_id, operation=attempt.operation,
            identity_id=identity_id,
            traits_sent={**sent, "first_names": attempt.sent_first_names},
            cr_code=result.code if result is not None else None,
            fault=getattr(error, "code", None) or (type(error).__name__ if error else None),
            duration_ms=round(attempt.duration_seconds * 1000),
            request_xml=_text(attempt.request_xml), response_xml=_text(attempt.response_xml),
            environment=environment, operator_id=operator_id, at=_started(attempt, at)))
    return ids


def _started(attempt: Attempt, recorded_at: str) -> str:
    """When the request left (the attempt's own clock, UTC, stored form), so that the spacing
    of the calls can be read in the log; `recorded_at` for an attempt without its time."""
    started = getattr(attempt, "started_at", None)
    if started is None or started.tzinfo is None:
        return recorded_at
    from datetime import UTC

    return str(started.astimezone(UTC).isoformat(timespec="microseconds"))


def _text(xml: bytes | str | None) -> str | None:
    if not xml:
        return None
    return xml.decode("utf-8", "replace") if isinstance(xml, bytes) else xml
