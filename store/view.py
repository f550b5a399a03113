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

from dataclasses import dataclass, field, replace

from store.board import Board, Row
from store.model import Session, State, Theme
from store.query import ALL_CYCLES, Filter


@dataclass(frozen=True)
class Progress:
    done: int = 0
    total: int = 0

    @property
    def ratio(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True)
class ThemeLine:
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


def _involves(projects: frozenset[str], owners: set[str]) -> bool:
    return not projects or bool(projects & owners)


def compute(board: Board, cycle: str, query: Filter) -> View:
    """The panes' data for ``cycle`` ("all" for every cycle) under ``query``."""
    query = query.with_cycles(frozenset())
    everywhere = cycle == ALL_CYCLES
    facet = replace(query, states=frozenset())
    members = board.theme_members(query.themes) if query.themes else None
    plan = board.plan

    counts = {state: 0 for state in State}
    done: dict[str, int] = {c: 0 for c in plan.cycles}
    total: dict[str, int] = {c: 0 for c in plan.cycles}
    rows: list[Row] = []
    for key in board.order:
        row = board.row(key)
        bp = row.blueprint
        if not facet.matches(bp, row.state, members):
            continue
        total[bp.cycle] = total.get(bp.cycle, 0) + 1
        if row.state is State.IMPLEMENTED:
            done[bp.cycle] = done.get(bp.cycle, 0) + 1
        if everywhere or bp.cycle == cycle:
            counts[row.state] += 1
            if not query.states or row.state in query.states:
                rows.append(row)
    progress = {c: Progress(done[c], total[c]) for c in total}
    progress[ALL_CYCLES] = Progress(sum(done.values()), sum(total.values()))

    projects = query.projects
    themes = []
    for theme in plan.themes.values():
        if not everywhere and theme.cycle != cycle:
            continue
        keys = [k for k in theme.blueprints if k in plan.blueprints]
        owners = {theme.project.lower()} | {plan.blueprints[k].project.lower() for k in keys}
        if not _involves(projects, owners):
            continue
        if projects:
            keys = [k for k in keys if plan.blueprints[k].project.lower() in projects]
        finished = sum(1 for k in keys if board.row(k).state is State.IMPLEMENTED)
        themes.append(ThemeLine(theme, Progress(finished, len(keys))))

    sessions = []
    for session in plan.sessions.values():
        if not everywhere and session.cycle != cycle:
            continue
        owners = {p.lower() for p in session.projects}
        owners |= {plan.blueprints[k].project.lower() for k in session.blueprints if k in plan.blueprints}
        if _involves(projects, owners):
            sessions.append(session)
    sessions.sort(key=lambda s: (s.date is None, s.date, s.title))

    return View(cycle, query, rows, counts, progress, themes, sessions)
