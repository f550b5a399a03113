"""The Sessions pane: the cycle's sessions, cross-project ones marked, with open actions."""

from __future__ import annotations

from typing import NamedTuple

from textual.content import Content

from store.model import Session
from tui.panes.base import Line, OpeningPaneList
from tui.text import fit

CROSS_PROJECT = "⇄"


class SessionLine(NamedTuple):
    """What one line of the pane shows."""

    crossing: bool  # a cross-project session
    title: str
    open_actions: int
    title_width: int


class SessionsPane(OpeningPaneList):
    class OpenRequested(OpeningPaneList.OpenRequested):
        pass  # its own class, so the app's handler is named after this pane

    def __init__(self) -> None:
        super().__init__("Sessions", id="sessions")

    def show(self, sessions: list[Session]) -> None:
        if not self.remember(sessions):
            return
        width = self.scrollable_content_region.width or 40
        title_width = max(4, width - 10)
        shown = [
            Line(
                session.key,
                SessionLine(session.cross_project, session.title, len(session.open_actions), title_width),
            )
            for session in sessions
        ]
        self.fill(shown, empty="no sessions for this cycle and filter")
        crossing = sum(1 for s in sessions if s.cross_project)
        self.border_title = f"Sessions ({len(sessions)}, {CROSS_PROJECT} {crossing} cross-project)"

    def draw(self, line: Line) -> Content:
        d: SessionLine = line.data
        tail = f"{d.open_actions} open" if d.open_actions else ""
        return Content.assemble(
            (CROSS_PROJECT if d.crossing else " ", "bold $accent"),
            " ",
            fit(d.title, d.title_width),
            " ",
            (tail.rjust(7), "$warning" if d.open_actions else ""),
        )
