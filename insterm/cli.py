"""The `insterm` command: no argument opens the terminal application; subcommands work headless.

`insterm lookup WORD... [--db FICHIER]`, the search that scripts and other programs call as a
whole process (benchmarked against a bare sqlite3 query, scripts/bench), goes straight to its
command: building the argparse parser would cost it about a third of the budget. Every other
command line, and any lookup with another option (`--page`, `--help`...), goes through the
parser of `insterm.cli_parser`, which imports only the subcommand it names.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

# subcommand -> (module under insterm.commands, one-line French help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "lookup": ("lookup", "chercher un patient (matricule, IPP, nom [prénom] [date], date)"),
    "db": ("db", "créer la base (init) ou la décrire (info)"),
    "audit": ("audit", "vérifier la chaîne du journal d'audit (verify)"),
    "backup": ("backup", "sauvegarder la base à chaud, puis vérifier la copie"),
    "restore": ("restore", "restaurer une sauvegarde vérifiée"),
    "rapport": ("rapport", "indicateurs d'identitovigilance d'une période (texte, CSV, JSON)"),
    "depliant": ("depliant", "écrire le dépliant d'information des patients sur l'INS (PDF)"),
    "nir": ("nir", "vérifier et décrire un matricule NIR/NIA (13 caractères + clé)"),
    "places": ("places", "chercher un lieu de naissance (commune ou pays) et son code COG"),
    "insi": ("insi_search", "interroger le téléservice INSi (recherche de l'INS par les traits)"),
    "insi-sim": ("insi_sim", "lancer le simulateur INSi local (HTTPS, 127.0.0.1)"),
    "import": ("import_file", "importer un fichier de patients (CSV, archives XDM de "
                              "portabilité) ; --liste, --annuler N"),
    "export": ("export", "exporter des identités : FHIR, HL7 v2 (dossier de dépôt) ou CSV"),
    "etiquettes": ("labels", "imprimer les étiquettes datamatrix INS d'une identité qualifiée"),
    "cartes": ("cartes", "lister les lecteurs de cartes et lire une carte Vitale (--vitale)"),
    "demo": ("demo", "ouvrir l'application sur un cabinet de démonstration (patients fictifs)"),
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole `argparse` parser (see `insterm.cli_parser.build_parser`)."""
    from insterm.cli_parser import build_parser as build

    return build(argv)


def plain_lookup(argv: Sequence[str]) -> tuple[list[str], str | None] | None:
    """The query words and the --db value of `lookup WORD... [--db FICHIER]` when the command
    line is only that (what the parser would read), else None. Any other option, `--`, a
    missing query, or query words on both sides of `--db` (which the parser refuses) go to the
    parser, which explains it in French."""
    if not argv or argv[0] != "lookup":
        return None
    query: list[str] = []
    db = None
    closed = False  # --db came after query words: no more query words may follow
    words = list(argv[1:])
    while words:
        word = words.pop(0)
        if word == "--db" and words and not words[0].startswith("-"):
            db, closed = words.pop(0), bool(query)
        elif word.startswith("--db=") and len(word) > 5:
            db, closed = word[5:], bool(query)
        elif word.startswith("-") or closed:
            return None
        else:
            query.append(word)
    return (query, db) if query else None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line; its exit code. A refusal insterm explains (a typed storage or
    settings error) is printed in French with exit code 2, never a traceback. A closed pipe on
    the standard output (`insterm lookup ... | head -1`) ends the command quietly, with the
    shell's code for SIGPIPE."""
    try:
        code = _run(sys.argv[1:] if argv is None else argv)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at the interpreter's exit
    except BrokenPipeError:
        _drop_stdout()
        return BROKEN_PIPE
    except Exception as error:
        message = _refusal(error)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 2
    return code


BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `cat big | head -1`


def _drop_stdout() -> None:
    """Point the standard output at /dev/null, so that the interpreter's last flush of what
    is still buffered does not fail again (and print a traceback) on the closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout replaced by an object without a descriptor
        pass


def _run(argv: Sequence[str]) -> int:
    plain = plain_lookup(argv)
    if plain is not None:
        from insterm.commands.lookup import lookup

        return lookup(*plain)
    from insterm.cli_parser import parse_command_line

    args = parse_command_line(argv)
    if args.command is None:
        from insterm.commands import tui

        return tui.run_app(args.global_db, args.global_operator)
    module = importlib.import_module(f"insterm.commands.{SUBCOMMANDS[args.command][0]}")
    return int(module.run(args))


def _refusal(error: Exception) -> str | None:
    """The French message of a typed refusal no command caught, or of a file or disk error
    (full disk, I/O error, read-only or locked file): exit 2 with it, never a traceback."""
    from insterm.domain.errors import InstermError
    from insterm.store.errors import storage_error

    if isinstance(error, InstermError) and error.message.strip():
        return error.message
    typed = storage_error(error)
    return typed.message if typed is not None else None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
