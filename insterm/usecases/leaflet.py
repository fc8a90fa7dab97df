"""Use case: write the patients' information leaflet on the INS (`insterm.exchange.leaflet_pdf`)
with the practice's name from the settings file (`practice.name`), whole or not at all."""

from __future__ import annotations

from pathlib import Path

from insterm.atomic_file import write_atomically
from insterm.config import load_settings
from insterm.domain.errors import InstermError

DEFAULT_NAME = "depliant-information-ins.pdf"


class LeafletError(InstermError):
    """The leaflet could not be written; the message says where and what to do."""


def write_leaflet(target: Path) -> Path:
    """The absolute path written; `target` may be a folder (the default name is used there)."""
    from insterm.exchange.leaflet_pdf import leaflet_pdf

    path = target / DEFAULT_NAME if target.is_dir() else target
    document = leaflet_pdf(load_settings().practice_name)
    try:
        write_atomically(path, document, mode=0o644)
    except OSError as error:
        raise LeafletError(f"Impossible d'écrire {path} : {error.strerror or error}. Rien n'a "
                           "été écrit ; vérifiez le dossier et la place libre.") from None
    return path.absolute()
