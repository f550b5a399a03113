"""What `u` takes back: each step of the dashboard's undo stack knows how to undo itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from store.marks import Carry, Mark, QueueEntry
from store.model import State
from store.seed_edit import EditRefused
from store.seed_write import Written
from store.storage import StoreError

if TYPE_CHECKING:
    from tui.app import CycleboardApp


@dataclass(eq=False)
class UndoMark:
    key: str
    state: State  # the state before the mark
    mark: Mark
    written: Written | None = None  # the seed edit that carried the mark, once it landed

    def run(self, app: CycleboardApp) -> None:
        if self.key in app.board.plan.blueprints:
            app.set_state(self.key, self.state, undoing=self)  # says "Undone" once it is written


@dataclass(frozen=True)
class UndoCarry:
    carry: Carry
    state: State  # the blueprint's state before it was carried
    written: Written | None = None  # the seed edit that carried it

    def run(self, app: CycleboardApp) -> None:
        app.board.uncarry(self.carry, via="dashboard", state=self.state, written=self.written)
        app.render_view()
        app.notify(f"Undone: {self.carry.key} is back in {self.carry.source}", timeout=3)


@dataclass(frozen=True)
class UndoQueue:
    cycle: str
    entries: tuple[QueueEntry, ...]  # the queue before the change
    written: Written | None = None  # the seed edit that carried the change

    def run(self, app: CycleboardApp) -> None:
        app.board.set_queue(self.cycle, self.entries, via="dashboard", restore=self.written)
        app.render_view()
        app.notify("Undone: the runway queue is as it was", timeout=3)


@dataclass(frozen=True)
class UndoAction:
    session: str
    index: int
    done: bool  # what the action item was before
    written: Written

    def run(self, app: CycleboardApp) -> None:
        app.tick_action(self.session, self.index, self.done, undoing=self)


def undo_last(app: CycleboardApp) -> None:
    if not app.undo_stack:
        app.notify("Nothing to undo", timeout=3)
        return
    try:
        app.undo_stack.pop().run(app)
    except (StoreError, EditRefused) as exc:
        app.notify(f"Could not undo: {exc}", severity="error", timeout=10)
