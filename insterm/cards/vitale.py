"""Reading a carte Vitale 2 (no PIN): every beneficiary's birth name, first name, birth date and
the NIR of the card. Pure logic over a `Transport` (tested with a fake, and through pcscd).

The APDU flow (two independent public readers agree): SELECT MF; READ BINARY SFI 2 (identity,
one TLV template 65 per beneficiary: 80 name, 81 first name, 82 birth date AAAAMMJJ); SELECT the
application D250000002 "VITALE"; READ BINARY SFI 2 (template 65 again, 93 the NIR, 15
characters). The n-th template of one file goes with the n-th of the other. The whole card is
read before anything is returned: a card pulled out half-way is `CardRemoved`, never a partial
list.

What the card gives is a proposal for the operator. The NIR on the card is the insured's
("ouvrant droit"): for a dependant it is the parent's, so it is never an INS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from insterm.cards import tlv
from insterm.cards.apdu import SW_OK, exchange
from insterm.cards.atr import CardKind, identify
from insterm.cards.errors import CardError, StatusWordError, UnsupportedCard
from insterm.cards.transport import Transport

SELECT_MF = bytes.fromhex("00A40000023F00")
READ_SFI2 = bytes.fromhex("00B0820000")
AID_VITALE = bytes.fromhex("D250000002") + b"VITALE"
SELECT_VITALE = bytes.fromhex("00A404000B") + AID_VITALE

TAG_BENEFICIARY = 0x65
TAG_NAME, TAG_FIRST_NAME, TAG_BIRTH_DATE, TAG_NIR = 0x80, 0x81, 0x82, 0x93

VITALE1_MESSAGE = ("Carte Vitale 1 : sa lecture n'est pas prise en charge par insterm (carte "
                   "d'une ancienne génération, au format non public). Saisissez l'identité "
                   "depuis une pièce d'identité, ou utilisez le logiciel SESAM-Vitale.")


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """One person of the card, as written on it. `rank`: 1 the insured, then the dependants in
    the card's order; `birth_date` "AAAA-MM-JJ" (a lunar date may have 00 day or month);
    `card_nir` the NIR of the card (15 characters, the insured's for a dependant) or ""."""

    rank: int
    birth_name: str
    first_name: str
    birth_date: str
    card_nir: str

    @property
    def birth_date_french(self) -> str:
        year, month, day = self.birth_date.split("-")
        return f"{day}/{month}/{year}"


@dataclass(frozen=True, slots=True)
class VitaleCard:
    reader: str
    atr: bytes
    beneficiaries: tuple[Beneficiary, ...]
    seconds: float  # how long the read took


def _text(value: bytes) -> str:
    return value.rstrip(b"\x00 ").decode("latin-1").strip()


def _date(value: bytes) -> str:
    text = _text(value)
    if len(text) != 8 or not text.isdigit():
        raise tlv.TlvError()
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def _templates(data: bytes) -> list[dict[int, bytes]]:
    return [dict(tlv.items(value)) for tag, value in tlv.items(data) if tag == TAG_BENEFICIARY]


def _checked(transport: Transport, command: bytes, doing: str) -> bytes:
    data, sw = exchange(transport, command)
    if sw != SW_OK:
        raise StatusWordError(sw, doing)
    return data


def parse(identity: bytes, vitale: bytes) -> tuple[Beneficiary, ...]:
    """The beneficiaries of the two files (MF identity file, VITALE file)."""
    people = _templates(identity)
    numbers = [_text(t.get(TAG_NIR, b"")) for t in _templates(vitale)]
    result = []
    for index, person in enumerate(people):
        if TAG_NAME not in person or TAG_BIRTH_DATE not in person:
            raise tlv.TlvError()
        nir = numbers[index] if index < len(numbers) else (numbers[0] if numbers else "")
        result.append(Beneficiary(index + 1, _text(person[TAG_NAME]),
                                  _text(person.get(TAG_FIRST_NAME, b"")),
                                  _date(person[TAG_BIRTH_DATE]), nir.replace(" ", "")))
    if not result:
        raise UnsupportedCard("La carte Vitale ne contient aucun bénéficiaire lisible.")
    return tuple(result)


def read_vitale(transport: Transport) -> VitaleCard:
    """Connect, read the whole card, disconnect. Raises a `CardError` (nothing partial)."""
    started = time.perf_counter()
    transport.connect()
    try:
        atr = transport.atr()
        kind = identify(atr)
        if kind is CardKind.VITALE1:
            raise UnsupportedCard(VITALE1_MESSAGE)
        if kind in (CardKind.CPS3, CardKind.CPS3_CONTACTLESS, CardKind.CPS4):
            raise UnsupportedCard(f"La carte du lecteur « {transport.reader} » est une "
                                  f"{kind.label}, pas une carte Vitale.")
        _, sw = exchange(transport, SELECT_MF)
        if sw >> 8 in (0x6D, 0x6E) or sw == 0x6A82:
            maybe = (" Si c'est une carte Vitale 1 : " + VITALE1_MESSAGE) if sw >> 8 == 0x6E else ""
            raise UnsupportedCard(f"La carte du lecteur « {transport.reader} » n'est pas une "
                                  f"carte Vitale 2 (réponse {sw:04X} à la sélection du "
                                  f"fichier principal).{maybe}")
        if sw != SW_OK:
            raise StatusWordError(sw, "la sélection du fichier principal")
        identity = _checked(transport, READ_SFI2, "la lecture de l'identité")
        _checked(transport, SELECT_VITALE, "la sélection de l'application Vitale")
        numbers = _checked(transport, READ_SFI2, "la lecture du NIR")
        beneficiaries = parse(identity, numbers)
    finally:
        transport.disconnect()
    return VitaleCard(transport.reader, atr, beneficiaries, time.perf_counter() - started)


__all__ = ["Beneficiary", "CardError", "VitaleCard", "parse", "read_vitale"]
