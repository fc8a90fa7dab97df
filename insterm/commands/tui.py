"""`insterm` with no subcommand: the full-screen application on the practice's database.

The database is `--db`, else `INSTERM_DB`, else the settings file, else the default place
(`insterm.config.resolve_db_path`). It must exist (`insterm db init` creates it); the first
start on an empty database offers to create the administrator, with their proof. The operator
mapped to the OS account running the program is signed in at once; anyone else proves who they
are in "Qui travaille ?" (`--operator LOGIN` pre-selects them; they still type their password).

Textual is imported only here, when the application really starts.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser, *, prefix: str = "") -> None:
    """`--db` and `--operator`; `prefix` is put before their `dest` (the top-level parser
    uses "global_" so that a subcommand's own `--db` never shadows it:
    `insterm.cli_parser.parse_command_line` hands them to the subcommand)."""
    parser.add_argument(
        "--db", metavar="FICHIER", default=None, dest=f"{prefix}db",
        help="base de données à utiliser (sinon INSTERM_DB, le fichier de réglages, "
             "ou l'emplacement par défaut)",
    )
    parser.add_argument(
        "--operator", "--operateur", metavar="IDENTIFIANT", default=None,
        dest=f"{prefix}operator",
        help="l'opérateur qui travaille (il prouve son identité : compte du poste associé, "
             "sinon son mot de passe ; par défaut, l'opérateur du compte du poste)",
    )


def run(args: argparse.Namespace) -> int:
    return run_app(getattr(args, "db", None), getattr(args, "operator", None))


def run_app(db: str | None, operator: str | None) -> int:
    from insterm.config import SettingsError, resolve_db_path
    from insterm.store.errors import StoreError

    try:
        path = resolve_db_path(db)
    except SettingsError as error:
        print(f"insterm : {error}", file=sys.stderr)
        return 2
    from insterm.clinic import Clinic
    from insterm.commands._keyring_options import with_keyring_opened

    try:  # an encrypted base: its key may be in the encrypted keyring, opened first
        opened = with_keyring_opened(lambda: Clinic.open(path), sys.stderr)
    except StoreError as error:
        print(f"insterm : {error.message}", file=sys.stderr)
        return 2
    if opened is None:
        return 2
    clinic = opened
    try:
        from insterm.tui.app import InstermApp

        app = InstermApp(clinic, operator_login=operator, card_watch=True)
        app.run()
        return app.return_code or 0
    finally:
        clinic.close()
