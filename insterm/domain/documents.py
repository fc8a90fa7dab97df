"""Identity documents: the catalogue, which ones prove an identity, and the combined proofs.

Rules (ins-rules.md section 3):

- 3.3: document types are recorded with the codes of the PAM-FR ZFD-7 table (PA, CN, CS, AV, IE,
  AN, LE, AC, DC, TC, CE, CM, PC, CC). The carte Vitale has no ZFD-7 code of its own: it appears
  here as the local entry "CV" (the letters FR Core uses in ANCV/LECV), never recorded alone.
- 3.1: high-trust devices that prove an identity on their own (give VALI/QUAL): passport (PA);
  national identity card (CN, only for French, EU, EEA, Swiss... nationals: shown as a note, the
  operator checks it); residence permit (CS); eIDAS electronic identification of level
  "substantiel" or "élevé" (IE); for a minor, the *document de circulation pour étranger mineur*
  (DC); a trusted third party under contract (TC).
- 3.1, combined proofs, only in their context:
  - minor without an own document: birth-certificate extract (AN) or livret de famille (LE) plus
    a high-trust document of one parent; or the same plus a high-trust document of the guardian
    plus the court decision;
  - minor in child welfare (ASE), adult who cannot obtain a document: AN + carte Vitale with
    photograph (recorded as AC);
  - EHPAD, direct admission only: LE or AN + carte Vitale with photograph.
- 3.2: a carte Vitale alone is never a proof; CE, CM, PC, CC are in the ZFD-7 table but are not
  high-trust devices.
- 3.1 (EXI ID 19, EXI SI 10/SI 23 as cited): the practice chooses which types it accepts, and no
  type is pre-selected by default when a document is checked: `PracticeCatalogue.default_choice`
  is always None. This module holds the catalogue as pure data; storing the practice's choice is
  done elsewhere.

Decisions where the sources are silent or uncertain (each is the safer choice):

- TC (tiers de confiance) is contractual (e.g. laboratories); a medical practice rarely has such a
  contract, so TC is in the catalogue but NOT in the default practice catalogue: a practice that
  has the contract enables it explicitly (`PracticeCatalogue.of(...)`).
- AV (Application carte Vitale) is not supported yet: it gives a qualified identity directly, but
  only once the signed assertion provided by the application is verified, which insterm cannot do.
  `check_proof` refuses it and says so.
- Expired documents (ins-rules 3.2, 7.6: rule not found): an expired document is refused as a
  proof (`check_expiry`); the end of validity is valid through its last day. Refusing can only
  leave an identity provisional, never validate a wrong one.
- EHPAD with LE + carte Vitale: ZFD-7 has no code for it (AC names the birth certificate); we
  record LE, the document that was actually presented, rather than claim a birth certificate.
- AC is the code recorded for a combination: it is refused as a presented document (the operator
  indicates AN and CV separately, so that each is checked).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from insterm.domain.errors import DocumentError, require_bool

__all__ = [
    "CATALOGUE",
    "DEFAULT_PRACTICE_CATALOGUE",
    "DocumentType",
    "Holder",
    "PracticeCatalogue",
    "PresentedDocument",
    "Proof",
    "Role",
    "by_code",
    "check_expiry",
    "check_proof",
]


class Role(StrEnum):
    """What a document type can do in a proof of identity."""

    PROOF = "proof"  # high-trust: proves the identity on its own
    PART = "part"  # only as part of a combined proof (AN, LE, carte Vitale)
    COMBINATION = "combination"  # a code recorded for a combination (AC), not presented
    NOT_A_PROOF = "not_a_proof"  # in the ZFD-7 table, but never a proof (CE, CM, PC, CC)
    UNSUPPORTED = "unsupported"  # would be a proof, not supported by insterm yet (AV)


@dataclass(frozen=True, slots=True)
class DocumentType:
    """One entry of the catalogue.

    `code`: ZFD-7 code (or the local "CV"); `label`: French label; `high_trust`: proves an
    identity on its own; `role`: see `Role`; `has_expiry`: the document carries an end of
    validity, which must then be given; `minors_only`: only proves a minor's identity (DC);
    `zfd7`: the code belongs to the PAM-FR ZFD-7 table; `notes`: French, for the operator.
    """

    code: str
    label: str
    high_trust: bool
    role: Role
    has_expiry: bool = False
    minors_only: bool = False
    zfd7: bool = True
    notes: str = ""

    @property
    def selectable(self) -> bool:
        """May be offered in a practice catalogue (it can take part in a proof)."""
        return self.role in (Role.PROOF, Role.PART)


_HIGH_TRUST_LIST = (
    "un passeport, une carte nationale d'identité, un titre de séjour ou une identification "
    "électronique eIDAS de niveau substantiel ou élevé"
)
_SHORT_LIST = "passeport, carte nationale d'identité, titre de séjour ou identification eIDAS"
_NOT_A_PROOF_NOTE = (
    "Figure dans la table PAM-FR mais n'est pas un document d'identité à haut niveau de "
    "confiance : il ne peut pas servir à valider une identité."
)

_TYPES = (
    DocumentType(
        "PA", "Passeport", True, Role.PROOF, has_expiry=True,
        notes="Accepté pour tous les patients, quelle que soit leur nationalité.",
    ),
    DocumentType(
        "CN", "Carte nationale d'identité", True, Role.PROOF, has_expiry=True,
        notes=(
            "Uniquement pour les ressortissants français, de l'Union européenne, de Suisse, du "
            "Liechtenstein, de Norvège, d'Islande, du Vatican, de Monaco, de Saint-Marin et "
            "d'Andorre. Comprend la carte d'identité électronique."
        ),
    ),
    DocumentType(
        "CS", "Titre de séjour", True, Role.PROOF, has_expiry=True,
        notes="Titre de séjour en cours de validité.",
    ),
    DocumentType(
        "IE", "Identification électronique eIDAS", True, Role.PROOF,
        notes=(
            "Moyen d'identification électronique de niveau « substantiel » ou « élevé » "
            "(France Identité, L'Identité Numérique La Poste…) : vérifiez le niveau."
        ),
    ),
    DocumentType(
        "DC", "Document de circulation pour étranger mineur", True, Role.PROOF,
        has_expiry=True, minors_only=True,
        notes="Avec photographie ; ne vaut que pour un mineur.",
    ),
    DocumentType(
        "TC", "Tiers de confiance", True, Role.PROOF,
        notes=(
            "Identité attestée par un tiers de confiance sous convention. Désactivé par "
            "défaut : à activer seulement si le cabinet a signé une telle convention."
        ),
    ),
    DocumentType(
        "AN", "Extrait d'acte de naissance", False, Role.PART,
        notes=(
            "Ne suffit pas seul : avec le document d'un parent ou du tuteur (mineur), ou avec "
            "la carte Vitale avec photographie (mineur de l'ASE, majeur sans document, "
            "admission directe en EHPAD)."
        ),
    ),
    DocumentType(
        "LE", "Livret de famille", False, Role.PART,
        notes=(
            "Ne suffit pas seul : avec le document d'un parent ou du tuteur (mineur), ou avec "
            "la carte Vitale avec photographie (admission directe en EHPAD)."
        ),
    ),
    DocumentType(
        "CV", "Carte Vitale avec photographie", False, Role.PART, zfd7=False,
        notes=(
            "Jamais une preuve d'identité à elle seule. Seule une carte portant la photographie "
            "du patient compte, avec l'extrait d'acte de naissance ou le livret de famille, "
            "dans les cas prévus (mineur de l'ASE, majeur sans document, admission directe en "
            "EHPAD)."
        ),
    ),
    DocumentType(
        "AC", "Acte de naissance + carte Vitale avec photo", False, Role.COMBINATION,
        notes=(
            "Code enregistré pour la combinaison extrait d'acte de naissance + carte Vitale "
            "avec photographie : indiquez les deux documents séparément."
        ),
    ),
    DocumentType(
        "AV", "Application carte Vitale", False, Role.UNSUPPORTED,
        notes=(
            "Pas encore prise en charge : l'application fournit une identité qualifiée, mais il "
            "faut vérifier l'attestation signée qu'elle transmet, ce qu'insterm ne sait pas "
            "encore faire."
        ),
    ),
    DocumentType("CE", "Carte européenne", False, Role.NOT_A_PROOF, notes=_NOT_A_PROOF_NOTE),
    DocumentType("CM", "Carte militaire", False, Role.NOT_A_PROOF, notes=_NOT_A_PROOF_NOTE),
    DocumentType("PC", "Permis de conduire", False, Role.NOT_A_PROOF, notes=_NOT_A_PROOF_NOTE),
    DocumentType("CC", "Carnet de circulation", False, Role.NOT_A_PROOF, notes=_NOT_A_PROOF_NOTE),
)

#: Every document type, by code, in display order (read-only).
CATALOGUE: Mapping[str, DocumentType] = MappingProxyType({t.code: t for t in _TYPES})


def by_code(code: object) -> DocumentType:
    """The catalogue entry for a code (case and surrounding spaces ignored).

    Raises `DocumentError` for anything else.
    """
    if isinstance(code, str):
        found = CATALOGUE.get(code.strip().upper())
        if found is not None:
            return found
        shown = code.strip()[:20]
    else:
        shown = type(code).__name__
    raise DocumentError(
        f"Type de document inconnu : « {shown} ». Choisissez un type du catalogue "
        f"({', '.join(CATALOGUE)}).",
        field="document",
    )


def _unusable(entry: DocumentType) -> str:
    """Why a type that is not selectable cannot be presented (French)."""
    if entry.role is Role.COMBINATION:
        return (
            f"« {entry.label} » désigne une combinaison de documents : indiquez séparément "
            "l'extrait d'acte de naissance et la carte Vitale avec photographie."
        )
    if entry.role is Role.UNSUPPORTED:
        return (
            f"« {entry.label} » n'est pas encore pris en charge : il faudrait vérifier "
            "l'attestation signée transmise par l'application, ce qu'insterm ne sait pas "
            f"faire. Contrôlez plutôt {_HIGH_TRUST_LIST}."
        )
    return (
        f"« {entry.label} » n'est pas un document d'identité à haut niveau de confiance et ne "
        f"peut pas servir de preuve. Présentez {_HIGH_TRUST_LIST}."
    )


def _parse_types(codes: object, where: str) -> tuple[DocumentType, ...]:
    """Catalogue entries for one code or a sequence of codes, without duplicates, in order."""
    if isinstance(codes, str):
        codes = (codes,)
    if not isinstance(codes, Iterable):
        raise DocumentError(
            f"Liste de documents attendue pour {where}.", field="document"
        )
    found: list[DocumentType] = []
    for code in codes:
        entry = by_code(code)
        if entry not in found:
            found.append(entry)
    return tuple(found)



# --------------------------------------------------------------------------------------------
# Practice catalogue


@dataclass(frozen=True, slots=True)
class PracticeCatalogue:
    """The document types a practice accepts (codes in catalogue order), as pure data.

    Only types that can take part in a proof may be accepted. Whatever the practice accepts, no
    type is pre-selected when a document is checked (EXI ID 19): `default_choice` is None.
    """

    codes: tuple[str, ...]

    def __post_init__(self) -> None:
        wanted = {t.code for t in _parse_types(self.codes, "le catalogue du cabinet")}
        for code in wanted:
            entry = CATALOGUE[code]
            if not entry.selectable:
                raise DocumentError(
                    f"{_unusable(entry)} Il ne peut pas figurer dans le catalogue du cabinet.",
                    field="document",
                )
        object.__setattr__(self, "codes", tuple(c for c in CATALOGUE if c in wanted))

    @classmethod
    def of(cls, codes: Iterable[str]) -> PracticeCatalogue:
        """A practice catalogue accepting exactly these codes (TC included if listed)."""
        return cls(tuple(codes) if not isinstance(codes, str) else (codes,))

    @property
    def default_choice(self) -> None:
        """Always None: no document type is pre-selected (EXI ID 19)."""
        return None

    def accepts(self, code: object) -> bool:
        return isinstance(code, str) and code.strip().upper() in self.codes

    def choices(self) -> tuple[DocumentType, ...]:
        """The accepted types, in catalogue order, to offer (with no default) in a form."""
        return tuple(CATALOGUE[c] for c in self.codes)

    def restrict(self, codes: Iterable[str]) -> PracticeCatalogue:
        """The same catalogue limited to `codes`, which must all be accepted already."""
        wanted = _parse_types(codes, "la restriction du catalogue")
        for entry in wanted:
            if entry.code not in self.codes:
                raise DocumentError(
                    f"« {entry.label} » ne fait pas partie du catalogue du cabinet : "
                    "impossible de l'y restreindre.",
                    field="document",
                )
        return PracticeCatalogue(tuple(t.code for t in wanted))


#: Every type that can take part in a proof, except TC (contractual, enabled explicitly).
DEFAULT_PRACTICE_CATALOGUE = PracticeCatalogue(
    tuple(t.code for t in _TYPES if t.selectable and t.code != "TC")
)


# --------------------------------------------------------------------------------------------
# Proofs


class Holder(StrEnum):
    """Whose document it is."""

    PATIENT = "patient"
    PARENT = "parent"
    GUARDIAN = "guardian"

    @property
    def label(self) -> str:
        return {"patient": "du patient", "parent": "d'un parent", "guardian": "du tuteur"}[
            self.value
        ]


@dataclass(frozen=True, slots=True)
class PresentedDocument:
    """A document shown to the operator: its type code and whose it is."""

    code: str
    holder: Holder = Holder.PATIENT


@dataclass(frozen=True, slots=True)
class Proof:
    """An accepted proof of identity.

    `code`: the ZFD-7 code to record (ZFD-7 / `validationMode`); `documents`: the documents the
    proof rests on; `rule`: French description of the rule applied; `court_decision`: the court
    decision appointing the guardian was part of the proof.
    """

    code: str
    documents: tuple[PresentedDocument, ...]
    rule: str
    court_decision: bool = False


def _check_presentable(
    entries: Iterable[DocumentType], practice: PracticeCatalogue | None
) -> None:
    for entry in entries:
        if not entry.selectable:
            raise DocumentError(_unusable(entry), field="document")
        if practice is not None and not practice.accepts(entry.code):
            raise DocumentError(
                f"Le cabinet n'accepte pas « {entry.label} » comme justificatif d'identité : "
                "choisissez un type de son catalogue ou modifiez le catalogue.",
                field="document",
            )


def _check_adult_document(entries: Sequence[DocumentType], holder: Holder) -> None:
    """A parent's or guardian's document must be one that proves an adult's identity."""
    for entry in entries:
        if entry.role is not Role.PROOF or entry.minors_only or entry.code == "TC":
            raise DocumentError(
                f"« {entry.label} » ne peut pas servir de document {holder.label} : il faut "
                f"{_HIGH_TRUST_LIST}.",
                field="document",
            )


@dataclass(frozen=True, slots=True)
class _Requirement:
    """A piece of a combined proof: one of `codes` held by `holder` (or the court decision)."""

    wording: str
    codes: tuple[str, ...] = ()
    holder: Holder = Holder.PATIENT


@dataclass(frozen=True, slots=True)
class _CombinedRule:
    intro: str
    rule: str
    requirements: tuple[_Requirement, ...]
    needs_court_decision: bool = False


_BIRTH_RECORD = _Requirement(
    "l'extrait d'acte de naissance ou le livret de famille de l'enfant", ("AN", "LE")
)
_ADULT_PROOFS = ("PA", "CN", "CS", "IE")
_VITALE = _Requirement("la carte Vitale avec photographie du patient", ("CV",))

_PARENT_RULE = _CombinedRule(
    "Pour un mineur sans document d'identité propre",
    "Mineur : acte de naissance ou livret de famille et document d'un parent",
    (
        _BIRTH_RECORD,
        _Requirement(
            f"un document à haut niveau de confiance d'un parent ({_SHORT_LIST})",
            _ADULT_PROOFS,
            Holder.PARENT,
        ),
    ),
)
_GUARDIAN_RULE = _CombinedRule(
    "Pour un mineur présenté par son tuteur",
    "Mineur : acte de naissance ou livret de famille, document du tuteur et décision de justice",
    (
        _BIRTH_RECORD,
        _Requirement(
            f"un document à haut niveau de confiance du tuteur ({_SHORT_LIST})",
            _ADULT_PROOFS,
            Holder.GUARDIAN,
        ),
    ),
    needs_court_decision=True,
)
_ASE_RULE = _CombinedRule(
    "Pour un mineur pris en charge par l'aide sociale à l'enfance (ASE)",
    "Mineur de l'ASE : extrait d'acte de naissance et carte Vitale avec photographie",
    (_Requirement("l'extrait d'acte de naissance de l'enfant", ("AN",)), _VITALE),
)
_ADULT_WITHOUT_DOCUMENTS_RULE = _CombinedRule(
    "Pour un majeur qui ne peut pas obtenir de document d'identité",
    "Majeur sans document : extrait d'acte de naissance et carte Vitale avec photographie",
    (_Requirement("l'extrait d'acte de naissance", ("AN",)), _VITALE),
)
_EHPAD_RULE = _CombinedRule(
    "Pour une admission directe en EHPAD",
    "Admission directe en EHPAD : acte de naissance ou livret de famille et carte Vitale avec "
    "photographie",
    (_Requirement("le livret de famille ou l'extrait d'acte de naissance", ("AN", "LE")), _VITALE),
)


def _apply(
    rule: _CombinedRule,
    presented: Mapping[Holder, Sequence[DocumentType]],
    court_decision: bool,
) -> tuple[Proof | None, list[str]]:
    """The proof the rule gives with what was presented, or what is missing."""
    documents: list[PresentedDocument] = []
    missing: list[str] = []
    for requirement in rule.requirements:
        held = [t.code for t in presented[requirement.holder]]
        match = next((c for c in requirement.codes if c in held), None)
        if match is None:
            missing.append(requirement.wording)
        else:
            documents.append(PresentedDocument(match, requirement.holder))
    if rule.needs_court_decision and not court_decision:
        missing.append("la décision de justice désignant le tuteur")
    if missing:
        return None, missing
    codes = [d.code for d in documents if d.holder is Holder.PATIENT]
    # ZFD-7: AN + carte Vitale is "AC"; otherwise the patient's own birth record (AN or LE).
    recorded = "AC" if codes == ["AN", "CV"] else codes[0]
    proof = Proof(recorded, tuple(documents), rule.rule, court_decision=rule.needs_court_decision)
    return proof, []


def _join_french(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " et " + items[-1]


def check_proof(
    codes: Sequence[str],
    *,
    minor: bool,
    parent_codes: Sequence[str] = (),
    guardian_codes: Sequence[str] = (),
    court_decision: bool = False,
    child_welfare: bool = False,
    ehpad_direct_admission: bool = False,
    adult_without_documents: bool = False,
    practice: PracticeCatalogue | None = None,
) -> Proof:
    """The proof of identity made by the documents presented, or `DocumentError` saying what
    is missing (French).

    `codes`: the patient's own documents; `parent_codes` / `guardian_codes`: high-trust
    documents of a parent / of the guardian (minors only); `court_decision`: the court decision
    appointing the guardian was presented; `child_welfare`: minor in the care of the ASE;
    `ehpad_direct_admission`: direct admission to an EHPAD; `adult_without_documents`: adult who
    cannot obtain an identity document; `practice`: when given, every document must be of a type
    the practice accepts. A document alone proves the identity when it is high-trust; otherwise
    the combined proofs of ins-rules 3.1 are tried for the context given. Expiry dates are
    checked separately by `check_expiry`.
    """
    flags = {
        "mineur": minor,
        "décision de justice": court_decision,
        "aide sociale à l'enfance": child_welfare,
        "admission directe en EHPAD": ehpad_direct_admission,
        "majeur sans document": adult_without_documents,
    }
    for what, value in flags.items():
        require_bool(value, what, DocumentError)
    if practice is not None and not isinstance(practice, PracticeCatalogue):
        raise DocumentError("Catalogue du cabinet incorrect.", field="document")
    presented = {
        Holder.PATIENT: _parse_types(codes, "le patient"),
        Holder.PARENT: _parse_types(parent_codes, "le parent"),
        Holder.GUARDIAN: _parse_types(guardian_codes, "le tuteur"),
    }
    for entries in presented.values():
        _check_presentable(entries, practice)
    _check_adult_document(presented[Holder.PARENT], Holder.PARENT)
    _check_adult_document(presented[Holder.GUARDIAN], Holder.GUARDIAN)
    _check_context(
        minor=minor,
        others=bool(presented[Holder.PARENT] or presented[Holder.GUARDIAN] or court_decision),
        child_welfare=child_welfare,
        ehpad=ehpad_direct_admission,
        adult_without_documents=adult_without_documents,
    )

    own = presented[Holder.PATIENT]
    for entry in own:
        if entry.role is Role.PROOF and (minor or not entry.minors_only):
            return Proof(
                entry.code,
                (PresentedDocument(entry.code),),
                "Document d'identité à haut niveau de confiance",
            )
    if any(entry.minors_only for entry in own):
        raise DocumentError(
            "Le document de circulation pour étranger mineur ne vaut que pour un mineur : "
            f"pour un majeur, présentez {_HIGH_TRUST_LIST}.",
            field="document",
        )

    rules: list[_CombinedRule]
    explain: _CombinedRule | None
    if minor:
        rules = [_PARENT_RULE, _GUARDIAN_RULE] + ([_ASE_RULE] if child_welfare else [])
        if presented[Holder.GUARDIAN] or court_decision:
            explain = _GUARDIAN_RULE
        elif child_welfare:
            explain = _ASE_RULE
        else:
            explain = _PARENT_RULE
    else:
        rules = ([_ADULT_WITHOUT_DOCUMENTS_RULE] if adult_without_documents else []) + (
            [_EHPAD_RULE] if ehpad_direct_admission else []
        )
        explain = rules[0] if rules else None

    missing_for_explained: list[str] = []
    for rule in rules:
        proof, missing = _apply(rule, presented, court_decision)
        if proof is not None:
            return proof
        if rule is explain:
            missing_for_explained = missing
    message = _missing_message(own, explain, missing_for_explained, minor)
    raise DocumentError(message, field="document")


def _check_context(
    *, minor: bool, others: bool, child_welfare: bool, ehpad: bool, adult_without_documents: bool
) -> None:
    if minor and (ehpad or adult_without_documents):
        raise DocumentError(
            "Contexte incohérent : un mineur ne peut être ni « majeur sans document » ni "
            "admis directement en EHPAD. Corrigez l'âge ou le contexte.",
        )
    if not minor and (others or child_welfare):
        raise DocumentError(
            "Les documents d'un parent ou du tuteur, la décision de justice et la prise en "
            "charge par l'ASE ne valent que pour un mineur. Pour un majeur qui ne peut pas "
            "obtenir de document, choisissez « majeur sans document ».",
        )


def _missing_message(
    own: Sequence[DocumentType],
    explain: _CombinedRule | None,
    missing: list[str],
    minor: bool,
) -> str:
    parts: list[str] = []
    if any(entry.code == "CV" for entry in own):
        parts.append("La carte Vitale n'est jamais une preuve d'identité à elle seule.")
    if explain is not None:
        parts.append(f"{explain.intro}, il manque {_join_french(missing)}.")
    elif own:
        labels = _join_french([f"« {entry.label} »" for entry in own])
        verb = "ne suffit" if len(own) == 1 else "ne suffisent"
        parts.append(f"{labels} {verb} pas à prouver l'identité.")
    else:
        parts.append("Aucun document d'identité n'a été présenté.")
    if minor:
        parts.append(
            f"Sinon, présentez un document de l'enfant : {_HIGH_TRUST_LIST}, ou un document de "
            "circulation pour étranger mineur."
        )
    else:
        parts.append(f"Présentez {_HIGH_TRUST_LIST}.")
        if explain is None and own:
            parts.append(
                "Pour un majeur qui ne peut pas obtenir de document d'identité, ou admis "
                "directement en EHPAD, indiquez-le : l'extrait d'acte de naissance (ou, en "
                "EHPAD, le livret de famille) avec la carte Vitale avec photographie peut alors "
                "suffire."
            )
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# Expiry


def _as_date(value: object, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise DocumentError(f"Date incorrecte pour {what} : une date est attendue.", field="expiry")


def check_expiry(code: str, expires_on: date | None, today: date, *,
                 field: str = "expiry") -> date | None:
    """Check a document's end of validity against today; returns it (None when it has none).

    Safer choice (the rule was not found, ins-rules 3.2 and 7.6): an expired document is refused
    as a proof. A document is valid through its end-of-validity day. A type that carries an end
    of validity (`has_expiry`) must have one: it is recorded (PAM-FR ZFD-8). `field`: what a
    refusal names as its field (the caller knows whose document it is).
    """
    entry = by_code(code)
    today = _as_date(today, "la date du jour")
    if expires_on is None:
        if entry.has_expiry:
            raise DocumentError(
                f"Indiquez la date de fin de validité de « {entry.label} » : elle est "
                "enregistrée avec le contrôle du document.",
                field=field,
            )
        return None
    end = _as_date(expires_on, "la fin de validité")
    if end < today:
        message = (
            f"« {entry.label} » a expiré le {end:%d/%m/%Y} : un document expiré n'est pas "
            "accepté comme preuve d'identité. Présentez un document en cours de validité."
        )
        if entry.code == "CN":
            message += (
                " Une carte nationale d'identité délivrée à une personne majeure entre 2004 et "
                "2013 est valable 5 ans de plus que la date imprimée : saisissez alors la date "
                "de fin de validité prolongée."
            )
        raise DocumentError(message, field=field)
    return end
