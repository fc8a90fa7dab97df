"""Backup (SQLite's online backup API, while others keep writing), file checks and restore.

- `backup(db_path, dest)`: one-step online backup (a consistent snapshot: in WAL mode the writers
  are not blocked while it is taken), written to a new file created with mode 0600, then checked
  (`PRAGMA integrity_check` and the audit chain). A copy that fails the checks is removed and
  `BackupFailed` says why.
- `check_file(path)`: integrity, schema version, audit chain of any database file.
- `restore(source, db_path)`: refuses a file failing `check_file`; otherwise keeps a safety copy
  of the current database next to it, then copies the source INTO the live database through the
  backup API (so other programs that have it open see a consistent database, never a half-copied
  file), and checks the result.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from insterm.atomic_file import sync_folder
from insterm.domain.errors import InstermError
from insterm.store import audit, connection
from insterm.store.connection import (
    create_database_file,
    open_database,
    publish_file,
    remove_database_files,
    set_file_mode,
    storage_errors,
    sync_file,
    temporary_name,
)
from insterm.store.errors import StoreError
from insterm.store.migrations import CURRENT_VERSION


class BackupFailed(StoreError):
    """A backup whose copy does not pass the checks (the copy has been removed)."""


class RestoreRefused(StoreError):
    """A file that may not be restored (it fails the checks); nothing was changed."""


@dataclass(frozen=True, slots=True)
class FileCheck:
    path: Path
    integrity: str  # "ok" or SQLite's first complaint
    schema_version: int | None
    audit: audit.AuditReport | None

    @property
    def ok(self) -> bool:
        return (self.integrity == "ok" and self.schema_version is not None
                and 1 <= self.schema_version <= CURRENT_VERSION
                and self.audit is not None and self.audit.ok)

    @property
    def problems(self) -> list[str]:
        """French sentences, empty when the file is fine."""
        found = []
        if self.integrity != "ok":
            found.append(f"intégrité SQLite en défaut ({self.integrity})")
        if self.schema_version is None or self.schema_version < 1:
            found.append("ce n'est pas une base insterm")
        elif self.schema_version > CURRENT_VERSION:
            found.append(f"schéma {self.schema_version}, plus récent que ce programme "
                         f"({CURRENT_VERSION})")
        if self.audit is not None and not self.audit.ok:
            found.append(self.audit.message)
        return found


def default_backup_path(db_path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return db_path.parent / "sauvegardes" / f"{db_path.stem}-{stamp}.sqlite3"


def check_file(path: str | os.PathLike[str]) -> FileCheck:
    """Check a database file without changing it (opened read-only)."""
    path = Path(path)
    if not path.is_file():
        return FileCheck(path, "fichier introuvable", None, None)
    try:
        conn = connection.connect_file(path.absolute(), readonly=True)
    except connection.Error as error:
        return FileCheck(path, str(error), None, None)
    except InstermError as error:  # no SQLite header: a wrong or missing key, or no database
        return FileCheck(path, f"fichier illisible : {error.message}", None, None)
    try:
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
            integrity = "ok" if rows == [("ok",)] else "; ".join(r[0] for r in rows[:3])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        except connection.DatabaseError as error:
            return FileCheck(path, f"fichier illisible : {error}", None, None)
        report = None
        if version >= 1:
            try:
                report = audit.verify(conn)
            except connection.DatabaseError as error:
                report = audit.AuditReport(False, 0, None, f"journal illisible ({error}).")
        return FileCheck(path, integrity, version, report)
    finally:
        conn.close()


def backup(db_path: str | os.PathLike[str], dest: str | os.PathLike[str] | None = None, *,
           group: str | None = None) -> FileCheck:
    """Copy the live database to `dest` (default: `sauvegardes/` beside it), then check it.

    The copy is written under a temporary name beside `dest`, synced, checked, and only then
    renamed to `dest`: a full disk, an I/O error or a failed check leaves no file behind."""
    db_path = Path(db_path)
    dest = Path(dest) if dest is not None else default_backup_path(db_path)
    if dest.exists():
        raise BackupFailed(f"Le fichier {dest} existe déjà : choisissez un autre nom de "
                           "sauvegarde (rien n'a été écrasé).")
    if dest.resolve() == db_path.resolve():
        raise BackupFailed("La sauvegarde ne peut pas remplacer la base elle-même.")
    with storage_errors(dest.parent):
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = temporary_name(dest, "copying")
    try:
        _copy_database(db_path, tmp, dest, group=group)
        check = check_file(tmp)
        if not check.ok:
            raise BackupFailed("La copie de sauvegarde ne passe pas les contrôles ("
                               + " ; ".join(check.problems) + ") : elle a été supprimée. "
                               "Vérifiez la base avec « insterm audit verify ».")
        with storage_errors(dest):
            published = publish_file(tmp, dest)
        if not published:
            raise BackupFailed(f"Le fichier {dest} existe déjà : choisissez un autre nom de "
                               "sauvegarde (rien n'a été écrasé).")
    finally:
        remove_database_files(tmp)
    return replace(check, path=dest)


def _copy_database(db_path: Path, tmp: Path, dest: Path, *, group: str | None) -> None:
    """One-step online backup of `db_path` into the new file `tmp` (to become `dest`), synced
    to the disk."""
    source = open_database(db_path, readonly=True, check_schema=False)
    try:
        with storage_errors(dest):
            create_database_file(tmp, group=group)
            # An encrypted base gives an encrypted copy, with the same key.
            key = connection.database_key(db_path) if connection.is_encrypted(source) else None
            target = connection.connect_file(tmp, key=key, autocommit=False)
            try:
                source.backup(target, pages=-1)  # one step: a consistent snapshot
                # The copy is a standalone file: leave no -wal beside it.
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
            sync_file(tmp)
    finally:
        source.close()


def _copy_into(source: Path, target_path: Path) -> None:
    """Copy `source` into the database `target_path` through the backup API: one transaction
    of the target, so a full disk or an I/O error on the way leaves its old content whole."""
    src = connection.connect_file(source.absolute(), readonly=True)
    try:
        with storage_errors(target_path):
            key = connection.database_key(source) if connection.is_encrypted(src) else None
            if (os.path.getsize(target_path)
                    and connection.is_encrypted_file(target_path) != (key is not None)):
                raise RestoreRefused(
                    f"Restauration refusée : {source} est "
                    + ("chiffrée et la base ne l'est pas" if key else
                       "en clair et la base est chiffrée")
                    + " ; chiffrez ou déchiffrez d'abord l'une ou l'autre. La base actuelle "
                    "n'a pas été modifiée.")
            target = connection.connect_file(target_path, key=key)
            try:
                target.execute("PRAGMA busy_timeout = 30000")
                src.backup(target, pages=-1)
                target.execute("PRAGMA journal_mode = WAL")
            finally:
                target.close()
    finally:
        src.close()


def restore(source: str | os.PathLike[str], db_path: str | os.PathLike[str], *,
            group: str | None = None) -> tuple[FileCheck, Path | None]:
    """Replace the database's content by `source` after checking it; returns the check of the
    restored database and the safety copy taken of the previous one (None if there was none)."""
    source, db_path = Path(source), Path(db_path)
    check = check_file(source)
    if not check.ok:
        raise RestoreRefused(f"Restauration refusée : {source} " + " ; ".join(check.problems)
                             + ". La base actuelle n'a pas été modifiée.")
    safety = None
    if db_path.exists():
        stem = f"{db_path.stem}-avant-restauration-{datetime.now():%Y%m%d-%H%M%S}"
        safety = db_path.parent / "sauvegardes" / f"{stem}.sqlite3"
        for n in range(2, 100):  # another restore in the same second
            if not safety.exists():
                break
            safety = safety.with_name(f"{stem}-{n}.sqlite3")
        backup(db_path, safety, group=group)
        _copy_into(source, db_path)
    else:  # a new file: built aside, then renamed into place
        tmp = temporary_name(db_path, "restoring")
        try:
            with storage_errors(db_path):
                create_database_file(tmp, group=group)
                _copy_into(source, tmp)
                sync_file(tmp)
                publish_file(tmp, db_path)
        finally:
            remove_database_files(tmp)
    with storage_errors(db_path):
        set_file_mode(db_path, group=group)
    # Bring an older schema up to date, then check what is now live.
    open_database(db_path, create=True, group=group).close()
    after = check_file(db_path)
    if not after.ok:  # pragma: no cover - the source passed the same checks
        raise StoreError("La base restaurée ne passe pas les contrôles : "
                         + " ; ".join(after.problems) + f". Copie de sécurité : {safety}.")
    return after, safety


def convert(db_path: str | os.PathLike[str], *, key: bytes | None,
            group: str | None = None) -> FileCheck:
    """Encrypt (`key` given) or decrypt (`key` None) the database at `db_path` in place.

    The converted copy is written beside it under a temporary name (SQLCipher's
    `sqlcipher_export`), checked (integrity, audit chain, same identities and same audit tail
    as the original), synced, and only then renamed over the original: a failure at any step
    leaves the original as it was and no other file. Other programs must have closed the base.
    """
    db_path = Path(db_path)
    before = check_file(db_path)
    if not before.ok:
        raise BackupFailed(f"La base {db_path} ne passe pas les contrôles ("
                           + " ; ".join(before.problems) + ") : rien n'a été converti.")
    was_encrypted = connection.is_encrypted_file(db_path)
    if was_encrypted == (key is not None):
        raise StoreError(f"La base {db_path} est déjà " + ("chiffrée" if key else "en clair")
                         + " : rien n'a été fait.")
    tmp = temporary_name(db_path, "conversion")
    try:
        with storage_errors(db_path):
            create_database_file(tmp, group=group)
            connection.export_database(db_path, tmp, key=key)
            sync_file(tmp)
        after = check_file(tmp)
        if not after.ok or _counts(tmp) != _counts(db_path) or (
                after.audit is None or before.audit is None
                or after.audit.last_hash != before.audit.last_hash):
            raise BackupFailed("La copie convertie ne correspond pas à la base ("
                               + " ; ".join(after.problems or ["contenu différent"])
                               + ") : elle a été supprimée, la base n'a pas changé.")
        with storage_errors(db_path):
            remove_database_files(Path(f"{db_path}-wal"))  # an empty WAL after the checkpoint
            remove_database_files(Path(f"{db_path}-shm"))
            os.replace(tmp, db_path)
            sync_folder(db_path.parent)
    finally:
        remove_database_files(tmp)
    return replace(after, path=db_path)


def _counts(path: Path) -> tuple[int, int]:
    conn = connection.connect_file(path, readonly=True)
    try:
        identities = conn.execute("SELECT count(*) FROM identity").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        return int(identities), int(events)
    finally:
        conn.close()
