"""What `u` takes back: each step of the dashboard's undo stack undoes itself on the board.

A step acts on the board and answers what happened (:class:`Undone`): what to
say, and the write the app still has to make in a worker when the step put a
state or an action item back. The app repaints and speaks; steps never call it.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.board import Board
from store.marks import Carry, Mark, QueueEntry
from store.model import State
from store.seed_write import Written


@dataclass(frozen=True)
class TickAgain:
    """An action item to write back to ``done``, over the edit ``restore`` made."""

    session: str
    index: int
    done: bool
    restore: Written


@dataclass(frozen=True)
class Undone:
    said: str | None = None  # said now
    save: Mark | None = None  # a mark put on the board, still to be written
    restore: Written | None = None  # the seed edit the mark takes back
    said_once_saved: str | None = None  # said when the mark's write lands
    tick: TickAgain | None = None


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
class UndoCarry:
    carry: Carry
    state: State  # the blueprint's state before it was carried
    written: Written | None = None  # the seed edit that carried it

    def run(self, board: Board) -> Undone:
        board.uncarry(self.carry, via="dashboard", state=self.state, written=self.written)
        return Undone(f"Undone: {self.carry.key} is back in {self.carry.source}")


@dataclass(frozen=True)
class UndoQueue:
    cycle: str
    entries: tuple[QueueEntry, ...]  # the queue before the change
    written: Written | None = None  # the seed edit that carried the change

    def run(self, board: Board) -> Undone:
        board.set_queue(self.cycle, self.entries, via="dashboard", restore=self.written)
        return Undone("Undone: the runway queue is as it was")


@dataclass(frozen=True)
class UndoAction:
    session: str
    index: int
    done: bool  # what the action item was before
    written: Written

    def run(self, board: Board) -> Undone:
        return Undone(tick=TickAgain(self.session, self.index, self.done, self.written))


UndoStep = UndoMark | UndoCarry | UndoQueue | UndoAction
