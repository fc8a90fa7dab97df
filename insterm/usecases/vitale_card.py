"""Reading the carte Vitale at the desk: which reader, the read, and what the card proposes.

The card only proposes: search text for the local lookup (name + birth date; the search falls
back to names that sound alike) and values for the capture form, which the operator confirms.
Nothing from a card raises an identity above "provisoire", and the NIR of the card is never
stored as an INS (for a dependant it is the insured parent's): it is not proposed at all.
"""

from __future__ import annotations

from insterm.cards.atr import CardKind, identify
from insterm.cards.errors import CardError, NoCard
from insterm.cards.monitor import CardEvent, CardWatcher, ReaderEvent
from insterm.cards.transport import (
    PyscardTransport,
    ReaderState,
    no_reader_error,
    pcsc_socket,
    reader_states,
    socket_path,
)
from insterm.cards.vitale import Beneficiary, VitaleCard, read_vitale

__all__ = ["Beneficiary", "CardError", "CardEvent", "CardWatcher", "ReaderEvent", "ReaderState",
           "VitaleCard", "pcsc_socket", "prefill", "read_vitale_card", "reader_states", "search_text",
           "socket_path"]

_NOT_VITALE = (CardKind.CPS3, CardKind.CPS3_CONTACTLESS, CardKind.CPS4)


def read_vitale_card(reader: str | None = None) -> VitaleCard:
    """Read the Vitale in `reader`, or in the first reader holding a card that is not a CPS.
    Raises a `CardError` with a French message (no pyscard, no pcscd, no reader, no card...)."""
    states = reader_states()
    if not states:
        raise no_reader_error()
    if reader is None:
        with_card = [s for s in states if s.atr is not None]
        vitale_first = [s for s in with_card if s.atr and identify(s.atr) not in _NOT_VITALE]
        candidates = vitale_first or with_card
        if not candidates:
            raise NoCard()
        reader = candidates[0].name
    return read_vitale(PyscardTransport(reader))


def search_text(person: Beneficiary) -> str:
    """The search field's text for this beneficiary: NOM prénom JJ/MM/AAAA."""
    parts = [person.birth_name, person.first_name, person.birth_date_french]
    return " ".join(part for part in parts if part)


def prefill(person: Beneficiary) -> dict[str, str]:
    """Capture-form values proposed by the card (keys of the form's fields). The sex and the
    birth place are not on the card's identity file: the operator types them."""
    return {"birth_name": person.birth_name, "first_name": person.first_name,
            "birth_date": person.birth_date_french}
