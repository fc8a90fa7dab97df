"""Saisie / modification: the strict traits and the used names of an identity.

`CreateScreen(initial_text="")` captures a new identity (saved as "Identité provisoire",
channel SM, through `Clinic.create_identity`) and then shows its record in its place;
`EditScreen(identity_id)` changes an existing one through `Clinic.edit_traits` and goes back to
the record.

What the form does while the operator types (every rule is the domain's, asked through
`insterm.tui.screens.edit_checks`):

- each field says under it what the domain refuses, in French; nothing can be saved while a
  field is refused ("not finished yet" refusals, such as an empty required field, show once
  the field is left or on F2);
- a normalisation proposal (uppercase, accents, typographic apostrophes...; the first first name
  for an empty list of first names) is shown under the field and applied only by F4, which
  applies every proposal of the form at once; each applied change is listed on the form's one
  notice line (`say`), which the next F4 replaces: no toast piles up;
- the birth place is picked by commune or country name in a list under the field (the place
  table's name index is built once, in a thread worker, when the screen opens), or typed as a
  code, whose name is then shown; a well-formed code missing from the table is kept only after a
  confirmation;
- records that may be the same person are listed below the form while typing (debounced, in a
  thread worker); Enter on one opens it above the form, which stays as it was.

Saving (F2) an edit that changes a strict trait of an identity that is not provisional first
says what it will do to the status (`insterm.domain.status.describe_drop`, from the domain's
`StrictTraitEdited` event) and asks what to do (`edit_recheck.StrictEditModal`): save with that
drop, or - when the domain says a re-check makes the drop smaller (QUAL -> VALI, VALI stays
VALI) - re-check the new values on the identity document (`edit_recheck.RecheckModal`: type
from the practice's catalogue, end of validity, "matches" tick), saved with the edit in one
clinic call that writes the document check too. A record changed elsewhere meanwhile is
not overwritten: the French message names who changed it and when, and the typed data stays.
Escape with unsaved data asks before leaving.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker, WorkerState

from insterm.domain.dates import DATE_CHARACTERS, DATE_MAX_LENGTH
from insterm.domain.display_name import display_name, main_name
from insterm.domain.errors import InstermError
from insterm.tui.palette import PaletteCommand
from insterm.tui.screens import edit_checks as checks
from insterm.tui.screens.base import InstermScreen
from insterm.tui.widgets.duplicate_hints import DuplicateHints
from insterm.tui.widgets.place_input import PlaceField, load_place_index
from insterm.tui.widgets.trait_field import TraitField

if TYPE_CHECKING:
    from insterm.clinic import Clinic, DuplicateOverride
    from insterm.domain.identity import StrictTraits, UsedNames
    from insterm.domain.places import PlaceIndex
    from insterm.domain.status import Transition
    from insterm.store.duplicates import Candidate
    from insterm.store.errors import VersionConflict
    from insterm.store.identities import IdentityRecord
    from insterm.store.summary import IdentitySummary
    from insterm.usecases.errors import DuplicateSuspected
    from insterm.usecases.identities import Saved
    from insterm.usecases.vitale_card import Beneficiary

T = TypeVar("T")

HINTS_DEBOUNCE_SECONDS = 0.25

HELP = (
    "Traits stricts de l'identité (ceux de la pièce d'identité) et noms utilisés. Les champs "
    "marqués * sont obligatoires.\n"
    "Sous chaque champ, en rouge, ce qui est refusé et comment le corriger ; en jaune, une "
    "proposition (majuscules, accents retirés, apostrophe droite...) : F4 les applique toutes "
    "d'un coup et dit chacune sur la ligne d'avis en haut : rien n'est corrigé sans vous.\n"
    "Date de naissance : JJ/MM/AAAA (00 pour un jour ou un mois inconnu : la date est alors "
    "corrigée et l'identité ne pourra pas être qualifiée). Sexe : M, F ou I.\n"
    "Lieu de naissance : tapez le nom de la commune ou du pays, choisissez dans la liste "
    "(flèches, Entrée), ou tapez le code INSEE à 5 caractères (99 + code pays à l'étranger, "
    "99999 si inconnu).\n"
    "En bas, les dossiers qui ressemblent à ce que vous tapez : F5 pour y aller, Entrée pour "
    "ouvrir le dossier (la saisie reste en place, Échap sur la fiche pour y revenir).\n"
    "Entrée, Tab ou flèche bas : champ suivant. F2 enregistre. Échap quitte (une confirmation "
    "est demandée si des données ne sont pas enregistrées)."
)

EDIT_HELP = HELP + (
    "\nModifier un trait strict d'une identité récupérée, validée ou qualifiée la fait "
    "redescendre (et retire l'INS) : l'effet exact est annoncé avant l'enregistrement et vous "
    "le confirmez (F2). Pour une identité validée ou qualifiée, F3 « Revérifier sur la "
    "pièce » enregistre la modification avec un contrôle de la pièce d'identité présentée "
    "(type, fin de validité, nouvelles valeurs conformes) : l'identité reste alors validée. "
    "Modifier seulement le nom ou le prénom utilisé ne change pas le statut."
)


def clinic_today(clinic: Clinic) -> date:
    """The clinic's current date (tests fix it), for birth-date checks and the age shown."""
    return clinic.today()


def form_bindings(prefix: str) -> list[BindingType]:
    return [
        Binding("escape", "back", "Retour", id=f"{prefix}.back"),
        Binding("f2", "save", "Enregistrer", id=f"{prefix}.save"),
        Binding("f4", "apply_proposal", "Appliquer", id=f"{prefix}.apply",
                tooltip="Appliquer toutes les propositions affichées sous les champs"),
        Binding("f5", "hints", "Doublons", id=f"{prefix}.hints",
                tooltip="Aller à la liste des dossiers ressemblants"),
    ]


class IdentityFormScreen(InstermScreen[None]):
    """What `CreateScreen` and `EditScreen` share: the form, its notes, hints and keys."""

    HELP = HELP
    DEFAULT_CSS = """
    IdentityFormScreen #form-context { height: auto; padding: 0 1; background: $boost; }
    IdentityFormScreen #form-context.-error { color: $error; text-style: bold; }
    IdentityFormScreen #form-notice { height: auto; padding: 0 1; color: $success; }
    IdentityFormScreen #form-notice.-empty { display: none; }
    IdentityFormScreen #form { height: 1fr; }
    """

    exclude_id: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self.places: PlaceIndex | None = None
        self._initial: dict[str, str] = {}
        self._form: checks.FormCheck | None = None
        self._reveal = False
        self._saving = False
        self._ready = False
        self._hints_timer: Timer | None = None
        self._hints_probe: dict[str, checks.TraitValue] | None = None
        self._hints_generation = 0
        self._places_worker: Worker[PlaceIndex] | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static(self.context_text(), id="form-context", markup=False)
        yield Static("", id="form-notice", markup=False, classes="-empty")
        with VerticalScroll(id="form", can_focus=False):
            yield TraitField("birth_name", checks.LABELS["birth_name"], required=True,
                             max_length=120, placeholder="tel qu'écrit sur la pièce")
            yield TraitField("first_name", checks.LABELS["first_name"], required=True,
                             max_length=120)
            yield TraitField("first_names", checks.LABELS["first_names"], max_length=120,
                             placeholder="tous, dans l'ordre de la pièce")
            yield TraitField("birth_date", checks.LABELS["birth_date"], required=True,
                             max_length=DATE_MAX_LENGTH, restrict=DATE_CHARACTERS,
                             placeholder="JJ/MM/AAAA",
                             input_width=12)
            yield TraitField("sex", checks.LABELS["sex"], required=True, max_length=1,
                             restrict=r"[MFImfi]?", uppercase=True, placeholder="M, F ou I",
                             input_width=12)
            yield PlaceField("birth_place", checks.LABELS["birth_place"],
                             placeholder="commune, pays ou code")
            yield TraitField("used_name", checks.LABELS["used_name"], max_length=120,
                             placeholder="si différent du nom de naissance")
            yield TraitField("used_first_name", checks.LABELS["used_first_name"],
                             max_length=120, placeholder="si différent du 1er prénom")
        yield DuplicateHints(id="hints")
        yield Footer(compact=True)

    def context_text(self) -> str:
        return ""

    def on_mount(self) -> None:
        self.field("birth_name").input.focus()
        self._places_worker = self.run_worker(load_place_index, thread=True, group="places",
                                              exit_on_error=False, name="places",
                                              description="la table des lieux de naissance")
        self.start()

    def start(self) -> None:
        """Fill the form (create: from the search text; edit: once the record is read)."""

    # ------------------------------------------------------------------ fields

    def field(self, name: str) -> TraitField:
        return self.query_one(f"#field-{name}", TraitField)

    @property
    def place_field(self) -> PlaceField:
        return self.query_one(PlaceField)

    def values(self) -> dict[str, str]:
        return {name: self.field(name).value for name in checks.FIELDS}

    def fill(self, values: dict[str, str]) -> None:
        """Put texts in the fields; they become the "nothing typed yet" state of the form."""
        for name in checks.FIELDS:
            self.field(name).value = values.get(name, "")
        self._initial = {name: values.get(name, "") for name in checks.FIELDS}
        self._ready = True
        self.recheck()

    @property
    def dirty(self) -> bool:
        """Whether the form holds something that is not saved."""
        return self._ready and self.values() != self._initial

    @property
    def today(self) -> date:
        return clinic_today(self.insterm.clinic)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.recheck()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        event.stop()
        for field in self.query(TraitField):
            if field.input is event.input and event.value.strip():
                field.touched = True
        self.recheck()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def on_place_field_picked(self, event: PlaceField.Picked) -> None:
        event.stop()
        self.focus_next()

    def recheck(self) -> checks.FormCheck:
        """Check the whole form again, show every field's notes, schedule the hints."""
        values = self.values()
        form = checks.check_form(values, today=self.today, places=self.places)
        self._form = form
        for name in checks.FIELDS:
            self.field(name).show(form.fields[name], reveal=self._reveal)
        self._schedule_hints(values)
        self.refresh_bindings()
        return form

    # ------------------------------------------------------------------ place table

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker is not self._places_worker:
            return
        if event.state == WorkerState.SUCCESS:
            self.places = event.worker.result
            self.place_field.places = self.places
            self.place_field.refresh_list()
            self.recheck()
        elif event.state == WorkerState.ERROR and event.worker.error is not None:
            self.insterm.report_error(event.worker.error,
                                      doing="le chargement de la table des lieux de naissance")

    # ------------------------------------------------------------------ duplicate hints

    def _schedule_hints(self, values: dict[str, str]) -> None:
        probe = checks.duplicate_probe(values, today=self.today, places=self.places)
        if probe == self._hints_probe:
            return
        self._hints_probe = probe
        self._hints_generation += 1
        if self._hints_timer is not None:
            self._hints_timer.stop()
            self._hints_timer = None
        if probe is None:
            self.query_one(DuplicateHints).waiting()
            return
        self._hints_timer = self.set_timer(HINTS_DEBOUNCE_SECONDS, self._look_for_hints)

    def _look_for_hints(self) -> None:
        self._hints_timer = None
        probe, generation, exclude = self._hints_probe, self._hints_generation, self.exclude_id
        if probe is None:
            return

        def shown(found: list[Candidate]) -> None:
            if generation == self._hints_generation:
                self.query_one(DuplicateHints).show(found)
                self.refresh_bindings()

        self.run_clinic(lambda clinic: clinic.duplicate_hints(probe, exclude_id=exclude),
                        done=shown, group="hints", exclusive=True,
                        doing="la recherche de dossiers ressemblants")

    def on_duplicate_hints_chosen(self, event: DuplicateHints.Chosen) -> None:
        event.stop()
        from insterm.tui.screens.record import RecordScreen

        self.app.push_screen(RecordScreen(event.identity_id))

    def action_hints(self) -> None:
        if not self.query_one(DuplicateHints).focus_list():
            self.say("Aucun dossier ressemblant à ouvrir.")

    # ------------------------------------------------------------------ notices

    def say(self, text: str) -> None:
        """The form's one notice line, replaced by the next one (no pile of toasts while
        the operator applies proposals one after the other)."""
        notice = self.query_one("#form-notice", Static)
        notice.update(text)
        notice.set_class(not text, "-empty")

    # ------------------------------------------------------------------ proposals

    def _focused_field(self) -> TraitField | None:
        focused = self.focused
        for field in self.query(TraitField):
            if field.input is focused:
                return field
        return None

    def action_apply_proposal(self) -> None:
        """Apply every proposal of the form at once (a proposal that an applied one brings,
        such as the first first name for an empty list, too); each applied change is listed
        on the notice line, which the next application replaces. The focus stays put."""
        applied: list[str] = []
        for _ in range(len(checks.FIELDS)):  # a cascade is one or two rounds; bounded anyway
            pending = [f for f in self.query(TraitField) if f.proposal is not None]
            if not pending:
                break
            for field in pending:
                proposal = field.proposal
                assert proposal is not None
                field.value = proposal
                applied.append(f"{checks.LABELS[field.trait]} « {proposal} »")
            self.recheck()
        if not applied:
            self.say("Aucune proposition à appliquer.")
            return
        plural = "s" if len(applied) > 1 else ""
        self.say(f"Proposition{plural} appliquée{plural} : " + " ; ".join(applied) + ".")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_mounted:
            return True
        if action == "apply_proposal":
            return any(f.proposal is not None for f in self.query(TraitField))
        if action == "hints":
            return bool(self.query_one(DuplicateHints).candidates)
        if action == "save":
            return self._ready
        return True

    # ------------------------------------------------------------------ saving

    def action_save(self) -> None:
        if self._saving or not self._ready:
            return
        self._reveal = True
        form = self.recheck()
        if not form.ok:
            first = form.first_error()
            if first is not None:
                self.field(first).input.focus()
            self.notify("Rien n'a été enregistré : corrigez les champs signalés en rouge.",
                        title="Saisie incomplète", severity="error", timeout=8)
            return
        values = self.values()
        self._confirm_place(form, lambda: self.save(form, values))

    def _confirm_place(self, form: checks.FormCheck, then: Callable[[], None]) -> None:
        """A well-formed birth-place code that the table lacks is kept only once confirmed."""
        if not form.place.unknown:
            then()
            return
        from insterm.tui.screens.confirm import ConfirmModal

        text = (f"{form.fields['birth_place'].warning}\n\nGarder le code "
                f"« {form.place.code} » comme lieu de naissance ?")

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                then()
            else:
                self.place_field.input.focus()

        self.app.push_screen(ConfirmModal("Code de lieu de naissance inconnu", text,
                                          "Garder ce code"), callback=answered)

    def save(self, form: checks.FormCheck, values: dict[str, str]) -> None:
        raise NotImplementedError

    def run_save(self, call: Callable[[Clinic], T], done: Callable[[T], None],
                 doing: str, *, failed: Callable[[BaseException], None] | None = None) -> None:
        """Run the saving call; a refusal goes to `failed` (default: `save_failed`)."""
        self._saving = True

        def finished(result: T) -> None:
            self._saving = False
            done(result)

        def refused(error: BaseException) -> None:
            self._saving = False
            if failed is not None:
                failed(error)
            else:
                self.save_failed(error, doing)

        self.run_clinic(call, done=finished, failed=refused, doing=doing, group="save")

    def save_failed(self, error: BaseException, doing: str) -> None:
        """Nothing was written: say why (the one error path), keep every typed value."""
        from insterm.store.errors import VersionConflict

        if isinstance(error, VersionConflict):
            context = self.query_one("#form-context", Static)
            context.update(f"{error.message} Votre saisie est conservée ci-dessous.")
            context.add_class("-error")
        domain_field = error.field if isinstance(error, InstermError) else None
        if domain_field is not None and domain_field in checks.FIELDS:
            self.field(domain_field).input.focus()
        self.insterm.report_error(error, doing=doing)

    def leave_saved(self) -> None:
        """The data is saved: the form is clean again (Escape leaves without asking)."""
        self._initial = self.values()

    # ------------------------------------------------------------------ leaving

    def action_back(self) -> None:
        if self.place_field.is_open:
            self.place_field.close()
            return
        if not self.dirty:
            self.app.pop_screen()
            return
        self.leave_after_asking(
            "Abandonner la saisie ?",
            "Des données saisies ne sont pas enregistrées : elles seront perdues si vous "
            "quittez cet écran.\n\nPour les garder, continuez la saisie (Échap) puis "
            "enregistrez (F2).",
            "Abandonner la saisie", self.app.pop_screen)

    def palette_commands(self) -> list[PaletteCommand]:
        commands = [PaletteCommand("Enregistrer l'identité", "Enregistrer la saisie",
                                   self.action_save, action="save")]
        if self.check_action("apply_proposal", ()):
            commands.append(PaletteCommand("Appliquer les propositions",
                                           "Toutes celles du formulaire",
                                           self.action_apply_proposal, action="apply_proposal"))
        if self.check_action("hints", ()):
            commands.append(PaletteCommand("Dossiers ressemblants", "Aller à la liste",
                                           self.action_hints, action="hints"))
        return commands


def typed_summary(strict: StrictTraits, used: UsedNames | None) -> IdentitySummary:
    """The identity being typed, as the comparison with a stored one reads it."""
    from insterm.store.summary import IdentitySummary

    return IdentitySummary(
        id=0, ipp="(saisie)", birth_name=strict.birth_name, first_name=strict.first_name,
        first_names=strict.first_names or strict.first_name,
        used_name=used.used_name if used else None,
        used_first_name=used.used_first_name if used else None, birth_date=strict.birth_date,
        birth_date_corrected=strict.birth_date_corrected, sex=strict.sex,
        birth_place=strict.birth_place, status="PROV", attributes=frozenset(), has_ins=False,
        merged_into=None, version=0)


class CreateScreen(IdentityFormScreen):
    """Nouveau patient: a new identity, saved as provisional (channel SM, or CV when its values
    were proposed by a carte Vitale)."""

    TITLE = "Nouveau patient"
    # Escape "Retour" needs no reminder (F1 lists it): its room goes to F6 at 80 columns.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="create.back", show=False),
        *form_bindings("create")[1:],
        Binding("f6", "read_vitale", "Vitale", id="create.vitale",
                tooltip="Lire la carte Vitale"),
    ]

    def __init__(self, initial_text: str = "", *, prefill: dict[str, str] | None = None,
                 from_card: bool = False) -> None:
        """`prefill`: field values proposed (by a carte Vitale when `from_card`), to confirm."""
        super().__init__()
        self.initial_text = initial_text
        self._prefill = prefill
        self._from_card = from_card

    def context_text(self) -> str:
        if self._from_card:
            return ("Nouvelle identité pré-remplie par la carte Vitale : vérifiez sur une pièce "
                    "d'identité, complétez, puis F2. Enregistrée « Identité provisoire ».")
        return "Nouvelle identité (saisie manuelle), enregistrée « Identité provisoire »."

    def action_read_vitale(self) -> None:
        """F6: read the carte Vitale; the chosen beneficiary's values go into the empty fields
        and replace the typed names and date (the operator saves them with F2, or not)."""
        from insterm.tui.screens.vitale import VitaleModal

        def chosen(person: Beneficiary | None) -> None:
            if person is None:
                return
            from insterm.usecases.vitale_card import prefill

            for name, value in prefill(person).items():
                self.field(name).value = value
            self._from_card = True
            self.recheck()
            self.say("Valeurs de la carte Vitale proposées : vérifiez-les sur une pièce "
                     "d'identité avant d'enregistrer (F2).")

        self.app.push_screen(VitaleModal(), callback=chosen)

    def start(self) -> None:
        prefill = self._prefill or checks.split_initial_text(self.initial_text)
        self.fill(prefill)
        for name in checks.FIELDS:
            if not prefill.get(name):
                self.field(name).input.focus()
                break

    def save(self, form: checks.FormCheck, values: dict[str, str]) -> None:
        try:
            actor = self.insterm.actor
            strict, used = checks.strict_traits(form, values, today=self.today)
        except Exception as refused:
            self.save_failed(refused, "l'enregistrement du patient")
            return
        self._create(actor, strict, used, None)

    def _create(self, actor: str, strict: StrictTraits, used: UsedNames | None,
                override: DuplicateOverride | None) -> None:
        def failed(error: BaseException) -> None:
            from insterm.usecases.errors import DuplicateSuspected

            if isinstance(error, DuplicateSuspected):
                self._ask_duplicate(actor, strict, used, error)
            else:
                self.save_failed(error, "l'enregistrement du patient")

        channel = "CV" if self._from_card else "SM"  # how the identity was collected
        self.run_save(lambda clinic: clinic.create_identity(actor, strict, used,
                                                            channel=channel, override=override),
                      self._created, "l'enregistrement du patient", failed=failed)

    def _ask_duplicate(self, actor: str, strict: StrictTraits, used: UsedNames | None,
                       stop: DuplicateSuspected) -> None:
        """The clinic refused: a stored record is nearly identical. Show both side by side;
        open it (the usual answer), or create anyway with the reason typed there."""
        from insterm.clinic import DuplicateOverride
        from insterm.tui.screens.duplicate_stop import (
            CreateAnyway,
            DuplicateChoice,
            DuplicateStopModal,
            OpenExisting,
        )

        ids = frozenset(c.identity.id for c in stop.candidates)

        def answered(choice: DuplicateChoice | None) -> None:
            if isinstance(choice, OpenExisting):
                self.leave_saved()
                from insterm.tui.screens.record import RecordScreen

                if self.app.screen is self:
                    self.app.pop_screen()
                self.app.push_screen(RecordScreen(choice.identity_id))
            elif isinstance(choice, CreateAnyway):
                self._create(actor, strict, used, DuplicateOverride(ids, choice.reason))
            else:
                self.say("Rien n'a été enregistré : la saisie est conservée.")

        codes = [strict.birth_place] + [c.identity.birth_place for c in stop.candidates]
        names = {code: name for code in codes if code and self.places is not None
                 and (name := self.places.name(code))}
        self.app.push_screen(DuplicateStopModal(typed_summary(strict, used), stop.candidates,
                                                names), callback=answered)

    def _created(self, saved: Saved) -> None:
        self.leave_saved()
        record = saved.record
        from insterm.tui.widgets.status_badge import status_label

        message = f"Patient enregistré : IPP {record.ipp}, {status_label(record.status)}."
        if saved.candidates:
            count = len(saved.candidates)
            message += (f" {count} dossier{'s' if count > 1 else ''} ressemblant"
                        f"{'s' if count > 1 else ''} noté{'s' if count > 1 else ''} comme "
                        "doublon potentiel (F5 sur la fiche).")
        self.notify(message, title="Enregistré", timeout=8)
        if self.app.screen is self:
            from insterm.tui.screens.record import RecordScreen

            self.app.pop_screen()
            self.app.push_screen(RecordScreen(record.id))


class EditScreen(IdentityFormScreen):
    """Modification de l'identité: strict traits and used names of a stored identity."""

    TITLE = "Modification de l'identité"
    HELP = EDIT_HELP
    BINDINGS: ClassVar[list[BindingType]] = form_bindings("edit")

    def __init__(self, identity_id: int) -> None:
        super().__init__()
        self.identity_id = identity_id
        self.exclude_id = identity_id
        self.record: IdentityRecord | None = None

    def context_text(self) -> str:
        record = self.record
        if record is None:
            return "Lecture du dossier…"
        from insterm.tui.widgets.attribute_badges import attributes_text
        from insterm.tui.widgets.status_badge import status_label

        text = f"IPP {record.ipp} — {status_label(record.status)}"
        if record.attributes:
            text += " — " + attributes_text(record.attributes).plain
        if record.status != "PROV":
            text += (". Modifier un trait strict fait redescendre le statut : l'effet sera "
                     "annoncé avant l'enregistrement.")
        return text

    def start(self) -> None:
        identity_id = self.identity_id
        self.run_clinic(lambda clinic: clinic.get(identity_id), done=self._loaded,
                        doing="la lecture du dossier")

    def _loaded(self, record: IdentityRecord) -> None:
        self.record = record
        self.title = f"Modification : {main_name(record)}"
        self.query_one("#form-context", Static).update(self.context_text())
        if record.merged_into is not None:
            self.query_one("#form-context", Static).update(
                f"Ce dossier a été fusionné dans le dossier n°{record.merged_into} : "
                "il ne peut plus être modifié.")
            return
        self.fill(checks.initial_values(record))
        self.field("birth_name").input.focus()

    def save(self, form: checks.FormCheck, values: dict[str, str]) -> None:
        record = self.record
        if record is None:
            return
        changes = checks.edit_changes(record, form, values, self._initial)
        if not changes:
            self.notify("Aucune modification à enregistrer.", timeout=5)
            return
        from insterm.domain.errors import DomainError
        from insterm.domain.status import describe_drop, transition

        event = checks.strict_edit_event(record, changes)
        try:
            effect = transition(record.state(), event) if event is not None else None
            sentence = describe_drop(record.state(), event) if event is not None else None
        except DomainError as refused:
            self.save_failed(refused, "la modification de l'identité")
            return
        if effect is None or not effect.changed:
            self._write(record, changes)
            return
        assert event is not None
        lines = checks.describe_changes(record, changes)
        text = (f"{display_name(record)}, IPP {record.ipp}.\n"
                + "\n".join(lines) + f"\n\n{sentence}")
        recheck = self._recheck_effect(record, changes, effect)
        from insterm.tui.screens.edit_recheck import StrictEditModal

        def answered(choice: str | None) -> None:
            if choice == "save":
                self._write(record, changes)
            elif choice == "recheck" and recheck is not None:
                self._recheck(record, changes, lines, recheck)

        self.app.push_screen(StrictEditModal("Modifier un trait strict ?", text, recheck),
                             callback=answered)

    @staticmethod
    def _recheck_effect(record: IdentityRecord, changes: dict[str, checks.TraitValue],
                        plain: Transition) -> str | None:
        """The domain's sentence for the drop when the new values are re-checked on the
        document, or None when a re-check would change nothing to `plain` (the drop without)."""
        from insterm.domain.errors import DomainError
        from insterm.domain.status import describe_drop, transition

        event = checks.strict_edit_event(record, changes, rechecked=True)
        if event is None:
            return None
        try:
            if transition(record.state(), event).state == plain.state:
                return None
            return describe_drop(record.state(), event)
        except DomainError:
            return None

    def _recheck(self, record: IdentityRecord, changes: dict[str, checks.TraitValue],
                 lines: list[str],
                 effect: str) -> None:
        """The re-check dialog saves the edit with its document check (one clinic call)."""
        from insterm.store.errors import VersionConflict
        from insterm.tui.screens.edit_recheck import RecheckModal

        def done(result: Saved | VersionConflict | None) -> None:
            if isinstance(result, VersionConflict):
                self.save_failed(result, "la modification de l'identité avec revérification")
            elif result is not None:
                self._edited(result)

        self.app.push_screen(RecheckModal(record, changes, lines, effect), callback=done)

    def _write(self, record: IdentityRecord, changes: dict[str, checks.TraitValue]) -> None:
        try:
            actor = self.insterm.actor
        except Exception as refused:
            self.save_failed(refused, "la modification de l'identité")
            return
        identity_id, version = record.id, record.version
        self.run_save(lambda clinic: clinic.edit_traits(actor, identity_id, version, changes),
                      self._edited, "la modification de l'identité")

    def _edited(self, saved: Saved) -> None:
        self.leave_saved()
        self.record = saved.record
        if saved.transition is not None and saved.transition.changed:
            self.notify(saved.transition.reason, title="Enregistré", timeout=10)
        else:
            self.notify("Modifications enregistrées.", title="Enregistré", timeout=5)
        if self.app.screen is self:
            self.app.pop_screen()
