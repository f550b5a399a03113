"""Keys typed ahead go where each one lands, in order.

Textual hands every key to the widget focused at the moment the app reads
it.  A burst (a fast typist, a paste, ``tmux send-keys -l "/kestrel"``) is
read at once, so the keys after ``/`` were all sent to the Blueprints pane
before ``/`` had opened the filter line: they were lost, or ran the pane's
own keys.  Here a key is handed on only once the one before it has been
dealt with (run by a binding, which happens when it comes back up to the
app, or stopped by a widget that took it, such as an input that typed it)
and every message that set off has been handled: ``enter`` in the filter
line moves the focus through two messages, and the key after it belongs to
where the focus ends up.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from textual import events

# A key whose effects never settle (a widget that keeps posting) must not hold
# the ones after it for long.
KEY_PATIENCE_S = 0.5
_POLL_S = 0.002


class KeyOrder:
    """The keys read but not yet handed on, and the one being dealt with."""

    def __init__(self, app) -> None:
        self._app = app
        self._in_flight: events.Key | None = None
        self._came_back = False
        self._since = 0.0
        self._waiting: deque[events.Key] = deque()
        self._releasing: events.Key | None = None
        self._polling = False

    def hold(self, key: events.Key) -> bool:
        """Whether ``key`` must wait for the keys before it (it is then kept, in order).

        Called while the app handles ``key``: that one message is the app's own.
        """
        if key is self._releasing:
            self._releasing = None
            return False
        if self._releasing is not None or self._waiting or self._busy():
            self._waiting.append(key)
            self._poll()
            return True
        return False

    def started(self, key: events.Key) -> None:
        """The app has read ``key``; handed on to a widget, the next key waits until it is dealt with."""
        if key.is_forwarded:
            self._in_flight, self._came_back, self._since = key, False, time.monotonic()

    def came_back(self, key: events.Key) -> None:
        """``key`` reached the app again: its bindings run now, in this same message."""
        if key is self._in_flight:
            self._came_back = True

    def _busy(self) -> bool:
        key = self._in_flight
        if key is None:
            return False
        dealt_with = self._came_back or key._stop_propagation
        if (dealt_with and self._quiet()) or time.monotonic() - self._since > KEY_PATIENCE_S:
            self._in_flight = None
            return False
        return True

    def _quiet(self) -> bool:
        """Whether no widget, screen or the app has a message waiting to be handled."""
        app = self._app
        pumps = [app, *app.screen_stack, *app.screen.walk_children()]
        return all(pump._message_queue.empty() for pump in pumps)

    def _poll(self) -> None:
        if not self._polling:
            self._polling = True
            asyncio.get_running_loop().call_later(_POLL_S, self._check)

    def _check(self) -> None:
        self._polling = False
        if self._waiting and self._releasing is None and not self._busy():
            self._releasing = self._waiting.popleft()
            self._app.post_message(self._releasing)  # read again as if it had just come in
        if self._waiting:
            self._poll()
