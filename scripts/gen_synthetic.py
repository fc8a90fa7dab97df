#!/usr/bin/env python3
"""Generate synthetic French patient identities (insterm/demo/synthetic.py) as JSON lines or into a
database.

    python scripts/gen_synthetic.py --count 300 --jsonl demo.jsonl
    python scripts/gen_synthetic.py --count 1000000 --seed 7 --db bench.sqlite
    python scripts/gen_synthetic.py --count 5 --jsonl -          # to standard output

The same --seed, --count, --reference-date and data files always give the same rows. Each JSON
line holds the store's bulk-insert fields plus the test flags `duplicate_of`, `duplicate_kind`
and `homonym_of` (see insterm/demo/synthetic.py); --db inserts the rows without the flags through
insterm.store.bulk, in transactions of --chunk rows. The IPPs are 100000000 + --ipp-start + n:
to add rows to a database that already holds records, give an --ipp-start past its last IPP and
another --seed (a taken IPP or matricule makes the store refuse the whole --chunk batch; the
batches before it stay written).
A summary (counts by status, near-duplicates, time) goes to standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from datetime import date
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing insterm
    sys.path.insert(0, str(ROOT))

from insterm.demo.synthetic import (  # noqa: E402
    DEFAULT_REFERENCE_DATE,
    generate_identities,
    store_row,
)


def _reference_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date de référence « {text} » invalide : écrivez-la AAAA-MM-JJ.") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"« {text} » : un nombre entier positif est attendu.")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Génère des identités de patients fictives (données synthétiques).")
    parser.add_argument("--count", type=_positive, default=300,
                        help="nombre d'identités (300 par défaut)")
    parser.add_argument("--seed", type=int, default=0, help="graine du hasard (0 par défaut)")
    parser.add_argument("--reference-date", type=_reference_date, default=DEFAULT_REFERENCE_DATE,
                        help="« aujourd'hui » de la population générée, AAAA-MM-JJ "
                             f"({DEFAULT_REFERENCE_DATE.isoformat()} par défaut)")
    parser.add_argument("--ipp-start", type=_positive, default=1,
                        help="premier IPP = 100000000 + cette valeur (1 par défaut)")
    parser.add_argument("--jsonl", metavar="FICHIER",
                        help="écrit une identité JSON par ligne (« - » : sortie standard)")
    parser.add_argument("--db", metavar="BASE", type=Path,
                        help="insère les identités dans cette base (créée si absente)")
    parser.add_argument("--chunk", type=_positive, default=100_000,
                        help="lignes par transaction avec --db (100000 par défaut)")
    args = parser.parse_args(argv)
    if not args.jsonl and not args.db:
        parser.error("indiquez --jsonl FICHIER et/ou --db BASE.")
    if args.chunk < 1 or args.ipp_start < 1:
        parser.error("--chunk et --ipp-start valent au moins 1.")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    statuses: Counter[str] = Counter()
    duplicates: Counter[str] = Counter()
    homonyms = 0
    rows = generate_identities(args.count, seed=args.seed, reference_date=args.reference_date,
                               ipp_start=args.ipp_start)
    out = None
    conn = None
    if args.jsonl == "-":
        out = sys.stdout
    elif args.jsonl:
        out = open(args.jsonl, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        if args.db:
            from insterm.store.bulk import insert_identities
            from insterm.store.connection import open_database
            from insterm.store.errors import StoreError

            conn = open_database(args.db, create=True)
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        while True:
            chunk = list(islice(rows, args.chunk if conn is not None else 10_000))
            if not chunk:
                break
            for row in chunk:
                statuses[row["status"]] += 1
                if row["duplicate_kind"]:
                    duplicates[row["duplicate_kind"]] += 1
                if row["homonym_of"]:
                    homonyms += 1
            if out is not None:
                out.write("".join(dumps(row) + "\n" for row in chunk))
            if conn is not None:
                try:
                    insert_identities(conn, [store_row(row) for row in chunk])
                except StoreError as error:
                    print(f"gen_synthetic : {error} Pour compléter une base qui contient "
                          "déjà des identités, donnez une autre --seed et un --ipp-start "
                          "au-delà de ses IPP.", file=sys.stderr)
                    return 1
    finally:
        if out is not None and out is not sys.stdout:
            out.close()
        if conn is not None:
            conn.close()
    elapsed = time.perf_counter() - started
    total = sum(statuses.values())
    print(f"gen_synthetic : {total} identités en {elapsed:.1f} s (graine {args.seed}) ; "
          f"statuts {dict(sorted(statuses.items()))} ; quasi-doublons "
          f"{sum(duplicates.values())} {dict(sorted(duplicates.items()))} ; "
          f"homonymes {homonyms}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
