"""What kind of card an ATR says it is: CPS3 (contact, contactless), CPS4, Vitale 2, Vitale 1
(named, not supported) or unknown. Pure logic.

CPS ATRs and masks from the ANS Cryptolib sources (card-cps3.c, card-cps4.c). A Vitale 2 is
recognised by the ATRs pcsc-tools' smartcard_list.txt gives (3B 75 13 00 00 4x 09 EA 90 00),
and otherwise by reading it (SELECT MF and the VITALE application: `insterm.cards.vitale`); a
Vitale 1 (Bull CP8 "B0'", class byte BC) by its inverse-convention ATR 3F 65 25 00 xx 09 xx 90 00.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CardKind(enum.Enum):
    CPS3 = "CPS3"
    CPS3_CONTACTLESS = "CPS3 sans contact"
    CPS4 = "CPS4"
    VITALE2 = "carte Vitale 2"
    VITALE1 = "carte Vitale 1"
    UNKNOWN = "carte inconnue"

    @property
    def label(self) -> str:
        return self.value

    @property
    def supported(self) -> bool:
        return self is not CardKind.VITALE1


@dataclass(frozen=True, slots=True)
class AtrPattern:
    kind: CardKind
    atr: bytes
    mask: bytes

    def matches(self, atr: bytes) -> bool:
        return len(atr) == len(self.atr) and all(
            (a & m) == (p & m) for a, p, m in zip(atr, self.atr, self.mask))


def _pattern(kind: CardKind, atr: str, mask: str | None = None) -> AtrPattern:
    value = bytes.fromhex(atr)
    return AtrPattern(kind, value, bytes.fromhex(mask) if mask else b"\xff" * len(value))


CATALOGUE: tuple[AtrPattern, ...] = (
    _pattern(CardKind.CPS3, "3BAC00402A001225006480000310009000",
             "FF00000000FFFFFFFFFFFF000000FFFFFF"),
    # contactless: bytes 8-9 and 11 vary
    _pattern(CardKind.CPS3_CONTACTLESS, "3B8F800100 31B86404B0ECC173940180829000 0E".replace(" ", ""),
             "FFFFFFFFFFFFFFFF0000FF00FFFFFFFFFFFFFFFF"),
    _pattern(CardKind.CPS4, "3B9B188001001225006480040100009044"),
    # Vitale 2: 3B 75 13 00 00 4x 09 EA 90 00 (pcsc-tools' smartcard_list.txt lists 43 to 49)
    _pattern(CardKind.VITALE2, "3B7513000040 09EA9000".replace(" ", ""),
             "FFFFFFFFFFF0FFFFFFFF"),
    # Vitale 1 (Bull CP8 B0', inverse convention): 3F 65 25 00 xx 09 xx 90 00
    _pattern(CardKind.VITALE1, "3F65250000090090 00".replace(" ", ""), "FFFFFFFF00FF00FFFF"),
)


def identify(atr: bytes) -> CardKind:
    """The kind of card of this ATR (UNKNOWN when nothing in the catalogue matches: a Vitale 2
    whose ATR is not listed is then recognised by reading it)."""
    for pattern in CATALOGUE:
        if pattern.matches(atr):
            return pattern.kind
    return CardKind.UNKNOWN


def atr_hex(atr: bytes) -> str:
    return atr.hex(" ").upper()
