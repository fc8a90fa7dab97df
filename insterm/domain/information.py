"""The patient-information duty: a patient is told that their INS is used to identify them
(no opposition is possible: the INS is a legal obligation of health professionals). The
practice records whether, when and how the patient was told.

How: said to the patient, a poster in the waiting room, or the practice's leaflet handed.
A poster alone is recorded as such; whether it is enough is the practice's choice (the rule
texts we could read do not settle it: the safer practice is to tell the patient in person or
hand the leaflet, which the report counts apart).

Recording is allowed for any identity: telling a patient before their INS is retrieved does
no harm. It is asked (not forced) when an identity first becomes qualified.
"""

from __future__ import annotations

from enum import StrEnum

from insterm.domain.errors import DomainError, echoed


class InformationError(DomainError):
    """A way of informing that does not exist."""


class InformedBy(StrEnum):
    ORAL = "oral"
    POSTER = "affiche"
    LEAFLET = "document"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, value: object) -> InformedBy:
        if isinstance(value, InformedBy):
            return value
        if isinstance(value, str):
            for member in cls:
                if value.strip().lower() == member.value:
                    return member
        shown = echoed(value, 20) if isinstance(value, str) else "?"
        raise InformationError(f"Manière d'informer inconnue « {shown} » : oral, affiche ou "
                               "document.", field="how")


_LABELS = {
    InformedBy.ORAL: "informé oralement",
    InformedBy.POSTER: "affiche en salle d'attente",
    InformedBy.LEAFLET: "document d'information remis",
}
