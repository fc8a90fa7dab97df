"""Use case: the report of a batch INSi verification as a CSV file (`;`, UTF-8 with BOM, one
line per identity: IPP, name, outcome, statuses before and after, what to do), written
atomically together with its audit event, as any file of patients' identities that leaves
insterm. No INS in it: a received INS is not the patient's INS until confirmed, and the record
holds the confirmed one.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from insterm.atomic_file import StagedFiles
from insterm.usecases.batch_verification import BatchReport
from insterm.usecases.context import Context
from insterm.usecases.errors import ActionRefused

HEADER = ("IPP", "Nom", "Résultat", "Statut avant", "Statut après", "À revoir", "Détail")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def document(report: BatchReport) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for line in report.lines:
        review = line.outcome.value in ("differs", "not_found", "ambiguous")
        writer.writerow(tuple(_cell(value) for value in (
            line.ipp, line.name, line.outcome.label, line.status_before, line.status_after,
            "oui" if review else "non", line.message)))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_report(ctx: Context, actor: str, report: BatchReport, path: Path) -> int:
    """Write the CSV at `path` (atomically: complete or absent), audited
    "insi_batch_report_written"; the number of lines. `ActionRefused` when the folder is
    missing or the file cannot be written."""
    data = document(report)
    path = Path(path)
    if not path.parent.is_dir():
        raise ActionRefused(f"Le dossier {path.parent} n'existe pas : le rapport n'est pas "
                            "écrit.", field="rapport")
    try:
        with StagedFiles() as staged:
            staged.stage(path, data)  # before the write transaction, to keep it short
            with ctx.change(actor, "insi_batch_report_written") as change:
                change.details.update(file=str(path), lines=len(report.lines),
                                      sha256=hashlib.sha256(data).hexdigest(),
                                      work=report.work.kind)
                staged.publish()
    except OSError as error:
        raise ActionRefused(f"Rapport non écrit dans {path} : {error.strerror or error}.",
                            field="rapport") from None
    return len(report.lines)
