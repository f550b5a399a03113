"""The Themes pane: the cycle's themes, priorities and goals with done/total."""

from __future__ import annotations

from textual.content import Content

from store.view import ThemeLine
from tui.panes.base import Line, OpeningPaneList
from tui.text import fit

_KIND_TAG = {"theme": "T", "priority": "P", "goal": "G"}


class ThemesPane(OpeningPaneList):
    class OpenRequested(OpeningPaneList.OpenRequested):
        pass  # its own class, so the app's handler is named after this pane

    def __init__(self) -> None:
        super().__init__("Themes", id="themes")

    def show(self, lines: list[ThemeLine]) -> None:
        if not super().show(lines):
            return
        width = self.scrollable_content_region.width or 40
        counts = [f"{line.progress.done}/{line.progress.total}" for line in lines]
        count_width = max(map(len, counts), default=3)
        shown: list[Line] = []
        for line, count in zip(lines, counts):
            complete = line.progress.total and line.progress.done == line.progress.total
            label = Content.assemble(
                (_KIND_TAG[line.theme.kind.value], "bold $accent"), " ",
                fit(line.theme.title, max(4, width - count_width - 3)), " ",
                (count.rjust(count_width), "$success" if complete else "$text-muted"),
            )
            shown.append(Line(line.theme.key, label))
        self.fill(shown, empty="no themes for this cycle and filter")
        self.border_title = f"Themes ({len(lines)})"
