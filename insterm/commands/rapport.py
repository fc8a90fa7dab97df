"""`insterm rapport [--periode P] [--format texte|csv|json|pdf] [--sortie FICHIER]`: the
identity-vigilance indicators of a period (default: the last 12 months), for the referent's
quality report.

The text form is a table per section and a bar chart of the qualified rate at each month's end;
CSV (";"-separated, UTF-8 with BOM for spreadsheet software), JSON and PDF carry the same rows
(`insterm.usecases.indicators.rows`). The database's path goes to standard error in the CSV
and JSON forms, so that their output is only data. The PDF (`insterm.exchange.report_pdf`) is
written whole or not at all, to `--sortie` or to rapport-identitovigilance-AAAA-MM-JJ.pdf.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from insterm.commands._store_options import add_db_option

if TYPE_CHECKING:
    from insterm.usecases.indicators import Report

FORMATS = ("texte", "csv", "json", "pdf")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--periode", "--période", dest="period", metavar="PÉRIODE",
                        help="AAAA, AAAA-MM, MM/AAAA, un jour, ou DÉBUT..FIN "
                             "(ex. 2026-01..2026-06) ; défaut : les 12 derniers mois")
    parser.add_argument("--format", dest="output", choices=FORMATS, default="texte",
                        help="texte (défaut), csv, json ou pdf")
    parser.add_argument("--sortie", dest="output_file", metavar="FICHIER",
                        help="le fichier PDF à écrire (défaut : "
                             "rapport-identitovigilance-AAAA-MM-JJ.pdf ici)")
    add_db_option(parser)


def run(args: argparse.Namespace) -> int:
    from datetime import date

    from insterm.commands._store_options import existing_db, fail
    from insterm.config import SettingsError
    from insterm.domain.period import PeriodError, last_months, parse_period
    from insterm.store.connection import open_database
    from insterm.store.errors import StoreError
    from insterm.usecases.indicators import report

    try:
        period = parse_period(args.period) if args.period else last_months(date.today())
    except PeriodError as error:
        return fail(str(error))
    try:
        path = existing_db(args, announce=False)
        conn = open_database(path, readonly=True)
    except (StoreError, SettingsError) as error:
        return fail(str(error))
    print(f"Base : {path}", file=sys.stderr if args.output != "texte" else sys.stdout,
          flush=True)
    try:
        figures = report(conn, period)
    finally:
        conn.close()
    if args.output == "pdf":
        return _pdf(figures, args.output_file)
    {"texte": _text, "csv": _csv, "json": _json}[args.output](figures)
    return 0


def _pdf(figures: Report, output: str | None) -> int:
    from datetime import date
    from pathlib import Path

    from insterm.atomic_file import write_atomically
    from insterm.commands._store_options import fail
    from insterm.exchange.report_pdf import report_pdf
    from insterm.usecases.indicators import rate, rows

    target = Path(output or f"rapport-identitovigilance-{date.today().isoformat()}.pdf")
    if target.is_dir():
        return fail(f"{target} est un dossier : indiquez le nom du fichier PDF à écrire.")
    document = report_pdf(
        "Indicateurs d'identitovigilance", f"Période {figures.period.label()}",
        rows(figures), [(m.month, rate(m.qualified, m.identities)) for m in figures.trend])
    try:
        write_atomically(target, document)
    except OSError as error:
        return fail(f"Impossible d'écrire {target} : {error.strerror or error}. Rien n'a été "
                    "écrit ; vérifiez le dossier et la place libre.")
    print(f"Rapport écrit : {target.absolute()} ({len(document) // 1024 + 1} Kio)")
    return 0


def _value(value: int | float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}".replace(".", ",") if isinstance(value, float) else str(value)


def _text(figures: Report) -> None:
    from insterm.usecases.indicators import rate, rows

    print(f"Indicateurs d'identitovigilance {figures.period.label()}")
    section = None
    for name, label, value in rows(figures):
        if name.startswith("Tendance"):
            continue
        if name != section:
            section = name
            print(f"\n{name}")
        print(f"  {label:<58}{_value(value):>10}")
    print("\nTaux qualifié en fin de mois (identités qualifiées / identités)")
    ascii_only = _ascii_terminal()
    for month in figures.trend:
        percent = rate(month.qualified, month.identities)
        width = round((percent or 0) / 2.5)  # 40 columns for 100 %
        bar = ("#" if ascii_only else "█") * width
        print(f"  {month.month}  {_value(percent):>6} %  {bar}")


def _ascii_terminal() -> bool:
    import os

    return os.environ.get("INSTERM_ASCII") == "1" or os.environ.get("TERM") == "linux"


def _csv(figures: Report) -> None:
    import csv

    from insterm.usecases.indicators import rows

    sys.stdout.write("\ufeff")
    writer = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
    writer.writerow(["section", "indicateur", "valeur"])
    for name, label, value in rows(figures):
        writer.writerow([name, label, _value(value) if value is not None else ""])


def _json(figures: Report) -> None:
    import json

    from insterm.usecases.indicators import rows

    document = {
        "periode": {"debut": figures.period.start.isoformat(),
                    "fin": figures.period.end.isoformat(), "fin_exclue": True},
        "indicateurs": [{"section": name, "indicateur": label, "valeur": value}
                        for name, label, value in rows(figures)],
    }
    json.dump(document, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
