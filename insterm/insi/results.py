"""Typed results of INSi calls. Standard library only.

`InsiResult` is one RESULTAT (CR 00/01/02 with, for 00, the active INS, the history and the
returned traits, all kept exactly as received). `Attempt` is one request/response exchange with
its raw XML (for the insi_call log). `SearchOutcome` is the whole search (several attempts by
the first-name strategy) ending in a result or in one typed error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from insterm.domain.insi_codes import CR_MEANINGS

if TYPE_CHECKING:  # pragma: no cover
    from insterm.insi.errors import InsiError

__all__ = [
    "CR_LABELS_FR",
    "OID_LABELS",
    "Attempt",
    "InsRecord",
    "InsiResult",
    "ReturnedTraits",
    "SearchOutcome",
]

OID_NIR = "1.2.250.1.213.1.4.8"
OID_NIA = "1.2.250.1.213.1.4.9"
OID_NIR_TEST = "1.2.250.1.213.1.4.10"
OID_NIR_DEMO = "1.2.250.1.213.1.4.11"

# The INS assigning authorities (ins-rules.md 5.4); INSi itself returns .8 and .9.
OID_LABELS: dict[str, str] = {
    OID_NIR: "INS-NIR",
    OID_NIA: "INS-NIA",
    OID_NIR_TEST: "INS-NIR de test",
    OID_NIR_DEMO: "INS-NIR de démonstration",
}

CR_LABELS_FR: dict[str, str] = {code: meaning[0].upper() + meaning[1:]
                                 for code, meaning in CR_MEANINGS.items()}


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class InsRecord:
    """One INS as received (INSACTIF or INSHISTO): 13-character matricule, 2-digit key (checked
    by the parser), OID, and for history entries the optional TypeMatricule / DateDeb / DateFin
    kept as the raw strings received."""

    matricule: str
    key: str
    oid: str
    type_matricule: str | None = None
    start: str | None = None
    end: str | None = None

    @property
    def value(self) -> str:
        """The 15-character INS (matricule + key)."""
        return self.matricule + self.key

    @property
    def kind(self) -> str:
        """"INS-NIR", "INS-NIA", ... from the OID."""
        return OID_LABELS.get(self.oid, f"OID {self.oid}")

    @property
    def is_nia(self) -> bool:
        return self.oid == OID_NIA

    @property
    def start_date(self) -> date | None:
        return _parse_date(self.start)

    @property
    def end_date(self) -> date | None:
        return _parse_date(self.end)


@dataclass(frozen=True, slots=True)
class ReturnedTraits:
    """TIQ: the traits INSi holds, exactly as received (None when absent). `first_name` is
    TIQ/Prenom (rarely present), `first_names` TIQ/ListePrenom (space-separated)."""

    birth_name: str | None
    first_name: str | None
    first_names: str | None
    sex: str | None
    birth_date: str | None
    birth_place: str | None

    @property
    def birth_date_value(self) -> date | None:
        return _parse_date(self.birth_date)

    @property
    def first_name_list(self) -> tuple[str, ...]:
        return tuple((self.first_names or "").split())


@dataclass(frozen=True, slots=True)
class InsiResult:
    """One RESULTAT: `code` "00"/"01"/"02", `label` the LibelleCR as received; for 00 the active
    INS, the history (in the order received) and the returned traits."""

    code: str
    label: str
    active: InsRecord | None = None
    history: tuple[InsRecord, ...] = ()
    traits: ReturnedTraits | None = None

    @property
    def found(self) -> bool:
        return self.code == "00"

    @property
    def message_fr(self) -> str:
        base = CR_LABELS_FR.get(self.code, f"Compte rendu {self.code}")
        if self.code == "00" and self.active is not None:
            return f"{base} : INS {self.active.value} ({self.active.kind})."
        if self.code == "01":
            return f"{base} : vérifiez les traits (nom de naissance, prénoms, date) avec le document."
        if self.code == "02":
            return (
                f"{base} : ajoutez les autres prénoms de naissance ou le lieu de naissance "
                "(code COG), puis relancez."
            )
        return base + "."


@dataclass(frozen=True, slots=True)
class Attempt:
    """One exchange with the service. `sent_first_names` is the content of the Prenom element
    for a traits search. Exactly one of `result` and `error` is set. `request_xml` is what was
    sent (b"" when the request could not be built), `response_xml` what was read (None when
    nothing came, possibly cut at the size cap)."""

    operation: str
    message_id: str
    started_at: datetime
    duration_seconds: float
    request_xml: bytes
    response_xml: bytes | None
    http_status: int | None
    result: InsiResult | None = None
    error: InsiError | None = None
    sent_first_names: str | None = None
    sent: bool = True  # False when refused while building: nothing left the machine


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """A whole search: every attempt in order, and how it ended — `result` (the 00 if any,
    else see `insterm.insi.strategy`) or `error` (exactly one of the two is set)."""

    attempts: tuple[Attempt, ...]
    result: InsiResult | None = None
    error: InsiError | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def found(self) -> bool:
        return self.result is not None and self.result.found

    @property
    def code(self) -> str:
        """"00"/"01"/"02", or the error's machine code."""
        if self.result is not None:
            return self.result.code
        assert self.error is not None
        return self.error.code

    @property
    def message_fr(self) -> str:
        if self.error is not None:
            return str(self.error)
        assert self.result is not None
        return self.result.message_fr

    def raise_for_error(self) -> InsiResult:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result
