"""`insterm rapport [--periode P] [--format texte|csv|json]`: the identity-vigilance indicators
of a period (default: the last 12 months), for the referent's quality report.

The text form is a table per section and a bar chart of the qualified rate at each month's end;
CSV (";"-separated, UTF-8 with BOM for spreadsheet software) and JSON carry the same rows
(`insterm.usecases.indicators.rows`). The database's path goes to standard error in the CSV
and JSON forms, so that their output is only data.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from insterm.commands._store_options import add_db_option

if TYPE_CHECKING:
    from insterm.usecases.indicators import Report

FORMATS = ("texte", "csv", "json")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--periode", "--période", dest="period", metavar="PÉRIODE",
                        help="AAAA, AAAA-MM, MM/AAAA, un jour, ou DÉBUT..FIN "
                             "(ex. 2026-01..2026-06) ; défaut : les 12 derniers mois")
    parser.add_argument("--format", dest="output", choices=FORMATS, default="texte",
                        help="texte (défaut), csv ou json")
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
    {"texte": _text, "csv": _csv, "json": _json}[args.output](figures)
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
