"""Fiche patient: every trait, the status and attributes, the INS (QUAL only), the history.

Actions by key: F2 modify (`EditScreen`), F3 check a document (`DocumentCheckScreen`), F4
qualify with INSi (`QualifyScreen`), F5 duplicates (`DuplicatesScreen`), F6 the attributes (a
small dialog, `AttributesModal`: d / f / h mark or unmark doubtful / fictitious / homonym), F7
an INS received from elsewhere (`VerifyInsScreen`), F8 INS labels (`LabelsModal`), i the
patient's information on the use of their INS (`InformationModal`; asked by itself after a
first qualification), F9 this patient's journal. The three
attributes are set here through `clinic.set_attribute` / `clear_attribute`, after a
confirmation that says what the change does to the status
(`insterm.domain.status.describe_drop`).

The footer must stay readable at 80 columns: it shows F2..F7 and F1 (not the ctrl+p palette
key); Escape (back), F9 (journal) and F10 (quit) work but are not shown, and F1 lists them.

The record is loaded in a thread worker, and again whenever the screen comes back to the top
(another screen may have changed it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Label, Static

from insterm.datasets import place_name
from insterm.domain.display_name import display_name, main_name
from insterm.domain.insi_codes import CR_MEANINGS
from insterm.domain.traits import SEX_LABELS
from insterm.tui.palette import PaletteCommand, binding_key
from insterm.tui.screens.information import information_text
from insterm.tui.screens.view_screen import ViewScreen
from insterm.tui.widgets.attribute_badges import AttributeBadges
from insterm.tui.widgets.status_badge import StatusBadge

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.store.audit import AuditEvent
    from insterm.store.identities import IdentityRecord
    from insterm.store.information import Information
    from insterm.usecases.identities import Saved
    from insterm.usecases.insi import InsiApplied


INSI_CODES = {code: f"{code}, {meaning}" for code, meaning in CR_MEANINGS.items()}

TRAIT_LABELS = {
    "birth_name": "nom de naissance", "first_name": "premier prénom",
    "first_names": "prénoms de naissance", "birth_date": "date de naissance", "sex": "sexe",
    "birth_place": "lieu de naissance", "used_name": "nom utilisé",
    "used_first_name": "prénom utilisé", "status": "statut", "matricule": "matricule",
    "oid": "OID", "dout": "douteuse", "fict": "fictive", "homa": "homonyme",
    "birth_date_corrected": "date corrigée",
}

CHANNELS = {"SM": "saisie manuelle", "CV": "carte Vitale", "INSI": "téléservice INSi",
            "CB": "datamatrix INS", "RFID": "puce RFID", "AV": "application carte Vitale"}


@dataclass(frozen=True)
class RecordView:
    """What the screen shows, read in one worker call."""

    record: IdentityRecord
    events: list[AuditEvent]
    operators: dict[str, str]  # login -> "Name (login)"
    place_name: str | None
    information: Information | None = None  # the patient told of the INS's use, last time
    received_waiting: bool = False  # an INS received (import...) waits for INSi's verification


def load_view(clinic: Clinic, identity_id: int) -> RecordView:
    record = clinic.get(identity_id)
    events = clinic.history(identity_id)
    operators = {o.login: o.label for o in clinic.operators()}
    return RecordView(record, events, operators, place_name(record.birth_place),
                      clinic.last_information(identity_id),
                      clinic.has_received_ins(identity_id))


def ins_nature(oid: str | None) -> str:
    """"NIR" / "NIA" (and test / demonstration) from the OID INSi returned, never the digits."""
    from insterm.domain.datamatrix import INS_OIDS

    nature = INS_OIDS.get(oid or "")
    if nature is None:
        return f"OID inconnu {oid}"
    return nature.removeprefix("INS-")


def short_when(stored: str) -> str:
    """"01/06/25 14:03", local time (the history's date column)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(stored).astimezone().strftime("%d/%m/%y %H:%M")
    except ValueError:
        return stored


def french_when(stored: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(stored).astimezone().strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return stored


def event_detail(event: AuditEvent) -> str:
    details = event.details or {}
    parts: list[str] = []
    if event.action == "insi_called":
        code = details.get("code")
        if code:
            parts.append("réponse " + INSI_CODES.get(code, code))
        if details.get("error"):
            parts.append(str(details["error"]))
        if details.get("accepted") is False:
            parts.append("refusée par l'opérateur")
    elif event.action == "insi_collision":
        holder = details.get("holder") or {}
        parts.append(f"matricule déjà porté par le dossier IPP {holder.get('ipp', '?')}")
    elif event.action in ("document_checked", "document_mismatch"):
        from insterm.domain.documents import CATALOGUE

        documents = details.get("documents") or [details.get("document_type")]
        parts.append(", ".join(CATALOGUE[d].label if d in CATALOGUE else str(d)
                               for d in documents if d))
    elif event.action in ("attribute_set", "attribute_cleared"):
        from insterm.tui.widgets.attribute_badges import attribute_label

        if details.get("attribute"):
            parts.append(attribute_label(str(details["attribute"])))
    elif event.action == "traits_edited":
        after = details.get("after") or {}
        changed = [TRAIT_LABELS.get(k, k) for k in after if k in TRAIT_LABELS
                   and k not in ("status", "matricule", "oid")]
        if changed:
            parts.append(", ".join(changed))
    elif event.action == "bulk_import":  # the import that wrote this record (events_for)
        if details.get("source"):
            parts.append(f"source : {details['source']}")
        parts.append(f"{details.get('count', '?')} identité(s) en un lot")
    if details.get("transition") and event.action != "identity_created":
        parts.append(str(details["transition"]))
    return " — ".join(parts)


class TraitsPanel(Static):
    """The traits as "label  value" lines, two columns wide."""

    DEFAULT_CSS = """
    TraitsPanel { height: auto; padding: 0 1; }
    """


class RecordScreen(ViewScreen[RecordView, None]):
    """One identity's record (module docstring); reloaded whenever it comes back on top."""

    FIRST_FOCUS = "#record-history"
    TITLE = "Fiche patient"
    HELP = (
        "Fiche du patient : ses traits d'identité, son statut (provisoire, récupérée, validée, "
        "qualifiée) et ses attributs, son INS quand l'identité est qualifiée, et l'historique "
        "de tout ce qui lui est arrivé (qui, quand).\n"
        "F2 modifier l'identité, F3 contrôler une pièce d'identité, F4 qualifier par INSi, "
        "F5 doublons, F6 attributs : identité douteuse (d), fictive (f), homonyme (h), ajout "
        "ou retrait après confirmation de l'effet sur le statut ; F7 INS reçu d'ailleurs "
        "(carte Vitale, datamatrix, autre professionnel) à vérifier par INSi ; F9 journal du "
        "patient, Échap retour à la recherche, F10 quitter. Une identité douteuse ou fictive "
        "reste provisoire et ne peut pas être envoyée à INSi."
    )
    DEFAULT_CSS = """
    RecordScreen #record-top { height: 1; padding: 0 1; }
    RecordScreen #record-title { width: 1fr; text-style: bold; }
    RecordScreen #record-ins { height: auto; padding: 0 1; }
    RecordScreen #record-history-title { padding: 0 1; text-style: bold; color: $primary; }
    RecordScreen #record-history { height: 1fr; }
    RecordScreen #record-merged { color: $warning; padding: 0 1; height: auto; display: none; }
    RecordScreen #record-event { height: auto; min-height: 2; max-height: 4; padding: 0 1;
        background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown in the footer, which must fit 80 columns (tests/tui/test_footers.py).
        Binding("f2", "edit", "Modifier", id="record.edit"),
        Binding("f3", "document_check", "Pièce", id="record.document_check"),
        Binding("f4", "qualify", "INSi", id="record.qualify"),
        Binding("f5", "duplicates", "Doublons", id="record.duplicates"),
        Binding("f6", "attributes", "Attributs", id="record.attributes",
                tooltip="Identité douteuse, fictive, homonyme"),
        Binding("f7", "verify_ins", "INS reçu", id="record.verify_ins",
                tooltip="Vérifier par INSi un INS reçu d'ailleurs"),
        # Not shown (F1 lists them): no room at 80 columns, and no reminder needed.
        Binding("escape", "back", "Retour", id="record.back", show=False),
        Binding("i", "information", "Informé", id="record.information", show=False,
                tooltip="Le patient a été informé de l'usage de son INS"),
        Binding("f9", "journal", "Journal", id="record.journal", show=False),
        Binding("f8", "labels", "Étiquettes", id="record.labels", show=False,
                tooltip="Imprimer des étiquettes INS (identité qualifiée)"),
    ]

    def __init__(self, identity_id: int) -> None:
        super().__init__()
        self.identity_id = identity_id
        self._events: list[AuditEvent] = []  # the history shown, newest first

    @property
    def record(self) -> IdentityRecord | None:
        return self.view.record if self.view is not None else None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Vertical(id="record-body"):
            with Horizontal(id="record-top"):
                yield Label("Chargement…", id="record-title")
                yield StatusBadge("PROV", id="record-status")
                yield AttributeBadges((), id="record-attributes")
            yield Static("", id="record-merged", markup=False)
            yield TraitsPanel("", id="record-traits")
            yield Static("", id="record-ins", markup=False)
            yield Label("Historique", id="record-history-title")
            table: DataTable[str] = DataTable(id="record-history", cursor_type="row",
                                              zebra_stripes=False)
            # 80 columns with border, scrollbar and cell padding: the action whole, the detail
            # as room allows (in full on the line under the table)
            table.add_column("Date", key="at", width=14)
            table.add_column("Par", key="who", width=8)
            table.add_column("Action", key="action", width=30)
            table.add_column("Détail", key="detail", width=16)
            yield table
            yield Static("", id="record-event", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def reader(self) -> Callable[[Clinic], RecordView]:
        identity_id = self.identity_id
        return lambda clinic: load_view(clinic, identity_id)

    # ------------------------------------------------------------------ display

    def show_view(self, view: RecordView, previous: RecordView | None) -> None:
        record = view.record
        name = main_name(record)  # the used names are in the traits just below
        self.query_one("#record-title", Label).update(f"{name} — IPP {record.ipp}")
        self.query_one("#record-status", StatusBadge).status = record.status
        self.query_one("#record-attributes", AttributeBadges).attributes = record.attributes
        self.title = f"Fiche patient : {name}"
        merged = self.query_one("#record-merged", Static)
        merged.display = record.merged_into is not None
        if record.merged_into is not None:
            merged.update(f"Ce dossier a été fusionné dans le dossier n°{record.merged_into} : "
                          "travaillez sur ce dernier.")
        self.query_one("#record-traits", TraitsPanel).update(self._traits_text(view))
        ins_text = self._ins_text(record, view.received_waiting)
        ins_text.append(f"\n{'Information':<17} ", style="dim")
        ins_text.append(information_text(view.information))
        ins_text.append(" (touche i)", style="dim")
        self.query_one("#record-ins", Static).update(ins_text)
        table = self.query_one("#record-history", DataTable)
        table.clear()
        self._events = list(reversed(view.events))  # newest first
        for event in self._events:
            table.add_row(short_when(event.at), event.operator or "",
                          event.label, event_detail(event))
        self._show_event(0)
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_event(event.cursor_row)

    def _show_event(self, row: int) -> None:
        """The highlighted history line in full (the table cuts long details)."""
        events = self._events
        line = self.query_one("#record-event", Static)
        if not 0 <= row < len(events) or self.view is None:
            line.update("")
            return
        event = events[row]
        who = self.view.operators.get(event.operator or "", event.operator or "")
        detail = event_detail(event)
        line.update(f"{french_when(event.at)}, {who} : "
                    f"{event.label}"
                    + (f". {detail}" if detail else ""))

    def _traits_text(self, view: RecordView) -> Text:
        record = view.record
        born = record.birth_date.strftime("%d/%m/%Y")
        if record.birth_date_corrected:
            born += " (date corrigée)"
        place = record.birth_place or "non renseigné"
        if view.place_name:
            place = f"{view.place_name} ({record.birth_place})"
        rows = [
            ("Nom de naissance", record.birth_name, "Nom utilisé", record.used_name or "—"),
            ("1er prénom", record.first_name, "Prénom utilisé", record.used_first_name or "—"),
            ("Prénoms", record.first_names, "Sexe", SEX_LABELS.get(record.sex, record.sex)),
            ("Né(e) le", born, "Recueil", CHANNELS.get(record.channel, record.channel)),
            ("Lieu de naissance", place, "", ""),
        ]
        text = Text()
        for index, (label1, value1, label2, value2) in enumerate(rows):
            if index:
                text.append("\n")
            text.append(f"{label1:<17} ", style="dim")
            text.append(f"{value1:<20.20}" if label2 else value1, style="bold")
            if label2:
                text.append(f"  {label2:<15} ", style="dim")
                text.append(value2, style="bold")
        return text

    def _ins_text(self, record: IdentityRecord, received_waiting: bool = False) -> Text:
        text = Text()
        text.append(f"{'INS':<17} ", style="dim")
        matricule = record.shown_matricule
        if matricule is not None:
            formatted = (f"{matricule[0]} {matricule[1:3]} {matricule[3:5]} {matricule[5:7]} "
                         f"{matricule[7:10]} {matricule[10:13]} {matricule[13:]}")
            text.append(formatted, style="bold")
            text.append(f"  {ins_nature(record.oid)}  (OID {record.oid})")
        elif record.matricule is not None:
            text.append("INS récupéré, affiché seulement quand l'identité est qualifiée "
                        "(contrôlez une pièce d'identité : F3).")
        elif received_waiting:
            text.append("un INS reçu attend sa vérification par INSi (« Vérification INSi "
                        "par lot ») ; il n'est ni affiché ni utilisé avant.")
        else:
            text.append("aucun INS (qualification par INSi : F4)")
        return text

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "document_check", "qualify", "attributes", "toggle_attribute",
                      "duplicates", "verify_ins", "information"):
            return self.record is not None and self.record.merged_into is None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_edit(self) -> None:
        from insterm.tui.screens.edit import EditScreen

        self.app.push_screen(EditScreen(self.identity_id))

    def action_document_check(self) -> None:
        from insterm.tui.screens.document_check import DocumentCheckScreen

        self.app.push_screen(DocumentCheckScreen(self.identity_id))

    def action_duplicates(self) -> None:
        from insterm.tui.screens.duplicates import DuplicatesScreen

        self.app.push_screen(DuplicatesScreen(self.identity_id))

    def action_journal(self) -> None:
        from insterm.tui.screens.journal import JournalScreen

        self.app.push_screen(JournalScreen(self.identity_id))

    def action_labels(self) -> None:
        from insterm.tui.screens.labels import LabelsModal

        if self.record is not None:
            record = self.record
            self.app.push_screen(LabelsModal(record.ipp, f"{record.birth_name} {record.first_name}"))

    def action_verify_ins(self) -> None:
        from insterm.tui.screens.verify_ins import VerifyInsScreen

        self.app.push_screen(VerifyInsScreen(self.identity_id))

    def action_attributes(self) -> None:
        record = self.record
        if record is None:
            return
        from insterm.tui.screens.attributes import AttributesModal

        def chosen(code: str | None) -> None:
            if code is not None:
                self.action_toggle_attribute(code)

        self.app.push_screen(AttributesModal(record), callback=chosen)

    def action_qualify(self) -> None:
        record = self.record
        if record is None:
            return
        from insterm.domain.status import insi_block_reason

        reason = insi_block_reason(record.state())
        if reason is not None:
            self.notify(f"INSi ne peut pas être appelé pour cette identité : {reason}",
                        title="Qualification impossible", severity="warning", timeout=10)
            return
        from insterm.tui.screens.qualify import QualifyScreen

        was_qualified = record.status == "QUAL"
        informed = self.view is not None and self.view.information is not None

        def qualified(applied: InsiApplied | None) -> None:
            # The information duty, asked (not forced) when the identity first becomes QUAL.
            if (applied is not None and applied.applied and not was_qualified and not informed
                    and applied.saved.record.status == "QUAL"):
                self.action_information()

        self.app.push_screen(QualifyScreen(self.identity_id), callback=qualified)

    def action_information(self) -> None:
        record = self.record
        if record is None or self.view is None:
            return
        from insterm.tui.screens.information import InformationModal

        identity_id = self.identity_id
        who = display_name(record)

        def chosen(how: str | None) -> None:
            if how is None:
                return
            actor = self.insterm.actor
            self.run_clinic(lambda clinic: clinic.record_information(actor, identity_id, how),
                            done=self._informed, doing="l'enregistrement de l'information")

        self.app.push_screen(InformationModal(who, self.view.information), callback=chosen)

    def _informed(self, information: Information) -> None:
        self.notify(f"Information enregistrée : {information_text(information)}.",
                    title="Information du patient", timeout=6)
        self.reload()

    def action_toggle_attribute(self, attribute: str) -> None:
        record = self.record
        if record is None:
            return
        from insterm.domain.errors import DomainError
        from insterm.domain.status import (
            AttributeCleared,
            AttributeSet,
            describe_drop,
            parse_attribute,
        )

        present = attribute in record.attributes
        try:
            code = parse_attribute(attribute)
            event = AttributeCleared(code) if present else AttributeSet(code)
            effect = describe_drop(record.state(), event)
        except DomainError as refused:
            self.insterm.report_error(refused)
            return
        label = code.label
        if present:
            title = f"Retirer l'attribut « {label} » ?"
            verb = "Retirer"
        else:
            title = f"Marquer l'identité « {label} » ?"
            verb = "Marquer"
        text = f"{display_name(record)}, IPP {record.ipp}.\n\n{effect}"
        from insterm.tui.screens.confirm import ConfirmModal

        version = record.version

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._apply_attribute(attribute, present, version)

        self.app.push_screen(ConfirmModal(title, text, verb), callback=answered)

    def _apply_attribute(self, attribute: str, present: bool, version: int) -> None:
        actor = self.insterm.actor
        identity_id = self.identity_id

        def call(clinic: Clinic) -> Saved:
            if present:
                return clinic.clear_attribute(actor, identity_id, version, attribute)
            return clinic.set_attribute(actor, identity_id, version, attribute)

        def saved(result: Saved) -> None:
            if result.transition is not None:
                self.notify(result.transition.reason, title="Enregistré", timeout=8)
            self.reload()

        self.run_clinic(call, done=saved, doing="la modification de l'attribut")

    def palette_commands(self) -> list[PaletteCommand]:
        record = self.record
        if record is None:
            return []
        commands = [
            PaletteCommand("Modifier l'identité", "Traits stricts et noms utilisés",
                           self.action_edit, action="edit"),
            PaletteCommand("Contrôler une pièce d'identité", "Passe l'identité en validée",
                           self.action_document_check, action="document_check"),
            PaletteCommand("Qualifier l'identité (INSi)", "Rechercher l'INS par les traits",
                           self.action_qualify, action="qualify"),
            PaletteCommand("Voir les doublons potentiels", "Comparer et décider",
                           self.action_duplicates, action="duplicates"),
            PaletteCommand("Vérifier un INS reçu", "INS reçu d'ailleurs, vérifié par INSi",
                           self.action_verify_ins, action="verify_ins"),
            PaletteCommand("Patient informé de l'usage de l'INS", "Oralement, affiche, document",
                           self.action_information, action="information"),
            PaletteCommand("Journal du patient", "Les événements de ce dossier",
                           self.action_journal, action="journal"),
        ]
        from insterm.tui.screens.attributes import ATTRIBUTE_LETTERS
        from insterm.tui.widgets.attribute_badges import attribute_label

        dialog_key = binding_key(self, "attributes")
        for code, letter in ATTRIBUTE_LETTERS.items():
            label = attribute_label(code)
            title = (f"Retirer l'attribut « {label} »" if code in record.attributes
                     else f"Marquer « {label} »")
            keys = f"({dialog_key} puis {letter})" if dialog_key else f"({letter})"
            commands.append(PaletteCommand(title, keys,
                                           partial(self.action_toggle_attribute, code)))
        return commands
