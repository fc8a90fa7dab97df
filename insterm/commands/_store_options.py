"""Options and helpers shared by the store subcommands (lookup, db, audit, backup, restore)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from insterm.config import resolve_db_path
from insterm.domain.errors import InstermError
from insterm.store.errors import DatabaseMissing

if TYPE_CHECKING:  # argparse is not imported by `insterm lookup WORDS` (see insterm.cli)
    import argparse

    from insterm.clinic import Clinic


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


class OperatorNeeded(InstermError):
    """A headless command that must know who acts, and cannot tell."""


def acting_operator(clinic: Clinic, given: str | None, doing: str) -> str:
    """The login of the operator a headless command acts as: `--operateur` when given, else
    the active operator mapped to this OS account. `OperatorNeeded` (French, saying how to
    name one) when there is neither; `doing` completes "Indiquez qui ...". """
    if given:
        return given
    import getpass

    try:
        os_login: str | None = getpass.getuser()
    except (KeyError, OSError):
        os_login = None
    who = clinic.operator_for_os_login(os_login)
    if who is None:
        raise OperatorNeeded(f"Indiquez qui {doing} : --operateur IDENTIFIANT (aucun opérateur "
                             f"actif n'est associé au compte « {os_login} »).")
    return who.login
