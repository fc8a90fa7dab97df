"""Opening the database file and writing to it safely.

- The file is created with mode 0600, or 0660 with its group set when a group is configured.
- WAL journal, `busy_timeout`, `foreign_keys`, and `synchronous=FULL` (a write the user saw
  confirmed survives `kill -9` and power loss).
- Writes go through `write_transaction()`: `BEGIN IMMEDIATE` (the write lock is taken up front, so
  a transaction never fails half-way on a lock), retried with back-off while another writer
  holds the lock, so "database is locked" never reaches the caller; past `max_wait` a French
  `DatabaseBusy` does.
"""

from __future__ import annotations

import grp
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from insterm.store.errors import DatabaseBusy, DatabaseMissing, SchemaMismatch, StoreError

BUSY_TIMEOUT_MS = 5000
MAX_WRITE_WAIT_SECONDS = 120.0


def create_database_file(path: str | os.PathLike[str], *, group: str | None = None) -> None:
    """Create an empty database file with mode 0600 (0660 and the group when `group` is given).

    The folder is created (0700) when missing. An existing file is left as it is.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    mode = 0o660 if group else 0o600
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, mode)  # the umask may have removed bits we asked for
        if group:
            try:
                gid = grp.getgrnam(group).gr_gid
            except KeyError:
                os.close(fd)
                fd = -1
                path.unlink()
                raise StoreError(f"Le groupe « {group} » n'existe pas sur ce poste : corrigez "
                                 "le réglage database.group ou créez ce groupe.") from None
            os.fchown(fd, -1, gid)
    finally:
        if fd >= 0:
            os.close(fd)


def _connect(path: str, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        uri = "file:" + _uri_path(path) + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _uri_path(path: str) -> str:
    text = os.path.abspath(path)
    return text.replace("%", "%25").replace("?", "%3f").replace("#", "%23")


def open_database(path: str | os.PathLike[str], *, create: bool = False, readonly: bool = False,
                  group: str | None = None, check_schema: bool = True) -> sqlite3.Connection:
    """A connection in autocommit mode (explicit transactions only), PRAGMAs set.

    `create=True` creates the file (mode 0600/0660) and brings its schema up to date;
    otherwise a missing file raises `DatabaseMissing` and, with `check_schema`, a file at
    another schema version raises `SchemaMismatch`. `readonly=True` opens with `mode=ro` (as
    `insterm lookup` does): it never creates nor changes anything.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        if not create or readonly:
            raise DatabaseMissing(path)
        create_database_file(path, group=group)
    conn = _connect(path, readonly=readonly)
    if not readonly:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
    # Imported here: the migrations module imports this one (write_transaction).
    if create:
        from insterm.store.migrations import migrate

        migrate(conn)
    elif check_schema:
        from insterm.store.migrations import CURRENT_VERSION

        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found != CURRENT_VERSION:
            conn.close()
            raise SchemaMismatch(found, CURRENT_VERSION)
    return conn


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid the INSERT just run on `cursor` gave its row."""
    if cursor.lastrowid is None:  # pragma: no cover - sqlite3 sets it after every INSERT
        raise StoreError("Aucune ligne insérée (erreur de programmation).")
    return cursor.lastrowid


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


@contextmanager
def write_transaction(conn: sqlite3.Connection, *,
                      max_wait: float = MAX_WRITE_WAIT_SECONDS) -> Iterator[sqlite3.Connection]:
    """`BEGIN IMMEDIATE` ... `COMMIT` (or `ROLLBACK` on any exception).

    Waiting for the write lock is retried with jittered back-off up to `max_wait` seconds; the
    caller sees either a committed transaction, its own exception, or `DatabaseBusy`.
    """
    if conn.in_transaction:
        raise StoreError("Transaction déjà ouverte sur cette connexion (erreur de programmation).")
    started = time.monotonic()
    delay = 0.005
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
            waited = time.monotonic() - started
            if waited >= max_wait:
                raise DatabaseBusy(waited) from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def set_file_mode(path: Path, *, group: str | None = None) -> None:
    """Put a database file (e.g. a restored copy) back to mode 0600 / 0660."""
    os.chmod(path, 0o660 if group else 0o600)
    if group:
        os.chown(path, -1, grp.getgrnam(group).gr_gid)
