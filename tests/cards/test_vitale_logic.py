"""Pure logic of the card layer, without PC/SC: TLV and Vitale parsing (hypothesis), the T=0
exchange over an in-memory transport, the ATR catalogue, PC/SC codes as French errors."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.cards import tlv
from insterm.cards.apdu import exchange
from insterm.cards.atr import CardKind, identify
from insterm.cards.errors import (
    CardRemoved,
    MuteCard,
    NoReader,
    PcscdNotRunning,
    ReaderBusy,
    StatusWordError,
    UnknownReader,
    UnsupportedCard,
)
from insterm.cards.transport import no_reader_error, translate
from insterm.cards.vitale import parse, read_vitale
from tests.cards.virtual_card import VITALE2_ATR, VitaleCard, vitale_files

NAMES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZÉÈÏ '-", min_size=1, max_size=30).map(
    lambda s: s.strip(" ") or "A")
DATES = st.dates().map(lambda d: d.strftime("%Y%m%d")).filter(lambda s: len(s) == 8)
NIRS = st.from_regex(r"[12][0-9]{14}", fullmatch=True)
PEOPLE = st.lists(st.tuples(NAMES, NAMES, DATES, NIRS), min_size=1, max_size=6)


@given(PEOPLE)
def test_parse_gives_back_every_beneficiary(people: list[tuple[str, str, str, str]]) -> None:
    identity, numbers = vitale_files(people)
    read = parse(identity, numbers)
    assert [(b.birth_name, b.first_name, b.birth_date.replace("-", ""), b.card_nir)
            for b in read] == people
    assert [b.rank for b in read] == list(range(1, len(people) + 1))


@given(st.binary(max_size=300))
def test_tlv_never_fails_other_than_typed(data: bytes) -> None:
    try:
        list(tlv.items(data))
    except tlv.TlvError as error:
        assert "mal formées" in error.message


@given(st.binary(max_size=300), st.binary(max_size=300))
def test_parse_of_garbage_is_typed(identity: bytes, numbers: bytes) -> None:
    with contextlib.suppress(tlv.TlvError, UnsupportedCard):
        parse(identity, numbers)


class FakeTransport:
    """In memory: a card object's `apdu` answers (data + SW)."""

    reader = "Fake 00"

    def __init__(self, card: VitaleCard, atr: bytes = VITALE2_ATR) -> None:
        self.card, self._atr, self.connected = card, atr, False

    def connect(self) -> None:
        self.connected = True

    def atr(self) -> bytes:
        return self._atr

    def transmit(self, command: bytes) -> tuple[bytes, int]:
        answer = self.card.apdu(command)
        return answer[:-2], int.from_bytes(answer[-2:], "big")

    def disconnect(self) -> None:
        self.connected = False


class ChainingCard:
    """Answers 61 05 then serves 5 bytes per GET RESPONSE, 3 times."""

    def __init__(self) -> None:
        self.left = 3

    def apdu(self, command: bytes) -> bytes:
        if command[1] == 0xC0:
            self.left -= 1
            return b"\x01" * 5 + (b"\x61\x05" if self.left else b"\x90\x00")
        return b"\x61\x05"


def test_t0_get_response_chain_is_followed() -> None:
    data, sw = exchange(FakeTransport(ChainingCard()), bytes.fromhex("00A4000002 3F00".replace(" ", "")))  # type: ignore[arg-type]
    assert (data, sw) == (b"\x01" * 15, 0x9000)


def test_vitale_read_over_the_fake_and_disconnected() -> None:
    transport = FakeTransport(VitaleCard([("DURAND", "ÉLISE", "19991231", "299127511111111")]))
    read = read_vitale(transport)
    assert read.beneficiaries[0].first_name == "ÉLISE" and not transport.connected


@pytest.mark.parametrize(("atr", "kind"), [
    ("3BAC00402A001225006480000310009000", CardKind.CPS3),
    ("3BAC00402A001225006480820212009000", CardKind.CPS3),
    ("3B8F800100 31B86404B0ECC173940180829000 0E", CardKind.CPS3_CONTACTLESS),
    ("3B9B188001001225006480040100009044", CardKind.CPS4),
    ("3B7513000043 09EA9000", CardKind.VITALE2),
    ("3B7513000049 09EA9000", CardKind.VITALE2),
    ("3F6525002C09F69000", CardKind.VITALE1),
    ("3B8F8001804F0CA000000306030001000000006A", CardKind.UNKNOWN),
])
def test_atr_catalogue(atr: str, kind: CardKind) -> None:
    assert identify(bytes.fromhex(atr.replace(" ", ""))) is kind


def test_vitale1_and_cps_are_refused_by_name() -> None:
    card = VitaleCard([("A", "B", "20000101", "100000000000000")])
    with pytest.raises(UnsupportedCard, match="Carte Vitale 1"):
        read_vitale(FakeTransport(card, bytes.fromhex("3F6525002C09F69000")))  # type: ignore[arg-type]
    with pytest.raises(UnsupportedCard, match="CPS3, pas une carte Vitale"):
        read_vitale(FakeTransport(card, bytes.fromhex("3BAC00402A001225006480000310009000")))  # type: ignore[arg-type]


def test_status_word_6d00_is_named() -> None:
    error = StatusWordError(0x6D00, "la lecture du NIR")
    assert error.message == ("La carte a refusé la lecture du NIR : 6D00 (instruction non "
                             "reconnue par la carte). Rien n'a été lu.")


class PcscFailure(Exception):
    def __init__(self, hresult: int) -> None:
        super().__init__("x")
        self.hresult = hresult


@pytest.mark.parametrize(("hresult", "expected"), [
    (0x8010001D, PcscdNotRunning), (0x8010000B, ReaderBusy), (0x80100069, CardRemoved),
    (0x80100066, MuteCard), (-2146435043, PcscdNotRunning)])
def test_pcsc_codes_become_french_errors(hresult: int, expected: type) -> None:
    assert isinstance(translate(PcscFailure(hresult), "R"), expected)


def test_unknown_sesam_reader_is_named(tmp_path: Path) -> None:
    device = tmp_path / "1-1"
    device.mkdir()
    (device / "idVendor").write_text("0b00\n")
    (device / "idProduct").write_text("0090\n")
    error = no_reader_error(tmp_path)
    assert isinstance(error, UnknownReader) and "0b00:0090" in error.message
    assert "README" in error.message
    assert isinstance(no_reader_error(tmp_path / "none"), NoReader)
