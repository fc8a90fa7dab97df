"""`insterm audit verify`: recompute the hash chain of the audit log and name the first broken
row (exit 0 intact, 1 broken, 2 database unusable)."""

from __future__ import annotations

import argparse

from insterm.commands._store_options import add_db_option


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION", title="actions")
    sub.required = True
    verify = sub.add_parser("verify", add_help=False,
                            help="vérifier la chaîne d'empreintes du journal d'audit")
    verify.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    add_db_option(verify)


def run(args: argparse.Namespace) -> int:
    import sys

    from insterm.commands._store_options import db_path, fail
    from insterm.config import SettingsError
    from insterm.store import audit
    from insterm.store.connection import open_database
    from insterm.store.errors import StoreError

    try:
        conn = open_database(db_path(args), readonly=True)
    except (StoreError, SettingsError) as error:
        return fail(str(error))
    try:
        report = audit.verify(conn)
    finally:
        conn.close()
    if report.ok:
        print(report.message)
        return 0
    print(report.message, file=sys.stderr)
    return 1
