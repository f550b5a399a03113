"""A cycle's status as Markdown, the way a PTL pastes it into the weekly mail."""

from __future__ import annotations

import dataclasses
import datetime as dt

from store import runways
from store.board import Board, Row
from store.model import Cycle, State
from store.plan import carried_to
from store.query import Filter, QueryError
from store.timeline import countdown, next_milestone, risks_of


def pick_cycle(board: Board, wanted: str | None, today: dt.date) -> Cycle:
    """``wanted`` by id or name; else the cycle running today, the next to start, or the newest."""
    cycles = board.plan.cycles_newest_first()
    if not cycles:
        raise QueryError("the plan has no cycles")
    if wanted:
        found = board.plan.find_cycle(wanted)
        if found is not None:
            return found
        names = ", ".join(c.id for c in cycles)
        raise QueryError(f"unknown cycle '{wanted}' (known: {names})")
    return board.plan.current_cycle(today) or cycles[0]


def _md(text: str) -> str:
    """Seed text inside Markdown: keep it literal (no accidental links, tables or emphasis)."""
    out = text.replace("\\", "\\\\")
    for ch in "`*_[]<>|#":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def render(
    board: Board,
    cycle_id: str | None = None,
    project: str | None = None,
    today: dt.date | None = None,
    query: Filter | None = None,
) -> str:
    """``query``: the filter the report keeps to (its cycle words are ignored; ``cycle_id`` picks)."""
    today = today or dt.date.today()
    cycle = pick_cycle(board, cycle_id, today)
    query = board.plan.resolved(query.with_cycles(frozenset())) if query is not None else Filter()
    if project:
        found = board.plan.find_project(project)
        if found is None:
            raise QueryError(f"unknown project '{project}' (known: {', '.join(sorted(board.plan.projects))})")
        project = found.id
        query = dataclasses.replace(query, projects=query.projects | {project.lower()})
    if project is None and len(query.projects) == 1:
        project = next(p.id for p in board.plan.projects.values() if p.id.lower() in query.projects)
    rows = board.rows(query.with_cycles(frozenset({cycle.id.lower()})))
    done = sum(1 for r in rows if r.state is State.IMPLEMENTED)
    scope = f" — {board.plan.projects[project].name}" if project in board.plan.projects else ""

    lines = [f"# {_md(cycle.name)} status report{scope}", ""]
    if str(query):
        lines += [f"Filtered: `{str(query).replace('`', '')}` (only the blueprints it matches).", ""]
    span = " to ".join(str(d) for d in (cycle.start, cycle.release) if d)
    facts = [f"Cycle `{cycle.id}`"]
    if span:
        facts.append(span)
    if cycle.status:
        facts.append(f"status {cycle.status.value}")
    lines.append(", ".join(facts) + ".  ")
    nxt = next_milestone(cycle, today, frozenset({project}) if project else frozenset())
    if nxt:
        lines.append(
            f"Next milestone: **{_md(nxt.name)}** ({nxt.kind.value}) "
            f"on {nxt.date}, {countdown(nxt.date, today)}."
        )
    elif cycle.milestones:
        last = cycle.milestones[-1]
        lines.append(f"All milestones have passed; the last was {_md(last.name)} on {last.date}.")
    if cycle.notes:
        lines.append("")
        lines += [f"- Note{f' ({n.date})' if n.date else ''}: {_md(n.text)}" for n in cycle.notes]
    lines += ["", f"## Blueprints: {done} of {len(rows)} implemented", "", "| state | count |", "|---|---:|"]
    for state, count in board.counts(rows).items():
        if count:
            lines.append(f"| {state.value} | {count} |")

    themes = [
        t for t in board.plan.themes.values() if t.cycle == cycle.id and (not project or t.project == project)
    ]
    lines += ["", "## Themes", ""]
    if not themes:
        lines.append("No themes recorded.")
    for theme in themes:
        total = len(theme.blueprints)
        finished = sum(1 for key in theme.blueprints if board.state_of(key) is State.IMPLEMENTED)
        progress = f"{finished}/{total} blueprints done" if total else "no blueprints linked"
        lines.append(f"- **{_md(theme.title)}** ({theme.kind.value}): {progress}")

    lines += _runways(board, cycle, {r.blueprint.key for r in rows}, today)
    lines += _slipped(board, cycle, rows)
    lines += _at_risk(board, cycle, rows, today)

    sessions = [
        s
        for s in board.plan.sessions.values()
        if s.cycle == cycle.id and (not project or project in s.projects)
    ]
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


def _title(board: Board, key: str) -> str:
    blueprint = board.plan.blueprints.get(key)
    return f"`{key}` {_md(blueprint.title)}" if blueprint else f"`{key}`"


def _runways(board: Board, cycle: Cycle, shown: set[str], today: dt.date) -> list[str]:
    places = [p for p in runways.places(board.queue(cycle.id), cycle.runway_slots) if p.key in shown]
    lines = ["", f"## Runways ({cycle.runway_slots} slots)", ""]
    if not places:
        return [*lines, "The queue is empty."]
    for place in places:
        where = f"runway {place.slot}" if place.slot else f"queued #{place.position - cycle.runway_slots}"
        since = f", since {place.start}" if place.slot and place.start else ""
        lines.append(f"- {where}: {_title(board, place.key)} ({place.status(today)}{since})")
    return lines


def _slipped(board: Board, cycle: Cycle, rows: list[Row]) -> list[str]:
    """Carried out of this cycle in the dashboard, and carried into it from earlier ones."""
    out: list[tuple[str, str, dt.date | None]] = [
        (c.moved_key, c.to, c.at.date())
        for c in board.carries
        if c.source == cycle.id and c.moved_key in board.plan.blueprints and not c.where
    ]
    for row in rows:  # carried in the seeds: deferred here, the same work proposed in a later cycle
        later = carried_to(board.plan, row.blueprint)
        if later is not None:
            day = next((h.date for h in reversed(row.blueprint.history) if h.state is State.DEFERRED), None)
            out.append((later.key, later.cycle, day))
    came = [r for r in rows if r.blueprint.slipped]
    lines = ["", "## Slipped", ""]
    if not out and not came:
        return [*lines, "Nothing slipped."]
    for key, to, day in out:
        lines.append(f"- {_title(board, key)}: carried over to {to}" + (f" on {day}" if day else ""))
    for row in came:
        times = f"{row.blueprint.slipped} cycle{'s' if row.blueprint.slipped != 1 else ''}"
        lines.append(f"- {_title(board, row.blueprint.key)}: slipped into this cycle ({times} so far)")
    return lines


def _at_risk(board: Board, cycle: Cycle, rows: list[Row], today: dt.date) -> list[str]:
    """At risk while the cycle runs; once it is released, what did not land."""
    found, released = risks_of(cycle, rows, today)
    heading = "Did not land by the release" if released else "At risk"
    lines = ["", f"## {heading} ({len(found)})", ""]
    if not found:
        return [*lines, "Everything landed." if released else "Nothing at risk."]
    return lines + [f"- {_title(board, risk.key)}: {risk.reason}" for risk in found]
