"""Imprimer des étiquettes INS: the record's dialog for the datamatrix labels of a QUAL
identity (`Clinic.print_labels`).

The operator picks the format (planche A4 3 × 8, étiquette 89 × 36 mm), the number of labels,
and either a PDF file (default: `etiquettes-IPP.pdf` in the home folder) or a CUPS printer
name; F2 prints. A non-QUAL identity is refused by the clinic with its French message, shown
under the fields; nothing is written then. Dismisses with the result, or None (Escape).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from insterm.exchange.labels import FORMATS
from insterm.tui.screens.base import InstermModal

if TYPE_CHECKING:
    from insterm.clinic import Clinic
    from insterm.usecases.labels import LabelsResult


class LabelsModal(InstermModal["LabelsResult | None"]):
    HELP = ("Étiquettes INS d'une identité qualifiée : le datamatrix « INS à scanner », les "
            "traits stricts, le matricule et l'IPP. Choisissez le format, le nombre "
            "d'étiquettes, puis le fichier PDF à écrire ou le nom de l'imprimante (CUPS) ; "
            "une imprimante indiquée passe avant le fichier. F2 imprime, Échap ferme. Seule "
            "une identité qualifiée (QUAL) peut recevoir des étiquettes.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "print", "Imprimer", id="labels.print"),
        Binding("escape", "close", "Fermer", id="labels.close"),
    ]
    DEFAULT_CSS = """
    LabelsModal { align: center middle; }
    LabelsModal > Vertical {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    LabelsModal .labels-title { text-style: bold; width: 100%; }
    LabelsModal .labels-who { width: 100%; color: $text-muted; }
    LabelsModal .labels-label { margin-top: 1; color: $text-muted; }
    LabelsModal #labels-message { color: $error; height: auto; margin-top: 1; }
    LabelsModal .labels-keys { color: $text-muted; }
    """

    def __init__(self, ipp: str, who: str) -> None:
        super().__init__()
        self.ipp = ipp
        self.who = who

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Imprimer des étiquettes INS", classes="labels-title")
            yield Static(f"{self.who}, IPP {self.ipp}", classes="labels-who", markup=False)
            yield Label("Format", classes="labels-label")
            yield Select([(f.label, name) for name, f in FORMATS.items()], value="3x8",
                         allow_blank=False, id="labels-format", compact=True)
            yield Label("Nombre d'étiquettes (vide : une page)", classes="labels-label")
            yield Input(id="labels-count", restrict=r"[0-9]*", max_length=3, compact=True)
            yield Label("Fichier PDF", classes="labels-label")
            yield Input(value=str(Path.home() / f"etiquettes-{self.ipp}.pdf"),
                        id="labels-output", compact=True)
            yield Label("Imprimante CUPS (vide : le fichier PDF ci-dessus)",
                        classes="labels-label")
            yield Input(id="labels-printer", compact=True)
            yield Static("", id="labels-message", markup=False)
            yield Static("F2 : imprimer — Échap : fermer", classes="labels-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#labels-format", Select).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_print()

    def action_print(self) -> None:
        format_name = str(self.query_one("#labels-format", Select).value)
        count_text = self.query_one("#labels-count", Input).value.strip()
        printer = self.query_one("#labels-printer", Input).value.strip() or None
        output_text = self.query_one("#labels-output", Input).value.strip()
        output = Path(output_text).expanduser() if output_text and printer is None else None
        count = int(count_text) if count_text else None
        actor = self.insterm.actor
        message = self.query_one("#labels-message", Static)
        message.update("Impression…")

        def call(clinic: Clinic) -> LabelsResult:
            return clinic.print_labels(actor, self.ipp, format_name=format_name, count=count,
                                       output=output, printer=printer)

        self.run_clinic(call, done=self._printed, failed=self._refused,
                        doing="l'impression des étiquettes INS")

    def _printed(self, result: LabelsResult) -> None:
        self.app.notify(result.message, title="Étiquettes INS")
        self.dismiss(result)

    def _refused(self, error: BaseException) -> None:
        text = getattr(error, "message", None)
        if isinstance(text, str):
            self.query_one("#labels-message", Static).update(text)
        else:
            self.query_one("#labels-message", Static).update("")
            self.insterm.report_error(error, doing="l'impression des étiquettes INS")

    def action_close(self) -> None:
        self.dismiss(None)
