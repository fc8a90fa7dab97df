"""Who runs a command that writes an audit event: `--operateur`, else the operator mapped to
the OS login (as `insterm db doublons`)."""

from __future__ import annotations

import argparse
import getpass

from insterm.clinic import Clinic


def add_operator_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--operateur", "--operator", dest="operator", metavar="IDENTIFIANT",
                        default=None,
                        help="l'opérateur qui agit (sinon celui associé au compte système)")


def resolve_actor(clinic: Clinic, args: argparse.Namespace, doing: str) -> str | None:
    """The operator's login, or None after printing what to do (`doing`: "exporte", ...)."""
    import sys

    if args.operator:
        return str(args.operator)
    try:
        os_login: str | None = getpass.getuser()
    except (KeyError, OSError):
        os_login = None
    who = clinic.operator_for_os_login(os_login)
    if who is None:
        print(f"Indiquez qui {doing} : --operateur IDENTIFIANT (aucun opérateur actif n'est "
              f"associé au compte « {os_login} »).", file=sys.stderr)
        return None
    return who.login
