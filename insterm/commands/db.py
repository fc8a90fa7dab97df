"""`insterm db init` (create or bring up to date the database, file mode 0600/0660, optionally
the first administrator), `insterm db info` (counts by status, file size, schema version) and
`insterm db doublons` (search the whole base for duplicate candidates, e.g. after an import:
they then appear in the Doublons screen)."""

from __future__ import annotations

import argparse

from insterm.commands._store_options import add_db_option, add_operator_option


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", title="actions")
    sub.required = True
    init = sub.add_parser("init", add_help=False,
                          help="créer la base (ou la mettre à jour au dernier schéma)")
    init.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    init.add_argument("--admin", metavar="IDENTIFIANT",
                      help="créer le premier administrateur (base sans opérateur)")
    init.add_argument("--nom", dest="admin_name", metavar="NOM",
                      help="nom affiché du premier administrateur")
    init.add_argument("--chiffre", action="store_true",
                      help="base chiffrée (SQLCipher, clé de 256 bits gardée dans le trousseau "
                           "et imprimée une fois pour le coffre du cabinet)")
    init.add_argument("--compte-du-poste", dest="admin_os_account", action="store_true",
                      help="le premier administrateur s'identifie par le compte système qui "
                           "lance cette commande (sinon : un mot de passe, tapé deux fois)")
    add_db_option(init)
    for name, text in (("chiffrer", "chiffrer une base existante (copie vérifiée, puis bascule)"),
                       ("dechiffrer", "remettre une base chiffrée en clair (copie vérifiée)")):
        convert = sub.add_parser(name, add_help=False, help=text)
        convert.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
        add_db_option(convert)
    key = sub.add_parser("cle", add_help=False,
                         help="enregistrer dans le trousseau de ce poste la clé d'une base "
                              "chiffrée (celle imprimée à sa création)")
    key.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    add_db_option(key)
    info = sub.add_parser("info", add_help=False,
                          help="nombre d'identités par statut, taille, version du schéma")
    info.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    add_db_option(info)
    scan = sub.add_parser("doublons", add_help=False,
                          help="chercher les doublons possibles dans toute la base")
    scan.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    add_operator_option(scan, "cherche les doublons")
    add_db_option(scan)


def run(args: argparse.Namespace) -> int:
    if args.db_command == "init":
        return _init(args)
    if args.db_command == "doublons":
        return _scan(args)
    if args.db_command in ("chiffrer", "dechiffrer"):
        from insterm.commands.db_crypt import convert

        return convert(args, encrypt=args.db_command == "chiffrer")
    if args.db_command == "cle":
        from insterm.commands.db_crypt import enter_key

        return enter_key(args)
    return _info(args)


def _scan(args: argparse.Namespace) -> int:
    from insterm.commands._store_options import CommandFailed, acting_operator, fail
    from insterm.domain.errors import InstermError

    try:
        with acting_operator(args) as (clinic, actor):
            try:
                report = clinic.scan_duplicates(actor)
            except InstermError as error:
                return fail(str(error), 1)
    except CommandFailed as failure:
        return failure.exit_code()
    print(report.message)
    return 0


def _admin_proof(args: argparse.Namespace) -> dict[str, str] | str:
    """The first administrator's proof as `bootstrap_admin` takes it, or a French refusal."""
    from insterm.commands._store_options import ask_password
    from insterm.usecases.authentication import current_os_login

    if args.admin_os_account:
        os_login = current_os_login()
        if not os_login:
            return ("Le compte système qui lance la commande n'a pas de nom : choisissez un mot "
                    "de passe.")
        return {"os_login": os_login}
    print("Mot de passe de l'administrateur : au moins 12 caractères, ou 8 mêlant minuscules, "
          "majuscules, chiffres et signes.", flush=True)
    password = ask_password("Mot de passe : ")
    again = ask_password("Le même, une seconde fois : ") if password is not None else None
    if password is None or again is None:
        return ("Le premier administrateur doit prouver son identité : lancez la commande dans "
                "un terminal pour taper son mot de passe, ou ajoutez --compte-du-poste pour "
                "l'associer au compte système qui la lance.")
    return {"password": password, "password_again": again}


def _init(args: argparse.Namespace) -> int:
    from insterm.clinic import Clinic
    from insterm.commands._store_options import db_path, fail
    from insterm.config import SettingsError, db_group
    from insterm.domain.errors import InstermError
    from insterm.store.connection import create_database, open_database
    from insterm.store.errors import StoreError
    from insterm.store.migrations import schema_version
    from insterm.store.operators import Operator
    from insterm.usecases.operators import check_new_operator

    admin_name = args.admin_name or args.admin
    proof: dict[str, str] = {}
    if args.admin is not None:  # the login and its proof, before anything is created
        try:
            check_new_operator(args.admin, admin_name, "admin")
        except InstermError as error:
            return fail(str(error))
        asked = _admin_proof(args)
        if isinstance(asked, str):
            return fail(asked, 1)
        proof = asked
    key = None
    try:
        path = db_path(args)
        print(f"Base : {path}", flush=True)
        group = db_group()
        if args.chiffre:
            from insterm.commands.db_crypt import practice_key

            if path.exists():
                return fail(f"La base {path} existe déjà : --chiffre vaut à la création. Pour "
                            "chiffrer une base existante : insterm db chiffrer.")
            key = practice_key()
        created = False
        admins: list[Operator] = []
        if not path.exists():
            # Built aside with its first administrator, renamed when whole: a failure leaves
            # no file (and a refused --admin no administrator-less base).
            created = create_database(path, group=group, prepare=(
                (lambda conn: admins.append(
                    Clinic(conn).bootstrap_admin(args.admin, admin_name, **proof)))
                if args.admin else None), key=key)
        conn = open_database(path, create=True, group=group)
    except (StoreError, SettingsError) as error:
        return fail(str(error))
    except InstermError as error:
        return fail(str(error), 1)
    try:
        print(f"Base {'créée' if created else 'mise à jour'} : {path} "
              f"(schéma {schema_version(conn)})")
        if args.admin and not created:  # an existing base (its upgrade path, see bootstrap)
            try:
                admins.append(Clinic(conn).bootstrap_admin(args.admin, admin_name, **proof))
            except StoreError as error:
                return fail(str(error))
            except InstermError as error:
                return fail(str(error), 1)
        for who in admins:
            how = (f"compte du poste « {who.os_login} »" if who.auth_method == "os-account"
                   else "mot de passe")
            print(f"Administrateur prêt : {who.label}, identifié par {how}")
    finally:
        conn.close()
    return 0


def _info(args: argparse.Namespace) -> int:
    from insterm.commands._store_options import existing_db, fail
    from insterm.config import SettingsError
    from insterm.store.connection import open_database
    from insterm.store.errors import StoreError
    from insterm.store.info import database_info

    try:
        path = existing_db(args)
        conn = open_database(path, readonly=True)
    except (StoreError, SettingsError) as error:
        return fail(str(error))
    try:
        info = database_info(conn, path)
    finally:
        conn.close()
    print(f"Schéma : {info.schema_version}")
    print(f"Taille : {info.size_bytes / 1_048_576:.1f} Mio ({info.size_bytes} octets, "
          "journal WAL compris)")
    print(f"Identités : {info.total} (dont {info.merged} fusionnées dans un autre dossier)")
    for status, label in (("PROV", "provisoires"), ("RECUP", "récupérées"),
                          ("VALI", "validées"), ("QUAL", "qualifiées")):
        print(f"  {status:<6}{info.by_status.get(status, 0):>10}  {label}")
    for code, label in (("DOUT", "douteuses"), ("FICT", "fictives"), ("HOMA", "homonymes")):
        print(f"  {code:<6}{info.by_attribute.get(code, 0):>10}  {label}")
    print(f"Doublons potentiels à examiner : {info.potential_duplicates}")
    print(f"Opérateurs actifs : {info.operators}")
    print(f"Événements d'audit : {info.audit_events}")
    return 0
