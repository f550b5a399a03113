"""What the list panes share: vi keys and a title that says what they hold."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

# The movement keys of every pane; the ids let a user keymap rebind them everywhere at once.
MOVE_BINDINGS = [
    Binding("up,k", "cursor_up", "Up", show=False, id="cursor-up", tooltip="Move up in the pane"),
    Binding("down,j", "cursor_down", "Down", show=False, id="cursor-down", tooltip="Move down in the pane"),
    Binding("home", "first", "First", show=False, id="cursor-first", tooltip="Go to the first row"),
    Binding("end", "last", "Last", show=False, id="cursor-last", tooltip="Go to the last row"),
    Binding("pageup", "page_up", "Page up", show=False, id="page-up", tooltip="Move up a page"),
    Binding("pagedown", "page_down", "Page down", show=False, id="page-down", tooltip="Move down a page"),
]


class KeyMessage(Message):
    """A request about one item, named by its key."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


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
        self._drawn_width = -1

    def show(self, *args) -> bool:
        """Remember what to draw, so a resize can redraw it.

        Returns False when exactly this is on screen already at this width:
        a filter keystroke must not rebuild 2,000 unchanged session lines.
        """
        width = self.scrollable_content_region.width
        if args == self._shown and width == self._drawn_width:
            return False
        self._shown, self._drawn_width = args, width
        return True

    def on_resize(self) -> None:
        if self._shown:
            self.show(*self._shown)

    def fill(self, options: list[Option], *, empty: str = "", keep: int | None = None) -> None:
        """Replace the options without posting highlight messages, keeping the cursor's row."""
        if not options and empty:
            options = [Option(Content.styled(empty, "$text-muted"), disabled=True)]
        with self.prevent(self.OptionHighlighted):
            highlighted = self.highlighted if keep is None else keep
            self.set_options(options)
            enabled = [i for i, o in enumerate(options) if not o.disabled]
            if enabled:
                self.highlighted = min(highlighted or 0, enabled[-1])

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()  # panes that care about the cursor say so themselves


class OpeningPaneList(PaneList):
    """A pane whose ``enter`` asks the app to open the item's details."""

    class OpenRequested(KeyMessage):
        pass

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.OpenRequested(event.option.id))
