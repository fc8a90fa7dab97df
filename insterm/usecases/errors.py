"""Refusals of the application facade (French messages saying what to do).

Refusals by an INS rule are the domain's own errors (`insterm.domain.errors.DomainError`:
`TransitionRefused`, `TraitError`, `DocumentError`...), and refusals by the store are
`insterm.store.errors.StoreError` (`VersionConflict`, `MatriculeCollision`...): the facade lets
them through unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from insterm.domain.errors import InstermError

if TYPE_CHECKING:
    from insterm.store.duplicates import Candidate


class ClinicError(InstermError):
    """A use case refused: who may do what, or an action that makes no sense here."""


class PermissionRefused(ClinicError):
    """The operator is unknown, deactivated, or lacks the role the action needs."""


class ActionRefused(ClinicError):
    """An action that makes no sense on this record (merged record, same record twice...)."""


class DuplicateSuspected(ActionRefused):
    """A new identity is nearly identical to stored ones (`candidates`, best first, each scoring
    at least `stop_score`): it is created only once an operator has seen them and said why
    it is another person."""

    def __init__(self, candidates: tuple[Candidate, ...], stop_score: int) -> None:
        best = candidates[0]
        item = best.identity
        others = len(candidates) - 1
        message = (
            f"Ce patient existe peut-être déjà : {item.birth_name} {item.first_name}, né(e) le "
            f"{item.birth_date.strftime('%d/%m/%Y')}, IPP {item.ipp} (ressemblance "
            f"{best.score}/100 : {', '.join(best.reasons)})."
            + (f" {others} autre(s) dossier(s) très ressemblant(s)." if others else "")
            + " Ouvrez le dossier existant ; pour créer quand même, indiquez pourquoi c'est une "
            "autre personne. Rien n'a été enregistré.")
        super().__init__(message)
        self.candidates = candidates
        self.stop_score = stop_score
