"""A cycle against the calendar: countdowns to its milestones, and blueprints at risk.

At risk, as a PTL reads the schedule: still proposed after spec freeze, not
implemented after feature freeze, or blocked (whether or not a date says since when).  A
project's own freeze (a Cinder spec freeze) counts for its blueprints before
the cycle-wide one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from store.model import Blueprint, Cycle, Milestone, MilestoneKind, State

# What feature freeze leaves behind: anything still on its way.
UNDER_WAY = frozenset({State.PROPOSED, State.APPROVED, State.STARTED, State.BLOCKED})


def countdown(date: dt.date, today: dt.date) -> str:
    """``in 12 days``, ``today``, ``3 days ago``; far off, in months or years."""
    days = (date - today).days
    if days == 0:
        return "today"
    span = abs(days)
    if span < 90:
        amount, unit = span, "day"
    elif span < 730:
        amount, unit = round(span / 30.44), "month"
    else:
        amount, unit = round(span / 365.25), "year"
    text = f"{amount} {unit}{'s' if amount != 1 else ''}"
    return f"in {text}" if days > 0 else f"{text} ago"


def milestone_countdown(milestone: Milestone, today: dt.date) -> str:
    """``spec freeze in 12 days``: the kind in words for freezes, else the name."""
    what = (
        milestone.kind.value.replace("-", " ")
        if milestone.kind in (MilestoneKind.SPEC_FREEZE, MilestoneKind.FEATURE_FREEZE)
        else milestone.name
    )
    return f"{what} {countdown(milestone.date, today)}"


def milestones_for(cycle: Cycle, projects: frozenset[str]) -> list[Milestone]:
    """The cycle's milestones that concern ``projects`` (all of them when none is chosen)."""
    return [m for m in cycle.milestones if not projects or m.project is None or m.project.lower() in projects]


def next_milestone(cycle: Cycle, today: dt.date, projects: frozenset[str] = frozenset()) -> Milestone | None:
    return next((m for m in milestones_for(cycle, projects) if m.date >= today), None)


def freeze(cycle: Cycle, kind: MilestoneKind, project: str) -> dt.date | None:
    """When ``kind`` falls for ``project``: its own milestone of that kind, else the cycle's."""
    own = [
        m.date
        for m in cycle.milestones
        if m.kind is kind and m.project and m.project.lower() == project.lower()
    ]
    general = [m.date for m in cycle.milestones if m.kind is kind and not m.project]
    found = own or general
    return min(found) if found else None


def blocked_since(blueprint: Blueprint, state: State, marked: dt.datetime | None) -> dt.date | None:
    """The day the blueprint became blocked, when something dates it."""
    if state is not State.BLOCKED:
        return None
    if marked is not None:  # the dashboard or the CLI set it blocked
        return marked.date()
    since = None
    for entry in reversed(blueprint.history):
        if entry.state is not State.BLOCKED:
            break
        since = entry.date
    return since


@dataclass(frozen=True)
class Risk:
    key: str
    reason: str  # every reason, most serious first


def risk(
    cycle: Cycle, blueprint: Blueprint, state: State, marked: dt.datetime | None, today: dt.date
) -> Risk | None:
    """Why ``blueprint`` (in ``state``, set by a mark at ``marked``) is at risk on ``today``, or None."""
    reasons = []
    spec = freeze(cycle, MilestoneKind.SPEC_FREEZE, blueprint.project)
    feature = freeze(cycle, MilestoneKind.FEATURE_FREEZE, blueprint.project)
    if state in UNDER_WAY and feature and feature < today:
        reasons.append(f"not implemented after feature freeze ({countdown(feature, today)})")
    elif state is State.PROPOSED and spec and spec < today:
        reasons.append(f"still proposed after spec freeze ({countdown(spec, today)})")
    if state is State.BLOCKED:
        since = blocked_since(blueprint, state, marked)
        days = (today - since).days if since is not None else None
        reasons.append(
            "blocked (no date says since when)"
            if days is None
            else "blocked since today"
            if days <= 0
            else f"blocked for {days} day{'s' if days != 1 else ''}"
        )
    return Risk(blueprint.key, "; ".join(reasons)) if reasons else None


class _Marked(Protocol):
    @property
    def state(self) -> State: ...
    @property
    def at(self) -> dt.datetime: ...


class ShownRow(Protocol):
    """A blueprint as a board shows it (store.board.Row, which sits above this module)."""

    @property
    def blueprint(self) -> Blueprint: ...
    @property
    def state(self) -> State: ...
    @property
    def mark(self) -> _Marked | None: ...


def risks_of(cycle: Cycle, rows: Iterable[ShownRow], today: dt.date) -> tuple[list[Risk], bool]:
    """What needs a PTL's eye among ``rows`` (Board rows of ``cycle``), and whether the cycle is released.

    While the cycle runs: the blueprints at risk.  Once it is released: what did not land.
    """
    released = bool(cycle.release and cycle.release < today)
    if released:
        return [
            Risk(r.blueprint.key, r.state.value)
            for r in rows
            if r.state not in (State.IMPLEMENTED, State.ABANDONED)
        ], True
    found = [
        risk(cycle, r.blueprint, r.state, r.mark.at if r.mark and r.mark.state is r.state else None, today)
        for r in rows
    ]
    return [r for r in found if r is not None], False
