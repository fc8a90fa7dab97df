"""The card reader events in the application: pyscard's threads post `CardsChanged` messages
to the app (`App.post_message` is thread-safe); only the app's message handler, on the UI
thread, touches widgets. Started by `InstermApp(card_watch=True)`; without pyscard or pcscd it
says nothing at start and the Vitale dialog explains why when it is used."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App

    from insterm.usecases.vitale_card import CardEvent, CardWatcher, ReaderEvent


class CardsChanged(Message):
    """A reader plugged or unplugged, a card inserted or removed (`event`)."""

    def __init__(self, event: CardEvent | ReaderEvent) -> None:
        super().__init__()
        self.event = event
        self.posted_at = time.monotonic()


def start_card_watch(app: App[Any]) -> CardWatcher | None:
    """Observers posting `CardsChanged` to `app`; None (and nothing said) when cards cannot be
    watched here. Called in a thread worker: PC/SC calls block."""
    from insterm.domain.errors import InstermError
    from insterm.usecases.vitale_card import CardWatcher

    def post(event: CardEvent | ReaderEvent) -> None:
        app.post_message(CardsChanged(event))

    watcher = CardWatcher(post)
    try:
        watcher.start()
    except InstermError:
        return None
    return watcher
