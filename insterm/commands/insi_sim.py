"""`insterm insi-sim [--setup] [--port N] [--state-dir DIR]`: the INSi simulator in the foreground.

`--setup` makes the simulator's test CA, its server certificate and the demo practice's client
certificate (CN=INSI-MANU, PKCS#12 with a random passphrase), puts that passphrase in the keyring
(insterm.secrets) and exits. Without it the simulator serves until Ctrl+C (setting itself up
first when needed). State directory: --state-dir, else $INSTERM_INSI_SIM_DIR, else
<user data dir of insterm>/insi-sim.

When no Secret Service is reachable (SSH), the encrypted keyring's master password is asked here,
by insterm itself (the keyring backends never prompt): on the terminal when there is one, else
read from the first line of standard input.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_PORT = 8443
STATE_DIR_ENV = "INSTERM_INSI_SIM_DIR"


def default_state_dir() -> Path:
    from_env = os.environ.get(STATE_DIR_ENV)
    if from_env:
        return Path(from_env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("insterm")) / "insi-sim"


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


def _ask_master_password(creating: bool) -> str:
    import getpass

    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("Mot de passe maître du trousseau chiffré d'insterm : ")
        if creating:
            again = getpass.getpass("Confirmez le mot de passe maître : ")
            if again != first:
                raise SystemExit("Les deux saisies diffèrent : rien n'a été enregistré.")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _open_keyring() -> None:
    from insterm import secrets

    plan = secrets.backend_plan()
    master = None
    if plan.needs_master_password:
        print(f"Trousseau : {plan.reason} ; trousseau chiffré {plan.cryptfile_path}.")
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


def setup(state_dir: Path) -> int:
    from insterm import secrets
    from insterm.insi.simulator import DEMO_EMETTEUR, DEMO_IDAM, TestAuthority

    authority = TestAuthority(state_dir)
    try:
        _open_keyring()
    except secrets.SecretsError as error:
        print(f"Trousseau indisponible : {error}", file=sys.stderr)
        return 2
    passphrase = authority.ensure()
    if passphrase is None:
        stored = secrets.get_secret(secrets.INSI_CERT_PASSPHRASE)
        if not _passphrase_opens(authority.client_p12, stored):
            print("La phrase de passe du certificat de démonstration n'est pas dans ce trousseau :"
                  " le certificat client est émis à nouveau.")
            passphrase = authority.renew_client_p12()
    if passphrase is not None:
        secrets.set_secret(secrets.INSI_CERT_PASSPHRASE, passphrase)
    print(f"Simulateur INSi prêt dans {state_dir}")
    print(f"  autorité de test (à faire confiance pour le simulateur) : {authority.ca_cert}")
    print(f"  certificat client INSI-MANU (PKCS#12) : {authority.client_p12}")
    print(f"  émetteur (OU) : {DEMO_EMETTEUR} ; numéro d'autorisation (IDAM) : {DEMO_IDAM}")
    print("  phrase de passe du certificat : dans le trousseau "
          f"({secrets.SERVICE} / {secrets.INSI_CERT_PASSPHRASE})")
    return 0


def run(args: argparse.Namespace) -> int:
    state_dir = args.state_dir or default_state_dir()
    if args.setup:
        return setup(state_dir)
    import logging

    from insterm.insi.simulator import Directory, Simulator, TestAuthority, load_test_identities

    authority = TestAuthority(state_dir)
    if not authority.is_ready():
        status = setup(state_dir)
        if status != 0:
            return status
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        identities = load_test_identities()
    except FileNotFoundError as missing:
        print(f"Attention : {missing} ; le simulateur ne connaîtra aucune identité de test "
              "(réponse 01 à toute recherche).", file=sys.stderr)
        identities = Directory()
    simulator = Simulator(authority, identities=identities, port=args.port, keep_handled=1000)
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
