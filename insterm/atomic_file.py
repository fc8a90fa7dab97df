"""Files insterm writes are whole or absent: written to a hidden temporary name in the same
folder (`.NAME.XXXX.partial`), flushed to the disk, then renamed over the target (a rename is
atomic on one file system) and the folder synced. A reader, or the software polling a drop
folder, sees either no file or the complete one; a failure (full disk, I/O error,
interruption) removes the temporary file and leaves any previous file as it was.

`write_atomically(path, data)` does it in one call; `write_temporary` + `commit` (or
`discard`) let a caller write the file first and rename it only once its audit event is
recorded. Mode 0600 unless the caller asks for a wider one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["commit", "discard", "sync_folder", "write_atomically", "write_temporary"]


def write_temporary(path: Path, data: bytes, *, mode: int = 0o600) -> Path:
    """`data` in a hidden temporary file next to `path`, synced; rename it with `commit`."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
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
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """fsync a folder, so that a rename or a new file in it survives a power loss (a folder
    that cannot be opened or synced, on some file systems, is left as it is)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def discard(temporary: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temporary)


def write_atomically(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """`path` holds exactly `data` afterwards, or is unchanged (the OSError is raised)."""
    temporary = write_temporary(path, data, mode=mode)
    try:
        commit(temporary, path)
    except BaseException:
        discard(temporary)
        raise
