"""What the list panes share: vi keys and a title that says what they hold."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList

# The movement keys of every pane; the ids let a user keymap rebind them everywhere at once.
MOVE_BINDINGS = [
    Binding("up,k", "cursor_up", "Up", show=False, id="cursor-up", tooltip="Move up in the pane"),
    Binding("down,j", "cursor_down", "Down", show=False, id="cursor-down", tooltip="Move down in the pane"),
    Binding("home", "first", "First", show=False, id="cursor-first", tooltip="Go to the first row"),
    Binding("end", "last", "Last", show=False, id="cursor-last", tooltip="Go to the last row"),
    Binding("pageup", "page_up", "Page up", show=False, id="page-up", tooltip="Move up a page"),
    Binding("pagedown", "page_down", "Page down", show=False, id="page-down", tooltip="Move down a page"),
]


class PaneList(OptionList):
    """An option list pane; subclasses fill it from the app's view."""

    BINDINGS = [
        *MOVE_BINDINGS,
        Binding("enter", "select", "Details", id="details", tooltip="Open the selected item"),
    ]

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = title
        self._shown: tuple = ()

    def show(self, *args) -> None:
        """Fill the pane; subclasses draw, this remembers so a resize can redraw."""
        self._shown = args

    def on_resize(self) -> None:
        if self._shown:
            self.show(*self._shown)
