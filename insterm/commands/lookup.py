"""`insterm lookup QUERY`: search the identities (matricule, IPP, NOM [prénom] [date], date,
datamatrix) and print a compact table. Exit 0 when found, 1 when nothing is found, 2 when the
query or the database cannot be used.

This path is benchmarked as a whole process: it imports the standard library, `insterm.config`,
`insterm.store.connection`, `insterm.store.search` and the few domain modules a query needs —
no sqlite-utils, no Textual, no zeep.
"""

from __future__ import annotations

from insterm.commands._store_options import add_db_option, db_path_text

if False:  # annotations only: importing argparse or typing would slow `insterm lookup`
    import argparse

_HEADERS = ("IPP", "NOM", "PRÉNOM", "NÉ(E) LE", "SEXE", "STATUT", "MATRICULE INS")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="+", metavar="RECHERCHE",
                        help="matricule (15 caractères ou 13 sans la clé), IPP, "
                             "NOM [prénom] [JJ/MM/AAAA], date de naissance, ou datamatrix INS")
    parser.add_argument("--page", type=int, default=1, metavar="N",
                        help="page de résultats à afficher (à partir de 1)")
    parser.add_argument("--par-page", dest="page_size", type=int, default=20, metavar="N",
                        help="résultats par page (20 par défaut)")
    add_db_option(parser)


def _row(item) -> tuple[str, ...]:
    name = item.birth_name + (f" ({item.used_name})" if item.used_name else "")
    if item.merged_into is not None:
        name += " [fusionné]"
    first = item.first_name + (f" ({item.used_first_name})" if item.used_first_name else "")
    status = item.status + "".join(f"+{a}" for a in sorted(item.attributes))
    matricule = item.matricule or ("(non qualifié)" if item.has_ins else "")
    born = item.birth_date.strftime("%d/%m/%Y") + ("*" if item.birth_date_corrected else "")
    return (item.ipp, name, first, born, item.sex, status, matricule)


def format_table(items) -> str:
    rows = [_HEADERS] + [_row(item) for item in items]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from insterm.commands._store_options import fail
    from insterm.config import SettingsError
    from insterm.domain.query import QueryError
    from insterm.store.connection import open_database
    from insterm.store.errors import StoreError
    from insterm.store.search import search

    try:
        conn = open_database(db_path_text(args), readonly=True)
    except (StoreError, SettingsError) as error:
        return fail(str(error))
    try:
        result = search(conn, " ".join(args.query), page=max(args.page, 1) - 1,
                        page_size=args.page_size)
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
