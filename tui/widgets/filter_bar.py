"""The filter line: ``/`` opens it, typing previews, ``enter`` applies, ``escape`` cancels."""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input, Label


class FilterInput(Input):
    # Input's own ctrl+u deletes only left of the cursor; here it empties the line.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+u", "clear", "Clear", id="filter-clear", tooltip="Clear the filter line")
    ]

    # An Input's virtual size follows its text, and Textual lays out the whole
    # screen whenever a virtual size changes: an extra frame on every keystroke,
    # before the panes could repaint. This line's size is fixed by the bar (one
    # row, the width left over), and scrolling reads the virtual size directly.
    virtual_size = Reactive(Size(0, 0), layout=False)

    _hold: AbstractContextManager[None] | None = None
    _hold_limit: asyncio.TimerHandle | None = None

    def watch_value(self) -> None:
        # Left alone, the screen paints the line by itself a frame before the app
        # has filtered the panes: a millisecond more on every keystroke. Held, the
        # line and the panes come in one frame. The app lets go once the panes
        # have their rows (FilterBar.release); HOLD_LIMIT_S is only a backstop.
        if self._hold is None and self.is_mounted:
            self._hold = self.app.batch_update()
            self._hold.__enter__()
            self._hold_limit = asyncio.get_running_loop().call_later(HOLD_LIMIT_S, self.release)

    def release(self) -> None:
        """Let the screen paint again, this line with it."""
        hold, self._hold = self._hold, None
        if hold is not None:
            if self._hold_limit is not None:
                self._hold_limit.cancel()
            hold.__exit__(None, None, None)
            self.screen.check_idle()  # nothing else is sure to tell the screen to paint what waited

    def on_unmount(self) -> None:
        self.release()

    def action_clear(self) -> None:
        self.value = ""


HOLD_LIMIT_S = 0.1  # a change nobody takes up must not keep the screen still

KEYS_HINT = "enter: apply · escape: cancel · ctrl+u: clear"


class FilterBar(Horizontal):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="filter-cancel",
            tooltip="Close the filter line, keep the old filter",
        ),
    ]

    class Changed(Message):
        """The text changed while typing (bursts collapse)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, FilterBar.Changed)

    class Applied(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Cancelled(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # The line itself, kept: it is released on every keystroke.
        self._field = FilterInput(
            placeholder="project:nova state:approved,blocked category:scheduler theme:ID words",
            id="filter-input",
            select_on_focus=False,
        )

    def compose(self) -> ComposeResult:
        yield Label("/", id="filter-prompt")
        yield self._field
        yield Label("", id="filter-hint")

    def open(self, text: str) -> None:
        self.display = True
        field = self._field
        field.value = text
        field.cursor_position = len(text)
        self.hint(KEYS_HINT)  # now, so that the first keystroke does not resize the hint
        # Focus now, not after the queue: keys typed right after "/" belong to the line.
        self.screen.set_focus(field)

    def release(self) -> None:
        """The app has shown what the line's change asked for: let the screen paint it."""
        self._field.release()

    def close(self) -> None:
        self.display = False

    def hint(self, text: str) -> None:
        # Called on every keystroke; a Label update asks for a layout of the whole
        # screen (it sizes to its text), so an unchanged hint is left alone.
        if text != getattr(self, "_hint", None):
            self._hint = text
            self.query_one("#filter-hint", Label).update(Content(text))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Applied(event.value))

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())
