"""The practice's database key: `db init --chiffre`, `db chiffrer`, `db dechiffrer`, `db cle`.

One raw 256-bit key per practice, kept in the OS keyring (insterm.secrets, entry
`connection.KEYRING_NAME`): every encrypted base and backup of the practice uses it, so a backup
restores on another encrypted base. It is printed once, when it is made, for the practice's
safe: without it an encrypted base cannot be read by anyone.
"""

from __future__ import annotations

import argparse
import sys


def _open_keyring() -> None:
    """Install the keyring backend, asking the master password on a terminal when needed
    (twice, with its rule, when the encrypted keyring is created)."""
    from insterm import secrets
    from insterm.commands._keyring_options import ask_master_password

    if secrets.current_backend() is not None:
        return
    plan = secrets.backend_plan()
    if not plan.needs_master_password:
        secrets.select_backend()
        return
    if not sys.stdin.isatty():
        raise secrets.MasterPasswordNeeded(
            "Le trousseau chiffré d'insterm demande son mot de passe maître : lancez la "
            "commande dans un terminal pour le saisir.")
    secrets.select_backend(ask_master_password(plan.kind == "cryptfile_new"))


def practice_key() -> bytes:
    """The practice's key from the keyring; made (and printed once) when there is none."""
    from insterm import secrets
    from insterm.store import connection

    _open_keyring()
    text = secrets.get_secret(connection.KEYRING_NAME)
    if text is not None:
        print("Clé de chiffrement : celle du cabinet, déjà dans le trousseau (imprimée à la "
              "création de la première base chiffrée).")
        return connection.key_from_text(text)
    key = connection.new_key()
    secrets.set_secret(connection.KEYRING_NAME, key.hex())
    print("Clé de chiffrement du cabinet (affichée cette seule fois) :\n\n    "
          f"{connection.key_to_text(key)}\n\n"
          "Imprimez-la ou recopiez-la et gardez-la au coffre du cabinet : sans elle, la base et "
          "ses sauvegardes sont illisibles si le trousseau de ce poste est perdu (panne, "
          "réinstallation). Sur un autre poste : insterm db cle.", flush=True)
    return key


def convert(args: argparse.Namespace, *, encrypt: bool) -> int:
    from insterm.commands._store_options import existing_db, fail
    from insterm.config import db_group
    from insterm.store.backup import BackupFailed
    from insterm.store.backup import convert as convert_file

    path = existing_db(args)
    key = practice_key() if encrypt else None
    if not encrypt:
        _open_keyring()
    try:
        check = convert_file(path, key=key, group=db_group())
    except BackupFailed as error:
        return fail(str(error), 1)
    assert check.audit is not None  # convert() returns only a copy that passed its checks
    print(f"Base {'chiffrée' if encrypt else 'remise en clair'} : {path} ({check.audit.message})")
    if encrypt:
        print("Les sauvegardes faites avant restent en clair : remplacez-les par une nouvelle "
              "sauvegarde (insterm backup), puis effacez les anciennes.")
    return 0


def enter_key(args: argparse.Namespace) -> int:
    """Type the key printed for the safe; it is checked on the base, then kept in the keyring."""
    import getpass

    from insterm import secrets
    from insterm.commands._store_options import existing_db, fail
    from insterm.store import connection

    path = existing_db(args)
    if not connection.is_encrypted_file(path):
        return fail(f"La base {path} n'est pas chiffrée : elle n'a pas de clé.", 1)
    text = (getpass.getpass("Clé de chiffrement (64 chiffres hexadécimaux) : ")
            if sys.stdin.isatty() else sys.stdin.readline())
    key = connection.key_from_text(text)
    connection.connect_file(path, readonly=True, key=key).close()  # WrongDatabaseKey if not it
    _open_keyring()
    secrets.set_secret(connection.KEYRING_NAME, key.hex())
    print("Clé vérifiée sur la base et enregistrée dans le trousseau de ce poste.")
    return 0
