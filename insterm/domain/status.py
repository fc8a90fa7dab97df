"""Identity statuses, identity attributes and the one transition table between them.

Rules (ins-rules.md section 1):

- 1.1: four mutually exclusive statuses (EXI SI 07), built from two questions: was the identity
  retrieved from the INSi téléservice (I+/I-), and was it checked against a high-trust identity
  document (C+/C-)? PROV = I-C-, RECUP = I+C-, VALI = I-C+, QUAL = I+C+. Only QUAL lets the
  matricule be shown, exported, printed or put in a datamatrix (EXI SI 08).
- 1.2: attributes DOUT (identité douteuse) and FICT (identité fictive) are only compatible with
  PROV and block INSi (EXI SI 09); DOUT and FICT never go together; HOMA (homonyme) goes with
  anything. Setting DOUT or FICT forces PROV and removes the INS (EXI ID 24/26, secondary source).
- 1.3: the transition table, implemented by `transition()` below; 1.4: the exact French labels.
- 2.4: a corrected birth date (incomplete date completed) forbids RECUP and QUAL (PAM-FR).

The state of an identity, as far as these rules care, is `IdentityState(status, attributes,
has_ins, birth_date_corrected)`. Its constructor refuses every combination the rules forbid, so
an `IdentityState` that exists is valid:

- DOUT and FICT only with PROV, never together;
- an INS is held only by RECUP and QUAL identities, and RECUP and QUAL always hold one;
- RECUP and QUAL are impossible with a corrected birth date.

Events are small frozen dataclasses (one class per kind of event, their fields are the payload):

- `DocumentChecked()`: a high-trust document (or an accepted combination, see
  `documents.check_proof`) was checked trait by trait and matches. PROV -> VALI, RECUP -> QUAL,
  VALI and QUAL stay (idempotent). Refused for DOUT/FICT identities (EXI SI 09 (a)).
- `InsiRetrieved(document_checked=False)`: INSi returned an identity whose traits agree with the
  person (and, for VALI, with the checked document). PROV -> RECUP, VALI -> QUAL, RECUP -> RECUP,
  QUAL -> QUAL; with `document_checked=True` (document checked in the same action) the result is
  QUAL whatever the start. On an identity that already holds an INS this event means INSi returned
  the *same* INS (the INS is kept); a different matricule is `InsReplaced`. Refused for DOUT/FICT
  (EXI SI 09 (b)) and for a corrected birth date (safer choice, see below).
- `StrictTraitEdited(traits, rechecked=False, first_name_coherent=False,
  birth_date_corrected=None)`: one or more strict traits were changed (see the drop rule below).
  `birth_date_corrected` is the new value of the corrected-date flag when the birth date is among
  the edited traits (None: unchanged).
- `AttributeSet(attribute)` / `AttributeCleared(attribute)`: DOUT or FICT set forces PROV and
  removes the INS; clearing an attribute never restores a status. Setting DOUT on a FICT identity
  (or the reverse) is refused. Setting a present attribute or clearing an absent one changes
  nothing.
- `DocumentCheckRevoked()`: the document check is found to be wrong or is withdrawn:
  QUAL -> RECUP (the INS is kept, PAM-FR 4.4.4), VALI -> PROV; refused when there is no document
  check to revoke.
- `InsReplaced(nia_to_nir=False)`: INSi returned another matricule for a RECUP/QUAL identity (NIA
  replaced by a NIR, or a new matricule): the status stays, the new INS replaces the old one,
  which the store keeps in its history (PAM-FR 4.4.1-4.4.2). Refused without a current INS.
- `Merged(changed_traits=frozenset(), rechecked=False, first_name_coherent=False)`: another
  record was merged into this one (the surviving record); when the merge changed its strict traits
  it is demoted exactly as for a strict-trait edit (Mediboard `CPatient::merge()`).
- `BirthDateCorrected(rechecked=False)`: the birth date is now marked as corrected (completed per
  ins-rules 2.4): the same as a birth-date edit that sets the flag.

Strict-trait drop rule. INFERENCE, not a quoted rule (ins-rules 1.3 and 7.1: the RNIV wording
for the target status was not found); we take the recommended, safer behaviour: an edit of a
strict trait detaches the INS of a RECUP/QUAL identity; QUAL -> VALI only if the new value is
re-checked against the document in the same action, otherwise PROV; RECUP -> PROV; VALI -> PROV
unless re-checked; PROV stays PROV. The only exception is an edit of the first birth first name
alone that stays coherent with the list of birth first names (EXI ID 10, ins-rules 2.2): nothing
drops.

Corrected birth date and INSi. PAM-FR says a corrected date forbids RECUP/QUAL, a secondary source
does not (ins-rules 2.4 and 7.5). We take the safer reading: a corrected date blocks RECUP/QUAL and
we refuse the INSi retrieval altogether for such an identity, rather than call INSi and then have
nowhere to put the result.

Not supported yet: the *Application carte Vitale* channel (identity received directly as QUAL,
without an INSi call, ins-rules 1.3 and 3.1). Accepting it safely requires verifying the signed
assertion the application provides, which insterm cannot do yet, so there is no event for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar

from insterm.domain.errors import TransitionRefused, require_bool

__all__ = [
    "Attribute",
    "AttributeCleared",
    "AttributeSet",
    "BirthDateCorrected",
    "DocumentCheckRevoked",
    "DocumentChecked",
    "Event",
    "IdentityState",
    "InsReplaced",
    "InsiRetrieved",
    "Merged",
    "Status",
    "StrictTrait",
    "StrictTraitEdited",
    "Transition",
    "describe_drop",
    "insi_allowed",
    "insi_block_reason",
    "may_show_matricule",
    "parse_attribute",
    "parse_status",
    "transition",
]


class Status(StrEnum):
    """The four identity statuses (ins-rules 1.1), as stored and as exchanged."""

    PROV = "PROV"
    RECUP = "RECUP"
    VALI = "VALI"
    QUAL = "QUAL"

    @property
    def label(self) -> str:
        """The exact French label to show (ins-rules 1.4)."""
        return _STATUS_LABELS[self]

    @property
    def insi_retrieved(self) -> bool:
        """I+: the identity was retrieved from INSi (RECUP, QUAL)."""
        return self in (Status.RECUP, Status.QUAL)

    @property
    def document_checked(self) -> bool:
        """C+: the identity was checked against a high-trust document (VALI, QUAL)."""
        return self in (Status.VALI, Status.QUAL)

    @classmethod
    def from_flags(cls, *, insi_retrieved: bool, document_checked: bool) -> Status:
        """The status of the I+/I- x C+/C- matrix of ins-rules 1.1."""
        if insi_retrieved:
            return cls.QUAL if document_checked else cls.RECUP
        return cls.VALI if document_checked else cls.PROV


_STATUS_LABELS = {
    Status.PROV: "Identité provisoire",
    Status.RECUP: "Identité récupérée",
    Status.VALI: "Identité validée",
    Status.QUAL: "Identité qualifiée",
}


class Attribute(StrEnum):
    """Identity attributes (ins-rules 1.2), independent of the status."""

    DOUT = "DOUT"
    FICT = "FICT"
    HOMA = "HOMA"

    @property
    def label(self) -> str:
        """French label to show next to the status."""
        return _ATTRIBUTE_LABELS[self]

    @property
    def forces_provisional(self) -> bool:
        """DOUT and FICT: only compatible with PROV, INSi blocked (EXI SI 09)."""
        return self is not Attribute.HOMA


_ATTRIBUTE_LABELS = {
    Attribute.DOUT: "Identité douteuse",
    Attribute.FICT: "Identité fictive",
    Attribute.HOMA: "Homonyme",
}


class StrictTrait(StrEnum):
    """The strict traits whose edit may drop the status (ins-rules 2.1).

    Values match the trait kinds of `traits.py` and the fields of `identity.StrictTraits`.
    """

    BIRTH_NAME = "birth_name"
    FIRST_NAME = "first_name"
    FIRST_NAMES = "first_names"
    BIRTH_DATE = "birth_date"
    SEX = "sex"
    BIRTH_PLACE = "birth_place"

    @property
    def label(self) -> str:
        """French name of the trait, e.g. "nom de naissance"."""
        return _TRAIT_LABELS[self][1]

    @property
    def with_of(self) -> str:
        """French name with its contracted preposition, e.g. "du nom de naissance"."""
        prefix, label = _TRAIT_LABELS[self]
        return f"{prefix}{label}"


_TRAIT_LABELS = {
    StrictTrait.BIRTH_NAME: ("du ", "nom de naissance"),
    StrictTrait.FIRST_NAME: ("du ", "premier prénom de naissance"),
    StrictTrait.FIRST_NAMES: ("de la ", "liste des prénoms de naissance"),
    StrictTrait.BIRTH_DATE: ("de la ", "date de naissance"),
    StrictTrait.SEX: ("du ", "sexe"),
    StrictTrait.BIRTH_PLACE: ("du ", "lieu de naissance"),
}


_Code = TypeVar("_Code", bound=StrEnum)


def _parse_code(enum: type[_Code], value: object, what: str) -> _Code:
    """A member of `enum` from a member or its code (case and surrounding spaces ignored)."""
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        code = value.strip().upper()
        for member in enum:
            if member.value.upper() == code:
                return member
    shown = value if isinstance(value, str) else type(value).__name__
    allowed = ", ".join(member.value for member in enum)
    raise TransitionRefused(
        f"{what} inconnu : « {str(shown)[:40]} ». Valeurs possibles : {allowed}."
    )


def parse_status(value: object) -> Status:
    """The `Status` for a stored code ("PROV", "qual"...); raises `TransitionRefused` otherwise."""
    return _parse_code(Status, value, "Statut d'identité")


def parse_attribute(value: object) -> Attribute:
    """The `Attribute` for a stored code ("DOUT"...); raises `TransitionRefused` otherwise."""
    return _parse_code(Attribute, value, "Attribut d'identité")


def _parse_trait(value: object) -> StrictTrait:
    return _parse_code(StrictTrait, value, "Trait strict")


def _members(value: object, parse: Callable[[object], _Code], what: str) -> frozenset[_Code]:
    """A frozenset of parsed members from one member/code or an iterable of them."""
    if isinstance(value, str):
        return frozenset({parse(value)})
    if not isinstance(value, Iterable):
        raise TransitionRefused(f"{what} : une collection de codes est attendue.")
    return frozenset(parse(item) for item in value)



def _flag(value: object, name: str) -> bool:
    return require_bool(value, name, TransitionRefused)


# --------------------------------------------------------------------------------------------
# The state


@dataclass(frozen=True, slots=True)
class IdentityState:
    """What the status rules know of an identity; the constructor refuses invalid combinations.

    `status` and `attributes` accept the enum members or their codes; `attributes` is stored as
    a frozenset of `Attribute`. Raises `TransitionRefused` with a French message when the
    combination is forbidden (see the module docstring).
    """

    status: Status
    attributes: frozenset[Attribute] = frozenset()
    has_ins: bool = False
    birth_date_corrected: bool = False

    def __post_init__(self) -> None:
        status = parse_status(self.status)
        attributes = _members(self.attributes, parse_attribute, "Attributs d'identité")
        has_ins = _flag(self.has_ins, "INS présent")
        corrected = _flag(self.birth_date_corrected, "date de naissance corrigée")
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "attributes", attributes)
        _check_state(status, attributes, has_ins, corrected)

    @property
    def summary(self) -> str:
        """French one-liner for screens: the status label, then the attributes."""
        labels = [a.label for a in Attribute if a in self.attributes]
        return " — ".join([self.status.label, ", ".join(labels)]) if labels else self.status.label


def _check_state(
    status: Status, attributes: frozenset[Attribute], has_ins: bool, corrected: bool
) -> None:
    if Attribute.DOUT in attributes and Attribute.FICT in attributes:
        raise TransitionRefused(
            "Une identité ne peut pas être à la fois douteuse et fictive : "
            "retirez l'un des deux attributs."
        )
    for attribute in (Attribute.DOUT, Attribute.FICT):
        if attribute in attributes and status is not Status.PROV:
            raise TransitionRefused(
                f"Une identité portant l'attribut « {attribute.label} » ne peut être que "
                f"« {Status.PROV.label} » : retirez l'attribut ou repassez l'identité en "
                "provisoire."
            )
    if has_ins and not status.insi_retrieved:
        raise TransitionRefused(
            f"Une identité « {status.label} » ne peut pas porter d'INS : seules les identités "
            f"« {Status.RECUP.label} » et « {Status.QUAL.label} » en ont un. Retirez l'INS."
        )
    if status.insi_retrieved and not has_ins:
        raise TransitionRefused(
            f"Une identité « {status.label} » doit porter l'INS renvoyé par INSi : "
            "récupérez l'INS ou repassez l'identité au statut correspondant."
        )
    if status.insi_retrieved and corrected:
        raise TransitionRefused(
            f"Une identité dont la date de naissance a été corrigée ne peut pas être "
            f"« {status.label} » : elle peut au plus être « {Status.VALI.label} »."
        )


# --------------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True, slots=True)
class DocumentChecked:
    """A high-trust document (or accepted combination) was checked and matches the traits."""


@dataclass(frozen=True, slots=True)
class InsiRetrieved:
    """INSi returned an identity whose traits agree; optionally a document checked alongside."""

    document_checked: bool = False

    def __post_init__(self) -> None:
        _flag(self.document_checked, "document contrôlé")


@dataclass(frozen=True, slots=True)
class StrictTraitEdited:
    """Strict traits were changed.

    `traits`: the edited traits (one `StrictTrait`/code or several; at least one).
    `rechecked`: the new values were checked against the identity document in the same action.
    `first_name_coherent`: only meaningful when the first birth first name alone was edited; True
    when the new value stays coherent with the list of birth first names (then nothing drops).
    `birth_date_corrected`: new value of the corrected-date flag, only with a birth-date edit
    (None: unchanged).
    """

    traits: frozenset[StrictTrait]
    rechecked: bool = False
    first_name_coherent: bool = False
    birth_date_corrected: bool | None = None

    def __post_init__(self) -> None:
        traits = _members(self.traits, _parse_trait, "Traits stricts")
        if not traits:
            raise TransitionRefused(
                "Aucun trait strict modifié n'est indiqué : précisez le trait modifié."
            )
        object.__setattr__(self, "traits", traits)
        _flag(self.rechecked, "revérifié sur le document")
        _flag(self.first_name_coherent, "premier prénom cohérent")
        if self.birth_date_corrected is not None:
            _flag(self.birth_date_corrected, "date de naissance corrigée")
            if StrictTrait.BIRTH_DATE not in traits:
                raise TransitionRefused(
                    "L'indicateur de date de naissance corrigée ne peut changer qu'avec une "
                    "modification de la date de naissance."
                )


@dataclass(frozen=True, slots=True)
class AttributeSet:
    """An attribute (DOUT, FICT, HOMA) is added to the identity."""

    attribute: Attribute

    def __post_init__(self) -> None:
        object.__setattr__(self, "attribute", parse_attribute(self.attribute))


@dataclass(frozen=True, slots=True)
class AttributeCleared:
    """An attribute is removed from the identity; no status is restored."""

    attribute: Attribute

    def __post_init__(self) -> None:
        object.__setattr__(self, "attribute", parse_attribute(self.attribute))


@dataclass(frozen=True, slots=True)
class DocumentCheckRevoked:
    """The document check that gave the identity its C+ is withdrawn."""


@dataclass(frozen=True, slots=True)
class InsReplaced:
    """INSi returned a different matricule for an identity holding an INS."""

    nia_to_nir: bool = False

    def __post_init__(self) -> None:
        _flag(self.nia_to_nir, "NIA remplacé par le NIR")


@dataclass(frozen=True, slots=True)
class Merged:
    """Another record was merged into this (surviving) one.

    `changed_traits`: the strict traits of the surviving record that the merge changed (empty:
    none). `rechecked` and `first_name_coherent` as for `StrictTraitEdited`.
    """

    changed_traits: frozenset[StrictTrait] = frozenset()
    rechecked: bool = False
    first_name_coherent: bool = False

    def __post_init__(self) -> None:
        traits = _members(self.changed_traits, _parse_trait, "Traits stricts")
        object.__setattr__(self, "changed_traits", traits)
        _flag(self.rechecked, "revérifié sur le document")
        _flag(self.first_name_coherent, "premier prénom cohérent")


@dataclass(frozen=True, slots=True)
class BirthDateCorrected:
    """The birth date is now marked as corrected (completed per ins-rules 2.4)."""

    rechecked: bool = False

    def __post_init__(self) -> None:
        _flag(self.rechecked, "revérifié sur le document")


Event = (
    DocumentChecked
    | InsiRetrieved
    | StrictTraitEdited
    | AttributeSet
    | AttributeCleared
    | DocumentCheckRevoked
    | InsReplaced
    | Merged
    | BirthDateCorrected
)


# --------------------------------------------------------------------------------------------
# Transitions


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """The outcome of an accepted event.

    `state`: the new state. `previous`: the state before. What happens to the INS:
    `remove_ins` (the current INS stops being current; the store keeps it in the INS history),
    `attach_ins` (the INS returned by INSi becomes current), `keep_ins` (the current INS stays
    as it is); `remove_ins` and `attach_ins` together mean a replacement. `reason`: French
    sentence for the audit log.
    """

    previous: IdentityState
    state: IdentityState
    remove_ins: bool
    attach_ins: bool
    keep_ins: bool
    reason: str

    def __post_init__(self) -> None:
        coherent = (
            self.state.has_ins == (self.keep_ins or self.attach_ins)
            and not (self.keep_ins and (self.remove_ins or self.attach_ins))
            and (self.previous.has_ins or not (self.keep_ins or self.remove_ins))
        )
        if not coherent:
            raise TransitionRefused(
                "Transition incohérente : le devenir de l'INS ne correspond pas aux statuts."
            )

    @property
    def status_changed(self) -> bool:
        return self.state.status is not self.previous.status

    @property
    def changed(self) -> bool:
        """True when the state or the INS changes."""
        return self.state != self.previous or self.remove_ins or self.attach_ins


def transition(state: IdentityState, event: Event) -> Transition:
    """Apply `event` to `state`; raises `TransitionRefused` (French message) when forbidden.

    The whole transition table of ins-rules 1.3 lives here (see the module docstring).
    """
    if not isinstance(state, IdentityState):
        raise TransitionRefused(
            "État d'identité manquant : impossible d'appliquer l'événement."
        )
    match event:
        case DocumentChecked():
            return _document_checked(state, event)
        case InsiRetrieved():
            return _insi_retrieved(state, event)
        case StrictTraitEdited():
            return _strict_change(
                state,
                event,
                event.traits,
                rechecked=event.rechecked,
                first_name_coherent=event.first_name_coherent,
                corrected=event.birth_date_corrected,
            )
        case AttributeSet():
            return _attribute_set(state, event)
        case AttributeCleared():
            return _attribute_cleared(state, event)
        case DocumentCheckRevoked():
            return _document_check_revoked(state, event)
        case InsReplaced():
            return _ins_replaced(state, event)
        case Merged():
            if not event.changed_traits:
                return _unchanged(state, event, "La fusion n'a modifié aucun trait strict.")
            return _strict_change(
                state,
                event,
                event.changed_traits,
                rechecked=event.rechecked,
                first_name_coherent=event.first_name_coherent,
                corrected=None,
            )
        case BirthDateCorrected():
            if state.birth_date_corrected:
                return _unchanged(
                    state, event, "La date de naissance était déjà marquée comme corrigée."
                )
            return _strict_change(
                state,
                event,
                frozenset({StrictTrait.BIRTH_DATE}),
                rechecked=event.rechecked,
                first_name_coherent=False,
                corrected=True,
            )
        case _:
            raise TransitionRefused("Événement inconnu : aucune règle de statut ne s'applique.")


def _blocking_attribute(state: IdentityState) -> Attribute | None:
    for attribute in (Attribute.DOUT, Attribute.FICT):
        if attribute in state.attributes:
            return attribute
    return None


def _document_checked(state: IdentityState, event: DocumentChecked) -> Transition:
    blocking = _blocking_attribute(state)
    if blocking is not None:
        # EXI SI 09 (a): a doubtful or fictitious identity cannot leave PROV.
        raise TransitionRefused(
            f"L'identité porte l'attribut « {blocking.label} » : elle doit rester "
            f"« {Status.PROV.label} ». Retirez d'abord cet attribut si la situation est "
            "éclaircie, puis refaites le contrôle du document."
        )
    status = Status.from_flags(insi_retrieved=state.status.insi_retrieved, document_checked=True)
    return _make(state, replace(state, status=status), event)


def _insi_retrieved(state: IdentityState, event: InsiRetrieved) -> Transition:
    reason = _insi_refusal(state)
    if reason is not None:
        raise TransitionRefused(reason)
    status = Status.from_flags(
        insi_retrieved=True,
        document_checked=state.status.document_checked or event.document_checked,
    )
    # Already holding an INS: INSi confirmed the same one, which is kept (see InsReplaced).
    new_state = replace(state, status=status, has_ins=True)
    return _make(state, new_state, event, attach=not state.has_ins)


def _insi_refusal(state: IdentityState) -> str | None:
    blocking = _blocking_attribute(state)
    if blocking is not None:
        # EXI SI 09 (b): INSi must be technically impossible for DOUT/FICT identities.
        return (
            f"Appel au téléservice INSi impossible : l'identité porte l'attribut "
            f"« {blocking.label} ». Retirez d'abord cet attribut si la situation est éclaircie."
        )
    if state.birth_date_corrected:
        # Uncertain rule (ins-rules 2.4, 7.5): safer reading, a corrected date blocks RECUP/QUAL,
        # so we do not call INSi at all.
        return (
            "Appel au téléservice INSi impossible : la date de naissance a été corrigée (date "
            "incomplète complétée). Une telle identité ne peut être ni récupérée ni "
            "qualifiée ; elle peut être validée sur un document d'identité."
        )
    return None


def _strict_drop_status(status: Status, rechecked: bool) -> Status:
    """Status after a strict-trait change.

    INFERENCE (ins-rules 1.3 "Recommended for us", 7.1): no source states the target status;
    this is the safer behaviour. The INS is always detached (I-); the document basis (C+)
    survives only when the new value was re-checked against the document in the same action.
    """
    return Status.from_flags(
        insi_retrieved=False, document_checked=status.document_checked and rechecked
    )


def _strict_change(
    state: IdentityState,
    event: Event,
    traits: frozenset[StrictTrait],
    *,
    rechecked: bool,
    first_name_coherent: bool,
    corrected: bool | None,
) -> Transition:
    if traits == {StrictTrait.FIRST_NAME} and first_name_coherent:
        # EXI ID 10 (ins-rules 2.2): the first birth first name may be edited whatever the
        # status as long as it stays coherent with the list of birth first names.
        return _unchanged(
            state,
            event,
            "Seul le premier prénom de naissance a changé et il reste cohérent avec la liste "
            "des prénoms de naissance.",
        )
    new_corrected = state.birth_date_corrected if corrected is None else corrected
    status = _strict_drop_status(state.status, rechecked)
    new_state = replace(
        state, status=status, has_ins=False, birth_date_corrected=new_corrected
    )
    return _make(state, new_state, event, remove=state.has_ins)


def _attribute_set(state: IdentityState, event: AttributeSet) -> Transition:
    attribute = event.attribute
    if attribute in state.attributes:
        return _unchanged(state, event, "L'attribut était déjà présent.")
    other = {Attribute.DOUT: Attribute.FICT, Attribute.FICT: Attribute.DOUT}.get(attribute)
    if other is not None and other in state.attributes:
        raise TransitionRefused(
            "Une identité ne peut pas être à la fois douteuse et fictive : retirez d'abord "
            f"l'attribut « {other.label} »."
        )
    attributes = state.attributes | {attribute}
    if attribute.forces_provisional:
        # EXI SI 09, EXI ID 24/26: forced back to PROV, matricule + OID invalidated.
        new_state = replace(state, status=Status.PROV, attributes=attributes, has_ins=False)
        return _make(state, new_state, event, remove=state.has_ins)
    return _make(state, replace(state, attributes=attributes), event)


def _attribute_cleared(state: IdentityState, event: AttributeCleared) -> Transition:
    attribute = event.attribute
    if attribute not in state.attributes:
        return _unchanged(state, event, "L'attribut n'était pas présent.")
    new_state = replace(state, attributes=state.attributes - {attribute})
    detail = ""
    if attribute.forces_provisional:
        detail = "Le retrait d'un attribut ne rétablit aucun statut."
    return _make(state, new_state, event, detail=detail)


def _document_check_revoked(state: IdentityState, event: DocumentCheckRevoked) -> Transition:
    if not state.status.document_checked:
        raise TransitionRefused(
            f"Aucun contrôle de document à annuler : l'identité est « {state.status.label} »."
        )
    # QUAL -> RECUP keeps the INS (PAM-FR 4.4.4); VALI -> PROV.
    status = Status.from_flags(insi_retrieved=state.status.insi_retrieved, document_checked=False)
    return _make(state, replace(state, status=status), event)


def _ins_replaced(state: IdentityState, event: InsReplaced) -> Transition:
    if not state.has_ins:
        raise TransitionRefused(
            f"Aucun INS à remplacer : l'identité est « {state.status.label} ». "
            "Utilisez la récupération de l'INS par INSi."
        )
    return _make(state, state, event, remove=True, attach=True)


def _unchanged(state: IdentityState, event: Event, detail: str) -> Transition:
    return _make(state, state, event, detail=detail)


def _make(
    previous: IdentityState,
    new: IdentityState,
    event: Event,
    *,
    remove: bool = False,
    attach: bool = False,
    detail: str = "",
) -> Transition:
    keep = previous.has_ins and new.has_ins and not (remove or attach)
    sentence = _sentence(_subject(event), previous, new, remove, attach, keep, future=False)
    reason = f"{sentence} {detail}" if detail else sentence
    return Transition(
        previous=previous,
        state=new,
        remove_ins=remove,
        attach_ins=attach,
        keep_ins=keep,
        reason=reason,
    )


# --------------------------------------------------------------------------------------------
# French sentences


def _join_french(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " et " + items[-1]


def _traits_phrase(traits: frozenset[StrictTrait]) -> str:
    return _join_french([t.with_of for t in StrictTrait if t in traits])


_RECHECKED = ", revérifiée sur le document d'identité,"


def _subject(event: Event) -> str:
    """The French noun phrase naming the event, e.g. "La modification du nom de naissance"."""
    match event:
        case DocumentChecked():
            return "Le contrôle du document d'identité"
        case InsiRetrieved(document_checked=True):
            return "La récupération de l'INS par INSi avec contrôle du document d'identité"
        case InsiRetrieved():
            return "La récupération de l'INS par INSi"
        case StrictTraitEdited():
            recheck = _RECHECKED if event.rechecked else ""
            return f"La modification {_traits_phrase(event.traits)}{recheck}"
        case AttributeSet():
            return f"L'ajout de l'attribut « {event.attribute.label} »"
        case AttributeCleared():
            return f"Le retrait de l'attribut « {event.attribute.label} »"
        case DocumentCheckRevoked():
            return "L'annulation du contrôle du document d'identité"
        case InsReplaced(nia_to_nir=True):
            return "Le remplacement du NIA par le NIR renvoyé par INSi"
        case InsReplaced():
            return "Le remplacement de l'INS par le nouveau matricule renvoyé par INSi"
        case Merged():
            if not event.changed_traits:
                return "La fusion des dossiers"
            recheck = _RECHECKED if event.rechecked else ""
            return (
                f"La fusion des dossiers, avec modification "
                f"{_traits_phrase(event.changed_traits)}{recheck}"
            )
        case _:  # BirthDateCorrected
            recheck = _RECHECKED if event.rechecked else ""
            return f"Le marquage de la date de naissance comme corrigée{recheck}"


def _sentence(
    subject: str,
    previous: IdentityState,
    new: IdentityState,
    remove: bool,
    attach: bool,
    keep: bool,
    *,
    future: bool,
) -> str:
    old_label, new_label = previous.status.label, new.status.label
    if new.status is not previous.status:
        verb = "fera passer" if future else "a fait passer"
        text = f"{subject} {verb} l'identité de « {old_label} » à « {new_label} »"
    else:
        verb = "ne changera pas" if future else "n'a pas changé"
        text = f"{subject} {verb} le statut de l'identité (« {old_label} »)"
    if remove and attach:
        ins = (
            "remplacera l'INS (l'ancien sera conservé dans l'historique)"
            if future
            else "a remplacé l'INS (l'ancien est conservé dans l'historique)"
        )
    elif remove:
        ins = "retirera l'INS" if future else "a retiré l'INS"
    elif attach:
        ins = "rattachera" if future else "a rattaché"
        ins += " l'INS renvoyé par INSi"
    elif keep:
        ins = "conservera l'INS" if future else "a conservé l'INS"
    else:
        return text + "."
    return f"{text} et {ins}."


def describe_drop(state: IdentityState, event: Event) -> str:
    """French sentence the UI shows BEFORE an action, saying what it will do to the status.

    e.g. "La modification du nom de naissance fera passer l'identité de « Identité qualifiée »
    à « Identité provisoire » et retirera l'INS." Computed by `transition()` itself; a refused
    event raises its `TransitionRefused`.
    """
    result = transition(state, event)
    return _sentence(
        _subject(event),
        result.previous,
        result.state,
        result.remove_ins,
        result.attach_ins,
        result.keep_ins,
        future=True,
    )


# --------------------------------------------------------------------------------------------
# Guards


def insi_block_reason(state: IdentityState) -> str | None:
    """Why INSi may not be called for this identity (French), or None when it may."""
    try:
        transition(state, InsiRetrieved())
    except TransitionRefused as refused:
        return refused.message
    return None


def insi_allowed(state: IdentityState) -> bool:
    """True when the INSi téléservice may be called for this identity (EXI SI 09, ins-rules 2.4).

    The reason of a refusal is given by `insi_block_reason()`.
    """
    return insi_block_reason(state) is None


def may_show_matricule(state: IdentityState) -> bool:
    """Only a QUAL identity's matricule may be shown, exported, printed or encoded (EXI SI 08)."""
    return isinstance(state, IdentityState) and state.status is Status.QUAL and state.has_ins
