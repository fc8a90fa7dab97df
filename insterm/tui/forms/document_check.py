"""The document check form, without its widgets: what it asks, what it says, what it sends.

The check (`screens/document_check.py`) and the re-check of an edit (`screens/edit_recheck.py`)
read the operator's choices into an `Entered`, and this module says the rest:

- `load_check_view(clinic, id)`: what the form shows, read in one worker call (`CheckView`:
  the record, the practice's catalogue, minor or not, the domain's refusal for a doubtful or
  fictitious identity, the status a recorded check gives);
- `form_shape(entered, view)`: which fields the choices call for (end of validity, the combined
  proof's situation, the parent's or guardian's document, the court decision, the carte Vitale)
  and what the form says about them; the proof line is the domain's own verdict
  (`documents.check_proof`), never a rule of the form;
- `build_check(entered, minor)`: the `DocumentCheck` to record, or the French problems by field;
- `problem_field(error)`: which field a refusal of the clinic belongs to, from its `field`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from insterm.domain.dates import split_date
from insterm.domain.errors import DomainError
from insterm.domain.traits import SEX_LABELS

if TYPE_CHECKING:
    from insterm.clinic import Clinic, DocumentCheck
    from insterm.domain.documents import DocumentType, PracticeCatalogue
    from insterm.store.identities import IdentityRecord

# The strict traits confirmed against the document, in the order a document prints them.
TRAITS = ("birth_name", "first_names", "birth_date", "sex", "birth_place")
TRAIT_NAMES = {
    "birth_name": "nom de naissance",
    "first_names": "prénoms de naissance",
    "birth_date": "date de naissance",
    "sex": "sexe",
    "birth_place": "lieu de naissance",
}

# Situations of the combined proofs (documents.check_proof's context arguments), by age.
MINOR_SITUATIONS = (
    ("parent", "Pièce d'un parent (avec l'acte de naissance ou le livret de famille)"),
    ("guardian", "Pièce du tuteur et décision de justice"),
    ("ase", "Enfant confié à l'aide sociale à l'enfance (ASE)"),
)
ADULT_SITUATIONS = (
    ("adult_without", "Majeur qui ne peut pas obtenir de pièce d'identité"),
    ("ehpad", "Admission directe en EHPAD"),
)
# Situations whose second document is the holder's (parent, guardian) / the patient's Vitale.
HOLDER_SITUATIONS = {"parent": "du parent", "guardian": "du tuteur"}
VITALE_SITUATIONS = ("ase", "adult_without", "ehpad")
VITALE = "CV"

NO_TYPE = ("Choisissez le type de pièce présentée : aucun type n'est présélectionné, il doit "
           "correspondre au document que vous avez en main.")
DATE_FORMAT = ("tapez-la sous la forme JJ/MM/AAAA, par exemple 31/12/2030, telle qu'elle est "
               "imprimée sur la pièce.")

# The form's problem keys, by the `field` a refusal of the clinic names.
PROBLEM_FIELDS = {"document": "document", "expiry": "expiry", "holder_expiry": "other_expiry"}


# ------------------------------------------------------------------ what the form reads


@dataclass(frozen=True, slots=True)
class CheckView:
    """What the form shows, read in one worker call.

    `minor`: the patient is under 18 today (decides which combined proofs are offered; the
    clinic decides again when recording). `blocked`: the domain's refusal of a document check
    for this identity (doubtful or fictitious), else None. `expected_status`: the status a
    recorded check gives. `default_catalogue`: the facade had no `document_catalogue()`."""

    record: IdentityRecord
    catalogue: PracticeCatalogue
    place_name: str | None
    minor: bool
    blocked: str | None
    expected_status: str | None
    default_catalogue: bool = False


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def load_check_view(clinic: Clinic, identity_id: int) -> CheckView:
    from insterm.datasets import place_name
    from insterm.domain import documents
    from insterm.domain.status import DocumentChecked, transition
    from insterm.usecases.documents import ADULT_AGE

    record = clinic.get(identity_id)
    read_catalogue = getattr(clinic, "document_catalogue", None)
    catalogue = read_catalogue() if callable(read_catalogue) \
        else documents.DEFAULT_PRACTICE_CATALOGUE
    try:
        outcome = transition(record.state(), DocumentChecked())
        blocked, expected = None, str(outcome.state.status)
    except DomainError as refused:
        blocked, expected = refused.message, None
    minor = age_on(record.birth_date, clinic.today()) < ADULT_AGE
    return CheckView(record, catalogue, place_name(record.birth_place), minor, blocked, expected,
                     default_catalogue=not callable(read_catalogue))


def trait_lines(view: CheckView) -> dict[str, str]:
    """The label of each trait's tick box: the record's value as the document should print it."""
    record = view.record
    first_names = record.first_names
    if record.first_name and first_names.split()[:1] != [record.first_name]:
        first_names += f" (1er prénom : {record.first_name})"
    born = record.birth_date.strftime("%d/%m/%Y")
    if record.birth_date_corrected:
        born += " (date corrigée)"
    if record.birth_place and view.place_name:
        place = f"{view.place_name} ({record.birth_place})"
    else:
        place = record.birth_place or "non renseigné"
    values = {
        "birth_name": record.birth_name,
        "first_names": first_names,
        "birth_date": born,
        "sex": f"{SEX_LABELS.get(record.sex, record.sex)} ({record.sex})",
        "birth_place": place,
    }
    return {key: f"{TRAIT_NAMES[key].capitalize()} : {values[key]}" for key in TRAITS}


def strict_traits(record: IdentityRecord) -> tuple[object, ...]:
    """The values the ticks confirm: when they change, every tick must be given again."""
    return (record.birth_name, record.first_name, record.first_names, record.birth_date,
            record.sex, record.birth_place)


# ------------------------------------------------------------------ what the operator entered


def parse_day(text: str) -> date:
    """A typed day (`insterm.domain.dates` shapes: JJ/MM/AAAA, JJMMAAAA...) -> date;
    `ValueError` with a French message otherwise."""
    raw = text.strip()
    parts = split_date(raw)  # the shapes every date field accepts
    if parts is None:
        raise ValueError(f"Date incorrecte « {raw} » : {DATE_FORMAT}")
    day, month, year = parts
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"Le {raw} n'existe pas : vérifiez la date imprimée sur la "
                         "pièce.") from None




@dataclass(frozen=True, slots=True)
class Entered:
    """The form's values (None / "" / False when not given)."""

    code: str | None = None
    expiry: str = ""
    situation: str | None = None
    other_code: str | None = None
    other_expiry: str = ""
    vitale: bool = False
    court_decision: bool = False
    confirmed: Mapping[str, bool] = field(default_factory=dict)

    @property
    def anything(self) -> bool:
        """Something was typed or chosen (Escape then asks before leaving)."""
        return bool(self.code or self.expiry.strip() or self.situation or self.other_code
                    or self.other_expiry.strip() or self.vitale or self.court_decision
                    or any(self.confirmed.values()))

    @property
    def unconfirmed(self) -> list[str]:
        return [key for key in TRAITS if not self.confirmed.get(key)]


def document_type(code: str | None) -> DocumentType | None:
    from insterm.domain.documents import CATALOGUE

    return CATALOGUE.get(code) if code else None


def needs_combined(code: str | None, minor: bool) -> bool:
    """Show the combined-proof sub-form: the type cannot prove on its own, or a minor."""
    from insterm.domain.documents import Role

    entry = document_type(code)
    return entry is not None and (minor or entry.role is not Role.PROOF)


def proof_arguments(entered: Entered, minor: bool) -> dict[str, Any]:
    """`documents.check_proof` / `DocumentCheck` arguments for what was entered."""
    codes = [entered.code] if entered.code else []
    arguments: dict[str, Any] = {"codes": codes}
    if not needs_combined(entered.code, minor):
        return arguments
    situation = entered.situation
    allowed = {key for key, _ in (MINOR_SITUATIONS if minor else ADULT_SITUATIONS)}
    if situation not in allowed:
        return arguments
    if situation in HOLDER_SITUATIONS and entered.other_code:
        arguments["parent_codes" if situation == "parent" else "guardian_codes"] = \
            [entered.other_code]
    if situation == "guardian":
        arguments["court_decision"] = entered.court_decision
    if situation in VITALE_SITUATIONS:
        if entered.vitale and VITALE not in codes:
            codes.append(VITALE)
        arguments.update(child_welfare=situation == "ase",
                         adult_without_documents=situation == "adult_without",
                         ehpad_direct_admission=situation == "ehpad")
    return arguments


def proof_hint(entered: Entered, view: CheckView) -> tuple[bool, str]:
    """(sufficient, French sentence): the domain's verdict on the documents given so far
    (end of validity aside: the clinic checks it when recording)."""
    if not entered.code:
        return False, NO_TYPE
    from insterm.domain.documents import check_proof

    try:
        proof = check_proof(**proof_arguments(entered, view.minor), minor=view.minor,
                            practice=view.catalogue)
    except DomainError as missing:
        return False, missing.message
    return True, f"Preuve suffisante : {proof.rule}."


def combined_intro(entered: Entered, minor: bool) -> str:
    """What the combined-proof sub-form asks for, given the type and the situation chosen."""
    entry = document_type(entered.code)
    if entered.code == VITALE:
        return ("La carte Vitale ne prouve jamais une identité à elle seule : choisissez "
                "comme pièce l'extrait d'acte de naissance ou le livret de famille, puis la "
                "situation ; la carte Vitale avec photographie se coche ensuite ici.")
    situation = entered.situation
    if situation in HOLDER_SITUATIONS:
        more = "avec la décision de justice qui le désigne" if situation == "guardian" \
            else "avec sa date de fin de validité"
        return (f"Pièce complémentaire : une pièce d'identité {HOLDER_SITUATIONS[situation]} "
                "(passeport, carte nationale d'identité, titre de séjour ou "
                f"identification eIDAS), {more}.")
    if situation in VITALE_SITUATIONS:
        return ("Pièce complémentaire : la carte Vitale du patient portant sa "
                "photographie, en plus de son extrait d'acte de naissance"
                + (" ou de son livret de famille." if situation == "ehpad" else "."))
    if minor and entry is not None and entry.high_trust:
        return ("Patient mineur : sa propre pièce suffit. Sans pièce à son nom, choisissez "
                "son extrait d'acte de naissance ou son livret de famille, puis la "
                "situation.")
    if minor:
        return ("Patient mineur : cette pièce ne suffit pas seule. Choisissez la situation : "
                "pièce d'un parent, pièce du tuteur et décision de justice, ou enfant "
                "confié à l'ASE (carte Vitale avec photographie).")
    return ("Cette pièce ne suffit pas seule pour un majeur. S'il ne peut pas obtenir de "
            "pièce d'identité, ou s'il est admis directement en EHPAD, choisissez la "
            "situation : il faut alors aussi sa carte Vitale avec photographie.")


@dataclass(frozen=True, slots=True)
class FormShape:
    """What the form shows for the choices entered so far (the screen only applies it).

    `expiry_needed`: the chosen type carries an end of validity (True while none is chosen);
    `type_note`: the chosen high-trust type's note; `proof_sufficient` / `proof_sentence`: the
    domain's verdict; `combined_intro`: the combined-proof sub-form's text, None when the type
    proves on its own; `holder_label`: "Pièce du parent" / "Pièce du tuteur" when a holder's
    document is asked, and `other_expiry_needed` for it; `court_decision`, `vitale`: the ticks
    that apply."""

    expiry_needed: bool
    type_note: str
    proof_sufficient: bool
    proof_sentence: str
    combined_intro: str | None
    holder_label: str | None
    other_expiry_needed: bool
    court_decision: bool
    vitale: bool


def form_shape(entered: Entered, view: CheckView) -> FormShape:
    entry = document_type(entered.code)
    sufficient, sentence = proof_hint(entered, view)
    combined = needs_combined(entered.code, view.minor)
    situation = entered.situation if combined else None
    holder = HOLDER_SITUATIONS.get(situation) if situation is not None else None
    other = document_type(entered.other_code)
    return FormShape(
        expiry_needed=entry is None or entry.has_expiry,
        # The notes of the types that need a combined proof repeat the sub-form's explanation.
        type_note=entry.notes if entry is not None and entry.high_trust else "",
        proof_sufficient=sufficient,
        proof_sentence=sentence,
        combined_intro=combined_intro(entered, view.minor) if combined else None,
        holder_label=f"Pièce {holder}" if holder is not None else None,
        other_expiry_needed=other is None or other.has_expiry,
        court_decision=situation == "guardian",
        vitale=situation in VITALE_SITUATIONS,
    )


def build_check(entered: Entered, minor: bool) -> tuple[DocumentCheck | None, dict[str, str]]:
    """The `DocumentCheck` to record, or the French problems by field ("document", "expiry",
    "other", "other_expiry") when the form is incomplete. Traits are judged apart."""
    from insterm.clinic import DocumentCheck

    problems: dict[str, str] = {}
    if not entered.code:
        problems["document"] = NO_TYPE
        return None, problems
    arguments = proof_arguments(entered, minor)
    expires: dict[str, date | None] = {}
    entry = document_type(entered.code)
    label = entry.label if entry is not None else entered.code
    if entered.expiry.strip():
        try:
            expires[entered.code] = parse_day(entered.expiry)
        except ValueError as wrong:
            problems["expiry"] = str(wrong)
    elif entry is not None and entry.has_expiry:
        problems["expiry"] = (f"Indiquez la date de fin de validité de « {label} » "
                              f"(JJ/MM/AAAA) : elle est enregistrée avec le contrôle.")
    holder_codes = arguments.get("parent_codes") or arguments.get("guardian_codes") or []
    situation = entered.situation if needs_combined(entered.code, minor) else None
    if situation in HOLDER_SITUATIONS and not holder_codes:
        problems["other"] = (f"Choisissez le type de la pièce {HOLDER_SITUATIONS[situation]} "
                             "présentée.")
    for code in holder_codes:
        other = document_type(code)
        if entered.other_expiry.strip():
            try:
                expires.setdefault(code, parse_day(entered.other_expiry))
            except ValueError as wrong:
                problems["other_expiry"] = str(wrong)
        elif other is not None and other.has_expiry:
            problems["other_expiry"] = (
                f"Indiquez la date de fin de validité de la pièce "
                f"{HOLDER_SITUATIONS[str(situation)]} (« {other.label} », JJ/MM/AAAA).")
    if problems:
        return None, problems
    known = {"parent_codes", "guardian_codes", "court_decision", "child_welfare",
             "adult_without_documents", "ehpad_direct_admission"}
    return DocumentCheck(codes=list(arguments["codes"]), traits_match=True, expires_on=expires,
                         **{k: v for k, v in arguments.items() if k in known}), {}


def problem_field(error: BaseException) -> str | None:
    """The form field ("document", "expiry", "other_expiry") a refusal of the clinic belongs
    to, from the `field` the domain gave it; None when it names none of them."""
    if isinstance(error, DomainError) and error.field is not None:
        return PROBLEM_FIELDS.get(error.field)
    return None


# ------------------------------------------------------------------ a trait not confirmed


def mismatch_text(unconfirmed: Sequence[str], doubtful_effect: str | None) -> str:
    """What to do when traits are left unticked: correct the identity (F3), mark it doubtful
    (F6, with the status drop that `doubtful_effect` says), or go back and tick (Escape)."""
    names = [TRAIT_NAMES[key] for key in unconfirmed]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
    verb = "n'est pas confirmé" if len(names) == 1 else "ne sont pas confirmés"
    text = (f"{listed.capitalize()} {verb} : le contrôle ne peut pas être enregistré et "
            "l'identité ne change pas.\n\n"
            "- Erreur de saisie dans le dossier : corrigez d'abord l'identité (F3), puis "
            "revenez confirmer les traits.\n"
            "- La pièce ne semble pas être celle du patient : marquez l'identité douteuse "
            "(F6).")
    if doubtful_effect:
        text += f" {doubtful_effect}"
    return text + "\n- Vous avez oublié de cocher un trait conforme : revenez au contrôle (Échap)."
