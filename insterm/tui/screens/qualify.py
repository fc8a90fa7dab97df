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

Every decision is one clinic call: `Clinic.apply_insi_outcome(actor, id, report.identity_version,
report, accepted=...)`; the screen then closes and the record screen below shows the new state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Label, Static

from insterm.datasets import place_name
from insterm.domain.traits import SEX_LABELS
from insterm.tui.screens.base import InstermScreen
from insterm.tui.widgets.attribute_badges import AttributeBadges
from insterm.tui.widgets.status_badge import StatusBadge
from insterm.tui.widgets.traits_comparison import (
    DIFFERENT,
    EQUIVALENT,
    IDENTICAL,
    ComparisonRow,
    TraitsComparison,
    legend,
)

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.worker import Worker

    from insterm.store.identities import IdentityRecord


CODE_TITLES = {
    "00": "Réponse INSi 00 : une identité trouvée.",
    "01": "Réponse INSi 01 : aucune identité trouvée.",
    "02": "Réponse INSi 02 : plusieurs identités trouvées.",
}

CANCELLED_NOTICE = (
    "Appel abandonné : l'écran n'attend plus la réponse. Si le téléservice a déjà reçu la "
    "demande, l'appel sera quand même enregistré dans le journal du patient ; le dossier, lui, "
    "ne change pas. Vous pouvez relancer l'appel (F2) ou revenir (Échap)."
)


@dataclass(frozen=True)
class Prepared:
    """What the "prepare" phase shows, read in one worker call."""

    record: IdentityRecord
    readiness: Any  # insterm.usecases.settings.InsiReadiness
    place_name: str | None


@dataclass(frozen=True)
class Called:
    """What a call gave: the report, the record as it is now, the birth place names."""

    report: Any  # insterm.usecases.insi_calls.InsiSearchReport
    record: IdentityRecord
    place_names: dict[str, str]


class FieldMessage(Static):
    """The French message under a field; takes no room when there is nothing to say."""

    def say(self, text: str) -> None:
        self.update(text)
        self.display = bool(text)


def format_place(code: str | None, names: dict[str, str]) -> str:
    if not code:
        return ""
    name = names.get(code)
    return f"{name} ({code})" if name else code


def format_date(value: str | None) -> str:
    if not value:
        return ""
    year, _, rest = value.partition("-")
    month, _, day = rest.partition("-")
    return f"{day}/{month}/{year}" if day else value


def format_matricule(value: str) -> str:
    """"2 97 02 2A 020 778 78": sex, year, month, department, commune, order, key."""
    if len(value) != 15:
        return value
    return (f"{value[0]} {value[1:3]} {value[3:5]} {value[5:7]} {value[7:10]} {value[10:13]} "
            f"{value[13:]}")


def comparison_rows(report: Any, names: dict[str, str]) -> list[ComparisonRow]:
    """The report's trait-by-trait comparison, formatted for `TraitsComparison`."""
    rows = []
    for item in report.comparison:
        local, insi = item.local or "", item.insi or ""
        if item.field == "birth_date":
            local, insi = format_date(local), format_date(insi)
        elif item.field == "sex":
            local = f"{local} ({SEX_LABELS[local]})" if local in SEX_LABELS else local
            insi = f"{insi} ({SEX_LABELS[insi]})" if insi in SEX_LABELS else insi
        elif item.field == "birth_place":
            local, insi = format_place(item.local, names), format_place(item.insi, names)
        state = IDENTICAL if item.identical else EQUIVALENT if item.equal else DIFFERENT
        rows.append(ComparisonRow(item.label, local, insi, state))
    return rows


def attempts_text(report: Any) -> str:
    parts = []
    for attempt in report.attempts:
        if attempt.result is not None:
            code = attempt.result.code
        else:
            code = {"InsiFault": "erreur du service", "InsiTransportError": "sans réponse"}.get(
                type(attempt.error).__name__, "réponse inutilisable")
        parts.append(f"{attempt.sent_first_names or '?'} ({code})")
    if not parts:
        return ""
    word = "Tentative envoyée" if len(parts) == 1 else "Tentatives envoyées"
    return f"{word} (prénoms : réponse) : " + ", ".join(parts) + ". Appel enregistré."


class QualifyScreen(InstermScreen):
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
        "ajoutez le lieu de naissance et tous les prénoms, puis F2."
    )
    SCOPED_CSS = False  # every rule names QualifyScreen; the ASCII rule starts with App.-ascii
    DEFAULT_CSS = """
    QualifyScreen #qualify-top { height: 1; padding: 0 1; }
    QualifyScreen #qualify-title { width: 1fr; text-style: bold; }
    QualifyScreen #qualify-body { height: 1fr; }
    QualifyScreen .qualify-block { height: auto; padding: 0 1; }
    QualifyScreen #qualify-readiness { margin-bottom: 1; }
    QualifyScreen #qualify-progress { color: $accent; text-style: bold; margin-bottom: 1; }
    QualifyScreen #qualify-notice { color: $warning; margin-bottom: 1; }
    QualifyScreen #qualify-outcome { text-style: bold; }
    QualifyScreen #qualify-collision {
        border: heavy $error; color: $error; text-style: bold; padding: 0 1; margin: 0 1;
    }
    App.-ascii QualifyScreen #qualify-collision { border: ascii $error; }
    QualifyScreen #qualify-guidance { margin-top: 1; }
    QualifyScreen .qualify-row { height: auto; }
    QualifyScreen .qualify-label { width: 21; padding: 1 0 0 1; }
    QualifyScreen .qualify-row Input { width: 1fr; }
    QualifyScreen #qualify-birth-place { width: 11; }
    QualifyScreen #qualify-place-name { width: 1fr; padding: 1 1 0 1; color: $text-muted; }
    QualifyScreen .qualify-error { color: $error; padding: 0 1 0 22; height: auto; }
    QualifyScreen #qualify-keyring { height: auto; }
    QualifyScreen #qualify-form { height: auto; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[Binding]] = [
        Binding("escape", "back", "Retour", id="qualify.back"),
        Binding("f2", "call", "Appeler INSi", id="qualify.call"),
        Binding("f4", "accept", "Accepter", id="qualify.accept"),
        Binding("f6", "refuse", "Refuser", id="qualify.refuse"),
        Binding("f7", "open_other", "Autre dossier", id="qualify.open_other"),
        Binding("f8", "stop_waiting", "Ne plus attendre", id="qualify.stop"),
    ]

    def __init__(self, identity_id: int) -> None:
        super().__init__()
        self.identity_id = identity_id
        self.phase = "loading"
        self.record: IdentityRecord | None = None
        self.readiness: Any = None
        self.report: Any = None
        self.call_record: IdentityRecord | None = None
        self.decided = False
        self._insi_worker: Worker | None = None
        self._started = 0.0
        self._timer: Timer | None = None
        self._plan: list[str] = []
        self._attempt: tuple[int, int, str] | None = None
        self._defaults = ("", "")
        self._names: dict[str, str] = {}

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Horizontal(id="qualify-top"):
            yield Label("Chargement…", id="qualify-title")
            yield StatusBadge("PROV", id="qualify-status")
            yield AttributeBadges((), id="qualify-attributes")
        with VerticalScroll(id="qualify-body"):
            yield Static("", id="qualify-readiness", classes="qualify-block", markup=False)
            with Vertical(id="qualify-keyring"):
                with Horizontal(classes="qualify-row"):
                    yield Label("Mot de passe maître", classes="qualify-label")
                    yield Input(password=True, id="qualify-master",
                                placeholder="mot de passe du trousseau, puis Entrée")
                yield FieldMessage("", id="qualify-master-error", classes="qualify-error",
                             markup=False)
            yield Static("", id="qualify-progress", classes="qualify-block", markup=False)
            yield Static("", id="qualify-notice", classes="qualify-block", markup=False)
            yield Static("", id="qualify-outcome", classes="qualify-block", markup=False)
            yield Static("", id="qualify-collision", markup=False)
            yield TraitsComparison(id="qualify-comparison")
            yield Static("", id="qualify-ins", classes="qualify-block", markup=False)
            yield Static("", id="qualify-guidance", classes="qualify-block", markup=False)
            with Vertical(id="qualify-form"):
                yield Static("", id="qualify-sent", classes="qualify-block", markup=False)
                with Horizontal(classes="qualify-row"):
                    yield Label("Prénoms à envoyer", classes="qualify-label")
                    yield Input(id="qualify-first-names", max_length=120,
                                placeholder="prénoms de naissance, dans l'ordre")
                yield FieldMessage("", id="qualify-first-names-error", classes="qualify-error",
                             markup=False)
                with Horizontal(classes="qualify-row"):
                    yield Label("Lieu de naissance", classes="qualify-label")
                    yield Input(id="qualify-birth-place", max_length=5,
                                restrict=r"[0-9A-Za-z]*", placeholder="COG")
                    yield Label("", id="qualify-place-name")
                yield FieldMessage("", id="qualify-birth-place-error", classes="qualify-error",
                             markup=False)
        yield Footer(compact=True)

    @property
    def ascii(self) -> bool:
        look = getattr(self.app, "look", None)
        return bool(getattr(look, "ascii", False))

    def on_mount(self) -> None:
        for widget_id in ("#qualify-master-error", "#qualify-first-names-error",
                          "#qualify-birth-place-error", "#qualify-keyring", "#qualify-progress",
                          "#qualify-notice", "#qualify-outcome", "#qualify-comparison",
                          "#qualify-ins", "#qualify-collision", "#qualify-guidance",
                          "#qualify-form"):
            self.query_one(widget_id).display = False
        self.load()

    def on_screen_resume(self) -> None:
        # Back from the other record or from the settings: what was missing may be there now.
        if self.phase == "prepare" and self.record is not None:
            self.load()

    # ------------------------------------------------------------------ prepare

    def load(self) -> None:
        identity_id = self.identity_id

        def read(clinic: Any) -> Prepared:
            record = clinic.get(identity_id)
            readiness = clinic.insi_readiness(identity_id)
            place_name("99100")  # loads the place table here, not on the UI thread later
            return Prepared(record, readiness, place_name(record.birth_place))

        self.run_clinic(read, done=self._prepared, group="qualify-load", exclusive=True,
                        doing="la préparation de l'appel INSi")

    def _prepared(self, prepared: Prepared) -> None:
        first_load = self.record is None
        self.readiness = prepared.readiness
        self._show_record(prepared.record)
        if prepared.place_name and prepared.record.birth_place:
            self._names[prepared.record.birth_place] = prepared.place_name
        if first_load:
            record = prepared.record
            self._defaults = (record.first_names, record.birth_place or "")
            self.query_one("#qualify-first-names", Input).value = record.first_names
            self.query_one("#qualify-birth-place", Input).value = record.birth_place or ""
        if self.phase in ("loading", "prepare"):
            self._enter_prepare()
        elif self.phase == "result":
            self._show_readiness()

    def _show_record(self, record: IdentityRecord) -> None:
        self.record = record
        first = record.used_first_name or record.first_name
        self.query_one("#qualify-title", Label).update(
            f"{record.birth_name} {first} — IPP {record.ipp}")
        self.query_one("#qualify-status", StatusBadge).status = record.status
        self.query_one("#qualify-attributes", AttributeBadges).attributes = record.attributes
        self.sub_title = f"{record.birth_name} {first}"
        born = record.birth_date.strftime("%d/%m/%Y")
        sex = SEX_LABELS.get(record.sex, record.sex)
        self.query_one("#qualify-sent", Static).update(
            f"Envoyé à INSi : {record.birth_name}, {sex}, né(e) le {born}, avec :")

    def _blocked_by_identity(self) -> bool:
        readiness = self.readiness
        return readiness is not None and any(
            item.code.startswith("identity_") for item in readiness.blocking)

    def _show_readiness(self) -> None:
        readiness = self.readiness
        block = self.query_one("#qualify-readiness", Static)
        keyring = self.query_one("#qualify-keyring")
        if readiness is None:
            block.update("")
            keyring.display = False
            return
        # After a call, the readiness line is noise unless something is wrong.
        block.display = self.phase != "result" or not readiness.ready or bool(readiness.warnings)
        cross, bang = ("x", "!") if self.ascii else ("✗", "!")
        text = Text()
        if readiness.ready:
            text.append("Prêt pour l'appel INSi", style="bold green")
        elif self._blocked_by_identity():
            text.append("INSi interdit pour cette identité", style="bold red")
        else:
            text.append("Appel INSi impossible pour le moment", style="bold red")
        text.append(f" — environnement : {readiness.environment_label}")
        for item in readiness.blocking:
            text.append(f"\n{cross} ", style="bold red")
            text.append(item.message)
        for item in readiness.warnings:
            text.append(f"\n{bang} ", style="bold yellow")
            text.append(item.message)
        block.update(text)
        needs_password = bool(readiness.needs_master_password) or bool(
            self.report is not None and getattr(self.report, "needs_master_password", False))
        keyring.display = needs_password
        if needs_password and self.phase in ("prepare", "result"):
            self.query_one("#qualify-master", Input).focus()

    def _enter_prepare(self) -> None:
        self.phase = "prepare"
        self._show_readiness()
        form = self.query_one("#qualify-form")
        form.display = not self._blocked_by_identity()
        self._set_inputs_enabled(True)
        if form.display and not self.query_one("#qualify-keyring").display:
            self.query_one("#qualify-first-names", Input).focus()
        self.refresh_bindings()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget_id in ("#qualify-first-names", "#qualify-birth-place", "#qualify-master"):
            self.query_one(widget_id, Input).disabled = not enabled

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "qualify-birth-place":
            value = event.value.upper()
            if value != event.value:
                event.input.value = value
                return
            self.query_one("#qualify-birth-place-error", FieldMessage).say("")
            shown = place_name(value) if len(value) == 5 else None
            self.query_one("#qualify-place-name", Label).update(shown or "")
            if shown:
                self._names[value] = shown
        elif event.input.id == "qualify-first-names":
            self.query_one("#qualify-first-names-error", FieldMessage).say("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "qualify-master":
            self._unlock(event.value)
        else:
            self.action_call()

    # ------------------------------------------------------------------ keyring

    def _unlock(self, password: str) -> None:
        field = self.query_one("#qualify-master", Input)
        error = self.query_one("#qualify-master-error", FieldMessage)
        if not password:
            error.say("Saisissez le mot de passe maître du trousseau, puis Entrée.")
            return
        field.value = ""  # never kept on screen longer than needed
        error.say("Ouverture du trousseau…")

        def failed(problem: BaseException) -> None:
            from insterm.secrets import SecretsError
            from insterm.tui.errors import french_message

            message = (str(problem) if isinstance(problem, SecretsError) and str(problem).strip()
                       else french_message(problem, doing="l'ouverture du trousseau"))
            error.say(message)
            field.focus()

        def opened(_status: Any) -> None:
            error.say("")
            self.notify("Trousseau ouvert.", timeout=4)
            if self.report is not None and getattr(self.report, "needs_master_password", False):
                self.report = None
                self._clear_result()
                self.phase = "prepare"
            self.load()

        self.run_clinic(lambda clinic: clinic.open_keyring(password), done=opened,
                        failed=failed, doing="l'ouverture du trousseau")

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
            target = errors.get(refused.field or "")
            if target is None:
                self.insterm.report_error(refused)
            else:
                target.say(str(refused))
                self.query_one(f"#qualify-{refused.field.replace('_', '-')}", Input).focus()
            return None
        self._plan = self._first_name_plan(query)
        return first_names, place

    @staticmethod
    def _first_name_plan(query: Any) -> list[str]:
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
        screen = self

        def progress(number: int, total: int, sent: str) -> None:
            from textual.worker import get_current_worker

            if not get_current_worker().is_cancelled:
                app.call_from_thread(screen._on_attempt, number, total, sent)

        def call() -> Called | None:
            from textual.worker import get_current_worker

            # The clinic lock for the short database phases only, not for the network wait.
            plan = app.call_clinic(lambda clinic: clinic.plan_insi_search(
                app.actor, identity_id, first_names=send_names, birth_place=send_place))
            if get_current_worker().is_cancelled:  # stopped before anything was sent
                return None
            exchange = plan.exchange(progress)

            def log_exchange(clinic: Any) -> tuple[Any, IdentityRecord]:
                return clinic.record_insi_exchange(exchange), clinic.get(identity_id)

            report, record_now = app.call_clinic(log_exchange)
            names = {}
            for code in {record_now.birth_place, report.result and report.result.traits
                         and report.result.traits.birth_place, place}:
                if isinstance(code, str) and (name := place_name(code)):
                    names[code] = name
            return Called(report, record_now, names)

        self._clear_result()
        self.phase = "calling"
        self._attempt = None
        self._started = time.monotonic()
        self._set_inputs_enabled(False)
        self.query_one("#qualify-keyring").display = False
        progress_line = self.query_one("#qualify-progress", Static)
        progress_line.display = True
        self._tick()
        self._timer = self.set_interval(1.0, self._tick)
        self.query_one("#qualify-body").focus()
        self.refresh_bindings()
        self._insi_worker = self.run_in_thread(
            call, done=self._called, failed=self._call_failed, group="insi", exclusive=True,
            doing="l'appel au téléservice INSi")

    def _on_attempt(self, number: int, total: int, sent: str) -> None:
        if self.phase == "calling":
            self._attempt = (number, total, sent)
            self._tick()

    def _tick(self) -> None:
        if self.phase != "calling":
            return
        seconds = int(time.monotonic() - self._started)
        if self._attempt is not None:
            number, total, sent = self._attempt
            what = f"tentative {number}/{total} : prénom {sent}"
        elif len(self._plan) > 1:
            what = (f"jusqu'à {len(self._plan)} tentatives, prénoms : "
                    + " ; ".join(self._plan))
        else:
            what = f"prénom {self._plan[0]}" if self._plan else ""
        self.query_one("#qualify-progress", Static).update(
            f"Appel INSi en cours… {what} ({seconds} s). F8 ou Échap : ne plus attendre.")

    def _stop_progress(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.query_one("#qualify-progress", Static).display = False

    def action_stop_waiting(self) -> None:
        if self.phase != "calling":
            return
        if self._insi_worker is not None:
            self._insi_worker.cancel()
        self._insi_worker = None
        self._stop_progress()
        notice = self.query_one("#qualify-notice", Static)
        notice.update(CANCELLED_NOTICE)
        notice.display = True
        self._enter_prepare()

    def _call_failed(self, error: BaseException) -> None:
        self._insi_worker = None
        self._stop_progress()
        self._enter_prepare()
        self.insterm.report_error(error, doing="l'appel au téléservice INSi")

    # ------------------------------------------------------------------ the result

    def _clear_result(self) -> None:
        for widget_id in ("#qualify-notice", "#qualify-outcome", "#qualify-ins",
                          "#qualify-collision", "#qualify-guidance"):
            widget = self.query_one(widget_id, Static)
            widget.update("")
            widget.display = False
        comparison = self.query_one("#qualify-comparison", TraitsComparison)
        comparison.show(())
        comparison.display = False

    def _called(self, called: Called) -> None:
        self._insi_worker = None
        self._stop_progress()
        self.report = called.report
        self.call_record = called.record
        self.decided = False
        self._names.update(called.place_names)
        self._show_record(called.record)
        self.phase = "result"
        self._show_readiness()
        self._show_report(called.report)
        if not called.report.sent:  # refused before sending: what is missing may have changed
            self.load()

    def _show_report(self, report: Any) -> None:
        outcome = self.query_one("#qualify-outcome", Static)
        outcome.display = True
        guidance = self.query_one("#qualify-guidance", Static)
        error = report.error
        text = Text()
        if error is not None:
            kind = type(error).__name__
            title = {
                "InsiFault": "Le téléservice INSi a répondu par une erreur.",
                "InsiTransportError": "Le téléservice INSi est injoignable.",
                "InsiReplyError": "La réponse du téléservice INSi est inutilisable.",
                "InsiKeyMismatch": "La réponse du téléservice INSi est inutilisable.",
            }.get(kind, "Appel INSi non envoyé." if not report.sent else "Appel INSi en échec.")
            text.append(title + "\n", style="bold red")
            text.append(report.message_fr, style="not bold")
        else:
            text.append(CODE_TITLES.get(report.code, f"Réponse INSi {report.code}."))
        attempts = attempts_text(report)
        if attempts:
            text.append("\n" + attempts, style="not bold dim")
        for note in getattr(report.outcome, "notes", ()) or ():
            text.append("\n" + note, style="not bold")
        outcome.update(text)

        if report.found:
            self._show_found(report)
            self.query_one("#qualify-form").display = False
            self.query_one("#qualify-body").focus()
        else:
            self.query_one("#qualify-form").display = not self._blocked_by_identity()
            self._set_inputs_enabled(True)
            refused_field = getattr(error, "field", None) if not report.sent else None
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
        guidance.update("" if report.collision is not None else self._guidance(report))
        guidance.display = report.collision is None
        self.refresh_bindings()

    def _guidance(self, report: Any) -> str:
        text = "Que faire : " + report.guidance_fr
        if not report.found and report.error is None and self.record is not None:
            names = self.record.first_names
            if report.code == "01":
                text += (f" Prénoms de naissance du dossier : {names}. Changez ci-dessous les "
                         "prénoms à envoyer ou ajoutez le lieu de naissance, puis F2.")
            elif report.code == "02":
                text += (f" Prénoms de naissance du dossier : {names}. Saisissez ci-dessous le "
                         "lieu de naissance, puis F2.")
        elif report.error is not None and report.sent:
            text += " F2 relance l'appel."
        return text

    def _show_found(self, report: Any) -> None:
        comparison = self.query_one("#qualify-comparison", TraitsComparison)
        comparison.show(comparison_rows(report, self._names), ascii=self.ascii)
        comparison.display = True
        differences = [c.label.lower() for c in report.differences]
        ins = Text()
        if differences:
            ins.append(f"{len(differences)} différence(s) : " + ", ".join(differences) + ".\n",
                       style="bold")
            ins.append(legend(ascii=self.ascii) + "\n", style="dim")
        else:
            ins.append("Aucune différence entre les traits du dossier et les traits INSi.\n")
        active = report.result.active
        nature = active.kind
        preview = report.accept_preview
        resulting = preview.status if preview is not None else None  # None: said when accepting
        ins.append("INS renvoyé : ", style="dim")
        if resulting == "QUAL":
            ins.append(format_matricule(active.value), style="bold")
            ins.append(f"  {nature} (OID {active.oid})")
        else:
            ins.append(f"{nature} (OID {active.oid})", style="bold")
            ins.append(" ; matricule affiché une fois l'identité qualifiée (pièce d'identité "
                       "contrôlée).")
        if report.result.history:
            ins.append(f"\nHistorique INSi : {len(report.result.history)} INS antérieur(s), "
                       "conservé(s) avec le résultat.")
        block = self.query_one("#qualify-ins", Static)
        block.update(ins)
        block.display = True
        collision = self.query_one("#qualify-collision", Static)
        if report.collision is not None:
            collision.update(f"{report.collision.message_fr}\nF7 : ouvrir ce dossier "
                             f"(IPP {report.collision.ipp}).")
            collision.display = True
        else:
            collision.display = False

    # ------------------------------------------------------------------ decisions

    def _pending_decision(self) -> bool:
        return (self.phase == "result" and self.report is not None and self.report.found
                and not self.decided)

    def action_accept(self) -> None:
        report, record = self.report, self.call_record
        if not self.check_action("accept", ()) or report is None or record is None:
            return
        if report.collision is not None:
            self.notify(report.collision.message_fr, title="Collision", severity="error",
                        timeout=10)
            return
        preview = report.accept_preview
        if preview is None:
            return
        if not preview.allowed:  # the domain's French refusal
            self.insterm.report_error(preview.refused, doing="l'acceptation du résultat INSi")
            return
        resulting, sentence = preview.status, preview.sentence
        from insterm.domain.status import Status

        label = Status(resulting).label
        replaced = [f"  {c.label} : « {c.local or ''} » -> « {c.insi} »"
                    for c in report.comparison if not c.identical and c.insi]
        text = sentence + "\n\n"
        if replaced:
            text += "Les traits INSi remplaceront ceux du dossier, tels quels :\n" + \
                "\n".join(replaced)
        else:
            text += "Les traits du dossier sont déjà ceux d'INSi : aucun trait ne change."
        text += f"\n\nStatut après acceptation : « {label} »."
        from insterm.tui.screens.confirm import ConfirmModal

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._decide(True)

        self.app.push_screen(ConfirmModal(f"Accepter le résultat INSi : « {label} » ?", text,
                                          "Accepter"), callback=answered)

    def action_refuse(self) -> None:
        if self.check_action("refuse", ()):
            self._decide(False)

    def _decide(self, accepted: bool) -> None:
        report = self.report
        if report is None or self.decided:
            return
        identity_id = self.identity_id
        app = self.insterm

        def call(clinic: Any) -> Any:
            return clinic.apply_insi_outcome(app.actor, identity_id, report.identity_version,
                                             report, accepted=accepted)

        def done(applied: Any) -> None:
            self.decided = True
            if accepted and applied.applied:
                transition = applied.saved.transition
                message = transition.reason if transition is not None else "INS rattaché."
                self.notify(message, title="Résultat INSi accepté", timeout=8)
            else:
                self.notify("Résultat INSi refusé : le dossier n'a pas changé ; l'appel reste "
                            "enregistré dans le journal.", title="Résultat refusé", timeout=8)
            self.dismiss(applied)

        self.run_clinic(call, done=done, group="qualify-decision", exclusive=True,
                        doing=("l'acceptation du résultat INSi" if accepted
                               else "le refus du résultat INSi"))

    def action_open_other(self) -> None:
        report = self.report
        if report is not None and report.collision is not None:
            self.insterm.open_screen("record", identity_id=report.collision.identity_id)

    # ------------------------------------------------------------------ leaving

    def _typed(self) -> bool:
        """First names or birth place typed for the call and not sent yet."""
        if not self.query_one("#qualify-form").display:
            return False
        if self.phase == "result" and self.report is not None and self.report.found:
            return False
        values = (self.query_one("#qualify-first-names", Input).value,
                  self.query_one("#qualify-birth-place", Input).value)
        return values != self._defaults

    def action_back(self) -> None:
        if self.phase == "calling":
            self.action_stop_waiting()
            return
        from insterm.tui.screens.confirm import ConfirmModal

        if self._pending_decision():
            def answered(confirmed: bool | None) -> None:
                if confirmed:
                    self._decide(False)

            self.app.push_screen(ConfirmModal(
                "Revenir sans accepter le résultat INSi ?",
                "Le résultat sera enregistré comme refusé : le dossier ne change pas et l'appel "
                "reste dans le journal. Pour l'accepter, continuez (Échap) puis F4.",
                "Refuser et revenir", discard=True), callback=answered)
            return
        if self._typed():
            def leave(confirmed: bool | None) -> None:
                if confirmed:
                    self.dismiss(None)

            self.app.push_screen(ConfirmModal(
                "Abandonner la saisie ?",
                "Les prénoms ou le lieu de naissance saisis pour l'appel INSi seront perdus "
                "(le dossier n'est pas modifié par cette saisie).", "Abandonner",
                discard=True), callback=leave)
            return
        self.dismiss(None)

    # ------------------------------------------------------------------ keys and palette

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "call":
            return (self.phase in ("prepare", "result") and self.readiness is not None
                    and self.readiness.ready and not self._blocked_by_identity()
                    and not (self.phase == "result" and self.report is not None
                             and self.report.found))
        if action == "refuse":
            return self._pending_decision()
        if action == "accept":  # shown but disabled when blocked (collision)
            if not self._pending_decision():
                return False
            return True if self.report.can_accept else None
        if action == "open_other":
            return (self.phase == "result" and self.report is not None
                    and self.report.collision is not None)
        if action == "stop_waiting":
            return self.phase == "calling"
        return True

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        commands: list[tuple[str, str, Any]] = []
        if self.check_action("call", ()):
            commands.append(("Appeler INSi", "Rechercher l'INS par les traits (F2)",
                             self.action_call))
        if self.check_action("accept", ()):
            commands.append(("Accepter le résultat INSi", "Après confirmation (F4)",
                             self.action_accept))
        if self.check_action("refuse", ()):
            commands.append(("Refuser le résultat INSi", "Rien ne change (F6)",
                             self.action_refuse))
        if self.check_action("open_other", ()):
            commands.append(("Ouvrir l'autre dossier", "Celui qui porte déjà cet INS (F7)",
                             self.action_open_other))
        if self.check_action("stop_waiting", ()):
            commands.append(("Ne plus attendre INSi", "L'appel peut être enregistré (F8)",
                             self.action_stop_waiting))
        return commands
