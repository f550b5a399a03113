"""Behaviour that other tests touched without pinning down (each checked by planting the bug)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from store.board import Row
from store.marks import Mark, effective_state, why_no_effect
from store.model import Blueprint, Cycle, HistoryEntry, Milestone, MilestoneKind, State
from store.query import Filter
from store.timeline import risks_of


def _blueprint(bid: str, state: State) -> Blueprint:
    return Blueprint("zed", "nova", bid, bid.title(), state)


def test_the_filters_words_match_whatever_their_case():
    assert Filter.parse("Scheduler WEIGHER").words == ("scheduler", "weigher")


def test_a_released_cycle_lists_as_not_landed_only_what_was_neither_implemented_nor_abandoned():
    cycle = Cycle("zed", "Zed", dt.date(2022, 3, 30), dt.date(2022, 10, 5), None)
    rows = [
        Row(_blueprint(b, s), s, None)
        for b, s in [("done", State.IMPLEMENTED), ("dropped", State.ABANDONED), ("open", State.APPROVED)]
    ]
    risks, released = risks_of(cycle, rows, dt.date(2023, 1, 1))
    assert released and [(r.key, r.reason) for r in risks] == [("zed/nova/open", "approved")]


def test_a_running_cycle_gives_each_risk_its_reason():
    freeze = Milestone("feature freeze", dt.date(2022, 8, 25), MilestoneKind.FEATURE_FREEZE)
    cycle = Cycle("zed", "Zed", dt.date(2022, 3, 30), dt.date(2022, 10, 5), None, (freeze,))
    rows = [Row(_blueprint("late", State.STARTED), State.STARTED, None)]
    risks, released = risks_of(cycle, rows, dt.date(2022, 9, 1))
    assert not released
    assert [r.key for r in risks] == ["zed/nova/late"]
    assert risks[0].reason.startswith("not implemented after feature freeze")


def test_a_keymap_may_be_a_keymap_table_or_keys_at_the_top(tmp_path):
    from tui.user_keymap import load_keymap

    known = {"toggle-done", "set-state"}
    for text in ('[keymap]\ntoggle-done = "x"\n', 'toggle-done = "x"\n'):
        path = tmp_path / "keymap.toml"
        path.write_text(text)
        assert load_keymap(path, known) == ({"toggle-done": "x"}, []), text


def test_the_weekly_report_gives_each_blueprint_at_risk_with_its_reason(seeds, store_dir):
    from store.board import Board
    from store.report import render
    from tests.unit.test_planning import TWO_CYCLES

    freeze = '\n[[milestone]]\ncycle = "train"\nname = "ff"\ndate = 2019-08-01\nkind = "feature-freeze"\n'
    seeds.write("plan.toml", TWO_CYCLES + freeze)
    board = Board(seeds.path, store_dir).refresh()
    text = render(board, "train", today=dt.date(2019, 8, 15))
    section = text.split("## At risk (3)\n", 1)[1].split("\n## ", 1)[0]
    reason = "not implemented after feature freeze (14 days ago)"
    assert [line for line in section.splitlines() if line] == [
        f"- `train/nova/{bid}` {bid.upper()}: {reason}" for bid in ("q1", "q2", "q3")
    ]


def test_a_block_is_dated_only_by_a_mark_that_set_it_blocked():
    cycle = Cycle("zed", "Zed", dt.date(2022, 3, 30), dt.date(2022, 10, 5), None)
    since = dt.date(2022, 5, 1)
    blocked = dataclasses.replace(
        _blueprint("stuck", State.BLOCKED), history=(HistoryEntry(since, State.BLOCKED),)
    )
    # An older mark that set it started: the seed has since said blocked, and its date counts.
    started = Mark(
        blocked.key, State.STARTED, State.APPROVED, State.APPROVED, dt.datetime(2022, 6, 20, tzinfo=dt.UTC)
    )
    risks, _ = risks_of(cycle, [Row(blocked, State.BLOCKED, started)], dt.date(2022, 6, 21))
    assert [r.reason for r in risks] == ["blocked for 51 days"]


def test_a_mark_made_on_the_day_of_the_seeds_newest_entry_wins():
    day = dt.date(2022, 5, 1)
    seed = dataclasses.replace(
        _blueprint("same-day", State.APPROVED), history=(HistoryEntry(day, State.APPROVED),)
    )
    at = dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)
    mark = Mark(seed.key, State.IMPLEMENTED, State.APPROVED, State.APPROVED, at)
    assert effective_state(seed, mark) is State.IMPLEMENTED
    assert why_no_effect(seed, mark) is None
