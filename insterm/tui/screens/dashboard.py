"""Tableau de bord: the identity-vigilance indicators of a period, for the practice's referent.

The same figures as `insterm rapport` (`insterm.usecases.indicators`): a headline (qualified
rate, INSi failure rate, undecided duplicates), the qualified rate at each month's end over the
last 12 months as bars (`TrendBars`, ASCII under TERM=linux), and every figure in a table. The
period field takes what `insterm.domain.period` reads (default: the last 12 months); Enter or
F2 applies it, a bad period gets a French message under it and changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from insterm.domain.period import Period, PeriodError, last_months, parse_period
from insterm.tui.screens.base import InstermScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from insterm.store.indicators import MonthFigures
    from insterm.usecases.indicators import Report

# The glyphs of a bar's row from empty to full: eighths of a cell, or four ASCII steps.
_UNICODE_LEVELS = " ▁▂▃▄▅▆▇█"
_ASCII_LEVELS = " .:#"
MONTHS = ("janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov",
          "déc")


def trend_rows(trend: list[MonthFigures], *, ascii_only: bool, height: int = 3,
               width: int = 5) -> list[str]:
    """The qualified rate at each month's end as vertical bars `height` rows tall, each month
    `width` columns (its bar, then a space), and under them the months' names; a month with
    no identity yet is left empty."""
    from insterm.usecases.indicators import rate

    levels = _ASCII_LEVELS if ascii_only else _UNICODE_LEVELS
    steps = len(levels) - 1
    rows = []
    for row in range(height - 1, -1, -1):  # top row first
        line = ""
        for month in trend:
            percent = rate(month.qualified, month.identities) or 0.0
            filled = percent / 100 * height * steps - row * steps  # units of this row
            glyph = levels[max(0, min(steps, round(filled)))]
            line += glyph * (width - 1) + " "
        rows.append(line.rstrip())
    names = "".join(MONTHS[int(m.month[5:]) - 1][:width - 1].ljust(width) for m in trend)
    rows.append(names.rstrip())
    return rows


def percent_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} %".replace(".", ",")


class DashboardScreen(InstermScreen[None]):
    TITLE = "Tableau de bord"
    HELP = (
        "Tableau de bord de l'identitovigilance : les indicateurs que le référent suit et "
        "rapporte, pour tout le fichier et pour les patients vus sur la période (créés, "
        "modifiés, contrôlés ou interrogés auprès d'INSi ; une simple consultation n'est pas "
        "enregistrée et ne compte donc pas).\n"
        "Période : une année (2026), un mois (2026-03 ou 03/2026), un jour, ou DÉBUT..FIN "
        "(2026-01..2026-06) ; Entrée ou F2 l'applique. Par défaut : les 12 derniers mois.\n"
        "Les barres montrent le taux d'identités qualifiées à la fin de chacun des 12 mois qui "
        "finissent la période. Le tableau donne chaque chiffre, par opérateur aussi. Les mêmes "
        "chiffres en CSV ou JSON : « insterm rapport --format csv ». Échap revient."
    )
    DEFAULT_CSS = """
    DashboardScreen #dash-period-row { height: 1; padding: 0 1; }
    DashboardScreen #dash-period-row Label { width: auto; padding: 0 1 0 0; color: $text-muted; }
    DashboardScreen #dash-period { width: 24; }
    DashboardScreen Input.-textual-compact { background: $boost; }
    DashboardScreen Input.-textual-compact:focus { background: $accent 40%; }
    DashboardScreen #dash-period-label { width: 1fr; padding: 0 1; }
    DashboardScreen #dash-message { height: 1; padding: 0 1; color: $text-muted; }
    DashboardScreen #dash-message.-error { color: $error; text-style: bold; }
    DashboardScreen #dash-headline { height: auto; padding: 0 1; text-style: bold; }
    DashboardScreen #dash-trend { height: 4; padding: 0 1; color: $success; }
    DashboardScreen #dash-table { height: 1fr; min-height: 4; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Retour", id="dashboard.back"),
        Binding("f2", "apply", "Appliquer", id="dashboard.apply"),
        Binding("f3", "focus_period", "Période", id="dashboard.period"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        with Horizontal(id="dash-period-row"):
            yield Label("Période")
            yield Input(placeholder="AAAA-MM..AAAA-MM", id="dash-period", compact=True,
                        max_length=40)
            yield Label("", id="dash-period-label")
        yield Static("Chargement des indicateurs...", id="dash-message", markup=False)
        yield Static("", id="dash-headline", markup=False)
        yield Static("", id="dash-trend", markup=False)
        table: DataTable[str | Text] = DataTable(id="dash-table", cursor_type="row",
                                                 zebra_stripes=False)
        table.add_column("Indicateur", key="label", width=56)
        table.add_column("Valeur", key="value", width=9)
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#dash-table", DataTable).focus()
        self._load(last_months(date.today()))

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.dismiss(None)

    def action_focus_period(self) -> None:
        self.query_one("#dash-period", Input).focus()

    @on(Input.Submitted, "#dash-period")
    def action_apply(self) -> None:
        text = self.query_one("#dash-period", Input).value
        message = self.query_one("#dash-message", Static)
        try:
            period = parse_period(text) if text.strip() else last_months(date.today())
        except PeriodError as error:
            message.update(error.message)
            message.add_class("-error")
            return
        self._load(period)

    def _load(self, period: Period) -> None:
        from insterm.usecases.indicators import report

        message = self.query_one("#dash-message", Static)
        message.remove_class("-error")
        message.update("Calcul des indicateurs...")
        self.run_clinic(lambda clinic: report(clinic.conn, period), done=self._show,
                        group="dashboard", exclusive=True, doing="le calcul des indicateurs")

    # ------------------------------------------------------------------ display

    def _show(self, figures: Report) -> None:
        from insterm.usecases.indicators import insi_failure_rate, qualified_rates, rows

        self.report = figures
        self.query_one("#dash-period-label", Label).update(figures.period.label())
        self.query_one("#dash-message", Static).update(
            f"{figures.whole.total} identités dans le fichier, {figures.seen.total} vues sur "
            "la période.")
        among_retrieved, among_all = qualified_rates(figures.whole)
        self.query_one("#dash-headline", Static).update(
            f"Qualifiées : {percent_text(among_all)} des identités "
            f"({percent_text(among_retrieved)} des INS récupérés) | Échecs INSi : "
            f"{percent_text(insi_failure_rate(figures.insi))} | Doublons à trancher : "
            f"{figures.open_duplicates}")
        self.query_one("#dash-trend", Static).update("\n".join(
            trend_rows(figures.trend, ascii_only=self.app.has_class("-ascii"))))
        table = self.query_one("#dash-table", DataTable)
        table.clear()
        section = None
        for name, label, value in rows(figures):
            if name != section:
                section = name
                table.add_row(Text(name, style="bold"), "")
            shown = "-" if value is None else (
                f"{value:.1f}".replace(".", ",") if isinstance(value, float) else str(value))
            table.add_row(f"  {label}", Text(shown, justify="right"))
