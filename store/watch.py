"""Watching the seeds folder and the marks file for changes made outside us.

The seeds *folder* is watched, not its files: an editor's atomic save replaces
the file, and a watch on the old file would go quiet after the first save.
Bursts are coalesced into one :class:`Changes`; the change type is ignored
(a save can arrive as added, modified or deleted-then-added).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from store.board import MARKS_FILE
from store.plan import shown_name

# watchfiles waits up to ``debounce`` ms for a burst to end, checking every
# ``step`` ms; its 1.6 s default is far slower than "updates within a second".
DEBOUNCE_MS = 150
STEP_MS = 30


@dataclass(frozen=True)
class Changes:
    seeds: bool  # a seed file was added, changed or removed
    marks: bool  # another process wrote the marks file
    # The seed files seen changing, named relative to the seeds folder; None when
    # the folder itself changed (moved, renamed, deleted): then everything is read.
    seed_files: frozenset[str] | None = frozenset()


def _filter_for(seeds_dir: Path, store_dir: Path) -> Callable[[watchfiles.Change, str], bool]:
    seeds_root = str(seeds_dir.resolve())
    marks_path = str((store_dir / MARKS_FILE).resolve())

    def wanted(_change: watchfiles.Change, path: str) -> bool:
        # The folder itself: moved, renamed or deleted (a reload then says so).
        return path in (marks_path, seeds_root) or (path.startswith(seeds_root) and path.endswith(".toml"))

    return wanted


async def watch(
    seeds_dir: Path, store_dir: Path, stop_event: asyncio.Event | None = None
) -> AsyncIterator[Changes]:
    """Yield once per burst of changes to seed files or the marks file."""
    marks_path = str((store_dir / MARKS_FILE).resolve())
    seeds_root = str(seeds_dir.resolve())
    async for batch in watchfiles.awatch(
        seeds_dir.resolve(),
        store_dir.resolve(),
        watch_filter=_filter_for(seeds_dir, store_dir),
        debounce=DEBOUNCE_MS,
        step=STEP_MS,
        stop_event=stop_event,
        ignore_permission_denied=True,
    ):
        paths = {path for _, path in batch}
        seed_paths = paths - {marks_path}
        yield Changes(
            seeds=bool(seed_paths), marks=marks_path in paths, seed_files=_names(seed_paths, seeds_root)
        )


def _names(paths: set[str], seeds_root: str) -> frozenset[str] | None:
    """Seed files' names as the plan cache knows them (``sub/x.toml``), or None for the folder itself."""
    if seeds_root in paths:
        return None
    return frozenset(shown_name(os.path.relpath(p, seeds_root).replace(os.sep, "/")) for p in paths)
