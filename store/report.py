"""A cycle's status as Markdown, the way a PTL pastes it into the weekly mail."""

from __future__ import annotations

import datetime as dt

from store.board import Board
from store.model import Cycle, State
from store.query import Filter, QueryError


def pick_cycle(board: Board, wanted: str | None, today: dt.date) -> Cycle:
    """``wanted`` by id or name; else the cycle running today; else the newest."""
    cycles = board.plan.cycles_newest_first()
    if not cycles:
        raise QueryError("the plan has no cycles")
    if wanted:
        found = board.plan.find_cycle(wanted)
        if found is not None:
            return found
        names = ", ".join(c.id for c in cycles)
        raise QueryError(f"unknown cycle '{wanted}' (known: {names})")
    for cycle in cycles:
        if cycle.start and cycle.release and cycle.start <= today <= cycle.release:
            return cycle
    return cycles[0]


def _md(text: str) -> str:
    """Seed text inside Markdown: keep it literal (no accidental links, tables or emphasis)."""
    out = text.replace("\\", "\\\\")
    for ch in "`*_[]<>|#":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def _countdown(date: dt.date, today: dt.date) -> str:
    days = (date - today).days
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def render(board: Board, cycle_id: str | None = None, project: str | None = None,
           today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    cycle = pick_cycle(board, cycle_id, today)
    if project and project not in board.plan.projects:
        raise QueryError(f"unknown project '{project}' (known: {', '.join(sorted(board.plan.projects))})")
    query = Filter(cycles=frozenset({cycle.id.lower()}), projects=frozenset({project}) if project else frozenset())
    rows = board.rows(query)
    done = sum(1 for r in rows if r.state is State.IMPLEMENTED)
    scope = f" — {board.plan.projects[project].name}" if project else ""

    lines = [f"# {_md(cycle.name)} status report{scope}", ""]
    span = " to ".join(str(d) for d in (cycle.start, cycle.release) if d)
    facts = [f"Cycle `{cycle.id}`"]
    if span:
        facts.append(span)
    if cycle.status:
        facts.append(f"status {cycle.status.value}")
    lines.append(", ".join(facts) + ".  ")
    upcoming = [m for m in cycle.milestones if m.date >= today and (not project or m.project in (None, project))]
    if upcoming:
        nxt = upcoming[0]
        lines.append(f"Next milestone: **{_md(nxt.name)}** ({nxt.kind.value}) on {nxt.date}, {_countdown(nxt.date, today)}.")
    elif cycle.milestones:
        last = cycle.milestones[-1]
        lines.append(f"All milestones have passed; the last was {_md(last.name)} on {last.date}.")
    lines += ["", f"## Blueprints: {done} of {len(rows)} implemented", "", "| state | count |", "|---|---:|"]
    for state, count in board.counts(rows).items():
        if count:
            lines.append(f"| {state.value} | {count} |")

    themes = [t for t in board.plan.themes.values() if t.cycle == cycle.id and (not project or t.project == project)]
    lines += ["", "## Themes", ""]
    if not themes:
        lines.append("No themes recorded.")
    for theme in themes:
        total = len(theme.blueprints)
        finished = sum(1 for key in theme.blueprints if board.state_of(key) is State.IMPLEMENTED)
        progress = f"{finished}/{total} blueprints done" if total else "no blueprints linked"
        lines.append(f"- **{_md(theme.title)}** ({theme.kind.value}): {progress}")

    sessions = [s for s in board.plan.sessions.values()
                if s.cycle == cycle.id and (not project or project in s.projects)]
    lines += ["", "## Sessions and open actions", ""]
    if not sessions:
        lines.append("No sessions recorded.")
    for session in sessions:
        where = ", ".join(x for x in (_md(session.event), str(session.date or "")) if x)
        cross = " (cross-project: " + ", ".join(session.projects) + ")" if session.cross_project else ""
        lines.append(f"### {_md(session.title)}{cross}")
        if where:
            lines.append(f"_{where}_")
        lines.append("")
        if session.open_actions:
            for action in session.open_actions:
                lines.append(f"- [ ] **{_md(action.owner)}**: {_md(action.text)}")
        else:
            lines.append("No open actions.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
