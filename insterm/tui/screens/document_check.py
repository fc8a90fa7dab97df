"""Contrôle de pièce d'identité: the document presented, its end of validity, the combined proofs
for minors and people without papers, and a trait-by-trait confirmation; then VALI (or QUAL
when the INS was already retrieved).

What the operator does, in order:

1. chooses the document type from the practice's catalogue (`clinic.document_catalogue()`;
   `DEFAULT_PRACTICE_CATALOGUE` when the facade has no such method). No type is pre-selected
   (EXI ID 19): the field starts empty and recording is refused until a type is chosen;
2. types its end of validity (JJ/MM/AAAA), required for the types that carry one;
3. when the type does not prove an identity on its own (extract of birth certificate, livret de
   famille, carte Vitale) or the patient is a minor, a sub-form asks for the situation (parent's
   document, guardian's document and court decision, child in the care of the ASE, adult who
   cannot obtain a document, direct admission to an EHPAD) and the additional document. A line
   under the type says, live, whether the documents given so far make a proof, or what is missing:
   it is the domain's own answer (`documents.check_proof`), never a rule of this screen;
4. ticks each strict trait of the record ("conforme à la pièce"). A trait left unticked stops
   the recording: a dialog says what to do (correct the identity: F3 opens the edit screen; or
   mark the identity doubtful when the document does not seem to be the patient's).

F2 records the check with ONE clinic call, `clinic.check_document(actor, id, version,
DocumentCheck(...))`, in a thread worker; the clinic judges the proof and the expiry again (its
refusals come back as French messages, put next to the field they concern) and moves the status.
On success a notification says the new status and the screen pops back to the record.
A doubtful or fictitious identity is announced at the top (the domain's refusal message) and the
clinic refuses the recording: nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from insterm.domain.traits import SEX_LABELS
from insterm.tui.screens.base import InstermModal, InstermScreen
from insterm.tui.widgets.status_badge import StatusBadge, status_label
from insterm.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from insterm.clinic import Clinic, DocumentCheck
    from insterm.domain.documents import PracticeCatalogue
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


# ------------------------------------------------------------------ what the screen reads


@dataclass(frozen=True)
class CheckView:
    """What the screen shows, read in one worker call.

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


def practice_today(clinic: Clinic) -> date:
    """The clinic's today (`clinic.today()`: tests fix it)."""
    return clinic.today()


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def load_check_view(clinic: Any, identity_id: int) -> CheckView:
    from insterm.datasets import place_name
    from insterm.domain import documents
    from insterm.domain.errors import DomainError
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
    minor = age_on(record.birth_date, practice_today(clinic)) < ADULT_AGE
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


# ------------------------------------------------------------------ what the operator entered


def parse_day(text: str) -> date:
    """"JJ/MM/AAAA" (or "JJMMAAAA") -> date; `ValueError` with a French message otherwise."""
    raw = text.strip()
    match = _DAY.fullmatch(raw)
    if match is None:
        raise ValueError(f"Date incorrecte « {raw} » : {DATE_FORMAT}")
    day, month, year = (int(part) for part in match.groups() if part is not None)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"Le {raw} n'existe pas : vérifiez la date imprimée sur la "
                         "pièce.") from None


_DAY = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})|([0-9]{2})([0-9]{2})([0-9]{4})")


@dataclass
class Entered:
    """The form's values (None / "" / False when not given)."""

    code: str | None = None
    expiry: str = ""
    situation: str | None = None
    other_code: str | None = None
    other_expiry: str = ""
    vitale: bool = False
    court_decision: bool = False
    confirmed: dict[str, bool] = field(default_factory=dict)

    @property
    def anything(self) -> bool:
        """Something was typed or chosen (Escape then asks before leaving)."""
        return bool(self.code or self.expiry.strip() or self.situation or self.other_code
                    or self.other_expiry.strip() or self.vitale or self.court_decision
                    or any(self.confirmed.values()))

    @property
    def unconfirmed(self) -> list[str]:
        return [key for key in TRAITS if not self.confirmed.get(key)]


def document_type(code: str | None) -> Any:
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
    from insterm.domain.errors import DomainError

    try:
        proof = check_proof(**proof_arguments(entered, view.minor), minor=view.minor,
                            practice=view.catalogue)
    except DomainError as missing:
        return False, missing.message
    return True, f"Preuve suffisante : {proof.rule}."


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


# ------------------------------------------------------------------ the trait mismatch dialog


class TraitMismatchModal(InstermModal[str | None]):
    """A trait is not confirmed: "edit" (correct the identity), "doubtful" (mark it), or None."""

    HELP = ("Un trait de l'identité n'est pas conforme à la pièce : le contrôle ne peut pas être "
            "enregistré. F3 ouvre la modification de l'identité (erreur de saisie), F6 marque "
            "l'identité douteuse (la pièce ne semble pas être celle du patient), Échap revient "
            "au contrôle sans rien modifier.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f3", "choose('edit')", "Modifier l'identité",
                id="document_check.mismatch_edit"),
        Binding("f6", "choose('doubtful')", "Marquer douteuse",
                id="document_check.mismatch_doubtful"),
        Binding("escape", "choose('')", "Revenir au contrôle",
                id="document_check.mismatch_back"),
    ]
    DEFAULT_CSS = """
    TraitMismatchModal { align: center middle; }
    TraitMismatchModal > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $error; background: $surface; padding: 0 1;
    }
    TraitMismatchModal .mismatch-title { text-style: bold; color: $error; width: 100%; }
    TraitMismatchModal .mismatch-text { width: 100%; margin: 1 0; }
    TraitMismatchModal Horizontal { height: auto; align: right middle; }
    TraitMismatchModal Button { margin-left: 1; }
    """

    def __init__(self, unconfirmed: list[str], doubtful_effect: str | None) -> None:
        super().__init__()
        self._unconfirmed = unconfirmed
        self._doubtful_effect = doubtful_effect

    def compose(self) -> ComposeResult:
        names = [TRAIT_NAMES[key] for key in self._unconfirmed]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
        verb = "n'est pas confirmé" if len(names) == 1 else "ne sont pas confirmés"
        text = (f"{listed.capitalize()} {verb} : le contrôle ne peut pas être enregistré et "
                "l'identité ne change pas.\n\n"
                "- Erreur de saisie dans le dossier : corrigez d'abord l'identité (F3), puis "
                "revenez confirmer les traits.\n"
                "- La pièce ne semble pas être celle du patient : marquez l'identité douteuse "
                "(F6).")
        if self._doubtful_effect:
            text += f" {self._doubtful_effect}"
        text += "\n- Vous avez oublié de cocher un trait conforme : revenez au contrôle (Échap)."
        with Vertical():
            yield Label("Traits non conformes à la pièce", classes="mismatch-title")
            yield Static(text, classes="mismatch-text", markup=False)
            with Horizontal():
                yield Button("Modifier l'identité (F3)", id="mismatch-edit")
                yield Button("Douteuse (F6)", variant="error", id="mismatch-doubtful",
                             disabled=self._doubtful_effect is None)
                yield Button("Revenir (Échap)", id="mismatch-back")

    def on_mount(self) -> None:
        self.query_one("#mismatch-back", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose((event.button.id or "").removeprefix("mismatch-").replace("back", ""))

    def action_choose(self, choice: str) -> None:
        if choice == "doubtful" and self._doubtful_effect is None:
            return
        self.dismiss(choice or None)


# ------------------------------------------------------------------ the screen


def document_fields(type_id: str, expiry_id: str) -> ComposeResult:
    """The document type (none preselected) and its end of validity, their labels above; for
    `compose` (`yield from`), here and in the re-check of an edit."""
    with Horizontal(classes="field-labels"):
        yield Label("Type de pièce (aucun n'est présélectionné)")
        yield Label("Fin de validité", classes="expiry-label")
    with Horizontal(classes="field-row"):
        yield Select[str]((), prompt="Choisissez le type de pièce…", id=type_id)
        yield Input(placeholder="JJ/MM/AAAA", id=expiry_id, max_length=10,
                    restrict=r"[0-9/]*")


class DocumentCheckScreen(InstermScreen):
    TITLE = "Contrôle de pièce d'identité"
    HELP = (
        "Contrôle d'une pièce d'identité présentée par le patient. Il fait passer l'identité "
        "de « Identité provisoire » à « Identité validée », ou de « Identité récupérée » à "
        "« Identité qualifiée » quand l'INS a déjà été récupéré par INSi.\n"
        "1. Choisissez le type de pièce (Entrée ouvre la liste) : aucun n'est présélectionné. "
        "Seuls les types acceptés par le cabinet sont proposés.\n"
        "2. Tapez la date de fin de validité (JJ/MM/AAAA) : une pièce expirée est refusée.\n"
        "3. Pour un mineur, ou avec un extrait d'acte de naissance, un livret de famille ou la "
        "carte Vitale, choisissez la situation (pièce d'un parent, tuteur et décision de "
        "justice, ASE, majeur sans pièce, admission directe en EHPAD) et la pièce "
        "complémentaire : la ligne sous le type dit ce qui manque encore.\n"
        "4. Comparez chaque trait du dossier avec la pièce et cochez-le (Espace) s'il est "
        "conforme. Un trait non conforme empêche l'enregistrement : corrigez l'identité (F3) "
        "ou marquez-la douteuse.\n"
        "F2 enregistre le contrôle, F3 ouvre la modification de l'identité, Échap revient à la "
        "fiche (en demandant confirmation si vous avez commencé la saisie). Une identité "
        "douteuse ou fictive ne peut pas être validée."
    )
    DEFAULT_CSS = """
    DocumentCheckScreen #check-top { height: 1; padding: 0 1; }
    DocumentCheckScreen #check-who { width: 1fr; text-style: bold; }
    DocumentCheckScreen #check-blocked {
        height: auto; padding: 0 1; color: $text; background: $error-muted;
    }
    DocumentCheckScreen #check-body { height: 1fr; padding: 0 1; }
    DocumentCheckScreen .section { text-style: bold; color: $primary; margin-top: 1; }
    DocumentCheckScreen .section.-first { margin-top: 0; }
    DocumentCheckScreen .field-labels { height: 1; }
    DocumentCheckScreen .field-labels Label { width: 1fr; color: $text-muted; }
    DocumentCheckScreen .field-labels .expiry-label { width: 18; }
    DocumentCheckScreen .field-row { height: auto; }
    DocumentCheckScreen .field-row Select { width: 1fr; }
    DocumentCheckScreen .field-row Input { width: 18; }
    DocumentCheckScreen .field-error { color: $error; height: auto; }
    DocumentCheckScreen .hint { height: auto; }
    DocumentCheckScreen #proof-hint.-ok { color: $success; }
    DocumentCheckScreen #proof-hint.-missing { color: $warning; }
    DocumentCheckScreen #type-note { color: $text-muted; }
    DocumentCheckScreen #combined, DocumentCheckScreen #holder { height: auto; }
    DocumentCheckScreen #traits { height: auto; }
    DocumentCheckScreen #check-message {
        height: auto; padding: 0 1; background: $boost;
    }
    DocumentCheckScreen #check-message.-error { color: $error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="document_check.back"),
        Binding("f2", "save", "Enregistrer", id="document_check.save"),
        Binding("f3", "edit", "Modifier l'identité", id="document_check.edit"),
    ]

    def __init__(self, identity_id: int) -> None:
        super().__init__()
        self.identity_id = identity_id
        self.view: CheckView | None = None
        self._saving = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Horizontal(id="check-top"):
            yield Label("Chargement…", id="check-who")
            yield StatusBadge("PROV", id="check-status")
        yield Static("", id="check-blocked", markup=False)
        with VerticalScroll(id="check-body"):
            yield Label("1. Pièce présentée par le patient", classes="section -first")
            yield from document_fields("doc-type", "doc-expiry")
            yield Static("", id="catalogue-note", classes="hint", markup=False)
            yield Static("", id="doc-type-error", classes="field-error", markup=False)
            yield Static("", id="doc-expiry-error", classes="field-error", markup=False)
            yield Static("", id="type-note", classes="hint", markup=False)
            with Vertical(id="combined"):
                yield Label("Preuve combinée", classes="section", id="combined-title")
                yield Static("", id="combined-intro", classes="hint", markup=False)
                yield Select[str]((), prompt="Choisissez la situation…", id="situation")
                with Vertical(id="holder"):
                    with Horizontal(classes="field-labels"):
                        yield Label("Pièce du parent", id="holder-label")
                        yield Label("Fin de validité", classes="expiry-label")
                    with Horizontal(classes="field-row"):
                        yield Select[str]((), prompt="Choisissez la pièce…", id="other-type")
                        yield Input(placeholder="JJ/MM/AAAA", id="other-expiry", max_length=10,
                                    restrict=r"[0-9/]*")
                    yield Static("", id="other-type-error", classes="field-error",
                                 markup=False)
                    yield Static("", id="other-expiry-error", classes="field-error",
                                 markup=False)
                yield TickBox("Décision de justice désignant le tuteur présentée",
                              id="court-decision")
                yield TickBox("Carte Vitale avec photographie du patient présentée",
                              id="vitale")
            yield Static("", id="proof-hint", classes="hint", markup=False)
            yield Label("2. Concordance des traits avec la pièce", classes="section")
            yield Static("Cochez (Espace) chaque trait conforme à la pièce.", classes="hint",
                         markup=False)
            with Vertical(id="traits"):
                for key in TRAITS:
                    yield TickBox(TRAIT_NAMES[key].capitalize(), id=f"trait-{key}")
        yield Static("", id="check-message", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        for hidden in ("#check-blocked", "#combined", "#check-message", "#catalogue-note"):
            self.query_one(hidden).display = False
        self._show_problems({})
        self.query_one("#doc-type", Select).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.view is not None:
            self.reload()

    def reload(self) -> None:
        identity_id = self.identity_id
        self.run_clinic(lambda clinic: load_check_view(clinic, identity_id), done=self._show,
                        group="document-check-load", exclusive=True,
                        doing="la lecture du dossier")

    # ------------------------------------------------------------------ display

    def _show(self, view: CheckView) -> None:
        previous = self.view
        self.view = view
        record = view.record
        if view.default_catalogue:
            self.log.warning("clinic.document_catalogue() absent: default practice catalogue")
            note = self.query_one("#catalogue-note", Static)
            note.update("Catalogue des pièces par défaut : le catalogue du cabinet n'est pas "
                        "lisible dans cette version.")
            note.display = True
        who = f"{record.birth_name} {record.first_name} — IPP {record.ipp}"
        if view.minor:
            who += " — patient mineur"
        self.query_one("#check-who", Label).update(who)
        self.query_one("#check-status", StatusBadge).status = record.status
        blocked = self.query_one("#check-blocked", Static)
        blocked.display = view.blocked is not None
        blocked.update(f"Contrôle impossible : {view.blocked}" if view.blocked else "")
        if previous is None:
            self._fill_choices(view)
        lines = trait_lines(view)
        for key in TRAITS:
            self.query_one(f"#trait-{key}", TickBox).label = lines[key]
        if previous is not None and _strict_traits(previous.record) != _strict_traits(record):
            for key in TRAITS:
                self.query_one(f"#trait-{key}", TickBox).value = False
            self._say("Les traits du dossier ont changé : comparez-les de nouveau avec la "
                      "pièce et recochez ceux qui sont conformes.", error=True)
        self._refresh_form()
        self.refresh_bindings()

    def _fill_choices(self, view: CheckView) -> None:
        from insterm.domain.documents import Role

        choices = view.catalogue.choices()
        self.query_one("#doc-type", Select).set_options((t.label, t.code) for t in choices)
        self.query_one("#other-type", Select).set_options(
            (t.label, t.code) for t in choices
            if t.role is Role.PROOF and not t.minors_only and t.code != "TC")
        situations = MINOR_SITUATIONS if view.minor else ADULT_SITUATIONS
        self.query_one("#situation", Select).set_options((label, key) for key, label in situations)

    def entered(self) -> Entered:
        def chosen(selector: str) -> str | None:
            value = self.query_one(selector, Select).value
            return value if isinstance(value, str) else None

        return Entered(
            code=chosen("#doc-type"),
            expiry=self.query_one("#doc-expiry", Input).value,
            situation=chosen("#situation"),
            other_code=chosen("#other-type"),
            other_expiry=self.query_one("#other-expiry", Input).value,
            vitale=self.query_one("#vitale", TickBox).value,
            court_decision=self.query_one("#court-decision", TickBox).value,
            confirmed={key: self.query_one(f"#trait-{key}", TickBox).value for key in TRAITS},
        )

    def _refresh_form(self) -> None:
        """Show the fields the chosen type and situation need, and the domain's proof verdict."""
        view = self.view
        if view is None:
            return
        entered = self.entered()
        entry = document_type(entered.code)
        expiry = self.query_one("#doc-expiry", Input)
        expiry.disabled = entry is not None and not entry.has_expiry
        expiry.placeholder = "sans date" if expiry.disabled else "JJ/MM/AAAA"
        if expiry.disabled and expiry.value:
            expiry.value = ""
        note = self.query_one("#type-note", Static)
        # The notes of the types that need a combined proof repeat the sub-form's explanation.
        shown_note = entry.notes if entry is not None and entry.high_trust else ""
        note.update(shown_note)
        note.display = bool(shown_note)
        sufficient, sentence = proof_hint(entered, view)
        hint = self.query_one("#proof-hint", Static)
        hint.update(sentence)
        hint.set_class(sufficient, "-ok")
        hint.set_class(not sufficient, "-missing")
        combined = needs_combined(entered.code, view.minor)
        self.query_one("#combined").display = combined
        if combined:
            self.query_one("#combined-intro", Static).update(
                self._combined_intro(entered, view.minor))
        situation = entered.situation if combined else None
        self.query_one("#holder").display = situation in HOLDER_SITUATIONS
        if situation in HOLDER_SITUATIONS:
            self.query_one("#holder-label", Label).update(
                f"Pièce {HOLDER_SITUATIONS[situation]}")
            other = document_type(entered.other_code)
            other_expiry = self.query_one("#other-expiry", Input)
            other_expiry.disabled = other is not None and not other.has_expiry
            other_expiry.placeholder = "sans date" if other_expiry.disabled else "JJ/MM/AAAA"
        self.query_one("#court-decision").display = situation == "guardian"
        self.query_one("#vitale").display = situation in VITALE_SITUATIONS

    @staticmethod
    def _combined_intro(entered: Entered, minor: bool) -> str:
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

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "doc-type":
            self._set_problem("document", "")
        elif event.select.id == "other-type":
            self._set_problem("other", "")
        self._refresh_form()

    def on_checkbox_changed(self, event: TickBox.Changed) -> None:
        event.stop()
        self._refresh_form()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        key = "expiry" if event.input.id == "doc-expiry" else "other_expiry"
        self._set_problem(key, "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    # ------------------------------------------------------------------ messages

    _PROBLEM_WIDGETS: ClassVar[dict[str, str]] = {
        "document": "#doc-type-error", "expiry": "#doc-expiry-error",
        "other": "#other-type-error", "other_expiry": "#other-expiry-error"}

    def _set_problem(self, key: str, text: str) -> None:
        widget = self.query_one(self._PROBLEM_WIDGETS[key], Static)
        widget.update(text)
        widget.display = bool(text)

    def _show_problems(self, problems: dict[str, str]) -> None:
        for key in self._PROBLEM_WIDGETS:
            self._set_problem(key, problems.get(key, ""))

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#check-message", Static)
        message.update(text)
        message.display = bool(text)
        message.set_class(error, "-error")

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "edit"):
            return self.view is not None
        return True

    def action_back(self) -> None:
        if not self.entered().anything:
            self.app.pop_screen()
            return
        self.leave_after_asking(
            "Abandonner le contrôle ?",
            "Le type de pièce, les dates et les traits cochés seront perdus. Rien n'a été "
            "enregistré : l'identité ne change pas.", "Abandonner", self.app.pop_screen)

    def action_edit(self) -> None:
        self.insterm.open_screen("edit", identity_id=self.identity_id)

    def action_save(self) -> None:
        view = self.view
        if view is None or self._saving:
            return
        entered = self.entered()
        check, problems = build_check(entered, view.minor)
        self._show_problems(problems)
        if check is None:
            first = next(iter(problems))
            self._say("Le contrôle n'est pas enregistré : corrigez le champ signalé.",
                      error=True)
            self._focus_problem(first)
            return
        unconfirmed = entered.unconfirmed
        if unconfirmed:
            self._say("Le contrôle n'est pas enregistré : tous les traits doivent être "
                      "confirmés conformes à la pièce.", error=True)
            self._ask_mismatch(view, unconfirmed)
            return
        self._record(view, check)

    def _focus_problem(self, key: str) -> None:
        target = {"document": "#doc-type", "expiry": "#doc-expiry", "other": "#other-type",
                  "other_expiry": "#other-expiry"}[key]
        self.query_one(target).focus()

    def _record(self, view: CheckView, check: DocumentCheck) -> None:
        actor = self.insterm.actor
        identity_id, version = view.record.id, view.record.version
        self._saving = True
        self._say("Enregistrement du contrôle…")

        def call(clinic: Any) -> Any:
            return clinic.check_document(actor, identity_id, version, check)

        self.run_clinic(call, done=self._recorded, failed=self._refused,
                        doing="l'enregistrement du contrôle de la pièce")

    def _recorded(self, saved: Any) -> None:
        self._saving = False
        record = saved.record
        transition = saved.transition
        if transition is not None and transition.status_changed:
            text = f"Contrôle de la pièce enregistré : l'identité est maintenant « " \
                   f"{status_label(record.status)} »."
        else:
            text = f"Contrôle de la pièce enregistré : l'identité reste « " \
                   f"{status_label(record.status)} »."
        self.notify(text, title="Enregistré", timeout=8)
        self.dismiss(saved)

    def _refused(self, error: BaseException) -> None:
        self._saving = False
        from insterm.store.errors import VersionConflict

        message = getattr(error, "message", None)
        place = getattr(error, "field", None)
        if isinstance(message, str):
            if place == "document":
                self._set_problem("document", message)
            elif place == "expiry":
                self._set_problem(self._expiry_field(message), message)
            self._say("Le contrôle n'est pas enregistré : " + message, error=True)
        else:
            self._say("Le contrôle n'est pas enregistré (erreur inattendue).", error=True)
        self.insterm.report_error(error, doing="l'enregistrement du contrôle de la pièce")
        if isinstance(error, VersionConflict):
            self.reload()

    def _expiry_field(self, message: str) -> str:
        """Which expiry field a domain refusal names (the holder's document, else the main)."""
        entered = self.entered()
        other = document_type(entered.other_code)
        main = document_type(entered.code)
        if other is not None and f"« {other.label} »" in message and \
                (main is None or f"« {main.label} »" not in message):
            return "other_expiry"
        return "expiry"

    # ------------------------------------------------------------------ trait mismatch

    def _ask_mismatch(self, view: CheckView, unconfirmed: list[str]) -> None:
        from insterm.domain.errors import DomainError
        from insterm.domain.status import AttributeSet, describe_drop

        record = view.record
        effect: str | None
        if record.dout:
            effect = None
        else:
            try:
                effect = describe_drop(record.state(), AttributeSet("DOUT"))
            except DomainError:
                effect = None

        def chosen(choice: str | None) -> None:
            if choice == "edit":
                self.action_edit()
            elif choice == "doubtful":
                self._mark_doubtful(view)

        self.app.push_screen(TraitMismatchModal(unconfirmed, effect), callback=chosen)

    def _mark_doubtful(self, view: CheckView) -> None:
        actor = self.insterm.actor
        identity_id, version = view.record.id, view.record.version

        def call(clinic: Any) -> Any:
            return clinic.set_attribute(actor, identity_id, version, "DOUT")

        def done(saved: Any) -> None:
            self.notify(f"Identité marquée douteuse : elle reste « "
                        f"{status_label(saved.record.status)} » et aucun contrôle n'a été "
                        "enregistré.", title="Enregistré", timeout=8)
            self.dismiss(None)

        def failed(error: BaseException) -> None:
            from insterm.store.errors import VersionConflict

            self.insterm.report_error(error, doing="le marquage de l'identité douteuse")
            if isinstance(error, VersionConflict):
                self.reload()

        self.run_clinic(call, done=done, failed=failed, doing="le marquage de l'identité douteuse")

    def palette_commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        if self.view is None:
            return []
        return [
            ("Enregistrer le contrôle de la pièce", "Tous les traits cochés conformes (F2)",
             self.action_save),
            ("Modifier l'identité", "Corriger un trait avant le contrôle (F3)",
             self.action_edit),
        ]


def _strict_traits(record: IdentityRecord) -> tuple[Any, ...]:
    return (record.birth_name, record.first_name, record.first_names, record.birth_date,
            record.sex, record.birth_place)
