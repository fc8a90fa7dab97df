"""Files insterm writes are whole or absent: written to a hidden temporary name in the same
folder (`.NAME.XXXX.partial`), flushed to the disk, then renamed over the target (a rename is
atomic on one file system) and the folder synced. A reader, or the software polling a drop
folder, sees either no file or the complete one; a failure (full disk, I/O error,
interruption) removes the temporary file and leaves any previous file as it was.

`write_atomically(path, data)` does it in one call. `StagedFiles` ties files to a database
change: written first, renamed inside the change once its audit event is recorded, and removed
again if the change fails after all, so that the files and their event exist together or not at
all. Mode 0600 unless the caller asks for a wider one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType

__all__ = ["StagedFiles", "commit", "discard", "sync_folder", "write_atomically",
           "write_temporary"]


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


class StagedFiles:
    """Files that appear together with a database change, or not at all:

        with StagedFiles() as staged, ctx.change(...) as change:
            staged.stage(path, data)    # whole, under a temporary name
            ...                         # the audit event
            staged.publish()            # renamed into place, last thing in the change

    Leaving the block with an exception (the change is then rolled back) removes the temporary
    files and the files already renamed. Staging may also happen before the change, to keep
    its write transaction short."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []
        self._published: list[Path] = []

    @property
    def published(self) -> tuple[Path, ...]:
        return tuple(self._published)

    def stage(self, path: Path, data: bytes, *, mode: int = 0o600) -> None:
        self._staged.append((write_temporary(path, data, mode=mode), path))

    def publish(self) -> None:
        """Rename every staged file into place, in the order staged."""
        for temporary, path in self._staged:
            if path not in self._published:
                commit(temporary, path)
                self._published.append(path)

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is None:
            return
        for temporary, path in self._staged:
            discard(temporary)
            if path in self._published:
                discard(path)
