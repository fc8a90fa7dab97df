"""Options and helpers shared by the store subcommands (lookup, db, audit, backup, restore).

Who acts, on the command line (`signed_in_actor`): a command that writes in an operator's name
needs that operator's proof, as the application does. The operator mapped to the OS account
running the command (its real user id, `pwd`) is signed in without anything more: that is how
unattended commands (cron, scripts) run, under the account of the person or service mapped in
Réglages > Opérateurs. `--operateur LOGIN` naming someone else asks for their password on the
terminal (never echoed, never an option or an environment variable: those show in `ps` and in
the shell's history); without a terminal it is refused. A wrong password counts towards the
lock exactly as in the application.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


def add_operator_option(parser: argparse.ArgumentParser, doing: str = "agit") -> None:
    """`--operateur IDENTIFIANT`: who acts, when not the operator mapped to this OS account
    (they then prove it: see the module docstring)."""
    parser.add_argument("--operateur", "--operator", dest="operator", metavar="IDENTIFIANT",
                        default=None,
                        help=f"l'opérateur qui {doing} (défaut : celui associé au compte du "
                             "système ; un autre tape son mot de passe)")


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


def ask_password(prompt: str) -> str | None:
    """A password typed on the terminal (not echoed), or None when there is no terminal."""
    if not sys.stdin.isatty():
        return None
    import getpass

    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        return None


def signed_in_actor(clinic: Clinic, requested: str | None) -> str:
    """The login of the operator acting, once they proved who they are (see the module
    docstring); an `InstermError` with a French message otherwise."""
    from insterm.usecases.authentication import SignInRefused, current_os_login

    os_login = current_os_login()
    mapped = clinic.operator_for_os_login(os_login)
    if not requested:
        if mapped is None:
            raise SignInRefused("Indiquez qui agit : --operateur IDENTIFIANT (aucun opérateur "
                                f"actif ne s'identifie par le compte « {os_login or '?'} »).")
        return clinic.sign_in_with_os_account(mapped.login, os_login).operator.login
    login = requested.strip().lower()
    if mapped is not None and mapped.login == login:
        return clinic.sign_in_with_os_account(login, os_login).operator.login
    who = next((o for o in clinic.operators() if o.login == login), None)
    if who is None or not who.active or who.auth_method != "password":
        # the clinic's own refusal says why (unknown, deactivated, another method)
        return clinic.sign_in_with_os_account(login, os_login).operator.login
    password = ask_password(f"Mot de passe de {who.label} : ")
    if password is None:
        raise SignInRefused(f"{who.label} s'identifie par mot de passe : lancez la commande "
                            "dans un terminal pour le taper, ou depuis le compte du poste qui "
                            "lui est associé.")
    return clinic.sign_in_with_password(login, password).operator.login


class CommandFailed(InstermError):
    """A command stops with this French message on standard error and this exit code."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code

    def exit_code(self) -> int:
        return fail(self.message, self.code)


@contextmanager
def acting_operator(args: argparse.Namespace, *, announce: bool = True,
                    refused_code: int = 1) -> Iterator[tuple[Clinic, str]]:
    """The database of `args` open, and the operator who acts signed in (`signed_in_actor` on
    `args.operator`): for every command that writes in an operator's name. `CommandFailed`
    when the base cannot be opened (exit 2), when nobody is named or mapped (2), or when the
    operator named is refused (`refused_code`)."""
    from insterm.clinic import Clinic
    from insterm.config import SettingsError
    from insterm.store.errors import StoreError

    try:
        clinic = Clinic.open(existing_db(args, announce=announce))
    except (StoreError, SettingsError) as error:
        raise CommandFailed(str(error)) from error
    requested = getattr(args, "operator", None)
    with clinic:
        try:
            actor = signed_in_actor(clinic, requested)
        except InstermError as error:
            raise CommandFailed(str(error), refused_code if requested else 2) from error
        yield clinic, actor
