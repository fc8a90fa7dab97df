"""APDU exchange over a `Transport` with the T=0 rules: 61xx (more data: GET RESPONSE) and
6Cxx (wrong length: the same command again with Le = xx). Pure logic over the transport."""

from __future__ import annotations

from insterm.cards.transport import Transport

SW_OK = 0x9000
MAX_CHAINED = 64  # 61xx answers followed for one command (a card looping stops here)


def exchange(transport: Transport, command: bytes) -> tuple[bytes, int]:
    """`command` sent, with its T=0 follow-ups: all the response data and the final status."""
    data, sw = transport.transmit(command)
    if sw >> 8 == 0x6C and len(command) >= 4:
        # wrong Le: the card says the right one in SW2 (case 2 command: CLA INS P1 P2 Le)
        data, sw = transport.transmit(command[:4] + bytes([sw & 0xFF]))
    collected = bytearray(data)
    for _ in range(MAX_CHAINED):
        if sw >> 8 != 0x61:
            break
        data, sw = transport.transmit(bytes([command[0] & 0x03, 0xC0, 0x00, 0x00, sw & 0xFF]))
        collected += data
    return bytes(collected), sw
