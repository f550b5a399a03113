"""The start's progress: how many seed files are read of how many, while the plan is read."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class StartProgress(Horizontal):
    """Shown from the first frame until the plan is there; a start never looks like a hang."""

    DEFAULT_CSS = """
    StartProgress { height: 1; display: none; }
    StartProgress.-reading { display: block; }
    StartProgress Label { width: auto; padding: 0 1; }
    StartProgress ProgressBar { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Reading the plan…")
        yield ProgressBar(show_eta=False)

    def reading(self, done: int | None = None, total: int | None = None) -> None:
        """Show it; with counts, how far the files are read (without, a bar that only moves)."""
        self.add_class("-reading")
        bar = self.query_one(ProgressBar)
        if total:
            self.query_one(Label).update(f"Reading the plan: {done:,} of {total:,} seed files")
            bar.update(total=total, progress=done or 0)
