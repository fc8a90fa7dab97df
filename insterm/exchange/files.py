"""Files written whole or not at all: a temporary name in the same folder, then a rename.

`write_atomic(path, data)` writes `.NAME.partial-XXXX` next to `path`, flushes it to disk, then
renames it over `path` (atomic on one file system): a reader, or the software polling a drop
folder, sees either no file or the complete one. Mode 0600 unless a group-readable mode is asked.
`digest(data)` is the SHA-256 the audit event records.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["digest", "write_atomic"]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_temporary(path: Path, data: bytes, *, mode: int = 0o600) -> Path:
    """`data` in a hidden temporary file next to `path`, synced; rename it with `commit`."""
    folder = path.parent
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def commit(temporary: Path, path: Path) -> None:
    """Rename the complete temporary file to its final name, and sync the folder."""
    os.replace(temporary, path)
    with contextlib.suppress(OSError):
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def discard(temporary: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temporary)


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    temporary = write_temporary(path, data, mode=mode)
    try:
        commit(temporary, path)
    except BaseException:
        discard(temporary)
        raise
