"""Parsing many seed files at once, shared among processes on every core."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from store.cache.entries import encode
from store.gc_pause import gc_paused
from store.seeds import ParsedFile, parse_text

# Below this many files a pool of processes costs more than it saves.
_PARALLEL_FROM = 64
# Files per piece of work, as a share of all: small enough that no one waits
# long for the last piece, large enough that handing pieces out costs little.
_PIECES_PER_WORKER = 16


def parse_all(
    files: list[tuple[str, bytes]], progress: Callable[[int], None] | None = None
) -> list[tuple[ParsedFile, str | None]]:
    """Parse seed files, and encode each clean one's records for the cache.

    When there are many (a cold start), the work is shared among processes on
    every core, this one included.  Parsing is pure Python, so threads would
    not help; the processes are spawned, not forked, because the dashboard may
    be running threads.  The files are handed out in pieces, this process
    taking them from the front and the others from the back, so that a worker
    that starts late (an interpreter to start, results to send back) simply
    takes fewer of them.
    """
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < _PARALLEL_FROM or workers < 2:
        return parse_share(files)
    tell = progress or (lambda parsed: None)
    size = max(1, len(files) // (workers * _PIECES_PER_WORKER))
    pending = deque(range(0, len(files), size))  # where each piece starts
    done: dict[int, list[Any]] = {}
    try:
        with (
            _prompt_threads(),
            ProcessPoolExecutor(
                max_workers=workers - 1, mp_context=multiprocessing.get_context("spawn")
            ) as pool,
        ):
            away: dict[
                Future[list[tuple[ParsedFile, str | None]]], int
            ] = {}  # future -> where its piece starts

            def hand_out() -> None:  # one piece running and one waiting, per worker
                while pending and len(away) < 2 * (workers - 1):
                    start = pending.pop()
                    away[pool.submit(parse_share, files[start : start + size])] = start

            hand_out()
            while pending:
                start = pending.popleft()
                done[start] = parse_share(files[start : start + size])
                for future in [f for f in away if f.done()]:
                    done[away.pop(future)] = future.result()
                tell(sum(map(len, done.values())))
                hand_out()
            for future, start in away.items():
                done[start] = future.result()
                tell(sum(map(len, done.values())))
    except (OSError, BrokenProcessPool):  # no processes to be had: do it here
        return parse_share(files)
    return [result for start in sorted(done) for result in done[start]]


@contextmanager
def _prompt_threads() -> Iterator[None]:
    """Let the pool's result thread take the interpreter within a millisecond.

    A worker's results go through a pipe that holds 64 KB; while this process
    parses, the thread reading that pipe waits for the interpreter (the
    switch interval), and the worker waits on the full pipe: much of its time
    (docs/performance.md).
    """
    was = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        yield
    finally:
        sys.setswitchinterval(was)


def parse_share(files: list[tuple[str, bytes]]) -> list[tuple[ParsedFile, str | None]]:
    with gc_paused():  # only building records: nothing for the cycle collector to find
        parsed = [parse_text(rel, raw) for rel, raw in files]
        return [(p, encode(p) if p.ok else None) for p in parsed]
