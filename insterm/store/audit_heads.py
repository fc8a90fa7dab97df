"""The head file: the audit chain's head (count + hash), noted outside the database.

Nothing inside the database can prove that its last events were not cut off, nor that the
whole chain was not recomputed after an edit. So `insterm backup` and `insterm audit verify`
append the head they saw to a plain text file kept outside the database (by default in the
backups folder beside it, `sauvegardes/NOM.empreintes`; the setting `audit.heads_dir` names
another folder, e.g. a mounted share or a USB key), and `audit verify` checks every head noted
there: the chain must still hold event COUNT with that HASH. A cut tail (fewer events) or a
recomputed chain (same count, another hash) is then caught without typing `--attendu`.

Format: UTF-8 text, one head a line, appended only:

    2026-12-04T23:40:12+00:00 1520:3f9a…(64 hexadecimal characters)

Lines starting with `#` and blank lines are ignored. A line of any other form makes the whole
file malformed (`HeadFileError`, a French message naming the file and the line): a damaged
witness is reported, never silently skipped.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from insterm.store.audit import AuditReport, NotedHead, verify
from insterm.store.errors import StoreError
from insterm.store.migrations import GENESIS_HASH

SUFFIX = ".empreintes"
_LINE = re.compile(r"(\S+)[ \t]+([0-9]{1,12}):([0-9a-fA-F]{64})")
_HEADER = ("# insterm : empreintes de fin du journal d'audit (une ligne par sauvegarde ou "
           "vérification : date NOMBRE:EMPREINTE). Fichier en ajout seul : ne le modifiez pas.\n")


class HeadFileError(StoreError):
    """A head file that cannot be read, is malformed, or cannot be written (French)."""


@dataclass(frozen=True, slots=True)
class Head:
    at: datetime
    count: int
    hash: str
    line: int  # line number in the file

    def noted(self, path: Path) -> NotedHead:
        when = self.at.astimezone().strftime("%d/%m/%Y à %H:%M")
        return NotedHead(self.count, self.hash, f"notés le {when} dans {path}")


def heads_path(db_path: Path, folder: str | os.PathLike[str] | None = None) -> Path:
    """The head file of the database `db_path`: `folder` (the `audit.heads_dir` setting) or the
    backups folder beside the database, then `<database name>.empreintes`."""
    base = Path(folder).expanduser() if folder else db_path.parent / "sauvegardes"
    return base / (db_path.stem + SUFFIX)


def parse(text: str, path: Path) -> list[Head]:
    heads = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        at = None
        if match:
            try:
                at = datetime.fromisoformat(match.group(1))
            except ValueError:
                at = None
        if match is None or at is None or at.tzinfo is None:
            shown = line[:60].encode("unicode_escape").decode("ascii")
            raise HeadFileError(
                f"Le fichier des empreintes de fin {path} est mal formé à la ligne {number} "
                f"(« {shown} ») : chaque ligne doit être « DATE NOMBRE:EMPREINTE ». Il a pu être "
                "modifié : conservez-le tel quel, prévenez le responsable et comparez-le à sa "
                "copie ; la vérification de la base seule a été faite.")
        heads.append(Head(at, int(match.group(2)), match.group(3).lower(), number))
    return heads


def read(path: Path) -> list[Head]:
    """The heads noted in `path` (none when the file does not exist yet)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise HeadFileError(f"Le fichier des empreintes de fin {path} est illisible "
                            f"({error.strerror or error}) : vérifiez qu'il est accessible, ou "
                            "changez le réglage audit.heads_dir.") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise HeadFileError(f"Le fichier des empreintes de fin {path} n'est pas un texte "
                            "lisible (UTF-8) : conservez-le tel quel et prévenez le "
                            "responsable.") from None
    return parse(text, path)


def append(path: Path, count: int, digest: str, *, at: datetime | None = None) -> None:
    """Append one head line (the folder is created, mode 0700; the file 0600). One write of a
    whole line, then fsync."""
    at = at or datetime.now(UTC)
    line = f"{at.isoformat(timespec='seconds')} {count}:{digest.lower()}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            text = line if os.fstat(fd).st_size else _HEADER + line
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise HeadFileError(f"L'empreinte de fin n'a pas pu être notée dans {path} "
                            f"({error.strerror or error}) : notez-la à la main, "
                            f"{count}:{digest}, et vérifiez le dossier (réglage "
                            "audit.heads_dir).") from None


@dataclass(frozen=True, slots=True)
class Verdict:
    """`audit.verify` of a base against its head file, and whether the head was noted."""

    report: AuditReport
    heads_file: Path
    problem: str | None = None  # the head file could not be read or written (French)
    noted: bool = False
    shown: str | None = None  # the head file as messages name it (default: its path)

    @property
    def ok(self) -> bool:
        return self.report.ok and self.problem is None

    @property
    def message(self) -> str:
        text = self.report.message
        if self.noted:
            text += f"\nEmpreinte de fin notée dans {self.shown or self.heads_file}."
        return text + (f"\n{self.problem}" if self.problem else "")


def database_file(conn: sqlite3.Connection) -> Path | None:
    """The file of the connection's main database (None: in memory)."""
    for _, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return Path(file) if file else None
    return None  # pragma: no cover - SQLite always lists "main"


def verify_and_note(conn: sqlite3.Connection, heads_file: Path, *,
                    expected: str | None = None, shown: str | None = None) -> Verdict:
    """Verify the base (chain, identities) against every head noted in `heads_file` and
    `expected`; when all is intact, note the head seen. An unreadable or malformed head file
    is a `problem` (the base is still verified, nothing is appended to that file). `shown`:
    how messages name the head file (default: its path)."""
    shown_file = Path(shown) if shown else heads_file
    problem = None
    try:
        heads = read(heads_file)
    except HeadFileError as error:
        problem, heads = str(error), []
    report = verify(conn, expected=expected, heads=[head.noted(shown_file) for head in heads],
                    heads_file=str(shown_file))
    if not report.ok or problem is not None:
        return Verdict(report, heads_file, problem, shown=shown)
    try:
        append(heads_file, report.rows, report.last_hash or GENESIS_HASH)
    except HeadFileError as error:
        return Verdict(report, heads_file, str(error), shown=shown)
    return Verdict(report, heads_file, noted=True, shown=shown)
