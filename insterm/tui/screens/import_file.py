"""Importer un fichier de patients: the administrator's screen for `Clinic.run_import`.

The administrator types the path of the file (a CSV, an XDM archive or a folder of them) and,
when the columns are not recognised, of a mapping file; Enter (or F3) reads it: the detected
format, the column read for each trait, and the first rows as they would be imported (or the
reason each would be refused). F6 runs a dry run (nothing kept), F2 imports. The import runs
in a thread worker one batch at a time (`max_batches=1`): the clinic lock is held for one
batch's transaction only, so the other screens keep working; F8 stops after the current batch
(the same file given again resumes). The end shows the counts, writes the CSV report of the
refused and held rows next to the file, and lists those rows: Enter on a held row opens the
duplicates screen on it (merge, or "pas un doublon"). F7 lists the base's imports; Enter on one
offers to undo it (`Clinic.undo_import`, after a confirmation).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar, Static

from insterm.domain.errors import InstermError
from insterm.tui.screens.base import InstermScreen
from insterm.usecases.imports import STATE_LABELS

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from insterm.clinic import Clinic
    from insterm.store.imports import Batch, RowOutcome
    from insterm.usecases.imports import ImportPlan, ImportReport

ADMIN_FOR = "importer un fichier de patients"
RESULTS = {"refused": ("refusée", "bold red"), "held": ("doublon probable", "bold yellow")}
SHORT = {"source_id": "n° d'origine", "birth_name": "nom", "first_name": "prénom",
         "first_names": "prénoms", "birth_date": "naissance", "sex": "sexe",
         "birth_place": "lieu", "used_name": "nom utilisé", "used_first_name": "prénom utilisé",
         "ins": "INS", "ins_oid": "OID", "status": "statut", "attributes": "attributs"}


@dataclass(frozen=True, slots=True)
class Finished:
    report: ImportReport
    rows: list[RowOutcome]
    report_path: Path | None


def plan_lines(plan: ImportPlan) -> str:
    """The detected format and the column read for each trait, in a few lines."""
    lines = [f"Format : {plan.source.description}"]
    mapping = plan.mapping
    if mapping is not None:
        columns = ", ".join(f"{SHORT[name]} ← {mapping.headers[index]}" for name, index in
                            sorted(mapping.columns.items(), key=lambda item: item[1]))
        lines.append(f"Colonnes ({mapping.source}) : {columns}")
    if plan.batch is not None:
        state = {"done": "déjà importé : rien ne sera importé deux fois",
                 "undone": "import annulé : il ne sera pas refait",
                 "running": "import interrompu : F2 le reprend",
                 "staging": "import interrompu : F2 le reprend"}[plan.batch.state]
        lines.append(f"Ce fichier : import n° {plan.batch.id}, {state}.")
    return "\n".join(lines)


class ImportScreen(InstermScreen[None]):
    TITLE = "Importer un fichier de patients"
    HELP = (
        "Import du fichier de patients d'un autre logiciel (administrateurs). Tapez le chemin "
        "d'un CSV, d'une archive de portabilité .zip (IHE XDM) ou d'un dossier d'archives, et "
        "si besoin celui d'un fichier de correspondance des colonnes (TOML, voir "
        "docs/import.md), puis Entrée : le format trouvé, les colonnes lues et les premières "
        "lignes telles qu'elles seraient importées s'affichent.\n"
        "F6 fait un essai (rien n'est gardé), F2 importe ; F8 arrête après le lot en cours (le "
        "même fichier reprend où il s'est arrêté). Chaque ligne est importée, corrigée (les "
        "propositions de la saisie appliquées), refusée (motif en clair) ou retenue comme "
        "doublon probable : les lignes refusées et retenues sont listées à la fin et dans le "
        "rapport CSV écrit à côté du fichier ; Entrée sur une ligne retenue ouvre l'écran des "
        "doublons sur elle (fusionner, ou « pas un doublon »). Toute identité importée est "
        "provisoire ; un INS reçu attend sa vérification par INSi (Vérification INSi par lot). "
        "F7 liste les imports de la base ; Entrée sur l'un propose de l'annuler (si aucun de "
        "ses dossiers n'a été modifié ou utilisé depuis). Échap revient."
    )
    DEFAULT_CSS = """
    ImportScreen .import-row { height: 1; margin: 0 1; }
    ImportScreen .import-row Label { width: 16; color: $text-muted; }
    ImportScreen .import-row Input { width: 1fr; }
    ImportScreen #import-plan { height: auto; max-height: 6; padding: 0 1; color: $text-muted; }
    ImportScreen #import-message { height: auto; padding: 0 1; }
    ImportScreen #import-message.-error { color: $error; text-style: bold; }
    ImportScreen #import-progress { display: none; height: 1; padding: 0 1; }
    ImportScreen #import-progress.-shown { display: block; }
    ImportScreen #import-table { height: 1fr; }
    ImportScreen #import-detail { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="import.back"),
        Binding("f3", "inspect", "Lire", id="import.inspect"),
        Binding("f6", "trial", "Essai", id="import.trial"),
        Binding("f2", "run", "Importer", id="import.run"),
        Binding("f8", "stop", "Arrêter", id="import.stop"),
        Binding("f7", "batches", "Imports", id="import.batches"),
    ]

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial_path = path
        self.plan: ImportPlan | None = None
        self.rows: list[RowOutcome] = []
        self.batches: list[Batch] = []  # shown in the table after F7 (else empty)
        self._note: str | None = None  # said over the F7 list once (after an undo)
        self.running = False
        self.allowed = False
        self._stop = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Horizontal(classes="import-row"):
            yield Label("Fichier")
            yield Input(self.initial_path, id="import-path", compact=True,
                        placeholder="chemin du CSV, de l'archive .zip ou du dossier")
        with Horizontal(classes="import-row"):
            yield Label("Correspondance")
            yield Input(id="import-mapping", compact=True,
                        placeholder="(facultatif) fichier .toml des colonnes")
        yield Static("", id="import-plan", markup=False)
        yield Static("", id="import-message", markup=False)
        yield ProgressBar(id="import-progress", show_eta=True)
        table: DataTable[str | Text] = DataTable(id="import-table", cursor_type="row")
        yield table
        yield Static("", id="import-detail", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()
        try:
            actor = self.insterm.actor
        except InstermError as nobody:  # no operator chosen yet on this workstation
            self._refused(nobody)
            return

        def check(clinic: Clinic) -> None:
            clinic.check_admin(actor, ADMIN_FOR)

        self.run_clinic(check, done=self._allowed, failed=self._refused, doing=ADMIN_FOR)

    def _allowed(self, _: None) -> None:
        self.allowed = True
        self._say("Tapez le chemin du fichier puis Entrée.")
        self.refresh_bindings()

    def _refused(self, error: BaseException) -> None:
        self.allowed = False
        text = getattr(error, "message", None)
        if isinstance(text, str):
            self._say(text, error=True)
        else:
            self.insterm.report_error(error, doing=ADMIN_FOR)
        self.refresh_bindings()

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#import-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    # ------------------------------------------------------------------ reading the file

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "inspect":
            return self.allowed and not self.running
        if action in ("run", "trial"):
            return self.allowed and not self.running and self.plan is not None
        if action == "stop":
            return self.running
        if action == "batches":
            return self.allowed and not self.running
        return True

    @on(Input.Submitted)
    def action_inspect(self) -> None:
        if not self.check_action("inspect", ()):
            return
        path_text = self.query_one("#import-path", Input).value.strip()
        mapping_text = self.query_one("#import-mapping", Input).value.strip()
        if not path_text:
            self._say("Tapez le chemin du fichier à importer.", error=True)
            return
        path = Path(path_text).expanduser()
        mapping = Path(mapping_text).expanduser() if mapping_text else None
        actor = self.insterm.actor
        self.plan = None
        self.refresh_bindings()
        self._say("Lecture du fichier…")

        def call(clinic: Clinic) -> ImportPlan:
            return clinic.inspect_import(actor, path, mapping)

        self.run_clinic(call, done=self._show_plan, failed=self._refused_file,
                        doing="la lecture du fichier à importer", group="import-read",
                        exclusive=True)

    def _refused_file(self, error: BaseException) -> None:
        self.query_one("#import-plan", Static).update("")
        self.query_one("#import-table", DataTable).clear(columns=True)
        self._refused(error)
        self.allowed = True
        self.refresh_bindings()

    def _show_plan(self, plan: ImportPlan) -> None:
        self.plan = plan
        self.rows, self.batches = [], []
        self.query_one("#import-detail", Static).update("")
        self.query_one("#import-plan", Static).update(plan_lines(plan))
        table = self.query_one("#import-table", DataTable)
        table.clear(columns=True)
        for name, width in (("Ligne", 5), ("Nom", 16), ("Prénoms", 14), ("Naissance", 10),
                            ("S", 1), ("Résultat", 18)):
            table.add_column(name, width=width)
        for item in plan.preview:
            if item.identity is None:
                table.add_row(item.row.key, "", "", "", "",
                              Text(f"refusée : {item.refusal}", style="red"))
                continue
            traits = item.identity.traits
            result = ("corrigée" if item.identity.proposals else "importée") + (
                "+INS reçu" if item.identity.received_ins else "")
            table.add_row(item.row.key, traits.birth_name, traits.first_names or
                          traits.first_name, f"{traits.birth_date:%d/%m/%Y}", traits.sex,
                          result)
        self._say("Aperçu des premières lignes. F6 : essai (rien n'est gardé) ; F2 : importer.")
        self.refresh_bindings()
        table.focus()

    # ------------------------------------------------------------------ running

    def action_trial(self) -> None:
        self._start(dry_run=True)

    def action_run(self) -> None:
        self._start(dry_run=False)

    def action_stop(self) -> None:
        self._stop = True
        self._say("Arrêt après le lot en cours…")

    def _start(self, *, dry_run: bool) -> None:
        if not self.check_action("trial" if dry_run else "run", ()) or self.plan is None:
            return
        plan, app, actor = self.plan, self.insterm, self.insterm.actor
        self.running, self._stop = True, False
        self.refresh_bindings()
        progress = self.query_one("#import-progress", ProgressBar)
        progress.update(total=None, progress=0)
        progress.add_class("-shown")
        self._say("Essai en cours…" if dry_run else "Import en cours…")

        def advance(done: int, total: int) -> None:
            app.call_from_thread(progress.update, total=total, progress=done)

        def work() -> Finished:
            report = app.call_clinic(lambda clinic: clinic.run_import(
                actor, plan, dry_run=dry_run, progress=advance, max_batches=1))
            while not dry_run and report.already is None and not report.finished:
                if self._stop:
                    break
                report = app.call_clinic(lambda clinic: clinic.run_import(
                    actor, plan, progress=advance, max_batches=1))
            if report.batch_id is None or report.already is not None:
                return Finished(report, [], None)
            batch_id = report.batch_id
            written, rows = app.call_clinic(lambda clinic: clinic.write_import_report(
                batch_id, source=plan.source.path))
            return Finished(report, rows, written)

        self.run_in_thread(work, done=self._finished, failed=self._failed, group="import-run",
                           exclusive=True, doing="l'import du fichier")

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self.query_one("#import-progress", ProgressBar).remove_class("-shown")
        self.refresh_bindings()
        self._refused(error)
        self.allowed = True
        self.refresh_bindings()

    def _finished(self, finished: Finished) -> None:
        self.running = False
        self.query_one("#import-progress", ProgressBar).remove_class("-shown")
        report = finished.report
        counts = report.summary()
        if report.already == "done":
            text = (f"Ce fichier a déjà été importé (import n° {report.batch_id}) : rien n'a "
                    "été importé deux fois.")
        elif report.already == "undone":
            text = f"L'import de ce fichier a été annulé (n° {report.batch_id}) : pas refait."
        elif report.dry_run:
            text = f"Essai (rien n'a été gardé), {report.total} ligne(s) : {counts}."
        elif not report.finished:
            text = (f"Import n° {report.batch_id} arrêté : {counts}. F2 reprend où il s'est "
                    "arrêté.")
        else:
            where = f" Rapport : {finished.report_path}." if finished.report_path else ""
            text = f"Import n° {report.batch_id} terminé : {counts}.{where}"
        self._say(text)
        self._show_rows(finished.rows)
        if not report.dry_run and report.batch_id is not None and report.finished:
            self.plan = None  # done: the same plan would only say "déjà importé"
        self.refresh_bindings()

    def _show_rows(self, rows: list[RowOutcome]) -> None:
        self.rows, self.batches = rows, []
        table = self.query_one("#import-table", DataTable)
        table.clear(columns=True)
        self.query_one("#import-detail", Static).update("")
        if not rows:
            return
        for name, width in (("Ligne", 5), ("Nom", 14), ("Naissance", 10), ("Résultat", 16),
                            ("Motif", 60)):
            table.add_column(name, width=width)
        for row in rows:
            label, style = RESULTS[row.outcome]
            detail = row.detail or {}
            reason = (detail.get("raison", "") if row.outcome == "refused" else
                      "ressemble à IPP " + ", ".join(d["ipp"] for d in detail.get("doublons", [])))
            table.add_row(row.row_key, row.raw.get("birth_name", ""),
                          row.raw.get("birth_date", ""), Text(label, style=style), reason)
        table.focus()

    @on(DataTable.RowHighlighted, "#import-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted report row's whole reason (the column shows its start)."""
        detail = self.query_one("#import-detail", Static)
        if event.cursor_row >= len(self.rows):
            detail.update("")
            return
        row = self.rows[event.cursor_row]
        found = row.detail or {}
        if row.outcome == "refused":
            text = f"Ligne {row.row_key} refusée : {found.get('raison', '')}"
        else:
            ipps = ", ".join(d["ipp"] for d in found.get("doublons", []))
            text = (f"Ligne {row.row_key} : dossier IPP {found.get('ipp', '?')} créé, retenu "
                    f"comme doublon probable de IPP {ipps}. Entrée : l'écran des doublons.")
        detail.update(text)

    # ------------------------------------------------------------------ past imports, undo

    def action_batches(self) -> None:
        """F7: the imports of this base in the table; Enter on one offers to undo it."""
        if not self.check_action("batches", ()):
            return
        self.run_clinic(lambda clinic: clinic.import_batches(), done=self._show_batches,
                        doing="la lecture des imports")

    def _show_batches(self, batches: list[Batch]) -> None:
        self.rows, self.batches = [], batches
        table = self.query_one("#import-table", DataTable)
        table.clear(columns=True)
        self.query_one("#import-detail", Static).update("")
        if not batches:
            self._say("Aucun import dans cette base.")
            return
        for name, width in (("N°", 4), ("Date", 16), ("Fichier", 30), ("Lignes", 7),
                            ("État", 12)):
            table.add_column(name, width=width)
        for batch in batches:
            table.add_row(str(batch.id), batch.started_at[:16].replace("T", " "),
                          batch.source_name, str(batch.total), STATE_LABELS[batch.state])
        self._say(self._note or "Les imports de cette base. Entrée sur un import : l'annuler "
                  "(seulement si aucun de ses dossiers n'a été modifié ou utilisé depuis).")
        self._note = None
        table.focus()

    def _undo(self, batch: Batch) -> None:
        from insterm.tui.screens.confirm import ConfirmModal

        if batch.state == "undone":
            self._say(f"L'import n° {batch.id} est déjà annulé.")
            return
        actor = self.insterm.actor

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.run_clinic(lambda clinic: clinic.undo_import(actor, batch.id),
                                done=lambda count: self._undone(batch, count),
                                failed=self._refused_undo, doing="l'annulation de l'import")

        self.app.push_screen(ConfirmModal(
            f"Annuler l'import n° {batch.id} ({batch.source_name}) ?",
            "Chaque dossier créé par cet import est retiré : gardé dans la base pour le "
            "journal, il n'apparaît plus dans la recherche, les doublons ni les exports, et son "
            "INS reçu quitte la liste des vérifications. C'est refusé si l'un de ces dossiers a "
            "été modifié ou utilisé depuis.", "Annuler l'import"), callback=answered)

    def _undone(self, batch: Batch, count: int) -> None:
        self._note = f"Import n° {batch.id} annulé : {count} dossier(s) retiré(s)."
        self.action_batches()

    def _refused_undo(self, error: BaseException) -> None:
        self._refused(error)
        self.allowed = True
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#import-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        """Enter on a held row of the report: the duplicates screen on its record; on an
        import of the F7 list: offer to undo it."""
        if self.batches and event.cursor_row < len(self.batches):
            self._undo(self.batches[event.cursor_row])
            return
        if event.cursor_row >= len(self.rows):
            return
        row = self.rows[event.cursor_row]
        if row.identity_id is None:
            self._say("Une ligne refusée n'a pas créé de dossier : corrigez-la dans le fichier "
                      "d'origine (motif dans le rapport).")
            return
        from insterm.tui.screens.duplicates import DuplicatesScreen

        self.app.push_screen(DuplicatesScreen(row.identity_id))

    def action_back(self) -> None:
        if self.running:
            self._stop = True
        self.dismiss(None)
