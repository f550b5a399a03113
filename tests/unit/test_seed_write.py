"""Writing edits into seed files: atomic at every step, serialised, made on what is on disk."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys

import pytest

from store.seed_edit import EditRefused, set_blueprint_state
from store.seed_write import SeedsReadOnly, edit_seed, undo_edit
from store.seeds import parse_text
from tests.conftest import REPO
from tests.privileges import bound_by_permissions

PLAN = '[defaults]\ncycle = "stein"\nproject = "nova"\n\n' + "".join(
    f'[[blueprint]]\nid = "bp-{n}"\ntitle = "Blueprint {n}"\nstate = "approved"\n\n' for n in range(6)
)
DAY = dt.date(2026, 12, 4)


def mark(index: int, state: str = "implemented"):
    return lambda text: set_blueprint_state(text, index, state, DAY, "tester")


def states(path) -> dict[str, str]:
    parsed = parse_text("plan.toml", path.read_bytes())
    assert parsed.ok, parsed.errors
    return {r.id: r.state.value for r in parsed.records}


@pytest.fixture
def plan(tmp_path):
    path = tmp_path / "seeds" / "plan.toml"
    path.parent.mkdir()
    path.write_text(PLAN)
    os.chmod(path, 0o664)
    return path


def test_an_edit_lands_keeps_the_mode_and_undo_puts_the_bytes_back(plan, store_dir):
    written = edit_seed(plan, "plan.toml", mark(2), store_dir)
    assert states(plan)["bp-2"] == "implemented" and stat.S_IMODE(plan.stat().st_mode) == 0o664
    undo_edit(written, "plan.toml", store_dir)
    assert plan.read_text() == PLAN
    assert [p.name for p in plan.parent.iterdir()] == ["plan.toml"]  # no temp file, no lock file left here


def test_an_edit_is_made_on_the_file_as_it_is_then_and_undo_refuses_after_a_later_change(plan, store_dir):
    written = edit_seed(plan, "plan.toml", mark(1), store_dir)
    plan.write_text(plan.read_text().replace('"Blueprint 4"', '"Blueprint 4, saved in an editor"'))
    edit_seed(plan, "plan.toml", mark(3, "blocked"), store_dir)
    text = plan.read_text()
    assert (
        "saved in an editor" in text
        and states(plan)["bp-1"] == "implemented"
        and states(plan)["bp-3"] == "blocked"
    )
    with pytest.raises(EditRefused, match="changed since"):
        undo_edit(written, "plan.toml", store_dir)
    assert plan.read_text() == text


def test_a_file_that_does_not_parse_is_never_edited(plan, store_dir):
    broken = PLAN.replace('state = "approved"', 'state = "finished"', 1)
    plan.write_text(broken)
    with pytest.raises(EditRefused, match="has errors"):
        edit_seed(plan, "plan.toml", mark(4), store_dir)
    assert plan.read_text() == broken


def test_a_file_that_cannot_be_written_is_said_to_be_read_only(plan, store_dir):
    os.chmod(plan, 0o444)
    code = (
        "import sys; from pathlib import Path; from store.seed_write import edit_seed, SeedsReadOnly\n"
        "try:\n    edit_seed(Path(sys.argv[1]), 'plan.toml', lambda t: t + '#', Path(sys.argv[2]))\n"
        "except SeedsReadOnly as exc:\n    print('read-only:', exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(plan), str(store_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        preexec_fn=bound_by_permissions(),
        timeout=60,
    )
    assert done.stdout.strip() == "read-only: plan.toml is read-only", done.stderr
    assert plan.read_text() == PLAN
    assert SeedsReadOnly.__mro__[1] is EditRefused


KILLED_AT = """
import os, sys, datetime as dt
from pathlib import Path
import store.seed_write as seed_write
import store.storage as storage
from store.seed_edit import set_blueprint_state

stop_at = sys.argv[3]
storage.between_steps = lambda path, step: os._exit(9) if (path.name, step) == ("plan.toml", stop_at) else 0
seed_write.edit_seed(
    Path(sys.argv[1]), "plan.toml",
    lambda t: set_blueprint_state(t, 0, "implemented", dt.date(2026, 12, 4), "x"), Path(sys.argv[2]),
)
os._exit(0)
"""


@pytest.mark.parametrize("step", ["temp made", "written", "synced", "renamed", "never"])
def test_a_writer_killed_at_each_step_leaves_the_old_file_or_the_new_one(plan, store_dir, step):
    old = plan.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", KILLED_AT, str(plan), str(store_dir), step], cwd=REPO, timeout=60
    )
    assert done.returncode == (0 if step == "never" else 9)
    now = plan.read_bytes()
    if step in ("renamed", "never"):
        assert states(plan)["bp-0"] == "implemented"
    else:
        assert now == old
    edit_seed(plan, "plan.toml", mark(5), store_dir)  # the next writer clears what the killed one left
    assert sorted(p.name for p in plan.parent.iterdir()) == ["plan.toml"]


KILLED_MARKING = """
import os, sys
import store.storage as storage
from tui.cli import main

stop_at = sys.argv[3]
storage.between_steps = lambda path, step: os._exit(9) if (path.name, step) == ("plan.toml", stop_at) else 0
os._exit(main(["mark", "bp-0", "done", "--seeds", sys.argv[1], "--store", sys.argv[2]]))
"""


@pytest.mark.parametrize("step", ["temp made", "written", "synced", "renamed", "never"])
def test_cycleboard_mark_killed_at_each_step_leaves_the_old_file_or_the_new_one(plan, store_dir, step):
    old = plan.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", KILLED_MARKING, str(plan.parent), str(store_dir), step],
        cwd=REPO,
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert done.returncode == (0 if step == "never" else 9), done.stderr
    if step in ("renamed", "never"):
        assert states(plan)["bp-0"] == "implemented"
    else:
        assert plan.read_bytes() == old
    # The next mark clears what the killed one left and lands.
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "mark",
            "bp-1",
            "blocked",
            "--seeds",
            str(plan.parent),
            "--store",
            str(store_dir),
        ],
        cwd=REPO,
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert states(plan)["bp-1"] == "blocked" and sorted(p.name for p in plan.parent.iterdir()) == [
        "plan.toml"
    ]


WRITER = """
import sys, datetime as dt
from pathlib import Path
from store.seed_write import edit_seed
from store.seed_edit import set_blueprint_state
index = int(sys.argv[3])
for n in range(15):
    state = ("implemented", "blocked", "started")[n % 3]
    edit_seed(
        Path(sys.argv[1]), "plan.toml",
        lambda t: set_blueprint_state(t, index, state, dt.date(2026, 12, 4), f"writer-{index}"),
        Path(sys.argv[2]),
    )
"""


def test_three_writers_on_one_file_lose_no_edit(plan, store_dir):
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(plan), str(store_dir), str(index)], cwd=REPO)
        for index in (0, 2, 4)
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    parsed = parse_text("plan.toml", plan.read_bytes())
    by_id = {r.id: r for r in parsed.records}
    for index in (0, 2, 4):
        assert len(by_id[f"bp-{index}"].history) == 15  # every edit of every writer is there
        assert by_id[f"bp-{index}"].state.value == "started"  # the last edit: n = 14
