"""`insterm nir VALUE`: check a matricule and describe it in French (exit 0), or explain what is
wrong with it (exit 1; on a key mismatch the message gives the expected key)."""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "value", nargs="+", metavar="MATRICULE",
        help="15 caractères (13 + clé), espaces admis, ex. 2 79 03 51 215 189 89",
    )


def run(args: argparse.Namespace) -> int:
    from insterm.datasets import place_index
    from insterm.domain.errors import NirError
    from insterm.domain.nir import describe, parse_nir

    text = " ".join(args.value)
    try:
        nir = parse_nir(text)
    except NirError as error:
        print(f"Matricule refusé : {error}", file=sys.stderr)
        return 1
    print(nir.formatted)
    print(describe(nir, place_index().name))
    return 0
