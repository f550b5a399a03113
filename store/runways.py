"""Runways: a cycle's review queue, as in Nova's runways process.

Authors queue approved, ready-for-review blueprints.  The first ``runway_slots``
places of the queue are runways: each is two weeks of review priority from
its start.  The rest wait; when a runway frees, the next one starts that day.

The seeds give a queue (``[[runway]]`` tables, in file order).  A change made
in the dashboard is written into them (see :mod:`store.writeback`); where it
cannot be, it is kept in the marks store as the whole queue it left, with the
seed queue it saw, and wins until the seeds' queue changes, as a mark kept
locally wins until the seed's state changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from store.marks import QueueChange, QueueEntry
from store.plan import Plan
from store.timeline import countdown

RUNWAY_DAYS = 14


@dataclass(frozen=True)
class Place:
    """One blueprint's place in the queue: in runway ``slot`` (from 1), or waiting."""

    key: str
    start: dt.date | None
    slot: int | None  # None: waiting
    position: int  # 1 for the head of the queue

    @property
    def ends(self) -> dt.date | None:
        return self.start + dt.timedelta(days=RUNWAY_DAYS) if self.start and self.slot else None

    def where(self, slots: int) -> str:
        """``runway 2``, or ``queued 1`` for the first one waiting."""
        return f"runway {self.slot}" if self.slot else f"queued {self.position - slots}"

    def status(self, today: dt.date) -> str:
        if self.slot is None:
            return "waiting"
        if self.ends is None:
            return "in a runway, start not given"
        days = (self.ends - today).days
        if days > 0:
            return f"{days} day{'s' if days != 1 else ''} left"
        return "ends today" if days == 0 else f"ended {countdown(self.ends, today)}"


def seed_queue(plan: Plan, cycle: str) -> tuple[QueueEntry, ...]:
    """The queue the seed files give ``cycle``, in file order, each blueprint once."""
    entries: dict[str, dt.date | None] = {}
    for runway in plan.runways.values():
        if runway.cycle == cycle and runway.blueprint and runway.blueprint not in entries:
            entries[runway.blueprint] = runway.start
    return tuple(entries.items())


def effective_queue(
    seed_plan: Plan, plan: Plan, cycle: str, change: QueueChange | None
) -> tuple[QueueEntry, ...]:
    """The queue shown: the newest dashboard change, unless the seeds' queue changed since.

    Blueprints no longer in ``cycle`` (gone from the seeds, or carried over) drop out.
    """
    seed = seed_queue(seed_plan, cycle)
    # A change written into the seeds is only the journal's record: the seeds say it.
    entries = change.queue if change is not None and not change.where and change.seed == seed else seed
    return tuple(
        (key, start)
        for key, start in entries
        if key in plan.blueprints and plan.blueprints[key].cycle == cycle
    )


def places(entries: tuple[QueueEntry, ...], slots: int) -> list[Place]:
    return [
        Place(key, start, at + 1 if at < slots else None, at + 1) for at, (key, start) in enumerate(entries)
    ]


def _settled(entries: list[QueueEntry], slots: int, today: dt.date) -> tuple[QueueEntry, ...]:
    """A runway that has no start starts today; a blueprint that went back to waiting has none."""
    return tuple((key, (start or today) if at < slots else None) for at, (key, start) in enumerate(entries))


def added(entries: tuple[QueueEntry, ...], key: str, slots: int, today: dt.date) -> tuple[QueueEntry, ...]:
    """``key`` at the end of the queue (in a runway at once, if one is free)."""
    if any(k == key for k, _ in entries):
        return entries
    return _settled([*entries, (key, None)], slots, today)


def removed(entries: tuple[QueueEntry, ...], key: str, slots: int, today: dt.date) -> tuple[QueueEntry, ...]:
    """``key`` out of the queue; the next one waiting takes a freed runway from today."""
    return _settled([e for e in entries if e[0] != key], slots, today)


def moved(
    entries: tuple[QueueEntry, ...], key: str, step: int, slots: int, today: dt.date
) -> tuple[QueueEntry, ...]:
    """``key`` ``step`` places nearer the head (negative: further back), within the queue."""
    order = list(entries)
    at = next((i for i, (k, _) in enumerate(order) if k == key), None)
    if at is None:
        return entries
    to = max(0, min(len(order) - 1, at - step))
    order.insert(to, order.pop(at))
    return _settled(order, slots, today)
