"""Which of a blueprint's states is in force: the newest dated fact.

A blueprint's state can be said in several places: its own ``state`` and
``[[blueprint.history]]``, an ``[[override]]`` in a hand-written file, and
``[[history]]`` tables of other files (an import says there what it knows of a
blueprint written by hand).  A guess written from a PTG recap at the start of
a cycle must not outlive what nova-specs knew by the release, and a change
made today must not lose to either.  So each statement is a dated fact:

- a history entry is as of its date;
- a ``state`` value is as of the newest history entry written with it, or,
  with none, as of the cycle's start (an undated state is what was known when
  the cycle began).

The newest fact wins and every entry is kept as history.  On the same day a
``state`` value wins over a bare history entry, and an override's over the
blueprint's own, which is what each was written to do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from store.model import AddedHistory, Blueprint, HistoryEntry, Override, State

# Same day: which statement wins (the higher).
_ENTRY, _OWN_STATE, _OVERRIDE_STATE = 0, 1, 2


def _as_of(history: tuple[HistoryEntry, ...], start: dt.date) -> dt.date:
    return max((h.date for h in history), default=start)


def in_force(
    blueprint: Blueprint,
    cycle_start: dt.date | None,
    override: Override | None = None,
    added: Iterable[AddedHistory] = (),
) -> Blueprint:
    """``blueprint`` as its own file gives it, with every other file's facts about it joined:
    the newest fact's state, and all the history, oldest first."""
    start = cycle_start or dt.date.min
    extra = [h.entry() for h in added]
    if override is not None:
        extra += override.history
    if not extra and (override is None or override.state is None):
        return blueprint
    facts: list[tuple[dt.date, int, State]] = [
        (_as_of(blueprint.history, start), _OWN_STATE, blueprint.state)
    ]
    facts += [(h.date, _ENTRY, h.state) for h in extra]
    if override is not None and override.state is not None:
        facts.append((_as_of(override.history, start), _OVERRIDE_STATE, override.state))
    # Of two entries of the same day and rank, max() keeps the one listed first.
    _, _, state = max(facts, key=lambda fact: (fact[0], fact[1]))
    history = tuple(sorted(blueprint.history + tuple(extra), key=lambda h: h.date))
    return dataclasses.replace(blueprint, state=state, history=history)


def outranking(
    day: dt.date,
    added: Iterable[AddedHistory],
    override: Override | None = None,
) -> HistoryEntry | None:
    """The newest fact, from another file than the one a change to a blueprint is written
    into, dated after ``day``: what a change written that day would lose to (None: nothing).

    ``added``: the ``[[history]]`` tables naming the blueprint; ``override``: its
    override, when the change goes into the blueprint's own file instead.
    """
    later = [h.entry() for h in added if h.date > day]
    if override is not None:
        later += [h for h in override.history if h.date > day]
    return max(later, key=lambda h: h.date, default=None)
