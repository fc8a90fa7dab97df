"""The terminal application (Textual). `insterm.tui.app` is loaded only when the full-screen
application starts (see docs/tui-conventions.md); this package imports nothing from Textual.

Frame rate. Textual repaints at most `TEXTUAL_FPS` times a second (60 by default) and, after a
frame, its update timer waits one to two periods before the next one. The results of a search
come one frame after the echo of the keystroke, so at 60 that wait alone adds 17 to 33 ms to
every answer. At 120 it is 8 to 17 ms. A higher cap costs nothing while the screen is still:
this application has no animation and sends a frame only when something changed. It must be
set before Textual is first imported; a value the user set is kept.
"""

import os

FRAMES_PER_SECOND = "120"

os.environ.setdefault("TEXTUAL_FPS", FRAMES_PER_SECOND)
