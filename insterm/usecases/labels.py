"""Printed INS labels (datamatrix of ins-rules 6.4) for a QUAL identity, as a PDF or on a
CUPS printer.

One audit event `ins_labels_printed` on the identity (who, when, format, how many labels, the
PDF's SHA-256, the file written or the printer). A non-QUAL identity is refused with a French
message and nothing is written. The PDF goes to a temporary name, renamed when complete; for a
printer it is handed to `lp` (CUPS) from a temporary file, removed afterwards.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from insterm.atomic_file import write_atomically
from insterm.domain.errors import echoed
from insterm.exchange import files, labels
from insterm.exchange.identity import ExportRefused
from insterm.store import identities
from insterm.usecases.context import Context
from insterm.usecases.exports import exchange_identity

ACTION = "ins_labels_printed"
LP_TIMEOUT_S = 30


@dataclass(frozen=True, slots=True)
class LabelsResult:
    ipp: str
    count: int
    format: str
    sha256: str
    path: Path | None  # the PDF written
    printer: str | None  # or the printer it was sent to

    @property
    def message(self) -> str:
        where = (f"envoyées à l'imprimante « {self.printer} »" if self.printer
                 else f"écrites dans {self.path}")
        return (f"{self.count} étiquette(s) INS de l'IPP {self.ipp} ({labels.FORMATS[self.format].label}) "
                f"{where}.")


def _format(name: str) -> labels.LabelFormat:
    try:
        return labels.FORMATS[name]
    except KeyError:
        raise ExportRefused(f"Format d'étiquettes inconnu « {echoed(name)} » : "
                            + ", ".join(f"{k} ({v.label})" for k, v in labels.FORMATS.items())
                            + ".", field="format") from None


def _print(pdf: Path, printer: str, copies_title: str) -> None:
    lp = shutil.which("lp")
    if lp is None:
        raise ExportRefused("La commande « lp » (CUPS) est introuvable sur ce poste : "
                            "enregistrez les étiquettes en PDF (--sortie) ou installez CUPS.",
                            field="printer")
    try:
        done = subprocess.run([lp, "-d", printer, "-t", copies_title, "--", str(pdf)],
                              capture_output=True, text=True, timeout=LP_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ExportRefused(f"L'impression n'a pas pu être lancée : {error}",
                            field="printer") from None
    if done.returncode != 0:
        said = echoed((done.stderr or done.stdout).strip(), 200)
        raise ExportRefused(f"L'imprimante « {echoed(printer)} » a refusé le travail : {said}",
                            field="printer")


def print_labels(ctx: Context, actor: str, ipp: str, *, format_name: str = "3x8",
                 count: int | None = None, output: Path | None = None,
                 printer: str | None = None) -> LabelsResult:
    """Labels of the QUAL identity `ipp`: to `printer` (CUPS) when given, else the PDF
    `output` (which must then be given)."""
    fmt = _format(format_name)
    if printer is None and output is None:
        raise ExportRefused("Indiquez le fichier PDF à écrire ou l'imprimante.", field="output")
    if output is not None and (output.is_dir() or not output.parent.is_dir()):
        raise ExportRefused(f"« {output} » : indiquez un fichier dans un dossier existant.",
                            field="output")
    with files.StagedFiles() as staged, ctx.change(actor, ACTION) as change:
        record = identities.find_by_ipp(change.conn, ipp.strip())
        if record is None or record.merged_into is not None:
            raise ExportRefused(f"Aucun dossier actif n'a l'IPP « {echoed(ipp)} ».",
                                field="ipp")
        if record.status != "QUAL":
            from insterm.domain.status import Status

            raise ExportRefused(
                f"Étiquettes INS refusées : l'identité IPP {record.ipp} est « "
                f"{Status(record.status).label} ». Le datamatrix INS n'est imprimé que pour "
                "une identité qualifiée (QUAL).", field="status")
        change.identity_id = record.id
        pdf = labels.sheet(exchange_identity(change.conn, record), fmt, count)
        shown = count if count is not None else fmt.per_page
        sha256 = files.digest(pdf)
        change.details.update(format=fmt.name, count=shown, sha256=sha256, ipp=record.ipp,
                              destination=f"imprimante {printer}" if printer
                              else str(output.absolute() if output else ""))
        if printer is not None:
            with tempfile.TemporaryDirectory(prefix="insterm-labels-") as folder:
                pdf_path = Path(folder) / f"etiquettes-{record.ipp}.pdf"
                write_atomically(pdf_path, pdf)
                _print(pdf_path, printer, f"Étiquettes INS {record.ipp}")
        else:
            assert output is not None
            staged.stage(output, pdf)
            staged.publish()
    return LabelsResult(record.ipp, shown, fmt.name, sha256,
                        output.absolute() if output is not None and printer is None else None,
                        printer)
