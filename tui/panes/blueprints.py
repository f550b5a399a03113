"""The Blueprints pane: a virtual list that draws only the rows on screen.

It holds a plain list of rows and paints lines on demand (Textual's line
API), so handing it 50,000 rows on a filter or reload is one assignment, not
50,000 widget updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from store.board import Row
from store.index import cell_text
from store.model import State
from store.pane_contents import Columns
from store.row_order import PLAN_ORDER, Sort
from tui.panes.base import MOVE_BINDINGS, KeyMessage, LineScroll
from tui.panes.find import FIND_BINDING, FindByTyping
from tui.text import STATE_GLYPH, fit

_STATE_WIDTH = 16  # margin, glyph, space, "implemented", the marked sign, a space
_CATEGORY_MOST = 24  # a longer category is cut: the title needs the room more
_TITLE_LEAST = 20  # below this, the reviews and then the category give their room to the title

# Shift and the column's letter, as k9s sorts; the footer shows the five as one group.
_SORT_GROUP = Binding.Group("Sort")
SORT_BINDINGS: list[BindingType] = [
    Binding(
        key,
        f"sort('{column}')",
        f"Sort by {column}",
        id=f"sort-{column}",
        group=_SORT_GROUP,
        tooltip=f"Sort by {column}"
        + (", most first" if column == "risk" else "")
        + " (again: reversed; a third time: the plan's order)",
    )
    for key, column in (("S", "state"), ("K", "key"), ("T", "title"), ("C", "category"), ("R", "risk"))
]


class BlueprintsPane(FindByTyping, LineScroll, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        *MOVE_BINDINGS,
        FIND_BINDING,
        Binding("enter", "details", "Details", id="details", tooltip="Open the selected item"),
        Binding(
            "space",
            "toggle_done",
            "Done",
            id="toggle-done",
            tooltip="Mark implemented, or back to the state it had before",
        ),
        Binding("s", "set_state", "State", id="set-state", tooltip="Set the blueprint's state from a list"),
        Binding(
            "o",
            "open_link",
            "Open",
            id="open-link",
            tooltip="Open the blueprint's review or URL in a browser",
        ),
        Binding(
            "a",
            "runway_add",
            "Runway",
            id="runway-add",
            show=False,
            tooltip="Put the blueprint at the end of its cycle's runway queue",
        ),
        Binding(
            "c",
            "carry",
            "Carry over",
            id="carry-over",
            show=False,
            tooltip="Re-propose the unfinished blueprint into the next cycle",
        ),
        *SORT_BINDINGS,
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "blueprints--header",
        "blueprints--cursor",
        "blueprints--cursor-blurred",
        "blueprints--key",
        "blueprints--muted",
        *(f"blueprints--{state.value}" for state in State),
    }

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to another blueprint (bursts collapse into the newest)."""

        def __init__(self, key: str | None) -> None:
            super().__init__()
            self.key = key

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, BlueprintsPane.Highlighted)

    class DetailsRequested(KeyMessage):
        pass

    class ToggleRequested(KeyMessage):
        pass

    class StatePickRequested(KeyMessage):
        pass

    class LinkRequested(KeyMessage):
        pass

    class RunwayAddRequested(KeyMessage):
        pass

    class CarryRequested(KeyMessage):
        pass

    class SortRequested(Message):
        """The user asked for the rows in the order of ``column`` (the app keeps the order)."""

        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

    def __init__(self) -> None:
        super().__init__(id="blueprints", classes="pane")
        self.rows: Sequence[Row] = []
        self.columns = Columns()
        self.sort = PLAN_ORDER
        self._lines: LRUCache[tuple, tuple[Row, Strip]] = LRUCache(1024)
        self._base: Style | None = None  # rich_style, kept: it walks every ancestor's styles
        self._components: dict[tuple[str, bool], Style] = {}  # see _component
        self.border_title = "Blueprints (0)"

    # -- data in ---------------------------------------------------------------
    def show(
        self, rows: Sequence[Row], *, columns: Columns, cursor_at: int | None = None, sort: Sort = PLAN_ORDER
    ) -> None:
        """Take new rows (in ``sort``'s order); the cursor goes to row ``cursor_at``, or stays where it was.

        The caller works out the columns' widths and where the cursor's
        blueprint went, from its index: a pass over 50,000 rows here would
        cost a frame on every filter keystroke.
        """
        before = self.rows
        same_columns = (columns, sort) == (self.columns, self.sort)
        self.rows = rows
        self.columns = columns
        self.sort = sort
        self.set_line_count(len(rows) + 1)  # and the header
        # What every row shares is said once, here, not on every row.
        shared = f" · {rows[0].blueprint.project}" if rows and not columns.with_project else ""
        order = f" · by {sort.label}" if sort.column else ""
        self.border_title = f"Blueprints ({len(rows)}){shared}{order}"
        self._move(cursor_at if cursor_at is not None else min(self.cursor, max(len(rows) - 1, 0)))
        if same_columns and len(rows) == len(before):
            # After a mark most rows on screen are the very same objects: repaint the others only.
            top = round(self.scroll_y)
            shown = range(top, min(top + self.size.height, len(rows)))
            self.refresh_runs([index + 1 for index in shown if rows[index] is not before[index]])
        else:
            self.refresh()

    def _index_of(self, key: str) -> int | None:
        for i, row in enumerate(self.rows):
            if row.blueprint.key == key:
                return i
        return None

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_key(self) -> str | None:
        row = self.current
        return row.blueprint.key if row else None

    def select_key(self, key: str) -> bool:
        index = self._index_of(key)
        if index is not None:
            self._move(index)
        return index is not None

    # -- movement --------------------------------------------------------------
    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def _move(self, index: int) -> None:
        index = max(0, min(index, len(self.rows) - 1)) if self.rows else 0
        before = self.cursor
        self.cursor = index
        self._scroll_to_cursor()
        if index != before or not self.rows:
            self.post_message(self.Highlighted(self.current_key))

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.scrollable_content_region.height - 1)  # one line is the header
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.rows) - 1)

    def action_page_up(self) -> None:
        self._move(self.cursor - self._page)

    def action_page_down(self) -> None:
        self._move(self.cursor + self._page)

    def on_click(self, event: Click) -> None:
        if event.y >= 1:
            self._move(round(self.scroll_y) + event.y - 1)

    def watch_cursor(self, before: int, now: int) -> None:
        # Only the two rows change (line 0 is the header): a whole-pane repaint
        # would cost a frame on every keystroke.
        self.refresh_lines(before + 1)
        self.refresh_lines(now + 1)

    # -- requests out ------------------------------------------------------------
    def _request(self, message_class: type[KeyMessage]) -> None:
        key = self.current_key
        if key is not None:
            self.post_message(message_class(key))

    def action_details(self) -> None:
        self._request(self.DetailsRequested)

    def action_toggle_done(self) -> None:
        self._request(self.ToggleRequested)

    def action_set_state(self) -> None:
        self._request(self.StatePickRequested)

    def action_open_link(self) -> None:
        self._request(self.LinkRequested)

    def action_runway_add(self) -> None:
        self._request(self.RunwayAddRequested)

    def action_carry(self) -> None:
        self._request(self.CarryRequested)

    # -- finding by typing (tui/panes/find.py) ----------------------------------------------
    def find_count(self) -> int:
        return len(self.rows)

    def find_text(self, index: int) -> str:
        blueprint = self.rows[index].blueprint
        return f"{blueprint.key} {blueprint.title}".lower()

    def find_cursor(self) -> int:
        return self.cursor

    def find_go(self, index: int) -> None:
        self._move(index)

    def action_sort(self, column: str) -> None:
        self.post_message(self.SortRequested(column))

    # -- painting ----------------------------------------------------------------
    def _key_text(self, row: Row) -> str:
        bp = row.blueprint
        return bp.key_in_cycle if self.columns.with_project else bp.id

    def _widths(self, width: int) -> tuple[int, int, int, int, int]:
        """Widths of cycle, key, title, category and reviews (each with its leading space, 0 when
        left out) for a pane ``width`` cells wide: the title takes what the others leave."""
        need = self.columns
        # A column is at least as wide as its heading.
        cycle = max(need.cycle, len("cycle")) + 1 if need.cycle else 0
        least_category = len(self._heading("category"))
        category = max(min(need.category, _CATEGORY_MOST), least_category) + 1 if need.category else 0
        reviews = max(need.reviews, len("reviews")) + 1 if need.reviews else 0
        while True:
            rest = width - _STATE_WIDTH - cycle - category - reviews
            # When everything fits the title has the spare room; else the key gives some up.
            key = need.key if need.key + 1 + need.title <= rest else min(need.key, max(12, rest // 3))
            title = rest - key
            if title - 1 >= _TITLE_LEAST or not (reviews or category):
                return cycle, key, max(0, title), category, reviews
            if reviews:
                reviews = 0
            else:
                category = 0

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = round(self.scroll_y) + y - 1
        if index >= len(self.rows):
            if not self.rows and y == 1:
                muted = self._component("blueprints--muted", partial=False)
                return Strip([Segment(fit(" no blueprints match this cycle and filter", width), muted)])
            return Strip.blank(width, self.rich_style)
        row, is_cursor = self.rows[index], index == self.cursor
        # Painting a row is the costly part of a frame; rows repeat between frames.
        key = (id(row), is_cursor, is_cursor and self.has_focus, width, self.columns)
        cached = self._lines.get(key)
        if cached is None or cached[0] is not row:
            cached = (row, self._row_line(row, is_cursor, width))
            self._lines.set(key, cached)
        return cached[1]

    def _heading(self, column: str, shown: str | None = None) -> str:
        """A column's heading, with an arrow when the rows are sorted by it."""
        name = shown or column
        if self.sort.column != column:
            return name
        return f"{name} {'▼' if self.sort.descending else '▲'}"

    def _header(self, width: int) -> Strip:
        cycle, key, title, category, reviews = self._widths(width)
        heading = self._heading
        text = " " + fit(heading("state"), _STATE_WIDTH - 1)
        if cycle:
            text += fit("cycle", cycle - 1) + " "
        text += fit(heading("key", "id" if not self.columns.with_project else "key"), key)
        text += " " + fit(heading("title"), title - 1)
        if category:
            text += " " + fit(heading("category"), category - 1)
        if reviews:
            text += " " + fit("reviews", reviews - 1)
        return Strip([Segment(fit(text, width), self._component("blueprints--header", partial=False))])

    def _row_line(self, row: Row, is_cursor: bool, width: int) -> Strip:
        bp = row.blueprint
        cycle_w, key_w, title_w, category_w, reviews_w = self._widths(width)
        if self._base is None:
            self._base = self.rich_style
        base = self._base
        if is_cursor:
            base += self._component(
                "blueprints--cursor" if self.has_focus else "blueprints--cursor-blurred", partial=False
            )
        state_style = self._component(f"blueprints--{row.state.value}")
        key_style = self._component("blueprints--key")
        muted = self._component("blueprints--muted")
        # "*": a mark kept locally set the state shown, not the seed.
        local = row.mark is not None and row.mark.local and row.state == row.mark.state != bp.state
        marked = "*" if local else " "
        segments = [
            Segment(" ", base),
            Segment(fit(f"{STATE_GLYPH[row.state]} {row.state.value}", _STATE_WIDTH - 3), base + state_style),
            Segment(marked + " ", base + muted),
        ]
        if cycle_w:
            segments.append(Segment(fit(bp.cycle, cycle_w - 1) + " ", base + muted))
        segments += [
            Segment(fit(self._key_text(row), key_w), base + key_style),
            # ↷N: carried over N times; it slipped from earlier cycles.
            Segment(" " + fit(cell_text("title", bp), title_w - 1), base),
        ]
        if category_w:
            segments.append(Segment(" " + fit(bp.category, category_w - 1), base + muted))
        if reviews_w:
            segments.append(Segment(" " + fit(cell_text("reviews", bp), reviews_w - 1), base + muted))
        return Strip(segments).adjust_cell_length(width, base)

    def _component(self, name: str, partial: bool = True) -> Style:
        """A component class's style, kept until the styles change. Textual drops its own copy
        on every refresh, and resolving the ten a screen of rows uses shows in a keystroke."""
        style = self._components.get((name, partial))
        if style is None:
            style = self._components[name, partial] = self.get_component_rich_style(name, partial=partial)
        return style

    def on_resize(self) -> None:
        self.set_line_count(len(self.rows) + 1)
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()  # a new theme or CSS: every painted row is stale
        self._base = None
        self._components.clear()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
