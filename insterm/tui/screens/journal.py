"""Journal: the audit log, newest first, filtered and paged, and its verification.

`JournalScreen(identity_id=None)` shows `clinic.audit_events(...)` one event a line (number,
when, who, patient, what: `AuditEvent.describe()`), the highlighted event in full below the
list, and Enter opens everything the event recorded (`EventDetailModal`, through
`insterm.store.audit_text.detail_lines`, which masks every matricule: the journal does not know
whether the identity is qualified now).

Filters (applied with Enter in a field, at once for the two lists, or F2): the patient (IPP, or
what the search understands when it finds exactly one patient; preset with `identity_id`), the
operator, the action (the lists hold what the journal contains), and the days since / until
(JJ/MM/AAAA, both included). A bad filter gets a French message under the fields and changes
nothing. Pages of `PAGE_SIZE` events: F7 older, F6 back to newer.

F5 verifies the whole hash chain, every identity against its last event and the chain head
against the head file (`clinic.verify_audit_and_note`, in a worker, as `insterm audit verify`):
"Journal d'audit intact : N événement(s)" with the end fingerprint (noted in the head file), or
the first broken row named, or each identity changed behind the application's back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from insterm.domain.dates import DATE_CHARACTERS, DATE_MAX_LENGTH, DateTextError, parse_date
from insterm.domain.display_name import main_name
from insterm.domain.errors import InstermError
from insterm.store.audit_text import action_label, detail_lines
from insterm.tui.screens.base import InstermModal, InstermScreen

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.store.audit import AuditEvent
    from insterm.store.audit_heads import Verdict
    from insterm.store.identities import IdentityRecord

PAGE_SIZE = 100

COLUMNS = (  # key, header, width: fits 80 columns with cell padding, border and scrollbar
    ("id", "N°", 5),
    ("at", "Quand", 14),
    ("who", "Par", 8),
    ("patient", "Patient", 16),
    ("what", "Événement", 23),  # the action; what it did in full on the line below
)

DATE_FORMAT_HINT = "JJ/MM/AAAA"


class FilterError(InstermError):
    """A filter the operator typed that cannot be used (French `message`, the field's id)."""

    def __init__(self, message: str, field_id: str) -> None:
        super().__init__(message, field=field_id)
        self.field_id = field_id


def parse_day(text: str, field_id: str, label: str) -> date | None:
    """A typed day (`insterm.domain.dates`) -> date; empty -> None; else a French
    `FilterError` for the field."""
    if not text.strip():
        return None
    try:
        return parse_date(text, label=label, field=field_id)
    except DateTextError as refused:
        raise FilterError(refused.message, field_id) from None


@dataclass(frozen=True, slots=True)
class JournalQuery:
    """What the operator asked for; `patient_text` is resolved in the worker when
    `patient_id` is None."""

    patient_id: int | None = None
    patient_text: str = ""
    operator: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class PatientRef:
    id: int
    ipp: str
    name: str


@dataclass(frozen=True, slots=True)
class JournalPage:
    events: tuple[AuditEvent, ...]
    next_before_id: int | None
    patient: PatientRef | None  # the patient filter, resolved
    patients: dict[int, PatientRef] = field(default_factory=dict)  # identity_id -> ref
    operators: dict[str, str] = field(default_factory=dict)  # login -> "Name (login)"
    operator_choices: tuple[tuple[str, str], ...] = ()  # (label, login), for the filter
    action_choices: tuple[tuple[str, str], ...] = ()  # (label, code), for the filter


def _ref(record: IdentityRecord) -> PatientRef:
    return PatientRef(record.id, record.ipp, main_name(record))


def resolve_patient(clinic: Clinic, text: str) -> PatientRef:
    """The one patient `text` designates (an IPP, or a search that finds exactly one)."""
    from insterm.domain.query import QueryError

    try:
        page = clinic.find(text, page_size=2)
    except QueryError as refused:
        raise FilterError(f"Patient : {refused.message}", "journal-patient") from None
    if not page.items:
        raise FilterError(f"Patient : aucun patient ne correspond à « {text.strip()} ». Tapez "
                          "son IPP, ou son nom et sa date de naissance.", "journal-patient")
    if len(page.items) > 1 or page.has_more:
        raise FilterError(f"Patient : plusieurs patients correspondent à « {text.strip()} ». "
                          "Tapez l'IPP, ou ajoutez le prénom et la date de naissance.",
                          "journal-patient")
    return _ref(clinic.get(page.items[0].id))


def load_page(clinic: Clinic, query: JournalQuery, before_id: int | None, *,
              with_choices: bool = False) -> JournalPage:
    """One page of events for `query`, with what the lines need (names, operator labels)."""
    patient = None
    if query.patient_id is not None:
        patient = _ref(clinic.get(query.patient_id))
    elif query.patient_text.strip():
        patient = resolve_patient(clinic, query.patient_text)
    page = clinic.audit_events(identity_id=patient.id if patient else None,
                               operator=query.operator, action=query.action, since=query.since,
                               until=query.until, limit=PAGE_SIZE, before_id=before_id)
    from insterm.store.errors import NotFound

    patients: dict[int, PatientRef] = {}
    for event in page.events:
        if event.identity_id is not None and event.identity_id not in patients:
            try:
                patients[event.identity_id] = _ref(clinic.get(event.identity_id))
            except NotFound:
                patients[event.identity_id] = PatientRef(event.identity_id, "?",
                                                         f"dossier n°{event.identity_id}")
    operators = {o.login: o.label for o in clinic.operators()}
    operator_choices: tuple[tuple[str, str], ...] = ()
    action_choices: tuple[tuple[str, str], ...] = ()
    if with_choices:
        operator_choices = tuple((operators.get(login, login), login)
                                 for login in clinic.audit_operators())
        action_choices = tuple((label, code) for code, label in clinic.audit_actions())
    return JournalPage(tuple(page.events), page.next_before_id, patient, patients, operators,
                       operator_choices, action_choices)


def short_when(stored: str) -> str:
    """"01/06/25 14:03", local time."""
    try:
        return datetime.fromisoformat(stored).astimezone().strftime("%d/%m/%y %H:%M")
    except ValueError:
        return stored


def long_when(stored: str) -> str:
    """"01/06/2025 à 14:03:12", local time."""
    from insterm.store.clock import french_time

    return french_time(stored) or ""


def event_line(event: AuditEvent, page: JournalPage) -> Text:
    """The event: number, when, who, patient; then what happened (wrapped, never cut)."""
    who = page.operators.get(event.operator or "", event.operator or "système")
    patient = page.patients.get(event.identity_id) if event.identity_id is not None else None
    about = f" — {patient.name}, IPP {patient.ipp}" if patient else ""
    text = Text()
    text.append(f"N°{event.id} — {long_when(event.at)} — {who}{about}", style="dim")
    text.append("\n" + event.describe())
    return text


class EventDetailModal(InstermModal[None]):
    """Everything one audit event recorded; Escape or Enter closes."""

    HELP = ("Détail d'un événement du journal : qui, quand, quoi, et les données enregistrées "
            "telles quelles (le matricule INS est toujours masqué). Échap, Entrée ou F2 ferme.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f2", "close", "Fermer", id="journal.detail_close"),
        Binding("enter", "close", "Fermer", id="journal.detail_close_enter", show=False),
    ]
    DEFAULT_CSS = """
    EventDetailModal { align: center middle; }
    EventDetailModal > Vertical {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    EventDetailModal .detail-title { text-style: bold; width: 100%; }
    EventDetailModal VerticalScroll { height: auto; max-height: 18; }
    EventDetailModal .detail-keys { color: $text-muted; }
    """

    def __init__(self, event: AuditEvent, page: JournalPage) -> None:
        super().__init__()
        self.event = event
        self.page = page

    def compose(self) -> ComposeResult:
        event, page = self.event, self.page
        who = page.operators.get(event.operator or "", event.operator or "système")
        patient = page.patients.get(event.identity_id) if event.identity_id is not None else None
        text = Text()
        rows = [
            ("Quand", long_when(event.at)),
            ("Qui", who),
            ("Action", event.action_label),
            ("Patient", f"{patient.name}, IPP {patient.ipp} (dossier n°{patient.id})"
             if patient else "aucun (événement du cabinet)"),
        ]
        for label, value in rows:
            text.append(f"{label:<9}", style="dim")
            text.append(f"{value}\n", style="bold")
        text.append("\nCe qui s'est passé\n", style="bold underline")
        text.append(event.describe() + "\n")
        lines = detail_lines(event.details)
        if lines:
            text.append("\nDonnées enregistrées\n", style="bold underline")
            for key, value in lines:
                text.append(f"{key} : ", style="dim")
                text.append(f"{value}\n")
        text.append("\nEmpreinte ", style="dim")
        text.append(f"{event.hash[:16]}…  (précédente {event.prev_hash[:16]}…)")
        with Vertical():
            yield Label(f"Événement n°{event.id}", classes="detail-title")
            with VerticalScroll():
                yield Static(text, markup=False, id="detail-text")
            yield Static("Échap ou Entrée : fermer", markup=False, classes="detail-keys")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class JournalScreen(InstermScreen):
    TITLE = "Journal"
    HELP = (
        "Journal d'audit : tout ce qui a été fait dans insterm, qui l'a fait et quand, du plus "
        "récent au plus ancien. Flèches pour parcourir, Entrée pour le détail d'un événement.\n"
        "Filtres : Patient (son IPP, ou nom et date de naissance quand un seul patient "
        "correspond), Opérateur, Action, Du / Au (JJ/MM/AAAA, jours compris). Entrée dans un "
        "champ ou F2 applique ; F3 va aux filtres ; F4 les efface. Les pages font "
        f"{PAGE_SIZE} événements : F7 plus anciens, F6 plus récents.\n"
        "F5 vérifie la chaîne d'empreintes du journal entier : chaque événement est scellé "
        "avec le précédent, une modification ou une suppression après coup est donc détectée "
        "et la première ligne en cause est nommée. Chaque dossier est aussi comparé à l'état "
        "noté par son dernier événement : un dossier modifié hors de l'application est nommé, "
        "avec ce qui a changé. L'empreinte de fin est notée dans le fichier des empreintes "
        "(à côté des sauvegardes) et comparée aux précédentes : des derniers événements "
        "supprimés ou un journal recalculé sont ainsi détectés.\n"
        "Le matricule INS n'apparaît jamais dans le journal. Échap revient à l'écran "
        "précédent."
    )
    DEFAULT_CSS = """
    JournalScreen .journal-filters { height: 1; padding: 0 1; }
    JournalScreen .filter-label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    JournalScreen .filter-label.-gap { padding: 0 1; }
    JournalScreen Input.-textual-compact { background: $boost; }
    JournalScreen Input.-textual-compact:focus { background: $accent 40%; }
    JournalScreen Input.-textual-compact.-invalid { background: $error 40%; }
    JournalScreen Select:focus > SelectCurrent { background: $accent 40%; }
    JournalScreen #journal-patient { width: 18; }
    JournalScreen #journal-patient-name { width: 1fr; padding: 0 1; text-style: bold; }
    JournalScreen #journal-since, JournalScreen #journal-until { width: 11; }
    JournalScreen #journal-operator { width: 26; }
    JournalScreen #journal-action { width: 1fr; }
    JournalScreen #journal-message { height: 1; padding: 0 1; color: $text-muted; }
    JournalScreen #journal-message.-error { color: $error; text-style: bold; }
    JournalScreen #journal-table { height: 1fr; min-height: 4; }
    JournalScreen #journal-line {
        height: auto; min-height: 2; max-height: 4; padding: 0 1; background: $boost;
    }
    JournalScreen #journal-verify { height: auto; padding: 0 1; display: none; }
    JournalScreen #journal-verify.-shown { display: block; }
    JournalScreen #journal-verify.-ok { color: $success; }
    JournalScreen #journal-verify.-broken { color: $error; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # Escape is not shown: with both page keys the footer would not fit 80 columns.
        Binding("escape", "back", "Retour", id="journal.back", show=False),
        Binding("f2", "apply_filters", "Filtrer", id="journal.apply"),
        Binding("f3", "focus_filters", "Filtres", id="journal.filters", show=False),
        Binding("f4", "clear_filters", "Effacer", id="journal.clear"),
        Binding("f5", "verify", "Vérifier", id="journal.verify"),
        Binding("f6", "newer_page", "Récents", id="journal.newer"),
        Binding("f7", "older_page", "Anciens", id="journal.older"),
    ]

    def __init__(self, identity_id: int | None = None) -> None:
        super().__init__()
        self.identity_id = identity_id
        self.query_applied = JournalQuery(patient_id=identity_id)
        self.page: JournalPage | None = None
        self._pages: list[int | None] = [None]  # before_id of each page shown, newest first
        self._patient_shown = ""  # the patient field's text that `query_applied` reflects
        self._choices_loaded = False
        self._setting_choices = False
        self.verifying = False
        self.broken_id: int | None = None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Vertical(id="journal-body"):
            with Horizontal(classes="journal-filters"):
                yield Label("Patient", classes="filter-label")
                yield Input(placeholder="IPP ou nom", id="journal-patient", compact=True,
                            max_length=200)
                yield Label("", id="journal-patient-name")
                yield Label("Du", classes="filter-label -gap")
                yield Input(placeholder=DATE_FORMAT_HINT, id="journal-since", compact=True,
                            max_length=DATE_MAX_LENGTH, restrict=DATE_CHARACTERS)
                yield Label("Au", classes="filter-label -gap")
                yield Input(placeholder=DATE_FORMAT_HINT, id="journal-until", compact=True,
                            max_length=DATE_MAX_LENGTH, restrict=DATE_CHARACTERS)
            with Horizontal(classes="journal-filters"):
                yield Label("Opérateur", classes="filter-label")
                yield Select([], prompt="tous", id="journal-operator", compact=True)
                yield Label("Action", classes="filter-label -gap")
                yield Select([], prompt="toutes", id="journal-action", compact=True)
            yield Static("Chargement…", id="journal-message", markup=False)
            table: DataTable[str | Text] = DataTable(id="journal-table", cursor_type="row",
                                                     zebra_stripes=False)
            for key, header, width in COLUMNS:
                table.add_column(header, key=key, width=width)
            yield table
            yield Static("", id="journal-line", markup=False)
            yield Static("", id="journal-verify", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#journal-table", DataTable).focus()
        self._load(self.query_applied, None, with_choices=True)

    # ------------------------------------------------------------------ loading

    def _load(self, query: JournalQuery, before_id: int | None, *,
              with_choices: bool = False, pages: list[int | None] | None = None) -> None:
        def done(page: JournalPage) -> None:
            self.query_applied = query if page.patient is None else JournalQuery(
                page.patient.id, "", query.operator, query.action, query.since, query.until)
            self._pages = pages if pages is not None else [before_id]
            self._show(page)

        self.run_clinic(lambda clinic: load_page(clinic, query, before_id,
                                                 with_choices=with_choices),
                        done=done, failed=self._failed, group="journal-load", exclusive=True,
                        doing="la lecture du journal")

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, FilterError):
            self._filter_error(error)
            return
        self._message("La lecture du journal a échoué (voir le message).", error=True)
        self.insterm.report_error(error, doing="la lecture du journal")

    def _filter_error(self, error: FilterError) -> None:
        self._message(error.message, error=True)
        for field_id in ("journal-patient", "journal-since", "journal-until"):
            self.query_one(f"#{field_id}", Input).set_class(field_id == error.field_id,
                                                            "-invalid")

    def _message(self, text: str, *, error: bool = False) -> None:
        widget = self.query_one("#journal-message", Static)
        widget.set_class(error, "-error")
        widget.update(text)

    def _show(self, page: JournalPage) -> None:
        self.page = page
        if page.operator_choices or page.action_choices:
            self._set_choices(page)
        for field_id in ("journal-patient", "journal-since", "journal-until"):
            self.query_one(f"#{field_id}", Input).remove_class("-invalid")
        patient_field = self.query_one("#journal-patient", Input)
        name = self.query_one("#journal-patient-name", Label)
        if page.patient is not None:  # what was typed becomes the IPP it designates
            patient_field.value = page.patient.ipp
            name.update(page.patient.name)
        else:
            name.update("")
        self._patient_shown = patient_field.value
        self._choices_loaded = True
        table = self.query_one("#journal-table", DataTable)
        table.clear()
        for event in page.events:
            patient = page.patients.get(event.identity_id) if event.identity_id else None
            number = Text(str(event.id))
            if event.id == self.broken_id:
                number = Text(f"!{event.id}", style="bold red")
            table.add_row(number, short_when(event.at), event.operator or "",
                          patient.name if patient else "", event.action_label, key=str(event.id))
        self.title = (f"Journal de {page.patient.name}" if page.patient is not None
                      else "Journal")
        self._page_message()
        self._show_line(0)
        self.refresh_bindings()

    def _set_choices(self, page: JournalPage) -> None:
        self._setting_choices = True
        try:
            for select_id, choices, current in (
                    ("#journal-operator", page.operator_choices, self.query_applied.operator),
                    ("#journal-action", page.action_choices, self.query_applied.action)):
                select = self.query_one(select_id, Select)
                select.set_options(list(choices))
                if current is not None and any(value == current for _, value in choices):
                    select.value = current
        finally:
            self.call_after_refresh(self._choices_set)

    def _choices_set(self) -> None:
        self._setting_choices = False

    def _page_message(self) -> None:
        page = self.page
        if page is None:
            return
        number = len(self._pages)
        filtered = self._filters_text()
        if not page.events:
            self._message("Aucun événement" + (f" pour ces filtres ({filtered})."
                                               if filtered else " dans le journal."))
            return
        first = (number - 1) * PAGE_SIZE + 1
        last = first + len(page.events) - 1
        more = " — F7 plus anciens" if page.next_before_id is not None else ""
        back = " — F6 plus récents" if number > 1 else ""
        self._message(f"Événements {first} à {last}, du plus récent au plus ancien"
                      f"{f' ({filtered})' if filtered else ''}{more}{back}")

    def _filters_text(self) -> str:
        query = self.query_applied
        parts = []
        if query.patient_id is not None and self.page and self.page.patient:
            parts.append(f"patient {self.page.patient.ipp}")
        if query.operator:
            parts.append(f"par {query.operator}")
        if query.action:
            parts.append(action_label(query.action))
        if query.since:
            parts.append(f"depuis le {query.since.strftime('%d/%m/%Y')}")
        if query.until:
            parts.append(f"jusqu'au {query.until.strftime('%d/%m/%Y')}")
        return ", ".join(parts)

    # ------------------------------------------------------------------ the highlighted event

    @property
    def events(self) -> tuple[AuditEvent, ...]:
        return self.page.events if self.page is not None else ()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_line(event.cursor_row)

    def _show_line(self, row: int) -> None:
        line = self.query_one("#journal-line", Static)
        events = self.events
        if self.page is None or not 0 <= row < len(events):
            line.update("")
            return
        line.update(event_line(events[row], self.page))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        events = self.events
        if self.page is not None and 0 <= event.cursor_row < len(events):
            self.app.push_screen(EventDetailModal(events[event.cursor_row], self.page))

    # ------------------------------------------------------------------ filters

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply_filters()

    @on(Select.Changed, "#journal-operator")
    def _operator_chosen(self, event: Select.Changed) -> None:
        event.stop()
        self._filter_chosen(event.value, self.query_applied.operator)

    @on(Select.Changed, "#journal-action")
    def _action_chosen(self, event: Select.Changed) -> None:
        event.stop()
        self._filter_chosen(event.value, self.query_applied.action)

    def _filter_chosen(self, value: object, current: str | None) -> None:
        """A list filter changed: apply the filters at once, unless the lists are being filled
        or the choice is the one applied."""
        if self._setting_choices or not self._choices_loaded:
            return
        wanted = None if value is Select.NULL else value
        if wanted != current:
            self.action_apply_filters()

    def read_filters(self) -> JournalQuery:
        """The filters as typed; `FilterError` (French) for a bad date."""
        since = parse_day(self.query_one("#journal-since", Input).value, "journal-since", "Du")
        until = parse_day(self.query_one("#journal-until", Input).value, "journal-until", "Au")
        if since and until and since > until:
            raise FilterError("Du / Au : la date de début est après la date de fin. "
                              "Corrigez l'une des deux.", "journal-until")
        operator = self.query_one("#journal-operator", Select).value
        action = self.query_one("#journal-action", Select).value
        patient_text = self.query_one("#journal-patient", Input).value.strip()
        patient_id = None
        if patient_text and patient_text == self._patient_shown.strip():
            patient_id = self.query_applied.patient_id  # unchanged: no new search
        return JournalQuery(patient_id, "" if patient_id is not None else patient_text,
                            None if operator is Select.NULL else str(operator),
                            None if action is Select.NULL else str(action), since, until)

    def action_apply_filters(self) -> None:
        try:
            query = self.read_filters()
        except FilterError as refused:
            self._filter_error(refused)
            return
        self._load(query, None)

    def action_focus_filters(self) -> None:
        self.query_one("#journal-patient", Input).focus()

    def action_clear_filters(self) -> None:
        for field_id in ("journal-patient", "journal-since", "journal-until"):
            self.query_one(f"#{field_id}", Input).value = ""
        self._setting_choices = True
        for select_id in ("#journal-operator", "#journal-action"):
            self.query_one(select_id, Select).clear()
        self.call_after_refresh(self._choices_set)
        self._patient_shown = ""
        self._load(JournalQuery(), None)

    # ------------------------------------------------------------------ pages

    def action_older_page(self) -> None:
        page = self.page
        if page is None or page.next_before_id is None:
            return
        self._load(self.query_applied, page.next_before_id,
                   pages=[*self._pages, page.next_before_id])

    def action_newer_page(self) -> None:
        if len(self._pages) < 2:
            return
        pages = self._pages[:-1]
        self._load(self.query_applied, pages[-1], pages=pages)

    # ------------------------------------------------------------------ verification

    def action_verify(self) -> None:
        if self.verifying:
            return
        self.verifying = True
        panel = self.query_one("#journal-verify", Static)
        panel.set_classes("-shown")
        panel.update("Vérification de la chaîne d'empreintes du journal en cours…")
        self.refresh_bindings()

        def finished() -> None:
            self.verifying = False
            self.refresh_bindings()

        def done(verdict: Verdict) -> None:
            finished()
            report = verdict.report
            panel.set_classes(f"-shown {'-ok' if verdict.ok else '-broken'}")
            panel.update(verdict.message)
            self.broken_id = None if report.ok else report.first_broken_id
            if not report.ok and report.altered:
                self.notify(f"Données ALTÉRÉES hors de l'application : {report.altered_total} "
                            "dossier(s).", title="Vérification du journal", severity="error",
                            timeout=15)
            elif not report.ok:
                where = (f" à partir de la ligne {report.first_broken_id}"
                         if report.first_broken_id is not None else "")
                self.notify(f"Journal ALTÉRÉ{where}.",
                            title="Vérification du journal", severity="error", timeout=15)
            elif verdict.problem:
                self.notify(f"Journal intact : {report.rows} événement(s) vérifié(s), mais le "
                            "fichier des empreintes de fin pose problème (voir le détail).",
                            title="Vérification du journal", severity="warning", timeout=15)
            else:
                self.notify(f"Journal intact : {report.rows} événement(s) vérifié(s).",
                            title="Vérification du journal", timeout=8)
            if self.page is not None:
                self._show(self.page)

        def failed(error: BaseException) -> None:
            finished()
            panel.set_classes("")
            self.insterm.report_error(error, doing="la vérification du journal")

        self.run_clinic(lambda clinic: clinic.verify_audit_and_note(), done=done, failed=failed,
                        group="journal-verify", exclusive=True,
                        doing="la vérification du journal")

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "older_page":
            return self.page is not None and self.page.next_before_id is not None
        if action == "newer_page":
            return len(self._pages) > 1
        if action == "verify":
            return None if self.verifying else True
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        commands: list[tuple[str, str, Callable[[], object]]] = [
            ("Vérifier le journal", "Recalculer la chaîne d'empreintes (F5)", self.action_verify),
            ("Filtrer le journal", "Aller aux filtres (F3)", self.action_focus_filters),
            ("Effacer les filtres", "Tout le journal (F4)", self.action_clear_filters),
        ]
        if self.page is not None and self.page.next_before_id is not None:
            commands.append(("Événements plus anciens", "Page suivante (F7)",
                             self.action_older_page))
        if len(self._pages) > 1:
            commands.append(("Événements plus récents", "Page précédente (F6)",
                             self.action_newer_page))
        return commands
