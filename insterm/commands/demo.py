"""`insterm demo` (run by scripts/demo): the full-screen application on a demonstration practice.

Everything lives in one folder (default `.demo/`), nothing touches the user's real files:

- `demo.sqlite3`: a database of a few hundred synthetic patients (`insterm.demo.synthetic`, written
  by `insterm.store.bulk`), operators `demo` (administrator, signed in by the OS account that
  runs the demo: the newcomer lands in the application at once) and `sophie` (staff, signed
  in by a password generated for this demo folder, kept in `mot-de-passe-sophie` and printed
  at start: "Changer d'opérateur" shows the password sign-in);
- `insi-sim/`: the INSi simulator's test CA and the demo practice's client certificate
  (CN=INSI-MANU, PKCS#12); the simulator runs embedded in this process, on a free port of
  127.0.0.1, and answers for the public test identities (ADRTROIS DOMINIQUE...) and for every
  demo patient: with its INS when it holds one, else with a synthetic "NIR de démonstration"
  made from its traits, so that any demo patient can be qualified;
- `data/python_keyring/cryptfile_pass.cfg`: an encrypted file keyring holding the certificate
  passphrase. ITS MASTER PASSWORD IS GENERATED FOR THE DEMO AND KEPT IN
  `keyring-master-password` next to it, so that the demo never prompts: acceptable for a
  demonstration only (the screen says so); a real installation types it in the application;
- `settings.toml`: this demo's settings file (where the simulator is).

The environment variables INSTERM_DB, INSTERM_SETTINGS, INSTERM_DATA_DIR, INSTERM_INSI_SIM_DIR
and XDG_DATA_HOME are pointed at that folder for this process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from insterm.insi.simulator import TestAuthority

DEFAULT_DIR = ".demo"
DEFAULT_PATIENTS = 300
SEED = 2025
MASTER_FILE = "keyring-master-password"
SOPHIE_FILE = "mot-de-passe-sophie"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", default=DEFAULT_DIR, metavar="DOSSIER",
                        help=f"dossier de la démonstration (défaut {DEFAULT_DIR})")
    parser.add_argument("--patients", type=int, default=DEFAULT_PATIENTS, metavar="N",
                        help=f"nombre de patients fictifs à la création (défaut {DEFAULT_PATIENTS})")
    parser.add_argument("--operator", "--operateur", default=None, metavar="IDENTIFIANT",
                        help="l'opérateur de la démonstration (demo, par votre compte du "
                             "poste, ou sophie, par son mot de passe affiché au démarrage)")
    parser.add_argument("--no-tui", action="store_true",
                        help="tout préparer et démarrer le simulateur, sans ouvrir l'application")


def _point_environment(folder: Path) -> None:
    os.environ["INSTERM_DB"] = str(folder / "demo.sqlite3")
    os.environ["INSTERM_SETTINGS"] = str(folder / "settings.toml")
    os.environ["INSTERM_DATA_DIR"] = str(folder / "data" / "insterm")
    os.environ["INSTERM_INSI_SIM_DIR"] = str(folder / "insi-sim")
    os.environ["XDG_DATA_HOME"] = str(folder / "data")


def _master_password(folder: Path) -> str:
    import secrets as random

    return _kept_value(folder / MASTER_FILE, lambda: random.token_urlsafe(24))


def sophie_password(folder: Path) -> str:
    """Sophie's demo password (12 characters, made for this demo folder, kept next to it)."""
    import secrets as random

    return _kept_value(folder / SOPHIE_FILE, lambda: random.token_urlsafe(9))


def _kept_value(path: Path, make: Callable[[], str]) -> str:
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    value = make()
    from insterm.atomic_file import write_atomically

    write_atomically(path, (value + "\n").encode("utf-8"))  # whole or absent, mode 0600
    return value


def open_demo_keyring(folder: Path) -> Path:
    """The demo's encrypted file keyring, installed as this process's backend."""
    from insterm import secrets

    backend = secrets.open_cryptfile(_master_password(folder), xdg_data_home=folder / "data")
    secrets.use_backend(backend)
    return secrets.cryptfile_path(folder / "data")


def build_database(path: Path, patients: int, sophie: str) -> None:
    from insterm.clinic import Clinic
    from insterm.demo.synthetic import generate_identities, store_row
    from insterm.store.bulk import insert_identities
    from insterm.usecases.authentication import current_os_login

    building = path.with_name(path.name + ".creation")
    for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    with Clinic.open(building, create=True) as clinic:
        clinic.bootstrap_admin("demo", "Démonstration", os_login=current_os_login())
        clinic.add_operator("demo", "sophie", "Sophie Secrétaire", password=sophie,
                            password_again=sophie)
    rows = (store_row(row) for row in generate_identities(patients, seed=SEED))
    insert_identities(building, rows, actor="demo", source="synthetique (démonstration)")
    with Clinic.open(building) as clinic:  # the near-duplicates show in the Doublons screen
        clinic.scan_duplicates("demo")
    building.rename(path)  # a half-built database is never taken for the demo one


def give_proofs(db: Path, sophie: str) -> None:
    """A demo database made before operators proved who they are: `demo` signs in by this OS
    account, `sophie` by her demo password (nothing changes when they already have a proof)."""
    from insterm.clinic import Clinic
    from insterm.usecases.authentication import current_os_login

    with Clinic.open(db) as clinic:
        by_login = {o.login: o for o in clinic.operators()}
        demo, staff = by_login.get("demo"), by_login.get("sophie")
        if demo is not None and demo.auth_method is None:
            clinic.bootstrap_admin("demo", demo.display_name, os_login=current_os_login())
            if staff is not None and staff.auth_method is None:
                clinic.set_operator_password("demo", "sophie", sophie, sophie)


def _os_account_of_demo(db: Path) -> str:
    from insterm.clinic import Clinic

    with Clinic.open(db) as clinic:
        demo = next((o for o in clinic.operators() if o.login == "demo"), None)
    return (demo.os_login if demo else None) or "?"


def certificate_passphrase(authority: TestAuthority) -> str:
    """The demo client certificate's passphrase: new, from the keyring, or re-issued."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    from insterm import secrets
    from insterm.usecases.insi_keyring import SIMULATOR_PASSPHRASE

    passphrase = authority.ensure()
    if passphrase is None:
        passphrase = secrets.get_secret(SIMULATOR_PASSPHRASE)
        try:
            if passphrase is None:
                raise ValueError
            pkcs12.load_key_and_certificates(authority.client_p12.read_bytes(),
                                             passphrase.encode())
        except ValueError:
            passphrase = authority.renew_client_p12()
    secrets.set_secret(SIMULATOR_PASSPHRASE, passphrase)
    secrets.set_secret(secrets.INSI_CERT_PASSPHRASE, passphrase)  # the demo keyring only
    return passphrase


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir).resolve()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _point_environment(folder)
    db = Path(os.environ["INSTERM_DB"])
    print(f"Démonstration d'insterm dans {folder}")
    keyring_file = open_demo_keyring(folder)
    sophie = sophie_password(folder)
    if not db.exists():
        print(f"  création de la base de démonstration ({args.patients} patients fictifs)…")
        build_database(db, args.patients, sophie)
    else:
        give_proofs(db, sophie)
    from insterm.commands.sim_people import StorePeople
    from insterm.config import update_settings_file
    from insterm.insi.simulator import Simulator, TestAuthority

    authority = TestAuthority(Path(os.environ["INSTERM_INSI_SIM_DIR"]))
    passphrase = certificate_passphrase(authority)
    simulator = Simulator(authority, people=StorePeople(db, everyone=True), keep_handled=1000)
    simulator.start()
    try:
        update_settings_file({"insi": {"simulator_url": simulator.url,
                                       "simulator_dir": str(authority.state_dir)}})
        # Short: at 80x24 a long toast hides the results. The details are printed above.
        notice = "Démonstration : patients fictifs, simulateur INSi local, certificat de test."
        print(f"  base : {db}")
        print(f"  simulateur INSi : {simulator.url} (autorité de test {authority.ca_cert})")
        print(f"  trousseau chiffré de démonstration : {keyring_file}")
        print(f"  son mot de passe maître, généré pour la démo : {folder / MASTER_FILE}")
        print("  (acceptable pour une démonstration seulement : en production, le mot de passe "
              "maître se tape dans l'application)")
        print(f"  opérateurs : demo (administrateur), entré par votre compte du poste "
              f"« {_os_account_of_demo(db)} » ;")
        print(f"    sophie (équipe), mot de passe de démonstration : {sophie} "
              "(palette ctrl+p, « Changer d'opérateur »)")
        if args.no_tui:
            print("Simulateur démarré ; Ctrl+C pour arrêter.", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                simulator.serve_forever()
            return 0
        from insterm.clinic import Clinic
        from insterm.tui.app import InstermApp

        with Clinic.open(db) as clinic:
            # The embedded simulator serves the "simulator" environment, its demo certificate's
            # passphrase kept in memory only.
            clinic.configure_insi(simulator=simulator, simulator_passphrase=passphrase)
            app = InstermApp(clinic, operator_login=args.operator, notice=notice)
            app.run()
            return app.return_code or 0
    finally:
        simulator.stop()


def main(argv: list[str] | None = None) -> int:
    """`python -m insterm.commands.demo` (scripts/demo): `insterm demo` through the same parser
    as every command (French help and errors, global options)."""
    from insterm.cli import main as insterm_main

    return insterm_main(["demo", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
