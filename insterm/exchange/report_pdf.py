"""The identity-vigilance report as a PDF (reportlab): a title, the period, every figure in a
table by section, and the qualified rate at each month's end as a bar chart.

Pure output: it is given the rows and the trend already computed (`insterm.usecases.indicators`)
and returns the document's bytes; the caller writes them (atomically). No Ghostscript, no
external program. The fonts are reportlab's standard Helvetica (Latin-1: French accents)."""

from __future__ import annotations

import io
from collections.abc import Sequence

Row = tuple[str, str, "int | float | None"]


def _value(value: int | float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}".replace(".", ",") if isinstance(value, float) else str(value)


def report_pdf(title: str, subtitle: str, rows: Sequence[Row],
               trend: Sequence[tuple[str, float | None]]) -> bytes:
    """An A4 PDF: `title`, `subtitle` (the period, the practice), the chart of `trend`
    (month label, percentage or None), then `rows` (section, indicator, value) as a table."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    story: list[object] = [Paragraph(title, styles["Title"]),
                           Paragraph(subtitle, styles["Normal"]), Spacer(1, 6 * mm)]

    chart_box = Drawing(170 * mm, 62 * mm)
    chart_box.add(String(0, 58 * mm, "Taux d'identités qualifiées en fin de mois (%)",
                         fontName="Helvetica-Bold", fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = 155 * mm, 42 * mm
    chart.data = [[value for _, value in trend]] if trend else [[0.0]]  # None: no bar
    chart.categoryAxis.categoryNames = [label for label, _ in trend] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#2e7d32")
    chart.barLabelFormat = lambda value: _value(float(value))
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 6
    chart_box.add(chart)
    story += [chart_box, Spacer(1, 4 * mm)]

    data = [["Indicateur", "Valeur"]]
    section_rows = []
    section = None
    for name, label, value in rows:
        if name != section:
            section = name
            section_rows.append(len(data))
            data.append([name, ""])
        data.append([f"   {label}", _value(value)])
    table = Table(data, colWidths=[140 * mm, 30 * mm], repeatRows=1)
    style = [("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
             ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
             ("ALIGN", (1, 0), (1, -1), "RIGHT"),
             ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 1), ("TOPPADDING", (0, 0), (-1, -1), 1)]
    for index in section_rows:
        style += [("FONT", (0, index), (-1, index), "Helvetica-Bold", 8.5),
                  ("BACKGROUND", (0, index), (-1, index), colors.HexColor("#e8eef4"))]
    table.setStyle(TableStyle(style))
    story.append(table)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="insterm",
                                 leftMargin=18 * mm, rightMargin=18 * mm,
                                 topMargin=16 * mm, bottomMargin=16 * mm)
    document.build(story)
    return buffer.getvalue()
