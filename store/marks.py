"""The marks store: what people set on blueprints, when, and every change since.

Small and precious.  Every write happens under a lock file (so two dashboards
and the command line can write at once) and is atomic (see
:mod:`store.storage`).  A marks file that cannot be parsed is never
overwritten: it is moved aside with a timestamp and the user is told where.

Each change is one event ``{key, state, previous, seed_state, at, by, via}``;
the newest event per key is the blueprint's mark, and the events in order are
its history (which undo and the burn-up chart read).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
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
        self._events = self._db.table("marks", cache_size=0)

    # -- reading -------------------------------------------------------------
    def events(self) -> list[Mark]:
        """Every change, oldest first."""
        try:
            docs = self._events.all()
        except DamagedFile:
            self._recover()
            docs = []
        marks = []
        for doc in docs:
            try:
                marks.append(Mark.from_doc(doc))
            except (KeyError, ValueError, TypeError):
                continue  # one odd event must not hide the others
        marks.sort(key=lambda m: m.at)
        return marks

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
        return Mark(key, state, previous, seed_state, dt.datetime.now(dt.timezone.utc), _WHO, via)

    def write(self, mark: Mark) -> None:
        """Append ``mark`` durably: under the lock, atomically."""
        with locked(self.path, "marks"):
            remove_stale_temps(self.path)
            try:
                self._insert(mark)
            except DamagedFile:
                self._recover(locked_already=True)
                self._insert(mark)

    def _insert(self, mark: Mark) -> None:
        """Insert through a table opened now, under the lock.

        A TinyDB table remembers its next document id in memory; after another
        process has written, that id may be taken. A fresh table reads it from
        the file as it is now.
        """
        TinyDB(self.path, storage=AtomicJSONStorage).table("marks").insert(mark.to_doc())

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
