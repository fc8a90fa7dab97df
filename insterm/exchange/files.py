"""What the exchange use cases write: the files (whole or not at all, `insterm.atomic_file`)
and the SHA-256 digest of their content that the audit event records."""

from __future__ import annotations

import hashlib

from insterm.atomic_file import StagedFiles

__all__ = ["StagedFiles", "digest"]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
