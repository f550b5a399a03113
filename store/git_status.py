"""How many seed files have changes git has not committed: cycleboard reads git, never drives it.

cycleboard never commits, pulls or pushes; it only says how many seed files
differ from what is committed, so that a change made in the dashboard is not
forgotten before the next ``git commit``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

_TIMEOUT_S = 5.0


def uncommitted_seed_files(seeds_dir: Path) -> int | None:
    """Seed files (``*.toml``) under ``seeds_dir`` that are modified, added, deleted or untracked.

    None when the folder is not in a git work tree or git cannot be run.
    """
    git = shutil.which("git")
    if git is None or not seeds_dir.is_dir():
        return None
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}  # a status must not take the index lock
    try:
        done = subprocess.run(  # noqa: S603 - git as found on PATH, with our own arguments
            [git, "-C", str(seeds_dir), "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", "."],
            capture_output=True,
            timeout=_TIMEOUT_S,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None  # not a work tree, or a repository git refuses (another owner's, say)
    count = 0
    entries = done.stdout.split(b"\0")
    skip_next = False
    for entry in entries:
        if skip_next:  # the source of a rename or copy
            skip_next = False
            continue
        if len(entry) < 4:
            continue
        if entry[0:1] in (b"R", b"C"):
            skip_next = True
        if entry[3:].endswith(b".toml"):
            count += 1
    return count
