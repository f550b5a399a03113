"""The planning views driven with Pilot: keys 1-4, the project filter, runways, carry-over and the report."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import ContentSwitcher

from store.board import Board
from store.model import State
from tests.conftest import SHIPPED
from tests.dashboard_helpers import build, wait_for, write_two_projects, written
from tui.panes.blueprints import BlueprintsPane
from tui.screens.details import BlueprintDetails
from tui.views.burnup import BurnupChart
from tui.views.runways import RunwayCandidates, RunwayQueue
from tui.views.timeline import RiskList, TimelineChart
from tui.widgets.bars import CycleBar

pytestmark = pytest.mark.anyio

TRAIN = """
[[cycle]]
id = "train"
name = "Train"
start = 2019-04-11
release = 2019-10-16
runway_slots = 1

[[cycle.milestone]]
name = "train-2 spec freeze"
date = 2019-07-25
kind = "spec-freeze"

[[cycle.milestone]]
name = "train-3 feature freeze"
date = 2019-09-12
kind = "feature-freeze"

[[cycle.milestone]]
name = "Cinder spec freeze"
date = 2019-06-06
kind = "spec-freeze"
project = "cinder"

[[blueprint]]
cycle = "train"
project = "nova"
id = "late"
title = "Still proposed"
state = "proposed"

[[blueprint]]
cycle = "train"
project = "cinder"
id = "vol"
title = "Cinder volume work"
state = "proposed"

[[blueprint]]
cycle = "train"
project = "nova"
id = "stuck"
title = "Blocked a while"
state = "blocked"

[[blueprint.history]]
date = 2019-07-01
state = "blocked"
"""
IN_TRAIN = dt.date(2019, 8, 1)  # after nova's spec freeze, before feature freeze


@pytest.fixture
def plan(seeds):
    write_two_projects(seeds)
    seeds.write("train.toml", TRAIN)
    return seeds


def lines_of(pane) -> list[str]:
    return [str(pane.content_of(line)) for line in pane.items]


async def test_number_keys_switch_views_and_each_takes_the_keys(plan):
    app = build(plan.path, cycle="train", today=IN_TRAIN)
    async with app.run_test(size=(120, 36)) as pilot:
        switcher = app.query_one(ContentSwitcher)
        for key, shown, focused in (
            ("2", "timeline", "risks"),
            ("3", "burnup", None),
            ("4", "runways", "runway-queue"),
            ("1", "main", "blueprints"),
        ):
            await pilot.press(key)
            assert switcher.current == shown
            assert (app.focused.id if app.focused else None) == focused
        await pilot.press("4", "tab")
        assert app.focused.id == "runway-candidates"
        await pilot.press("tab")
        assert app.focused.id == "runway-queue"


async def test_timeline_counts_down_and_lists_what_is_at_risk(plan):
    app = build(plan.path, cycle="train", today=IN_TRAIN)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        chart = str(app.query_one(TimelineChart).render())
        assert "today 2019-08-01" in chart
        assert "spec freeze 7 days ago" in chart and "feature freeze in 42 days" in chart
        assert str(app.query_one(CycleBar).render()).startswith("Timeline  ·  Train")
        risks = app.query_one(RiskList)
        assert risks.border_title == "At risk (3)"
        text = "\n".join(lines_of(risks))
        assert "still proposed after spec freeze (7 days ago)" in text  # train/nova/late
        # Cinder's blueprint is dated from cinder's own spec freeze (2019-06-06), not nova's.
        cinder = [line for line in text.splitlines() if "cinder/" in line]
        assert len(cinder) == 1 and "(56 days ago)" in cinder[0] and "(7 days ago)" not in cinder[0]
        assert "blocked for 31 days" in text
        # The project filter applies here too, to the milestones and the risks.
        app._set_query(app.filter_by.__class__(projects=frozenset({"nova"})))
        await pilot.pause()
        # One project: said once in the title, and the rows show ids alone.
        assert risks.border_title == "At risk (2) · nova"
        assert "nova/" not in "\n".join(lines_of(risks)) and "late" in "\n".join(lines_of(risks))
        assert "Cinder spec freeze" not in str(app.query_one(TimelineChart).render())
        await pilot.press("enter")
        assert isinstance(app.screen, BlueprintDetails)


async def test_burnup_draws_scope_and_done_and_follows_a_mark(plan, store_dir):
    app = build(plan.path, store_dir, cycle="stein", today=dt.date(2026, 11, 21))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        chart = app.query_one(BurnupChart)
        assert chart.chart.scope[-1] == 3 and chart.chart.done[-1] == 0
        assert "scope 3, done 0 (0%)" in str(chart.render())
        area = str(chart.render()).split("└")[0]  # the plot, above its axis and legend
        assert "░" in area and "█" not in area
        await pilot.press("1")
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.press("3")
        assert chart.chart.done[-1] == 1
        assert "scope 3, done 1 (33%)" in str(chart.render())
        assert "█" in str(chart.render()).split("└")[0]
        assert chart.chart.end == dt.date(2019, 4, 10)  # a mark made after the release shows on its last day
        assert "Feature freeze" in str(chart.render())  # milestones are marked on the axis


async def test_runway_keys_add_take_out_move_and_undo_and_the_store_keeps_them(plan, store_dir):
    app = build(plan.path, store_dir, cycle="stein")
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/alpha")
        await pilot.press("a")  # from the Blueprints pane
        await written(pilot)
        await pilot.press("4")
        queue, ready = app.query_one(RunwayQueue), app.query_one(RunwayCandidates)
        assert [line.id for line in queue.items] == ["stein/nova/alpha"]
        assert lines_of(queue)[0].startswith("runway 1")
        assert "14 days left" in lines_of(queue)[0]
        assert [line.id for line in ready.items] == ["stein/nova/beta"]  # approved or started, not queued
        await pilot.press("tab", "a")  # from the list of candidates
        await written(pilot)
        assert [line.id for line in queue.items] == ["stein/nova/alpha", "stein/nova/beta"]
        await pilot.press("shift+tab", "j", "K")  # beta up to the head
        await written(pilot)
        assert [line.id for line in queue.items] == ["stein/nova/beta", "stein/nova/alpha"]
        await pilot.press("x")  # take beta out
        await written(pilot)
        assert [line.id for line in queue.items] == ["stein/nova/alpha"]
        await pilot.press("u")
        await written(pilot)
        assert [line.id for line in queue.items] == ["stein/nova/beta", "stein/nova/alpha"]
        await pilot.press("u", "u")
        await written(pilot)
        assert [line.id for line in queue.items] == ["stein/nova/alpha"]
    again = Board(plan.path, store_dir).refresh()
    assert [key for key, _ in again.queue("stein")] == ["stein/nova/alpha"]
    assert len(again.marks.queue_events()) == 7  # four changes and three undos, each kept


async def test_runway_keys_typed_faster_than_the_writes_each_take_their_own_blueprint(
    plan, store_dir, monkeypatch
):
    import tui.planning_writes
    from tests.slow_writes import delayed

    plan.write(
        "delta.toml",
        """
        [[blueprint]]
        id = "delta"
        cycle = "stein"
        project = "nova"
        title = "Delta"
        state = "approved"
        """,
    )
    change_queue = tui.planning_writes.ChangeQueue
    monkeypatch.setattr(change_queue, "write", delayed(change_queue.write))
    app = build(plan.path, store_dir, cycle="stein")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4", "tab")
        queue, ready = app.query_one(RunwayQueue), app.query_one(RunwayCandidates)
        candidates = [line.id for line in ready.items]
        assert candidates == ["stein/nova/alpha", "stein/nova/beta", "stein/nova/delta"]
        await pilot.press("a")
        await written(pilot)
        assert ready.current_id == "stein/nova/beta"  # the next one, as the list closed up
        await pilot.press("a", "a")
        assert app.writes_in_flight()  # the second a came before the first was written
        await written(pilot)
        assert [line.id for line in queue.items] == candidates
        assert [line.id for line in ready.items] == [None]  # the note that none is left
        await pilot.press("shift+tab", "home", "x")
        await written(pilot)
        assert queue.current_id == "stein/nova/beta"
        await pilot.press("x", "x")
        assert app.writes_in_flight()
        await written(pilot)
        assert [line.id for line in queue.items] == [None]
        assert [line.id for line in ready.items] == candidates
    assert Board(plan.path, store_dir).refresh().queue("stein") == ()


async def test_c_carries_a_blueprint_into_the_next_cycle_and_u_brings_it_back(plan, store_dir):
    app = build(plan.path, store_dir, cycle="stein")
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/alpha")
        original = (plan.path / "stein.toml").read_bytes()
        await pilot.press("c")
        await written(pilot)
        # In the seeds as a team writes it: deferred in stein, proposed in train.
        assert app.board.state_of("stein/nova/alpha") is State.DEFERRED
        assert 'cycle = "train"' in (plan.path / "stein.toml").read_text()
        moved = app.board.row("train/nova/alpha")
        assert moved.state is State.PROPOSED and moved.blueprint.slipped == 1
        assert app.contents.progress["train"].total == 4
        await pilot.press("1")
        app.cycle = "train"
        app.repaint()
        await pilot.pause()
        assert pane.select_key("train/nova/alpha")
        assert "↷1 Alpha feature" in pane.render_line(pane.cursor - round(pane.scroll_y) + 1).text
        await pilot.press("u")
        await written(pilot)
        assert "train/nova/alpha" not in app.board.plan.blueprints
        assert app.board.state_of("stein/nova/alpha") is State.APPROVED
        assert (plan.path / "stein.toml").read_bytes() == original
    again = Board(plan.path, store_dir).refresh()
    assert (
        again.state_of("stein/nova/alpha") is State.APPROVED
        and "train/nova/alpha" not in again.plan.blueprints
    )


async def test_c_refuses_a_finished_blueprint_with_a_message(plan, store_dir):
    app = build(plan.path, store_dir, cycle="rocky")
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("rocky/nova/delta")
        await pilot.press("c")
        await pilot.pause()
        assert "rocky/nova/delta" in app.board.plan.blueprints
        assert any("only an unfinished blueprint" in str(n.message) for n in app._notifications)


async def test_w_saves_the_weekly_report_of_the_cycle_on_screen(plan, store_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = build(plan.path, store_dir, cycle="train", today=IN_TRAIN)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("w")
        await wait_for(pilot, lambda: app.saved_reports)
    saved = tmp_path / "cycleboard-report-train-2019-08-01.md"
    assert app.saved_reports == [saved]
    text = saved.read_text()
    assert text.startswith("# Train status report")
    assert "## At risk (3)" in text and "## Runways (1 slots)" in text


async def test_views_are_in_the_help_screen_and_the_command_palette(plan):
    app = build(SHIPPED)
    async with app.run_test(size=(120, 36)) as pilot:
        commands = [c.title.split(":")[0] for c in app.get_system_commands(app.screen)]
        for title in (
            "Timeline (2)",
            "Burn-up (3)",
            "Runways (4)",
            "Overview (1)",
            "Report (w)",
            "Carry over (c)",
            "Runway (a)",
        ):
            assert title in commands
        await pilot.press("question_mark")
        ids = {line.id for _, lines in app.screen._groups for line in lines}
        assert {
            "view-overview",
            "view-timeline",
            "view-burnup",
            "view-runways",
            "save-report",
            "carry-over",
            "runway-add",
            "runway-take-out",
            "runway-up",
            "runway-down",
            "runway-add-candidate",
        } <= ids


async def test_every_file_the_dashboard_writes_is_written_off_the_event_loop(
    plan, store_dir, tmp_path, monkeypatch
):
    """Marks, carry-overs, runway queue changes, their undo and the report: each file is written
    in a worker thread (atomic_write passes its steps through store.storage.between_steps)."""
    import threading

    import store.storage

    monkeypatch.chdir(tmp_path)
    loop_thread = threading.get_ident()
    writes: list[tuple[str, bool]] = []

    def seen(path, step):
        if step == "renamed":
            writes.append((path.name, threading.get_ident() == loop_thread))

    app = build(plan.path, store_dir, cycle="stein")  # the test reads the plan first, on this thread
    async with app.run_test(size=(120, 36)) as pilot:
        monkeypatch.setattr(store.storage, "between_steps", seen)
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/beta")
        await pilot.press("space")  # a mark
        await wait_for(pilot, lambda: not app.board.unsaved)
        pane.select_key("stein/nova/alpha")
        await pilot.press("a")  # a runway queue change
        await wait_for(pilot, lambda: app.board.queue("stein"))
        await pilot.press("c")  # a carry-over
        await wait_for(pilot, lambda: "train/nova/alpha" in app.board.plan.blueprints)
        await pilot.press("u")  # taking it back
        await wait_for(pilot, lambda: "train/nova/alpha" not in app.board.plan.blueprints)
        await pilot.press("w")  # the report
        await wait_for(pilot, lambda: app.saved_reports)
        names = [name for name, _ in writes]
        assert sum(name.endswith(".toml") for name in names) >= 4 and any(
            name.endswith(".md") for name in names
        ), names
        on_loop = [name for name, on in writes if on]
        assert not on_loop, f"written on the event loop: {on_loop}"


async def test_w_says_why_the_report_could_not_be_saved_and_the_keys_after_it_still_work(
    plan, store_dir, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cycleboard-report-train-2019-08-01.md").mkdir()  # in the way of the file
    app = build(plan.path, store_dir, cycle="train", today=IN_TRAIN)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("w")
        said = lambda: [str(n.message) for n in app._notifications]  # noqa: E731
        await wait_for(pilot, lambda: any(s.startswith("Could not save the report") for s in said()))
        assert app.saved_reports == []
        app.query_one(BlueprintsPane).select_key("train/nova/late")
        await pilot.press("a")  # the write after a refused one goes ahead
        await wait_for(pilot, lambda: [key for key, _ in app.board.queue("train")] == ["train/nova/late"])


async def test_q_waits_for_a_plan_write_in_flight(plan, store_dir):
    import time

    app = build(plan.path, store_dir, cycle="stein")
    write_queue = app.board.write_queue

    def slow(*args, **kwargs):
        time.sleep(0.5)
        return write_queue(*args, **kwargs)

    app.board.write_queue = slow
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        await pilot.press("a", "q")
        await wait_for(pilot, lambda: app.return_code is not None)
    assert (app.return_code, app.not_saved) == (0, [])
    assert [key for key, _ in Board(plan.path, store_dir).refresh().queue("stein")] == ["stein/nova/alpha"]


async def _filter(pilot, text: str) -> None:
    await pilot.press("slash", "ctrl+u", *text, "enter")


async def test_every_part_of_the_filter_applies_in_each_view_and_in_ws_report(
    plan, store_dir, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    app = build(plan.path, store_dir, cycle="train", today=IN_TRAIN)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        risks = app.query_one(RiskList)
        assert risks.border_title == "At risk (3)"
        await _filter(pilot, "-state:blocked")  # a left-out state
        assert app.current_view == "timeline"
        assert risks.border_title == "At risk (2)"
        assert "stuck" not in "\n".join(lines_of(risks))
        await _filter(pilot, "volume")  # a free word
        assert risks.border_title == "At risk (1) · cinder"
        assert lines_of(risks)[0].lstrip().startswith("vol")
        await pilot.press("3")
        chart = app.query_one(BurnupChart)
        assert chart.chart.scope[-1] == 1  # the burn-up's scope is the one blueprint the word finds
        await _filter(pilot, "owner:nobody")
        assert chart.chart.scope[-1] == 0
        await _filter(pilot, "-project:cinder")
        assert chart.chart.scope[-1] == 2
        await pilot.press("w")
        await wait_for(pilot, lambda: app.saved_reports)
    text = app.saved_reports[0].read_text()
    assert "Filtered: `-project:cinder`" in text
    assert "## Blueprints: 0 of 2 implemented" in text
    assert "## At risk (2)" in text and "cinder/vol" not in text


async def test_the_runway_lists_keep_to_the_filter(plan, store_dir):
    app = build(plan.path, store_dir, cycle="stein", today=dt.date(2018, 12, 1))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4")
        candidates = app.query_one(RunwayCandidates)
        assert len(candidates.items) == 2  # alpha (approved) and beta (started)
        await _filter(pilot, "-state:started")
        assert [str(candidates.content_of(line)).count("alpha") for line in candidates.items] == [1]
        await _filter(pilot, "category:cells")
        assert "beta" in str(candidates.content_of(candidates.items[0])) and len(candidates.items) == 1


@pytest.mark.parametrize(
    ("today", "said"), [(IN_TRAIN, "▲ today 2019-08-01"), (dt.date(2019, 3, 1), "starts in 41 days")]
)
async def test_the_burnups_axis_runs_to_the_release_with_today_and_the_freezes_drawn(plan, today, said):
    app = build(plan.path, cycle="train", today=today)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("3")
        chart = app.query_one(BurnupChart)
        drawn = str(chart.render())
        assert chart.chart.last_day == dt.date(2019, 10, 16)  # the release, not today
        assert "to 2019-10-16" in drawn and said in drawn
        plot = drawn.split("└")[0]
        assert "┊" in plot  # the freezes still ahead are drawn across the plot
        bar = str(app.query_one(CycleBar).render())
        if today == IN_TRAIN:
            assert "feature freeze in 42 days" in bar and "3 at risk" in bar
        else:
            # The cycle-wide freeze: Cinder's earlier one counts under project:cinder only.
            assert "starts in 41 days" in bar and "spec freeze in 5 months" in bar
            await pilot.press("slash", *"project:cinder", "enter")
            assert "spec freeze in 3 months" in str(app.query_one(CycleBar).render())


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_every_view_has_room_for_its_lists_and_help_and_quit_at_any_size(size):
    app = build(SHIPPED, cycle="2023.1", today=dt.date(2023, 1, 20))
    async with app.run_test(size=size) as pilot:
        for view, lists in (
            ("1", ("blueprints",)),
            ("2", ("risks",)),
            ("3", ()),
            ("4", ("runway-queue", "runway-candidates")),
        ):
            await pilot.press(view)
            await pilot.pause()
            for name in lists:
                # What takes the keys can be seen: no list with no height is focused.
                assert app.query_one(f"#{name}").region.height >= 4, (view, name)
                assert app.focused is not None and app.focused.region.height > 0
                await pilot.press("tab")
            tabs = app.query_one("#pane-tabs")
            assert tabs.display is (view == "1" and size[0] < 100)
            shown = [
                app.get_key_display(a.binding) for a in app.screen.active_bindings.values() if a.binding.show
            ]
            assert shown[:2] == ["?", "q"], shown
        await pilot.press("4")
        candidates = app.query_one(RunwayCandidates)
        assert candidates.region.width >= size[0] - 2 if size[0] < 100 else candidates.region.width < 100


async def _palette(pilot, typed: str) -> None:
    await pilot.press("ctrl+p", *typed)
    await wait_for(
        pilot,
        lambda: (
            pilot.app.screen.query("CommandList") and pilot.app.screen.query_one("CommandList").option_count
        ),
    )
    await pilot.pause(0.3)  # every provider has answered


@pytest.mark.slow
async def test_the_palette_finds_commands_by_their_words_and_jumps_to_cycles_projects_and_blueprints(plan):
    app = build(SHIPPED, cycle="kilo")
    async with app.run_test(size=(120, 36)) as pilot:
        await _palette(pilot, "weekly")
        first = app.screen.query_one("CommandList").get_option_at_index(0)
        assert "Report (w)" in str(first.prompt)
        await pilot.press("escape")
        await _palette(pilot, "antelope")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.cycle == "2023.1")
        await _palette(pilot, "project cinder")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.filter_by.projects == {"cinder"})
        await pilot.press("slash", "ctrl+u", "enter")
        await _palette(pilot, "open fqdn")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BlueprintDetails))
        assert app.screen.key == "2023.1/nova/fqdn-in-hostname"


async def test_the_timeline_and_the_report_show_a_cycles_notes_as_written(seeds, store_dir):
    from store.report import render

    seeds.write(
        "plan.toml",
        '[[project]]\nid = "nova"\n\n[[cycle]]\nid = "walrus"\nstart = 2026-09-01\nrelease = 2027-03-01\n\n'
        '[[cycle.note]]\ndate = 2026-11-20\ntext = "14 approved: 3 done, 2 [bold]blocked[/bold]"\n\n'
        '[[cycle.note]]\ntext = "An undated count"\n',
    )
    app = build(seeds.path, store_dir, today=dt.date(2026, 12, 1))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        chart = str(app.query_one(TimelineChart).render()).splitlines()
        assert chart[-2:] == [
            "Note: An undated count",
            "Note (2026-11-20): 14 approved: 3 done, 2 [bold]blocked[/bold]",
        ]
    board = Board(seeds.path, store_dir).refresh()
    report = render(board, "walrus", None, dt.date(2026, 12, 1))
    assert "- Note (2026-11-20): 14 approved: 3 done, 2 \\[bold\\]blocked\\[/bold\\]" in report
