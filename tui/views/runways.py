"""The runways view: a cycle's review queue, and the blueprints ready to join it."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, NamedTuple

from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message

from store.board import Row
from store.model import State
from store.runways import Place
from tui.panes.base import KeyMessage, Line, OpeningPaneList
from tui.text import STATE_GLYPH, STATE_STYLE, fit


class QueueLine(NamedTuple):
    """What one line of the runway queue shows."""

    where: str  # "runway 2", "queued #1"
    key: str
    title: str
    status: str
    late: bool
    width: int


class CandidateLine(NamedTuple):
    """What one line of the blueprints ready for a runway shows."""

    state: State
    key: str
    title: str
    width: int


class RunwayChangeRequested(Message):
    """Take ``key`` out of the queue (``step`` 0) or move it ``step`` places toward the head."""

    def __init__(self, key: str, step: int) -> None:
        super().__init__()
        self.key = key
        self.step = step


class RunwayAddRequested(KeyMessage):
    """Put ``key`` at the end of its cycle's runway queue."""


class RunwayQueue(OpeningPaneList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "x,delete",
            "take_out",
            "Take out",
            id="runway-take-out",
            tooltip="Take the selected blueprint out of the runway queue",
        ),
        Binding(
            "K,shift+up",
            "move(1)",
            "Move up",
            id="runway-up",
            tooltip="Move the selected blueprint up the queue",
        ),
        Binding(
            "J,shift+down",
            "move(-1)",
            "Move down",
            id="runway-down",
            tooltip="Move the selected blueprint down the queue",
        ),
    ]

    class OpenRequested(OpeningPaneList.OpenRequested):
        pass

    def __init__(self) -> None:
        super().__init__("Runways", id="runway-queue")

    def show(self, places: list[Place], rows: dict[str, Row], slots: int, today: dt.date) -> None:
        if not self.remember(places, rows, slots, today):
            return
        width = self.scrollable_content_region.width or 60
        shown = []
        for place in places:
            row = rows[place.key]
            where = place.where(slots)
            status = place.status(today)
            late = place.slot is not None and place.ends is not None and place.ends < today
            shown.append(
                Line(
                    place.key,
                    QueueLine(where, row.blueprint.key_in_cycle, row.blueprint.title, status, late, width),
                )
            )
        free = slots - sum(1 for p in places if p.slot)
        self.fill_keeping_item(shown, empty="the queue is empty: add an approved blueprint with a")
        self.border_title = f"Runways ({slots} slots, {free} free, {max(0, len(places) - slots)} queued)"

    def draw(self, line: Line) -> Content:
        d: QueueLine = line.data
        status_width = max(12, len(d.status))
        key_width = min(len(d.key), max(8, (d.width - 10 - status_width) // 2))
        title_width = max(4, d.width - 10 - key_width - status_width - 5)
        return Content.assemble(
            (fit(d.where, 10), "bold $accent" if d.where.startswith("runway") else "$text-muted"),
            " ",
            (fit(d.key, key_width), "bold"),
            "  ",
            fit(d.title, title_width),
            "  ",
            (d.status.rjust(status_width), "bold $error" if d.late else "$text-muted"),
        )

    def action_take_out(self) -> None:
        if self.current_id:
            self.post_message(RunwayChangeRequested(self.current_id, 0))
            # On to the next one at once: a second x typed before the first is
            # written takes that one out, not the one already on its way out.
            self.action_cursor_down()

    def action_move(self, step: int) -> None:
        if self.current_id:
            self.post_message(RunwayChangeRequested(self.current_id, step))


class RunwayCandidates(OpeningPaneList):
    """The cycle's approved and started blueprints not in the queue yet."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "add",
            "Add to runways",
            id="runway-add-candidate",
            tooltip="Put the selected blueprint at the end of the runway queue",
        ),
    ]

    class OpenRequested(OpeningPaneList.OpenRequested):
        pass

    def __init__(self) -> None:
        super().__init__("Ready for a runway", id="runway-candidates")

    def show(self, rows: list[Row]) -> None:
        if not self.remember(rows):
            return
        width = self.scrollable_content_region.width or 40
        shown = [
            Line(r.blueprint.key, CandidateLine(r.state, r.blueprint.key_in_cycle, r.blueprint.title, width))
            for r in rows
        ]
        self.fill_keeping_item(shown, empty="no approved or started blueprint waits outside the queue")
        self.border_title = f"Ready for a runway ({len(rows)})"

    def draw(self, line: Line) -> Content:
        d: CandidateLine = line.data
        key_width = min(len(d.key), max(8, d.width - 6))
        return Content.assemble(
            (STATE_GLYPH[d.state], STATE_STYLE[d.state]),
            " ",
            (fit(d.key, key_width), "bold"),
            "  ",
            fit(d.title, max(0, d.width - key_width - 4)),
        )

    def action_add(self) -> None:
        if self.current_id:
            self.post_message(RunwayAddRequested(self.current_id))
            self.action_cursor_down()  # as x does in the queue


class RunwaysView(Horizontal):
    def __init__(self) -> None:
        super().__init__(id="runways")

    def compose(self):
        yield RunwayQueue()
        yield RunwayCandidates()
