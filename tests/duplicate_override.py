"""Tests that build a near-duplicate on purpose (twins, pairs to merge) create it the way an
operator does: refused first (`DuplicateSuspected`), then created anyway with a reason naming
the candidates. (Importable from every test module: tests/ holds the root conftest.py.)"""

from __future__ import annotations

from insterm.clinic import Clinic, DuplicateOverride, Saved
from insterm.domain.identity import StrictTraits, UsedNames
from insterm.usecases.errors import DuplicateSuspected

REASON = "doublon voulu par le test"


def create_anyway(clinic: Clinic, actor: str, traits: StrictTraits,
                  used: UsedNames | None = None) -> Saved:
    try:
        return clinic.create_identity(actor, traits, used)
    except DuplicateSuspected as stop:
        ids = frozenset(c.identity.id for c in stop.candidates)
        return clinic.create_identity(actor, traits, used,
                                      override=DuplicateOverride(ids, REASON))
