"""The cache's entries: one per seed file, with its stat, hash and parse.

An entry keeps a clean parse's records as one JSON text, and the stat that
lets the next refresh skip the file without reading it (see :func:`trusted`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store.model import KIND_OF, from_dict, to_dict
from store.seeds import ParsedFile, Reference, SeedError, SeedUnreadable, parse_text, read_seed

# A file's stat is trusted only when it was modified at least one timestamp tick
# before it was checked (see _trusted). A tick is at most a clock tick of the
# kernel where timestamps have fractions of a second, two seconds (FAT) where not.
_FINE_TICK_NS = 50_000_000
_COARSE_TICK_NS = 2_000_000_000


Stamp = tuple[int, int, int, str]  # size, mtime_ns, when it was checked (ns), sha256


JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode(parsed: ParsedFile) -> str:
    """A clean parse's records, positions and references, as one JSON text.

    Kept as text inside the entry, so that reading the cache to change one
    entry (as a dashboard does when it closes) builds one string per file,
    not 50,000 records' worth of dicts.
    """
    return JSON.encode(
        {
            "records": [{"kind": KIND_OF[type(r)], "data": to_dict(r)} for r in parsed.records],
            "positions": {k: list(v) for k, v in parsed.positions.items()},
            "references": [fields(r) for r in parsed.references],
        }
    )


def decode(path: str, good_text: str | None, errors: list[dict[str, Any]]) -> ParsedFile:
    parsed = ParsedFile(path, errors=[SeedError(**e) for e in errors])
    if good_text:
        good = json.loads(good_text)
        parsed.records = [from_dict(r["kind"], r["data"]) for r in good["records"]]
        parsed.positions = {k: tuple(v) for k, v in good["positions"].items()}
        parsed.references = [Reference(**r) for r in good["references"]]
    return parsed


def check(path: str, rel: str, old: dict[str, Any] | None) -> tuple[dict[str, Any], bool] | Changed:
    """One seed file against its cache entry: the entry to keep (and whether the
    file was read again), or the file's bytes when they must be parsed."""
    try:
        st = os.stat(path)
    except OSError:
        st = None  # read_seed below says why
    now = time.time_ns()
    if old and st and trusted(st, old["size"], old["mtime_ns"], old["checked_ns"]):
        return old, False
    try:
        raw, st = read_seed(path)
    except SeedUnreadable as exc:
        return failed(rel, old, str(exc)), True
    digest = hashlib.sha256(raw).hexdigest()
    stat = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "checked_ns": now}
    if old and old["sha256"] == digest:
        return {**old, **stat}, False
    return Changed(rel, raw, {"path": rel, "sha256": digest, **stat}, old)


@dataclass
class Changed:
    """A seed file whose bytes changed since its entry was made."""

    rel: str
    raw: bytes
    head: dict[str, Any]  # path, hash and stat of the new entry
    old: dict[str, Any] | None

    def entry(self, parsed: ParsedFile, good: str | None) -> dict[str, Any]:
        if not parsed.ok:  # a file that now fails keeps the records of its last good parse
            good = (self.old or {}).get("good")
        return {**self.head, "good": good, "errors": [fields(e) for e in parsed.errors]}


def trusted(st: os.stat_result, size: int, mtime_ns: int, checked_ns: int) -> bool:
    """Whether a file is as it was when checked, by its stat alone.

    git's rule for racily clean files: a stat proves nothing when the file was
    modified in the same timestamp tick as the check (a second write in that
    tick would look the same), so such a file is hashed.  The check's time is
    taken before the file is read, so it is never later than the cache's own
    write.  Files seconds old, as after a clone or a pull, are trusted once
    they were checked: only those saved within a tick of it are in doubt.
    """
    if st.st_size != size or st.st_mtime_ns != mtime_ns:
        return False
    tick = _COARSE_TICK_NS if mtime_ns % 1_000_000_000 == 0 else _FINE_TICK_NS
    return mtime_ns < checked_ns - tick


def reread(seeds_dir: Path, rel: str, stamps: dict[str, Stamp]) -> ParsedFile | None:
    """A file that a change in another reaches, parsed as it is on disk; None when its
    text is not the one held (it changed too, unseen so far) or it cannot be read."""
    try:
        raw, _ = read_seed(os.path.join(seeds_dir, *rel.split("/")))
    except SeedUnreadable:
        return None
    known = stamps.get(rel)
    if known is None or hashlib.sha256(raw).hexdigest() != known[3]:
        return None
    return parse_text(rel, raw)


def fields(record: object) -> dict[str, Any]:
    """A flat record's fields (texts and numbers only) as a dict.

    ``dataclasses.asdict`` deep-copies every value, which made it a large part
    of a cold start (docs/performance.md).
    """
    return dict(vars(record))


def failed(rel: str, old: dict[str, Any] | None, message: str) -> dict[str, Any]:
    """An entry for a file that could not be read: keep its last good records."""
    return {
        "path": rel,
        "sha256": "",
        "size": -1,
        "mtime_ns": -1,
        "checked_ns": 0,
        "good": (old or {}).get("good"),
        "errors": [fields(SeedError(rel, 0, 0, message))],
    }
