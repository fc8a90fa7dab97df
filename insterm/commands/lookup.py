"""`insterm lookup QUERY`: search the identities (matricule, IPP, NOM [prénom] [date], date,
datamatrix) and print a compact table, or with `--format json|csv` one record per identity for
scripts. Exit 0 when found, 1 when nothing is found, 2 when the query or the database cannot be
used.

JSON and CSV carry the traits of every identity; the INS (matricule and OID) only for a
qualified identity (QUAL), next to its traits: `IdentitySummary` holds it for no other. Dates
are AAAA-MM-JJ there. In JSON, `suite` is the `--page` of the next results (null when none); in
CSV it is said on the error output.

Scripts and other programs call it as a whole process, benchmarked against a bare sqlite3
query (scripts/bench); `tests/test_cli_store.py` says which heavy modules it must not import.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from insterm.commands._keyring_options import add_password_file_option, with_keyring_opened
from insterm.commands._store_options import add_db_option, fail
from insterm.config import SettingsError, resolve_db_path
from insterm.domain.errors import InstermError
from insterm.domain.query import QueryError
from insterm.store.connection import open_database
from insterm.store.search import DEFAULT_PAGE_SIZE, search
from insterm.store.summary import IdentitySummary

if TYPE_CHECKING:  # argparse is not imported by `insterm lookup WORDS` (see insterm.cli)
    import argparse

# PATIENT: the name by the one rule of the screens (insterm.domain.display_name)
_HEADERS = ("IPP", "PATIENT", "NÉ(E) LE", "SEXE", "STATUT", "MATRICULE INS")
FORMATS = ("table", "json", "csv")
# The fields of --format json / csv, in this order (French names, for the practice's scripts).
FIELDS = ("ipp", "nom_naissance", "premier_prenom", "prenoms_naissance", "nom_utilise",
          "prenom_utilise", "date_naissance", "date_corrigee", "sexe", "lieu_naissance",
          "statut", "attributs", "fusionne_dans", "matricule_ins", "oid_ins")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="+", metavar="RECHERCHE",
                        help="matricule (15 caractères ou 13 sans la clé), IPP, "
                             "NOM [prénom] [JJ/MM/AAAA], date de naissance, ou datamatrix INS")
    parser.add_argument("--page", type=int, default=1, metavar="N",
                        help="page de résultats à afficher (à partir de 1)")
    parser.add_argument("--par-page", dest="page_size", type=int, default=DEFAULT_PAGE_SIZE,
                        metavar="N", help=f"résultats par page ({DEFAULT_PAGE_SIZE} par défaut)")
    parser.add_argument("--format", dest="output", choices=FORMATS, default="table",
                        metavar="FORMAT", help="table (par défaut), json ou csv (pour les "
                        "scripts : traits de chaque identité, INS des identités qualifiées)")
    add_db_option(parser)
    add_password_file_option(parser)  # an encrypted base, its key in the encrypted keyring


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


def record(item: IdentitySummary) -> dict[str, object]:
    """One identity for --format json/csv: its traits; its INS only when it is qualified."""
    return {
        "ipp": item.ipp, "nom_naissance": item.birth_name, "premier_prenom": item.first_name,
        "prenoms_naissance": item.first_names, "nom_utilise": item.used_name,
        "prenom_utilise": item.used_first_name, "date_naissance": item.birth_date.isoformat(),
        "date_corrigee": item.birth_date_corrected, "sexe": item.sex,
        "lieu_naissance": item.birth_place, "statut": item.status,
        "attributs": sorted(item.attributes), "fusionne_dans": item.merged_into,
        "matricule_ins": item.matricule if item.status == "QUAL" else None,
        "oid_ins": item.oid if item.status == "QUAL" else None,
    }


def format_json(items: Sequence[IdentitySummary], next_page: int | None) -> str:
    import json

    return json.dumps({"identites": [record(item) for item in items], "suite": next_page},
                      ensure_ascii=False, indent=1)


def format_csv(items: Sequence[IdentitySummary]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for item in items:
        values = record(item)
        writer.writerow([_csv_cell(values[name]) for name in FIELDS])
    return out.getvalue().rstrip("\n")


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return " ".join(str(part) for part in value)
    return str(value)


def run(args: argparse.Namespace) -> int:
    return lookup(args.query, args.db, page=args.page, page_size=args.page_size,
                  output=args.output, password_file=args.password_file)


def lookup(words: Sequence[str], db: str | None, *, page: int = 1,
           page_size: int = DEFAULT_PAGE_SIZE, output: str = "table",
           password_file: str | None = None) -> int:
    """Print the `page`-th page (from 1) of what `words` find in the database `db` (None: the
    usual places, see `insterm.config.resolve_db_path`), as a table, JSON or CSV (`output`)."""
    try:
        path = resolve_db_path(db)
    except SettingsError as error:
        return fail(str(error))
    try:  # an encrypted base: its key may be in the encrypted keyring, opened first
        conn = with_keyring_opened(lambda: open_database(path, readonly=True), sys.stderr,
                                   password_file)
    except InstermError as error:
        return fail(str(error))
    if conn is None:
        return 2
    try:
        result = search(conn, " ".join(words), page=max(page, 1) - 1, page_size=page_size)
    except QueryError as error:
        return fail(f"Recherche refusée : {error}")
    finally:
        conn.close()
    next_page = result.page + 2 if result.has_more else None
    if output == "json":
        print(format_json(result.items, next_page))
    elif output == "csv":
        print(format_csv(result.items))
        if next_page is not None:
            print(f"D'autres résultats : --page {next_page}", file=sys.stderr)
    elif not result.items:
        print("Aucune identité trouvée.")
    else:
        print(format_table(result.items))
        if next_page is not None:
            print(f"… d'autres résultats : --page {next_page}")
    return 0 if result.items else 1
