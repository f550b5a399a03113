"""The board: a seeds folder and its store, seen as one plan with effective states.

This is what the command line and the dashboard both use; it knows nothing of
either.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple

from store import bitset, runways
from store.cache import PlanCache, RefreshStats, SeedsFolderMissing
from store.carry import carried_over, next_cycle, why_not
from store.gc_pause import gc_paused
from store.marks import (
    Carry,
    Mark,
    MarkDay,
    MarksStore,
    NoEffect,
    QueueChange,
    QueueEntry,
    effective_state,
    now,
    why_no_effect,
)
from store.model import Blueprint, State, to_dict
from store.newest_fact import outranking
from store.paths import display_path
from store.plan import Plan
from store.query import Filter, QueryError, resolve_key
from store.seed_edit import EditRefused
from store.seed_write import SeedsReadOnly, Written
from store.seeds import SeedError
from store.storage import GaveUp, WriteGate
from store.writeback import AlreadyThere, KeptLocally, SeedWriter, Target, sha256

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

    def to_dict(self) -> dict[str, Any]:
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
    seed_writes: int = 0  # how many of the board's own seed writes had landed when the read began


@dataclass(frozen=True)
class Saved:
    """Where a change went: ``mark`` as the journal holds it, and the seed edit that carried it."""

    mark: Mark
    written: Written | None = None  # None: kept locally


class Board:
    def __init__(self, seeds_dir: Path, store_dir: Path, *, live: bool = False) -> None:
        """``live``: this board lives on (the dashboard) and keeps its plan in memory between reads."""
        self.seeds_dir = seeds_dir
        self.store_dir = store_dir
        self.cache = PlanCache(store_dir / PLAN_FILE, hold=live)
        # Closed by a dashboard that is quitting: a seed edit or a mark still waiting for a
        # lock stops waiting, so nothing said to be not saved is written after all.
        self.gate = WriteGate()
        self.marks = MarksStore(store_dir / MARKS_FILE, self.gate)
        self.writer = SeedWriter(seeds_dir, store_dir, self._clean_shas, gate=self.gate)
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
        # What store.pane_contents works out from the rows and keeps; emptied whenever a row changes.
        self.memo: dict[Hashable, Any] = {}
        # Marks written into a seed file that no read of the seeds has brought back yet,
        # each with the count of seed writes when it landed: shown until a read begun
        # after it is adopted, so the row does not flicker back meanwhile.
        self._landing: dict[str, tuple[int, Mark]] = {}
        self._seed_writes = 0
        self._own_writes: dict[str, str] = {}  # file -> sha256 of the text our last write left there
        self._landing_queues: dict[str, tuple[int, QueueChange]] = {}
        self._landing_carries: dict[tuple[str, str], tuple[int, Carry]] = {}
        self._told_local = False

    def _clean_shas(self, rel: str) -> set[str]:
        """Digests of texts of ``rel`` known to have no error: as last read, and as our own
        last write left it (an edit of a clean file changes only a state and a history)."""
        return {sha for sha in (self.cache.clean_sha(rel), self._own_writes.get(rel)) if sha}

    @property
    def notices(self) -> list[str]:
        """What the store had to do to go on, in the order it happened: the user must be told."""
        return self.marks.notices

    def refresh(self) -> Board:
        """Re-read changed seed files and the marks."""
        self.adopt(self.load())
        return self

    def load(
        self,
        marks_only: bool = False,
        only: Collection[str] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Loaded:
        """Read changed seed files (unless ``marks_only``) and the marks; safe off the main thread.

        ``only``: the seed files a watcher saw change (names relative to the folder),
        when it saw nothing else; see :meth:`PlanCache.refresh`.  ``progress``: told
        (files read, files in all) while many files are parsed.
        """
        self.cache.progress = progress
        plan, stats = None, RefreshStats()
        seed_writes = self._seed_writes
        if not marks_only:
            self.marks.tidy()
            try:
                plan, stats = self.cache.refresh(self.seeds_dir, only)
            except SeedsFolderMissing as exc:
                if not self.cache.hold:
                    raise  # a command has no last good data to show
                return self._without_seeds(exc)
            # Indexed here, on the cache's own plan, not on the copy below: the cache may
            # hold that plan for its next patch, which then updates the index in a few
            # fraction of the time it takes to build it again (docs/performance.md).
            with gc_paused():  # 50,000 new entries: nothing for the cycle collector to find
                plan.index  # noqa: B018
            base = display_path(self.seeds_dir)
            plan = copy.copy(plan)  # the cache may hold the plan (file names relative) for its next patch
            plan.errors = [
                dataclasses.replace(e, path=f"{base}/{e.path}" if base != "." else e.path)
                for e in plan.errors
            ]
        recorded = self.marks.recorded()
        return Loaded(
            plan, stats, recorded.latest, recorded.carries, recorded.queues, seed_writes=seed_writes
        )

    def _without_seeds(self, missing: SeedsFolderMissing) -> Loaded:
        """The last good plan, with the missing folder as its one problem."""
        plan = copy.copy(self.seed_plan)
        plan.errors = [
            SeedError(
                display_path(self.seeds_dir),
                0,
                0,
                "the seeds folder is missing (moved, renamed or deleted?); "
                "it is read again when it comes back",
            )
        ]
        recorded = self.marks.recorded()
        return Loaded(
            plan, self.stats, recorded.latest, recorded.carries, recorded.queues, seeds_missing=True
        )

    def adopt(self, loaded: Loaded) -> bool:
        """Use what :meth:`load` read; False when it changed nothing (a marks file we wrote ourselves)."""
        own_only = False
        if loaded.plan is not None:
            self.seeds_missing = loaded.seeds_missing
            changed_files = loaded.stats.changed
            ours = {rel for rel, sha in changed_files.items() if self._own_writes.get(rel) == sha}
            own_only = bool(changed_files) and len(ours) == len(changed_files)
            for rel in changed_files.keys() - ours:
                # Another text came in (a teammate, an editor, a break): what is shown of
                # this file is no longer our write, even once our text comes back (a checkout).
                self._own_writes.pop(rel, None)
            self._landing = {key: held for key, held in self._landing.items() if held[0] > loaded.seed_writes}
            self._landing_queues = {
                cycle: held for cycle, held in self._landing_queues.items() if held[0] > loaded.seed_writes
            }
            self._landing_carries = {
                key: held for key, held in self._landing_carries.items() if held[0] > loaded.seed_writes
            }
        before = self.latest
        self.latest = {
            **loaded.latest,
            **{key: mark for key, (_, mark) in self._landing.items()},
            **self._unsaved,
        }
        queues = {**loaded.queues, **{cycle: change for cycle, (_, change) in self._landing_queues.items()}}
        queues_changed = queues != self.queues
        self.queues = queues
        # A carry written into the seeds is only the journal's record once they are read back.
        carries = (
            *(c for c in loaded.carries if not c.where),
            *(c for _, c in self._landing_carries.values()),
        )
        if loaded.plan is not None or carries != self.carries:
            shown = list(self.state_at)  # a patch remakes rows in place
            carries_changed = carries != self.carries
            self.carries = carries
            with gc_paused():
                self._take(loaded.plan or self.seed_plan, loaded.stats if loaded.plan else self.stats)
            # Our own seed write, read back: the rows already showed it.
            return not (own_only and not carries_changed and not queues_changed and self.state_at == shown)

        # Only the marks were read: remake the rows whose newest mark changed.
        changed = {k for k in before.keys() | self.latest.keys() if before.get(k) != self.latest.get(k)}
        for key in changed:
            self._remake(key)
        return bool(changed) or queues_changed

    def _take(self, seed_plan: Plan, stats: RefreshStats) -> None:
        """Use a newly read plan: carry over what the dashboard carried, index it, make the rows."""
        before = self.index
        self.seed_plan, self.stats = seed_plan, stats
        self.plan = carried_over(seed_plan, self.carries) if self.carries else seed_plan
        self.index = self.plan.index
        blueprints = self.index.blueprints
        if self.index.position is before.position and len(self.row_at) == len(blueprints):
            # A patched plan (a saved file, our own write read back): the same keys in the same
            # places, so only the rows of the blueprints that changed are made again.
            if self.index.patched_from == before.generation:
                changed = self.index.patched_at
            else:  # patched more than once since our last plan
                changed = [
                    at
                    for at, (was, now) in enumerate(zip(before.blueprints, blueprints, strict=False))
                    if was is not now
                ]
            for at in changed:
                self._remake_at(at)
            self.memo.clear()
            for key in self.latest:
                self._remake(key)
            return
        if self.index.patched_from == before.generation and self.index.removed_at is not None:
            # Blueprints came or went in a patch: the rows follow the index's moves.
            for at in reversed(self.index.removed_at):
                del self.row_at[at], self.state_at[at]
                self.in_state = {state: bitset.without(held, at) for state, held in self.in_state.items()}
            for at in self.index.inserted_at or ():
                self.row_at.insert(at, Row(blueprints[at], blueprints[at].state, None))
                self.state_at.insert(at, blueprints[at].state)
                self.in_state = {state: bitset.with_gap(held, at) for state, held in self.in_state.items()}
                self.in_state[blueprints[at].state] = self.in_state.get(blueprints[at].state, 0) | 1 << at
            for at in self.index.patched_at:
                self._remake_at(at)
            self.memo.clear()
            for key in self.latest:
                self._remake(key)
            return
        # Most blueprints have no mark: make their rows in one sweep, then remake the marked ones.
        self.state_at = [bp.state for bp in blueprints]
        self.row_at = list(map(Row, blueprints, self.state_at, repeat(None)))
        self.in_state = bitset.by_value(self.state_at)
        self.memo.clear()
        for key in self.latest:
            self._remake(key)

    def _remake(self, key: str) -> None:
        at = self.index.position.get(key)
        if at is not None:
            self._remake_at(at)

    def _remake_at(self, at: int) -> None:
        blueprint = self.index.blueprints[at]
        mark = self.latest.get(blueprint.key)
        row = self.row_at[at] = Row(blueprint, effective_state(blueprint, mark), mark)
        self.memo.clear()
        bit = 1 << at
        self.in_state[self.state_at[at]] &= ~bit
        self.in_state[row.state] = self.in_state.get(row.state, 0) | bit
        self.state_at[at] = row.state

    @property
    def tally(self) -> dict[str, Counter[State]]:
        """Each cycle's count of blueprints per effective state."""
        return {
            cycle: Counter(
                {
                    state: (self.index.span_bits(cycle) & held).bit_count()
                    for state, held in self.in_state.items()
                }
            )
            for cycle in self.index.spans
        }

    @property
    def unsaved(self) -> int:
        """Marks shown but not yet written down."""
        return len(self._unsaved)

    def unsaved_marks(self) -> list[Mark]:
        return list(self._unsaved.values())

    def persist(self) -> bool:
        """Write down the seed files a live board re-read but kept in memory only (see PlanCache)."""
        return self.cache.persist()

    def persist_detached(self) -> bool:
        """:meth:`persist`, by a process of its own: nobody waits for it (see PlanCache.persist_detached)."""
        return self.cache.persist_detached()

    def reload_marks(self) -> None:
        self.adopt(self.load(marks_only=True))

    @property
    def order(self) -> list[str]:
        """Every blueprint key: newest cycle first, then project, id."""
        return self.index.keys

    # -- reading -------------------------------------------------------------
    def row(self, key: str) -> Row:
        return self.row_at[self.index.position[key]]

    def author(self) -> str:
        """Who the changes made here are by (git's user name, else the login).

        Git is asked on the first call only; a reader that never writes never asks.
        """
        return self.writer.who()

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
        left_out = query.excluded
        left_out_members = self.theme_members(left_out.themes) if left_out and left_out.themes else None
        return [
            row for row in self.row_at if query.matches(row.blueprint, row.state, members, left_out_members)
        ]

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

    def themes_of(self, key: str) -> list[Any]:
        return [t for t in self.plan.themes.values() if key in t.blueprints]

    def sessions_of(self, key: str) -> list[Any]:
        return [s for s in self.plan.sessions.values() if key in s.blueprints]

    def events_of(self, key: str) -> list[Mark]:
        return self.marks.events_of(key)

    def resolve(self, text: str) -> str:
        return resolve_key(text, self.plan.blueprints)

    # -- writing -------------------------------------------------------------
    def destination(self, key: str) -> Target | KeptLocally:
        """The seed file a change to blueprint ``key`` is written into, or why it stays local."""
        if key not in self.seed_plan.blueprints:
            return KeptLocally(f"{key} was carried over in this store only, not in a seed file")
        origin = self.seed_plan.origins.get(f"blueprint:{key}")
        if origin is None:
            return KeptLocally(f"{key} is in no seed file")
        return self.writer.target(origin[0])

    def mark(self, key: str, state: State, via: str) -> tuple[State, Mark | None]:
        """Set a blueprint's state and write it down (into its seed file) before returning.

        Returns the state before and the mark as the journal holds it, or None
        when the blueprint already had ``state`` (nothing is written).  Where
        the seeds cannot take it, the mark is kept locally (its ``where`` is
        empty): decided under the marks lock, so another process's mark made
        since this board read the marks counts.  Raises :class:`EditRefused`
        (one line) when the seed file cannot be edited.
        """
        destination = self.destination(key)
        if isinstance(destination, KeptLocally):
            before, mark = self.marks.record_unless_already(self.row(key).blueprint, state, via)
            if mark is not None:
                self.latest[key] = mark
                self._remake(key)
                self._kept_locally(destination.reason)
            return before, mark
        row = self.row(key)
        if row.state is state:
            return row.state, None
        mark = self.marks.new(key, state, row.state, row.blueprint.state, via, by=self.writer.who())
        self._refuse_if_outranked(key, destination, mark)
        mark = dataclasses.replace(mark, staged_for=destination.rel)
        try:
            saved = self._save(mark, destination, None)
        except AlreadyThere:
            return state, None
        self.latest[key] = mark  # shown as the seed now says, until the seeds are read again
        self._remake(key)
        return saved.mark.previous, saved.mark

    def stage(self, key: str, state: State, via: str) -> Mark:
        """Show ``state`` at once; :meth:`save` (may run in a thread) makes it durable.

        Raises :class:`NoEffect` when the mark would not change what the board shows.
        """
        row = self.row(key)
        mark = self.marks.new(key, state, row.state, row.blueprint.state, via, by=self.writer.who())
        destination = self.destination(key)
        if isinstance(destination, KeptLocally):
            if why := why_no_effect(row.blueprint, mark):
                raise NoEffect(why)
        else:
            self._refuse_if_outranked(key, destination, mark)
            mark = dataclasses.replace(mark, staged_for=destination.rel)
        self.latest[key] = self._unsaved[key] = mark
        self._remake(key)
        return mark

    def _refuse_if_outranked(self, key: str, destination: Target, mark: Mark) -> None:
        """NoEffect when another file dates a state after the day of ``mark``: the newest dated
        fact wins (store/newest_fact.py), so the change would be written and shown nowhere."""
        plan = self.seed_plan
        added = [h for h in plan.histories.values() if h.blueprint == key]
        override = plan.overrides.get(key) if destination.table == "blueprint" else None
        later = outranking(mark.at.date(), added, override)
        if later is not None:
            said = f" by {later.by}" if later.by else ""
            raise NoEffect(
                f"{key}: another file dates it {later.state.value}{said} on {later.date}, later than "
                f"a change made now, so that state stays in force; change that file instead"
            )

    def save(self, mark: Mark, restore: Written | None = None) -> Saved:
        """Write a staged mark into its seed file (else keep it locally) and journal it.

        ``restore``: the edit this mark undoes; while the file is still what it
        left, its old bytes are put back.  On failure the mark is unstaged and
        the exception raised: :class:`AlreadyThere` when the seed file says it
        already, :class:`EditRefused` (one line) when it cannot be edited, a
        store error when nothing could be written.  :class:`GaveUp` (the
        dashboard is quitting) leaves it staged: it is named as not saved.
        """
        try:
            saved = self._save(mark, self.destination(mark.key), restore)
        except GaveUp:
            raise  # still shown and unsaved: the quitting dashboard names it as not saved
        except BaseException:
            self.unstage(mark)
            raise
        if self._unsaved.get(mark.key) is mark:
            del self._unsaved[mark.key]
        return saved

    def _save(self, mark: Mark, destination: Target | KeptLocally, restore: Written | None) -> Saved:
        if isinstance(destination, Target):
            journaled: list[Mark] = []
            rel = destination.rel

            def record(written: Written, found: str | None) -> None:
                """Under the seeds lock: the journal keeps the order in which the seeds changed."""
                event = dataclasses.replace(mark, where=rel, staged_for="", at=now())  # in written order
                if found is not None and found != mark.seed_state.value:  # changed since this board read it
                    event = dataclasses.replace(event, previous=State(found))
                self._landed(rel, written)
                self._landing[mark.key] = (self._seed_writes, mark)
                journaled.append(event)
                self._journal(event)

            try:
                written = self._edit_seed(mark, destination, restore, record)
            except SeedsReadOnly as exc:
                destination = KeptLocally(str(exc))
            else:
                return Saved(journaled[0], written)
        mark = dataclasses.replace(mark, staged_for="")
        self.marks.write(mark)
        self._kept_locally(destination.reason)
        return Saved(mark)

    def _edit_seed(
        self,
        mark: Mark,
        target: Target,
        restore: Written | None,
        record: Callable[[Written, str | None], None],
    ) -> Written:
        """The seed edit; ``record(written, state the file gave before or None)`` runs under its lock."""
        if restore is not None:
            try:
                self.writer.restore(restore, target.rel, then=lambda written: record(written, None))
            except EditRefused:
                pass  # edited since: the reverse goes in as a change of its own
            else:
                return Written(restore.path, restore.after, restore.before)
        written, _ = self.writer.set_state(
            target,
            mark.key,
            mark.state.value,
            mark.seed_state.value,
            mark.at.astimezone().date(),
            then=record,
        )
        return written

    def tick_action(self, session: str, index: int, done: bool, restore: Written | None = None) -> Written:
        """Set ``done`` of a session's ``index``-th action item in its seed file.

        ``restore``: the tick this takes back (its bytes are put back while the
        file is still what it left).  Raises :class:`EditRefused` (one line).
        """
        origin = self.seed_plan.origins.get(f"session:{session}")
        if origin is None:
            raise EditRefused(f"session {session} is in no seed file")
        rel = origin[0]
        written = self._restored(restore, rel) or self.writer.tick_action(rel, session, index, done)
        self._landed(rel, written)
        return written

    def unstage(self, mark: Mark) -> None:
        """Forget a mark that could not be written: show what is on disk again."""
        if self._unsaved.get(mark.key) is mark:
            del self._unsaved[mark.key]
            # A change of ours still on its way back from the seeds is what shows, else the journal's.
            landing = self._landing.get(mark.key)
            on_disk = landing[1] if landing else self.marks.latest().get(mark.key)
            if on_disk is None:
                self.latest.pop(mark.key, None)
            else:
                self.latest[mark.key] = on_disk
            self._remake(mark.key)

    # -- planning: carry-over and runways -------------------------------------------
    def carry(self, key: str, via: str) -> tuple[Carry, Written | None]:
        """Re-propose an unfinished blueprint into the next cycle: written into its seed file
        (deferred there, proposed in the next cycle beside it; else kept locally) before returning.

        Raises QueryError or :class:`EditRefused` (one line) when it cannot be carried.
        """
        carry, written = self.write_carry(key, via)
        self.take_carry(carry)
        return carry, written

    def write_carry(self, key: str, via: str) -> tuple[Carry, Written | None]:
        """The files' half of :meth:`carry` (a dashboard's worker makes it); the plan shows
        the carry once :meth:`take_carry` is called."""
        row = self.row(key)
        problem = why_not(self.plan, row.blueprint, row.state)
        if problem:
            raise QueryError(problem)
        carry = Carry(key, next_cycle(self.plan, row.blueprint.cycle) or "", now(), self.writer.who(), via)
        destination = self.destination(key)
        written = None
        if isinstance(destination, Target):
            try:
                written = self.writer.carry(destination, key, carry.to, carry.at.astimezone().date())
            except SeedsReadOnly as exc:
                destination = KeptLocally(str(exc))
        if isinstance(destination, KeptLocally):
            self.marks.write(carry)
            self._kept_locally(destination.reason)
        elif written is not None:
            carry = dataclasses.replace(carry, where=destination.rel)
            self._landed(destination.rel, written)
            self._landing_carries[(carry.key, carry.to)] = (self._seed_writes, carry)
            self._journal(carry)
        return carry, written

    def take_carry(self, carry: Carry) -> None:
        """Show ``carry`` (written by :meth:`write_carry`); a read of the seeds may have shown it already."""
        if not any((c.key, c.to) == (carry.key, carry.to) for c in self.carries):
            self.carries = (*self.carries, carry)
        with gc_paused():
            self._take(self.seed_plan, self.stats)

    def uncarry(
        self, carry: Carry, via: str, state: State = State.APPROVED, written: Written | None = None
    ) -> None:
        """Take back ``carry``: the blueprint returns to the cycle it came from (in ``state``).

        A carry written into the seeds as ``written`` is undone there: byte for
        byte while the file is still what it left, else as a change of its own.
        """
        self.write_uncarry(carry, via, state, written)
        self.drop_carry(carry)

    def write_uncarry(
        self, carry: Carry, via: str, state: State = State.APPROVED, written: Written | None = None
    ) -> None:
        """The files' half of :meth:`uncarry`; :meth:`drop_carry` shows it."""
        undone = dataclasses.replace(carry, at=now(), by=self.writer.who(), via=via, undone=True)
        if carry.where and written is not None:
            target = Target(written.path, carry.where)
            done = self._restored(written, carry.where) or self.writer.uncarry(
                target, carry.key, carry.moved_key, state.value, written
            )
            self._landed(carry.where, done)
            self._landing_carries.pop((carry.key, carry.to), None)
            self._journal(undone)
        else:
            self.marks.write(undone)

    def drop_carry(self, carry: Carry) -> None:
        """Show the blueprint back where ``carry`` took it from (once :meth:`write_uncarry` returned)."""
        self.carries = tuple(c for c in self.carries if (c.key, c.to) != (carry.key, carry.to))
        with gc_paused():
            self._take(self.seed_plan, self.stats)

    def queue_destination(self, cycle: str) -> Target | KeptLocally:
        """The seed file ``cycle``'s runway queue is written into, or why it stays local."""
        files = {
            self.seed_plan.origins[f"runway:{r.key}"][0]
            for r in self.seed_plan.runways.values()
            if r.cycle == cycle and f"runway:{r.key}" in self.seed_plan.origins
        }
        if len(files) > 1:
            return KeptLocally(f"the runway queue of {cycle} is spread over {', '.join(sorted(files))}")
        if not files:
            origin = self.seed_plan.origins.get(f"cycle:{cycle}")
            if origin is None:
                return KeptLocally(f"cycle {cycle} is in no seed file")
            files = {origin[0]}
        return self.writer.target(files.pop())

    def queue(self, cycle: str) -> tuple[QueueEntry, ...]:
        """The runway queue of ``cycle``, head first."""
        return runways.effective_queue(self.seed_plan, self.plan, cycle, self.queues.get(cycle))

    def set_queue(
        self, cycle: str, entries: tuple[QueueEntry, ...], via: str, restore: Written | None = None
    ) -> tuple[QueueChange, Written | None]:
        """Leave ``cycle``'s queue as ``entries``, written into the seeds (else kept here) first.

        ``restore``: the change this undoes (its bytes go back while the file is
        still what it left).  Returns the change as journaled and the seed edit.
        Raises :class:`EditRefused` (one line) when the seed file cannot be edited.
        """
        change, written = self.write_queue(cycle, entries, via, restore)
        self.take_queue(change)
        return change, written

    def write_queue(
        self, cycle: str, entries: tuple[QueueEntry, ...], via: str, restore: Written | None = None
    ) -> tuple[QueueChange, Written | None]:
        """The files' half of :meth:`set_queue`; :meth:`take_queue` shows the change."""
        change = QueueChange(
            cycle, tuple(entries), runways.seed_queue(self.seed_plan, cycle), now(), self.writer.who(), via
        )
        destination = self.queue_destination(cycle)
        written = None
        if isinstance(destination, Target):

            def resolve(ref: str) -> str | None:
                runway = self.seed_plan.runways.get(f"{cycle}/{ref}")
                return runway.blueprint if runway else None

            try:
                written = self._restored(restore, destination.rel) or self.writer.set_queue(
                    destination, cycle, change.queue, resolve
                )
            except SeedsReadOnly as exc:
                destination = KeptLocally(str(exc))
        if isinstance(destination, KeptLocally):
            self.marks.write(change)
            self._kept_locally(destination.reason)
            return change, None
        if written is not None:
            self._landed(destination.rel, written)
            self._landing_queues[cycle] = (self._seed_writes, change)
            self._journal(dataclasses.replace(change, where=destination.rel))
        return (dataclasses.replace(change, where=destination.rel) if written else change), written

    def take_queue(self, change: QueueChange) -> None:
        """Show ``change`` (written by :meth:`write_queue`) as its cycle's queue."""
        self.queues = {**self.queues, change.cycle: dataclasses.replace(change, where="")}

    def _restored(self, restore: Written | None, rel: str) -> Written | None:
        """Put back what ``restore`` replaced while the file is still what it left; None when it is not."""
        if restore is None:
            return None
        try:
            self.writer.restore(restore, rel)
        except EditRefused:
            return None  # edited since: the reverse goes in as a change of its own
        return Written(restore.path, restore.after, restore.before)

    def _landed(self, rel: str, written: Written) -> None:
        self._seed_writes += 1
        self._own_writes[rel] = sha256(written.after)

    def _journal(self, event: Mark | Carry | QueueChange) -> None:
        """Record a change the seeds already carry; a journal that cannot take it is said, not raised."""
        try:
            self.marks.write(event)
        except Exception as exc:  # noqa: BLE001 - the change is made; only its record is missing
            self.notices.append(
                f"the change is in the seeds, but the journal could not record it ({exc}): "
                "undo and the change list will not know it"
            )

    def _kept_locally(self, reason: str) -> None:
        """Say once a session why changes stay in the local marks store."""
        if not self._told_local:
            self._told_local = True
            self.notices.append(f"kept locally: {reason}")

    def marks_by_key(self, keys: Iterable[str] | None = None) -> dict[str, list[MarkDay]]:
        """Each marked blueprint's state at the end of each day it was marked (what the burn-up
        charts); ``keys``: only these blueprints'."""
        return self.marks.mark_days(keys)

    # -- whole-plan views ------------------------------------------------------
    def export(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "cycles": [to_dict(c) for c in plan.cycles_newest_first()],
            "projects": [to_dict(p) for p in sorted(plan.projects.values(), key=lambda p: p.id)],
            "themes": [to_dict(t) for t in plan.themes.values()],
            "sessions": [to_dict(s) for s in plan.sessions.values()],
            "blueprints": [row.to_dict() for row in self.rows(Filter(cycles=frozenset({"all"})))],
            "runways": [
                {
                    "key": place.key,  # the blueprint's key: a queue holds a blueprint once
                    "cycle": cycle.id,
                    "blueprint": place.key,
                    "start": place.start.isoformat() if place.start else None,
                    "position": place.position,
                    "slot": place.slot,
                }
                for cycle in plan.cycles_newest_first()
                for place in runways.places(self.queue(cycle.id), cycle.runway_slots)
            ],
        }

    def counts(self, rows: list[Row]) -> dict[State, int]:
        counts = {state: 0 for state in State}
        for row in rows:
            counts[row.state] += 1
        return counts
