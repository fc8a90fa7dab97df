"""Options and helpers shared by the store subcommands (lookup, db, audit, backup, restore).

Standard library only: `insterm lookup` imports this module on its fast path.
"""

from __future__ import annotations

import os
import sys

if False:  # annotations only: importing argparse or typing would slow `insterm lookup`
    import argparse


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="FICHIER", default=None,
        help="base de données à utiliser (sinon INSTERM_DB, le fichier de réglages, "
             "ou l'emplacement par défaut)",
    )


def db_path(args: argparse.Namespace):
    """The database the command works on, as an absolute path (it may not exist)."""
    from insterm.config import resolve_db_path

    return resolve_db_path(getattr(args, "db", None)).absolute()


def existing_db(args: argparse.Namespace, *, announce: bool = True):
    """`db_path`, which must be an existing file (`DatabaseMissing` otherwise: every command but
    `db init` refuses a path that does not exist rather than create or judge an empty base).
    With `announce`, the command says first which file it works on."""
    from insterm.store.errors import DatabaseMissing

    path = db_path(args)
    if not path.is_file():
        raise DatabaseMissing(path)
    if announce:
        print(f"Base : {path}", flush=True)
    return path


def db_path_text(args: argparse.Namespace) -> str:
    """`db_path` for the fast `lookup` path: --db and INSTERM_DB (the first two places
    `insterm.config.resolve_db_path` looks at) as plain strings, without importing pathlib,
    platformdirs or the settings reader; the other places through `db_path`."""
    given = getattr(args, "db", None) or os.environ.get("INSTERM_DB")
    if given:
        return os.path.expanduser(given)
    return str(db_path(args))


def fail(message: str, code: int = 2) -> int:
    print(message, file=sys.stderr)
    return code
