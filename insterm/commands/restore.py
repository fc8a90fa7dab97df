"""`insterm restore FICHIER`: replace the database's content by a backup, after checking the
backup (integrity, schema, audit chain); a copy of the current database is kept first.
Exit 0 restored, 1 refused or cancelled, 2 unusable arguments."""

from __future__ import annotations

import argparse

from insterm.commands._store_options import add_db_option


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="FICHIER", help="sauvegarde à restaurer")
    parser.add_argument("--oui", dest="yes", action="store_true",
                        help="ne pas demander de confirmation")
    add_db_option(parser)


def run(args: argparse.Namespace) -> int:
    import sys

    from insterm.commands._store_options import db_path, fail
    from insterm.config import SettingsError, db_group
    from insterm.store.backup import RestoreRefused, check_file, restore
    from insterm.store.errors import StoreError

    try:
        target = db_path(args)
        group = db_group()
    except SettingsError as error:
        return fail(str(error))
    check = check_file(args.source)
    if not check.ok:
        return fail(f"Restauration refusée : {args.source} " + " ; ".join(check.problems)
                    + ". La base actuelle n'a pas été modifiée.", 1)
    if not args.yes:
        print(f"Remplacer le contenu de {target} par {args.source} ? "
              "Une copie de la base actuelle sera gardée. [o/N] ", end="", flush=True)
        try:
            answer = sys.stdin.readline().strip().lower()
        except (OSError, EOFError):
            answer = ""
        if answer not in ("o", "oui"):
            return fail("Restauration annulée : rien n'a été modifié.", 1)
    try:
        after, safety = restore(args.source, target, group=group)
    except RestoreRefused as error:
        return fail(str(error), 1)
    except StoreError as error:
        return fail(str(error))
    print(f"Base restaurée : {target} ({after.audit.message})")
    if safety is not None:
        print(f"Copie de la base précédente : {safety}")
    return 0
