"""Vérification INSi par lot: the received INS not verified yet (an import, another software),
verified with INSi one at a time (`Clinic.verify_batch`).

The count of received INS waiting is shown on opening, with what stops INSi calls on this
workstation (certificate, settings) and the keyring's master password field (or the CPS code)
when it is needed, as on the single-call INSi screens. F2 runs the batch in a thread worker
whose database phases (plan, record, apply) each take the clinic lock briefly
(`app.call_clinic`), the INSi exchanges running without it, so the rest of the application
stays usable, as on "Appels INSi en attente". A progress bar with the rate and the time left
follows it; F8 stops after the identity in progress. A confirmed INS with identical traits is
applied; everything else is left for a person and listed in the report table, one row per
identity; Enter opens the record of a row."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from insterm.tui.screens.base import InstermScreen
from insterm.tui.widgets.insi_readiness import ReadinessPanel, readiness_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import ComposeResult

    from insterm.clinic import Clinic
    from insterm.usecases.batch_verification import BatchLine, BatchProgress, BatchReport
    from insterm.usecases.insi_readiness import InsiReadiness

STYLES = {"applied": "bold green", "confirmed": "green", "differs": "bold yellow",
          "not_found": "yellow", "ambiguous": "yellow", "error": "bold red"}


class BatchVerificationScreen(InstermScreen[None]):
    TITLE = "Vérification INSi par lot"
    HELP = (
        "Vérification INSi par lot des INS reçus d'ailleurs (import d'un ancien logiciel, "
        "courrier...) : un INS reçu n'est jamais utilisé avant qu'INSi le confirme.\n"
        "F2 vérifie, un par un, chaque INS reçu en attente, au débit du réglage insi.batch_rate "
        "(appels par seconde). Un INS confirmé par INSi avec des traits identiques au dossier, "
        "sans collision, est appliqué (identité récupérée, ou qualifiée si une pièce d'identité "
        "a été contrôlée). Tout le reste (traits ou INS différents, non trouvé, plusieurs "
        "identités) attend une personne : rien n'est changé, la ligne du rapport dit quoi "
        "revoir. Une erreur (réseau, service) laisse l'INS en attente pour une prochaine "
        "vérification ; après 5 échecs de suite, la vérification s'arrête.\n"
        "F8 arrête après l'identité en cours ; F2 reprend ce qui reste. Entrée ouvre la fiche "
        "de la ligne choisie. La même vérification en ligne de commande : « insterm insi "
        "verifier-lot ». Échap revient."
    )
    DEFAULT_CSS = """
    BatchVerificationScreen #batch-message { height: auto; padding: 0 1; }
    BatchVerificationScreen #batch-message.-error { color: $error; text-style: bold; }
    BatchVerificationScreen #batch-progress { display: none; height: 1; padding: 0 1; }
    BatchVerificationScreen #batch-progress.-shown { display: block; }
    BatchVerificationScreen #batch-counts { height: auto; padding: 0 1; }
    BatchVerificationScreen #batch-table { height: 1fr; }
    BatchVerificationScreen #batch-detail { height: 3; padding: 0 1; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="batch_verification.back"),
        Binding("f2", "run", "Vérifier", id="batch_verification.run"),
        Binding("f8", "stop", "Arrêter", id="batch_verification.stop"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.waiting: int | None = None
        self.readiness: InsiReadiness | None = None
        self.lines: list[BatchLine] = []
        self.report: BatchReport | None = None
        self.running = False
        self._stop = threading.Event()

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("Chargement...", id="batch-message", markup=False)
        yield ReadinessPanel("batch")
        yield ProgressBar(id="batch-progress", show_eta=False)
        yield Static("", id="batch-counts", markup=False)
        table: DataTable[str | Text] = DataTable(id="batch-table", cursor_type="row",
                                                 zebra_stripes=False)
        table.add_column("Patient (IPP)", key="patient", width=32)
        table.add_column("Résultat", key="outcome", width=19)
        table.add_column("Statut", key="status", width=13)
        yield table
        yield Static("", id="batch-detail", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#batch-table", DataTable).focus()
        self._load()

    def _load(self) -> None:
        def read(clinic: Clinic) -> tuple[int, float, InsiReadiness]:
            return clinic.received_ins_waiting(), clinic.batch_rate(), clinic.insi_readiness()

        self.run_clinic(read, done=self._show_waiting, group="batch-load", exclusive=True,
                        doing="la lecture des INS reçus en attente")

    def _show_waiting(self, counted: tuple[int, float, InsiReadiness]) -> None:
        self.waiting, rate, self.readiness = counted
        self._show_readiness()
        self.refresh_bindings()
        if self.report is not None:
            return  # the report's own message stays
        if self.waiting:
            self._say(f"{self.waiting} INS reçu(s) attendent leur vérification INSi. F2 les "
                      f"vérifie, un par un ({rate:g} appel(s) par seconde au plus).")
        else:
            self._say("Aucun INS reçu en attente de vérification INSi.")

    def _show_readiness(self) -> None:
        readiness, panel = self.readiness, self.query_one(ReadinessPanel)
        if readiness is None:
            panel.clear()
            return
        asks = readiness.needs_master_password or readiness.needs_cps_pin
        panel.show(readiness_text(readiness, ascii=self.insterm.look.ascii),
                   line=not readiness.ready or bool(readiness.warnings),
                   keyring=readiness.needs_master_password, pin=readiness.needs_cps_pin,
                   can_remember=readiness.pin_memory_allowed)
        if asks and not self.running:
            panel.focus_password()

    @on(ReadinessPanel.Unlock)
    def _unlock(self, message: ReadinessPanel.Unlock) -> None:
        message.stop()
        password = message.password
        self.run_clinic(lambda clinic: clinic.open_keyring(password), done=self._unlocked,
                        failed=self._not_unlocked, doing="l'ouverture du trousseau")

    @on(ReadinessPanel.CardPin)
    def _card_pin(self, message: ReadinessPanel.CardPin) -> None:
        message.stop()
        pin, remember, actor = message.pin, message.remember, self.insterm.actor
        self.run_clinic(lambda clinic: clinic.sign_in_card(actor, pin, remember=remember),
                        done=self._unlocked, failed=self._not_unlocked,
                        doing="la connexion à la carte CPS")

    def _unlocked(self, _result: object) -> None:
        self.query_one(ReadinessPanel).say("")
        self.query_one("#batch-table", DataTable).focus()
        self._load()

    def _not_unlocked(self, problem: BaseException) -> None:
        from insterm.tui.errors import french_message

        panel = self.query_one(ReadinessPanel)
        panel.say(french_message(problem, doing="l'ouverture du trousseau"))
        panel.focus_password()

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#batch-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run":
            return (not self.running and bool(self.waiting) and self.readiness is not None
                    and self.readiness.ready)
        if action == "stop":
            return self.running
        return True

    def action_back(self) -> None:
        self._stop.set()  # a run in progress ends after its identity
        self.dismiss(None)

    def action_stop(self) -> None:
        if self.running:
            self._stop.set()
            self._say("Arrêt après l'identité en cours...")

    def action_run(self) -> None:
        if not self.check_action("run", ()):
            return
        app, actor = self.insterm, self.insterm.actor
        self.running = True
        self._stop = stop = threading.Event()
        self.lines, self.report = [], None
        self.query_one("#batch-table", DataTable).clear()
        self.query_one("#batch-counts", Static).update("")
        progress_bar = self.query_one("#batch-progress", ProgressBar)
        progress_bar.update(total=self.waiting, progress=0)
        progress_bar.add_class("-shown")
        self._say("Vérification en cours... F8 arrête après l'identité en cours.")
        self.refresh_bindings()

        def locked(phase: Callable[[], Any]) -> Any:
            return app.call_clinic(lambda _clinic: phase())

        def show(progress: BatchProgress) -> None:
            app.call_from_thread(self._progressed, progress)

        def work() -> BatchReport:
            work_item = app.call_clinic(lambda clinic: clinic.batch_work())
            return app.clinic.verify_batch(actor, work_item, locked=locked, cancel=stop,
                                           progress=show)

        self.run_in_thread(work, done=self._finished, failed=self._failed,
                           group="batch-run", exclusive=True,
                           doing="la vérification INSi par lot")

    def _progressed(self, progress: BatchProgress) -> None:
        if not self.is_attached:  # left with Escape: the run ends after this identity
            return
        bar = self.query_one("#batch-progress", ProgressBar)
        bar.update(total=progress.total, progress=progress.done)
        if not self._stop.is_set():
            from insterm.usecases.batch_verification import duration_fr

            self._say(f"{progress.done}/{progress.total} vérifié(s), {progress.rate:.1f} par "
                      f"seconde, reste environ {duration_fr(progress.seconds_left)}. F8 arrête.")
        if progress.line is not None:
            self._add(progress.line)

    def _add(self, line: BatchLine) -> None:
        self.lines.append(line)
        status = (line.status_after if line.status_after == line.status_before
                  else f"{line.status_before} -> {line.status_after}")
        self.query_one("#batch-table", DataTable).add_row(
            f"{line.name} ({line.ipp})",
            Text(line.outcome.label, style=STYLES.get(line.outcome.value, "")), status,
            key=str(len(self.lines)))

    def _finished(self, report: BatchReport) -> None:
        self.running = False
        self.report = report
        self.query_one("#batch-counts", Static).update(report.summary_fr)
        if report.stopped is None:
            self._say(f"Vérification terminée : {report.done} identité(s) vérifiée(s). Entrée "
                      "ouvre la fiche d'une ligne.")
        else:
            self._say(f"{report.stopped} {report.left} INS reçu(s) restent à vérifier : F2 "
                      "reprend ce qui reste.", error=not report.cancelled)
        self.waiting = report.left
        self.refresh_bindings()
        if report.stopped is not None and not report.cancelled:
            self._load()  # what stopped it (keyring, certificate...) and its field

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self.refresh_bindings()
        self.insterm.report_error(error, doing="la vérification INSi par lot")
        self._load()

    @on(DataTable.RowHighlighted, "#batch-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The whole message of the highlighted row."""
        if event.cursor_row >= len(self.lines):
            return
        line = self.lines[event.cursor_row]
        self.query_one("#batch-detail", Static).update(
            f"{line.name} ({line.ipp}) : {line.outcome.label}. {line.message}")

    @on(DataTable.RowSelected, "#batch-table")
    def action_open(self) -> None:
        """Enter on a row: the patient's record."""
        table = self.query_one("#batch-table", DataTable)
        if not self.lines or table.cursor_row >= len(self.lines):
            return
        from insterm.tui.screens.record import RecordScreen

        self.app.push_screen(RecordScreen(self.lines[table.cursor_row].identity_id))
