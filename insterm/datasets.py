"""Where the shipped datasets are, and their parsed forms (loaded once, on first use).

In a built wheel the files of the repository's `data/` folder are package data under
`insterm/data/`; in a source checkout (or an editable install) they are read from `data/` itself.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from insterm.domain.places import PlaceIndex, load_places

_PACKAGE_DIR = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE_DIR / "data", _PACKAGE_DIR.parent / "data")

PLACES_FILE = "places.tsv"
INSI_TEST_IDENTITIES_FILE = "insi_test_identities.json"


def data_file(name: str) -> Path:
    """The path of a shipped dataset; FileNotFoundError names the folders searched."""
    for folder in _CANDIDATES:
        path = folder / name
        if path.is_file():
            return path
    searched = ", ".join(str(folder) for folder in _CANDIDATES)
    raise FileNotFoundError(f"jeu de données « {name} » introuvable (cherché dans : {searched})")


@cache
def place_index() -> PlaceIndex:
    """The birth-place index (COG communes and countries), built on first use."""
    return load_places(data_file(PLACES_FILE))


def place_name(code: str | None) -> str | None:
    """The name of a birth-place code for display, or None (no code, unknown code, or the
    dataset unreadable): a name is a help next to the code, never a reason to fail."""
    if not code:
        return None
    try:
        return place_index().name(code)
    except (OSError, ValueError):
        return None
