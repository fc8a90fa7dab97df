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

The form's model (what it reads, which fields apply, what it says, the check it builds) is
`insterm.tui.forms.document_check`, without widgets; this module holds the widgets.

F2 records the check with ONE clinic call, `clinic.check_document(actor, id, version,
DocumentCheck(...))`, in a thread worker; the clinic judges the proof and the expiry again (its
refusals come back as French messages, put next to the field their `field` names) and moves the
status. On success a notification says the new status and the screen pops back to the record.
A doubtful or fictitious identity is announced at the top (the domain's refusal message) and the
clinic refuses the recording: nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, Select, Static

from insterm.domain.dates import DATE_CHARACTERS, DATE_MAX_LENGTH
from insterm.domain.display_name import main_name
from insterm.tui.errors import refusal_message
from insterm.tui.forms.document_check import (
    ADULT_SITUATIONS,
    MINOR_SITUATIONS,
    TRAIT_NAMES,
    TRAITS,
    CheckView,
    Entered,
    build_check,
    form_shape,
    load_check_view,
    mismatch_text,
    problem_field,
    strict_traits,
    trait_lines,
)
from insterm.tui.screens.button_dialog import ButtonDialog, DialogButton
from insterm.tui.screens.view_screen import ViewScreen
from insterm.tui.widgets.status_badge import StatusBadge, status_label
from insterm.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from insterm.clinic import Clinic, DocumentCheck
    from insterm.usecases.identities import Saved

# The re-check of an edit (`edit_recheck`) reads its form through these names too.
__all__ = ["DocumentCheckScreen", "TraitMismatchModal", "document_fields"]


# ------------------------------------------------------------------ the trait mismatch dialog


class TraitMismatchModal(ButtonDialog):
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

    def __init__(self, unconfirmed: list[str], doubtful_effect: str | None) -> None:
        super().__init__("Traits non conformes à la pièce",
                         mismatch_text(unconfirmed, doubtful_effect), [
                             DialogButton("Modifier l'identité (F3)", "edit", "mismatch-edit"),
                             DialogButton("Douteuse (F6)", "doubtful", "mismatch-doubtful",
                                          variant="error",
                                          enabled=doubtful_effect is not None),
                             DialogButton("Revenir (Échap)", "", "mismatch-back"),
                         ], tone="error")


# ------------------------------------------------------------------ the screen


def document_fields(type_id: str, expiry_id: str) -> ComposeResult:
    """The document type (none preselected) and its end of validity, their labels above; for
    `compose` (`yield from`), here and in the re-check of an edit."""
    with Horizontal(classes="field-labels"):
        yield Label("Type de pièce (aucun n'est présélectionné)")
        yield Label("Fin de validité", classes="expiry-label")
    with Horizontal(classes="field-row"):
        yield Select[str]((), prompt="Choisissez le type de pièce…", id=type_id)
        yield Input(placeholder="JJ/MM/AAAA", id=expiry_id, max_length=DATE_MAX_LENGTH,
                    restrict=DATE_CHARACTERS)


class DocumentCheckScreen(ViewScreen[CheckView, "Saved"]):
    FIRST_FOCUS = "#doc-type"
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
        height: auto; padding: 0 1; color: $text; background: $error-muted; display: none;
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
    DocumentCheckScreen .field-error { color: $error; height: auto; display: none; }
    DocumentCheckScreen .hint { height: auto; }
    DocumentCheckScreen #proof-hint.-ok { color: $success; }
    DocumentCheckScreen #proof-hint.-missing { color: $warning; }
    DocumentCheckScreen #type-note { color: $text-muted; }
    DocumentCheckScreen #catalogue-note { display: none; }
    DocumentCheckScreen #combined, DocumentCheckScreen #holder { height: auto; }
    DocumentCheckScreen #combined { display: none; }
    DocumentCheckScreen #traits { height: auto; }
    DocumentCheckScreen #check-message {
        height: auto; padding: 0 1; background: $boost; display: none;
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
                        yield Input(placeholder="JJ/MM/AAAA", id="other-expiry",
                                    max_length=DATE_MAX_LENGTH, restrict=DATE_CHARACTERS)
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

    def reader(self) -> Callable[[Clinic], CheckView]:
        identity_id = self.identity_id
        return lambda clinic: load_check_view(clinic, identity_id)

    # ------------------------------------------------------------------ display

    def show_view(self, view: CheckView, previous: CheckView | None) -> None:
        record = view.record
        if view.default_catalogue:
            self.log.warning("clinic.document_catalogue() absent: default practice catalogue")
            note = self.query_one("#catalogue-note", Static)
            note.update("Catalogue des pièces par défaut : le catalogue du cabinet n'est pas "
                        "lisible dans cette version.")
            note.display = True
        who = f"{main_name(record)} — IPP {record.ipp}"
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
        if previous is not None and strict_traits(previous.record) != strict_traits(record):
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
        shape = form_shape(self.entered(), view)
        expiry = self.query_one("#doc-expiry", Input)
        expiry.disabled = not shape.expiry_needed
        expiry.placeholder = "sans date" if expiry.disabled else "JJ/MM/AAAA"
        if expiry.disabled and expiry.value:
            expiry.value = ""
        note = self.query_one("#type-note", Static)
        note.update(shape.type_note)
        note.display = bool(shape.type_note)
        hint = self.query_one("#proof-hint", Static)
        hint.update(shape.proof_sentence)
        hint.set_class(shape.proof_sufficient, "-ok")
        hint.set_class(not shape.proof_sufficient, "-missing")
        self.query_one("#combined").display = shape.combined_intro is not None
        if shape.combined_intro is not None:
            self.query_one("#combined-intro", Static).update(shape.combined_intro)
        self.query_one("#holder").display = shape.holder_label is not None
        if shape.holder_label is not None:
            self.query_one("#holder-label", Label).update(shape.holder_label)
            other_expiry = self.query_one("#other-expiry", Input)
            other_expiry.disabled = not shape.other_expiry_needed
            other_expiry.placeholder = "sans date" if other_expiry.disabled else "JJ/MM/AAAA"
        self.query_one("#court-decision").display = shape.court_decision
        self.query_one("#vitale").display = shape.vitale

    @on(Select.Changed, "#doc-type")
    def _type_chosen(self) -> None:
        self._set_problem("document", "")

    @on(Select.Changed, "#other-type")
    def _other_type_chosen(self) -> None:
        self._set_problem("other", "")

    @on(Select.Changed)
    @on(TickBox.Changed)
    def _choice_changed(self, event: Select.Changed | TickBox.Changed) -> None:
        event.stop()
        self._refresh_form()

    @on(Input.Changed, "#doc-expiry")
    def _expiry_typed(self, event: Input.Changed) -> None:
        event.stop()
        self._set_problem("expiry", "")

    @on(Input.Changed, "#other-expiry")
    def _other_expiry_typed(self, event: Input.Changed) -> None:
        event.stop()
        self._set_problem("other_expiry", "")

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
        from insterm.tui.screens.edit import EditScreen

        self.app.push_screen(EditScreen(self.identity_id))

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

        def call(clinic: Clinic) -> Saved:
            return clinic.check_document(actor, identity_id, version, check)

        self.run_clinic(call, done=self._recorded, failed=self._refused,
                        doing="l'enregistrement du contrôle de la pièce")

    def _recorded(self, saved: Saved) -> None:
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

        message = refusal_message(error)
        if message is not None:
            place = problem_field(error)
            if place is not None:
                self._set_problem(place, message)
            self._say("Le contrôle n'est pas enregistré : " + message, error=True)
        else:
            self._say("Le contrôle n'est pas enregistré (erreur inattendue).", error=True)
        self.insterm.report_error(error, doing="l'enregistrement du contrôle de la pièce")
        if isinstance(error, VersionConflict):
            self.reload()

    # ------------------------------------------------------------------ trait mismatch

    def _ask_mismatch(self, view: CheckView, unconfirmed: list[str]) -> None:
        from insterm.domain.errors import DomainError
        from insterm.domain.status import Attribute, AttributeSet, describe_drop

        record = view.record
        effect: str | None
        if record.dout:
            effect = None
        else:
            try:
                effect = describe_drop(record.state(), AttributeSet(Attribute.DOUT))
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

        def call(clinic: Clinic) -> Saved:
            return clinic.set_attribute(actor, identity_id, version, "DOUT")

        def done(saved: Saved) -> None:
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

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        if self.view is None:
            return []
        return [
            ("Enregistrer le contrôle de la pièce", "Tous les traits cochés conformes (F2)",
             self.action_save),
            ("Modifier l'identité", "Corriger un trait avant le contrôle (F3)",
             self.action_edit),
        ]

