"""The carte Vitale 2 read through a real pcscd and vpcd, by virtual cards in Python."""

from __future__ import annotations

import pytest

from insterm.cards.errors import CardRemoved, NoCard, ReaderBusy, StatusWordError, UnsupportedCard
from insterm.cards.transport import PyscardTransport, reader_states
from insterm.cards.vitale import read_vitale
from tests.cards.fixtures import Pcscd, wait_for
from tests.cards.virtual_card import StatusCard, VirtualCard, VitaleCard

FAMILY = [("DUPONT", "JEAN", "19700101", "170017512345678"),
          ("DUPONT", "LÉA", "20100202", "170017512345678")]


def _card_in(reader: str) -> bool:
    return any(s.name == reader and s.atr for s in reader_states())


def test_two_beneficiaries_read(pcscd: Pcscd) -> None:
    card = VitaleCard(FAMILY)
    with VirtualCard(card, pcscd.ports[0]):
        wait_for(lambda: _card_in(pcscd.readers[0]))
        read = read_vitale(PyscardTransport(pcscd.readers[0]))
    print(f"Vitale read (2 beneficiaries, pcscd + vpcd): {read.seconds * 1000:.1f} ms")
    assert [(b.rank, b.birth_name, b.first_name, b.birth_date, b.card_nir)
            for b in read.beneficiaries] == [
        (1, "DUPONT", "JEAN", "1970-01-01", "170017512345678"),
        (2, "DUPONT", "LÉA", "2010-02-02", "170017512345678")]
    # the T=0 path was taken: 6Cxx then the read again with the right Le
    reads = [c for c in card.commands if c[:2] == b"\x00\xb0"]
    assert len(reads) == 4 and reads[1][4] == len(card.identity)


def test_empty_reader_is_no_card(pcscd: Pcscd) -> None:
    with pytest.raises(NoCard) as raised:
        read_vitale(PyscardTransport(pcscd.readers[1]))
    assert "Aucune carte" in raised.value.message


@pytest.mark.parametrize(("sw", "expected"), [(0x6982, "6982"), (0x6A82, "6A82")])
def test_status_words_are_typed(pcscd: Pcscd, sw: int, expected: str) -> None:
    card = VitaleCard(FAMILY, fail={bytes.fromhex("00B08200"): sw})
    with VirtualCard(card, pcscd.ports[0]):
        wait_for(lambda: _card_in(pcscd.readers[0]))
        with pytest.raises(StatusWordError) as raised:
            read_vitale(PyscardTransport(pcscd.readers[0]))
    assert raised.value.status_word == expected
    assert "Rien n'a été lu" in raised.value.message


def test_card_refusing_the_class_is_not_a_vitale(pcscd: Pcscd) -> None:
    other_atr = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
    with VirtualCard(StatusCard(0x6D00), pcscd.ports[0], atr=other_atr):
        wait_for(lambda: _card_in(pcscd.readers[0]))
        with pytest.raises(UnsupportedCard) as raised:
            read_vitale(PyscardTransport(pcscd.readers[0]))
    assert "n'est pas une carte Vitale 2" in raised.value.message


def test_card_pulled_mid_read_gives_nothing(pcscd: Pcscd) -> None:
    holder: list[VirtualCard] = []

    def pull_on_second_select(command: bytes) -> None:
        if command.startswith(bytes.fromhex("00A40400")):
            holder[0].remove()

    card = VitaleCard(FAMILY, on_command=pull_on_second_select)
    virtual = VirtualCard(card, pcscd.ports[0])
    holder.append(virtual)
    virtual.insert()
    try:
        wait_for(lambda: _card_in(pcscd.readers[0]))
        with pytest.raises(CardRemoved) as raised:
            read_vitale(PyscardTransport(pcscd.readers[0]))
    finally:
        virtual.remove()
    assert "retirée pendant la lecture" in raised.value.message


def test_reader_held_by_another_program_is_busy(pcscd: Pcscd) -> None:
    with VirtualCard(VitaleCard(FAMILY), pcscd.ports[0]):
        wait_for(lambda: _card_in(pcscd.readers[0]))
        other = PyscardTransport(pcscd.readers[0])
        other.connect()
        try:
            with pytest.raises(ReaderBusy):
                read_vitale(PyscardTransport(pcscd.readers[0]))
        finally:
            other.disconnect()
