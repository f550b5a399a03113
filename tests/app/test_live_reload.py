"""Live reload with the real watchfiles watcher: saves, atomic renames, errors, marks from elsewhere."""

from __future__ import annotations

import asyncio
import os

import pytest

from store.model import State
from tests.conftest import cache_text_within, run_subprocess
from tests.dashboard_helpers import build, wait_for, write_two_projects
from tui.panes.blueprints import BlueprintsPane
from tui.widgets.bars import ProblemBar

pytestmark = pytest.mark.anyio

# Generous so a loaded CI machine does not fail; the benchmark measures the real delay.
PATIENCE = 10.0


@pytest.fixture
def two(seeds):
    write_two_projects(seeds)
    return seeds


async def started(app, pilot):
    """Wait until the watcher is running, so no change is missed."""
    await wait_for(pilot, lambda: any(w.group == "watch" and w.is_running for w in app.workers))
    await pilot.pause(0.3)  # the watcher's first scan


def title_of(app, key):
    return app.board.plan.blueprints[key].title


async def test_saving_a_seed_in_place_updates_the_panes_keeping_cycle_cursor_and_filter(two, store_dir):
    app = build(two.path, store_dir, filter_text="project:nova", watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/beta")
        stein = two.path / "stein.toml"
        with open(stein, "r+", encoding="utf-8") as handle:  # in place: same inode
            text = handle.read().replace('"Beta feature"', '"Beta, saved in place"')
            handle.seek(0)
            handle.write(text)
            handle.truncate()
        await wait_for(pilot, lambda: pane.current.blueprint.title == "Beta, saved in place", PATIENCE)
        assert app.cycle == "stein" and str(app.filter_by) == "project:nova"
        assert pane.current_key == "stein/nova/beta"
        assert app.board.stats.parsed == 1  # only the saved file was read again
    # The re-read file reaches the plan cache: a process of its own writes it as the dashboard closes.
    assert await asyncio.to_thread(cache_text_within, store_dir, '"Beta, saved in place"')


async def test_an_editors_atomic_rename_is_seen_again_and_again(two, store_dir):
    app = build(two.path, store_dir, watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        stein = two.path / "stein.toml"
        original = stein.read_text()
        for n in range(3):  # a watch on the file itself would go quiet after the first
            temp = two.path / f".stein.toml.swp{n}"
            temp.write_text(original.replace('title = "Gamma', f'title = "{n} Gamma'), encoding="utf-8")
            os.replace(temp, stein)
            await wait_for(
                pilot, lambda n=n: title_of(app, "stein/cinder/gamma").startswith(f"{n} Gamma"), PATIENCE
            )


async def test_a_broken_seed_shows_file_and_line_keeps_the_data_and_clears_when_fixed(two, store_dir):
    app = build(two.path, store_dir, watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        bar = app.query_one(ProblemBar)
        assert not bar.display
        stein = two.path / "stein.toml"
        good = stein.read_text()
        stein.write_text(good.replace('state = "started"', 'state = "finished"'))
        await wait_for(pilot, lambda: bar.display, PATIENCE)
        shown = str(bar.render())
        line = good.splitlines().index('state = "started"') + 1
        assert f"stein.toml:{line}:" in shown and "unknown state 'finished'" in shown
        assert "stein/nova/beta" in app.board.plan.blueprints  # the last good data stays
        assert len(app.query_one(BlueprintsPane).rows) == 3
        stein.write_text(good)
        await wait_for(pilot, lambda: not bar.display, PATIENCE)


async def test_a_seed_fixed_back_to_the_text_the_dashboard_wrote_clears_the_error(two, store_dir):
    """Undoing a break (git checkout, an editor's undo) can give back, byte for byte, a
    text the dashboard wrote itself: that read brings nothing new to the rows, but the
    error shown meanwhile must go."""
    app = build(two.path, store_dir, watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        bar = app.query_one(ProblemBar)
        stein = two.path / "stein.toml"
        app.query_one(BlueprintsPane).select_key("stein/cinder/gamma")
        await pilot.press("space")
        await wait_for(pilot, lambda: 'state = "implemented"' in stein.read_text(), PATIENCE)
        ours = stein.read_bytes()
        await pilot.pause(0.5)  # read back
        stein.write_bytes(ours.replace(b'state = "implemented"', b'state = "finished"'))
        await wait_for(pilot, lambda: bar.display, PATIENCE)
        stein.write_bytes(ours)
        await wait_for(pilot, lambda: not app.board.plan.problems, PATIENCE)
        await wait_for(pilot, lambda: not bar.display, PATIENCE)
        assert app.board.state_of("stein/cinder/gamma") is State.IMPLEMENTED


async def test_a_teammates_edit_taken_back_to_the_text_the_dashboard_wrote_is_redrawn(two, store_dir):
    app = build(two.path, store_dir, watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        pane = app.query_one(BlueprintsPane)
        stein = two.path / "stein.toml"
        pane.select_key("stein/cinder/gamma")
        await pilot.press("space")
        await wait_for(pilot, lambda: 'state = "implemented"' in stein.read_text(), PATIENCE)
        ours = stein.read_bytes()
        await pilot.pause(0.5)  # read back

        def gamma_line() -> str:
            return pane.render_line(pane.cursor - round(pane.scroll_y) + 1).text

        assert "Gamma" in gamma_line() and "Renamed" not in gamma_line()
        stein.write_bytes(ours.replace(b'title = "Gamma', b'title = "Renamed gamma'))
        await wait_for(pilot, lambda: "Renamed" in gamma_line(), PATIENCE)
        stein.write_bytes(ours)  # the teammate's edit taken back: our text again, byte for byte
        await wait_for(pilot, lambda: "Renamed" not in gamma_line(), PATIENCE)


async def test_a_mark_from_another_terminal_shows_up(two, store_dir):
    app = build(two.path, store_dir, watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/cinder/gamma")
        done = run_subprocess("mark", "gamma", "done", "--seeds", str(two.path), "--store", str(store_dir))
        assert done.returncode == 0, done.stderr
        await wait_for(pilot, lambda: pane.current.state is State.IMPLEMENTED, PATIENCE)
        assert app.contents.counts[State.IMPLEMENTED] == 1


async def test_an_old_plans_index_goes_once_a_saved_file_replaced_it(two, store_dir):
    """Each save makes a new index; a finished background job must not keep the old one
    (frozen out of the collector's way, it would never go: memory grew with every save)."""
    import weakref

    app = build(two.path, store_dir, watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        stein, olds = two.path / "stein.toml", []
        for n in range(3):
            await wait_for(pilot, lambda: not any(w.group == "prepare" and w.is_running for w in app.workers))
            olds.append(weakref.ref(app.board.index))  # no strong reference kept here
            stein.write_text(
                stein.read_text(encoding="utf-8").replace('"Beta', f'"Beta {n}', 1), encoding="utf-8"
            )
            await wait_for(pilot, lambda: app.board.index is not olds[-1](), PATIENCE)
        await wait_for(pilot, lambda: not any(w.group == "prepare" and w.is_running for w in app.workers))
        await pilot.pause()
        assert [ref() is None for ref in olds] == [True, True, True]


async def test_the_dashboards_own_marks_kept_locally_are_not_read_back(two, store_dir):
    """A mark made here is already shown; the watcher seeing its write must not start a reload.
    (A mark from another terminal is: see test_a_mark_from_another_terminal_shows_up.)"""
    two.local_only()
    app = build(two.path, store_dir, watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/cinder/gamma")
        reloads, first = app.reloads, pane.current.state
        for _ in range(3):
            before = pane.current.state
            await pilot.press("space")
            await wait_for(
                pilot, lambda before=before: pane.current.state is not before and app.board.unsaved == 0
            )
        await pilot.pause(1.0)  # well past the watcher's debounce
        assert app.reloads == reloads
        assert pane.current.state is not first  # three toggles: the other state


async def test_a_mark_written_into_the_seeds_comes_back_without_a_second_redraw(two, store_dir):
    """The seeds are the truth: the dashboard reads its own write back, as it reads a teammate's,
    but what it shows already says it, so nothing is drawn again and the cursor stays."""
    app = build(two.path, store_dir, watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        drawn = []
        render = app.repaint
        app.repaint = lambda *args, **kwargs: (drawn.append(1), render(*args, **kwargs))[1]
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/cinder/gamma")
        for expected in (State.IMPLEMENTED, State.PROPOSED):
            reloads = app.reloads
            drawn.clear()
            await pilot.press("space")
            assert pane.current.state is expected  # at once
            await wait_for(
                pilot, lambda reloads=reloads: app.reloads > reloads
            )  # read back from the seed file
            await pilot.pause(0.3)
            assert len(drawn) == 1, "the reload of our own write drew again"
            assert pane.current.blueprint.key == "stein/cinder/gamma" and pane.current.state is expected
            assert app.board.row("stein/cinder/gamma").blueprint.state is expected  # the seed says it now
        assert f'state = "{State.PROPOSED.value}"' in (two.path / "stein.toml").read_text()


@pytest.mark.parametrize("how", ["renamed", "deleted"])
async def test_a_vanished_seeds_folder_keeps_the_last_data_and_the_cache_and_recovers(
    two, store_dir, tmp_path, how
):
    import shutil

    app = build(two.path, store_dir, watch_files=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await started(app, pilot)
        app.board.persist()
        cache_before = (store_dir / "plan.json").read_bytes()
        shown = len(app.board.plan.blueprints)
        bar = app.query_one(ProblemBar)
        aside = tmp_path / "moved-away"
        if how == "renamed":
            os.rename(two.path, aside)
        else:
            shutil.copytree(two.path, aside)
            shutil.rmtree(two.path)
        await wait_for(pilot, lambda: bar.display, PATIENCE)
        assert "seeds folder is missing" in str(bar.render())
        await pilot.press("r")  # asking again changes nothing
        await pilot.pause(0.3)
        assert len(app.board.plan.blueprints) == shown and shown > 0
        assert len(app.query_one(BlueprintsPane).rows) > 0
        assert (store_dir / "plan.json").read_bytes() == cache_before
        os.rename(aside, two.path)  # back, as it was or as a new folder
        await wait_for(pilot, lambda: not bar.display, PATIENCE)
        stein = two.path / "stein.toml"  # and it is watched again
        stein.write_text(stein.read_text().replace('"Beta feature"', '"Beta, back"'))
        await wait_for(pilot, lambda: title_of(app, "stein/nova/beta") == "Beta, back", PATIENCE)


async def test_the_watcher_names_the_seed_files_that_changed_and_not_the_marks_file(tmp_path):
    import anyio

    from store.board import MARKS_FILE
    from store.watch import watch

    seeds, store = tmp_path / "seeds", tmp_path / "store"
    (seeds / "sub").mkdir(parents=True)
    store.mkdir()
    stop = anyio.Event()
    seen = []

    async def collect() -> None:
        async for changes in watch(seeds, store, stop_event=stop):
            seen.append(changes)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(collect)
        await anyio.sleep(0.5)  # the watcher's first scan
        (seeds / "sub" / "a.toml").write_text("# a\n")
        (seeds / "b.toml").write_text("# b\n")
        (store / MARKS_FILE).write_text("{}")
        with anyio.fail_after(PATIENCE):
            while not (
                any(c.marks for c in seen)
                and set().union(*(c.seed_files for c in seen)) == {"sub/a.toml", "b.toml"}
            ):
                await anyio.sleep(0.05)
        assert all(c.seeds == bool(c.seed_files) for c in seen)
        stop.set()
