"""The marks store: what people set on blueprints, when, and every change since.

Small and precious.  Every write happens under a lock file (so two dashboards
and the command line can write at once) and is atomic (see
:mod:`store.storage`).  A marks file that cannot be parsed is never
overwritten: it is moved aside with a timestamp and the user is told where.

Each change is one event ``{key, state, previous, seed_state, at, by, via}``;
the newest event per key is the blueprint's mark, and the events in order are
its history (which undo and the burn-up chart read).  Two more tables hold
the planning changes made in the dashboard, with the same history: carry-overs
(a blueprint re-proposed into the next cycle) and each runway queue as it was
left after a change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import os
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from store import journal
from store.journal import META, Segments, Summary, docs_in_order, event_count, generation_of, next_id
from store.model import Blueprint, State
from store.storage import (
    AtomicJSONStorage,
    DamagedFile,
    WriteGate,
    locked,
    remove_stale_temps,
    stale_temps,
)


@dataclass(frozen=True)
class Mark:
    key: str
    state: State
    previous: State  # the effective state before this change (what undo restores)
    seed_state: State  # the seed's state when the mark was made
    at: dt.datetime  # UTC
    by: str = ""
    via: str = ""  # "cli" or "dashboard"
    # The seed file it was written into ("": kept locally, where the seeds could not be written).
    # Such a mark is only the journal's record: the seed file says the state.
    where: str = ""
    # Shown, and on its way into this seed file: it counts until the file is read back.
    staged_for: str = dataclasses.field(default="", compare=False)

    @property
    def local(self) -> bool:
        """Kept in the marks store only: the seed file does not say it."""
        return not self.where and not self.staged_for

    def to_doc(self) -> dict[str, Any]:
        doc = asdict(self)
        doc.update(
            state=self.state.value,
            previous=self.previous.value,
            seed_state=self.seed_state.value,
            at=self.at.isoformat(),
        )
        del doc["staged_for"]
        if not self.where:
            del doc["where"]
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Mark:
        return cls(
            key=doc["key"],
            state=State(doc["state"]),
            previous=State(doc["previous"]),
            seed_state=State(doc["seed_state"]),
            at=dt.datetime.fromisoformat(doc["at"]),
            by=doc.get("by", ""),
            via=doc.get("via", ""),
            where=doc.get("where", ""),
        )


@dataclass(frozen=True)
class Carry:
    """A blueprint re-proposed into the next cycle (or, with ``undone``, put back)."""

    key: str  # the blueprint's key before the move
    to: str  # the cycle it moved to
    at: dt.datetime
    by: str = ""
    via: str = ""
    undone: bool = False  # this event takes back the carry of ``key`` to ``to``
    where: str = ""  # the seed file it was written into ("": kept locally)

    @property
    def source(self) -> str:
        """The cycle it was carried out of."""
        return self.key.split("/", 1)[0]

    @property
    def moved_key(self) -> str:
        """The blueprint's key in the cycle it moved to."""
        return f"{self.to}/{self.key.split('/', 1)[1]}"

    def to_doc(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["at"] = self.at.isoformat()
        if not self.where:
            del doc["where"]
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Carry:
        return cls(
            key=doc["key"],
            to=doc["to"],
            at=dt.datetime.fromisoformat(doc["at"]),
            by=doc.get("by", ""),
            via=doc.get("via", ""),
            undone=bool(doc.get("undone", False)),
            where=doc.get("where", ""),
        )


QueueEntry = tuple[str, "dt.date | None"]  # a blueprint key and its runway's start


@dataclass(frozen=True)
class QueueChange:
    """A cycle's runway queue as a change in the dashboard left it.

    ``seed`` is the queue the seed files gave then: when they give another one
    now, they changed later, and they win (as a seed's state wins over an older mark).
    """

    cycle: str
    queue: tuple[QueueEntry, ...]
    seed: tuple[QueueEntry, ...]
    at: dt.datetime
    by: str = ""
    via: str = ""
    where: str = ""  # the seed file it was written into ("": kept locally)

    def to_doc(self) -> dict[str, Any]:
        def plain(entries: Iterable[QueueEntry]) -> list[list[str | None]]:
            return [[key, start.isoformat() if start else None] for key, start in entries]

        doc = {
            "cycle": self.cycle,
            "queue": plain(self.queue),
            "seed": plain(self.seed),
            "at": self.at.isoformat(),
            "by": self.by,
            "via": self.via,
        }
        if self.where:
            doc["where"] = self.where
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> QueueChange:
        def entries(raw: Iterable[list[str | None]]) -> tuple[QueueEntry, ...]:
            return tuple((str(key), dt.date.fromisoformat(start) if start else None) for key, start in raw)

        return cls(
            cycle=doc["cycle"],
            queue=entries(doc["queue"]),
            seed=entries(doc["seed"]),
            at=dt.datetime.fromisoformat(doc["at"]),
            by=doc.get("by", ""),
            via=doc.get("via", ""),
            where=doc.get("where", ""),
        )


@dataclass(frozen=True)
class Recorded:
    """Everything the marks file holds, read at once."""

    latest: dict[str, Mark]  # the newest mark of each blueprint key
    carries: tuple[Carry, ...]  # in force, oldest first
    queues: dict[str, QueueChange]  # the newest queue change of each cycle


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def effective_state(blueprint: Blueprint, mark: Mark | None) -> State:
    """The newer of the seed's state and the blueprint's newest mark.

    A mark is newer unless the seed changed this blueprint's state after the
    mark was made: either its state is no longer the one the mark saw, or its
    history has an entry dated after the mark.  A mark written into the seeds
    (``where``) is the journal's record of a seed change: the seed says it.
    """
    if mark is None or mark.where or mark.seed_state != blueprint.state:
        return blueprint.state
    if blueprint.history and blueprint.history[-1].date > mark.at.date():
        return blueprint.state
    return mark.state


def why_no_effect(blueprint: Blueprint, mark: Mark) -> str | None:
    """Why ``mark`` would not change ``blueprint``'s effective state, or None when it would.

    A seed whose history has an entry dated after the mark wins over it: the
    mark would be stored and shown nowhere.
    """
    if effective_state(blueprint, mark) is mark.state:
        return None
    newest = blueprint.history[-1].date if blueprint.history else None
    return (
        f"{blueprint.key}: its seed has a history entry dated {newest}, later than a mark made now, "
        f"so the seed's state ({blueprint.state.value}) stays in force; change the seed file instead"
    )


class NoEffect(Exception):
    """A change that would not take effect; nothing was written. The message is one plain line."""


def _who() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is fine, it is only a label
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


_WHO = _who()


@dataclass(frozen=True)
class MarkDay:
    """A blueprint's state at the end of a day it was marked (what the burn-up reads)."""

    at: dt.datetime
    state: State


_EVENT_OF = {"marks": Mark, "carries": Carry, "runways": QueueChange}  # each table's kind of event
_TABLE_OF = {kind: table for table, kind in _EVENT_OF.items()}


class MarksStore:
    """The marks journal (see :mod:`store.journal`); reads are fresh, writes are locked and atomic."""

    def __init__(self, path: Path, gate: WriteGate | None = None) -> None:
        """``gate``: closed by a dashboard that is quitting (see :class:`WriteGate`)."""
        self.path = path
        self.notices: list[str] = []  # things the user must be told (a file moved aside)
        self._storage = AtomicJSONStorage(path)
        self.segments = Segments(path)
        # The file as we last read it, and as our last write left it; see changed_elsewhere.
        self._read: tuple[int, ...] | None = None
        self._written: tuple[int, ...] | None = None
        # Held from our write's rename until _written records it: between the two,
        # our own file would look like another process's (the dashboard's writes
        # run in a worker thread while its watcher asks changed_elsewhere).
        self._writing = threading.Lock()
        self.gate = gate or WriteGate()

    def _identity(self) -> tuple[int, ...] | None:
        """The file's inode, size and times: an atomic write always makes a new one."""
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns

    def changed_elsewhere(self) -> bool:
        """Whether another process may have written since we last read or wrote the file.

        Our own write counts as ours only if the file was, just before it, as
        we had last seen it: a mark another terminal wrote a moment before ours
        is in the file our write leaves, and must still be read.
        """
        with self._writing:
            return self._written is None or self._identity() != self._written

    # -- reading -------------------------------------------------------------
    def _active(self) -> dict[str, Any]:
        self._read = self._identity()  # before the read: a write after it makes them differ
        try:
            return self._storage.read() or {}
        except DamagedFile:
            self._recover()
            return {}

    def _journal(self, history: bool = False) -> tuple[Summary, dict[str, Any]]:
        """The summary of the sealed segments (``history``: with its history part) and the
        active file's events not in them."""
        for _ in range(3):
            summary = self.segments.summary(history=history)
            active = self._active()
            found = generation_of(active)
            if found == summary.generation or summary.generation < 0:
                return summary, active
            if found < summary.generation:
                return summary, {}  # sealed by a writer that died before emptying the file
        return summary, active  # sealed again and again meanwhile: a busy store; this read is close

    @staticmethod
    def _parsed(docs: Iterable[dict[str, Any]], cls: type[Any]) -> list[Any]:
        found = []
        for doc in docs:
            try:
                found.append(cls.from_doc(doc))
            except (KeyError, ValueError, TypeError, AttributeError):
                continue  # one odd event must not hide the others
        found.sort(key=lambda event: event.at)
        return found

    def _all(self, table: str) -> list[Any]:
        """Every event of ``table``, oldest first: the segments', then the active file's."""
        summary, active = self._journal()
        docs = [doc for name in summary.segments for doc in docs_in_order(self.segments.read(name), table)]
        return self._parsed([*docs, *docs_in_order(active, table)], _EVENT_OF[table])

    def events(self) -> list[Mark]:
        """Every change, oldest first (the whole journal: for reports and tests, not every key)."""
        return self._all("marks")

    def events_of(self, key: str) -> list[Mark]:
        """One blueprint's changes, oldest first: only the segments that hold it are read."""
        summary, active = self._journal(history=True)
        docs = [
            doc
            for position in summary.where.get(key, ())
            for doc in docs_in_order(self.segments.read(summary.segments[position]), "marks")
            if doc.get("key") == key
        ]
        docs += [doc for doc in docs_in_order(active, "marks") if doc.get("key") == key]
        return self._parsed(docs, Mark)

    def mark_days(self, keys: Iterable[str] | None = None) -> dict[str, list[MarkDay]]:
        """Each marked blueprint's state at the end of each day it was marked, oldest first
        (``keys``: only these blueprints')."""
        summary, active = self._journal(history=True)
        wanted = None if keys is None else set(keys)
        days = {key: dict(by_day) for key, by_day in summary.days.items() if wanted is None or key in wanted}
        for mark in self._parsed(docs_in_order(active, "marks"), Mark):
            if wanted is None or mark.key in wanted:
                days.setdefault(mark.key, {})[mark.at.date().isoformat()] = mark.state.value
        found: dict[str, list[MarkDay]] = {}
        for key, by_day in days.items():
            try:
                found[key] = [
                    MarkDay(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC), State(state))
                    for day, state in sorted(by_day.items())
                ]
            except ValueError:
                continue
        return found

    def recorded(self) -> Recorded:
        """Marks, carries and runway queues, from one read of the summary and the active file."""
        summary, active = self._journal()
        latest = {mark.key: mark for mark in self._parsed(summary.latest.values(), Mark)}
        latest.update((mark.key, mark) for mark in self._parsed(docs_in_order(active, "marks"), Mark))
        carries = {(c.key, c.to): c for c in self._parsed(summary.carries.values(), Carry)}
        for carry in self._parsed(docs_in_order(active, "carries"), Carry):
            if carry.undone:
                carries.pop((carry.key, carry.to), None)
            else:
                carries[(carry.key, carry.to)] = carry
        queues = {change.cycle: change for change in self._parsed(summary.queues.values(), QueueChange)}
        queues.update((c.cycle, c) for c in self._parsed(docs_in_order(active, "runways"), QueueChange))
        return Recorded(latest, tuple(sorted(carries.values(), key=lambda c: c.at)), queues)

    def carry_events(self) -> list[Carry]:
        return self._all("carries")

    def queue_events(self) -> list[QueueChange]:
        return self._all("runways")

    def latest(self) -> dict[str, Mark]:
        """The newest mark of each blueprint key."""
        return self.recorded().latest

    # -- writing -------------------------------------------------------------
    def tidy(self) -> None:
        """Remove temp files a crashed writer left; takes the lock only when there are some."""
        if stale_temps(self.path):
            with locked(self.path, "marks"):
                remove_stale_temps(self.path)

    def record(self, key: str, state: State, previous: State, seed_state: State, via: str) -> Mark:
        """Append one change, durably, and return it."""
        mark = self.new(key, state, previous, seed_state, via)
        self.write(mark)
        return mark

    def record_unless_already(
        self, blueprint: Blueprint, state: State, via: str
    ) -> tuple[State, Mark | None]:
        """Set ``blueprint``'s state, deciding under the lock on the journal as it is then.

        Returns the effective state before, and the mark written (None when it
        already had ``state``: nothing is written).
        """
        decided: list[tuple[State, Mark | None]] = []

        def decide(summary: Summary, active: dict[str, Any]) -> Mark | None:
            newest = [m for m in self._parsed(docs_in_order(active, "marks"), Mark) if m.key == blueprint.key]
            if not newest and blueprint.key in summary.latest:
                newest = self._parsed([summary.latest[blueprint.key]], Mark)
            before = effective_state(blueprint, newest[-1] if newest else None)
            mark = None if before is state else self.new(blueprint.key, state, before, blueprint.state, via)
            if mark is not None and (why := why_no_effect(blueprint, mark)):
                raise NoEffect(why)
            decided.append((before, mark))
            return mark

        self._append(decide)
        return decided[0]

    @staticmethod
    def new(key: str, state: State, previous: State, seed_state: State, via: str, by: str = "") -> Mark:
        return Mark(key, state, previous, seed_state, now(), by or _WHO, via)

    @staticmethod
    def who() -> str:
        return _WHO

    def write(self, event: Mark | Carry | QueueChange) -> None:
        """Append ``event`` durably: under the lock, atomically."""
        self._append(lambda _summary, _active: event)

    def _append(self, decide: Callable[[Summary, dict[str, Any]], Mark | Carry | QueueChange | None]) -> None:
        """Under the lock: read the journal as it is now, append what ``decide`` gives, seal if full."""
        with locked(self.path, "marks", self.gate):
            remove_stale_temps(self.path)
            before = self._identity()
            only_ours = before in (self._read, self._written)  # None and None: there was no file yet
            try:
                active = self._storage.read() or {}
            except DamagedFile:
                self._recover(locked_already=True)
                active = {}
            summary = self.segments.summary()
            if summary.rebuilt:  # made again from the segments: keep it, so reads need not
                summary.generation = max(summary.generation, generation_of(active))
                self.segments.write(summary)
            if generation_of(active) < summary.generation:
                active = {}  # sealed already by a writer that died before emptying it
            event = decide(summary, active)
            if event is None:
                return
            table = _TABLE_OF[type(event)]
            tables = {name: dict(docs) for name, docs in active.items()}
            docs = tables.setdefault(table, {})
            docs[next_id(docs)] = event.to_doc()
            tables[META] = {"1": {"generation": max(summary.generation, generation_of(active))}}
            with self._writing:
                self._storage.write(tables)  # durable before any seal
                # Still under the lock: nobody else has written since.
                self._written = self._identity() if only_ours else None
            if event_count(tables) >= journal.SEAL_AT:
                self._seal(tables, self.segments.summary(history=True))  # a seal folds into both parts

    def _seal(self, tables: dict[str, Any], summary: Summary) -> None:
        """Move the active file's events into a segment and start it again (under the lock)."""
        try:
            sealed = self.segments.seal(tables, summary)
        except OSError:
            return  # the events stay in the active file; the next write tries again
        with self._writing:
            self._storage.write({META: {"1": {"generation": sealed.generation}}})
            self._written = self._identity() if self._written is not None else None

    def _recover(self, locked_already: bool = False) -> None:
        """Move an unreadable marks file aside (never overwrite it) and say where."""
        if not locked_already:
            with locked(self.path, "marks"):
                return self._recover(locked_already=True)
        try:
            AtomicJSONStorage(self.path).read()
            return  # another process already dealt with it
        except DamagedFile as exc:
            reason = exc.reason
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        os.replace(self.path, aside)
        self.notices.append(
            f"marks file {self.path} could not be read ({reason}); moved it to {aside} "
            f"and started with no marks; to recover, repair that file and move it back"
        )
