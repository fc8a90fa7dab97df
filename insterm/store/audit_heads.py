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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from insterm.store.audit import NotedHead
from insterm.store.errors import StoreError

SUFFIX = ".empreintes"
_LINE = re.compile(r"(\S+)[ \t]+([0-9]{1,12}):([0-9a-f]{64})")
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
        heads.append(Head(at, int(match.group(2)), match.group(3), number))
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
