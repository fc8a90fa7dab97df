"""`insterm import`: bring another program's patient file into insterm (administrators).

    insterm import FICHIER [--correspondance MAPPING.toml] [--essai] [--rapport RAPPORT.csv]
    insterm import --liste
    insterm import --annuler N

FICHIER is a CSV (delimiter and encoding detected and shown) or ANS portability archives (one
IHE XDM zip per patient, or a folder of them). The command shows what it found (format, the
column read for each trait), imports in batches with a progress bar (a line every 1,000 rows
when the output is not a terminal), ends with the table of outcomes and writes the CSV report
of every refused or held row (`--rapport`, by default next to the file). Ctrl+C stops cleanly
after the current batch: the same command resumes it. `--essai` does everything and keeps
nothing.

Exit codes: 0 imported (or nothing left to import); 1 refused (French message, nothing
written), or stopped by Ctrl+C before the end; 2 database or settings unusable.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from insterm.commands._interrupt import stop_on_ctrl_c
from insterm.commands._store_options import add_db_option, add_operator_option

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn, Task, TaskID

    from insterm.clinic import Clinic
    from insterm.usecases.imports import ImportPlan, ImportReport


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", metavar="FICHIER",
                        help="CSV, archive XDM (.zip) ou dossier d'archives XDM")
    parser.add_argument("--correspondance", metavar="FICHIER.toml", default=None,
                        help="quelle colonne est quel trait (voir docs/import.md) ; sans lui, "
                             "les en-têtes usuels sont reconnus")
    parser.add_argument("--essai", action="store_true",
                        help="tout faire sans rien garder : ce que l'import donnerait")
    parser.add_argument("--rapport", metavar="FICHIER.csv", default=None,
                        help="rapport des lignes refusées ou retenues (défaut : à côté du "
                             "fichier, suffixe -rapport.csv)")
    parser.add_argument("--liste", action="store_true", help="les imports de cette base")
    parser.add_argument("--annuler", metavar="N", type=int, default=None,
                        help="annuler l'import n° N (aucun de ses dossiers ne doit avoir été "
                             "modifié depuis)")
    add_db_option(parser)
    add_operator_option(parser, "importe")


def run(args: argparse.Namespace) -> int:
    from insterm.commands._store_options import CommandFailed, acting_operator, fail
    from insterm.domain.errors import InstermError
    from insterm.store.errors import StoreError

    if sum((args.file is not None, args.liste, args.annuler is not None)) != 1:
        return fail("Donnez un fichier à importer, ou --liste, ou --annuler N.", 2)
    try:
        with acting_operator(args, announce=False) as (clinic, actor):
            try:
                if args.liste:
                    return _list(clinic)
                if args.annuler is not None:
                    count = clinic.undo_import(actor, args.annuler)
                    print(f"Import n° {args.annuler} annulé : {count} dossier(s) retiré(s).")
                    return 0
                return _import(clinic, actor, args)
            except (InstermError, StoreError) as error:
                return fail(str(error), 1)
            except OSError as error:
                return fail(f"Écriture impossible : {error}.", 1)
    except CommandFailed as failure:
        return failure.exit_code()


def _list(clinic: Clinic) -> int:
    from insterm.usecases.imports import STATE_LABELS

    found = clinic.import_batches()
    if not found:
        print("Aucun import dans cette base.")
    for batch in found:
        print(f"n° {batch.id}  {batch.started_at[:16].replace('T', ' ')}  {batch.source_name}  "
              f"{batch.total} ligne(s)  {STATE_LABELS[batch.state]}")
    return 0


def _describe(plan: ImportPlan) -> None:
    source = plan.source
    print(f"Fichier : {source.path}")
    print(f"Format : {source.description}")
    if plan.mapping is not None:
        print(f"Colonnes ({plan.mapping.source}) :")
        for label, header in plan.mapping.describe():
            print(f"  {label:<38} ← {header}")
    for item in plan.preview[:3]:
        if item.identity is not None:
            t = item.identity.traits
            print(f"  ligne {item.row.key} : {t.birth_name} {t.first_name} "
                  f"{t.birth_date:%d/%m/%Y} {t.sex}")
        else:
            print(f"  ligne {item.row.key} : refusée — {item.refusal}")


def _import(clinic: Clinic, actor: str, args: argparse.Namespace) -> int:
    path = Path(args.file)
    mapping = Path(args.correspondance) if args.correspondance else None
    plan = clinic.inspect_import(actor, path, mapping)
    _describe(plan)
    stop = threading.Event()
    with stop_on_ctrl_c(stop, "Arrêt demandé : fin du lot en cours (Ctrl+C encore pour "
                              "arrêter tout de suite ; le lot en cours serait annulé)."), \
            _Progress(sys.stdout.isatty()) as progress:
        report = clinic.run_import(actor, plan, dry_run=args.essai, progress=progress,
                                   should_stop=stop.is_set)
    _summary(report)
    if report.already is None and report.batch_id is not None:
        written, rows = clinic.write_import_report(
            report.batch_id, Path(args.rapport) if args.rapport else None, path)
        if written is not None:
            print(f"Rapport des {len(rows)} ligne(s) refusée(s) ou retenue(s) : {written}")
    return 1 if report.stopped else 0


def _summary(report: ImportReport) -> None:
    if report.already == "done":
        print(f"Ce fichier a déjà été importé (import n° {report.batch_id}) : rien n'a été "
              "importé deux fois.")
    elif report.already == "undone":
        print(f"L'import de ce fichier a été annulé (import n° {report.batch_id}) : il n'est "
              "pas refait. Modifiez le fichier pour un nouvel import.")
    width = max(len(label) for label, _ in report.lines())
    title = "Essai (rien n'a été gardé)" if report.dry_run else f"Import n° {report.batch_id}"
    print(f"{title} — {report.source_name}, {report.total} ligne(s) en "
          f"{report.seconds:.1f} s :")
    for label, count in report.lines():
        print(f"  {label:<{width}} {count:>8}")
    if report.stopped:
        print("Import interrompu : relancez la même commande pour le terminer.")
    if report.counts.get("held"):
        print("Lignes retenues : à examiner dans l'écran Doublons (ctrl+p « Doublons »).")


class _Progress:
    """A rich progress bar on a terminal (rows, rate, time left); else a plain line every
    1,000 rows."""

    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal
        self.last_line = 0
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _Progress:
        if self.terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("Import"), BarColumn(), MofNCompleteColumn(),
                                _rate_column(), TextColumn("reste"), TimeRemainingColumn(),
                                transient=True)
            self.bar.start()
            self.task = self.bar.add_task("import", total=None)
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done, total=total)
        elif done // 1000 > self.last_line // 1000 or (done == total and done != self.last_line):
            self.last_line = done
            print(f"{done}/{total} lignes", flush=True)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _rate_column() -> ProgressColumn:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} lignes/s".replace(",", " ") if speed else "")

    return Rate()
