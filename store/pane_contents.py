"""What the dashboard's panes show for a cycle and a filter, computed in one pass.

Each pane leaves out its own dimension of the filter, as faceted search does:
the Cycles pane's progress ignores the cycle and state words (so every cycle
still has a number), and the States pane counts ignore the state words (so
choosing a state does not hide the others). The Blueprints pane applies all
of it. Themes and sessions follow the project filter: a project involves a
theme or session when it owns it, takes part in it, or owns one of its
blueprints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import NamedTuple, cast

from store import bitset
from store.board import Board, Row
from store.index import PlanIndex, cell_text
from store.model import Session, State, Theme
from store.query import ALL_CYCLES, Filter
from store.row_order import PLAN_ORDER, OrderedRows, Sort, sorted_rows


# Tuples, not frozen dataclasses: "all cycles" makes a thousand of each per view.
class Progress(NamedTuple):
    done: int = 0
    total: int = 0

    @property
    def ratio(self) -> float:
        return self.done / self.total if self.total else 0.0


class Columns(NamedTuple):
    """How wide the Blueprints pane's columns need to be for the rows shown: what every row
    shares (one cycle, one project) is not a column, and an empty column is 0."""

    cycle: int = 0  # under "all cycles"; 0 for one cycle
    key: int = 10  # the key as shown: ``project/id``, or ``id`` when one project has every row
    with_project: bool = True
    title: int = 0
    category: int = 0
    reviews: int = 0


class ThemeLine(NamedTuple):
    theme: Theme
    progress: Progress


@dataclass
class PaneContents:
    cycle: str  # a cycle id, or "all"
    query: Filter  # without its cycle words; the cycle is above
    rows: Sequence[Row] = field(default_factory=list)  # a list, or a Picked read as drawn
    counts: dict[State, int] = field(default_factory=dict)
    progress: dict[str, Progress] = field(default_factory=dict)  # by cycle id, and "all"
    themes: list[ThemeLine] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    columns: Columns = field(default_factory=Columns)
    shown: int = 0  # the rows' places in the board's index, as a set (store/bitset.py)

    def index_of(self, board: Board, key: str | None) -> int | None:
        """Which row shows ``key``: in index order, it is a count of the ones before."""
        at = board.index.position.get(key) if key else None
        if isinstance(self.rows, OrderedRows):
            return self.rows.index_of(at)
        return None if at is None else bitset.rank(self.shown, at)


def _involves(projects: frozenset[str], owners: Set[str]) -> bool:
    return not projects or bool(projects & owners)


def pane_contents(
    board: Board, cycle: str, query: Filter, sort: Sort = PLAN_ORDER, today: dt.date | None = None
) -> PaneContents:
    """The panes' data for ``cycle`` ("all" for every cycle) under ``query``, the rows in
    ``sort``'s order (a sort by risk reads the milestones against ``today``).

    Selections are sets of positions (store/bitset.py), so the counts are a
    few big-int operations each, even in "all cycles" at 50,000 blueprints:
    a filter keystroke redoes every pane's numbers within its frame.
    """
    query = query.with_cycles(frozenset())
    everywhere = cycle == ALL_CYCLES
    index = board.index
    members = board.theme_members(query.themes) if query.themes else None
    # Everything but the cycle and the states: what the Cycles progress counts.
    facet = index.select(query.projects, query.categories, query.words, members, query.owners)
    left_out = query.excluded
    if left_out is not None:
        dropped = index.left_out(
            left_out.projects,
            left_out.categories,
            left_out.words,
            left_out.owners,
            board.theme_members(left_out.themes) if left_out.themes else None,
        )
        facet = (index.everything if facet is None else facet) & ~dropped
    progress = _progress(board, facet)

    where = index.everything if everywhere else index.span_bits(cycle)
    shown = where if facet is None else facet & where
    counts = {state: 0 for state in State}
    counts.update({state: (shown & held).bit_count() for state, held in board.in_state.items()})
    if query.states:
        shown &= reduce(or_, (board.in_state.get(state, 0) for state in query.states))
    if left_out is not None and left_out.states:
        shown &= ~reduce(or_, (board.in_state.get(state, 0) for state in left_out.states))
    if shown == where:  # the whole cycle, or every blueprint: no need to read the bits
        span = range(len(index)) if everywhere else index.span(cycle)
        rows: Sequence[Row] = board.row_at[span.start : span.stop]
    else:
        rows = bitset.Picked(board.row_at, shown)
    columns = _columns(index, rows, shown, everywhere)
    if sort.column is not None:
        rows = sorted_rows(board, cycle, shown, sort, today or dt.date.today())

    themes, sessions = _themes_and_sessions(board, cycle, query.projects)
    return PaneContents(cycle, query, rows, counts, progress, themes, sessions, columns, shown)


# Up to this many rows, a pass over them finds the columns' widths sooner than the index would be built.
_FEW_ROWS = 5_000


def _columns(index: PlanIndex, rows: Sequence[Row], shown: int, everywhere: bool) -> Columns:
    if len(rows) > _FEW_ROWS:
        with_project = index.projects_among(shown) > 1
        widest = index.widest
        return Columns(
            cycle=widest("cycle", shown) if everywhere else 0,
            key=widest("key_in_cycle" if with_project else "id", shown) or 10,
            with_project=with_project,
            title=widest("title", shown),
            category=widest("category", shown),
            reviews=widest("reviews", shown),
        )
    blueprints = [row.blueprint for row in rows]
    with_project = len({b.project for b in blueprints}) > 1
    return Columns(
        cycle=max((len(b.cycle) for b in blueprints), default=0) if everywhere else 0,
        key=max((len(b.key_in_cycle if with_project else b.id) for b in blueprints), default=10),
        with_project=with_project,
        title=max((len(cell_text("title", b)) for b in blueprints), default=0),
        category=max((len(b.category) for b in blueprints), default=0),
        reviews=max((len(cell_text("reviews", b)) for b in blueprints if b.reviews), default=0),
    )


def _themes_and_sessions(
    board: Board, cycle: str, projects: frozenset[str]
) -> tuple[list[ThemeLine], list[Session]]:
    """What the Themes and Sessions panes show: it depends on the cycle, the
    projects and the rows' states, not on the words, so typing a word does not
    redo it (a thousand themes in "all cycles"). Kept on the board until a row changes."""
    key = ("themes", cycle, projects)
    if key in board.memo:
        return cast(tuple[list[ThemeLine], list[Session]], board.memo[key])
    index, state_at, everywhere = board.index, board.state_at, cycle == ALL_CYCLES
    themes = []
    done = State.IMPLEMENTED.__eq__
    for theme in board.plan.themes.values() if everywhere else index.themes_of_cycle.get(cycle, ()):
        positions = index.theme_positions[theme.key]
        if projects:
            if not projects & index.theme_owners[theme.key]:
                continue
            positions = [i for i in positions if index.project_at[i] in projects]
        finished_here = sum(map(done, map(state_at.__getitem__, positions)))
        themes.append(ThemeLine(theme, Progress(finished_here, len(positions))))

    if everywhere and not projects:  # 2,000 sessions: no test to make
        sessions = list(index.sessions_sorted)
    else:
        sessions = [
            s
            for s in index.sessions_sorted
            if (everywhere or s.cycle == cycle) and _involves(projects, index.session_owners[s.key])
        ]
    if len(board.memo) >= 8:  # many cycles and projects looked at since: start again
        board.memo.clear()
    board.memo[key] = themes, sessions
    return themes, sessions


def _progress(board: Board, facet: int | None) -> dict[str, Progress]:
    """Each cycle's done/total among ``facet`` (None: every blueprint)."""
    index = board.index
    facet = index.everything if facet is None else facet
    finished = facet & board.in_state.get(State.IMPLEMENTED, 0)
    total, done = {}, {}
    for c in index.spans:
        span = index.span_bits(c)
        total[c], done[c] = (facet & span).bit_count(), (finished & span).bit_count()
    progress = {c: Progress(done.get(c, 0), total.get(c, 0)) for c in (*board.plan.cycles, *total)}
    progress[ALL_CYCLES] = Progress(sum(done.values()), sum(total.values()))
    return progress
