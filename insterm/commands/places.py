"""`insterm places QUERY`: the communes and countries whose name (or code) starts like QUERY,
with their COG codes, as the birth-place autocompletion shows them. Exit 1 when none match."""

from __future__ import annotations

import argparse
import sys

KIND_LABELS = {
    "COM": "commune",
    "COMD": "commune déléguée",
    "COMA": "commune associée",
    "ARM": "arrondissement",
    "PAYS": "pays",
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="+", metavar="RECHERCHE", help="début d'un nom ou d'un code")
    parser.add_argument(
        "-n", "--limit", type=int, default=20, metavar="N", help="nombre maximal de réponses (20)"
    )


def run(args: argparse.Namespace) -> int:
    from insterm.datasets import place_index

    index = place_index()
    query = " ".join(args.query)
    places = index.search(query, limit=max(1, args.limit))
    if not places:
        print(f"Aucun lieu ne correspond à « {query} ».", file=sys.stderr)
        return 1
    for place in places:
        kind = KIND_LABELS.get(place.kind, place.kind)
        parent = ""
        if place.kind in ("COMD", "COMA", "ARM") and place.parent:
            parent = f" — de {index.name(place.parent) or '?'} ({place.parent})"
        print(f"{place.code}  {place.name} [{kind}]{parent}")
    return 0
