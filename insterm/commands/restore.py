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
    from pathlib import Path

    from insterm.commands._store_options import fail
    from insterm.config import DB_FROM_ENV, DB_FROM_OPTION, SettingsError, db_group, locate_db
    from insterm.store.backup import RestoreRefused, check_file, restore
    from insterm.store.errors import DatabaseMissing, StoreError

    try:
        located, origin = locate_db(getattr(args, "db", None))
        group = db_group()
    except SettingsError as error:
        return fail(str(error))
    target = located.absolute()
    print(f"Base : {target} (désignée par {origin})", flush=True)
    # Unattended, the base replaced must be one the user named (--db, before or after the
    # subcommand, or INSTERM_DB), never the settings file's or the default one.
    if args.yes and origin not in (DB_FROM_OPTION, DB_FROM_ENV):
        return fail("Restauration refusée : avec --oui, nommez la base à remplacer (--db FICHIER "
                    f"ou {DB_FROM_ENV.split()[-1]}) ; elle vient ici de {origin}. "
                    "Rien n'a été modifié.", 1)
    if not target.is_file():
        return fail(str(DatabaseMissing(target)) + " Pour restaurer sur un poste neuf, créez "
                    "d'abord la base (insterm db init --db FICHIER), puis restaurez.")
    source = Path(args.source)
    if not source.is_file():
        what = "est un dossier" if source.is_dir() else (
            "n'est pas un fichier ordinaire" if source.exists() else "est introuvable")
        return fail(f"Restauration refusée : {source} {what}. La base actuelle n'a pas été "
                    "modifiée.", 1)
    check = check_file(source)
    if not check.ok:
        return fail(f"Restauration refusée : {args.source} " + " ; ".join(check.problems)
                    + ". La base actuelle n'a pas été modifiée.", 1)
    if not args.yes:
        print(f"Remplacer le contenu de la base {target} par la sauvegarde {source.absolute()} ? "
              "Une copie de la base actuelle sera gardée. [o/N] ", end="", flush=True)
        try:
            answer = sys.stdin.readline().strip().lower()
        except (OSError, EOFError):
            answer = ""
        if answer not in ("o", "oui"):
            return fail("Restauration annulée : rien n'a été modifié.", 1)
    try:
        after, safety = restore(source, target, group=group)
    except RestoreRefused as error:
        return fail(str(error), 1)
    except StoreError as error:
        return fail(str(error))
    assert after.audit is not None  # restore() returns only a base that passed its checks
    print(f"Base restaurée : {target} ({after.audit.message})")
    if safety is not None:
        print(f"Copie de la base précédente : {safety}")
    return 0
