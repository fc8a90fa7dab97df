"""Opening the database file and writing to it safely: the one module that opens connections.

- The driver: the standard library's `sqlite3` for a plain file; `sqlcipher3` (SQLCipher 4, the
  `crypt` extra) for an encrypted one, loaded only then. Nothing else in insterm calls a
  driver's `connect` or names its exception classes: `Error`, `IntegrityError`,
  `OperationalError`, `DatabaseError` here are tuples of both drivers' classes once SQLCipher is
  loaded (read them as `connection.IntegrityError` at the `except`, not imported by name).
- An encrypted file (no "SQLite format 3" header) is opened with the practice's raw 256-bit key
  (`database_key()`: the OS keyring by default), `PRAGMA cipher_log_level = NONE` first so a
  wrong key never writes to the terminal; a wrong or missing key is a French error.

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
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from insterm.atomic_file import sync_folder
from insterm.store.errors import (
    SQLITE_BUSY,
    SQLITE_LOCKED,
    SQLITE_NOTADB,
    DatabaseBusy,
    DatabaseKeyMissing,
    DatabaseMissing,
    EncryptionUnavailable,
    NotAFile,
    SchemaMismatch,
    StorageError,
    StoreError,
    WrongDatabaseKey,
    storage_error,
)

BUSY_TIMEOUT_MS = 5000
MAX_WRITE_WAIT_SECONDS = 120.0

# The driver's exception classes (both drivers' once SQLCipher is loaded: `_cipher()`).
Error: tuple[type[Exception], ...] = (sqlite3.Error,)
DatabaseError: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)
OperationalError: tuple[type[Exception], ...] = (sqlite3.OperationalError,)
IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)

PLAIN_HEADER = b"SQLite format 3\0"
KEY_BYTES = 32  # AES-256: a raw key, no key derivation (a passphrase would cost ~100 ms an open)
KEYRING_NAME = "database-key"  # the practice's key in the OS keyring (insterm.secrets)

_cipher_module: Any = None


def _cipher() -> Any:
    """`sqlcipher3.dbapi2`, imported on first use (about 6 ms: plain lookups never pay it)."""
    global _cipher_module, Error, DatabaseError, OperationalError, IntegrityError
    if _cipher_module is None:
        try:
            from sqlcipher3 import dbapi2
        except ImportError:
            raise EncryptionUnavailable() from None
        _cipher_module = dbapi2
        Error = (sqlite3.Error, dbapi2.Error)
        DatabaseError = (sqlite3.DatabaseError, dbapi2.DatabaseError)
        OperationalError = (sqlite3.OperationalError, dbapi2.OperationalError)
        IntegrityError = (sqlite3.IntegrityError, dbapi2.IntegrityError)
    return _cipher_module


def encryption_available() -> bool:
    try:
        _cipher()
    except EncryptionUnavailable:
        return False
    return True


def is_encrypted_file(path: str | os.PathLike[str]) -> bool:
    """True for a non-empty file that SQLite reads as no database (an SQLCipher database, or
    something that is no database at all: opening it with the key then says so).

    The file is never opened by Python itself: closing a descriptor drops every POSIX lock the
    process holds on that file, including those of SQLite's own connections (a lost lock is a
    corrupted base). SQLite opens it (it keeps such descriptors while locks are held), and the
    answer is remembered per inode, so that a file held by SQLCipher's copy of SQLite (which
    does not share that bookkeeping) is not opened again by the plain one."""
    try:
        status = os.stat(path)
    except OSError:
        return False
    if status.st_size == 0:
        return False
    inode = (status.st_dev, status.st_ino)
    known = _encrypted_inodes.get(inode)
    if known is None:
        probed = _reads_as_no_database(os.fspath(path))
        if probed is None:  # held by another program: the caller's own wait will say so
            return False
        known = _encrypted_inodes[inode] = probed
    return known


_encrypted_inodes: dict[tuple[int, int], bool] = {}


def _reads_as_no_database(path: str) -> bool | None:
    """Whether SQLite reads the file as no database; None when it cannot tell now (the file
    is locked by another program: not waited for here, the connection's busy wait comes next
    and reports it, so a held base costs one wait, not two)."""
    try:
        probe = sqlite3.connect("file:" + _uri_path(path) + "?mode=ro", uri=True, timeout=0)
    except sqlite3.Error:
        return False
    try:
        probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as error:
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if code in (SQLITE_BUSY, SQLITE_LOCKED):
            return None
        return code == SQLITE_NOTADB
    finally:
        probe.close()
    return False


def new_key() -> bytes:
    import secrets

    return secrets.token_bytes(KEY_BYTES)


def _keyring_key() -> bytes | None:
    from insterm import secrets  # the keyring: only for an encrypted database

    if secrets.current_backend() is None:
        secrets.select_backend()  # a French SecretsError when it needs its master password
    text = secrets.get_secret(KEYRING_NAME)
    if text is None:
        return None
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        return None
    return key if len(key) == KEY_BYTES else None


_key_source: Callable[[], bytes | None] = _keyring_key


_encrypt_new = False


def set_key_source(source: Callable[[], bytes | None] | None, *,
                   encrypt_new: bool = False) -> None:
    """Where `database_key()` reads the practice's key (None: the OS keyring); with
    `encrypt_new`, every database `create_database` makes is encrypted with it (the test
    suite's `--chiffre`, a tool that works on encrypted copies)."""
    global _key_source, _encrypt_new
    _key_source = source if source is not None else _keyring_key
    _encrypt_new = encrypt_new and source is not None


def database_key(path: object = None) -> bytes:
    """The practice's database key, or the French `DatabaseKeyMissing`."""
    key = _key_source()
    if key is None:
        raise DatabaseKeyMissing(path)
    return key


def key_to_text(key: bytes) -> str:
    """The key as the 64 hexadecimal digits printed for the practice's safe (groups of 8)."""
    digits = key.hex().upper()
    return " ".join(digits[i:i + 8] for i in range(0, len(digits), 8))


def key_from_text(text: str) -> bytes:
    digits = "".join(text.split())
    try:
        key = bytes.fromhex(digits)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise StoreError("Clé de chiffrement mal formée : 64 chiffres hexadécimaux (0-9, A-F), "
                         "espaces permis, comme imprimée à la création de la base.")
    return key


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


@contextmanager
def storage_errors(path: object = None) -> Iterator[None]:
    """Turn the driver's and the OS's file errors met inside the block into `StorageError`."""
    try:
        yield
    except Exception as error:
        typed = storage_error(error, path) if isinstance(error, (*Error, OSError)) else None
        if typed is None:
            raise
        raise typed from error


def sync_file(path: str | os.PathLike[str]) -> None:
    """fsync a complete file before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temporary_name(path: Path, purpose: str) -> Path:
    """A hidden name beside `path` (same folder, hence same file system: rename is atomic)."""
    return path.with_name(f".{path.name}.{purpose}-{os.getpid()}-{random.randrange(16**8):08x}")


def remove_database_files(path: Path) -> None:
    """Remove a database file and its companions (-wal, -shm, -journal), when present."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass
        except OSError:  # pragma: no cover - left for the user to see; never hides the cause
            pass


def publish_file(tmp: Path, path: Path) -> bool:
    """Give the complete file `tmp` its final name `path` without ever replacing a file there;
    False (and `tmp` left as it is) when `path` already exists. The folder is synced after."""
    try:
        os.link(tmp, path)  # fails if `path` exists: never clobbers
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            return False
        os.rename(tmp, path)
    else:
        os.unlink(tmp)
    sync_folder(path.parent)
    return True


def create_database(path: str | os.PathLike[str], *, group: str | None = None,
                    prepare: Callable[[sqlite3.Connection], object] | None = None,
                    key: bytes | None = None) -> bool:
    """Create a new database at `path`, whole or not at all.

    It is built under a temporary name in the same folder (mode 0600/0660, schema up to date,
    then `prepare(conn)` when given, e.g. the first administrator), its WAL checkpointed into
    the file, the connection closed, the file synced, and only then renamed to `path` (with
    `key`, an SQLCipher database encrypted with that raw 256-bit key). Any
    failure (full disk, read-only folder...) removes the temporary files: no half-made or
    empty database is ever left. False when another program created `path` meanwhile (its file
    is kept, ours dropped).
    """
    from insterm.store.migrations import migrate  # it imports this module (write_transaction)

    path = Path(path)
    if key is None and _encrypt_new:
        key = database_key(path)
    with storage_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = temporary_name(path, "creating")
    try:
        with storage_errors(path):
            create_database_file(tmp, group=group)
            conn = _connect(str(tmp), readonly=False, key=key)
            try:
                _set_write_pragmas(conn)
                migrate(conn)
                if prepare is not None:
                    prepare(conn)
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            sync_file(tmp)
            return publish_file(tmp, path)
    finally:
        remove_database_files(tmp)


def _set_write_pragmas(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("PRAGMA journal_mode = WAL")


def connect_file(path: str | os.PathLike[str], *, readonly: bool = False,
                 key: bytes | None = None, autocommit: bool = True) -> sqlite3.Connection:
    """A bare connection to a database file (no PRAGMA but the busy timeout, no schema check):
    for copies and checks. `key`: the SQLCipher key for a new encrypted file; an existing
    encrypted file is opened with `database_key()` unless `key` is given."""
    path = os.fspath(path)
    if key is None and is_encrypted_file(path):
        key = database_key(path)
    driver: Any = sqlite3 if key is None else _cipher()
    options: dict[str, Any] = dict(check_same_thread=False)
    if autocommit:
        options["isolation_level"] = None
    if readonly:
        conn = driver.connect("file:" + _uri_path(path) + "?mode=ro", uri=True, **options)
    else:
        conn = driver.connect(path, **options)
    try:
        if key is not None:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
            try:
                conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            except driver.DatabaseError as error:
                if (getattr(error, "sqlite_errorcode", 0) & 0xFF) == SQLITE_NOTADB:
                    raise WrongDatabaseKey(path) from None
                raise
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except BaseException:
        conn.close()
        raise
    return conn  # type: ignore[no-any-return]  # either driver's connection


def export_database(source: str | os.PathLike[str], target: str | os.PathLike[str], *,
                    key: bytes | None) -> None:
    """Copy the whole database `source` into the empty file `target`, encrypted with `key` (or
    in clear when None), with SQLCipher's `sqlcipher_export` (schema, data, user_version). The
    source's WAL is folded into it first (and is empty after)."""
    driver = _cipher()
    source = os.fspath(source)
    conn = driver.connect(source, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        if is_encrypted_file(source):
            conn.execute(f"PRAGMA key = \"x'{database_key(source).hex()}'\"")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        secret = f"x'{key.hex()}'" if key is not None else ""
        conn.execute(f"ATTACH DATABASE ? AS converted KEY \"{secret}\"", (os.fspath(target),))
        try:
            conn.execute("SELECT sqlcipher_export('converted')")
            version = int(conn.execute("PRAGMA main.user_version").fetchone()[0])
            conn.execute(f"PRAGMA converted.user_version = {version}")
        finally:
            conn.execute("DETACH DATABASE converted")
    finally:
        conn.close()


def is_encrypted(conn: sqlite3.Connection) -> bool:
    """True for a connection of the SQLCipher driver."""
    return _cipher_module is not None and isinstance(conn, _cipher_module.Connection)


def _connect(path: str, *, readonly: bool, key: bytes | None = None) -> sqlite3.Connection:
    return connect_file(path, readonly=readonly, key=key)


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
        create_database(path, group=group)
    elif not stat.S_ISREG(os.stat(path).st_mode):
        raise NotAFile(path)  # a folder, /dev/zero, a pipe (opening it would wait forever)
    with storage_errors(path):
        conn = _connect(path, readonly=readonly)
        try:
            _prepare_connection(conn, readonly=readonly, create=create, check_schema=check_schema)
        except BaseException:
            conn.close()
            raise
    return conn


def _prepare_connection(conn: sqlite3.Connection, *, readonly: bool, create: bool,
                        check_schema: bool) -> None:
    if not readonly:
        _set_write_pragmas(conn)
    # Imported here: the migrations module imports this one (write_transaction).
    if create:
        from insterm.store.migrations import migrate

        migrate(conn)
    elif check_schema:
        from insterm.store.migrations import CURRENT_VERSION

        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found != CURRENT_VERSION:
            raise SchemaMismatch(found, CURRENT_VERSION)


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid the INSERT just run on `cursor` gave its row."""
    if cursor.lastrowid is None:  # pragma: no cover - sqlite3 sets it after every INSERT
        raise StoreError("Aucune ligne insérée (erreur de programmation).")
    return cursor.lastrowid


def _is_busy(error: Exception) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
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
        except OperationalError as error:
            if not _is_busy(error):
                raise _typed(error) from error
            waited = time.monotonic() - started
            if waited >= max_wait:
                raise DatabaseBusy(waited) from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)
    try:
        yield conn
    except BaseException as error:
        _rollback(conn)
        if isinstance(error, Error):
            raise _typed(error) from error
        raise
    try:
        conn.execute("COMMIT")
    except Error as error:
        _rollback(conn)
        raise _typed(error) from error


def _typed(error: Exception) -> BaseException:
    typed = storage_error(error)
    return typed if isinstance(typed, StorageError) else error


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back what is open; a rollback that fails (disk gone) leaves SQLite to undo it from
    its journal at the next open, and the original error is the one reported."""
    if conn.in_transaction:
        with suppress(*Error):
            conn.execute("ROLLBACK")


def set_file_mode(path: Path, *, group: str | None = None) -> None:
    """Put a database file (e.g. a restored copy) back to mode 0600 / 0660."""
    os.chmod(path, 0o660 if group else 0o600)
    if group:
        os.chown(path, -1, grp.getgrnam(group).gr_gid)
