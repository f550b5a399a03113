"""The Blueprints pane's rows in the order the user asked for: by state, key, title,
category or risk, each either way, or the plan's own order.

Rows are picked by position (store/bitset.py).  A text column's order is made
once per index (PlanIndex.order_by) and a filter keystroke only keeps the shown
positions from it; a sort by state is the states' sets one after another, so
neither sorts anything per keystroke.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from typing import overload

from store import bitset
from store.board import Board, Row
from store.model import State
from store.query import ALL_CYCLES
from store.timeline import risks_of

SORT_COLUMNS = ("state", "key", "title", "category", "risk")


@dataclass(frozen=True)
class Sort:
    column: str | None = None  # one of SORT_COLUMNS; None for the plan's order
    descending: bool = False

    def pressed(self, column: str) -> Sort:
        """What pressing ``column``'s sort key makes of this sort: that column ascending,
        then descending, then the plan's order again."""
        if column != self.column:
            return Sort(column)
        return Sort(column, True) if not self.descending else Sort()

    @property
    def label(self) -> str:
        """``title ↑``, ``risk, most first``; empty for the plan's order."""
        if self.column is None:
            return ""
        if self.column == "risk":
            return f"risk, {'least' if self.descending else 'most'} first"
        return f"{self.column} {'↓' if self.descending else '↑'}"


PLAN_ORDER = Sort()


class OrderedRows(Sequence[Row]):
    """Rows in an order of the user's: each says where a blueprint stands among them.
    A subclass says how long it is, which row is at a place, and where a position stands."""

    def __len__(self) -> int:
        raise NotImplementedError

    def _row(self, index: int) -> Row:
        """The row at ``index``, which is in range."""
        raise NotImplementedError

    def _place(self, position: int) -> int | None:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        return self._row(index)

    def index_of(self, position: int | None) -> int | None:
        """Where the blueprint at ``position`` (in the index) is in these rows."""
        return None if position is None else self._place(position)


class SortedRows(OrderedRows):
    """Rows read through a list of positions, in the list's order."""

    def __init__(self, row_at: Sequence[Row], positions: list[int]) -> None:
        self._row_at = row_at
        self.positions = positions

    def __len__(self) -> int:
        return len(self.positions)

    def __iter__(self) -> Iterator[Row]:
        return map(self._row_at.__getitem__, self.positions)

    def _row(self, index: int) -> Row:
        return self._row_at[self.positions[index]]

    def _place(self, position: int) -> int | None:
        try:
            return self.positions.index(position)
        except ValueError:
            return None


class RowsInParts(OrderedRows):
    """Rows one set of positions after another (a state's, then the next state's), each set's
    in the plan's order, read only where looked at (bitset.Picked): a filter keystroke
    sorted by state makes no list of 50,000 positions."""

    def __init__(self, row_at: Sequence[Row], parts: list[int]) -> None:
        self._parts = [(bits, bitset.Picked(row_at, bits)) for bits in parts if bits > 0]
        self._starts = list(accumulate((len(rows) for _, rows in self._parts), initial=0))

    def __len__(self) -> int:
        return self._starts[-1]

    def __iter__(self) -> Iterator[Row]:
        return chain.from_iterable(rows for _, rows in self._parts)

    def _row(self, index: int) -> Row:
        part = bisect_right(self._starts, index) - 1
        return self._parts[part][1][index - self._starts[part]]

    def _place(self, position: int) -> int | None:
        for (bits, _rows), start in zip(self._parts, self._starts, strict=False):
            place = bitset.rank(bits, position)
            if place is not None:
                return start + place
        return None


def sorted_rows(board: Board, cycle: str, shown: int, sort: Sort, today: dt.date) -> OrderedRows:
    """The blueprints ``shown`` (a set of positions) of ``cycle`` ("all": every cycle) in ``sort``'s order."""
    if sort.column == "state":
        order = list(State)[::-1] if sort.descending else list(State)
        return RowsInParts(board.row_at, [shown & board.in_state.get(state, 0) for state in order])
    if sort.column == "risk":
        positions = _by_risk(board, cycle, shown, today, sort.descending)
    elif sort.column is None:
        positions = bitset.positions(shown)
    else:
        positions = bitset.kept(board.index.order_by(sort.column, sort.descending), shown)
    return SortedRows(board.row_at, positions)


def _by_risk(board: Board, cycle: str, shown: int, today: dt.date, least_first: bool) -> list[int]:
    """The most at risk first (the most reasons), then the rest in the plan's order."""
    index = board.index
    cycles = [c for c in index.spans if shown & index.span_bits(c)] if cycle == ALL_CYCLES else [cycle]
    weight: dict[int, int] = {}
    for c in cycles:
        weight.update(_risk_weights(board, c, today))
    at_risk = [p for p in bitset.positions(shown) if p in weight] if weight else []
    ranked = sorted(at_risk, key=weight.__getitem__, reverse=not least_first)
    rest = bitset.positions(shown & ~bitset.from_positions(at_risk, len(index)))
    return rest + ranked if least_first else ranked + rest


def _risk_weights(board: Board, cycle: str, today: dt.date) -> dict[int, int]:
    """Each at-risk blueprint's position in ``cycle``, with how many reasons it has; kept on the
    board until a row changes."""
    by_cycle: dict[str, dict[int, int]] = board.memo.setdefault(("risk weights", today), {})
    found = by_cycle.get(cycle)
    if found is None:
        plan_cycle = board.plan.cycles.get(cycle)
        found = {}
        if plan_cycle is not None:
            span = board.index.span(cycle)
            risks, _released = risks_of(plan_cycle, board.row_at[span.start : span.stop], today)
            position = board.index.position
            found = {position[r.key]: r.reason.count(";") + 1 for r in risks}
        by_cycle[cycle] = found
    return found
