"""What the exchange use cases write: the files (whole or not at all, `insterm.atomic_file`)
and the SHA-256 digest of their content that the audit event records."""

from __future__ import annotations

import hashlib

from insterm.atomic_file import commit, discard, write_temporary

__all__ = ["commit", "digest", "discard", "write_temporary"]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
