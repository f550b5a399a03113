"""A start from the command line is on screen at once and shows how far the plan is read.

The dashboard reads the plan itself (``make_app(read_in_app=True)``, what the
command line does): the frame is up before the plan is there, a bar counts the
seed files read of all of them, and then the plan and the options asked for
(project, cycle) take over; a bad option ends the app with its message.
"""

from __future__ import annotations

import pytest

from tests.dashboard_helpers import TODAY, wait_for, write_two_projects
from tui.app import make_app
from tui.panes.blueprints import BlueprintsPane
from tui.widgets.progress import StartProgress

pytestmark = pytest.mark.anyio

FILES = 80  # enough for the parse to be shared among processes, which tell their progress


def _many_files(seeds) -> None:
    write_two_projects(seeds)
    for n in range(FILES):
        seeds.write(
            f"more/f{n:03d}.toml",
            f'[[blueprint]]\ncycle = "stein"\nproject = "cinder"\n'
            f'id = "bp-{n}"\ntitle = "Blueprint {n}"\nstate = "approved"\n',
        )


async def test_the_frame_is_up_before_the_plan_and_counts_the_files_read(seeds, store_dir, monkeypatch):
    _many_files(seeds)
    shown: list[tuple[int | None, int | None]] = []
    reading = StartProgress.reading
    monkeypatch.setattr(
        StartProgress,
        "reading",
        lambda self, done=None, total=None: shown.append((done, total)) or reading(self, done, total),
    )
    app = make_app(seeds=seeds.path, store=store_dir, today=TODAY, watch_files=False, read_in_app=True)
    assert len(app.board.plan.blueprints) == 0  # nothing read yet
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.query_one(StartProgress).has_class("-reading")
        pane = app.query_one(BlueprintsPane)
        await wait_for(pilot, lambda: app.starting is None, timeout=30)
        await pilot.pause()
        assert not app.query(StartProgress)  # gone once the plan is there
        assert app.cycle == "stein" and len(pane.rows) == FILES + 3
    total = len(list(seeds.path.rglob("*.toml")))
    counted = [done for done, of in shown if of is not None]
    assert shown[0] == (None, None)  # on the first frame: the bar is there before any count
    assert all(of == total for _, of in shown if of is not None)
    assert counted == sorted(counted) and counted[-1] == total and len(counted) >= 2


async def test_a_bad_project_ends_the_app_with_its_message_once_the_plan_is_read(seeds, store_dir):
    write_two_projects(seeds)
    app = make_app(
        seeds=seeds.path, store=store_dir, today=TODAY, watch_files=False, read_in_app=True, project="nosuch"
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: not app.is_running or app.return_code is not None, timeout=30)
    assert app.return_code == 1
    assert app.start_error.startswith("unknown project 'nosuch' (known: cinder, nova")


@pytest.mark.parametrize("option", [{"cycle": "rocky"}, {"project": "cinder"}])
async def test_the_options_asked_for_are_taken_once_the_plan_is_read(seeds, store_dir, option):
    write_two_projects(seeds)
    app = make_app(
        seeds=seeds.path, store=store_dir, today=TODAY, watch_files=False, read_in_app=True, **option
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.starting is None, timeout=30)
        if "cycle" in option:
            assert app.cycle == "rocky"
        else:
            assert app.filter_by.projects == frozenset({"cinder"}) and app.cycle == "stein"


async def test_a_read_that_breaks_ends_the_app_with_one_line_instead_of_a_bar_that_never_ends(
    seeds, store_dir, monkeypatch
):
    from store.board import Board

    write_two_projects(seeds)

    def broken(self, **_):
        raise ValueError("something unforeseen")

    monkeypatch.setattr(Board, "load", broken)
    app = make_app(seeds=seeds.path, store=store_dir, today=TODAY, watch_files=False, read_in_app=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.return_code is not None, timeout=30)
    assert app.return_code == 1 and app.start_error == "internal error: ValueError: something unforeseen"
