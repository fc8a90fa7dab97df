"""`insterm audit verify`: recompute the hash chain of the audit log and name the first broken
row, recompute the state digest of every identity and name those whose rows no longer match
their last event (exit 0 intact, 1 altered or head file unusable, 2 database unusable).

The chain cannot show by itself that its last rows were deleted, or that it was recomputed
whole: verify checks every head noted in the head file (`insterm.store.audit_heads`, written
at each backup and each verification, `audit.heads_dir` setting), then appends the head it
saw when all is intact. `--attendu COUNT:HASH` checks one more head noted elsewhere."""

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
    from insterm.config import SettingsError, audit_heads_dir
    from insterm.store import audit_heads
    from insterm.store.connection import open_database
    from insterm.store.errors import StoreError

    try:
        path = existing_db(args)
        heads_file = audit_heads.heads_path(path, audit_heads_dir())
        conn = open_database(path, readonly=True)
    except (StoreError, SettingsError) as error:
        return fail(str(error))
    try:
        verdict = audit_heads.verify_and_note(conn, heads_file, expected=args.expected)
    finally:
        conn.close()
    report = verdict.report
    print(report.message, file=sys.stdout if report.ok else sys.stderr)
    if verdict.noted:
        print(f"Empreinte de fin notée dans {heads_file}.")
    if verdict.problem:
        print(verdict.problem, file=sys.stderr)
    if not verdict.ok:
        return 1
    if not report.heads and not args.expected:
        print(report.limit_note)
    return 0
