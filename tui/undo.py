"""What `u` takes back: each step of the dashboard's undo stack undoes itself on the board.

A step acts on the board and answers what happened (:class:`tui.changes.Undone`):
what to say, and the write the app still has to make in a worker (a state or an
action item put back, a carry-over or a queue change taken back). The app
repaints and speaks; steps never call it. Carry-overs' and queue changes' steps
live beside those changes, in tui/planning_writes.py; any object with
``run(board) -> Undone`` is a step (:class:`tui.changes.Undoable`).
"""

from __future__ import annotations

from dataclasses import dataclass

from store.board import Board
from store.marks import Mark
from store.model import State
from store.seed_write import Written
from tui.changes import TickAgain, Undone


@dataclass(eq=False)
class UndoMark:
    key: str
    state: State  # the state before the mark
    mark: Mark
    written: Written | None = None  # the seed edit that carried the mark, once it landed

    def run(self, board: Board) -> Undone:
        if self.key not in board.plan.blueprints:
            return Undone()
        if board.state_of(self.key) is self.state:
            return Undone(f"{self.key} is already {self.state.value}")
        mark = board.stage(self.key, self.state, via="dashboard")  # NoEffect: nothing to take back
        # Said once written: the write may still be refused.
        return Undone(
            save=mark, restore=self.written, said_once_saved=f"Undone: {self.key} is {self.state.value} again"
        )


@dataclass(frozen=True)
class UndoAction:
    session: str
    index: int
    done: bool  # what the action item was before
    written: Written

    def run(self, board: Board) -> Undone:
        return Undone(tick=TickAgain(self.session, self.index, self.done, self.written))
