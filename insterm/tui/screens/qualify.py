"""Qualification INSi: search the identity's INS with the INSi service, compare, decide.

The screen goes through four phases:

- "loading": the record and `Clinic.insi_readiness(identity_id)` are read in a worker;
- "prepare": what would stop a call is listed in French with what to do (no certificate, a
  locked keyring -> a password field to open it, a doubtful / fictitious identity -> INSi
  forbidden, corrected birth date, sex I...); the traits that will be sent are shown, with the
  first names and the birth place editable (the operator chooses the first names to send);
  F2 calls INSi;
- "calling": the search runs in a thread worker (group "insi", exclusive) in the clinic's three
  phases: `Clinic.plan_insi_search` and `Clinic.record_insi_exchange` under the app's clinic
  lock, the network exchange (`plan.exchange(progress)`) outside it, so that the other screens
  keep working while INSi is slow or unreachable; a progress line says which attempt is under
  way ("tentative 2/3 : prénom PIERRE"); F8 or Escape stops waiting (the call may still reach
  INSi: it is then logged all the same, nothing is applied);
- "result": 00 -> the local traits next to the INSi traits, every difference marked (≠), the INS
  and its nature (NIR / NIA from the OID; the digits only when accepting gives "Identité
  qualifiée"), F4 accept (after a confirmation naming the resulting status) or F6 refuse; a
  collision blocks accepting and names the other record (F7 opens it); 01 / 02 / faults -> the
  service's message, what to do, and the form again for a retry (F2).

What it shares with the verification screen (`screens/verify_ins.py`: the layout, the call in a
worker, its progress, the readiness and keyring, the comparison, the collision, accept /
refuse) is in `insterm.tui.insi_call.InsiCallScreen`; this module adds the form (first names,
birth place) and the words of a search's result. F3 opens that screen for the same identity.

Every decision is one clinic call: `Clinic.apply_insi_outcome(actor, id, report.identity_version,
report, accepted=...)`; the screen then closes and the record screen below shows the new state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from insterm.datasets import place_name
from insterm.domain.errors import InstermError
from insterm.domain.nir import grouped
from insterm.domain.traits import SEX_LABELS
from insterm.tui.insi_call import InsiCallScreen
from insterm.tui.widgets.field_message import FieldMessage
from insterm.tui.widgets.insi_result import CODE_TITLES, attempts_text, error_title
from insterm.tui.widgets.place_input import PlaceField, load_place_index
from insterm.tui.widgets.traits_comparison import legend

if TYPE_CHECKING:
    from insterm.domain.places import PlaceIndex
    from insterm.insi.request import TraitsQuery
    from insterm.store.identities import IdentityRecord
    from insterm.usecases.insi_calls import InsiSearchReport


class QualifyScreen(InsiCallScreen):
    TITLE = "Qualification INSi"
    HELP = (
        "Qualification par le téléservice INSi : recherche de l'INS du patient à partir de ses "
        "traits stricts, comparaison des traits INSi avec ceux du dossier, puis décision.\n"
        "Avant l'appel, l'écran dit ce qui empêcherait l'appel et quoi faire (certificat, "
        "trousseau à ouvrir avec son mot de passe maître, identité douteuse ou fictive...). "
        "Vous pouvez choisir les prénoms envoyés (dans l'ordre, séparés par une espace) et "
        "ajouter le lieu de naissance (code COG à 5 caractères, 99xxx pour un pays).\n"
        "F2 appelle INSi (ou relance). Pendant l'appel, F8 ou Échap arrête d'attendre : l'appel "
        "peut quand même être reçu et enregistré, rien n'est appliqué au dossier.\n"
        "Réponse 00 : chaque trait différent est marqué ≠ (ou !=). F4 accepte : les traits INSi "
        "remplacent les traits du dossier tels quels et l'INS est rattaché (identité récupérée, "
        "ou qualifiée si une pièce d'identité a été contrôlée), après confirmation. F6 refuse : "
        "rien ne change, l'appel reste enregistré. Si l'INS appartient déjà à un autre dossier "
        "(collision), accepter est impossible : F7 ouvre l'autre dossier.\n"
        "Réponse 01 (aucune identité) : essayez d'autres prénoms ou tous les prénoms de "
        "naissance, ajoutez le lieu de naissance, puis F2. Réponse 02 (plusieurs identités) : "
        "ajoutez le lieu de naissance et tous les prénoms, puis F2.\n"
        "F3 : vérifier plutôt un INS reçu d'ailleurs (courrier, logiciel d'un confrère, "
        "datamatrix INS) auprès d'INSi."
    )
    PREFIX = "qualify"
    TYPED_LOST = ("Les prénoms ou le lieu de naissance saisis pour l'appel INSi seront perdus "
                  "(le dossier n'est pas modifié par cette saisie).")
    DEFAULT_CSS = """
    QualifyScreen #qualify-form { height: auto; margin-top: 1; display: none; }
    QualifyScreen .qualify-block { height: auto; padding: 0 1; }
    QualifyScreen .qualify-row { height: auto; margin-top: 1; }
    QualifyScreen .qualify-label { width: 21; padding: 0 0 0 1; }
    QualifyScreen .qualify-row Input { width: 1fr; }
    QualifyScreen .qualify-row Input:focus { background: $accent 25%; }
    QualifyScreen #field-qualify_birth_place { padding: 1 0 0 1; }
    QualifyScreen #field-qualify_birth_place .trait-label { width: 20; color: $text; }
    QualifyScreen #field-qualify_birth_place PlaceDropdown { margin-left: 20; }
    QualifyScreen #qualify-place-name { width: 1fr; padding: 0 1 0 22; color: $text-muted; }
    QualifyScreen .qualify-error { color: $error; padding: 0 1 0 22; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="qualify.back"),
        Binding("f2", "call", "Appeler INSi", id="qualify.call"),
        Binding("f3", "verify", "INS reçu", id="qualify.verify"),
        Binding("f4", "accept", "Accepter", id="qualify.accept"),
        Binding("f6", "refuse", "Refuser", id="qualify.refuse"),
        Binding("f7", "open_other", "Autre dossier", id="qualify.open_other"),
        Binding("f8", "stop_waiting", "Ne plus attendre", id="qualify.stop"),
    ]

    def __init__(self, identity_id: int) -> None:
        super().__init__(identity_id)
        self._plan: list[str] = []
        self._defaults = ("", "")

    # ------------------------------------------------------------------ layout

    def compose_form(self) -> ComposeResult:
        yield Static("", id="qualify-sent", classes="qualify-block", markup=False)
        with Horizontal(classes="qualify-row"):
            yield Label("Prénoms à envoyer", classes="qualify-label")
            yield Input(id="qualify-first-names", max_length=120, compact=True,
                        placeholder="prénoms de naissance, dans l'ordre")
        yield FieldMessage("", id="qualify-first-names-error", classes="qualify-error",
                           markup=False)
        # the same field as the identity form: a commune or country picked by name in a list
        yield PlaceField("qualify_birth_place", "Lieu de naissance",
                         placeholder="commune, pays ou code", input_id="qualify-birth-place")
        yield Label("", id="qualify-place-name")
        yield FieldMessage("", id="qualify-birth-place-error", classes="qualify-error",
                           markup=False)

    def on_mount(self) -> None:
        self.run_in_thread(load_place_index, done=self._places_ready, group="places",
                           doing="le chargement de la table des lieux de naissance")

    def _places_ready(self, places: PlaceIndex) -> None:
        field = self.query_one(PlaceField)
        field.places = places
        field.refresh_list()

    @on(PlaceField.Picked)
    def _place_picked(self, event: PlaceField.Picked) -> None:
        event.stop()  # the code is in the field; F2 (or Enter again) calls INSi

    # ------------------------------------------------------------------ prepare

    def _prepared(self, record: IdentityRecord, first_load: bool) -> None:
        if first_load:
            self._defaults = (record.first_names, record.birth_place or "")
            self.query_one("#qualify-first-names", Input).value = record.first_names
            self.query_one("#qualify-birth-place", Input).value = record.birth_place or ""

    def _show_record(self, record: IdentityRecord) -> None:
        super()._show_record(record)
        born = record.birth_date.strftime("%d/%m/%Y")
        sex = SEX_LABELS.get(record.sex, record.sex)
        self.query_one("#qualify-sent", Static).update(
            f"Envoyé à INSi : {record.birth_name}, {sex}, né(e) le {born}, avec :")

    def _enter_prepare(self) -> None:
        super()._enter_prepare()
        form = self.form
        form.display = not self._blocked_by_identity()
        if form.display and not self.readiness_panel.keyring_shown:
            self.query_one("#qualify-first-names", Input).focus()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        super()._set_inputs_enabled(enabled)
        for widget_id in ("#qualify-first-names", "#qualify-birth-place"):
            self.query_one(widget_id, Input).disabled = not enabled

    @on(Input.Changed, "#qualify-birth-place")
    def _birth_place_typed(self, event: Input.Changed) -> None:
        value = event.value.strip().upper()  # a code ("2a004" is 2A004), or a name to look up
        self.query_one("#qualify-birth-place-error", FieldMessage).say("")
        shown = place_name(value) if len(value) == 5 else None
        self.query_one("#qualify-place-name", Label).update(shown or "")
        if shown:
            self._names[value] = shown

    @on(Input.Changed, "#qualify-first-names")
    def _first_names_typed(self) -> None:
        self.query_one("#qualify-first-names-error", FieldMessage).say("")

    @on(Input.Submitted, "#qualify-first-names, #qualify-birth-place")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_call()

    # ------------------------------------------------------------------ the call

    def _form_values(self) -> tuple[str, str | None] | None:
        """(first names, birth place) to send, or None after showing what is wrong."""
        from insterm.insi.errors import InsiRefused
        from insterm.insi.request import TraitsQuery, check_traits_query

        record = self.record
        assert record is not None
        first_names = " ".join(self.query_one("#qualify-first-names", Input).value.upper()
                               .split())
        place = self.query_one("#qualify-birth-place", Input).value.strip().upper() or None
        errors = {"first_names": self.query_one("#qualify-first-names-error", FieldMessage),
                  "birth_place": self.query_one("#qualify-birth-place-error", FieldMessage)}
        for label in errors.values():
            label.say("")
        if place is None and record.birth_place:
            errors["birth_place"].say(
                f"Le lieu de naissance du dossier ({record.birth_place}) est toujours envoyé : "
                "pour le changer, modifiez l'identité (F2 sur la fiche patient).")
            self.query_one("#qualify-birth-place", Input).focus()
            return None
        query = TraitsQuery(record.birth_name, tuple(first_names.split()), record.sex,
                            record.birth_date, place)
        try:
            check_traits_query(query)
        except InsiRefused as refused:
            field = refused.field or ""
            target = errors.get(field)
            if target is None:
                self.insterm.report_error(refused)
            else:
                target.say(str(refused))
                self.query_one(f"#qualify-{field.replace('_', '-')}", Input).focus()
            return None
        self._plan = self._first_name_plan(query)
        return first_names, place

    @staticmethod
    def _first_name_plan(query: TraitsQuery) -> list[str]:
        from insterm.insi.request import first_name_plan

        return first_name_plan(query)

    def action_call(self) -> None:
        if not self.check_action("call", ()):
            return
        values = self._form_values()
        if values is None:
            return
        first_names, place = values
        record = self.record
        assert record is not None
        # None = the record's own value: the clinic then sends exactly what the record holds.
        send_names = None if first_names == record.first_names else first_names
        send_place = None if place == record.birth_place else place
        identity_id = self.identity_id
        app = self.insterm
        self._start_call(lambda clinic: clinic.plan_insi_search(
            app.actor, identity_id, first_names=send_names, birth_place=send_place),
            places=(place,))

    def _progress_text(self) -> str:
        if self._attempt is not None:
            number, total, sent = self._attempt
            what = f"tentative {number}/{total} : prénom {sent}"
        elif len(self._plan) > 1:
            what = (f"jusqu'à {len(self._plan)} tentatives, prénoms : "
                    + " ; ".join(self._plan))
        else:
            what = f"prénom {self._plan[0]}" if self._plan else ""
        return f"Appel INSi en cours… {what}"

    # ------------------------------------------------------------------ the result

    def _show_report(self, report: InsiSearchReport) -> None:
        error = report.error
        text = Text()
        if error is not None:
            text.append(error_title(report) + "\n", style="bold red")
            text.append(report.message_fr, style="not bold")
        else:
            text.append(CODE_TITLES.get(report.code, f"Réponse INSi {report.code}."))
        attempts = attempts_text(report)
        if attempts:
            text.append("\n" + attempts, style="not bold dim")
        for note in getattr(report.outcome, "notes", ()) or ():
            text.append("\n" + note, style="not bold")
        self.call_result.show_outcome(text)

        if report.found:
            self._show_found(report)
            self.form.display = False
            self.body.focus()
        else:
            self.form.display = not self._blocked_by_identity()
            self._set_inputs_enabled(True)
            refused_field = (error.field if isinstance(error, InstermError) and not report.sent
                             else None)
            if refused_field in ("first_names", "birth_place"):
                self.query_one(f"#qualify-{refused_field.replace('_', '-')}-error",
                               FieldMessage).say(str(error))
            if report.needs_master_password:
                self._show_readiness()
            elif report.code == "02":
                self.query_one("#qualify-birth-place", Input).focus()
            else:
                self.query_one("#qualify-first-names", Input).focus()
        # A collision says itself what to do (its block, above the comparison).
        self.call_result.show_guidance("" if report.collision is not None
                                       else self._guidance(report))

    def _guidance(self, report: InsiSearchReport) -> str:
        text = "Que faire : " + report.guidance_fr
        if not report.found and report.error is None and self.record is not None:
            names = self.record.first_names
            typed = self.query_one("#qualify-birth-place", Input).value.strip().upper()
            sent_place = typed or self.record.birth_place
            if sent_place:  # never ask to add a place that was sent
                place = place_name(sent_place) or sent_place
                text += (f" Prénoms de naissance du dossier : {names} ; le lieu de naissance "
                         f"({place}) a été envoyé. Changez ci-dessous les prénoms à envoyer "
                         "(tous, dans l'ordre, ou un autre), ou corrigez le lieu, puis F2.")
            elif report.code == "01":
                text += (f" Prénoms de naissance du dossier : {names}. Changez ci-dessous les "
                         "prénoms à envoyer ou ajoutez le lieu de naissance, puis F2.")
            elif report.code == "02":
                text += (f" Prénoms de naissance du dossier : {names}. Saisissez ci-dessous le "
                         "lieu de naissance, puis F2.")
        elif report.error is not None and report.sent:
            text += " F2 relance l'appel."
        return text

    def _show_found(self, report: InsiSearchReport) -> None:
        self._show_comparison(report)
        differences = [c.label.lower() for c in report.differences]
        ins = Text()
        if differences:
            ins.append(f"{len(differences)} différence(s) : " + ", ".join(differences) + ".\n",
                       style="bold")
            ins.append(legend(ascii=self.ascii) + "\n", style="dim")
        else:
            ins.append("Aucune différence entre les traits du dossier et les traits INSi.\n")
        result = report.result
        active = result.active if result is not None else None
        if result is None or active is None:  # only called for a 00 (report.found)
            return
        nature = active.kind
        preview = report.accept_preview
        resulting = preview.status if preview is not None else None  # None: said when accepting
        ins.append("INS renvoyé : ", style="dim")
        if resulting == "QUAL":
            ins.append(grouped(active.value), style="bold")
            ins.append(f"  {nature} (OID {active.oid})")
        else:
            ins.append(f"{nature} (OID {active.oid})", style="bold")
            ins.append(" ; matricule affiché une fois l'identité qualifiée (pièce d'identité "
                       "contrôlée).")
        if result.history:
            ins.append(f"\nHistorique INSi : {len(result.history)} INS antérieur(s), "
                       "conservé(s) avec le résultat.")
        self.call_result.show_ins(ins)
        self._show_collision(report)

    # ------------------------------------------------------------------ leaving

    def _typed(self) -> bool:
        """First names or birth place typed for the call and not sent yet."""
        if not self.form.display:
            return False
        if self.phase == "result" and self.report is not None and self.report.found:
            return False
        values = (self.query_one("#qualify-first-names", Input).value,
                  self.query_one("#qualify-birth-place", Input).value)
        return values != self._defaults

    def action_verify(self) -> None:
        """F3: verify an INS received from elsewhere for this identity (its own screen)."""
        if self.check_action("verify", ()):
            from insterm.tui.screens.verify_ins import VerifyInsScreen

            self.open_sibling(VerifyInsScreen)

    # ------------------------------------------------------------------ keys and palette

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "call":
            return (self.phase in ("prepare", "result") and self.readiness is not None
                    and self.readiness.ready and not self._blocked_by_identity()
                    and not (self.phase == "result" and self.report is not None
                             and self.report.found))
        if action == "verify":
            return self.phase in ("prepare", "result") and not self._pending_decision()
        return super().check_action(action, parameters)

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        commands: list[tuple[str, str, Callable[[], object]]] = []
        if self.check_action("call", ()):
            commands.append(("Appeler INSi", "Rechercher l'INS par les traits (F2)",
                             self.action_call))
        if self.check_action("verify", ()):
            commands.append(("Vérifier un INS reçu",
                             "Reçu par courrier, d'un autre logiciel, en datamatrix (F3)",
                             self.action_verify))
        return commands + self.decision_commands()
