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

import datetime as dt
import getpass
import os
import socket
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from tinydb import TinyDB

from store.model import Blueprint, State
from store.storage import AtomicJSONStorage, DamagedFile, locked, remove_stale_temps, stale_temps


@dataclass(frozen=True)
class Mark:
    key: str
    state: State
    previous: State  # the effective state before this change (what undo restores)
    seed_state: State  # the seed's state when the mark was made
    at: dt.datetime  # UTC
    by: str = ""
    via: str = ""  # "cli" or "dashboard"

    def to_doc(self) -> dict:
        doc = asdict(self)
        doc.update(state=self.state.value, previous=self.previous.value,
                   seed_state=self.seed_state.value, at=self.at.isoformat())
        return doc

    @classmethod
    def from_doc(cls, doc: dict) -> Mark:
        return cls(
            key=doc["key"], state=State(doc["state"]), previous=State(doc["previous"]),
            seed_state=State(doc["seed_state"]), at=dt.datetime.fromisoformat(doc["at"]),
            by=doc.get("by", ""), via=doc.get("via", ""),
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

    @property
    def source(self) -> str:
        """The cycle it was carried out of."""
        return self.key.split("/", 1)[0]

    @property
    def moved_key(self) -> str:
        """The blueprint's key in the cycle it moved to."""
        return f"{self.to}/{self.key.split('/', 1)[1]}"

    def to_doc(self) -> dict:
        doc = asdict(self)
        doc["at"] = self.at.isoformat()
        return doc

    @classmethod
    def from_doc(cls, doc: dict) -> Carry:
        return cls(key=doc["key"], to=doc["to"], at=dt.datetime.fromisoformat(doc["at"]),
                   by=doc.get("by", ""), via=doc.get("via", ""), undone=bool(doc.get("undone", False)))


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

    def to_doc(self) -> dict:
        def plain(entries):
            return [[key, start.isoformat() if start else None] for key, start in entries]

        return {"cycle": self.cycle, "queue": plain(self.queue), "seed": plain(self.seed),
                "at": self.at.isoformat(), "by": self.by, "via": self.via}

    @classmethod
    def from_doc(cls, doc: dict) -> QueueChange:
        def entries(raw) -> tuple[QueueEntry, ...]:
            return tuple((str(key), dt.date.fromisoformat(start) if start else None) for key, start in raw)

        return cls(cycle=doc["cycle"], queue=entries(doc["queue"]), seed=entries(doc["seed"]),
                   at=dt.datetime.fromisoformat(doc["at"]), by=doc.get("by", ""), via=doc.get("via", ""))


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
    history has an entry dated after the mark.
    """
    if mark is None or mark.seed_state != blueprint.state:
        return blueprint.state
    if blueprint.history and blueprint.history[-1].date > mark.at.date():
        return blueprint.state
    return mark.state


def _who() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is fine, it is only a label
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


_WHO = _who()


class MarksStore:
    """The marks TinyDB file; reads are fresh, writes are locked and atomic."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notices: list[str] = []  # things the user must be told (a file moved aside)
        self._db = TinyDB(path, storage=AtomicJSONStorage)
        # The file as we last read it, and as our last write left it; see changed_elsewhere.
        self._read: tuple[int, ...] | None = None
        self._written: tuple[int, ...] | None = None
        # Held from our write's rename until _written records it: between the two,
        # our own file would look like another process's (the dashboard's writes
        # run in a worker thread while its watcher asks changed_elsewhere).
        self._writing = threading.Lock()
        # Set by a dashboard that is quitting: a write still waiting for the lock stops waiting.
        self.give_up = threading.Event()

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
    def _tables(self) -> dict:
        self._read = self._identity()  # before the read: a write after it makes them differ
        try:
            return self._db.storage.read() or {}
        except DamagedFile:
            self._recover()
            return {}

    @staticmethod
    def _parsed(docs: dict | None, cls) -> list:
        found = []
        for doc in (docs or {}).values():
            try:
                found.append(cls.from_doc(doc))
            except (KeyError, ValueError, TypeError, AttributeError):
                continue  # one odd event must not hide the others
        found.sort(key=lambda event: event.at)
        return found

    def events(self) -> list[Mark]:
        """Every change, oldest first."""
        return self._parsed(self._tables().get("marks"), Mark)

    def recorded(self) -> Recorded:
        """Marks, carries and runway queues, from one read of the file."""
        tables = self._tables()
        latest = {mark.key: mark for mark in self._parsed(tables.get("marks"), Mark)}
        carries: dict[tuple[str, str], Carry] = {}
        for carry in self._parsed(tables.get("carries"), Carry):
            if carry.undone:
                carries.pop((carry.key, carry.to), None)
            else:
                carries[(carry.key, carry.to)] = carry
        queues = {change.cycle: change for change in self._parsed(tables.get("runways"), QueueChange)}
        return Recorded(latest, tuple(sorted(carries.values(), key=lambda c: c.at)), queues)

    def carry_events(self) -> list[Carry]:
        return self._parsed(self._tables().get("carries"), Carry)

    def queue_events(self) -> list[QueueChange]:
        return self._parsed(self._tables().get("runways"), QueueChange)

    def latest(self) -> dict[str, Mark]:
        """The newest mark of each blueprint key."""
        newest: dict[str, Mark] = {}
        for mark in self.events():
            newest[mark.key] = mark
        return newest

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

    @staticmethod
    def new(key: str, state: State, previous: State, seed_state: State, via: str) -> Mark:
        return Mark(key, state, previous, seed_state, now(), _WHO, via)

    @staticmethod
    def who() -> str:
        return _WHO

    def write(self, event: Mark | Carry | QueueChange) -> None:
        """Append ``event`` durably: under the lock, atomically."""
        table = _TABLE_OF[type(event)]
        with locked(self.path, "marks", self.give_up):
            remove_stale_temps(self.path)
            before = self._identity()
            only_ours = before in (self._read, self._written)  # None and None: there was no file yet
            with self._writing:
                try:
                    self._insert(table, event.to_doc())
                except DamagedFile:
                    self._recover(locked_already=True)
                    self._insert(table, event.to_doc())
                # Still under the lock: nobody else has written since.
                self._written = self._identity() if only_ours else None

    def _insert(self, table: str, doc: dict) -> None:
        """Insert through a table opened now, under the lock.

        A TinyDB table remembers its next document id in memory; after another
        process has written, that id may be taken. A fresh table reads it from
        the file as it is now.
        """
        TinyDB(self.path, storage=AtomicJSONStorage).table(table).insert(doc)

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
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        os.replace(self.path, aside)
        self._db.clear_cache()
        self.notices.append(
            f"marks file {self.path} could not be read ({reason}); moved it to {aside} "
            f"and started with no marks; to recover, repair that file and move it back"
        )


_TABLE_OF = {Mark: "marks", Carry: "carries", QueueChange: "runways"}
