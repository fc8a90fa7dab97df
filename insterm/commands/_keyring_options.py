"""The keyring of the headless commands (`insi search`, `insi-sim --setup`): the
`--mot-de-passe-fichier` option, and opening the keyring without a desktop.

Order: the Secret Service when one is reachable and unlocked; else the encrypted keyring with
its master password from `--mot-de-passe-fichier FICHIER`, else from systemd's credential
`$CREDENTIALS_DIRECTORY/insterm-trousseau`, else asked on the terminal when there is one. A
password file must be readable by its owner only (mode 0600 or 0400): `insterm.secrets`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO, TypeVar

from insterm.domain.errors import InstermError

if TYPE_CHECKING:  # `insterm lookup` imports this module and no argparse (see insterm.cli)
    import argparse

T = TypeVar("T")

OPTION = "--mot-de-passe-fichier"


def add_password_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        OPTION, dest="password_file", default=None, metavar="FICHIER",
        help="fichier (mode 0600, à vous seul) contenant le mot de passe maître du trousseau "
        "chiffré, pour un usage sans terminal (cron, script) ; sinon le service systemd peut le "
        "donner en credential « insterm-trousseau »")


def with_keyring_opened(open_base: Callable[[], T], out: TextIO,
                        password_file: str | None = None) -> T | None:
    """`open_base()`; when it needs the encrypted keyring (an encrypted base, its key in that
    keyring, which is closed), the keyring is opened the way `open_keyring` does (master
    password from `password_file` or asked on the terminal) and `open_base()` called again.
    None after the French message on `out` when the keyring cannot be opened."""
    try:
        return open_base()
    except InstermError as error:
        from insterm.secrets import MasterPasswordNeeded  # only then: `lookup` stays light

        if not isinstance(error, MasterPasswordNeeded):
            raise
    import argparse

    if not open_keyring(argparse.Namespace(password_file=password_file), out):
        return None
    return open_base()


def open_keyring(args: argparse.Namespace, out: TextIO,
                 ask: Callable[[bool], str] | None = None) -> bool:
    """Open the keyring for a headless command; False with a French message on `out` when it
    cannot be opened. `ask(creating)` asks the password on the terminal (None: the default
    prompt when standard input is a terminal)."""
    from insterm import secrets

    if secrets.current_backend() is not None:
        return True
    try:
        plan = secrets.backend_plan()
        if not plan.needs_master_password:
            secrets.select_backend()
            return True
        master = secrets.unattended_master_password(getattr(args, "password_file", None))
        if master is None:
            if ask is None and sys.stdin is not None and sys.stdin.isatty():
                ask = ask_master_password
            if ask is None:
                print("Le trousseau chiffré d'insterm demande son mot de passe maître : lancez la "
                      f"commande dans un terminal pour le saisir, ou donnez-le par {OPTION} "
                      "FICHIER (un fichier en mode 0600).", file=out)
                return False
            master = ask(plan.kind == "cryptfile_new")
        secrets.select_backend(master)
    except secrets.SecretsError as error:
        print(str(error), file=out)
        return False
    return True


def ask_master_password(creating: bool) -> str:
    """The master password typed on the terminal (not echoed); twice, with its rule, when
    the encrypted keyring is created (`SecretsUnavailable` when the two differ)."""
    import getpass

    from insterm.secrets import MASTER_PASSWORD_RULE

    if not creating:
        return getpass.getpass("Mot de passe maître du trousseau : ")
    first = getpass.getpass("Nouveau mot de passe maître du trousseau chiffré d'insterm "
                            f"({MASTER_PASSWORD_RULE}) : ")
    if getpass.getpass("Confirmez le mot de passe maître : ") != first:
        from insterm.secrets import SecretsUnavailable

        raise SecretsUnavailable("Les deux saisies du mot de passe maître diffèrent : rien n'a "
                                 "été créé.")
    return first
