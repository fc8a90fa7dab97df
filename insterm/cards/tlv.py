"""The simple TLV of the carte Vitale files: one-byte tag (two for 7F21, 5F37...), one-byte
length (0x81 / 0x82 long forms accepted), zero padding at the end. Pure logic."""

from __future__ import annotations

from collections.abc import Iterator

from insterm.cards.errors import CardError


class TlvError(CardError):
    """Data of a card that does not follow its TLV layout."""

    def __init__(self) -> None:
        super().__init__("Les données lues sur la carte sont mal formées : la carte n'est "
                         "peut-être pas une carte Vitale 2. Rien n'a été lu.")


def items(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(tag, value) pairs of `data`, up to its end or its zero padding."""
    at = 0
    while at < len(data):
        tag = data[at]
        if tag in (0x00, 0xFF):  # padding
            return
        at += 1
        if tag & 0x1F == 0x1F:  # two-byte tag (7F21 certificate, 5F37, 5F38)
            if at >= len(data):
                raise TlvError()
            tag = (tag << 8) | data[at]
            at += 1
        if at >= len(data):
            raise TlvError()
        length = data[at]
        at += 1
        if length == 0x81 or length == 0x82:
            count = length - 0x80
            if at + count > len(data):
                raise TlvError()
            length = int.from_bytes(data[at:at + count], "big")
            at += count
        elif length > 0x80:
            raise TlvError()
        if at + length > len(data):
            raise TlvError()
        yield tag, data[at:at + length]
        at += length
