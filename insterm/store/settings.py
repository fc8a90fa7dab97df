"""Settings of the practice kept IN the database (shared by every workstation using the file),
as opposed to the per-workstation settings file (`insterm.config`).

Values are JSON text in the `settings` table (key -> value). No secret is ever stored here.
Writes run inside the caller's write transaction, with its audit event (`insterm.usecases`).

Keys: `document_catalogue` (the document types this practice accepts: a JSON list of ZFD-7
codes; absent = the domain's `DEFAULT_PRACTICE_CATALOGUE`); `duplicate_stop_score` (the
duplicate score from which creating a new identity asks first: an integer, absent = the
default of `insterm.store.duplicates`); the INSi settings of the practice
are kept here too (`insterm.usecases.insi_settings` names their keys).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from insterm.domain.documents import CATALOGUE, DEFAULT_PRACTICE_CATALOGUE, PracticeCatalogue
from insterm.store.duplicates import STOP_SCORE_DEFAULT, STOP_SCORE_RANGE

DOCUMENT_CATALOGUE = "document_catalogue"
DUPLICATE_STOP_SCORE = "duplicate_stop_score"


def get(conn: sqlite3.Connection, key: str) -> Any:
    """The value stored under `key` (decoded JSON), or None."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    if row is None:
        return None
    try:
        return json.loads(row[0])
    except ValueError:
        return None


def put(conn: sqlite3.Connection, key: str, value: Any) -> None:
    """Store `value` (JSON) under `key` (inside the caller's write transaction); None removes
    the key."""
    if value is None:
        conn.execute("DELETE FROM settings WHERE key = ?", (key,))
        return
    conn.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                 "DO UPDATE SET value = excluded.value",
                 (key, json.dumps(value, ensure_ascii=False, sort_keys=True)))


def document_catalogue(conn: sqlite3.Connection) -> PracticeCatalogue:
    """The practice's `insterm.domain.documents.PracticeCatalogue`: the stored one, or the
    domain's default when none is stored. A stored code that this version of the domain no
    longer accepts in a catalogue is left out (never replaced by a broader choice); if none is
    left, the default applies."""
    codes = get(conn, DOCUMENT_CATALOGUE)
    if not isinstance(codes, list):
        return DEFAULT_PRACTICE_CATALOGUE
    usable = [c for c in codes if isinstance(c, str) and c in CATALOGUE
              and CATALOGUE[c].selectable]
    return PracticeCatalogue.of(usable) if usable else DEFAULT_PRACTICE_CATALOGUE


def duplicate_stop_score(conn: sqlite3.Connection) -> int:
    """The duplicate score from which a new identity is created only once an operator has
    acknowledged the candidate: the stored one, or `STOP_SCORE_DEFAULT` when none (or an
    unusable one) is stored."""
    value = get(conn, DUPLICATE_STOP_SCORE)
    if isinstance(value, int) and not isinstance(value, bool) and value in STOP_SCORE_RANGE:
        return value
    return STOP_SCORE_DEFAULT
