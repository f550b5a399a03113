"""What the app is told back: by an undo step (:class:`Undone`) and by a plan write (:class:`Shown`).

A :class:`PlanWrite` has two halves. ``write`` runs in a worker thread and
touches files only (a seed file, the journal, a report); ``show`` runs on the
event loop once the write returned, puts the change on the board, and answers
what to say and what ``u`` takes back. The app runs plan writes one at a time,
in the order they were asked for, and repaints once each is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, Protocol, TypeVar

from store.board import Board
from store.marks import Mark
from store.seed_write import Written

Severity = Literal["information", "warning", "error"]
Result = TypeVar("Result")


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
    write: PlanWrite[Any] | None = None  # a plan write that takes the step back


class Undoable(Protocol):
    def run(self, board: Board) -> Undone: ...


@dataclass(frozen=True)
class Shown:
    said: str
    undo: Undoable | None = None  # what u takes back
    select: str | None = None  # the runway queue's cursor goes to this blueprint
    report: Path | None = None  # a report saved


class PlanWrite(Generic[Result]):
    """A change to the plan that writes files; see the module's docstring."""

    refused_as: Severity = "error"

    @property
    def what(self) -> str:
        """The change, named for a line on stderr when quitting leaves it unwritten."""
        raise NotImplementedError

    def write(self, board: Board) -> Result:
        raise NotImplementedError

    def show(self, board: Board, result: Result) -> Shown:
        raise NotImplementedError

    def refused(self, exc: Exception) -> str:
        """What to say when ``write`` raised ``exc`` (one plain line); nothing was changed."""
        return str(exc)
