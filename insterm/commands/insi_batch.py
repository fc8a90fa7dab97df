"""`insterm insi verifier-lot [--qualifiees-avant DATE] [--rapport FICHIER.csv]
[--operateur IDENTIFIANT]`: verify with INSi, one at a time, every received INS not verified
yet (or, with --qualifiees-avant, every qualified identity INSi last answered for before that
day), applying only what is safe (`insterm.usecases.batch_verification`).

On a terminal: a progress bar with the rate and the time left; otherwise a plain line every 100
identities. Ctrl+C stops after the identity in progress (a second Ctrl+C interrupts at once);
what was done is kept and a re-run takes only the rest.

Exit code: 0 every identity answered and nothing is left for a person; 1 some identities are
still to verify (INSi did not answer, the run was stopped or interrupted): run it again later;
2 error (database, operator, keyring, certificate, settings: nothing was sent); 3 every identity
answered but some are left for a person (traits or INS different, not found, several).
"""

from __future__ import annotations

import argparse
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from insterm.commands._interrupt import stop_on_ctrl_c

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from insterm.clinic import Clinic
    from insterm.usecases.batch_verification import BatchProgress, BatchReport

PLAIN_EVERY = 100  # identities between two progress lines when stdout is not a terminal
EXIT_DONE, EXIT_LEFT, EXIT_ERROR, EXIT_REVIEW = 0, 1, 2, 3


def configure(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from insterm.cli_parser import date_option
    from insterm.commands._keyring_options import add_password_file_option
    from insterm.commands._store_options import add_db_option, add_operator_option
    from insterm.domain.dates import DATE_FORMATS

    parser = sub.add_parser(
        "verifier-lot", add_help=False,
        help="vérifier avec INSi, par lot, les INS reçus non vérifiés",
        description="Vérifie avec INSi, un par un, chaque INS reçu non vérifié (import, autre "
                    "logiciel) ; un INS confirmé avec des traits identiques est appliqué, le "
                    "reste attend une personne. Code de sortie : 0 tout est vérifié, 1 il en "
                    "reste à vérifier (relancez plus tard), 2 erreur, 3 certains sont à revoir "
                    "par une personne.")
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    parser.add_argument("--qualifiees-avant", dest="qualified_before", metavar="DATE",
                        type=date_option("date"), default=None,
                        help="re-vérifier plutôt les identités qualifiées dont la dernière "
                             f"réponse INSi est antérieure à cette date ({DATE_FORMATS})")
    parser.add_argument("--rapport", metavar="FICHIER.csv", default=None,
                        help="écrire le rapport (une ligne par identité) dans ce fichier CSV")
    add_operator_option(parser, "vérifie")
    add_db_option(parser)
    add_password_file_option(parser)


def run(args: argparse.Namespace) -> int:
    from insterm.commands._store_options import CommandFailed, acting_operator

    try:
        with acting_operator(args, refused_code=EXIT_ERROR) as (clinic, actor):
            return _verify(clinic, actor, args)
    except CommandFailed as failure:
        return failure.exit_code()


def _verify(clinic: Clinic, actor: str, args: argparse.Namespace) -> int:
    from insterm.commands._keyring_options import open_keyring
    from insterm.domain.errors import InstermError

    try:
        work = clinic.batch_work(args.qualified_before)
        rate = clinic.batch_rate()
    except InstermError as error:
        print(error.message, file=sys.stderr)
        return EXIT_ERROR
    print(f"Vérification INSi par lot : {work.label}, {rate:g} appel(s) par seconde au plus.",
          flush=True)
    if not open_keyring(args, sys.stderr):
        return EXIT_ERROR
    stop = threading.Event()
    try:
        with stop_on_ctrl_c(stop, "Arrêt demandé : fin de l'identité en cours (Ctrl+C encore : "
                                  "arrêt immédiat)."), _progress_display() as show:
            report = clinic.verify_batch(actor, work, rate=rate, cancel=stop, progress=show)
    except InstermError as error:
        print(error.message, file=sys.stderr)
        return EXIT_ERROR
    finally:
        clinic.insi_runtime.close()
    _print_report(report)
    if args.rapport:
        try:
            lines = clinic.write_batch_report(actor, report, Path(args.rapport))
        except InstermError as error:
            print(error.message, file=sys.stderr)
            return EXIT_ERROR
        print(f"Rapport : {args.rapport} ({lines} ligne(s)).")
    return exit_code(report)


def exit_code(report: BatchReport) -> int:
    from insterm.usecases.batch_verification import Outcome

    if report.stopped is not None and not report.cancelled and report.done == 0 \
            and report.left > 0:
        return EXIT_ERROR  # nothing could be sent (keyring, certificate, settings)
    if report.left > 0:
        return EXIT_LEFT
    review = (Outcome.DIFFERS, Outcome.NOT_FOUND, Outcome.AMBIGUOUS)
    return EXIT_REVIEW if any(report.count(outcome) for outcome in review) else EXIT_DONE


def duration_fr(seconds: float | None) -> str:
    from insterm.usecases.batch_verification import duration_fr as said

    return said(seconds)


@contextmanager
def _progress_display() -> Iterator[Callable[[BatchProgress], None]]:
    """A rich progress bar on a terminal, else a plain line every `PLAIN_EVERY` identities."""
    if not sys.stdout.isatty():
        def plain(progress: BatchProgress) -> None:
            if progress.done % PLAIN_EVERY == 0 or progress.done == progress.total:
                print(f"{progress.done}/{progress.total} identité(s), "
                      f"{progress.rate:.1f}/s, reste environ {duration_fr(progress.seconds_left)}",
                      flush=True)

        yield plain
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("Vérification"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[rate]}/s, reste {task.fields[left]}"),
                  transient=False) as bar:
        task = bar.add_task("lot", total=None, rate="?", left="?")

        def show(progress: BatchProgress) -> None:
            bar.update(task, total=progress.total, completed=progress.done,
                       rate=f"{progress.rate:.1f}", left=duration_fr(progress.seconds_left))

        yield show


def _print_report(report: BatchReport) -> None:
    from insterm.usecases.batch_verification import Outcome

    for line in report.lines:
        if line.outcome not in (Outcome.APPLIED, Outcome.CONFIRMED):
            print(f"IPP {line.ipp} {line.name} : {line.outcome.label}. {line.message}")
    rows = [("Confirmés et appliqués", report.count(Outcome.APPLIED)),
            ("Confirmés (rien à appliquer)", report.count(Outcome.CONFIRMED)),
            ("À revoir (traits ou INS différents)", report.count(Outcome.DIFFERS)),
            ("Non trouvés", report.count(Outcome.NOT_FOUND)),
            ("Plusieurs identités", report.count(Outcome.AMBIGUOUS)),
            ("Erreurs (restent à vérifier)", report.count(Outcome.ERROR))]
    print(f"\n{report.done} identité(s) traitée(s) sur {report.total} "
          f"en {duration_fr(report.seconds)} :")
    for label, count in rows:
        print(f"  {label:<38} {count:>6}")
    if report.skipped:
        print(f"  {'Déjà vérifiés entre-temps':<38} {report.skipped:>6}")
    if report.stopped:
        print(report.stopped, file=sys.stderr)
    print(f"Reste(nt) à vérifier : {report.left}." + (
        " Relancez « insterm insi verifier-lot » plus tard : seul ce qui reste sera vérifié."
        if report.left else ""))
