"""Appels INSi en attente: the calls put aside while INSi was down (F5 "Plus tard" on the INSi
screens), and F2 to make them again, one at a time, when the service is back.

The batch runs in a thread worker, holding the clinic lock only for each call's short database
phases (as `insterm.tui.insi_call.call_in_phases` does), so the rest of the application stays
usable; F8 stops it after the current call. Nothing is applied: a call INSi answers leaves the
list and its row says what came back; Enter opens the patient's record, where F4 shows the
answer anew for the operator to accept or refuse (a second, logged call: the decision is made
on a fresh answer, as in the single-call flow)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, ProgressBar, Static

from insterm.domain.display_name import main_name
from insterm.tui.screens.base import InstermScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from insterm.clinic import Clinic
    from insterm.store.pending import PendingItem
    from insterm.tui.app import InstermApp

OPERATIONS = {"search": "Rech.", "verify": "Vérif."}  # short: the outcome needs the room


@dataclass(frozen=True, slots=True)
class Row:
    item: PendingItem
    patient: str


def load_rows(clinic: Clinic) -> list[Row]:
    rows = []
    for item in clinic.insi_pending():
        record = clinic.get(item.identity_id)
        rows.append(Row(item, f"{main_name(record)} ({record.ipp})"))
    return rows


def outcome_text(item: PendingItem) -> Text:
    if item.answer_code == "00":
        return Text("réponse 00 : à décider (Entrée)", style="bold green")
    if item.answer_code is not None:
        return Text(f"réponse {item.answer_code} : voir la fiche (Entrée)", style="bold")
    return Text(item.last_outcome or item.reason, style="yellow")


def try_once(app: InstermApp, actor: str, item: PendingItem) -> PendingItem:
    """One more try of `item`: the plan and the record under the clinic lock
    (`app.call_clinic`), the network exchange without it."""
    plan = app.call_clinic(lambda clinic: clinic.plan_pending_try(actor, item))
    exchange = plan.exchange()
    return app.call_clinic(lambda clinic: clinic.record_pending_try(
        actor, item, clinic.record_insi_exchange(exchange)))


class InsiPendingScreen(InstermScreen[None]):
    TITLE = "Appels INSi en attente"
    HELP = (
        "Appels INSi en attente : les recherches et vérifications que le service INSi n'a pas "
        "pu traiter (réseau, délai dépassé, service indisponible), mises de côté avec F5 « Plus "
        "tard ». Le statut des identités n'a pas changé.\n"
        "F2 relance les appels un par un ; F8 arrête après l'appel en cours. F3 ouvre la "
        "vérification INSi par lot des INS reçus (import), qui applique ce qu'INSi confirme. "
        "Un appel auquel INSi répond quitte la liste ; sa ligne dit la réponse. Entrée ouvre la fiche du "
        "patient : F4 puis F2 y refont l'appel, dont la réponse s'affiche pour être "
        "acceptée ou refusée (rien n'est appliqué sans vous). La même relance en ligne de "
        "commande : « insterm insi reprendre ». Échap revient."
    )
    DEFAULT_CSS = """
    InsiPendingScreen #pending-message { height: auto; padding: 0 1; }
    InsiPendingScreen #pending-message.-error { color: $error; text-style: bold; }
    InsiPendingScreen #pending-progress { display: none; height: 1; padding: 0 1; }
    InsiPendingScreen #pending-progress.-shown { display: block; }
    InsiPendingScreen #pending-table { height: 1fr; }
    InsiPendingScreen #pending-detail { height: 2; padding: 0 1; background: $boost; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="pending.back"),
        Binding("f2", "retry", "Relancer", id="pending.retry"),
        Binding("f3", "batch", "Vérif. par lot", id="pending.batch"),
        Binding("f8", "stop", "Arrêter", id="pending.stop"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.running = False
        self._stop = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static("Chargement...", id="pending-message", markup=False)
        yield ProgressBar(id="pending-progress", show_eta=True)
        table: DataTable[str | Text] = DataTable(id="pending-table", cursor_type="row",
                                                 zebra_stripes=False)
        table.add_column("Patient (IPP)", key="patient", width=30)
        table.add_column("Appel", key="operation", width=6)
        table.add_column("Essais", key="tries", width=6)
        table.add_column("Dernier résultat", key="outcome", width=31)
        yield table
        yield Static("", id="pending-detail", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#pending-table", DataTable).focus()
        self.run_clinic(load_rows, done=self._show_rows, group="pending-load", exclusive=True,
                        doing="la lecture des appels en attente")

    def _show_rows(self, rows: list[Row]) -> None:
        self.rows = rows
        self._redraw()
        self._say(f"{len(rows)} appel(s) en attente. F2 les relance." if rows else
                  "Aucun appel INSi en attente.")

    def _redraw(self) -> None:
        table = self.query_one("#pending-table", DataTable)
        table.clear()
        for row in self.rows:
            table.add_row(row.patient, OPERATIONS.get(row.item.operation, row.item.operation),
                          str(row.item.tries), outcome_text(row.item), key=str(row.item.id))
        self.refresh_bindings()

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#pending-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return not self.running and any(r.item.answered_at is None for r in self.rows)
        if action == "stop":
            return self.running
        return True

    def action_back(self) -> None:
        if self.running:
            self._stop = True
        self.dismiss(None)

    def action_batch(self) -> None:
        """The batch verification of the received INS (its own screen)."""
        from insterm.tui.screens.batch_verification import BatchVerificationScreen

        self.app.push_screen(BatchVerificationScreen())

    def action_stop(self) -> None:
        self._stop = True
        self._say("Arrêt après l'appel en cours...")

    @on(DataTable.RowHighlighted, "#pending-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted call's whole last outcome (the column shows its start)."""
        if event.cursor_row >= len(self.rows):
            return
        row = self.rows[event.cursor_row]
        self.query_one("#pending-detail", Static).update(
            f"{row.patient} : {outcome_text(row.item).plain}")

    @on(DataTable.RowSelected, "#pending-table")
    def action_open(self) -> None:
        """Enter on a row: the patient's record."""
        table = self.query_one("#pending-table", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return
        from insterm.tui.screens.record import RecordScreen

        self.app.push_screen(RecordScreen(self.rows[table.cursor_row].item.identity_id))

    def action_retry(self) -> None:
        if not self.check_action("retry", ()):
            return
        waiting = [row.item for row in self.rows if row.item.answered_at is None]
        app, actor = self.insterm, self.insterm.actor
        self.running, self._stop = True, False
        self.refresh_bindings()
        progress = self.query_one("#pending-progress", ProgressBar)
        progress.update(total=len(waiting), progress=0)
        progress.add_class("-shown")

        def work() -> tuple[int, int]:
            answered = tried = 0
            for number, item in enumerate(waiting, start=1):
                if self._stop:
                    break
                app.call_from_thread(self._say, f"Appel {number}/{len(waiting)} en cours...")
                after = try_once(app, actor, item)
                tried += 1
                answered += after.answer_code is not None
                app.call_from_thread(self._replace, after)
                app.call_from_thread(progress.advance, 1)
            return answered, tried

        def done(counts: tuple[int, int]) -> None:
            answered, tried = counts
            self.running = False
            still = sum(1 for r in self.rows if r.item.answered_at is None)
            stopped = " (arrêté)" if tried < len(waiting) else ""
            self._say(f"{tried} appel(s) relancé(s){stopped} : {answered} réponse(s) d'INSi, "
                      f"{still} toujours en attente. Entrée ouvre la fiche d'une ligne.")
            self.refresh_bindings()

        def failed(error: BaseException) -> None:
            self.running = False
            self.refresh_bindings()
            self.insterm.report_error(error, doing="la relance des appels INSi")

        self.run_in_thread(work, done=done, failed=failed, group="pending-retry",
                           exclusive=True, doing="la relance des appels INSi")

    def _replace(self, item: PendingItem) -> None:
        self.rows = [Row(item, row.patient) if row.item.id == item.id else row
                     for row in self.rows]
        self._redraw()
