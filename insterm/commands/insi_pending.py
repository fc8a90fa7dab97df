"""`insterm insi reprendre [--operateur IDENTIFIANT]`: make again, one at a time, the INSi
calls put on the pending list while the service was down, and say what each gave.

Nothing is applied: an answer 00 waits for the operator's decision on the patient's record
(F4, qualification), as in the single-call flow. Exit code: 0 when every call was answered,
1 when some still wait (INSi still unreachable), 2 for an error (database, operator, keyring).
Ctrl+C stops after the current call; what was done is kept.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from insterm.clinic import Clinic


def configure(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "reprendre", add_help=False,
        help="relancer les appels INSi mis en attente pendant une panne du service",
        description="Relance un par un les appels INSi mis en attente (« À reprendre plus "
                    "tard »). Rien n'est appliqué : une réponse 00 attend la décision de "
                    "l'opérateur sur la fiche du patient. Code de sortie : 0 tout a répondu, "
                    "1 des appels attendent encore, 2 erreur.")
    parser.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")
    from insterm.commands._keyring_options import add_password_file_option
    from insterm.commands._store_options import add_db_option, add_operator_option

    add_operator_option(parser, "relance")
    add_db_option(parser)
    add_password_file_option(parser)


def run(args: argparse.Namespace) -> int:
    from insterm.commands._store_options import CommandFailed, acting_operator

    try:
        with acting_operator(args, refused_code=2) as (clinic, actor):
            return _retry_all(clinic, actor, args)
    except CommandFailed as failure:
        return failure.exit_code()


def _retry_all(clinic: Clinic, actor: str, args: argparse.Namespace) -> int:
    """Every pending call once, in order, with a line each; 0 when none is left waiting."""
    from insterm.commands._keyring_options import open_keyring
    from insterm.domain.display_name import display_name
    from insterm.domain.errors import InstermError

    items = clinic.insi_pending()
    if not items:
        print("Aucun appel INSi en attente.")
        return 0
    if not open_keyring(args, sys.stderr):
        return 2
    waiting = 0
    try:
        for number, item in enumerate(items, start=1):
            record = clinic.get(item.identity_id)
            who_text = f"IPP {record.ipp} {display_name(record)}"
            print(f"{number}/{len(items)} {who_text} : ", end="", flush=True)
            try:
                plan = clinic.plan_pending_try(actor, item)
                report = clinic.record_insi_exchange(plan.exchange())
                after = clinic.record_pending_try(actor, item, report)
            except InstermError as error:
                print(f"refusé : {error.message}")
                waiting += 1
                continue
            if after.answer_code is None:
                waiting += 1
                print(f"toujours en attente ({after.last_outcome})")
            elif after.answer_code == "00":
                print("réponse 00 : sur la fiche, F4 puis F2 refont l'appel pour accepter ou refuser")
            else:
                print(f"réponse {after.answer_code} : sur la fiche, F4 puis F2 pour la suite")
    except KeyboardInterrupt:
        print("\nArrêté : les appels déjà faits sont enregistrés.", file=sys.stderr)
        return 1
    finally:
        clinic.insi_runtime.close()
    print(f"{len(items) - waiting} appel(s) ont reçu une réponse, {waiting} attend(ent) encore.")
    return 0 if waiting == 0 else 1
