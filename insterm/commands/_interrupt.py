"""Ctrl+C for the long commands (`insterm import`, `insterm insi verifier-lot`): the first one
asks to stop at the next safe point (the command's `stop` event, which its use case polls), the
second interrupts at once (KeyboardInterrupt: the transaction under way rolls back)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stop_on_ctrl_c(stop: threading.Event, said: str) -> Iterator[None]:
    """While in the block, the first Ctrl+C sets `stop` and prints `said` (French) on standard
    error; the second raises KeyboardInterrupt. Nothing changes outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def asked(_signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print(f"\n{said}", file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, asked)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
