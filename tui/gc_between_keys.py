"""Keeping Python's cycle collector out of the frames a keystroke waits for.

Painting a frame makes thousands of short-lived objects (segments, strips,
styles), so the collector runs several young passes inside each frame, a
middle pass every other frame, and every few dozen keystrokes a full pass
over whatever the session made since the plan was frozen, longer than a frame
should take (docs/performance.md).

While a dashboard is open: each key turns the collector off for 30 ms, time
enough for the frame it causes, so its young passes run between keystrokes,
not inside one; and full passes are not left to the collector's own counting
but made when no key has come for a second. Textual pauses the collector the
same way while it scrolls smoothly.
"""

from __future__ import annotations

import asyncio
import gc
from time import monotonic

from textual.app import App

KEY_FRAME_S = 0.03  # a keystroke's work and frame take about 10 ms; the collector is back after this
QUIET_S = 1.0  # no key for this long: a full pass bothers nobody
_NO_AUTOMATIC_FULL_PASS = 1_000_000  # third threshold: the collector's own full passes never come
_FULL_PASS_AFTER = (
    10  # middle passes since the last full one before a quiet full pass (the collector's default)
)


class GcBetweenKeys:
    """Started with the app and stopped when it unmounts; :meth:`key` on every key event."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._thresholds = gc.get_threshold()
        self._last_key = monotonic()
        self._waiting: list[asyncio.TimerHandle] = []  # one per key whose frame has not yet had its time
        self.full_passes = 0  # made when quiet; tests read it

    def start(self) -> None:
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, _NO_AUTOMATIC_FULL_PASS)
        self._app.set_interval(QUIET_S / 2, self._when_quiet, name="quiet collector")

    def stop(self) -> None:
        gc.set_threshold(*self._thresholds)
        for handle in self._waiting:
            handle.cancel()
        if self._waiting:
            self._waiting.clear()
            gc.enable()

    def idle_for(self) -> float:
        """Seconds since the last key."""
        return monotonic() - self._last_key

    def key(self) -> None:
        self._last_key = monotonic()
        if not self._waiting:
            gc.disable()
        # A plain loop callback, not a Textual timer: it is made on every keystroke.
        self._waiting.append(asyncio.get_running_loop().call_later(KEY_FRAME_S, self._key_done))

    def _key_done(self) -> None:
        self._waiting.pop(0)
        if not self._waiting:
            gc.enable()  # the young passes the key held back run now, between keystrokes

    def _when_quiet(self) -> None:
        if monotonic() - self._last_key >= QUIET_S and gc.get_count()[2] >= _FULL_PASS_AFTER:
            gc.collect()
            self.full_passes += 1
