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
    from insterm.store import audit, audit_heads
    from insterm.store.connection import open_database
    from insterm.store.errors import StoreError
    from insterm.store.migrations import GENESIS_HASH

    try:
        path = existing_db(args)
        heads_file = audit_heads.heads_path(path, audit_heads_dir())
        conn = open_database(path, readonly=True)
    except (StoreError, SettingsError) as error:
        return fail(str(error))
    head_problem = None
    try:
        heads = audit_heads.read(heads_file)
    except audit_heads.HeadFileError as error:
        head_problem, heads = str(error), []
    try:
        report = audit.verify(conn, expected=args.expected,
                              heads=[head.noted(heads_file) for head in heads],
                              heads_file=str(heads_file))
    finally:
        conn.close()
    if not report.ok:
        print(report.message, file=sys.stderr)
        if head_problem:
            print(head_problem, file=sys.stderr)
        return 1
    print(report.message)
    if head_problem:
        print(head_problem, file=sys.stderr)
        return 1
    try:
        audit_heads.append(heads_file, report.rows, report.last_hash or GENESIS_HASH)
    except audit_heads.HeadFileError as error:
        print(str(error), file=sys.stderr)
        return 1
    print(f"Empreinte de fin notée dans {heads_file}.")
    if not heads and not args.expected:
        print(report.limit_note)
    return 0
