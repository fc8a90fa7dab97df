"""`insterm audit verify`: recompute the hash chain of the audit log and name the first broken
row (exit 0 intact, 1 broken, 2 database unusable).

It prints the tail "COUNT:HASH" to note outside the file: the chain cannot show by itself that
its last rows were deleted; given back with `--attendu COUNT:HASH`, verify checks that the
row COUNT is still there with that hash."""

from __future__ import annotations

import argparse

from insterm.commands._store_options import add_db_option


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION", title="actions")
    sub.required = True
    verify = sub.add_parser("verify", add_help=False,
                            help="vérifier la chaîne d'empreintes du journal d'audit")
    verify.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    verify.add_argument("--attendu", dest="expected", type=_tail, metavar="NOMBRE:EMPREINTE",
                        help="empreinte de fin notée lors d'une vérification ou d'une "
                             "sauvegarde précédente : détecte la suppression des derniers "
                             "événements")
    add_db_option(verify)


def _tail(text: str) -> str:
    from insterm.store.audit import parse_tail

    try:
        count, digest = parse_tail(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return f"{count}:{digest}"


def run(args: argparse.Namespace) -> int:
    import sys

    from insterm.commands._store_options import existing_db, fail
    from insterm.config import SettingsError
    from insterm.store import audit
    from insterm.store.connection import open_database
    from insterm.store.errors import StoreError

    try:
        conn = open_database(existing_db(args), readonly=True)
    except (StoreError, SettingsError) as error:
        return fail(str(error))
    try:
        report = audit.verify(conn, expected=args.expected)
    finally:
        conn.close()
    if report.ok:
        print(report.message)
        if not args.expected:
            print(report.limit_note)
        return 0
    print(report.message, file=sys.stderr)
    return 1
