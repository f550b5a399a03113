"""The Themes pane: the cycle's themes, priorities and goals with done/total."""

from __future__ import annotations

from typing import NamedTuple

from textual.content import Content

from store.pane_contents import ThemeLine
from tui.panes.base import Line, OpeningPaneList
from tui.text import fit

_KIND_TAG = {"theme": "T", "priority": "P", "goal": "G"}


class ThemeRow(NamedTuple):
    """What one line of the pane shows."""

    kind: str
    title: str
    done: int
    total: int
    title_width: int
    count_width: int


class ThemesPane(OpeningPaneList):
    class OpenRequested(OpeningPaneList.OpenRequested):
        pass  # its own class, so the app's handler is named after this pane

    def __init__(self) -> None:
        super().__init__("Themes", id="themes")

    def show(self, lines: list[ThemeLine]) -> None:
        if not self.remember(lines):
            return
        width = self.scrollable_content_region.width or 40
        count_width = max((len(f"{line.progress.done}/{line.progress.total}") for line in lines), default=3)
        title_width = max(4, width - count_width - 3)
        shown = [
            Line(
                line.theme.key,
                ThemeRow(
                    line.theme.kind.value,
                    line.theme.title,
                    line.progress.done,
                    line.progress.total,
                    title_width,
                    count_width,
                ),
            )
            for line in lines
        ]
        self.fill(shown, empty="no themes for this cycle and filter")
        self.border_title = f"Themes ({len(lines)})"

    def draw(self, line: Line) -> Content:
        d: ThemeRow = line.data
        complete = d.total and d.done == d.total
        return Content.assemble(
            (_KIND_TAG[d.kind], "bold $accent"),
            " ",
            fit(d.title, d.title_width),
            " ",
            (
                f"{d.done}/{d.total}".rjust(d.count_width),
                "$success" if complete else "$text-muted",
            ),
        )
