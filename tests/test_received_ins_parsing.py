"""What a received INS may be (usecases.received_ins.checked_ins), whatever text arrives with
an import: a NIR or NIA with its key and the OID of one, or a French refusal quoting the text
safely; never another exception."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.domain.nir import compute_key, parse_nir
from insterm.usecases.errors import ActionRefused
from insterm.usecases.received_ins import checked_ins

OIDS = ["1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9"]


@st.composite
def valid_body(draw: st.DrawFn) -> str:
    sex = draw(st.sampled_from("12"))
    year = draw(st.integers(0, 99))
    month = draw(st.integers(1, 12))
    place = draw(st.sampled_from(["75056", "2A004", "63220", "99134"]))
    order = draw(st.integers(1, 999))
    return f"{sex}{year:02d}{month:02d}{place}{order:03d}"


@given(valid_body(), st.sampled_from(OIDS), st.sampled_from(["", " ", "  "]))
def test_a_valid_ins_is_kept_as_fifteen_characters(body: str, oid: str, space: str) -> None:
    whole = body + compute_key(body)
    typed = space.join([whole[:1], whole[1:3], whole[3:5], whole[5:10], whole[10:13],
                        whole[13:]])
    assert checked_ins(typed, f" {oid} ") == (whole, oid)


@given(st.text(max_size=30), st.text(max_size=60))
def test_anything_else_is_refused_in_french(matricule: str, oid: str) -> None:
    try:
        value, kept_oid = checked_ins(matricule, oid)
    except ActionRefused as refused:
        assert refused.message.startswith("INS reçu refusé : ")
        assert all(ch.isprintable() for ch in refused.message)
        assert refused.field in ("matricule", "oid")
        return
    assert parse_nir(matricule).value == value and kept_oid in OIDS


def test_a_wrong_key_is_named() -> None:
    with pytest.raises(ActionRefused, match="clé"):
        checked_ins("1800235123456" + "00", OIDS[0])
