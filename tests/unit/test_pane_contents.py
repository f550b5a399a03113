"""The panes' data (store.pane_contents): what a keystroke shows, checked against a plain pass."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from store import pane_contents as pane_contents_module
from store.board import Board
from store.model import State
from store.pane_contents import Progress, pane_contents
from store.query import Filter
from store.row_order import SORT_COLUMNS, Sort
from store.timeline import risks_of
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


def _oracle_order(board, rows, column, descending, today):
    """The order a sort gives, worked out the plain way: Python's sorted() with the column's key."""
    if column == "state":
        order = list(State)
        return sorted(rows, key=lambda r: order.index(r.state), reverse=descending)
    if column == "risk":
        weight = {}
        for c in {r.blueprint.cycle for r in rows}:
            in_c = [r for r in board.rows(Filter()) if r.blueprint.cycle == c]
            risks, _ = risks_of(board.plan.cycles[c], in_c, today)
            weight.update({risk.key: risk.reason.count(";") + 1 for risk in risks})
        at_risk = sorted(
            (r for r in rows if r.blueprint.key in weight),
            key=lambda r: weight[r.blueprint.key],
            reverse=not descending,
        )
        rest = [r for r in rows if r.blueprint.key not in weight]
        return rest + at_risk if descending else at_risk + rest
    text = {"key": lambda r: r.blueprint.key, "title": lambda r: r.blueprint.title}.get(
        column, lambda r: r.blueprint.category
    )
    filled = sorted((r for r in rows if text(r)), key=lambda r: text(r).casefold(), reverse=descending)
    return filled + [r for r in rows if not text(r)]  # an empty cell last, either way


@pytest.mark.parametrize("descending", [False, True], ids=["up", "down"])
@pytest.mark.parametrize("column", SORT_COLUMNS)
@pytest.mark.parametrize(
    ("cycle", "text"), [("all", ""), ("2023.1", ""), ("stein", ""), ("all", "nova -state:abandoned")]
)
def test_each_sort_agrees_with_pythons_sorted_and_keeps_the_cursors_row(
    board, cycle, text, column, descending
):
    # After the feature freeze: blueprints at risk, and in Stein one blocked as well (two reasons).
    today = dt.date(2019, 3, 20) if cycle == "stein" else dt.date(2023, 3, 1)
    query = Filter.parse(text)
    plain = pane_contents(board, cycle, query)
    view = pane_contents(board, cycle, query, Sort(column, descending), today)
    expected = _oracle_order(board, list(plain.rows), column, descending, today)
    assert list(view.rows) == expected
    assert len(view.rows) == len(plain.rows) > 0
    # Where each blueprint stands, for the cursor to follow it.
    assert [view.index_of(board, r.blueprint.key) for r in view.rows] == list(range(len(view.rows)))
    assert view.rows[-1] == expected[-1] and view.rows[5:9] == expected[5:9]
    if column == "risk" and cycle != "all" and not descending:  # the most at risk first
        risks = risks_of(board.plan.cycles[cycle], plain.rows, today)[0]
        assert view.rows[0].blueprint.key == max(risks, key=lambda r: r.reason.count(";")).key


def test_pressing_a_sort_key_goes_up_then_down_then_back_to_the_plans_order():
    assert Sort().pressed("title") == Sort("title")
    assert Sort("title").pressed("title") == Sort("title", descending=True)
    assert Sort("title", descending=True).pressed("title") == Sort()
    assert Sort("title", descending=True).pressed("state") == Sort("state")
