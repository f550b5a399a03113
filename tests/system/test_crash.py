"""Crash safety: writers killed lose no acknowledged mark and leave every file old or new.

One test stops a writer at each step of each write a mark makes (store.storage
calls ``between_steps`` there), so a write in place fails it every time; the
other kills writers at random moments, as a power cut would.

In the random one, a writer process marks blueprints one after another and prints each key only
after ``Board.mark`` returned (the write is durable then). The harness kills
it at a random moment, then checks that the marks file still parses and holds
every printed key. ``CYCLEBOARD_STRESS=1`` runs 1,000 trials instead of 24.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from store.board import MARKS_FILE, Board
from store.model import State
from tests.conftest import REPO

TRIALS = 1000 if os.environ.get("CYCLEBOARD_STRESS") else 24
BLUEPRINTS = 400

WRITER = """
import sys
from pathlib import Path
from store.board import Board
from store.model import State

board = Board(Path(sys.argv[1]), Path(sys.argv[2])).refresh()
keys = sys.argv[3:]
print("ready", flush=True)
for key in keys:
    _, mark = board.mark(key, State.IMPLEMENTED, via="crash-test")
    # acknowledged: the write returned (or there was nothing to write: already implemented)
    print(key if mark else key + "=already", flush=True)
"""


def plan(seeds) -> list[str]:
    lines = [
        '[[project]]\nid = "nova"\n',
        '[[cycle]]\nid = "stein"\nname = "Stein"\n',
        '[defaults]\ncycle = "stein"\nproject = "nova"\n',
    ]
    lines += [
        f'[[blueprint]]\nid = "bp-{i:03d}"\ntitle = "Blueprint {i}"\nstate = "approved"\n'
        for i in range(BLUEPRINTS)
    ]
    seeds.write("plan.toml", "\n".join(lines))
    return [f"stein/nova/bp-{i:03d}" for i in range(BLUEPRINTS)]


@pytest.mark.slow
def test_killed_writers_never_lose_an_acknowledged_mark(seeds, store_dir):
    keys = plan(seeds)
    Board(seeds.path, store_dir).refresh()  # build the plan cache once, outside the trials
    rng = random.Random(20261121)
    acknowledged: set[str] = set()
    writes = 0  # acknowledged writes (a key already implemented writes nothing): each must be one event
    killed_mid_write = 0
    for trial in range(TRIALS):
        batch = rng.sample(keys, 40)
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(seeds.path), str(store_dir), *batch],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
        time.sleep(rng.uniform(0, 0.05))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate(timeout=30)
        done = [line for line in out.split() if line]
        killed_mid_write += len(done) < len(batch)
        acknowledged.update(line.split("=")[0] for line in done)
        writes += sum("=already" not in line for line in done)

        raw = (store_dir / MARKS_FILE).read_text() if (store_dir / MARKS_FILE).exists() else "{}"
        json.loads(raw)  # always parses: never a half-written file
        board = Board(seeds.path, store_dir).refresh()
        assert not board.notices, f"trial {trial}: {board.notices}"
        missing = {k for k in acknowledged if board.state_of(k) is not State.IMPLEMENTED}
        assert not missing, f"trial {trial}: acknowledged marks lost: {sorted(missing)[:5]}"
        events = board.marks.events()
        assert len(events) >= writes, (
            f"trial {trial}: {writes} writes acknowledged, {len(events)} in the file"
        )
    print(
        f"{TRIALS} trials, {writes} acknowledged writes ({len(acknowledged)} keys), "
        f"{killed_mid_write} writers killed mid-batch"
    )
    assert killed_mid_write >= TRIALS // 2  # the kills really landed while marks were being written
    # Temp files a killed writer left are removed by the next write.
    Board(seeds.path, store_dir).refresh().mark(keys[0], State.BLOCKED, via="test")
    assert not list(store_dir.glob(f".{MARKS_FILE}.*.tmp"))


MARK_KILLED_AT = """
import os, sys
from pathlib import Path
import store.storage as storage
from store.board import Board
from store.model import State

seeds, store, write, step = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
board = Board(seeds, store).refresh()
written = []

def between_steps(path, name):
    if name == "temp made":
        written.append(path.name)
    if (len(written) - 1, name) == (write, step):
        os._exit(9)

storage.between_steps = between_steps
board.mark("stein/nova/bp-001", State.IMPLEMENTED, via="crash-test")
print(" ".join(written), flush=True)
"""
STEPS = ("temp made", "written", "synced", "renamed")


def _mark_killed_at(seeds, store_dir, write: int, step: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", MARK_KILLED_AT, str(seeds.path), str(store_dir), str(write), step],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


@pytest.mark.parametrize("into", ["seeds", "local"])
def test_a_mark_killed_at_each_step_of_each_write_leaves_old_files_or_new_ones(seeds, store_dir, into):
    """Not left to chance: the writer dies at every step of every file a mark writes. Each file is
    then its old text or its new one, the mark made before is kept, and the next mark lands."""
    keys = plan(seeds)
    if into == "local":
        seeds.local_only()
    Board(seeds.path, store_dir).refresh().mark(keys[0], State.IMPLEMENTED, via="test")
    before = {p: p.read_bytes() for p in (seeds.path / "plan.toml", store_dir / MARKS_FILE)}
    whole = _mark_killed_at(seeds, store_dir, -1, "never")
    assert whole.returncode == 0, whole.stderr
    files = whole.stdout.split()
    assert files == (["plan.toml", MARKS_FILE] if into == "seeds" else [MARKS_FILE])
    after = {p: p.read_bytes() for p in before}
    kills = 0
    for write, name in enumerate(files):
        for step in STEPS:
            for path, text in before.items():
                path.write_bytes(text)
            killed = _mark_killed_at(seeds, store_dir, write, step)
            assert killed.returncode == 9, f"{name} {step}: the write never reached it: {killed.stderr}"
            kills += 1
            for path in before:
                now = path.read_bytes()
                assert now in (before[path], after[path]) or (
                    path.name == MARKS_FILE and json.loads(now)  # a new text: new times, same shape
                ), f"killed at {name} {step}: {path.name} is neither its old text nor a new one"
            if (name, step) == (files[0], "renamed") and into == "seeds":
                assert b'"implemented"' in (seeds.path / "plan.toml").read_bytes().split(b"bp-001")[1][:200]
            board = Board(seeds.path, store_dir).refresh()
            assert not board.notices, f"killed at {name} {step}: {board.notices}"
            assert board.state_of(keys[0]) is State.IMPLEMENTED, f"killed at {name} {step}"
            assert board.state_of(keys[1]) in (State.APPROVED, State.IMPLEMENTED)
    assert kills == len(files) * len(STEPS)
    Board(seeds.path, store_dir).refresh().mark(keys[2], State.BLOCKED, via="test")
    left = [p.name for p in (*seeds.path.iterdir(), *store_dir.iterdir()) if p.name.endswith(".tmp")]
    assert not left, f"temp files a killed writer left: {left}"
