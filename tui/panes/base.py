"""What the list panes share: one-line items drawn on demand, vi keys, a titled border.

The panes used to be OptionLists.  An OptionList drops every rendered line
when its options are replaced, so a mark that changed one cycle's numbers
repainted all of them: a third of the frame.  Here an item is plain data, and
a pane draws it (:meth:`PaneList.draw`) only when its line is painted: new
items repaint only the lines that differ, and "all cycles" with 3,000
sessions builds 3,000 small tuples, not 3,000 styled texts for the collector
to walk.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from operator import attrgetter
from typing import Any, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.content import Content
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual

from tui.panes.find import FIND_BINDING, FindByTyping

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


class Line(NamedTuple):
    """One item of a pane: the key it stands for, and the data :meth:`PaneList.draw` shows.

    ``data`` holds everything the line shows, column widths included, so
    two equal lines look the same.
    """

    id: str | None
    data: Any  # a NamedTuple of the pane's own (a note's: its text, alone)
    disabled: bool = False  # a note such as "no themes match": shown, never under the cursor


def _thumb(bar: ScrollBar, lines: int) -> list[Segment]:
    """What ``bar`` shows over ``lines`` lines, drawn as the bar itself would draw it."""
    window = bar.window_size if bar.window_size < lines else 0
    return bar.renderer.render_bar(
        size=bar.size.height,
        virtual_size=lines,
        window_size=window,
        position=bar.position,
        thickness=bar.size.width,
        vertical=True,
    ).segments


class LineScroll(ScrollView):
    """A list drawn line by line whose length changes without a layout of the screen.

    Textual lays out the whole screen whenever a virtual size changes, and
    then paints every widget again: much of a frame, on each filter keystroke
    that changes how many rows a pane holds.  Only the scrollbar has to follow
    the length, unless it appears or goes (and takes or gives back a column).
    """

    virtual_size = Reactive(Size(0, 0), layout=False)

    def set_line_count(self, lines: int) -> None:
        before = self.virtual_size.height
        self.virtual_size = Size(self.scrollable_content_region.width, lines)
        room = self.container_size.height
        if (before > room) != (lines > room):
            self.show_vertical_scrollbar = lines > room  # it comes or goes: that is a layout
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            if _thumb(bar, lines) == _thumb(bar, bar.window_virtual_size):
                # Twenty cells of bar over 50,000 lines look the same for most lengths; a
                # repaint of the bar is a millisecond of each filter keystroke.
                bar.set_reactive(ScrollBar.window_virtual_size, lines)
            else:
                bar.window_virtual_size = lines
        if self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def refresh_runs(self, changed: list[int]) -> None:
        """Repaint the lines ``changed`` (ascending), one request per run of neighbours:
        a filter keystroke changes every cycle's numbers, and each request has its cost."""
        start = 0
        for i in range(1, len(changed) + 1):
            if i == len(changed) or changed[i] != changed[i - 1] + 1:
                self.refresh_lines(changed[start], i - start)
                start = i

    def watch_show_vertical_scrollbar(self) -> None:
        # The scrollbar takes or gives back a column, and no resize says so:
        # lines fitted to the old width are fitted again once the layout is done.
        self.call_after_refresh(self.refit)

    def refit(self) -> None:
        """Fit what is shown to the width the lines have now."""


class PaneList(FindByTyping, LineScroll, can_focus=True):
    """A pane of one-line items with a cursor; subclasses fill it from the app's view
    and say what moving onto an item (:meth:`moved_to`) or choosing it (:meth:`chose`) asks for."""

    DEFAULT_CSS = """
    PaneList {
        padding: 0 1;
        overflow-x: hidden;
        color: $foreground;
        & > .pane-list--disabled { color: $text-disabled; }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"pane-list--line", "pane-list--cursor", "pane-list--disabled"}

    BINDINGS: ClassVar[list[BindingType]] = [
        *MOVE_BINDINGS,
        FIND_BINDING,
        Binding("enter", "select", "Details", id="details", tooltip="Open the selected item"),
    ]

    highlighted: reactive[int | None] = reactive(None, init=False)

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="pane")
        self.border_title = title
        self.items: list[Line] = []
        self._shown: tuple = ()
        self._drawn_width = -1
        self._painted: LRUCache[tuple, Strip] = LRUCache(4096)
        self._styles: dict[tuple, RichStyle] = {}  # resolved span styles, by look

    # -- data in ---------------------------------------------------------------
    # Each pane's own: what it shows, from the app's data (it calls remember first).
    show: Callable[..., None]

    def remember(self, *args: object) -> bool:
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
        self.refit()

    def refit(self) -> None:
        if self._shown:
            self.show(*self._shown)
        self.set_line_count(len(self.items))
        self._scroll_to_cursor()

    def fill(self, lines: list[Line], *, empty: str = "", keep: int | None = None) -> None:
        """Replace the items, the cursor staying on its row (or going to ``keep``);
        nothing is posted, since the app itself asked for this."""
        if not lines and empty:
            lines = [Line(None, (empty,), disabled=True)]
        before, self.items = self.items, lines
        enabled = [i for i, line in enumerate(lines) if not line.disabled]
        wanted = self.highlighted if keep is None else keep
        cursor = min(wanted or 0, enabled[-1]) if enabled else None
        self.set_reactive(PaneList.highlighted, cursor)
        self.set_line_count(len(lines))
        self._scroll_to_cursor()
        if len(lines) == len(before):
            top = round(self.scroll_y)
            shown = range(top, min(top + self.scrollable_content_region.height, len(lines)))
            self.refresh_runs([index for index in shown if lines[index] != before[index]])
        else:
            self.refresh()

    def fill_keeping_item(self, lines: list[Line], *, empty: str = "") -> None:
        """``fill``, the cursor staying on its item where the new lines still have it
        (items taken out above it then do not move it onto another one)."""
        current = self.current_id
        keep = next((i for i, line in enumerate(lines) if current is not None and line.id == current), None)
        self.fill(lines, empty=empty, keep=keep)

    def select_id(self, item_id: str) -> bool:
        """Put the cursor on the item ``item_id``, as a keypress would."""
        for index, line in enumerate(self.items):
            if line.id == item_id and not line.disabled:
                self._move_to(index)
                return True
        return False

    @property
    def current(self) -> Line | None:
        index = self.highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    @property
    def current_id(self) -> str | None:
        """The key of the item under the cursor (None: no item, or a note)."""
        line = self.current
        return line.id if line is not None else None

    # -- what items show and ask for: subclasses say ---------------------------------
    def draw(self, line: Line) -> Content:
        """What an item's line shows, from its data."""
        raise NotImplementedError

    def content_of(self, line: Line) -> Content:
        """What ``line`` shows: a note (a disabled line's data is its text), or the drawn item."""
        return Content.styled(line.data[0], "$text-muted") if line.disabled else self.draw(line)

    def moved_to(self, line: Line) -> None:
        """The user moved the cursor onto ``line``."""

    def chose(self, line: Line) -> None:
        """The user pressed enter on ``line`` (or clicked it)."""

    # -- finding by typing (tui/panes/find.py) ----------------------------------------------
    def find_count(self) -> int:
        return len(self.items)

    def find_text(self, index: int) -> str:
        line = self.items[index]
        return "" if line.disabled else self.content_of(line).plain.lower()

    def find_cursor(self) -> int:
        return self.highlighted or 0

    def find_go(self, index: int) -> None:
        self._move_to(index)

    # -- movement ----------------------------------------------------------------
    def _move_to(self, index: int) -> None:
        enabled = [i for i, line in enumerate(self.items) if not line.disabled]
        if not enabled:
            return
        index = max(enabled[0], min(index, enabled[-1]))
        if index != self.highlighted:
            self.highlighted = index
            self._scroll_to_cursor()
            self.moved_to(self.items[index])

    def _scroll_to_cursor(self) -> None:
        visible = self.scrollable_content_region.height
        if self.highlighted is None or not visible:
            return  # not laid out yet: the resize that follows brings the cursor in view
        top = round(self.scroll_y)
        if self.highlighted < top:
            self.scroll_to(y=self.highlighted, animate=False, immediate=True)
        elif self.highlighted >= top + visible:
            self.scroll_to(y=self.highlighted - visible + 1, animate=False, immediate=True)

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_up(self) -> None:
        self._move_to((self.highlighted or 0) - 1)

    def action_cursor_down(self) -> None:
        self._move_to(-1 if self.highlighted is None else self.highlighted + 1)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(len(self.items) - 1)

    def action_page_up(self) -> None:
        self._move_to((self.highlighted or 0) - self._page)

    def action_page_down(self) -> None:
        self._move_to((self.highlighted or 0) + self._page)

    def action_select(self) -> None:
        line = self.current
        if line is not None and not line.disabled:
            self.chose(line)

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = round(self.scroll_y) + offset.y
        if index < len(self.items) and not self.items[index].disabled:
            self._move_to(index)
            self.chose(self.items[index])

    def watch_highlighted(self, before: int | None, now: int | None) -> None:
        for index in (before, now):  # only the two lines change
            if index is not None:
                self.refresh_lines(index)

    # -- painting ----------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = round(self.scroll_y) + y
        if index >= len(self.items):
            return Strip.blank(width, self.rich_style)
        line = self.items[index]
        kind = (
            "pane-list--disabled"
            if line.disabled
            else "pane-list--cursor"
            if index == self.highlighted
            else "pane-list--line"
        )
        # The same item looks the same wherever it stands: painted once, kept by its data.
        look = (kind, kind == "pane-list--cursor" and self.has_focus)
        key = (line, look, width)
        strip = self._painted.get(key)
        if strip is None:
            strip = self._paint(self.content_of(line), look, width)
            self._painted.set(key, strip)
        return strip

    def _paint(self, content: Content, look: tuple[str, bool], width: int) -> Strip:
        """One line of ``content`` in the look of ``look`` (its component class, and focus).

        Textual's general path (wrapping, alignment, a style resolved per span)
        costs about 140 us a line; a filter keystroke changes the numbers on
        thirty lines of the Cycles and States panes.  Lines here are
        one row of side-by-side spans, so each span's style is resolved once per
        look through that same general path, and the line is joined from them
        into one Strip, padded to the width as it is made (about 6 us a line).
        """
        spans = content.spans  # in the order drawn: left to right, for the lines the panes draw
        if any(before.end > span.start for before, span in pairwise(spans)):
            spans = sorted(spans, key=attrgetter("start"))
        if not all(isinstance(span.style, str) for span in spans) or any(
            before.end > span.start for before, span in pairwise(spans)
        ):
            # Overlapping or non-text styles: not a line shape the panes draw, so take the general path.
            style = self.get_visual_style("pane-list--line", look[0])
            strips = Visual.to_strips(self, content, width, 1, style)
            return (strips[0] if strips else Strip.blank(width)).extend_cell_length(width, style.rich_style)
        text, at, segments = content.plain, 0, []
        plain = self._resolved(look, None)
        for span in spans:
            if span.start > at:
                segments.append(Segment(text[at : span.start], plain))
            if span.end > span.start:
                segments.append(Segment(text[span.start : span.end], self._resolved(look, span.style)))
            at = max(at, span.end)
        if at < len(text):
            segments.append(Segment(text[at:], plain))
        cells = cell_len(text)
        if cells < width:  # the usual case: padded out in one step, one Strip made
            segments.append(Segment(" " * (width - cells), plain))
            return Strip(segments, width)
        return Strip(segments, cells).adjust_cell_length(width, plain)

    def _resolved(self, look: tuple[str, bool], style: Style | str | None) -> RichStyle:
        """The Rich style that Textual gives text in ``style`` on a line of ``look``."""
        key = (look, style)
        resolved = self._styles.get(key)
        if resolved is None:
            base = self.get_visual_style("pane-list--line", look[0])
            if style is None:
                resolved = base.rich_style
            else:
                strip = Visual.to_strips(self, Content.styled("x", style), 1, 1, base)[0]
                resolved = (next(iter(strip)).style or base.rich_style).clear_meta_and_links()
            self._styles[key] = resolved
        return resolved

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._painted.clear()  # a new theme or CSS: every painted line is stale
        self._styles.clear()

    def on_focus(self) -> None:
        self.refresh_cursor()

    def on_blur(self) -> None:
        self.refresh_cursor()

    def refresh_cursor(self) -> None:
        if self.highlighted is not None:
            self.refresh_lines(self.highlighted)


class OpeningPaneList(PaneList):
    """A pane whose ``enter`` asks the app to open the item's details."""

    class OpenRequested(KeyMessage):
        pass

    def chose(self, line: Line) -> None:
        if line.id:
            self.post_message(self.OpenRequested(line.id))
