"""`insterm insi search --nom NOM --prenoms "P1 P2" --sexe F --naissance JJ/MM/AAAA [--lieu COG]`:
search the INS by traits (the first-name strategy) and print the result or the error in French.

Exit code: 0 for CR 00 (identity found), 1 for 01/02 (none, several), 2 for any error (refused
before sending, settings, certificate, fault, transport, unusable reply).

Settings: those of the practice (`insterm.usecases.insi_settings`): the environment, IDAM, software
name and installation UUID from the database (`--db`, else INSTERM_DB, the settings file or the
default place), the timeout and paths from the settings file, the certificate of the
environment (the imported organisation certificate, or the simulator's demo certificate set up
by `insterm insi-sim --setup`). This ad-hoc search is tied to no patient record: it is not
written in the database's INSi call log (the application's qualification is).

For headless use without a database, the environment variables still work and then win:
INSTERM_INSI_ENDPOINT (when set, this mode is used), INSTERM_INSI_IDAM,
INSTERM_INSI_INSTALLATION_ID, INSTERM_INSI_ENVIRONMENT, INSTERM_INSI_TIMEOUT,
INSTERM_INSI_CA_FILE, and INSTERM_INSI_P12 (path of the organisation certificate, PKCS#12).

The certificate passphrase is read from the keyring (insterm.secrets); when the keyring is the
encrypted file, its master password comes from `--mot-de-passe-fichier FICHIER` (mode 0600) or
systemd's credential `insterm-trousseau`, else it is asked on the terminal; never from an
environment variable (`insterm.commands._keyring_options`).

Wiring (insterm/cli.py): "insi": ("insi_search", "interroger le téléservice INSi ...").
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

P12_ENV = "INSTERM_INSI_P12"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="insi_command", metavar="ACTION", title="actions")
    sub.required = True
    search = sub.add_parser(
        "search",
        help="rechercher l'INS d'une personne par ses traits d'identité",
        description=(
            "Recherche l'INS par les traits d'identité (chaque prénom de naissance, puis la "
            "liste entière). Code de sortie : 0 identité trouvée, 1 aucune ou plusieurs, "
            "2 erreur. Réglages : ceux du cabinet (base de données et fichier de réglages), "
            "ou les variables INSTERM_INSI_* (voir la documentation)."
        ),
        add_help=False,
    )
    search.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    search.add_argument("--nom", required=True, help="nom de naissance, ex. ADRTROIS")
    search.add_argument(
        "--prenoms", required=True, help='prénoms de naissance dans l\'ordre, ex. "PIERRE PAUL"'
    )
    search.add_argument("--sexe", required=True, help="M ou F")
    from insterm.cli_parser import date_option
    from insterm.domain.dates import DATE_FORMATS

    search.add_argument("--naissance", required=True, type=date_option("date de naissance"),
                        metavar="DATE", help=f"date de naissance, {DATE_FORMATS}")
    search.add_argument("--lieu", default=None, help="code COG du lieu de naissance, ex. 63220")
    from insterm.commands._store_options import add_db_option

    add_db_option(search)
    from insterm.commands._keyring_options import add_password_file_option

    add_password_file_option(search)
    from insterm.commands import insi_batch, insi_pending

    insi_pending.configure(sub)
    insi_batch.configure(sub)


def _passphrase(args: argparse.Namespace, out: TextIO) -> str | None:
    """The certificate passphrase from the keyring; None with a French message when it cannot
    be had."""
    from insterm import secrets
    from insterm.commands._keyring_options import open_keyring

    if not open_keyring(args, out):
        return None
    try:
        value = secrets.get_secret(secrets.INSI_CERT_PASSPHRASE)
    except secrets.SecretsError as error:
        print(str(error), file=out)
        return None
    if not value:
        print(
            "La phrase de passe du certificat INSi n'est pas dans le trousseau : enregistrez-la "
            "d'abord (réglages INSi, ou `insterm insi-sim --setup` pour le simulateur).",
            file=out,
        )
        return None
    return value


def run(args: argparse.Namespace) -> int:
    if getattr(args, "insi_command", None) == "reprendre":
        from insterm.commands import insi_pending

        return insi_pending.run(args)
    if getattr(args, "insi_command", None) == "verifier-lot":
        from insterm.commands import insi_batch

        return insi_batch.run(args)
    if getattr(args, "insi_command", None) != "search":  # pragma: no cover - argparse requires it
        print("Action INSi inconnue.", file=sys.stderr)
        return 2
    from insterm.insi.errors import InsiError
    from insterm.insi.request import TraitsQuery

    try:
        query = TraitsQuery.from_traits(
            {
                "birth_name": args.nom,
                "first_names": args.prenoms,
                "sex": args.sexe,
                "birth_date": args.naissance,
                "birth_place": args.lieu,
            }
        )
    except InsiError as error:
        print(str(error), file=sys.stderr)
        return 2
    # Refuse bad traits before touching settings, keyring or network.
    from insterm.insi.request import check_traits_query

    try:
        check_traits_query(query)
    except InsiError as error:
        print(str(error), file=sys.stderr)
        return 2
    if not os.environ.get("INSTERM_INSI_ENDPOINT", "").strip():
        return _run_with_practice_settings(args, query)
    from insterm.insi.settings import InsiSettings

    try:
        settings = InsiSettings.from_env()
    except InsiError as error:
        print(str(error), file=sys.stderr)
        return 2
    p12 = os.environ.get(P12_ENV, "").strip()
    if not p12:
        print(
            f"Le certificat d'organisation INSi n'est pas réglé : définissez {P12_ENV} (chemin "
            "du fichier .p12).",
            file=sys.stderr,
        )
        return 2
    passphrase = _passphrase(args, sys.stderr)
    if passphrase is None:
        return 2
    from insterm.insi.auth import CertificateAuth
    from insterm.insi.client import InsiClient

    with InsiClient(settings, CertificateAuth(p12, passphrase)) as client:
        outcome = client.search_by_traits(query)
    print_outcome(outcome, sys.stdout, sys.stderr)
    if outcome.error is not None:
        return 2
    return 0 if outcome.found else 1


def _run_with_practice_settings(args: argparse.Namespace, query: object) -> int:
    """The search with the practice's settings (database + settings file + keyring)."""
    from insterm.commands._keyring_options import open_keyring
    from insterm.commands._store_options import existing_db
    from insterm.config import SettingsError
    from insterm.store.connection import open_database
    from insterm.store.errors import DatabaseMissing, StoreError
    from insterm.usecases import insi_calls, insi_settings, insi_wiring
    from insterm.usecases.context import Context

    try:
        conn = open_database(existing_db(args))
    except DatabaseMissing as missing:
        print(
            f"Base de données introuvable : {missing.path}. Les réglages INSi du cabinet y sont gardés. "
            "Indiquez-la avec --db, créez-la (insterm db init), ou réglez la recherche par les "
            "variables d'environnement INSTERM_INSI_ENDPOINT, INSTERM_INSI_IDAM, "
            "INSTERM_INSI_INSTALLATION_ID et INSTERM_INSI_P12 (voir la documentation).",
            file=sys.stderr,
        )
        return 2
    except (StoreError, SettingsError) as error:
        print(str(error), file=sys.stderr)
        return 2
    runtime = insi_wiring.InsiRuntime()
    try:
        ctx = Context(conn)
        try:
            view = insi_settings.current(ctx, runtime)
        except SettingsError as error:
            print(str(error), file=sys.stderr)
            return 2
        print(f"Environnement INSi : {view.environment_label} ({view.endpoint_url})")
        if view.certificate.passphrase is None and not open_keyring(args, sys.stderr):
            return 2
        prepared = insi_calls.prepare_client(ctx, runtime)
        if prepared.refusal is not None or prepared.client is None:
            print(str(prepared.refusal), file=sys.stderr)
            return 2
        outcome = prepared.client.search_by_traits(query)
    finally:
        runtime.close()
        conn.close()
    print_outcome(outcome, sys.stdout, sys.stderr)
    if outcome.error is not None:
        return 2
    return 0 if outcome.found else 1


def print_outcome(outcome: object, out: TextIO, err: TextIO) -> None:
    """French report of a SearchOutcome: attempts, then result or error."""
    from insterm.insi.results import SearchOutcome

    assert isinstance(outcome, SearchOutcome)
    for number, attempt in enumerate(outcome.attempts, start=1):
        what = attempt.result.code if attempt.result else (attempt.error.code if attempt.error else "?")
        print(
            f"Tentative {number} : prénom « {attempt.sent_first_names} » -> {what} "
            f"({attempt.duration_seconds * 1000:.0f} ms)",
            file=out,
        )
    if outcome.error is not None:
        print(str(outcome.error), file=err)
        return
    result = outcome.result
    assert result is not None
    print(f"Compte rendu {result.code} : {result.message_fr}", file=out)
    for note in outcome.notes:
        print(note, file=out)
    if result.active is not None:
        active = result.active
        print(f"INS actif : {active.value} ({active.kind}, OID {active.oid})", file=out)
        for old in result.history:
            parts = (f"du {old.start}" if old.start else "", f"au {old.end}" if old.end else "")
            dates = " ".join(part for part in parts if part)
            print(f"INS historique : {old.value} ({old.kind}){' ' + dates if dates else ''}", file=out)
    if result.traits is not None:
        t = result.traits
        print(f"Nom de naissance : {t.birth_name or ''}", file=out)
        if t.first_name:
            print(f"Prénom : {t.first_name}", file=out)
        print(f"Prénoms de naissance : {t.first_names or ''}", file=out)
        print(f"Sexe : {t.sex or ''}", file=out)
        print(f"Date de naissance : {t.birth_date or ''}", file=out)
        print(f"Lieu de naissance : {t.birth_place or ''}", file=out)
