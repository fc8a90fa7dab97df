"""Tests for insterm.domain.datamatrix (ins-rules.md section 6.4)."""

from __future__ import annotations

import contextlib
import random
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insterm.domain.datamatrix import (
    GS,
    HEADER,
    DatamatrixIdentity,
    decode,
    encode,
)
from insterm.domain.errors import DatamatrixError
from insterm.domain.nir import compute_key

# ins-rules.md 6.4, written with the spec's "<GS>" notation.
SPEC_EXAMPLE = (
    "IS010000000000000000000000S1275126322074974S21.2.250.1.213.1.4.8<GS>S3ZOE<GS>S4ADRUN<GS>"
    "S5FS631-12-1975S763220"
)
ZOE = DatamatrixIdentity(
    matricule="275126322074974",
    oid="1.2.250.1.213.1.4.8",
    first_names="ZOE",
    birth_name="ADRUN",
    sex="F",
    birth_date=date(1975, 12, 31),
    birth_place="63220",
)
WITH_GS = SPEC_EXAMPLE.replace("<GS>", GS)


def test_header_is_is01_and_22_zeros() -> None:
    assert HEADER == "IS01" + "0" * 22
    assert len(HEADER) == 26


def test_spec_example_decodes() -> None:
    assert decode(SPEC_EXAMPLE) == ZOE
    assert decode(WITH_GS) == ZOE


def test_spec_example_is_what_we_encode() -> None:
    assert encode(ZOE) == WITH_GS


@pytest.mark.parametrize(
    ("payload", "substitutes"),
    [
        (SPEC_EXAMPLE.replace("<GS>", "|"), ("|",)),
        (SPEC_EXAMPLE.replace("<GS>", "|"), "|"),
        (SPEC_EXAMPLE.replace("<GS>", "~"), ("<GS>", "|", "~", "^]")),
        (SPEC_EXAMPLE.replace("<GS>", "^]"), ("^", "^]")),
        (WITH_GS, None),
        (WITH_GS, ()),
        (WITH_GS, ("", "|")),
        (SPEC_EXAMPLE.replace("<GS>", ""), ()),  # the scanner dropped GS entirely
        (SPEC_EXAMPLE + "\r\n", ("<GS>",)),  # keyboard-wedge Enter
        ("  \t" + WITH_GS + "\n", ()),
        ("]d2" + SPEC_EXAMPLE, ("<GS>",)),  # AIM symbology identifier
        (WITH_GS.replace("S5F", "S5F" + GS), ()),  # GS after a fixed field
        (WITH_GS.replace(GS, GS + GS), ()),  # doubled GS
        (WITH_GS.replace("S1275126322074974", "S1275126322074974" + GS), ()),
    ],
)
def test_scanner_variants_decode(payload: str, substitutes: object) -> None:
    assert decode(payload, gs_substitutes=substitutes) == ZOE  # type: ignore[arg-type]


def test_substitute_string_is_one_substitute_not_characters() -> None:
    # Iterating "<GS>" character by character would replace every "S" of the payload.
    assert decode(SPEC_EXAMPLE, gs_substitutes="<GS>") == ZOE


def test_lowercase_corsica_matricule_is_stored_canonical() -> None:
    payload = WITH_GS.replace("S1275126322074974", "S1180032b02040123")
    assert decode(payload).matricule == "180032B02040123"


def test_blocks_in_any_order() -> None:
    payload = (
        HEADER + "S763220S5FS4ADRUN" + GS + "S631-12-1975S3ZOE" + GS + "S21.2.250.1.213.1.4.8"
        + GS + "S1275126322074974"
    )
    assert decode(payload) == ZOE


def test_place_is_optional() -> None:
    identity = DatamatrixIdentity(
        "275126322074974", "1.2.250.1.213.1.4.8", "ZOE", "ADRUN", "F", date(1975, 12, 31)
    )
    payload = encode(identity)
    assert payload.endswith("S631-12-1975")
    assert "S7" not in payload
    decoded = decode(payload)
    assert decoded.birth_place is None
    assert decoded == identity


def test_twenty_character_oid_has_no_gs() -> None:
    identity = DatamatrixIdentity(
        "275126322074974", "1.2.250.1.213.1.4.10", "ZOE", "ADRUN", "F", date(1975, 12, 31)
    )
    payload = encode(identity)
    assert "S21.2.250.1.213.1.4.10S3ZOE" + GS in payload
    assert decode(payload) == identity


def test_max_length_names_have_no_gs() -> None:
    first_names = ("JEAN-" * 20)[:99] + "S"
    birth_name = "AB" * 50
    identity = DatamatrixIdentity(
        "275126322074974", "1.2.250.1.213.1.4.11", first_names, birth_name, "F",
        date(1975, 12, 31), "2A004",
    )
    payload = encode(identity)
    assert f"S3{first_names}S4{birth_name}S5F" in payload
    assert GS not in payload
    assert decode(payload) == identity


def test_variable_block_last_has_no_gs() -> None:
    payload = (
        HEADER + "S1275126322074974S5FS631-12-1975S763220S21.2.250.1.213.1.4.8" + GS
        + "S4ADRUN" + GS + "S3ZOE"
    )
    assert decode(payload) == ZOE


# --- errors ---------------------------------------------------------------------------------


def decode_error(payload: object, **kwargs: object) -> str:
    with pytest.raises(DatamatrixError) as caught:
        decode(payload, **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


def test_empty_and_not_a_datamatrix() -> None:
    assert "vide" in decode_error("")
    assert "vide" in decode_error(" \n")
    assert "texte" in decode_error(None)
    assert "n'est pas un datamatrix INS" in decode_error("275126322074974")
    assert "n'est pas un datamatrix INS" in decode_error("IS0")
    assert "n'est pas un datamatrix INS" in decode_error("IS01000000000000000000000XS1")


def test_caps_lock_is_diagnosed() -> None:
    assert "Verr. Maj." in decode_error(SPEC_EXAMPLE.swapcase())


def test_other_version_is_refused() -> None:
    assert "version 01" in decode_error(SPEC_EXAMPLE.replace("IS01", "IS02", 1))


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (WITH_GS.replace("S763220", "S863220"), "Bloc inconnu « S8 »"),
        (WITH_GS + "X", "Bloc inconnu « X »"),
        (WITH_GS.replace("S5F", "T5F"), "Bloc inconnu"),
        (WITH_GS + "S3ZOE", "Le bloc S3 (liste des prénoms de naissance) apparaît deux fois"),
        (WITH_GS.replace("S3ZOE" + GS, ""), "il manque : S3 (liste des prénoms de naissance)"),
        (HEADER, "il manque : S1 (matricule INS), S2 (OID du matricule)"),
        (
            WITH_GS[:-7].replace("S631-12-1975", "S631-12-19"),
            "Le bloc S6 (date de naissance) est tronqué",
        ),
        (
            WITH_GS.replace("S631-12-1975", "S631-12" + GS + "1975"),
            "S6 (date de naissance) est tronqué",
        ),
        (
            WITH_GS.replace("S3ZOE", "S3" + "Z" * 101),
            "S3 (liste des prénoms de naissance) est trop long",
        ),
        (
            WITH_GS.replace("S21.2.250.1.213.1.4.8", "S21.2.250.1.213.1.4.8888"),
            "S2 (OID du matricule) est trop long",
        ),
    ],
)
def test_form_errors(payload: str, expected: str) -> None:
    assert expected in decode_error(payload)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("S1275126322074974", "S1275126322074975", "la clé attendue est 74"),
        ("S1275126322074974", "S1575126322074974", "Matricule INS (bloc S1) refusé : Le premier"),
        ("S1275126322074974", "S12751263220749 4", "Matricule INS (bloc S1) refusé"),
        ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.2", "(bloc S2) « 1.2.250.1.213.1.4.2 »"),
        ("S3ZOE", "S3", "Liste des prénoms de naissance (bloc S3) : "),
        ("S3ZOE", "S3Zoé", "Liste des prénoms de naissance (bloc S3) : "),
        ("S4ADRUN", "S4ADRUN!", "Nom de naissance (bloc S4) : "),
        ("S5F", "S5I", "Le sexe (bloc S5) « I » doit être M ou F"),
        ("S631-12-1975", "S631-02-1975", "« 31-02-1975 » n'est pas une date réelle"),
        ("S631-12-1975", "S61975/12/31", "n'est pas une date réelle au format JJ-MM-AAAA"),
        ("S631-12-1975", "S600-00-0000", "n'est pas une date réelle"),
        ("S763220", "S76322X", "Le lieu de naissance (bloc S7) « 6322X »"),
    ],
)
def test_content_errors(old: str, new: str, expected: str) -> None:
    assert old in WITH_GS
    assert expected in decode_error(WITH_GS.replace(old, new))


def test_errors_carry_the_field() -> None:
    with pytest.raises(DatamatrixError) as caught:
        decode(WITH_GS.replace("S5F", "S5X"))
    assert caught.value.field == "sex"


def test_bad_substitutes_setting() -> None:
    assert "remplaçants" in decode_error(WITH_GS, gs_substitutes=42)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"matricule": 275126322074974}, "Matricule INS (bloc S1) : un texte est attendu"),
        ({"matricule": "2 75 12 63 220 749 74"}, "« 275126322074974 »"),
        ({"oid": None}, "L'OID du matricule (bloc S2) « ? »"),
        ({"first_names": ["ZOE"]}, "Liste des prénoms de naissance (bloc S3) : un texte"),
        ({"birth_name": "A" * 101}, "Nom de naissance (bloc S4) : 101 caractères, 100 au plus"),
        ({"matricule": "275126322074975"}, "(bloc S1) refusé : Clé incorrecte"),
        ({"sex": None}, "Le sexe (bloc S5) « ? »"),
        ({"birth_date": "31/12/1975"}, "La date de naissance (bloc S6) doit être une date"),
        ({"birth_date": datetime(1975, 12, 31)}, "La date de naissance (bloc S6)"),
        ({"birth_place": 63220}, "Le lieu de naissance (bloc S7) « ? »"),
        ({"birth_place": ""}, "Le lieu de naissance (bloc S7) «  »"),
    ],
)
def test_identity_is_checked_when_built(changes: dict[str, object], expected: str) -> None:
    fields = {
        "matricule": ZOE.matricule, "oid": ZOE.oid, "first_names": ZOE.first_names,
        "birth_name": ZOE.birth_name, "sex": ZOE.sex, "birth_date": ZOE.birth_date,
        "birth_place": ZOE.birth_place,
    } | changes
    with pytest.raises(DatamatrixError) as caught:
        DatamatrixIdentity(**fields)  # type: ignore[arg-type]
    assert expected in str(caught.value)


def test_encode_refuses_anything_else() -> None:
    with pytest.raises(DatamatrixError):
        encode("ZOE")  # type: ignore[arg-type]


# --- properties -----------------------------------------------------------------------------

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _digits(n: int, low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda i: f"{i:0{n}d}")


_bodies = st.tuples(
    st.sampled_from("123478"),
    _digits(2, 0, 99),
    st.one_of(_digits(2, 1, 12), _digits(2, 20, 42), _digits(2, 50, 99)),
    st.one_of(
        st.tuples(_digits(2, 1, 96), _digits(3, 1, 999)).map("".join),
        st.tuples(st.sampled_from(["2A", "2B"]), _digits(3, 1, 999)).map("".join),
        st.tuples(st.sampled_from(["97", "98"]), _digits(3, 1, 999)).filter(
            lambda t: t[1][1:] != "00"
        ).map("".join),
        _digits(3, 1, 999).map(lambda c: "99" + c),
    ),
    _digits(3, 1, 999),
).map("".join)
matricules = _bodies.map(lambda body: body + compute_key(body))


def _names(max_size: int = 100) -> st.SearchStrategy[str]:
    words = st.text(alphabet=LETTERS, min_size=1, max_size=15)
    separators = st.sampled_from([" ", "-", "'"])

    @st.composite
    def build(draw: st.DrawFn) -> str:
        parts = [draw(words)]
        for _ in range(draw(st.integers(0, 8))):
            parts += [draw(separators), draw(words)]
        return "".join(parts)[:max_size].rstrip(" -'")

    exact = st.integers(1, 98).map(lambda n: ("A" * n + "-" + "B" * 100)[:100])
    return st.one_of(build().filter(bool), exact)


identities = st.builds(
    DatamatrixIdentity,
    matricule=matricules,
    oid=st.sampled_from(
        ["1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9", "1.2.250.1.213.1.4.10",
         "1.2.250.1.213.1.4.11"]
    ),
    first_names=_names(),
    birth_name=_names(),
    sex=st.sampled_from(["M", "F"]),
    birth_date=st.dates(),
    birth_place=st.one_of(
        st.none(),
        _digits(5, 0, 99999),
        st.tuples(st.sampled_from(["2A", "2B"]), _digits(3, 0, 999)).map("".join),
    ),
)

_MAX = {"S2": 20, "S3": 100, "S4": 100}


def _blocks(identity: DatamatrixIdentity) -> list[tuple[str, str]]:
    d = identity.birth_date
    blocks = [
        ("S1", identity.matricule), ("S2", identity.oid), ("S3", identity.first_names),
        ("S4", identity.birth_name), ("S5", identity.sex),
        ("S6", f"{d.day:02d}-{d.month:02d}-{d.year:04d}"),
    ]
    if identity.birth_place is not None:
        blocks.append(("S7", identity.birth_place))
    return blocks


def _payload(blocks: list[tuple[str, str]]) -> str:
    """Built from the spec rule: GS after a variable field shorter than its max and not last."""
    out = HEADER
    for index, (block_id, value) in enumerate(blocks):
        out += block_id + value
        last = index == len(blocks) - 1
        if block_id in _MAX and len(value) < _MAX[block_id] and not last:
            out += GS
    return out


@given(identities)
def test_round_trip(identity: DatamatrixIdentity) -> None:
    payload = encode(identity)
    assert payload == _payload(_blocks(identity))
    assert decode(payload) == identity
    assert decode(payload + "\n", gs_substitutes=()) == identity


@given(identities, st.randoms(use_true_random=False))
def test_shuffled_blocks_decode_the_same(identity: DatamatrixIdentity, rnd: random.Random) -> None:
    blocks = _blocks(identity)
    rnd.shuffle(blocks)
    assert decode(_payload(blocks)) == identity


@given(identities, st.sampled_from(["<GS>", "|", "~", "^]", ""]))
def test_substitutes_decode_the_same(identity: DatamatrixIdentity, substitute: str) -> None:
    payload = encode(identity).replace(GS, substitute)
    assert decode(payload, gs_substitutes=("<GS>", "|", "~", "^]")) == identity


@settings(max_examples=300)
@given(st.text())
def test_any_text_raises_only_datamatrix_error(text: str) -> None:
    with contextlib.suppress(DatamatrixError):
        decode(text)


_near = st.text(alphabet="S1234567890ABZ.-' <GS>|\x1d", max_size=200)


@settings(max_examples=500)
@given(_near, st.lists(st.text(max_size=3), max_size=3))
def test_any_text_after_the_header_raises_only_datamatrix_error(
    text: str, substitutes: list[str]
) -> None:
    with contextlib.suppress(DatamatrixError):
        decode(HEADER + text, gs_substitutes=substitutes)


@settings(max_examples=300)
@given(identities, st.integers(0, 400), st.text(max_size=5))
def test_corrupted_payload_raises_only_datamatrix_error(
    identity: DatamatrixIdentity, position: int, junk: str
) -> None:
    payload = encode(identity)
    corrupted = payload[:position] + junk + payload[position + len(junk) :]
    try:
        decoded = decode(corrupted)
    except DatamatrixError:
        return
    assert isinstance(decoded, DatamatrixIdentity)
