"""PDF sheets of INS labels: the datamatrix of ins-rules 6.4, the five strict traits in clear,
the IPP, the matricule and its nature (NIR/NIA).

The symbol is ECC200, square, drawn module by module (ppf.datamatrix for the encoding,
reportlab for the PDF: vector rectangles, no image, no Ghostscript), with a quiet zone of two
modules and the caption "INS à scanner". Only a QUAL identity gets a label: `sheet` refuses any
other (the use case has already refused, this is the second lock).

Formats (`FORMATS`): "3x8" (A4, 3 columns × 8 rows of 70 × 36 mm, the sheet filled) and
"89x36" (one 89 × 36 mm label a page, for label printers).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from insterm.domain import datamatrix
from insterm.domain.datamatrix import DatamatrixIdentity
from insterm.exchange.identity import ExchangeIdentity, ExportRefused

__all__ = ["FORMATS", "LabelFormat", "payload", "sheet"]

MM = 72 / 25.4  # PDF points per millimetre
QUIET_MODULES = 2
OID_NATURE = {"1.2.250.1.213.1.4.8": "NIR", "1.2.250.1.213.1.4.9": "NIA",
              "1.2.250.1.213.1.4.10": "NIR de test", "1.2.250.1.213.1.4.11": "NIR de démo"}
SEXES = {"M": "masculin", "F": "féminin"}


@dataclass(frozen=True, slots=True)
class LabelFormat:
    name: str
    label: str  # French, for the help and messages
    page_width: float  # mm
    page_height: float
    columns: int
    rows: int
    width: float  # one label, mm
    height: float
    left: float  # first label's left edge, mm
    top: float  # first label's top edge, mm

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


FORMATS = {
    "3x8": LabelFormat("3x8", "planche A4 de 3 × 8 étiquettes (70 × 36 mm)",
                       210, 297, 3, 8, 70, 36, 0, 4.5),
    "89x36": LabelFormat("89x36", "étiquette seule de 89 × 36 mm",
                         89, 36, 1, 1, 89, 36, 0, 0),
}


def payload(identity: ExchangeIdentity) -> str:
    """The datamatrix payload of a QUAL identity (the domain encoder's, ins-rules 6.4)."""
    if not identity.qualified or identity.ins is None:
        raise ExportRefused(
            f"Étiquettes INS refusées pour l'IPP {identity.ipp} : le datamatrix INS n'est "
            "imprimé que pour une identité qualifiée (QUAL).", field="status")
    return datamatrix.encode(DatamatrixIdentity(
        matricule=identity.ins.matricule, oid=identity.ins.oid,
        first_names=identity.first_names, birth_name=identity.birth_name, sex=identity.sex,
        birth_date=identity.birth_date, birth_place=identity.birth_place))


def matrix(text: str) -> list[list[int]]:
    """The ECC200 square symbol of `text`, rows of 0/1 (finder pattern included)."""
    from ppf.datamatrix import DataMatrix

    rows: list[list[int]] = DataMatrix(text).matrix
    return rows


def _formatted_matricule(matricule: str) -> str:
    m = matricule
    return f"{m[0]} {m[1:3]} {m[3:5]} {m[5:7]} {m[7:10]} {m[10:13]} {m[13:15]}"


def _lines(identity: ExchangeIdentity) -> list[tuple[str, bool]]:
    assert identity.ins is not None
    born = identity.birth_date.strftime("%d/%m/%Y")
    place = f" · lieu {identity.birth_place}" if identity.birth_place else ""
    return [
        (identity.birth_name, True),
        (identity.first_names, False),
        (f"Né(e) le {born}{place}", False),
        (f"Sexe {SEXES.get(identity.sex, identity.sex)}", False),
        (f"INS {_formatted_matricule(identity.ins.matricule)} "
         f"({OID_NATURE.get(identity.ins.oid, identity.ins.oid)})", False),
        (f"IPP {identity.ipp} · Identité qualifiée", False),
    ]


def _fit(text: str, font: str, size: float, width: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    while size > 4 and stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def _draw_label(canvas: Any, identity: ExchangeIdentity, modules: list[list[int]],
                x: float, y: float, fmt: LabelFormat) -> None:
    """One label whose bottom-left corner is (x, y) in points."""
    c = canvas
    margin = 2 * MM
    caption = 2.6 * MM
    symbol_side = min(fmt.height * MM - 2 * margin - caption, 24 * MM)
    count = len(modules)
    module = symbol_side / (count + 2 * QUIET_MODULES)
    sx = x + margin + QUIET_MODULES * module
    sy = y + margin + caption + QUIET_MODULES * module
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(modules):
        for col, bit in enumerate(row):
            if bit:
                c.rect(sx + col * module, sy + (count - 1 - r) * module,
                       module, module, stroke=0, fill=1)
    c.setFont("Helvetica", 6)
    c.drawString(x + margin, y + margin + 0.6 * MM, "INS à scanner")
    tx = x + margin + symbol_side + 1.5 * MM
    width = x + fmt.width * MM - margin - tx
    ty = y + fmt.height * MM - margin - 3 * MM
    for text, bold in _lines(identity):
        font = "Helvetica-Bold" if bold else "Helvetica"
        size = _fit(text, font, 8 if bold else 6.5, width)
        c.setFont(font, size)
        c.drawString(tx, ty, text)
        ty -= (size + 1.6)


def sheet(identity: ExchangeIdentity, fmt: LabelFormat, count: int | None = None) -> bytes:
    """The PDF: `count` labels (default: one full page) of a QUAL identity."""
    text = payload(identity)
    count = fmt.per_page if count is None else count
    if not 1 <= count <= 10 * fmt.per_page:
        raise ExportRefused(f"Nombre d'étiquettes : de 1 à {10 * fmt.per_page} pour le format "
                            f"{fmt.name}.", field="count")
    from reportlab.pdfgen.canvas import Canvas

    modules = matrix(text)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(fmt.page_width * MM, fmt.page_height * MM),
                    invariant=True, pageCompression=1)
    canvas.setTitle(f"Étiquettes INS IPP {identity.ipp}")
    canvas.setCreator("insterm")
    for index in range(count):
        slot = index % fmt.per_page
        if index and slot == 0:
            canvas.showPage()
        column, row = slot % fmt.columns, slot // fmt.columns
        x = (fmt.left + column * fmt.width) * MM
        y = (fmt.page_height - fmt.top - (row + 1) * fmt.height) * MM
        _draw_label(canvas, identity, modules, x, y, fmt)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
