"""Verification of an INS received from elsewhere — done as a SEARCH BY TRAITS + COMPARISON.

The official verification operation (WS_INS3, insi-contract.md 2.5) is not public: its
operation name, namespaces and codes are unknown. So this module does what can be done
honestly with the public contract: run the usual search by traits, then compare the returned
active INS (and history) and the returned traits with the ones supplied. It is named for what it
is (`TraitsSearchVerifier`, method label `METHOD_LABEL`) and plugs into the client through the
`Verifier` protocol, so the official operation can replace it without touching the callers.

The comparison is pure logic (`compare`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from insterm.insi.errors import InsiError, InsiRefused
from insterm.insi.request import TraitsQuery, check_traits_query
from insterm.insi.results import OID_LABELS, InsiResult, SearchOutcome

if TYPE_CHECKING:  # pragma: no cover
    from insterm.insi.client import InsiClient

__all__ = [
    "METHOD_LABEL",
    "TraitDifference",
    "TraitsSearchVerifier",
    "Verdict",
    "VerificationOutcome",
    "Verifier",
    "compare",
    "parse_supplied_ins",
]

METHOD_LABEL = (
    "recherche par traits puis comparaison (l'opération officielle de vérification n'est pas "
    "publique)"
)


class Verdict(StrEnum):
    CONFIRMED = "confirmed"  # same active INS, same traits
    INS_IN_HISTORY = "ins_in_history"  # the supplied INS is an old one of this person
    INS_DIFFERENT = "ins_different"  # INSi returns another INS for these traits
    TRAITS_DIFFERENT = "traits_different"  # same INS, some traits differ
    NOT_FOUND = "not_found"  # CR 01
    AMBIGUOUS = "ambiguous"  # CR 02
    ERROR = "error"  # refused, fault, transport or reply error


_VERDICT_FR = {
    Verdict.CONFIRMED: "INS confirmé : INSi renvoie le même INS et les mêmes traits.",
    Verdict.INS_IN_HISTORY: (
        "INS périmé : l'INS fourni figure dans l'historique de cette personne, INSi renvoie un "
        "autre INS actif. Ne l'utilisez pas : récupérez l'INS actif."
    ),
    Verdict.INS_DIFFERENT: (
        "INS non confirmé : pour ces traits, INSi renvoie un autre INS. Ne l'utilisez pas et "
        "signalez-le au référent en identitovigilance."
    ),
    Verdict.TRAITS_DIFFERENT: (
        "INS reconnu mais traits différents : comparez les traits ci-dessous avec le document "
        "d'identité avant toute décision."
    ),
    Verdict.NOT_FOUND: "INS non vérifié : INSi ne trouve aucune identité pour ces traits.",
    Verdict.AMBIGUOUS: (
        "INS non vérifié : INSi trouve plusieurs identités pour ces traits ; ajoutez le lieu de "
        "naissance ou les autres prénoms."
    ),
}

_FIELD_LABELS = {
    "birth_name": "nom de naissance",
    "first_names": "prénoms de naissance",
    "sex": "sexe",
    "birth_date": "date de naissance",
    "birth_place": "lieu de naissance",
}


@dataclass(frozen=True, slots=True)
class TraitDifference:
    field: str
    supplied: str | None
    returned: str | None

    @property
    def label(self) -> str:
        return _FIELD_LABELS.get(self.field, self.field)

    @property
    def message_fr(self) -> str:
        return f"{self.label} : fourni « {self.supplied or ''} », INSi « {self.returned or ''} »"


@dataclass(frozen=True, slots=True)
class VerificationOutcome:
    verdict: Verdict
    supplied_ins: str
    supplied_oid: str
    search: SearchOutcome
    returned_ins: str | None = None
    differences: tuple[TraitDifference, ...] = ()
    method: str = METHOD_LABEL

    @property
    def confirmed(self) -> bool:
        return self.verdict is Verdict.CONFIRMED

    @property
    def error(self) -> InsiError | None:
        return self.search.error

    @property
    def message_fr(self) -> str:
        if self.verdict is Verdict.ERROR:
            return f"INS non vérifié : {self.search.message_fr}"
        text = _VERDICT_FR[self.verdict]
        if self.differences:
            text += " " + " ; ".join(d.message_fr for d in self.differences) + "."
        return text


class Verifier(Protocol):
    """How the client verifies an INS; the official operation would be another implementation."""

    method: str

    def verify(
        self,
        client: InsiClient,
        traits: Any,
        matricule: str,
        oid: str,
        *,
        state: Any = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> VerificationOutcome: ...


def parse_supplied_ins(matricule: str, oid: str) -> tuple[str, str]:
    """Check the supplied INS before anything is sent: 15 characters with a matching key and a
    known INS OID. Returns (15-character INS, OID); raises `InsiRefused`."""
    from insterm.domain.errors import DomainError
    from insterm.domain.nir import parse_nir

    try:
        nir = parse_nir(matricule)
    except DomainError as error:
        raise InsiRefused(
            f"Vérification INSi non envoyée : l'INS fourni est invalide. {error}",
            reason="supplied_ins",
            field="matricule",
        ) from None
    if oid not in OID_LABELS:
        raise InsiRefused(
            f"Vérification INSi non envoyée : l'OID « {str(oid)[:40]} » n'est pas celui d'un INS "
            "(attendu 1.2.250.1.213.1.4.8 pour un NIR, .9 pour un NIA).",
            reason="supplied_ins",
            field="oid",
        )
    return nir.value, oid


def compare(
    result: InsiResult, query: TraitsQuery, supplied_ins: str, supplied_oid: str
) -> tuple[Verdict, str | None, tuple[TraitDifference, ...]]:
    """Compare a search result with the supplied INS and traits (exact, INSi form)."""
    if result.code == "01":
        return Verdict.NOT_FOUND, None, ()
    if result.code == "02":
        return Verdict.AMBIGUOUS, None, ()
    assert result.active is not None and result.traits is not None
    returned = result.active.value
    tiq = result.traits
    differences: list[TraitDifference] = []
    pairs = [
        ("birth_name", query.birth_name, tiq.birth_name),
        ("first_names", query.first_names_text, tiq.first_names),
        ("sex", query.sex, tiq.sex),
        ("birth_date", query.birth_date.isoformat(), tiq.birth_date),
    ]
    if query.birth_place:
        pairs.append(("birth_place", query.birth_place, tiq.birth_place))
    for field, supplied, got in pairs:
        if (supplied or "") != (got or ""):
            differences.append(TraitDifference(field, supplied, got))
    same_active = returned == supplied_ins and result.active.oid == supplied_oid
    if not same_active:
        in_history = any(
            h.value == supplied_ins and h.oid == supplied_oid for h in result.history
        )
        verdict = Verdict.INS_IN_HISTORY if in_history else Verdict.INS_DIFFERENT
        return verdict, returned, tuple(differences)
    if differences:
        return Verdict.TRAITS_DIFFERENT, returned, tuple(differences)
    return Verdict.CONFIRMED, returned, ()


class TraitsSearchVerifier:
    """Verification emulated by a search by traits + `compare` (see the module docstring)."""

    method = METHOD_LABEL

    def verify(
        self,
        client: InsiClient,
        traits: Any,
        matricule: str,
        oid: str,
        *,
        state: Any = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> VerificationOutcome:
        supplied_ins = str(matricule)
        try:
            supplied_ins, oid = parse_supplied_ins(matricule, oid)
            query = check_traits_query(TraitsQuery.from_traits(traits), state)
        except InsiRefused as refused:
            return VerificationOutcome(
                Verdict.ERROR, supplied_ins, str(oid), SearchOutcome(attempts=(), error=refused)
            )
        search = client.search_by_traits(query, state=state, progress=progress)
        if search.error is not None or search.result is None:
            return VerificationOutcome(Verdict.ERROR, supplied_ins, oid, search)
        verdict, returned, differences = compare(search.result, query, supplied_ins, oid)
        return VerificationOutcome(verdict, supplied_ins, oid, search, returned, differences)
