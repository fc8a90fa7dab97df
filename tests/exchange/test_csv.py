"""CSV export: golden file (`;`, UTF-8 with BOM, CRLF), formulas neutralised, INS only QUAL."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from insterm.exchange import csv_export
from tests.exchange.conftest import MATRICULE, exchange_identity

GOLDEN = Path(__file__).parent / "golden"


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_matches_its_golden_file() -> None:
    data = csv_export.document([
        exchange_identity(),
        exchange_identity(ipp="100000002", birth_name="MARTIN", first_name="JEAN",
                          first_names="JEAN PAUL", sex="M", birth_date=date(1980, 2, 1),
                          used_name="DURAND", used_first_name="JP", status="RECUP", ins=None,
                          attributes=frozenset({"HOMA"}))])
    assert data == (GOLDEN / "identities.csv").read_bytes()
    table = rows(data)
    assert table[0] == list(csv_export.HEADER)
    assert table[1][11:] == [MATRICULE, "1.2.250.1.213.1.4.8"]
    assert table[2][9:] == ["RECUP", "HOMA", "", ""]


def test_a_cell_read_as_a_formula_is_neutralised() -> None:
    data = csv_export.document([exchange_identity(used_name="=HYPERLINK(\"x\")", status="PROV",
                                                  ins=None)])
    assert rows(data)[1][4] == "'=HYPERLINK(\"x\")"
