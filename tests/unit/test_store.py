"""The store: plan cache per file, marks that survive, the effective-state rule."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from store.board import Board
from store.marks import Mark, MarksStore, effective_state
from store.model import Blueprint, HistoryEntry, State
from store.plan import assemble, seed_files, seed_listing
from store.seeds import parse_file
from tests.conftest import BASE_SEED, SHIPPED

BLUEPRINTS = """
[defaults]
cycle = "stein"
project = "nova"

[[blueprint]]
id = "alpha"
title = "Alpha"
state = "approved"

[[blueprint]]
id = "beta"
title = "Beta"
state = "proposed"
"""


def make_board(seeds, store_dir) -> Board:
    return Board(seeds.path, store_dir).refresh()


def bump_mtime(path, seconds=-10):
    """Move a file's mtime away from 'now' so the cache may trust its stat."""
    stamp = path.stat().st_mtime + seconds
    os.utime(path, (stamp, stamp))


def test_cache_round_trip_equals_a_direct_parse(store_dir):
    board = Board(SHIPPED, store_dir).refresh()
    direct = assemble(parse_file(p, p.relative_to(SHIPPED).as_posix()) for p in seed_files(SHIPPED))
    reopened = Board(SHIPPED, store_dir).refresh()
    assert board.plan.blueprints == direct.blueprints == reopened.plan.blueprints
    assert reopened.plan.sessions == direct.sessions
    assert reopened.plan.cycles == direct.cycles
    assert reopened.plan.themes == direct.themes


def test_only_changed_files_are_reparsed(seeds, store_dir):
    base = seeds.write("base.toml", BASE_SEED)
    bps = seeds.write("bps.toml", BLUEPRINTS)
    bump_mtime(base)
    bump_mtime(bps)
    assert make_board(seeds, store_dir).stats.parsed == 2
    assert make_board(seeds, store_dir).stats.parsed == 0
    bps.write_text(BLUEPRINTS.replace('"Alpha"', '"Alpha 2"'))
    board = make_board(seeds, store_dir)
    assert board.stats.parsed == 1
    assert board.plan.blueprints["stein/nova/alpha"].title == "Alpha 2"


def test_damaged_plan_cache_is_rebuilt(seeds, store_dir):
    seeds.write("base.toml", BASE_SEED)
    seeds.write("bps.toml", BLUEPRINTS)
    make_board(seeds, store_dir)
    (store_dir / "plan.json").write_bytes(b'{"files": {"1": {"path": "bps.t')
    board = make_board(seeds, store_dir)
    assert board.stats.rebuilt
    assert set(board.plan.blueprints) == {"stein/nova/alpha", "stein/nova/beta"}
    json.loads((store_dir / "plan.json").read_text())  # written back whole


def test_a_failing_file_keeps_its_last_good_records(seeds, store_dir):
    seeds.write("base.toml", BASE_SEED)
    bps = seeds.write("bps.toml", BLUEPRINTS)
    make_board(seeds, store_dir)
    bps.write_text(BLUEPRINTS + '\n[[blueprint]]\nid = "gamma"\ntitle = "G"\nstate = "nonsense"\n')
    board = make_board(seeds, store_dir)
    assert set(board.plan.blueprints) == {"stein/nova/alpha", "stein/nova/beta"}
    (error,) = board.plan.problems
    assert (
        error.path.endswith("bps.toml") and error.line == 19 and "unknown state 'nonsense'" in error.message
    )


def test_marks_survive_reopen_and_record_history(seeds, store_dir):
    seeds.write("base.toml", BASE_SEED)
    seeds.write("bps.toml", BLUEPRINTS)
    board = make_board(seeds, store_dir)
    board.mark("stein/nova/alpha", State.IMPLEMENTED, via="test")
    board.mark("stein/nova/alpha", State.BLOCKED, via="test")
    reopened = make_board(seeds, store_dir)
    assert reopened.state_of("stein/nova/alpha") is State.BLOCKED
    events = [(m.key, m.previous, m.state) for m in reopened.marks.events()]
    assert events == [
        ("stein/nova/alpha", State.APPROVED, State.IMPLEMENTED),
        ("stein/nova/alpha", State.IMPLEMENTED, State.BLOCKED),
    ]
    assert not list(store_dir.glob(".marks.json.*"))  # no temp files left behind


def test_seed_state_change_after_a_mark_wins(seeds, store_dir):
    seeds.write("base.toml", BASE_SEED)
    bps = seeds.write("bps.toml", BLUEPRINTS)
    seeds.local_only()  # a mark kept locally, where the seeds cannot be written
    board = make_board(seeds, store_dir)
    board.mark("stein/nova/beta", State.IMPLEMENTED, via="test")
    # another edit to the same file that leaves beta's state alone: the mark stays
    bps.write_text(BLUEPRINTS.replace('"Alpha"', '"Alpha 2"'))
    assert make_board(seeds, store_dir).state_of("stein/nova/beta") is State.IMPLEMENTED
    # the seed now says something new about beta: the seed wins
    bps.write_text(BLUEPRINTS.replace('state = "proposed"', 'state = "deferred"'))
    assert make_board(seeds, store_dir).state_of("stein/nova/beta") is State.DEFERRED


def test_effective_state_rule():
    bp = Blueprint("c", "p", "x", "X", State.APPROVED)
    at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    mark = Mark("c/p/x", State.IMPLEMENTED, State.APPROVED, State.APPROVED, at)
    assert effective_state(bp, None) is State.APPROVED
    assert effective_state(bp, mark) is State.IMPLEMENTED
    changed = Blueprint("c", "p", "x", "X", State.BLOCKED)
    assert effective_state(changed, mark) is State.BLOCKED
    later_history = Blueprint(
        "c", "p", "x", "X", State.APPROVED, history=(HistoryEntry(dt.date(2020, 2, 1), State.APPROVED),)
    )
    assert effective_state(later_history, mark) is State.APPROVED


def test_damaged_marks_file_is_moved_aside_never_overwritten(store_dir):
    path = store_dir / "marks.json"
    garbage = b'{"marks": {"1": {"key": "a", "sta'
    path.write_bytes(garbage)
    marks = MarksStore(path)
    assert marks.latest() == {}
    (aside,) = store_dir.glob("marks.json.damaged-*")
    assert aside.read_bytes() == garbage
    assert "moved it to" in marks.notices[0] and str(aside) in marks.notices[0]
    marks.record("c/p/x", State.IMPLEMENTED, State.APPROVED, State.APPROVED, via="test")
    assert aside.read_bytes() == garbage
    assert [m.key for m in MarksStore(path).events()] == ["c/p/x"]


def test_stale_temp_files_are_cleaned_on_write(store_dir):
    stale = store_dir / ".marks.json.abc123.tmp"
    stale.write_text("half a write")
    MarksStore(store_dir / "marks.json").record(
        "c/p/x", State.BLOCKED, State.APPROVED, State.APPROVED, via="t"
    )
    assert not stale.exists()


def test_plan_cache_file_is_tinydb_json(seeds, store_dir):
    seeds.write("base.toml", BASE_SEED)
    make_board(seeds, store_dir)
    data = json.loads((store_dir / "plan.json").read_text())
    assert set(data) == {"meta", "files"}
    assert [doc["path"] for doc in data["files"].values()] == ["base.toml"]


@pytest.mark.parametrize("writers", [3])
def test_concurrent_writers_lose_nothing(store_dir, writers):
    import subprocess
    import sys

    script = (
        "import sys; from pathlib import Path\n"
        "from store.marks import MarksStore; from store.model import State\n"
        "m = MarksStore(Path(sys.argv[1]))\n"
        "for i in range(30):\n"
        "    m.record(f'c/p/{sys.argv[2]}-{i}', State.IMPLEMENTED, State.APPROVED, State.APPROVED, 'test')\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(store_dir / "marks.json"), f"w{n}"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(writers)
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert [code for code, _ in results] == [0] * writers, [err for _, err in results]
    keys = {m.key for m in MarksStore(store_dir / "marks.json").events()}
    assert len(keys) == writers * 30


def test_to_dict_gives_every_field_plainly_for_every_kind_of_record():
    """to_dict is compiled per class; it must say what a plain walk over the fields says."""
    import dataclasses
    import enum

    from store.model import from_dict, to_dict
    from store.plan import assemble

    def plain(value):
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return value

    plan = assemble(parse_file(path, path.name) for path in seed_files(SHIPPED))
    records = [
        *plan.cycles.values(),
        *plan.projects.values(),
        *plan.themes.values(),
        *plan.sessions.values(),
        *plan.blueprints.values(),
    ]
    assert {type(r).__name__ for r in records} == {"Cycle", "Project", "Theme", "Session", "Blueprint"}
    for record in records:
        data = to_dict(record)
        assert list(data) == ["key", *(f.name for f in dataclasses.fields(record))]
        assert data == {"key": record.key, **plain(record)}
        kind = type(record).__name__.lower()
        assert from_dict(kind, data) == record


def test_the_marks_file_tells_our_own_writes_from_another_processes(tmp_path):
    path = tmp_path / "marks.json"
    here, there = MarksStore(path), MarksStore(path)  # two dashboards on one store
    here.recorded()  # as a dashboard reads at start: no file yet
    here.record("stein/nova/a", State.IMPLEMENTED, State.APPROVED, State.APPROVED, "dashboard")
    assert not here.changed_elsewhere()  # what the watcher sees is our own write
    there.record("stein/nova/b", State.BLOCKED, State.APPROVED, State.APPROVED, "cli")
    assert here.changed_elsewhere()
    here.recorded()
    here.record("stein/nova/a", State.APPROVED, State.IMPLEMENTED, State.APPROVED, "dashboard")
    assert not here.changed_elsewhere()
    # Another write just before ours, not yet read here: the file ours leaves holds it too.
    there.record("stein/nova/c", State.STARTED, State.APPROVED, State.APPROVED, "cli")
    here.record("stein/nova/a", State.IMPLEMENTED, State.APPROVED, State.APPROVED, "dashboard")
    assert here.changed_elsewhere()
    assert set(here.latest()) == {"stein/nova/a", "stein/nova/b", "stein/nova/c"}


def test_our_own_write_half_done_is_not_taken_for_another_processes(tmp_path):
    """The dashboard writes in a worker thread while its watcher asks: between our rename and
    the record of what it left, the new file must not look like someone else's."""
    import threading

    store = MarksStore(tmp_path / "marks.json")
    store.recorded()
    store.record("stein/nova/a", State.IMPLEMENTED, State.APPROVED, State.APPROVED, "dashboard")
    renamed, go_on = threading.Event(), threading.Event()
    write = store._storage.write

    def write_then_wait(data: dict) -> None:
        write(data)  # the new file is in place
        renamed.set()
        go_on.wait(5)

    store._storage.write = write_then_wait
    writer = threading.Thread(
        target=store.record,
        args=("stein/nova/a", State.APPROVED, State.IMPLEMENTED, State.APPROVED, "dashboard"),
    )
    writer.start()
    assert renamed.wait(5)
    answers: list[bool] = []
    asker = threading.Thread(target=lambda: answers.append(store.changed_elsewhere()))
    asker.start()
    asker.join(0.2)  # it waits for the write to be recorded
    go_on.set()
    writer.join(5)
    asker.join(5)
    assert answers == [False]


def test_seed_files_are_listed_folder_by_folder_with_their_names_relative(tmp_path):
    for rel in ("a/x.toml", "a-b/y.toml", "a.toml", "b/c/d.toml", ".hidden.toml", "notes.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    listed = seed_listing(tmp_path)
    # As paths sort (by folder), not as strings would ("a-b/..." before "a.toml" before "a/...").
    assert [rel for _, rel in listed] == ["a/x.toml", "a-b/y.toml", "a.toml", "b/c/d.toml"]
    assert [path for path, _ in listed] == [str(tmp_path / rel) for _, rel in listed]
    assert seed_files(tmp_path) == [tmp_path / rel for _, rel in listed]
