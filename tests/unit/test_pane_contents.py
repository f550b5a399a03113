"""The panes' data (store.pane_contents): what a keystroke shows, checked against a plain pass."""

from __future__ import annotations

import dataclasses

import pytest

from store import pane_contents as pane_contents_module
from store.board import Board
from store.model import State
from store.pane_contents import Progress, pane_contents
from store.query import Filter
from tests.conftest import SHIPPED

FILTERS = [
    "",
    "nova",
    "project:nova sched",
    "state:implemented",
    "category:scheduler",
    "zzz",
    "-state:implemented",
    "owner:mel",
    "project:nova -sched -owner:mel",
    "-project:nova -category:scheduler -state:abandoned,deferred",
]


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    return Board(SHIPPED, tmp_path_factory.mktemp("store")).refresh()


@pytest.mark.parametrize("few_rows", [5_000, 0], ids=["rows-read", "index-read"])
@pytest.mark.parametrize("cycle", ["kilo", "all"])
@pytest.mark.parametrize("text", FILTERS)
def test_a_view_agrees_with_a_plain_pass_over_every_blueprint(board, cycle, text, few_rows, monkeypatch):
    # The columns' widths come from the rows when they are few, else from the index: both are checked.
    monkeypatch.setattr(pane_contents_module, "_FEW_ROWS", few_rows)
    query = Filter.parse(text)
    view = pane_contents(board, cycle, query)

    def here(rows):
        return [r for r in rows if cycle == "all" or r.blueprint.cycle == cycle]

    # The oracle: Filter.matches on every blueprint.
    assert list(view.rows) == here(board.rows(query))
    assert [view.index_of(board, r.blueprint.key) for r in view.rows] == list(range(len(view.rows)))
    assert view.index_of(board, "nosuch/key") is None
    # The States pane ignores state words, left-out ones too.
    left_out = query.excluded and dataclasses.replace(query.excluded, states=frozenset())
    facet = board.rows(dataclasses.replace(query, states=frozenset(), excluded=left_out))
    assert view.counts == {state: sum(r.state is state for r in here(facet)) for state in State}
    for c in board.plan.cycles:  # the Cycles pane ignores the cycle too
        in_c = [r for r in facet if r.blueprint.cycle == c]
        assert view.progress[c] == Progress(sum(r.state is State.IMPLEMENTED for r in in_c), len(in_c))
    # The columns: what every row shares is dropped, and each is as wide as its widest cell.
    columns = view.columns
    assert columns.with_project == (len({r.blueprint.project for r in view.rows}) > 1)
    keys = [r.blueprint.key_in_cycle if columns.with_project else r.blueprint.id for r in view.rows]
    assert columns.key == max(map(len, keys), default=10)
    assert columns.cycle == (
        max((len(r.blueprint.cycle) for r in view.rows), default=0) if cycle == "all" else 0
    )
    assert columns.category == max((len(r.blueprint.category) for r in view.rows), default=0)
    reviews = [
        len(str(r.blueprint.reviews[0]))
        + (len(f" +{len(r.blueprint.reviews) - 1}") if len(r.blueprint.reviews) > 1 else 0)
        for r in view.rows
        if r.blueprint.reviews
    ]
    assert columns.reviews == max(reviews, default=0)


def test_the_cycles_numbers_count_every_blueprint_the_filter_passes_whatever_its_state(board):
    query = Filter.parse("nova state:implemented")
    progress = pane_contents(board, "all", query).progress
    passing = board.rows(Filter.parse("nova"))
    assert progress["all"] == Progress(sum(r.state.value == "implemented" for r in passing), len(passing))
    kilo = [r for r in passing if r.blueprint.cycle == "kilo"]
    assert progress["kilo"] == Progress(sum(r.state.value == "implemented" for r in kilo), len(kilo))


@pytest.mark.parametrize("cycle", ["stein", "all"])
def test_themes_kept_between_keystrokes_follow_a_mark_at_once(tmp_path, cycle):
    board = Board(SHIPPED, tmp_path / "store").refresh()
    theme = next(
        t
        for t in board.plan.themes.values()
        if t.cycle == "stein" and any(board.row(k).state.value != "implemented" for k in t.blueprints)
    )
    before = {line.theme.key: line.progress for line in pane_contents(board, cycle, Filter.parse("a")).themes}
    again = pane_contents(board, cycle, Filter.parse("ab"))
    assert again.themes is pane_contents(board, cycle, Filter.parse("abc")).themes  # words do not redo them
    key = next(k for k in theme.blueprints if board.row(k).state.value != "implemented")
    board.mark(key, board.toggled_state(key), via="test")
    after = {line.theme.key: line.progress for line in pane_contents(board, cycle, Filter.parse("ab")).themes}
    assert after[theme.key] == Progress(before[theme.key].done + 1, before[theme.key].total)
    assert after == {
        line.theme.key: line.progress
        for line in pane_contents(
            Board(SHIPPED, tmp_path / "store").refresh(), cycle, Filter.parse("")
        ).themes
    }


def test_a_leading_minus_leaves_out_what_its_part_matches_and_owner_finds_part_of_a_name(board):
    every = board.rows()
    not_done = board.rows(Filter.parse("-state:implemented"))
    assert not_done == [r for r in every if r.state is not State.IMPLEMENTED]
    assert 0 < len(not_done) < len(every)
    # Each left-out part leaves out on its own: "not nova, and not implemented".
    neither = board.rows(Filter.parse("-project:nova -state:implemented"))
    assert neither == [r for r in not_done if r.blueprint.project != "nova"]
    owned = board.rows(Filter.parse("owner:MEL"))
    assert owned and all("mel" in r.blueprint.owner.lower() for r in owned)
    assert len(owned) == sum("mel" in r.blueprint.owner.lower() for r in every)
    assert board.rows(Filter.parse("-owner:mel")) == [r for r in every if r not in owned]
    assert str(Filter.parse("owner:mel -state:done -gpu")) == "owner:mel -state:implemented -gpu"
