"""The planning views' changes: carry-overs, runway queues and the weekly report.

Each is a :class:`tui.changes.PlanWrite`: its files are written in a worker,
and the board shows it once they are. Carry-overs and queue changes come with
the undo step that takes them back, itself a plan write.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from store.board import Board
from store.marks import Carry, QueueChange, QueueEntry
from store.model import State
from store.seed_write import Written
from store.storage import atomic_write
from tui.changes import PlanWrite, Severity, Shown, Undone

CarryResult = tuple[Carry, Written | None]
QueueResult = tuple[QueueChange, Written | None]


@dataclass(frozen=True)
class CarryOver(PlanWrite[CarryResult]):
    key: str
    state: State  # the blueprint's state before: what an undo puts back
    refused_as: Severity = "warning"

    @property
    def what(self) -> str:
        return f"the carry-over of {self.key}"

    def write(self, board: Board) -> CarryResult:
        return board.write_carry(self.key, via="dashboard")

    def show(self, board: Board, result: CarryResult) -> Shown:
        carry, written = result
        board.take_carry(carry)
        moved = carry.moved_key
        slipped = board.plan.blueprints[moved].slipped if moved in board.plan.blueprints else 1
        where = f"; deferred in {carry.source}, proposed in {carry.to} ({carry.where})" if carry.where else ""
        return Shown(
            f"Carried over: {moved} (slipped {slipped} cycle{'s' if slipped != 1 else ''}){where}",
            undo=UndoCarry(carry, self.state, written),
        )


@dataclass(frozen=True)
class TakeBackCarry(PlanWrite[None]):
    carry: Carry
    state: State
    written: Written | None

    @property
    def what(self) -> str:
        return f"taking back the carry-over of {self.carry.key}"

    def write(self, board: Board) -> None:
        board.write_uncarry(self.carry, via="dashboard", state=self.state, written=self.written)

    def show(self, board: Board, result: None) -> Shown:
        board.drop_carry(self.carry)
        return Shown(f"Undone: {self.carry.key} is back in {self.carry.source}")

    def refused(self, exc: Exception) -> str:
        return f"Could not undo: {exc}"


@dataclass(frozen=True)
class ChangeQueue(PlanWrite[QueueResult]):
    """Leave ``cycle``'s runway queue as ``after`` (it was ``before``)."""

    cycle: str
    before: tuple[QueueEntry, ...]
    after: tuple[QueueEntry, ...]
    said: str = ""
    select: str | None = None

    @property
    def what(self) -> str:
        return f"the runway queue of {self.cycle}"

    def write(self, board: Board) -> QueueResult:
        return board.write_queue(self.cycle, self.after, via="dashboard")

    def show(self, board: Board, result: QueueResult) -> Shown:
        change, written = result
        board.take_queue(change)
        return Shown(self.said, undo=UndoQueue(self.cycle, self.before, written), select=self.select)

    def refused(self, exc: Exception) -> str:
        return f"Runway queue not changed: {exc}"


@dataclass(frozen=True)
class PutQueueBack(PlanWrite[QueueResult]):
    """Undo a queue change: ``entries`` again, byte for byte where ``written`` is still in the file."""

    cycle: str
    entries: tuple[QueueEntry, ...]
    written: Written | None

    @property
    def what(self) -> str:
        return f"putting back the runway queue of {self.cycle}"

    def write(self, board: Board) -> QueueResult:
        return board.write_queue(self.cycle, self.entries, via="dashboard", restore=self.written)

    def show(self, board: Board, result: QueueResult) -> Shown:
        board.take_queue(result[0])
        return Shown("Undone: the runway queue is as it was")

    def refused(self, exc: Exception) -> str:
        return f"Could not undo: {exc}"


@dataclass(frozen=True)
class SaveReport(PlanWrite[None]):
    path: Path
    text: str

    @property
    def what(self) -> str:
        return f"the report {self.path}"

    def write(self, board: Board) -> None:
        atomic_write(self.path, self.text.encode("utf-8"))

    def show(self, board: Board, result: None) -> Shown:
        return Shown(f"Weekly report saved: {self.path}", report=self.path)

    def refused(self, exc: Exception) -> str:
        return f"Could not save the report: {exc}"


@dataclass(frozen=True)
class UndoCarry:
    carry: Carry
    state: State  # the blueprint's state before it was carried
    written: Written | None = None  # the seed edit that carried it

    def run(self, board: Board) -> Undone:
        return Undone(write=TakeBackCarry(self.carry, self.state, self.written))


@dataclass(frozen=True)
class UndoQueue:
    cycle: str
    entries: tuple[QueueEntry, ...]  # the queue before the change
    written: Written | None = None  # the seed edit that carried the change

    def run(self, board: Board) -> Undone:
        return Undone(write=PutQueueBack(self.cycle, self.entries, self.written))
