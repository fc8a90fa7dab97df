"""`insterm insi-sim [--setup] [--port N] [--state-dir DIR]`: the INSi simulator in the foreground.

`--setup` makes the simulator's test CA, its server certificate and the demo practice's client
certificate (CN=INSI-MANU, PKCS#12 with a random passphrase), puts that passphrase in the keyring
(insterm.secrets), writes in this machine's settings file where the client reaches the simulator
(`insi.simulator_url` from --port, `insi.simulator_dir`; see insterm.usecases.insi_settings) and exits.
The practice's INSi environment (in the database) is not changed: the simulator is used when it
is "simulator" (the default). Without --setup the simulator serves until Ctrl+C (setting itself
up first when needed). State directory: --state-dir, else $INSTERM_INSI_SIM_DIR, else
<user data dir of insterm>/insi-sim.

The passphrase goes under the simulator's own keyring entry
(`insterm.usecases.insi_keyring.SIMULATOR_PASSPHRASE`), and under INSI_CERT_PASSPHRASE too unless
that entry already opens the practice's imported organisation certificate (never overwritten).

People: the public test identities, and the identities of the database (--db, else INSTERM_DB,
the settings file or the default place) that hold an INS (RECUP/QUAL: the demo database's
synthetic people), answered 00 with their stored INS and traits (`insterm.commands.sim_people`).

When no Secret Service is reachable (SSH), the encrypted keyring's master password comes from
`--mot-de-passe-fichier FICHIER` or systemd's credential (`insterm.commands._keyring_options`),
else it is asked here, by insterm itself (the keyring backends never prompt): on the terminal
when there is one, else read from the first line of standard input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_PORT = 8443
STATE_DIR_ENV = "INSTERM_INSI_SIM_DIR"


def default_state_dir() -> Path:
    from insterm.usecases.insi_wiring import default_simulator_dir

    return default_simulator_dir()


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--setup", action="store_true",
        help="créer l'autorité de test et les certificats, ranger la phrase de passe du "
        "certificat client dans le trousseau, puis quitter",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, metavar="N",
        help=f"port d'écoute sur 127.0.0.1 (défaut {DEFAULT_PORT} ; 0 = un port libre)",
    )
    parser.add_argument(
        "--state-dir", type=Path, default=None, metavar="DOSSIER",
        help=f"dossier des certificats du simulateur (défaut : ${STATE_DIR_ENV}, sinon le "
        "dossier de données d'insterm/insi-sim)",
    )
    from insterm.commands._keyring_options import add_password_file_option
    from insterm.commands._store_options import add_db_option

    add_db_option(parser)
    add_password_file_option(parser)


def _ask_master_password(creating: bool) -> str:
    import getpass

    from insterm.secrets import MASTER_PASSWORD_RULE

    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(
            f"Nouveau mot de passe maître du trousseau chiffré d'insterm ({MASTER_PASSWORD_RULE}) : "
            if creating else "Mot de passe maître du trousseau chiffré d'insterm : ")
        if creating:
            again = getpass.getpass("Confirmez le mot de passe maître : ")
            if again != first:
                raise SystemExit("Les deux saisies diffèrent : rien n'a été enregistré.")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _open_keyring(args: argparse.Namespace | None = None) -> None:
    from insterm import secrets

    plan = secrets.backend_plan()
    master = None
    if plan.needs_master_password:
        print(f"Trousseau : {plan.reason} ; trousseau chiffré {plan.cryptfile_path}.")
        master = secrets.unattended_master_password(getattr(args, "password_file", None))
        if master is None:
            master = _ask_master_password(plan.kind == "cryptfile_new")
    secrets.select_backend(master)


def _passphrase_opens(p12_path: Path, passphrase: str | None) -> bool:
    if not passphrase:
        return False
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        pkcs12.load_key_and_certificates(p12_path.read_bytes(), passphrase.encode())
    except ValueError:
        return False
    return True


def _guards_organisation_certificate(passphrase: str | None) -> bool:
    """Whether `passphrase` opens the practice's imported organisation certificate."""
    from insterm.config import SettingsError, data_dir
    from insterm.usecases.insi_wiring import CERTIFICATE_FILE

    try:
        path = data_dir() / CERTIFICATE_FILE
    except SettingsError:  # pragma: no cover - data_dir reads no file
        return False
    return path.is_file() and _passphrase_opens(path, passphrase)


def configure_settings_file(state_dir: Path, port: int) -> None:
    """Write where this machine reaches the simulator in the settings file (per machine)."""
    from insterm.config import SettingsError, settings_path, update_settings_file

    values: dict[str, str | float | None] = {"simulator_dir": str(Path(state_dir).resolve())}
    if port:
        values["simulator_url"] = f"https://127.0.0.1:{port}/lps"
    try:
        update_settings_file({"insi": values})
    except SettingsError as error:
        print(f"Attention : réglages non écrits ({error})", file=sys.stderr)
        return
    print(f"  réglages de ce poste : {settings_path()} (adresse et dossier du simulateur)")


def _practice_environment_note(args: argparse.Namespace) -> None:
    """Say so when the practice's database is set to another environment than the simulator."""
    from insterm.commands._store_options import db_path
    from insterm.config import SettingsError
    from insterm.store import settings as practice_settings
    from insterm.store.connection import open_database
    from insterm.store.errors import StoreError
    from insterm.usecases.insi_settings import ENVIRONMENT_LABELS, KEY_ENVIRONMENT

    try:
        conn = open_database(db_path(args), readonly=True)
    except (StoreError, SettingsError, OSError):
        return
    try:
        environment = practice_settings.get(conn, KEY_ENVIRONMENT)
    finally:
        conn.close()
    if environment not in (None, "simulator") and environment in ENVIRONMENT_LABELS:
        print(f"  Attention : le cabinet travaille en « {ENVIRONMENT_LABELS[environment]} » ; "
              "le simulateur ne servira qu'une fois l'environnement « simulateur » choisi dans "
              "les Réglages.")


def setup(state_dir: Path, port: int = DEFAULT_PORT,
          args: argparse.Namespace | None = None) -> int:
    from insterm import secrets
    from insterm.insi.simulator import DEMO_EMETTEUR, DEMO_IDAM, TestAuthority

    authority = TestAuthority(state_dir)
    try:
        _open_keyring(args)
    except secrets.SecretsError as error:
        print(f"Trousseau indisponible : {error}", file=sys.stderr)
        return 2
    from insterm.usecases.insi_keyring import SIMULATOR_PASSPHRASE

    passphrase = authority.ensure()
    if passphrase is None:
        stored = [secrets.get_secret(name)
                  for name in (SIMULATOR_PASSPHRASE, secrets.INSI_CERT_PASSPHRASE)]
        opening = [value for value in stored
                   if value is not None and _passphrase_opens(authority.client_p12, value)]
        if opening:
            passphrase = opening[0]
        else:
            print("La phrase de passe du certificat de démonstration n'est pas dans ce trousseau :"
                  " le certificat client est émis à nouveau.")
            passphrase = authority.renew_client_p12()
    secrets.set_secret(SIMULATOR_PASSPHRASE, passphrase)
    if _guards_organisation_certificate(secrets.get_secret(secrets.INSI_CERT_PASSPHRASE)):
        print("Le trousseau garde la phrase de passe du certificat d'organisation du cabinet : "
              "elle est conservée (celle du simulateur est rangée à part).")
    else:
        secrets.set_secret(secrets.INSI_CERT_PASSPHRASE, passphrase)
    print(f"Simulateur INSi prêt dans {state_dir}")
    print(f"  autorité de test (à faire confiance pour le simulateur) : {authority.ca_cert}")
    print(f"  certificat client INSI-MANU (PKCS#12) : {authority.client_p12}")
    print(f"  émetteur (OU) : {DEMO_EMETTEUR} ; numéro d'autorisation (IDAM) : {DEMO_IDAM}")
    print("  phrase de passe du certificat : dans le trousseau "
          f"({secrets.SERVICE} / {SIMULATOR_PASSPHRASE})")
    configure_settings_file(state_dir, port)
    if args is not None:
        _practice_environment_note(args)
    return 0


def _database_people(args: argparse.Namespace):
    """The database's identities holding an INS, when the database exists (else None)."""
    from insterm.commands._store_options import db_path
    from insterm.commands.sim_people import StorePeople
    from insterm.config import SettingsError

    try:
        path = db_path(args)
    except SettingsError as error:
        print(f"Attention : {error}", file=sys.stderr)
        return None
    if not path.is_file():
        return None
    print(f"Le simulateur répond aussi pour les identités de {path} qui ont un INS.")
    return StorePeople(path)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "db", None) and not Path(args.db).expanduser().is_file():
        from insterm.store.errors import DatabaseMissing  # named by the user: never ignored

        print(DatabaseMissing(Path(args.db).expanduser().absolute()), file=sys.stderr)
        return 2
    state_dir = args.state_dir or default_state_dir()
    if args.setup:
        return setup(state_dir, args.port, args)
    import logging

    from insterm.insi.simulator import (
        Directory,
        Simulator,
        TestAuthority,
        load_test_identities,
    )

    authority = TestAuthority(state_dir)
    if not authority.is_ready():
        status = setup(state_dir, args.port, args)
        if status != 0:
            return status
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        identities = load_test_identities()
    except FileNotFoundError as missing:
        print(f"Attention : {missing} ; le simulateur ne connaîtra aucune identité de test "
              "(réponse 01 à toute recherche).", file=sys.stderr)
        identities = Directory()
    people = _database_people(args)
    simulator = Simulator(authority, identities=identities, people=people, port=args.port,
                          keep_handled=1000)
    try:
        simulator.start()
    except OSError as error:
        print(f"Impossible d'écouter sur 127.0.0.1:{args.port} ({error.strerror or error}) : "
              "choisissez un autre port avec --port.", file=sys.stderr)
        return 2
    print(f"Simulateur INSi à l'écoute sur {simulator.url} (Ctrl+C pour arrêter)", flush=True)
    try:
        simulator.serve_forever()
    except KeyboardInterrupt:
        print("Simulateur arrêté.")
    finally:
        simulator.stop()
    return 0
