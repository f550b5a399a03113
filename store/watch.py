"""Watching the seeds folder and the marks file for changes made outside us.

The seeds *folder* is watched, not its files: an editor's atomic save replaces
the file, and a watch on the old file would go quiet after the first save.
Bursts are coalesced into one :class:`Changes`; the change type is ignored
(a save can arrive as added, modified or deleted-then-added).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

import watchfiles

from store.board import MARKS_FILE

# watchfiles waits up to ``debounce`` ms for a burst to end, checking every
# ``step`` ms; its 1.6 s default is far slower than "updates within a second".
DEBOUNCE_MS = 150
STEP_MS = 30


@dataclass(frozen=True)
class Changes:
    seeds: bool  # a seed file was added, changed or removed
    marks: bool  # another process wrote the marks file


def _filter_for(seeds_dir: Path, store_dir: Path):
    seeds_root = str(seeds_dir.resolve())
    marks_path = str((store_dir / MARKS_FILE).resolve())

    def wanted(_change: watchfiles.Change, path: str) -> bool:
        # The folder itself: moved, renamed or deleted (a reload then says so).
        return path in (marks_path, seeds_root) or (path.startswith(seeds_root) and path.endswith(".toml"))

    return wanted


async def watch(seeds_dir: Path, store_dir: Path, stop_event=None) -> AsyncIterator[Changes]:
    """Yield once per burst of changes to seed files or the marks file."""
    marks_path = str((store_dir / MARKS_FILE).resolve())
    async for batch in watchfiles.awatch(
        seeds_dir.resolve(), store_dir.resolve(),
        watch_filter=_filter_for(seeds_dir, store_dir),
        debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=stop_event,
        ignore_permission_denied=True,
    ):
        paths = {path for _, path in batch}
        yield Changes(seeds=any(p != marks_path for p in paths), marks=marks_path in paths)
