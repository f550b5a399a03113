"""Writing an edit into a seed file so that nobody's work is lost.

The edit is made under a lock (one per seeds folder, kept in the store so
the team's folder gains no files), on the file as it is on disk at that
moment: an editor's save or a ``git pull`` a second earlier is edited, not
overwritten.  A file that does not parse is never edited.  The new text
replaces the old atomically (a temp file beside it, fsynced, renamed over
it, the folder fsynced) and keeps the file's mode, so a crash leaves the old
file or the new one.  Undo puts the old bytes back only while the file is
still exactly what the edit left.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Set
from dataclasses import dataclass
from pathlib import Path

from store.seed_edit import EditRefused
from store.seeds import SeedUnreadable, parse_text, read_seed
from store.storage import WriteGate, atomic_write, locked, remove_stale_temps

SEEDS_LOCK = "seed-edits"  # its lock file in the store folder: seed-edits.lock


class SeedsReadOnly(EditRefused):
    """The file or its folder cannot be written by this user; the change must stay local."""


@dataclass(frozen=True)
class Written:
    """One edit as it landed: what undo needs to put the file back."""

    path: Path
    before: bytes
    after: bytes


def writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def edit_seed(
    path: Path,
    rel: str,
    edit: Callable[[str], str],
    lock_dir: Path,
    then: Callable[[Written], None] | None = None,
    clean: Set[str] = frozenset(),
    gate: WriteGate | None = None,
) -> Written:
    """Apply ``edit`` to the text of ``path`` as it is now, under the seeds lock, atomically.

    ``rel`` names the file in messages.  Raises :class:`EditRefused` (one
    line) when the file cannot be read, does not parse, or the edit cannot
    be made, and :class:`SeedsReadOnly` when it cannot be written.  ``then``
    runs still under the lock once the file is written (the journal entry, so
    that the journal keeps the order in which the seeds changed).  ``clean``:
    digests of this file's text when it was last validated without an
    error: such a text need not be validated again.  ``gate``: once closed,
    a wait for the lock ends with :class:`GaveUp` and nothing is written.
    """
    if not writable(path):
        raise SeedsReadOnly(f"{rel} is read-only")
    with locked(lock_dir / SEEDS_LOCK, "seed edits", gate):
        remove_stale_temps(path)  # a writer killed mid-write left them
        try:
            raw, found = read_seed(path)
        except SeedUnreadable as exc:
            raise EditRefused(f"{rel}: {exc}") from None
        if hashlib.sha256(raw).hexdigest() not in clean:
            parsed = parse_text(rel, raw)
            if not parsed.ok:
                first = next(e for e in parsed.errors if not e.warning)
                raise EditRefused(f"{rel} has errors ({first}); fix it before changing it here")
        text = raw.decode("utf-8")
        after = edit(text).encode("utf-8")
        _replace(path, after, stat.S_IMODE(found.st_mode))
        written = Written(path, raw, after)
        if then is not None:
            then(written)
        return written


def undo_edit(
    written: Written,
    rel: str,
    lock_dir: Path,
    then: Callable[[Written], None] | None = None,
    gate: WriteGate | None = None,
) -> None:
    """Put back the bytes ``written`` replaced, if the file is still what it left.

    ``then`` gets the reverse edit, still under the lock (see :func:`edit_seed`).
    """
    with locked(lock_dir / SEEDS_LOCK, "seed edits", gate):
        try:
            raw, found = read_seed(written.path)
        except SeedUnreadable as exc:
            raise EditRefused(f"{rel}: {exc}") from None
        if raw != written.after:
            raise EditRefused(f"{rel} changed since; the change is undone by a new one instead")
        _replace(written.path, written.before, stat.S_IMODE(found.st_mode))
        if then is not None:
            then(Written(written.path, written.after, written.before))


def _replace(path: Path, data: bytes, mode: int) -> None:
    # The temp file is hidden and does not end in .toml: neither a seed file nor a
    # change the watcher reports.
    atomic_write(path, data, mode=mode)
