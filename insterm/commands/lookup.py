"""`insterm lookup QUERY`: search the identities (matricule, IPP, NOM [prénom] [date], date,
datamatrix) and print a compact table. Exit 0 when found, 1 when nothing is found, 2 when the
query or the database cannot be used.

Scripts and other programs call it as a whole process, benchmarked against a bare sqlite3
query (scripts/bench); `tests/test_cli_store.py` says which heavy modules it must not import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from insterm.commands._store_options import add_db_option, fail
from insterm.config import SettingsError, resolve_db_path
from insterm.domain.query import QueryError
from insterm.store.connection import open_database
from insterm.store.errors import StoreError
from insterm.store.search import DEFAULT_PAGE_SIZE, search
from insterm.store.summary import IdentitySummary

if TYPE_CHECKING:  # argparse is not imported by `insterm lookup WORDS` (see insterm.cli)
    import argparse

# PATIENT: the name by the one rule of the screens (insterm.domain.display_name)
_HEADERS = ("IPP", "PATIENT", "NÉ(E) LE", "SEXE", "STATUT", "MATRICULE INS")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="+", metavar="RECHERCHE",
                        help="matricule (15 caractères ou 13 sans la clé), IPP, "
                             "NOM [prénom] [JJ/MM/AAAA], date de naissance, ou datamatrix INS")
    parser.add_argument("--page", type=int, default=1, metavar="N",
                        help="page de résultats à afficher (à partir de 1)")
    parser.add_argument("--par-page", dest="page_size", type=int, default=DEFAULT_PAGE_SIZE,
                        metavar="N", help=f"résultats par page ({DEFAULT_PAGE_SIZE} par défaut)")
    add_db_option(parser)


def _row(item: IdentitySummary) -> tuple[str, ...]:
    name = item.display_name
    if item.merged_into is not None:
        name += " [fusionné]"
    status = item.status + "".join(f"+{a}" for a in sorted(item.attributes))
    matricule = item.matricule or ("(non qualifié)" if item.has_ins else "")
    born = item.birth_date.strftime("%d/%m/%Y") + ("*" if item.birth_date_corrected else "")
    return (item.ipp, name, born, item.sex, status, matricule)


def format_table(items: Sequence[IdentitySummary]) -> str:
    rows = [_HEADERS] + [_row(item) for item in items]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    return lookup(args.query, args.db, page=args.page, page_size=args.page_size)


def lookup(words: Sequence[str], db: str | None, *, page: int = 1,
           page_size: int = DEFAULT_PAGE_SIZE) -> int:
    """Print the `page`-th page (from 1) of what `words` find in the database `db` (None: the
    usual places, see `insterm.config.resolve_db_path`)."""
    try:
        conn = open_database(resolve_db_path(db), readonly=True)
    except (StoreError, SettingsError) as error:
        return fail(str(error))
    try:
        result = search(conn, " ".join(words), page=max(page, 1) - 1, page_size=page_size)
    except QueryError as error:
        return fail(f"Recherche refusée : {error}")
    finally:
        conn.close()
    if not result.items:
        print("Aucune identité trouvée.")
        return 1
    print(format_table(result.items))
    if result.has_more:
        print(f"… d'autres résultats : --page {result.page + 2}")
    return 0
