"""Options and helpers shared by the store subcommands (lookup, db, audit, backup, restore)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from insterm.config import resolve_db_path
from insterm.store.errors import DatabaseMissing

if TYPE_CHECKING:  # argparse is not imported by `insterm lookup WORDS` (see insterm.cli)
    import argparse


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="FICHIER", default=None,
        help="base de données à utiliser (sinon INSTERM_DB, le fichier de réglages, "
             "ou l'emplacement par défaut)",
    )


def db_path(args: argparse.Namespace) -> Path:
    """The database the command works on, as an absolute path (it may not exist)."""
    return resolve_db_path(getattr(args, "db", None)).absolute()


def existing_db(args: argparse.Namespace, *, announce: bool = True) -> Path:
    """`db_path`, which must be an existing file (`DatabaseMissing` otherwise: every command but
    `db init` refuses a path that does not exist rather than create or judge an empty base).
    With `announce`, the command says first which file it works on."""
    path = db_path(args)
    if not path.is_file():
        raise DatabaseMissing(path)
    if announce:
        print(f"Base : {path}", flush=True)
    return path


def fail(message: str, code: int = 2) -> int:
    print(message, file=sys.stderr)
    return code
