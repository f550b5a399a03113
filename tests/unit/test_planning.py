"""Planning in the store: runway queues, carry-over, countdowns, risks and the burn-up."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from store import runways
from store.board import Board
from store.burnup import burnup
from store.model import Cycle, Milestone, MilestoneKind, State
from store.query import QueryError
from store.timeline import countdown, milestone_countdown, risk
from tests.conftest import BASE_SEED, SHIPPED

TWO_CYCLES = (
    BASE_SEED
    + """
[[cycle]]
id = "train"
start = 2019-04-11
release = 2019-10-16
runway_slots = 2

[[blueprint]]
id = "a"
cycle = "stein"
project = "nova"
title = "A"
state = "approved"

[[blueprint]]
id = "b"
cycle = "stein"
project = "nova"
title = "B"
state = "implemented"

[[blueprint]]
id = "q1"
cycle = "train"
project = "nova"
title = "Q1"
state = "approved"

[[blueprint]]
id = "q2"
cycle = "train"
project = "nova"
title = "Q2"
state = "approved"

[[blueprint]]
id = "q3"
cycle = "train"
project = "nova"
title = "Q3"
state = "approved"

[[runway]]
cycle = "train"
blueprint = "q1"
start = 2019-06-03

[[runway]]
cycle = "train"
blueprint = "nova/q2"
"""
)


@pytest.fixture
def board(seeds, store_dir):
    seeds.write("plan.toml", TWO_CYCLES)
    return Board(seeds.path, store_dir).refresh()


# -- runways ----------------------------------------------------------------------
def test_seed_runways_make_the_queue_in_file_order_with_the_cycles_slot_count(board):
    assert board.plan.cycles["train"].runway_slots == 2
    assert board.plan.cycles["stein"].runway_slots == 3  # the default
    assert board.queue("train") == (("train/nova/q1", dt.date(2019, 6, 3)), ("train/nova/q2", None))
    places = runways.places(board.queue("train"), 2)
    assert [(p.slot, p.position) for p in places] == [(1, 1), (2, 2)]
    assert places[0].ends == dt.date(2019, 6, 17)
    assert places[0].status(dt.date(2019, 6, 10)) == "7 days left"
    assert places[0].status(dt.date(2019, 6, 17)) == "ends today"
    assert places[0].status(dt.date(2019, 6, 20)) == "ended 3 days ago"
    assert places[1].status(dt.date(2019, 6, 10)) == "in a runway, start not given"


def test_queue_changes_fill_free_runways_from_today_and_send_the_displaced_back_to_wait():
    today = dt.date(2019, 7, 1)
    queue = (("k/a", dt.date(2019, 6, 3)),)
    queue = runways.added(queue, "k/b", 2, today)
    assert queue == (("k/a", dt.date(2019, 6, 3)), ("k/b", today))  # a runway was free
    queue = runways.added(queue, "k/c", 2, today)
    assert queue[-1] == ("k/c", None)  # both runways taken: it waits
    assert runways.added(queue, "k/c", 2, today) == queue  # once only
    later = dt.date(2019, 7, 8)
    after = runways.removed(queue, "k/a", 2, later)
    assert after == (("k/b", today), ("k/c", later))  # the next one starts the day a runway frees
    moved = runways.moved(queue, "k/c", 1, 2, later)
    assert moved == (("k/a", dt.date(2019, 6, 3)), ("k/c", later), ("k/b", None))
    assert runways.moved(moved, "k/a", 5, 2, later) == moved  # already at the head
    assert runways.moved(moved, "k/b", -1, 2, later) == moved  # already at the end


def test_a_queue_change_is_stored_with_history_and_the_seeds_win_when_they_change(board, seeds, store_dir):
    seeds.local_only()  # kept locally: the journal holds the queue
    before = board.queue("train")
    after = runways.added(before, "train/nova/q3", 2, dt.date(2019, 7, 1))
    board.set_queue("train", after, via="dashboard")
    again = Board(seeds.path, store_dir).refresh()  # another process reads it from the marks file
    assert again.queue("train") == after
    assert [change.queue for change in again.marks.queue_events()] == [after]
    # The team edits the seed queue afterwards: the seeds changed later, so they win.
    text = (seeds.path / "plan.toml").read_text()
    seeds.write("plan.toml", text.replace('blueprint = "nova/q2"', 'blueprint = "q3"'))
    again.refresh()
    assert again.queue("train") == (("train/nova/q1", dt.date(2019, 6, 3)), ("train/nova/q3", None))


def test_a_queue_change_is_written_into_the_seed_tables_and_undone_byte_for_byte(board, seeds, store_dir):
    plan = seeds.path / "plan.toml"
    original = plan.read_bytes()
    today = dt.date(2019, 7, 1)
    added = runways.added(board.queue("train"), "train/nova/q3", 2, today)
    change, written = board.set_queue("train", added, via="dashboard")
    assert written is not None and change.where == "plan.toml"
    again = Board(seeds.path, store_dir).refresh()  # read from the seed file, not the journal
    assert again.queue("train") == added and again.seed_plan.runways
    assert runways.seed_queue(again.seed_plan, "train") == added
    text = plan.read_text()
    assert text.startswith(original.decode()) and 'blueprint = "nova/q3"' in text  # appended, the rest kept
    # The head moves back: the tables move, each keeps its own text; starts follow the slots.
    moved = runways.moved(added, "train/nova/q3", 2, 2, today)
    _, second = board.set_queue("train", moved, via="dashboard")
    assert runways.seed_queue(Board(seeds.path, store_dir).refresh().seed_plan, "train") == moved
    # Undo right after: the file is put back byte for byte, twice.
    board.set_queue("train", added, via="dashboard", restore=second)
    board.set_queue("train", board.queue("train"), via="dashboard", restore=written)
    assert plan.read_bytes() == original
    assert [e.where for e in again.marks.queue_events()] == ["plan.toml"] * 4


def test_runway_seed_errors_point_at_the_key(seeds, store_dir):
    seeds.write(
        "plan.toml",
        TWO_CYCLES
        + """
[[runway]]
cycle = "train"
blueprint = "missing"

[[runway]]
cycle = "train"
blueprint = "stein/nova/a"
""",
    )
    seeds.write(
        "more.toml",
        """
[[runway]]
cycle = "train"
blueprint = "q3"
start = "2019-06-01"
""",
    )
    text = (seeds.path / "plan.toml").read_text().splitlines()
    board = Board(seeds.path, store_dir).refresh()
    messages = {e.message: (e.line, e.col) for e in board.plan.problems}
    missing = next(m for m in messages if "unknown blueprint 'missing'" in m)
    assert text[messages[missing][0] - 1] == 'blueprint = "missing"'
    other = next(m for m in messages if "is in cycle 'stein', not 'train'" in m)
    assert text[messages[other][0] - 1] == 'blueprint = "stein/nova/a"'
    assert any("'start' must be a date, not a string" in m for m in messages)
    assert len(board.queue("train")) == 2  # the bad entries are left out, the good ones stay
    assert board.queue("train")[-1][0] == "train/nova/q2"


@pytest.mark.parametrize("slots, expected", [("0", "from 1 to 20"), ('"3"', "must be a whole number")])
def test_runway_slots_must_be_a_sensible_whole_number(seeds, store_dir, slots, expected):
    seeds.write(
        "plan.toml",
        BASE_SEED.replace("release = 2019-04-10", f"release = 2019-04-10\nrunway_slots = {slots}"),
    )
    board = Board(seeds.path, store_dir).refresh()
    lines = (seeds.path / "plan.toml").read_text().splitlines()
    found = [e for e in board.plan.problems if expected in e.message]
    assert found and lines[found[0].line - 1] == f"runway_slots = {slots}"


# -- carry-over -------------------------------------------------------------------
def test_carry_moves_an_unfinished_blueprint_into_the_next_cycle_and_undo_brings_it_back(
    board, seeds, store_dir
):
    seeds.local_only()  # kept locally: the journal holds the carry
    carry, written = board.carry("stein/nova/a", via="dashboard")
    assert written is None
    assert carry.to == "train"
    assert "stein/nova/a" not in board.plan.blueprints
    moved = board.plan.blueprints["train/nova/a"]
    assert moved.state is State.PROPOSED and moved.slipped == 1
    assert moved.history[-1].state is State.PROPOSED
    assert board.state_of("train/nova/a") is State.PROPOSED
    assert board.tally["train"][State.PROPOSED] == 1 and board.tally["stein"][State.APPROVED] == 0
    # The seed file is untouched; another process sees the carry from the marks file.
    assert "stein/nova/a" in Board(seeds.path, store_dir).refresh().seed_plan.blueprints
    assert "train/nova/a" in Board(seeds.path, store_dir).refresh().plan.blueprints
    board.uncarry(carry, via="dashboard")
    assert board.state_of("stein/nova/a") is State.APPROVED
    assert "train/nova/a" not in board.plan.blueprints
    again = Board(seeds.path, store_dir).refresh()
    assert "stein/nova/a" in again.plan.blueprints and not again.carries
    assert [c.undone for c in again.marks.carry_events()] == [False, True]


def test_carry_in_the_seeds_defers_it_and_proposes_it_in_the_next_cycle_and_undo_takes_it_back(
    board, seeds, store_dir
):
    plan = seeds.path / "plan.toml"
    original = plan.read_bytes()
    carry, written = board.carry("stein/nova/a", via="dashboard")
    assert carry.to == "train" and carry.where == "plan.toml" and written is not None
    for seen in (board, Board(seeds.path, store_dir).refresh()):  # at once, and read from the file
        assert seen.state_of("stein/nova/a") is State.DEFERRED
        moved = seen.plan.blueprints["train/nova/a"]
        assert (moved.state, moved.slipped, moved.history[-1].state) == (State.PROPOSED, 1, State.PROPOSED)
        assert seen.tally["train"][State.PROPOSED] == 1 and seen.tally["stein"][State.APPROVED] == 0
    assert "train/nova/a" in Board(seeds.path, store_dir).refresh().seed_plan.blueprints
    # Undo right after: byte for byte.
    board.uncarry(carry, via="dashboard", state=State.APPROVED, written=written)
    assert plan.read_bytes() == original
    again = Board(seeds.path, store_dir).refresh()
    assert again.state_of("stein/nova/a") is State.APPROVED and "train/nova/a" not in again.plan.blueprints
    assert [(c.undone, c.where) for c in again.marks.carry_events()] == [
        (False, "plan.toml"),
        (True, "plan.toml"),
    ]


def test_undoing_a_carry_after_other_edits_keeps_them(board, seeds, store_dir):
    plan = seeds.path / "plan.toml"
    carry, written = board.carry("stein/nova/a", via="dashboard")
    edited = plan.read_text().replace('title = "B"', 'title = "B, renamed by a teammate"')
    plan.write_text(edited)
    board.refresh()
    board.uncarry(carry, via="dashboard", state=State.APPROVED, written=written)
    again = Board(seeds.path, store_dir).refresh()
    assert again.state_of("stein/nova/a") is State.APPROVED and "train/nova/a" not in again.plan.blueprints
    assert again.plan.blueprints["stein/nova/b"].title == "B, renamed by a teammate"
    assert not again.plan.problems


def test_carry_refuses_what_cannot_move(board):
    with pytest.raises(QueryError, match="implemented: only an unfinished blueprint"):
        board.carry("stein/nova/b", via="cli")
    with pytest.raises(QueryError, match="no cycle after train"):
        board.carry("train/nova/q1", via="cli")
    assert not board.carries and not board.marks.carry_events()


@pytest.mark.parametrize("into", ["seeds", "local"])
def test_a_carried_blueprint_counts_every_cycle_it_slipped(seeds, store_dir, into):
    seeds.write(
        "plan.toml",
        TWO_CYCLES
        + """
[[cycle]]
id = "ussuri"
start = 2019-10-17
release = 2020-05-13
""",
    )
    if into == "local":
        seeds.local_only()
    board = Board(seeds.path, store_dir).refresh()
    board.carry("stein/nova/a", via="cli")
    board.refresh()
    board.carry("train/nova/a", via="cli")
    assert board.plan.blueprints["ussuri/nova/a"].slipped == 2
    assert Board(seeds.path, store_dir).refresh().plan.blueprints["ussuri/nova/a"].slipped == 2


# -- timeline ---------------------------------------------------------------------
def test_countdowns_read_like_a_schedule():
    today = dt.date(2019, 1, 10)
    assert countdown(dt.date(2019, 1, 22), today) == "in 12 days"
    assert countdown(dt.date(2019, 1, 7), today) == "3 days ago"
    assert countdown(dt.date(2019, 1, 11), today) == "in 1 day"
    assert countdown(today, today) == "today"
    assert countdown(dt.date(2018, 1, 10), today) == "12 months ago"
    assert countdown(dt.date(2026, 1, 10), today) == "in 7 years"
    spec = Milestone("stein-1", dt.date(2019, 1, 22), MilestoneKind.SPEC_FREEZE)
    assert milestone_countdown(spec, today) == "spec freeze in 12 days"
    ff = Milestone("stein-3", dt.date(2019, 1, 7), MilestoneKind.FEATURE_FREEZE)
    assert milestone_countdown(ff, today) == "feature freeze 3 days ago"
    assert milestone_countdown(Milestone("stein-2", today, MilestoneKind.MILESTONE), today) == "stein-2 today"


def test_risks_follow_the_freezes_and_a_projects_own_freeze_comes_first(board):
    cycle = Cycle(
        "stein",
        "Stein",
        dt.date(2018, 8, 30),
        dt.date(2019, 4, 10),
        None,
        (
            Milestone("spec freeze", dt.date(2019, 1, 10), MilestoneKind.SPEC_FREEZE),
            Milestone("cinder spec freeze", dt.date(2018, 12, 1), MilestoneKind.SPEC_FREEZE, "cinder"),
            Milestone("feature freeze", dt.date(2019, 3, 7), MilestoneKind.FEATURE_FREEZE),
        ),
    )
    bp = board.plan.blueprints["stein/nova/a"]
    cinder_bp = dataclasses.replace(bp, project="cinder")
    day = dt.date(2018, 12, 15)
    assert risk(cycle, bp, State.PROPOSED, None, day) is None  # nova's spec freeze is later
    assert (
        risk(cycle, cinder_bp, State.PROPOSED, None, day).reason
        == "still proposed after spec freeze (14 days ago)"
    )
    assert (
        risk(cycle, bp, State.APPROVED, None, dt.date(2019, 3, 8)).reason
        == "not implemented after feature freeze (1 day ago)"
    )
    assert risk(cycle, bp, State.IMPLEMENTED, None, dt.date(2019, 3, 8)) is None
    marked = dt.datetime(2018, 11, 1, tzinfo=dt.UTC)
    # Blocked is at risk however long it has been, and when nothing dates it.
    assert risk(cycle, bp, State.BLOCKED, marked, dt.date(2018, 11, 1)).reason == "blocked since today"
    assert risk(cycle, bp, State.BLOCKED, marked, dt.date(2018, 11, 2)).reason == "blocked for 1 day"
    assert risk(cycle, bp, State.BLOCKED, marked, dt.date(2018, 11, 16)).reason == "blocked for 15 days"
    assert risk(cycle, bp, State.BLOCKED, None, dt.date(2018, 11, 16)).reason == (
        "blocked (no date says since when)"
    )


# -- burn-up ----------------------------------------------------------------------
def test_the_kilo_history_gives_a_real_burnup(store_dir):
    board = Board(SHIPPED, store_dir).refresh()
    kilo = board.plan.cycles["kilo"]
    rows = [(r.blueprint, r.state) for r in board.rows() if r.blueprint.cycle == "kilo"]
    chart = burnup(kilo, rows, {}, dt.date(2026, 1, 1))
    assert chart.start == kilo.start and chart.end == kilo.release
    assert chart.days == (kilo.release - kilo.start).days + 1
    assert chart.scope[-1] == len(rows)
    assert chart.done[-1] == sum(1 for _, s in rows if s is State.IMPLEMENTED)
    # Scope grows as the three status posts name more blueprints; it never shrinks.
    assert chart.scope[0] < chart.scope[-1]
    assert all(a <= b for a, b in zip(chart.scope, chart.scope[1:], strict=False))
    assert all(d <= s for d, s in zip(chart.done, chart.scope, strict=False))
    post = (dt.date(2014, 11, 27) - kilo.start).days
    assert chart.scope[post - 1] < chart.scope[post]  # the second post added blueprints that day


def test_work_nova_specs_dates_at_the_release_was_in_scope_from_the_start(store_dir):
    board = Board(SHIPPED, store_dir).refresh()
    cycle = board.plan.cycles["2023.1"]
    rows = [(r.blueprint, r.state) for r in board.rows() if r.blueprint.cycle == "2023.1"]
    chart = burnup(cycle, rows, {}, dt.date(2026, 1, 1))
    # Nothing of 2023.1 is dated before its release: all of it was planned from the start ...
    assert chart.scope[0] == chart.scope[-1] == len(rows) == 24
    # ... and what nova-specs says was implemented is done on the release day, not before.
    assert chart.done[-2] == 0 and chart.done[-1] == 6 == sum(1 for _, s in rows if s is State.IMPLEMENTED)


def test_marks_move_the_done_line_on_their_day(board):
    stein = board.plan.cycles["stein"]
    board.mark("stein/nova/a", State.IMPLEMENTED, via="cli")
    rows = [(r.blueprint, r.state) for r in board.rows() if r.blueprint.cycle == "stein"]
    marks = board.marks_by_key()
    # Give the mark a day inside the cycle so the chart can show it.
    inside = dt.datetime(2019, 1, 15, 12, tzinfo=dt.UTC)
    marks = {"stein/nova/a": [dataclasses.replace(marks["stein/nova/a"][0], at=inside)]}
    chart = burnup(stein, rows, marks, dt.date(2019, 2, 1))
    at = (inside.date() - stein.start).days
    b_done = 1  # "b" is implemented with no dated entry: it counts from the end
    assert chart.done[at - 1] == 0 and chart.done[at] == 1
    assert chart.done[-1] == 1 + b_done
    assert chart.end == dt.date(2019, 2, 1)  # the cycle is still running on that day


# -- the weekly report ------------------------------------------------------------
@pytest.mark.parametrize("into", ["seeds", "local"])
def test_the_report_shows_runways_what_slipped_and_what_is_at_risk(board, seeds, into):
    from store.report import render

    if into == "local":
        seeds.local_only()
    board.carry("stein/nova/a", via="cli")
    board.set_queue(
        "train", runways.added(board.queue("train"), "train/nova/a", 2, dt.date(2019, 6, 10)), "cli"
    )
    text = render(board, "train", today=dt.date(2019, 6, 10))
    assert "## Runways (2 slots)" in text
    assert "- runway 1: `train/nova/q1` Q1 (7 days left, since 2019-06-03)" in text
    assert "- runway 2: `train/nova/q2` Q2 (14 days left, since 2019-06-10)" in text  # a change starts it
    assert "- queued #1: `train/nova/a` A (waiting)" in text
    assert "- `train/nova/a` A: slipped into this cycle (1 cycle so far)" in text
    stein = render(board, "stein", today=dt.date(2019, 6, 10))
    assert "carried over to train on" in stein
    assert "## Did not land by the release" in stein  # stein was released on 2019-04-10
