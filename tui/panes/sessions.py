"""The Sessions pane: the cycle's sessions, cross-project ones marked, with open actions."""

from __future__ import annotations

from textual.content import Content

from store.model import Session
from tui.panes.base import Line, OpeningPaneList
from tui.text import fit

CROSS_PROJECT = "⇄"


class SessionsPane(OpeningPaneList):
    class OpenRequested(OpeningPaneList.OpenRequested):
        pass  # its own class, so the app's handler is named after this pane

    def __init__(self) -> None:
        super().__init__("Sessions", id="sessions")

    def show(self, sessions: list[Session]) -> None:
        if not super().show(sessions):
            return
        width = self.scrollable_content_region.width or 40
        shown: list[Line] = []
        for session in sessions:
            open_actions = len(session.open_actions)
            tail = f"{open_actions} open" if open_actions else ""
            label = Content.assemble(
                (CROSS_PROJECT if session.cross_project else " ", "bold $accent"), " ",
                fit(session.title, max(4, width - 10)), " ",
                (tail.rjust(7), "$warning" if open_actions else ""),
            )
            shown.append(Line(session.key, label))
        self.fill(shown, empty="no sessions for this cycle and filter")
        crossing = sum(1 for s in sessions if s.cross_project)
        self.border_title = f"Sessions ({len(sessions)}, {CROSS_PROJECT} {crossing} cross-project)"
