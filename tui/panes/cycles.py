"""The Cycles pane: every cycle, newest first, with its progress."""

from __future__ import annotations

from typing import NamedTuple

from textual.content import Content
from textual.message import Message

from store.model import Cycle
from store.pane_contents import Progress
from store.query import ALL_CYCLES
from tui.panes.base import Line, PaneList
from tui.text import bar, fit

_BAR = 4


class CycleLine(NamedTuple):
    """What one line of the pane shows."""

    name: str
    ratio: float  # implemented / all
    done_of_all: str  # "implemented/all"
    name_width: int
    count_width: int


class CyclesPane(PaneList):
    """Moving the cursor selects a cycle; the app answers with new data for every pane."""

    class Selected(Message):
        def __init__(self, cycle: str) -> None:
            super().__init__()
            self.cycle = cycle  # a cycle id or "all"

    def __init__(self) -> None:
        super().__init__("Cycles", id="cycles")

    def show(self, cycles: list[Cycle], progress: dict[str, Progress], selected: str) -> None:
        if not self.remember(cycles, progress, selected):
            return
        rows = [(ALL_CYCLES, "All cycles", progress.get(ALL_CYCLES, Progress()))]
        rows += [(c.id, c.name, progress.get(c.id, Progress())) for c in cycles]
        counts = [f"{p.done}/{p.total}" for _, _, p in rows]
        count_width = max(map(len, counts))
        width = self.scrollable_content_region.width or 30
        name_width = max(6, width - _BAR - count_width - 3)
        lines = [
            Line(key, CycleLine(name, p.ratio, count, name_width, count_width))
            for (key, name, p), count in zip(rows, counts, strict=False)
        ]
        keys = [key for key, _, _ in rows]
        self.fill(lines, keep=keys.index(selected) if selected in keys else None)

    def draw(self, line: Line) -> Content:
        d: CycleLine = line.data
        filled, empty = bar(d.ratio, _BAR)
        return Content.assemble(
            fit(d.name, d.name_width),
            " ",
            (filled, "$success on $boost"),
            (empty, "on $boost"),
            " ",
            (d.done_of_all.rjust(d.count_width), "$text-muted"),
        )

    def moved_to(self, line: Line) -> None:
        if line.id:
            self.post_message(self.Selected(line.id))

    # enter on a cycle: nothing to do, it is already selected
