"""The board: a seeds folder and its store, seen as one plan with effective states.

This is what the command line and the dashboard both use; it knows nothing of
either.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from store import bitset, runways
from store.cache import PlanCache, RefreshStats, SeedsFolderMissing, collector_paused
from store.carry import carried_over, next_cycle, why_not
from store.marks import (
    Carry,
    Mark,
    MarkDay,
    NoEffect,
    MarksStore,
    QueueChange,
    QueueEntry,
    effective_state,
    now,
    why_no_effect,
)
from store.model import Blueprint, State, to_dict
from store.paths import display_path
from store.plan import Plan
from store.query import Filter, QueryError, resolve_key
from store.seeds import SeedError

PLAN_FILE = "plan.json"
MARKS_FILE = "marks.json"


class Row(NamedTuple):
    """A blueprint as shown: the seed record and its effective state.

    A named tuple, because a board makes one per blueprint (50,000 at the
    scale we design for) whenever new data arrives.
    """

    blueprint: Blueprint
    state: State
    mark: Mark | None

    def to_dict(self) -> dict:
        data = to_dict(self.blueprint)
        data["seed_state"] = data["state"]
        data["state"] = self.state.value
        data["marked_at"] = self.mark.at.isoformat() if self.mark and self.state == self.mark.state else None
        return data


@dataclass(frozen=True)
class Loaded:
    """What one read of the seeds and marks produced, not yet in use.

    The dashboard reads in a worker thread and adopts the result on its own
    thread, so the plan it is drawing never changes under it.
    """

    plan: Plan | None  # None: only the marks were read
    stats: RefreshStats
    latest: dict[str, Mark]
    carries: tuple[Carry, ...] = ()
    queues: dict[str, QueueChange] = dataclasses.field(default_factory=dict)
    seeds_missing: bool = False  # the seeds folder is gone; ``plan`` is the last good one


class Board:
    def __init__(self, seeds_dir: Path, store_dir: Path, *, live: bool = False) -> None:
        """``live``: this board lives on (the dashboard) and keeps its plan in memory between reads."""
        self.seeds_dir = seeds_dir
        self.store_dir = store_dir
        self.cache = PlanCache(store_dir / PLAN_FILE, hold=live)
        self.marks = MarksStore(store_dir / MARKS_FILE)
        self.cache.notices = self.marks.notices  # one list, in the order things happened
        self.plan = Plan()
        # The plan as the seeds give it; ``plan`` is it with the carry-overs made in the dashboard.
        self.seed_plan = self.plan
        self.latest: dict[str, Mark] = {}
        self.carries: tuple[Carry, ...] = ()
        self.queues: dict[str, QueueChange] = {}  # the newest runway queue change of each cycle
        self.stats = RefreshStats()
        self.seeds_missing = False  # the last read found no seeds folder: the plan is the one before
        self.index = self.plan.index
        # Marks shown but not yet on disk; a read that lands before the write
        # must not make them flicker away.
        self._unsaved: dict[str, Mark] = {}
        # Each blueprint's Row and effective state by index position: every view
        # pass reads them, and a mark changes one entry of each.
        self.row_at: list[Row] = []
        self.state_at: list[State] = []
        # The blueprints in each effective state, as sets of positions (store/bitset.py),
        # kept up to date by marks: every count a view shows is a popcount of these.
        self.in_state: dict[State, int] = {}
        # What store.view works out from the rows and keeps; emptied whenever a row changes.
        self.memo: dict = {}

    @property
    def notices(self) -> list[str]:
        """What the store had to do to go on, in the order it happened: the user must be told."""
        return self.marks.notices

    def refresh(self) -> Board:
        """Re-read changed seed files and the marks."""
        self.adopt(self.load())
        return self

    def load(self, marks_only: bool = False) -> Loaded:
        """Read changed seed files (unless ``marks_only``) and the marks; safe off the main thread."""
        plan, stats = None, RefreshStats()
        if not marks_only:
            self.marks.tidy()
            try:
                plan, stats = self.cache.refresh(self.seeds_dir)
            except SeedsFolderMissing as exc:
                if not self.cache.hold:
                    raise  # a command has no last good data to show
                return self._without_seeds(exc)
            # Indexed here, on the cache's own plan, not on the copy below: the cache may
            # hold that plan for its next patch, which then updates the index in a few
            # milliseconds instead of leaving it to be built again (200 ms at 50,000).
            with collector_paused():  # 50,000 new entries: nothing for the cycle collector to find
                plan.index  # noqa: B018
            base = display_path(self.seeds_dir)
            plan = copy.copy(plan)  # the cache may hold the plan (file names relative) for its next patch
            plan.errors = [
                dataclasses.replace(e, path=f"{base}/{e.path}" if base != "." else e.path) for e in plan.errors
            ]
        recorded = self.marks.recorded()
        return Loaded(plan, stats, recorded.latest, recorded.carries, recorded.queues)

    def _without_seeds(self, missing: SeedsFolderMissing) -> Loaded:
        """The last good plan, with the missing folder as its one problem."""
        plan = copy.copy(self.seed_plan)
        plan.errors = [SeedError(display_path(self.seeds_dir), 0, 0,
                                 "the seeds folder is missing (moved, renamed or deleted?); "
                                 "it is read again when it comes back")]
        recorded = self.marks.recorded()
        return Loaded(plan, self.stats, recorded.latest, recorded.carries, recorded.queues, seeds_missing=True)

    def adopt(self, loaded: Loaded) -> bool:
        """Use what :meth:`load` read; False when it changed nothing (a marks file we wrote ourselves)."""
        if loaded.plan is not None:
            self.seeds_missing = loaded.seeds_missing
        before = self.latest
        self.latest = {**loaded.latest, **self._unsaved}
        queues_changed = loaded.queues != self.queues
        self.queues = loaded.queues
        if loaded.plan is not None or loaded.carries != self.carries:
            self.carries = loaded.carries
            with collector_paused():
                self._take(loaded.plan or self.seed_plan, loaded.stats if loaded.plan else self.stats)
            return True
        # Only the marks were read: remake the rows whose newest mark changed.
        changed = {k for k in before.keys() | self.latest.keys() if before.get(k) != self.latest.get(k)}
        for key in changed:
            self._remake(key)
        return bool(changed) or queues_changed

    def _take(self, seed_plan: Plan, stats: RefreshStats) -> None:
        """Use a newly read plan: carry over what the dashboard carried, index it, make every blueprint's row."""
        self.seed_plan, self.stats = seed_plan, stats
        self.plan = carried_over(seed_plan, self.carries) if self.carries else seed_plan
        self.index = self.plan.index
        # Most blueprints have no mark: make their rows in one sweep, then remake the marked ones.
        blueprints = self.index.blueprints
        self.state_at = [bp.state for bp in blueprints]
        self.row_at = list(map(Row, blueprints, self.state_at, repeat(None)))
        self.in_state = bitset.by_value(self.state_at)
        self.memo.clear()
        for key in self.latest:
            self._remake(key)

    def _remake(self, key: str) -> None:
        at = self.index.position.get(key)
        if at is not None:
            blueprint, mark = self.index.blueprints[at], self.latest.get(key)
            row = self.row_at[at] = Row(blueprint, effective_state(blueprint, mark), mark)
            self.memo.clear()
            bit = 1 << at
            self.in_state[self.state_at[at]] &= ~bit
            self.in_state[row.state] = self.in_state.get(row.state, 0) | bit
            self.state_at[at] = row.state

    @property
    def tally(self) -> dict[str, Counter[State]]:
        """Each cycle's count of blueprints per effective state."""
        return {cycle: Counter({state: (self.index.span_bits(cycle) & held).bit_count()
                                for state, held in self.in_state.items()})
                for cycle in self.index.spans}

    @property
    def unsaved(self) -> int:
        """Marks shown but not yet written down."""
        return len(self._unsaved)

    def unsaved_marks(self) -> list[Mark]:
        return list(self._unsaved.values())

    def persist(self) -> bool:
        """Write down the seed files a live board re-read but kept in memory only (see PlanCache)."""
        return self.cache.persist()

    def reload_marks(self) -> None:
        self.adopt(self.load(marks_only=True))

    @property
    def order(self) -> list[str]:
        """Every blueprint key: newest cycle first, then project, id."""
        return self.index.keys

    # -- reading -------------------------------------------------------------
    def row(self, key: str) -> Row:
        return self.row_at[self.index.position[key]]

    def state_of(self, key: str) -> State:
        return self.row(key).state

    def theme_members(self, theme_ids: frozenset[str]) -> set[str]:
        members: set[str] = set()
        for theme in self.plan.themes.values():
            if theme.id in theme_ids or theme.key in theme_ids:
                members.update(theme.blueprints)
        return members

    def rows(self, query: Filter | None = None) -> list[Row]:
        """Blueprints passing ``query``, by cycle (newest first), then key."""
        query = query or Filter()
        members = self.theme_members(query.themes) if query.themes else None
        return [row for row in self.row_at if query.matches(row.blueprint, row.state, members)]

    def toggled_state(self, key: str) -> State:
        """What ``space`` sets: implemented, or back to the state before it was."""
        row = self.row(key)
        if row.state is not State.IMPLEMENTED:
            return State.IMPLEMENTED
        mark = row.mark
        if mark is not None and mark.state is State.IMPLEMENTED and mark.previous is not State.IMPLEMENTED:
            return mark.previous
        if row.blueprint.state is not State.IMPLEMENTED:
            return row.blueprint.state
        earlier = [h.state for h in row.blueprint.history if h.state is not State.IMPLEMENTED]
        return earlier[-1] if earlier else State.APPROVED

    def themes_of(self, key: str) -> list:
        return [t for t in self.plan.themes.values() if key in t.blueprints]

    def sessions_of(self, key: str) -> list:
        return [s for s in self.plan.sessions.values() if key in s.blueprints]

    def events_of(self, key: str) -> list[Mark]:
        return self.marks.events_of(key)

    def resolve(self, text: str) -> str:
        return resolve_key(text, self.plan.blueprints)

    # -- writing -------------------------------------------------------------
    def mark(self, key: str, state: State, via: str) -> tuple[State, Mark | None]:
        """Set a blueprint's state and write it down before returning.

        Read and decided under the marks lock, so another process's mark made
        since this board read the marks counts: returns the state before and
        the mark written, or None when the blueprint already had ``state``.
        """
        before, mark = self.marks.record_unless_already(self.row(key).blueprint, state, via)
        if mark is not None:
            self.latest[key] = mark
            self._remake(key)
        return before, mark

    def stage(self, key: str, state: State, via: str) -> Mark:
        """Show ``state`` at once; :meth:`save` (may run in a thread) makes it durable.

        Raises :class:`NoEffect` when the mark would not change what the board shows.
        """
        row = self.row(key)
        mark = self.marks.new(key, state, row.state, row.blueprint.state, via)
        if why := why_no_effect(row.blueprint, mark):
            raise NoEffect(why)
        self.latest[key] = self._unsaved[key] = mark
        self._remake(key)
        return mark

    def save(self, mark: Mark) -> None:
        try:
            self.marks.write(mark)
        except BaseException:
            self.unstage(mark)
            raise
        if self._unsaved.get(mark.key) is mark:
            del self._unsaved[mark.key]

    def unstage(self, mark: Mark) -> None:
        """Forget a mark that could not be written: show what is on disk again."""
        if self._unsaved.get(mark.key) is mark:
            del self._unsaved[mark.key]
            on_disk = self.marks.latest().get(mark.key)
            if on_disk is None:
                self.latest.pop(mark.key, None)
            else:
                self.latest[mark.key] = on_disk
            self._remake(mark.key)

    # -- planning: carry-over and runways -------------------------------------------
    def carry(self, key: str, via: str) -> Carry:
        """Re-propose an unfinished blueprint into the next cycle; written down before returning.

        Raises QueryError (one line) when it cannot be carried.
        """
        row = self.row(key)
        problem = why_not(self.plan, row.blueprint, row.state)
        if problem:
            raise QueryError(problem)
        carry = Carry(key, next_cycle(self.plan, row.blueprint.cycle) or "", now(), self.marks.who(), via)
        self.marks.write(carry)
        self.carries = (*self.carries, carry)
        with collector_paused():
            self._take(self.seed_plan, self.stats)
        return carry

    def uncarry(self, carry: Carry, via: str) -> None:
        """Take back ``carry``: the blueprint returns to the cycle it came from."""
        self.marks.write(dataclasses.replace(carry, at=now(), by=self.marks.who(), via=via, undone=True))
        self.carries = tuple(c for c in self.carries if (c.key, c.to) != (carry.key, carry.to))
        with collector_paused():
            self._take(self.seed_plan, self.stats)

    def queue(self, cycle: str) -> tuple[QueueEntry, ...]:
        """The runway queue of ``cycle``, head first."""
        return runways.effective_queue(self.seed_plan, self.plan, cycle, self.queues.get(cycle))

    def set_queue(self, cycle: str, entries: tuple[QueueEntry, ...], via: str) -> QueueChange:
        """Leave ``cycle``'s queue as ``entries``; written down before returning."""
        change = QueueChange(cycle, tuple(entries), runways.seed_queue(self.seed_plan, cycle), now(),
                             self.marks.who(), via)
        self.marks.write(change)
        self.queues = {**self.queues, cycle: change}
        return change

    def marks_by_key(self, keys: Iterable[str] | None = None) -> dict[str, list[MarkDay]]:
        """Each marked blueprint's state at the end of each day it was marked (what the burn-up
        charts); ``keys``: only these blueprints'."""
        return self.marks.mark_days(keys)

    # -- whole-plan views ------------------------------------------------------
    def export(self) -> dict:
        plan = self.plan
        return {
            "cycles": [to_dict(c) for c in plan.cycles_newest_first()],
            "projects": [to_dict(p) for p in sorted(plan.projects.values(), key=lambda p: p.id)],
            "themes": [to_dict(t) for t in plan.themes.values()],
            "sessions": [to_dict(s) for s in plan.sessions.values()],
            "blueprints": [row.to_dict() for row in self.rows(Filter(cycles=frozenset({"all"})))],
            "runways": [
                {"key": f"{cycle.id}/{place.key}", "cycle": cycle.id, "blueprint": place.key,
                 "start": place.start.isoformat() if place.start else None, "position": place.position,
                 "slot": place.slot}
                for cycle in plan.cycles_newest_first()
                for place in runways.places(self.queue(cycle.id), cycle.runway_slots)
            ],
        }

    def counts(self, rows: list[Row]) -> dict[State, int]:
        counts = {state: 0 for state in State}
        for row in rows:
            counts[row.state] += 1
        return counts

