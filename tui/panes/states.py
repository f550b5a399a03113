"""The States pane: how many of the shown blueprints are in each state, as bars."""

from __future__ import annotations

from typing import NamedTuple

from textual.content import Content
from textual.message import Message

from store.model import State
from tui.panes.base import Line, PaneList
from tui.text import STATE_GLYPH, STATE_STYLE, bar


class StateLine(NamedTuple):
    """What one line of the pane shows."""

    state: State
    n: int  # blueprints in the state
    most: int  # the largest count: the full bar
    picked: bool  # the filter has it
    bar_width: int
    count_width: int


class StatesPane(PaneList):
    """``enter`` on a state filters by it (again clears it)."""

    class Chosen(Message):
        def __init__(self, state: State) -> None:
            super().__init__()
            self.state = state

    def __init__(self) -> None:
        super().__init__("States", id="states")

    def show(self, counts: dict[State, int], chosen: frozenset[State]) -> None:
        if not self.remember(counts, chosen):
            return
        most = max(counts.values(), default=0)
        count_width = max(len(str(n)) for n in counts.values()) if counts else 1
        width = self.scrollable_content_region.width or 30
        bar_width = max(3, width - 14 - count_width - 3)  # a cell spare on the right, as in Cycles
        lines = [
            Line(
                state.value,
                StateLine(state, counts.get(state, 0), most, state in chosen, bar_width, count_width),
            )
            for state in State
        ]
        self.fill(lines)
        self.border_subtitle = "filter: " + ",".join(s.value for s in State if s in chosen) if chosen else ""

    def draw(self, line: Line) -> Content:
        d: StateLine = line.data
        filled, empty = bar(d.n / d.most if d.most else 0.0, d.bar_width)
        return Content.assemble(
            ("▶" if d.picked else " ", "bold $accent"),
            (
                f"{STATE_GLYPH[d.state]} {d.state.value:<11} ",
                STATE_STYLE[d.state] + (" bold" if d.picked else ""),
            ),
            (filled, STATE_STYLE[d.state]),
            empty,
            " ",
            (str(d.n).rjust(d.count_width), "$text-muted" if d.n == 0 else ""),
        )

    def chose(self, line: Line) -> None:
        if line.id:
            self.post_message(self.Chosen(State(line.id)))
