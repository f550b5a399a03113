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

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import NamedTuple

from store.board import Board, Row
from store.model import Session, State, Theme
from store.query import ALL_CYCLES, Filter


# Tuples, not frozen dataclasses: "all cycles" makes a thousand of each per view.
class Progress(NamedTuple):
    done: int = 0
    total: int = 0

    @property
    def ratio(self) -> float:
        return self.done / self.total if self.total else 0.0


class ThemeLine(NamedTuple):
    theme: Theme
    progress: Progress


@dataclass
class View:
    cycle: str  # a cycle id, or "all"
    query: Filter  # without its cycle words; the cycle is above
    rows: list[Row] = field(default_factory=list)
    counts: dict[State, int] = field(default_factory=dict)
    progress: dict[str, Progress] = field(default_factory=dict)  # by cycle id, and "all"
    themes: list[ThemeLine] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    key_width: int = 10  # the widest key among the rows, as the Blueprints pane shows keys
    positions: Sequence[int] = ()  # each row's place in the board's index, ascending
    progress_pending: bool = False  # ``progress`` is from an earlier filter; see compute()

    def index_of(self, board: Board, key: str | None) -> int | None:
        """Which row shows ``key``, found by bisection: the rows are in index order."""
        at = board.index.position.get(key) if key else None
        if at is None:
            return None
        i = bisect_left(self.positions, at)
        return i if i < len(self.positions) and self.positions[i] == at else None


def _involves(projects: frozenset[str], owners: set[str]) -> bool:
    return not projects or bool(projects & owners)


def compute(board: Board, cycle: str, query: Filter, *, progress: dict[str, Progress] | None = None) -> View:
    """The panes' data for ``cycle`` ("all" for every cycle) under ``query``.

    Given ``progress`` (the Cycles pane's numbers so far), only ``cycle`` is
    looked at and the view is marked ``progress_pending``: a filter keystroke
    repaints the list at once, and :func:`compute_progress` brings the
    cycles' numbers a moment later (in "all cycles" too, where counting them
    is two more passes over every blueprint).
    """
    query = query.with_cycles(frozenset())
    everywhere = cycle == ALL_CYCLES
    index, state_at = board.index, board.state_at
    members = board.theme_members(query.themes) if query.themes else None
    pending = progress is not None
    if pending:
        facet = index.select(query.projects, query.categories, query.words, members,
                             None if everywhere else index.span(cycle))
        if facet is None:  # no filter words after all: the full numbers cost nothing
            pending, progress = False, _progress(board, None)
    else:
        # Everything but the cycle and the states: what the Cycles progress counts.
        facet = index.select(query.projects, query.categories, query.words, members)
        progress = _progress(board, facet)

    everything = range(len(index)) if facet is None else facet
    shown = everything if everywhere else index.within(facet, cycle)
    counts = {state: 0 for state in State}
    if facet is None and not everywhere:
        counts.update(board.tally.get(cycle, {}))
    elif facet is None:
        for tally in board.tally.values():
            counts.update(tally)
    else:
        counts.update(Counter(map(state_at.__getitem__, shown)))
    if query.states:
        wanted = query.states.__contains__
        shown = list(compress(shown, map(wanted, map(state_at.__getitem__, shown))))
    rows = board.row_at[:] if shown is everything and facet is None else list(map(board.row_at.__getitem__, shown))
    key_width = index.key_width(shown, full=everywhere)

    themes, sessions = _themes_and_sessions(board, cycle, query.projects)
    return View(cycle, query, rows, counts, progress, themes, sessions, key_width, shown, pending)


def _themes_and_sessions(board: Board, cycle: str, projects: frozenset[str]) -> tuple[list[ThemeLine], list[Session]]:
    """What the Themes and Sessions panes show: it depends on the cycle, the
    projects and the rows' states, not on the words, so typing a word does not
    redo it (a thousand themes in "all cycles"). Kept on the board until a row changes."""
    key = ("themes", cycle, projects)
    if key in board.memo:
        return board.memo[key]
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
        sessions = [s for s in index.sessions_sorted
                    if (everywhere or s.cycle == cycle) and _involves(projects, index.session_owners[s.key])]
    if len(board.memo) >= 8:  # many cycles and projects looked at since: start again
        board.memo.clear()
    board.memo[key] = themes, sessions
    return themes, sessions


def compute_progress(board: Board, query: Filter) -> dict[str, Progress]:
    """Each cycle's done/total under ``query``, leaving out its cycle and state words."""
    members = board.theme_members(query.themes) if query.themes else None
    return _progress(board, board.index.select(query.projects, query.categories, query.words, members))


def _progress(board: Board, facet: list[int] | None) -> dict[str, Progress]:
    index, state_at = board.index, board.state_at
    if facet is None:  # the common case, kept up to date by the board: no pass over the rows
        tally = board.tally
        total = Counter({c: sum(t.values()) for c, t in tally.items()})
        done = Counter({c: t[State.IMPLEMENTED] for c, t in tally.items()})
    else:
        total = Counter(map(index.cycle_at.__getitem__, facet))
        finished = map(State.IMPLEMENTED.__eq__, map(state_at.__getitem__, facet))
        done = Counter(compress(map(index.cycle_at.__getitem__, facet), finished))
    progress = {c: Progress(done[c], total[c]) for c in (*board.plan.cycles, *total)}
    progress[ALL_CYCLES] = Progress(sum(done.values()), sum(total.values()))
    return progress
