"""Refusals of the application facade (French messages saying what to do).

Refusals by an INS rule are the domain's own errors (`insterm.domain.errors.DomainError`:
`TransitionRefused`, `TraitError`, `DocumentError`...), and refusals by the store are
`insterm.store.errors.StoreError` (`VersionConflict`, `MatriculeCollision`...): the facade lets
them through unchanged.
"""

from __future__ import annotations

from insterm.domain.errors import InstermError


class ClinicError(InstermError):
    """A use case refused: who may do what, or an action that makes no sense here."""


class PermissionRefused(ClinicError):
    """The operator is unknown, deactivated, or lacks the role the action needs."""


class ActionRefused(ClinicError):
    """An action that makes no sense on this record (merged record, same record twice...)."""
