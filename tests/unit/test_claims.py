"""Behaviour that other tests touched without pinning down (each checked by planting the bug)."""

from __future__ import annotations

import datetime as dt

from store.board import Row
from store.model import Blueprint, Cycle, Milestone, MilestoneKind, State
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
