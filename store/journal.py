"""The marks journal on disk: a small active file, sealed segments, and their summary.

TinyDB rewrites its whole file on every write, so a journal kept in one file
costs more with every change (docs/performance.md).  Here:

- ``marks.json``, the active file, holds the newest events (fewer than
  :data:`SEAL_AT`) in the tables it always had (``marks``, ``carries``,
  ``runways``) and its ``generation``.  A mark reads and rewrites only it.
- When it reaches :data:`SEAL_AT` events, its events are sealed, under the
  lock: written once to ``marks.d/NNNNNN.json`` (never rewritten), then
  folded into ``marks.d/summary.json`` (the newest mark of each key, each
  key's last state per day, the carries in force, the newest queue of each
  cycle, and which segments hold each key), then the active file starts
  again, empty, with the next generation.
- A reader takes the summary and the active file.  An active file of an
  older generation than the summary names was sealed by a writer that died
  before emptying it: its events are in a segment already and are not
  counted twice.  A newer one means a seal ran between the two reads: read
  again.

A ``marks.json`` written before the journal had segments is an active file
of generation 0 with every event in it; the first write seals it whole.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.storage import AtomicJSONStorage, DamagedFile, atomic_write

SEAL_AT = 2_000
TABLES = ("marks", "carries", "runways")
META = "journal"
SUMMARY_NAME = "summary.json"


def segments_dir(active: Path) -> Path:
    return active.with_name(active.stem + ".d")


def generation_of(tables: dict[str, Any]) -> int:
    meta = tables.get(META, {}).get("1", {})
    found = meta.get("generation", 0) if isinstance(meta, dict) else 0
    return found if isinstance(found, int) else 0


def event_count(tables: dict[str, Any]) -> int:
    return sum(len(tables.get(table) or {}) for table in TABLES)


def next_id(docs: dict[str, Any]) -> str:
    """The document id after the largest integer one; ids that are not integers are kept, not counted."""
    numbers = [int(key) for key in docs if isinstance(key, str) and key.isdecimal()]
    return str(max(numbers, default=0) + 1)


def _doc_order(item: tuple[str, dict[str, Any]]) -> tuple[int, int, str]:
    key = item[0]
    return (0, int(key), "") if key.isdecimal() else (1, 0, key)


def docs_in_order(tables: dict[str, Any], table: str) -> Iterator[dict[str, Any]]:
    """A table's documents in the order they were written (integer ids), odd ids last."""
    for _, doc in sorted((tables.get(table) or {}).items(), key=_doc_order):
        if isinstance(doc, dict):
            yield doc


@dataclass
class Summary:
    """What the sealed segments add up to (see the module's docstring)."""

    generation: int = 0
    segments: list[str] = field(default_factory=list)
    events: int = 0
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)  # blueprint key -> newest mark doc
    days: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {date: last state that day}
    where: dict[str, list[int]] = field(default_factory=dict)  # key -> segment positions holding its marks
    carries: dict[str, dict[str, Any]] = field(default_factory=dict)  # "key|to" -> the carry in force
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)  # cycle -> newest queue change
    rebuilt: bool = field(default=False, compare=False)  # made again from the segments, not read

    def to_doc(self, part: tuple[str, ...]) -> dict[str, Any]:
        return {"summary": {"1": {name: getattr(self, name) for name in part}}}

    @classmethod
    def from_docs(cls, core: dict[str, Any] | None, history: dict[str, Any] | None) -> Summary:
        found = cls()
        for data, part in ((core, CORE), (history, HISTORY)):
            doc = ((data or {}).get("summary") or {}).get("1")
            if not doc:
                continue
            try:
                for name in part:
                    setattr(found, name, doc[name])
            except (KeyError, TypeError) as exc:
                raise ValueError(f"summary lacks {exc}") from None
        return found

    def copy(self) -> Summary:
        """A deep copy: a seal folds into it while the cached summary stays as its file says."""
        core, history = (json.loads(json.dumps(self.to_doc(part))) for part in (CORE, HISTORY))
        return Summary.from_docs(core, history)

    def fold(self, tables: dict[str, Any], position: int) -> None:
        """Add one sealed segment's events, in the order they happened."""
        for doc in sorted(docs_in_order(tables, "marks"), key=lambda d: str(d.get("at", ""))):
            key, at, state = doc.get("key"), doc.get("at"), doc.get("state")
            if not (isinstance(key, str) and isinstance(at, str) and isinstance(state, str)):
                continue  # an odd event must not hide the others; it stays in its segment
            newest = self.latest.get(key)
            if newest is None or str(newest.get("at", "")) <= at:
                self.latest[key] = doc
            self.days.setdefault(key, {})[at[:10]] = state
            held = self.where.setdefault(key, [])
            if not held or held[-1] != position:
                held.append(position)
        for doc in sorted(docs_in_order(tables, "carries"), key=lambda d: str(d.get("at", ""))):
            name = f"{doc.get('key')}|{doc.get('to')}"
            if doc.get("undone"):
                self.carries.pop(name, None)
            else:
                self.carries[name] = doc
        for doc in sorted(docs_in_order(tables, "runways"), key=lambda d: str(d.get("at", ""))):
            cycle = doc.get("cycle")
            if isinstance(cycle, str):
                self.queues[cycle] = doc
        self.events += event_count(tables)


# What every reader needs (a start reads it), and what only the history views do:
# each key's days and the segments holding it grow with the journal.
CORE = ("generation", "segments", "events", "latest", "carries", "queues")
HISTORY = ("days", "where")
HISTORY_NAME = "history.json"
_SEGMENTS_KEPT = 64  # parsed segments kept in memory (SEAL_AT events of JSON each)


class Segments:
    """The sealed segments and their summary beside an active file."""

    def __init__(self, active: Path) -> None:
        self.folder = segments_dir(active)
        self.summary_path = self.folder / SUMMARY_NAME
        self.history_path = self.folder / HISTORY_NAME
        self._cached: dict[Path, tuple[tuple[int, ...] | None, dict[str, Any] | None]] = {}
        self._segments: dict[str, dict[str, Any]] = {}  # segment name -> its tables, the newest asked last

    def _load(self, path: Path) -> dict[str, Any] | None:
        """A summary file as it is on disk now (read again only when it changed); None if absent."""
        try:
            found = os.stat(path)
        except OSError:
            return None
        ident = (found.st_ino, found.st_size, found.st_mtime_ns)
        cached = self._cached.get(path)
        if cached and cached[0] == ident:
            return cached[1]
        data = AtomicJSONStorage(path).read()  # DamagedFile: the caller rebuilds
        self._cached[path] = (ident, data)
        return data

    def summary(self, *, history: bool = False) -> Summary:
        """What the sealed segments add up to; ``history``: with each key's days and segments."""
        try:
            core = self._load(self.summary_path)
            if core is None:  # never sealed, or the summary was emptied or removed
                return self.rebuild() if any(self.folder.glob("[0-9]*.json")) else Summary()
            return Summary.from_docs(core, self._load(self.history_path) if history else None)
        except (DamagedFile, ValueError):
            return self.rebuild()

    def rebuild(self) -> Summary:
        """A summary made again from the segments themselves (the summary is only derived).

        Each segment names the generation of the active file it came from, so
        the active file's generation must be past the newest of them: one that
        is not was sealed by a writer that died before emptying it.
        """
        rebuilt = Summary(generation=-1, rebuilt=True)  # -1: unknown; the active file's is then current
        for position, name in enumerate(sorted(p.name for p in self.folder.glob("[0-9]*.json"))):
            tables = self.read(name)
            rebuilt.segments.append(name)
            rebuilt.fold(tables, position)
            if META in tables:
                rebuilt.generation = max(rebuilt.generation, generation_of(tables) + 1)
        return rebuilt

    def read(self, name: str) -> dict[str, Any]:
        """One sealed segment's tables; kept for the next ask (a sealed file never changes)."""
        found = self._segments.get(name)
        if found is None:
            try:
                found = AtomicJSONStorage(self.folder / name).read() or {}
            except DamagedFile:
                found = {}  # a sealed file is never rewritten; what it held is lost to reads only
            if len(self._segments) >= _SEGMENTS_KEPT:
                self._segments.pop(next(iter(self._segments)))
            self._segments[name] = found
        return found

    def seal(self, tables: dict[str, Any], summary: Summary) -> Summary:
        """Write ``tables``' events as the next segments (SEAL_AT events each) and the summary
        with them. Call under the lock."""
        self.folder.mkdir(exist_ok=True)
        sealed = summary.copy()
        for events in _chunks(tables):
            events[META] = {"1": {"generation": generation_of(tables)}}
            position = len(sealed.segments)
            name = f"{position + 1:06d}.json"
            atomic_write(
                self.folder / name, json.dumps(events, ensure_ascii=False, separators=(",", ":")).encode()
            )
            sealed.segments.append(name)
            sealed.fold(events, position)
        sealed.generation = generation_of(tables) + 1
        self.write(sealed)
        return sealed

    def write(self, summary: Summary) -> None:
        """Write the summary's two parts. Call under the lock.

        The history first: folding the same segments again (a writer that died
        before the summary) changes nothing in it. The summary's generation
        commits a seal.
        """
        self.folder.mkdir(exist_ok=True)
        for path, part in ((self.history_path, HISTORY), (self.summary_path, CORE)):
            atomic_write(
                path, json.dumps(summary.to_doc(part), ensure_ascii=False, separators=(",", ":")).encode()
            )


def _chunks(tables: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The events of ``tables`` in segments of at most SEAL_AT, in the order written.

    An active file reaches SEAL_AT and is sealed; only one written before the
    journal had segments holds more (100,000 events, say), and one segment
    that large would make reading any key's history read all of it.
    """
    items = [
        (table, doc_id, doc)
        for table in TABLES
        for doc_id, doc in sorted((tables.get(table) or {}).items(), key=_doc_order)
    ]
    for start in range(0, max(len(items), 1), SEAL_AT):
        chunk: dict[str, dict[str, Any]] = {table: {} for table in TABLES}
        for table, doc_id, doc in items[start : start + SEAL_AT]:
            chunk[table][doc_id] = doc
        yield chunk
