"""A cycle's burn-up: how many blueprints it targeted, and how many were done, day by day.

Drawn from what is dated: each blueprint's seed history and the marks made
on it.  A blueprint counts in scope from its first dated entry (from the
cycle's start when it has none).  An entry saying it was implemented does not
date when it joined: it was in the cycle before that (nova-specs dates what
merged by the release, of work planned from the start).  A state no entry dates (a seed that says
``implemented`` with no history entry for it) counts from the cycle's
release, or today when that is sooner, so the last day always agrees with
the board.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from store.model import Blueprint, Cycle, State


class StateAt(Protocol):
    """A state a blueprint was marked in, and when: a mark, or the last mark of a day."""

    @property
    def at(self) -> dt.datetime: ...
    @property
    def state(self) -> State: ...


@dataclass(frozen=True)
class Burnup:
    start: dt.date
    end: dt.date  # the last day counted: today, or the release once it is past
    scope: list[int]  # one per day from start to end, both included
    done: list[int]
    axis_end: dt.date | None = None  # where the axis ends: the release, when it is later than end

    @property
    def last_day(self) -> dt.date:
        return self.axis_end or self.end

    @property
    def axis_days(self) -> int:
        return (self.last_day - self.start).days + 1

    @property
    def days(self) -> int:
        return len(self.scope)


def _dated(blueprint: Blueprint, marks: Sequence[StateAt]) -> list[tuple[dt.date, State]]:
    """One blueprint's dated states, oldest first: its seed history and its marks."""
    return sorted(
        [(h.date, h.state) for h in blueprint.history] + [(m.at.date(), m.state) for m in marks],
        key=lambda change: change[0],
    )


def burnup(
    cycle: Cycle,
    rows: Iterable[tuple[Blueprint, State]],
    marks_by_key: Mapping[str, Sequence[StateAt]],
    today: dt.date,
) -> Burnup | None:
    """The burn-up of ``rows`` (``cycle``'s blueprints, effective states); None with nothing dated."""
    fallback = min(cycle.release, today) if cycle.release else today
    found = [(_dated(blueprint, marks_by_key.get(blueprint.key, [])), state) for blueprint, state in rows]
    dates = [date for dated, _ in found for date, _ in dated]
    start = cycle.start or (min(dates) if dates else None)
    if start is None:
        return None
    # The chart ends at the release (or today while the cycle runs); a later change shows on its last day.
    end = max(start, fallback)
    days = (end - start).days + 1
    scope_delta = [0] * days
    done_delta = [0] * days

    def at(date: dt.date) -> int:
        return min(days - 1, max(0, (date - start).days))

    for dated, state in found:
        joined = next((date for date, entry_state in dated if entry_state is not State.IMPLEMENTED), None)
        scope_delta[at(joined) if joined else 0] += 1
        if not dated or dated[-1][1] is not state:  # the state it has now, undated
            dated = [*dated, (max(fallback, dated[-1][0]) if dated else fallback, state)]
        was_done = False
        for date, entry_state in dated:
            is_done = entry_state is State.IMPLEMENTED
            if is_done != was_done:
                done_delta[at(date)] += 1 if is_done else -1
                was_done = is_done
    scope, done, s, d = [], [], 0, 0
    for day in range(days):
        s += scope_delta[day]
        d += done_delta[day]
        scope.append(s)
        done.append(d)
    axis_end = cycle.release if cycle.release and cycle.release > end else None
    return Burnup(start, end, scope, done, axis_end)
