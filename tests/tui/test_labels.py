"""Imprimer des étiquettes INS from the record (F8): a PDF written for a QUAL identity (its
datamatrix decoded back), a clear French refusal for any other, checked on disk and in the
audit log, at 80x24."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import zxingcpp

from .support import ADRUN_MATRICULE, audit_actions, settle
from .test_record import notifications, open_record


async def print_to(pilot, output: Path) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f8")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "LabelsModal"
    field = pilot.app.screen.query_one("#labels-output")
    field.value = str(output)
    count = pilot.app.screen.query_one("#labels-count")
    count.focus()
    await pilot.press("3")
    await pilot.press("f2")
    await settle(pilot)


async def test_labels_of_a_qualified_identity_to_pdf(app, clinic, practice, tmp_path):
    output = tmp_path / "etiquettes.pdf"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.adrun)
        await print_to(pilot, output)
        assert type(app.screen).__name__ == "RecordScreen"
        assert any("3 étiquette(s) INS" in m and str(output) in m for m in notifications(app))
    page = pypdfium2.PdfDocument(output.read_bytes())[0]
    symbols = zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil())
    assert len(symbols) == 3
    assert all(ADRUN_MATRICULE.encode() in bytes(s.bytes) for s in symbols)
    assert audit_actions(clinic, practice.adrun)[-1][0] == "ins_labels_printed"


async def test_labels_refused_for_a_validated_identity(app, clinic, practice, tmp_path):
    output = tmp_path / "etiquettes.pdf"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, practice.durand)
        await print_to(pilot, output)
        assert type(app.screen).__name__ == "LabelsModal"
        shown = str(app.screen.query_one("#labels-message").render())
        assert "est « Identité validée »" in shown
        assert "n'est imprimé que pour une identité qualifiée (QUAL)" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "RecordScreen"
    assert not output.exists()
    assert "ins_labels_printed" not in [a for a, _ in audit_actions(clinic, practice.durand)]
