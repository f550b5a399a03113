"""A damaged store: the cache is rebuilt quietly, a damaged marks file is kept and set aside.

Damage is made the ways it happens: a write cut short, another program's
bytes, valid JSON of the wrong shape, NUL-filled blocks after a power cut,
and temp files a killed writer left behind.  Each is met by the command line
(in a real process) and by the dashboard.
"""

from __future__ import annotations

import json

import pytest

from store.board import MARKS_FILE, PLAN_FILE
from tests.conftest import run_subprocess
from tests.dashboard_helpers import build, wait_for, write_two_projects
from tui.panes.blueprints import BlueprintsPane
from tui.widgets.bars import ProblemBar

pytestmark = pytest.mark.anyio

DAMAGE = {
    "truncated": lambda good: good[: len(good) // 2],
    "garbage": lambda good: b"\x89\xfe not json at all \xff" * 40,
    "wrong-shape": lambda good: b'{"marks": ["a list", "not a table"], "files": 7}',
    "zeroed": lambda good: b"\x00" * max(len(good), 512),
}
ALL_KEYS = {"stein/nova/alpha", "stein/nova/beta", "stein/cinder/gamma", "rocky/nova/delta"}


@pytest.fixture
def two(seeds):
    write_two_projects(seeds)
    seeds.local_only()  # what is tested here is the marks store itself
    return seeds


def listed(two, store_dir) -> tuple[dict[str, str], str]:
    result = run_subprocess(
        "list", "cycle:all", "--seeds", str(two.path), "--store", str(store_dir), "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return {row["key"]: row["state"] for row in json.loads(result.stdout)}, result.stderr


def a_good_marks_file(two, store_dir) -> bytes:
    result = run_subprocess(
        "mark", "stein/nova/alpha", "blocked", "--seeds", str(two.path), "--store", str(store_dir)
    )
    assert result.returncode == 0, result.stderr
    return (store_dir / MARKS_FILE).read_bytes()


@pytest.mark.parametrize("damage", DAMAGE, ids=str)
def test_a_damaged_plan_cache_is_rebuilt_without_fuss(two, store_dir, damage):
    states, _ = listed(two, store_dir)
    cache = store_dir / PLAN_FILE
    cache.write_bytes(DAMAGE[damage](cache.read_bytes()))
    again, stderr = listed(two, store_dir)
    assert again == states and set(again) == ALL_KEYS
    assert stderr == ""  # it is only a cache: nothing to tell
    assert set(json.loads(cache.read_text())) == {"meta", "files"}


@pytest.mark.parametrize("damage", DAMAGE, ids=str)
def test_the_command_line_moves_a_damaged_marks_file_aside_and_goes_on(two, store_dir, damage):
    marks = store_dir / MARKS_FILE
    damaged = DAMAGE[damage](a_good_marks_file(two, store_dir))
    marks.write_bytes(damaged)

    states, stderr = listed(two, store_dir)
    (aside,) = store_dir.glob(f"{MARKS_FILE}.damaged-*")
    assert aside.read_bytes() == damaged  # kept, byte for byte
    assert not marks.exists()
    notice = stderr.strip()
    assert notice.count("\n") == 0 and notice.startswith("cycleboard: marks file ")
    assert f"moved it to {aside}" in notice and "to recover, repair that file and move it back" in notice
    assert states["stein/nova/alpha"] == "approved"  # the seed's state: no marks any more

    result = run_subprocess(
        "mark", "stein/nova/beta", "implemented", "--seeds", str(two.path), "--store", str(store_dir)
    )
    assert result.returncode == 0 and result.stderr.startswith("cycleboard: kept locally: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert listed(two, store_dir)[0]["stein/nova/beta"] == "implemented"
    assert aside.read_bytes() == damaged and len(list(store_dir.glob(f"{MARKS_FILE}.damaged-*"))) == 1


def test_mark_on_a_damaged_marks_file_sets_it_aside_first(two, store_dir):
    marks = store_dir / MARKS_FILE
    marks.write_bytes(b'{"marks": {"1": {"key": "stein/nova/alpha", "sta')
    result = run_subprocess(
        "mark", "stein/nova/beta", "implemented", "--seeds", str(two.path), "--store", str(store_dir)
    )
    assert result.returncode == 0, result.stderr
    (aside,) = store_dir.glob(f"{MARKS_FILE}.damaged-*")
    assert aside.read_bytes() == b'{"marks": {"1": {"key": "stein/nova/alpha", "sta'
    assert f"moved it to {aside}" in result.stderr and "Traceback" not in result.stderr
    assert [doc["key"] for doc in json.loads(marks.read_text())["marks"].values()] == ["stein/nova/beta"]


def test_stale_temp_files_of_a_killed_writer_are_cleaned(two, store_dir):
    listed(two, store_dir)
    stale = [store_dir / ".plan.json.k1ll3d.tmp", store_dir / ".marks.json.x9y8z7.tmp"]
    for temp in stale:
        temp.write_text('{"half": "a wri')
    listed(two, store_dir)
    assert [t for t in stale if t.exists()] == []
    assert not list(store_dir.glob("*.tmp")) and not list(store_dir.glob(".*.tmp"))


@pytest.mark.parametrize("damage", ["truncated", "zeroed"], ids=str)
async def test_the_dashboard_sets_a_damaged_marks_file_aside_and_says_where(two, store_dir, damage):
    marks = store_dir / MARKS_FILE
    damaged = DAMAGE[damage](a_good_marks_file(two, store_dir))
    marks.write_bytes(damaged)
    (store_dir / ".marks.json.k1ll3d.tmp").write_text("half")

    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        (aside,) = store_dir.glob(f"{MARKS_FILE}.damaged-*")
        assert aside.read_bytes() == damaged
        assert not (store_dir / ".marks.json.k1ll3d.tmp").exists()
        told = [n for n in app._notifications]
        assert len(told) == 1 and str(aside) in str(told[0].message) and told[0].severity == "error"
        bar = app.query_one(ProblemBar)
        assert bar.display and f"moved it to {aside}" in str(bar.render())
        pane = app.query_one(BlueprintsPane)
        states = {row.blueprint.key: row.state.value for row in pane.rows}
        assert states["stein/nova/alpha"] == "approved"  # goes on with no marks

        pane.select_key("stein/nova/alpha")
        await pilot.press("space")
        await app.workers.wait_for_complete()
    assert aside.read_bytes() == damaged
    assert listed(two, store_dir)[0]["stein/nova/alpha"] == "implemented"


async def test_marks_damaged_while_the_dashboard_runs_are_set_aside_on_reload(two, store_dir):
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert not app._notifications
        (store_dir / MARKS_FILE).write_bytes(b"\x00" * 4096)
        reloads = app.reloads
        await pilot.press("r")
        await wait_for(pilot, lambda: app.reloads > reloads)
        (aside,) = store_dir.glob(f"{MARKS_FILE}.damaged-*")
        assert any(str(aside) in str(n.message) for n in app._notifications)
        assert len(app.query_one(BlueprintsPane).rows) == 3  # still running on the plan
