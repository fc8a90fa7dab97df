"""`insterm backup [FICHIER]`: online copy of the database while others keep working, then
integrity check and audit-chain check of the copy (exit 0 good copy, 1 bad copy removed)."""

from __future__ import annotations

import argparse

from insterm.commands._store_options import add_db_option


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dest", nargs="?", metavar="FICHIER",
                        help="fichier de sauvegarde à créer (par défaut : dossier "
                             "« sauvegardes » à côté de la base, nom daté)")
    add_db_option(parser)


def run(args: argparse.Namespace) -> int:
    from insterm.commands._store_options import existing_db, fail
    from insterm.config import SettingsError, db_group
    from insterm.store.backup import BackupFailed, backup
    from insterm.store.errors import StoreError

    try:
        check = backup(existing_db(args), args.dest, group=db_group())
    except BackupFailed as error:
        return fail(str(error), 1)
    except (StoreError, SettingsError) as error:
        return fail(str(error))
    report = check.audit
    assert report is not None  # backup() returns only a copy that passed its checks
    print(f"Sauvegarde écrite : {check.path}")
    print(f"Intégrité : ok ; {report.message}")
    print("Gardez cette empreinte de fin avec la sauvegarde : « insterm audit verify --attendu "
          f"{report.tail} » montrera plus tard si des événements ont été supprimés.")
    return _note_head(args, report.rows, report.last_hash)


def _note_head(args: argparse.Namespace, count: int, last_hash: str | None) -> int:
    """Append the copy's chain head to the head file (`insterm.store.audit_heads`), which
    `insterm audit verify` checks; a failure to note it is said, the backup stays good."""
    import sys

    from insterm.commands._store_options import db_path
    from insterm.config import SettingsError, audit_heads_dir
    from insterm.store import audit_heads
    from insterm.store.migrations import GENESIS_HASH

    try:
        heads_file = audit_heads.heads_path(db_path(args), audit_heads_dir())
        audit_heads.append(heads_file, count, last_hash or GENESIS_HASH)
    except (audit_heads.HeadFileError, SettingsError) as error:
        print(f"Sauvegarde bonne, mais : {error}", file=sys.stderr)
        return 0
    print(f"Empreinte de fin notée dans {heads_file} (« insterm audit verify » la contrôle).")
    return 0
