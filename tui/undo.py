"""What `u` takes back: each step of the dashboard's undo stack knows how to undo itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from store.marks import Carry, QueueEntry
from store.model import State
from store.storage import StoreError

if TYPE_CHECKING:
    from tui.app import CycleboardApp


@dataclass(frozen=True)
class UndoMark:
    key: str
    state: State  # the state before the mark

    def run(self, app: CycleboardApp) -> None:
        if self.key in app.board.plan.blueprints and app.set_state(self.key, self.state, undoing=True):
            app.notify(f"Undone: {self.key} is {self.state.value} again", timeout=3)


@dataclass(frozen=True)
class UndoCarry:
    carry: Carry

    def run(self, app: CycleboardApp) -> None:
        app.board.uncarry(self.carry, via="dashboard")
        app.render_view()
        app.notify(f"Undone: {self.carry.key} is back in {self.carry.source}", timeout=3)


@dataclass(frozen=True)
class UndoQueue:
    cycle: str
    entries: tuple[QueueEntry, ...]  # the queue before the change

    def run(self, app: CycleboardApp) -> None:
        app.board.set_queue(self.cycle, self.entries, via="dashboard")
        app.render_view()
        app.notify("Undone: the runway queue is as it was", timeout=3)


def undo_last(app: CycleboardApp) -> None:
    if not app.undo_stack:
        app.notify("Nothing to undo", timeout=3)
        return
    try:
        app.undo_stack.pop().run(app)
    except StoreError as exc:
        app.notify(f"Could not undo: {exc}", severity="error", timeout=10)
