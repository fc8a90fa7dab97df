"""pyscard's reader and card events as insterm's own events, handed to a callback.

`CardWatcher(post)` observes pyscard's `ReaderMonitor` (readers plugged, unplugged) and
`CardMonitor` (cards inserted, removed). Both run in pyscard's threads: `post` is called there,
so it must be thread-safe (the TUI gives `App.post_message`, which is) and must not touch a
widget. `stop()` removes the observers (pyscard's card thread then idles).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from insterm.cards.atr import CardKind, identify
from insterm.cards.transport import reader_names


@dataclass(frozen=True, slots=True)
class ReaderEvent:
    reader: str
    plugged: bool  # False: unplugged
    at: float  # time.monotonic() when pyscard said it


@dataclass(frozen=True, slots=True)
class CardEvent:
    reader: str
    inserted: bool  # False: removed
    atr: bytes
    kind: CardKind
    at: float

    def describe(self) -> str:
        """French, for a notification."""
        if not self.inserted:
            return f"Carte retirée du lecteur « {self.reader} »."
        if self.kind is CardKind.VITALE1:
            return (f"Carte Vitale 1 insérée dans « {self.reader} » : sa lecture n'est pas "
                    "prise en charge.")
        if self.kind is CardKind.UNKNOWN:
            return f"Carte insérée dans « {self.reader} »."
        return f"{self.kind.label[0].upper()}{self.kind.label[1:]} insérée dans « {self.reader} »."


Event = ReaderEvent | CardEvent


class CardWatcher:
    """Observers of pyscard's monitors, turning their updates into `Event`s for `post`."""

    def __init__(self, post: Callable[[Event], None]) -> None:
        self._post = post
        self._card_observer: Any = None
        self._reader_observer: Any = None
        self._reader_monitor: Any = None

    def start(self) -> None:
        """Start observing. Raises the `CardError` that says why it cannot (no pyscard, no
        pcscd): the caller shows it calmly, insterm works on without cards."""
        reader_names()  # fails first with a French reason when PC/SC is not there
        from smartcard.CardMonitoring import CardMonitor, CardObserver
        from smartcard.ReaderMonitoring import ReaderMonitor, ReaderObserver

        post = self._post

        class _Cards(CardObserver):
            def update(self, observable: object, handlers: tuple[list[Any], list[Any]]) -> None:
                now = time.monotonic()
                added, removed = handlers
                for card in removed:
                    atr = bytes(card.atr)
                    post(CardEvent(str(card.reader), False, atr, identify(atr), now))
                for card in added:
                    atr = bytes(card.atr)
                    post(CardEvent(str(card.reader), True, atr, identify(atr), now))

        class _Readers(ReaderObserver):
            def update(self, observable: object, handlers: tuple[list[Any], list[Any]]) -> None:
                now = time.monotonic()
                added, removed = handlers
                for reader in removed:
                    post(ReaderEvent(str(reader), False, now))
                for reader in added:
                    post(ReaderEvent(str(reader), True, now))

        self._reader_observer = _Readers()
        self._card_observer = _Cards()
        # ReaderMonitor is not a singleton: keep the one observed, to leave it on stop()
        self._reader_monitor = ReaderMonitor()
        self._reader_monitor.addObserver(self._reader_observer)
        CardMonitor().addObserver(self._card_observer)

    def stop(self) -> None:
        if self._card_observer is None:
            return
        from smartcard.CardMonitoring import CardMonitor

        CardMonitor().deleteObserver(self._card_observer)
        self._reader_monitor.deleteObserver(self._reader_observer)
        self._card_observer = self._reader_observer = None
