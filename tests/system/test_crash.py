"""Crash safety: writers killed with SIGKILL at random moments lose no acknowledged mark.

A writer process marks blueprints one after another and prints each key only
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
