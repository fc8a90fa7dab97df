"""Type-ahead that follows the focus: keys that arrive together are delivered one after another.

Textual hands every key to the widget focused *when the key is read from the terminal*. When
keys arrive in one burst (an SSH link that stalled then released what was typed, a fast
typist, a scanner), all of them are handed out before the first one has had its effect. If
that first key moves the focus (Tab, Enter to the next field, F2 to a new screen, a letter
typed in the results list), the keys after it land in the field that had the focus before:
"MARTIN<Tab>JEAN" typed ahead would give a birth name "MARTINJEAN". For an identity that is
corruption, so the app does not let it happen.

`KeysInOrderApp` (the base of the App) keeps the keys of a burst waiting while the key before
them is on its way. A key is on its way until two probes have come back to the App:

1. the first probe is posted to the widget the key went to, right behind the key, and bubbles
   like it: it reaches the App after the key was handled everywhere, including the App's own
   bindings (Tab, F-keys, Enter on a field resolve there, once the key bubbled up);
2. the second probe does the same from that widget again, so it follows the messages the key's
   action posted on its way (an Input's Submitted, which the screen answers by moving the
   focus).

Then the next waiting key is handed to the widget focused *now*. A key read while nothing is
on its way goes out at once: typing at a human pace costs nothing. If a probe cannot come back
because the key removed its widget (a dialog closed), the next key goes out as soon as that is
seen: at its arrival, or at the timer that runs every `PROBE_TIMEOUT` while keys wait. A slow
probe of a widget still alive is waited for (a loaded PC), up to `GIVE_UP_AFTER`: a key is
delayed, never lost, and never handed out ahead of its turn because the machine is busy.

The App's own priority keys (F10 and ctrl+q: quit) never wait: they act at once, even behind a
burst that is still being handed out.
"""

from __future__ import annotations

from collections import deque
from time import monotonic
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, ReturnType
from textual.message import Message

if TYPE_CHECKING:
    from textual.message_pump import MessagePump
    from textual.timer import Timer

PROBE_ROUNDS = 2
PROBE_TIMEOUT = 0.25  # seconds between two looks at a key whose probes have not come back
GIVE_UP_AFTER = 5.0  # seconds: past this, waiting keys go out even if the widget still lives


class KeyProbe(Message, bubble=True):
    """Follows a key through the widgets that handle it, back to the App (never handled on the
    way: no widget has an `on_key_probe`)."""

    def __init__(self, number: int, round_: int) -> None:
        super().__init__()
        self.number = number
        self.round = round_


class KeysInOrderApp(App[ReturnType]):
    """An App whose keys typed ahead follow the focus (see the module docstring)."""

    def __init__(self, *, ansi_color: bool = False) -> None:
        super().__init__(ansi_color=ansi_color)
        self._keys_waiting: deque[events.Key] = deque()
        self._key_on_its_way = 0  # number of the key on its way, 0 when none
        self._key_target: MessagePump | None = None
        self._key_sent_at = 0.0  # monotonic time the key on its way was handed out
        self._key_numbers = 0
        self._probe_timer: Timer | None = None

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._key_on_its_way and self._probe_is_lost():
            await self._next_key()
        if self._key_on_its_way or self._keys_waiting:
            if self._jumps_the_queue(event.key):
                await super().on_event(event)  # quit now, whatever is still on its way
                return
            self._keys_waiting.append(event)
            if self._probe_timer is None:
                self._arm_timer()
            return
        await self._send_key(event)

    def _jumps_the_queue(self, key: str) -> bool:
        """Whether `key` is bound with priority on the App itself (keymap applied). Read from
        the App's own binding map: `active_bindings` stops at a dialog, priority keys do not."""
        bindings = self._bindings.copy()
        if self._keymap:
            bindings.apply_keymap(self._keymap)
        return any(binding.priority for binding in bindings.key_to_bindings.get(key, ()))

    def _arm_timer(self) -> None:
        """Only while keys wait: a key typed alone costs no timer."""
        self._probe_timer = self.set_timer(PROBE_TIMEOUT, self._probe_lost)

    async def _send_key(self, event: events.Key) -> None:
        # Where Textual forwards it (or the screen, for a priority binding).
        target: MessagePump = self.focused or self.screen
        self._key_numbers += 1
        self._key_on_its_way = self._key_numbers
        self._key_target = target
        self._key_sent_at = monotonic()
        await super().on_event(event)
        if not self._probe(target, 1):
            await self._next_key()

    def _probe(self, target: MessagePump, round_: int) -> bool:
        """False when the widget is closing (the key closed it): nothing left to follow."""
        return target.post_message(KeyProbe(self._key_on_its_way, round_))

    async def on_key_probe(self, message: KeyProbe) -> None:
        message.stop()
        if message.number != self._key_on_its_way:
            return  # a late probe of a key already given up on
        target = self._key_target
        if message.round < PROBE_ROUNDS and target is not None \
                and self._probe(target, message.round + 1):
            return
        await self._next_key()

    def _probe_is_lost(self) -> bool:
        """The key's widget is gone (with the probe in its queue), or it is far too late."""
        target = self._key_target
        if target is None or monotonic() - self._key_sent_at > GIVE_UP_AFTER:
            return True
        return not target.is_running or not target.is_attached

    async def _probe_lost(self) -> None:
        self._probe_timer = None
        if not self._key_on_its_way:
            return
        if self._probe_is_lost():
            await self._next_key()
        elif self._keys_waiting:
            self._arm_timer()  # slow, not lost: look again later

    async def _next_key(self) -> None:
        if self._probe_timer is not None:
            self._probe_timer.stop()
            self._probe_timer = None
        self._key_on_its_way = 0
        self._key_target = None
        if self._keys_waiting:
            self._arm_timer()  # for the key sent now, while the others wait
            await self._send_key(self._keys_waiting.popleft())
