"""INS labels: the PDF rendered at 300 dpi (pypdfium2) and every datamatrix on it decoded
(zxing-cpp), byte for byte the payload of the domain encoder; a non-QUAL identity refused."""

from __future__ import annotations

from datetime import date

import pypdfium2
import pytest
import zxingcpp

from insterm.domain import datamatrix
from insterm.domain.datamatrix import DatamatrixIdentity
from insterm.exchange import labels
from insterm.exchange.identity import ExportRefused, Ins
from tests.exchange.conftest import MATRICULE, NIR_OID, exchange_identity

DPI = 300


def decoded(pdf: bytes) -> list[list[bytes]]:
    """The datamatrix symbols of each page, as raw bytes."""
    pages = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            image = page.render(scale=DPI / 72, grayscale=True).to_pil()
            found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix)
            pages.append([bytes(symbol.bytes) for symbol in found])
    finally:
        document.close()
    return pages


def domain_payload(identity_matricule: str = MATRICULE, oid: str = NIR_OID, **changes: object) -> bytes:
    values: dict = dict(matricule=identity_matricule, oid=oid, first_names="ZOE",
                        birth_name="ADRUN", sex="F", birth_date=date(1975, 12, 31),
                        birth_place="63220")
    values.update(changes)
    return datamatrix.encode(DatamatrixIdentity(**values)).encode("ascii")


def test_a4_sheet_has_24_labels_each_decoding_to_the_domain_payload() -> None:
    pdf = labels.sheet(exchange_identity(), labels.FORMATS["3x8"])
    pages = decoded(pdf)
    assert len(pages) == 1
    assert len(pages[0]) == 24
    expected = domain_payload()
    assert set(pages[0]) == {expected}
    assert expected == (b"IS010000000000000000000000S1275126322074974S21.2.250.1.213.1.4.8\x1d"
                        b"S3ZOE\x1dS4ADRUN\x1dS5FS631-12-1975S763220")


def test_single_label_format_one_a_page() -> None:
    identity = exchange_identity(first_names="JEAN-PIERRE MARIE", birth_name="D'ARTAGNAN DE LA TOUR",
                                 first_name="JEAN-PIERRE", sex="M", birth_place="2B020",
                                 ins=Ins("189032B02012354", "1.2.250.1.213.1.4.10"))
    pdf = labels.sheet(identity, labels.FORMATS["89x36"], count=2)
    pages = decoded(pdf)
    expected = domain_payload("189032B02012354", "1.2.250.1.213.1.4.10",
                              first_names="JEAN-PIERRE MARIE", birth_name="D'ARTAGNAN DE LA TOUR",
                              sex="M", birth_place="2B020")
    assert pages == [[expected], [expected]]


def test_more_labels_than_a_page_continue_on_the_next() -> None:
    pages = decoded(labels.sheet(exchange_identity(), labels.FORMATS["3x8"], count=26))
    assert [len(p) for p in pages] == [24, 2]


@pytest.mark.parametrize("status", ["PROV", "RECUP", "VALI"])
def test_a_non_qualified_identity_gets_no_label(status: str) -> None:
    with pytest.raises(ExportRefused, match="qualifiée"):
        labels.sheet(exchange_identity(status=status, ins=None), labels.FORMATS["3x8"])


def test_count_out_of_range_is_refused() -> None:
    with pytest.raises(ExportRefused, match="Nombre d'étiquettes"):
        labels.sheet(exchange_identity(), labels.FORMATS["89x36"], count=0)
