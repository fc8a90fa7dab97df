"""The line that says an INSi call is under way, the seconds waited, and how to stop waiting.

    progress = CallProgress(id="qualify-progress")
    progress.start(lambda: "Appel INSi en cours… prénom PIERRE")  # "… (3 s). F8 ou Échap : …"
    progress.tick()          # at once, when the attempt changes (else once a second)
    progress.stop()          # the call ended: the line goes
    progress.abandoned()     # the operator stopped waiting: what that means, in its place

Hidden while no call is under way and nothing was abandoned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from textual.timer import Timer

CANCELLED_NOTICE = (
    "Appel abandonné : l'écran n'attend plus la réponse. Si le téléservice a déjà reçu la "
    "demande, l'appel sera quand même enregistré dans le journal du patient ; le dossier, lui, "
    "ne change pas. Vous pouvez relancer l'appel (F2) ou revenir (Échap)."
)


class CallProgress(Static):
    """The progress of an INSi call, or the notice that it was abandoned."""

    DEFAULT_CSS = """
    CallProgress {
        height: auto; padding: 0 1; margin-bottom: 1; display: none;
        color: $accent; text-style: bold;
    }
    CallProgress.-abandoned { color: $warning; text-style: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self._what: Callable[[], str] = lambda: ""
        self._started = 0.0
        self._timer: Timer | None = None

    @property
    def waiting(self) -> bool:
        return self._timer is not None

    def start(self, what: Callable[[], str]) -> None:
        """Show the progress; `what()` says what is under way (read at every tick)."""
        self._what = what
        self._started = time.monotonic()
        self.remove_class("-abandoned")
        self.display = True
        self._timer = self.set_interval(1.0, self.tick)
        self.tick()

    def tick(self) -> None:
        if self._timer is None:
            return
        seconds = int(time.monotonic() - self._started)
        self.update(f"{self._what()} ({seconds} s). F8 ou Échap : ne plus attendre.")

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.display = False

    def abandoned(self) -> None:
        """The operator stopped waiting: say what happens to the call."""
        self.stop()
        self.update(CANCELLED_NOTICE)
        self.add_class("-abandoned")
        self.display = True

    def clear(self) -> None:
        self.stop()
        self.update("")
        self.remove_class("-abandoned")
