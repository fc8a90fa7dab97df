"""Fast import of many identities in one transaction (synthetic data, benchmark, imports).

`insert_identities(db, rows)` writes every row with one `executemany` per chunk inside ONE write
transaction: all rows or none. Nothing of the schema is bypassed: every CHECK constraint, the
unique current matricule, the unique IPP and the triggers apply to each row; the first refused
row aborts the whole batch with a French `ConstraintViolation` naming the row. The search keys
(prefix and phonetic) are computed here exactly as for a single insert, and ONE audit event
(`bulk_import`: the count, the id range, the `source` of the rows and the operator `actor`)
records the batch, in the same transaction. Duplicate candidates are NOT searched row by row
here (that would cost a lookup per row): run `insterm.store.duplicate_scan.scan` afterwards
(`Clinic.scan_duplicates`, `insterm db doublons`).

Row format (a mapping per identity; values already in stored form, e.g. as the INSi character
profile has them: uppercase, no diacritics):

| key | type | required | notes |
| --- | --- | --- | --- |
| birth_name | str | yes | e.g. "MARTIN", "LE GALL", "D'ARC" |
| first_name | str | yes | first birth first name |
| first_names | str | no | list of birth first names, space separated (default: first_name) |
| birth_date | datetime.date or "AAAA-MM-JJ" | yes | |
| sex | "M", "F" or "I" | yes | "I" never with RECUP/QUAL |
| birth_place | str (5-char COG code) or None | no | "63220", "2A004", "99134" |
| used_name, used_first_name | str or None | no | |
| status | "PROV", "RECUP", "VALI", "QUAL" | no | default "PROV" |
| attributes | iterable of "DOUT", "FICT", "HOMA" | no | DOUT/FICT only with PROV, never both |
| matricule, oid | str | with RECUP/QUAL only | 15-char matricule + its OID, unique |
| birth_date_corrected | bool | no | never with RECUP/QUAL |
| birth_date_raw | str | no | the date as received |
| channel | "SM", "CV", "INSI", "CB", "RFID", "AV" | no | default "SM" |
| ipp | str | no | default: generated nine-digit IPP |

`db` is an open connection (`insterm.store.connection.open_database`) or a path (the file is
created and migrated when missing). Returns the number of rows written. For a million rows,
call it with chunks of 50,000-100,000 rows (one transaction each) to bound the WAL file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import date
from itertools import islice
from typing import Any

from insterm.store import audit, connection, identity_state
from insterm.store.clock import utc_now
from insterm.store.connection import open_database, write_transaction
from insterm.store.errors import ConstraintViolation, from_integrity_error
from insterm.store.identities import IPP_BASE, key_columns

_COLUMNS = (
    "id", "ipp", "birth_name", "first_name", "first_names", "birth_date", "birth_date_corrected",
    "birth_date_raw", "sex", "birth_place", "used_name", "used_first_name", "status", "dout",
    "fict", "homa", "matricule", "oid", "channel", "version", "created_at", "created_by",
    "updated_at", "updated_by", "k_birth_name", "k_used_name", "k_first_name",
    "k_used_first_name", "p_birth_name", "p_used_name", "p_first_name",
)
_INSERT = (f"INSERT INTO identity ({', '.join(_COLUMNS)}) "
           f"VALUES ({', '.join('?' for _ in _COLUMNS)})")
_KNOWN = {
    "birth_name", "first_name", "first_names", "birth_date", "sex", "birth_place", "used_name",
    "used_first_name", "status", "attributes", "matricule", "oid", "birth_date_corrected",
    "birth_date_raw", "channel", "ipp",
}
CHUNK = 5000


def _tuple(row: Mapping[str, Any], id_: int, ipp: str, operator_id: int | None,
           at: str) -> tuple[Any, ...]:
    unknown = set(row) - _KNOWN
    if unknown:
        raise ConstraintViolation(f"Ligne {id_} : champs inconnus {', '.join(sorted(unknown))}.")
    birth_date = row["birth_date"]
    if isinstance(birth_date, date):
        birth_date = birth_date.isoformat()
    attributes = {str(a).upper() for a in row.get("attributes") or ()}
    if attributes - {"DOUT", "FICT", "HOMA"}:
        raise ConstraintViolation(f"Attribut inconnu : {', '.join(sorted(attributes))}.")
    keys = key_columns(row)
    return (
        id_, row.get("ipp") or ipp, row["birth_name"], row["first_name"],
        row.get("first_names") or row["first_name"], birth_date,
        1 if row.get("birth_date_corrected") else 0, row.get("birth_date_raw"), row["sex"],
        row.get("birth_place") or None, row.get("used_name") or None,
        row.get("used_first_name") or None, row.get("status") or "PROV",
        int("DOUT" in attributes), int("FICT" in attributes), int("HOMA" in attributes),
        row.get("matricule") or None, row.get("oid") or None, row.get("channel") or "SM",
        1, at, operator_id, at, operator_id,
        keys["k_birth_name"], keys["k_used_name"], keys["k_first_name"],
        keys["k_used_first_name"], keys["p_birth_name"], keys["p_used_name"],
        keys["p_first_name"],
    )


def insert_identities(db: sqlite3.Connection | str | os.PathLike[str],
                      rows: Iterable[Mapping[str, Any]], *, actor: str | None = None,
                      source: str = "import", operator_id: int | None = None,
                      operator_login: str | None = None) -> int:
    """Insert `rows` (see the module docstring) in one transaction; returns how many.

    `actor`: login of the operator who imports (must exist; recorded as creator of the rows
    and in the audit event); `source`: where the rows come from, for the audit ("synthetique",
    a file name...). `operator_id`/`operator_login` are the older spelling of `actor`."""
    if isinstance(db, (str, os.PathLike)):
        conn, own = open_database(db, create=True), True
    else:  # a connection of either driver
        conn, own = db, False
    try:
        at = utc_now()
        with write_transaction(conn):
            if actor is not None:
                row = conn.execute("SELECT id, login FROM operator WHERE login = ?",
                                   (actor,)).fetchone()
                if row is None:
                    raise ConstraintViolation(f"Import refusé : opérateur « {actor} » inconnu "
                                              "(rien n'a été enregistré).")
                operator_id, operator_login = row
            first_id = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM identity")
                           .fetchone()[0])
            next_id = first_id
            iterator = iter(rows)
            while True:
                chunk = list(islice(iterator, CHUNK))
                if not chunk:
                    break
                values = [_tuple(row, next_id + i, str(IPP_BASE + next_id + i), operator_id, at)
                          for i, row in enumerate(chunk)]
                try:
                    conn.executemany(_INSERT, values)
                except connection.IntegrityError as error:
                    violation = from_integrity_error(error)
                    raise ConstraintViolation(
                        "Import refusé (aucune ligne enregistrée), lot des lignes "
                        f"{next_id - first_id + 1} à {next_id - first_id + len(chunk)} : "
                        f"{violation.message}",
                        constraint=violation.constraint) from None
                next_id += len(chunk)
            count = next_id - first_id
            if count:
                audit.append(conn, operator=operator_login, action="bulk_import",
                             identity_id=None,
                             details={"count": count, "first_id": first_id,
                                      "last_id": next_id - 1, "source": source}, at=at,
                             states=identity_state.digests_between(conn, first_id,
                                                                   next_id - 1))
        return count
    finally:
        if own:
            conn.close()
