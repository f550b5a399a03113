"""The panes' data (store.view): what a keystroke shows at once, and what follows."""

from __future__ import annotations

import pytest

from store.board import Board
from store.query import Filter
from store.view import Progress, compute, compute_progress
from tests.conftest import SHIPPED

FILTERS = ["", "nova", "project:nova sched", "state:implemented", "category:scheduler", "zzz"]


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    return Board(SHIPPED, tmp_path_factory.mktemp("store")).refresh()


@pytest.mark.parametrize("cycle", ["kilo", "all"])
@pytest.mark.parametrize("text", FILTERS)
def test_a_typing_view_shows_the_rows_now_and_the_cycles_numbers_after(board, cycle, text):
    query = Filter.parse(text)
    full = compute(board, cycle, query)
    # The oracle: a plain pass over every blueprint.
    assert full.rows == [r for r in board.rows(query) if cycle == "all" or r.blueprint.cycle == cycle]

    stale = {c: Progress(0, 0) for c in full.progress}
    typing = compute(board, cycle, query, progress=stale)
    assert (typing.rows, typing.counts, typing.themes, typing.sessions, typing.key_width) == \
        (full.rows, full.counts, full.themes, full.sessions, full.key_width)
    if typing.progress_pending:  # the Cycles pane keeps the last numbers for a moment
        assert typing.progress == stale
        assert compute_progress(board, typing.query) == full.progress
    else:  # nothing to count: the numbers are there at once
        assert typing.progress == full.progress


def test_the_cycles_numbers_count_every_blueprint_the_filter_passes_whatever_its_state(board):
    query = Filter.parse("nova state:implemented")
    progress = compute(board, "all", query).progress
    passing = board.rows(Filter.parse("nova"))
    assert progress["all"] == Progress(sum(r.state.value == "implemented" for r in passing), len(passing))
    kilo = [r for r in passing if r.blueprint.cycle == "kilo"]
    assert progress["kilo"] == Progress(sum(r.state.value == "implemented" for r in kilo), len(kilo))


@pytest.mark.parametrize("cycle", ["stein", "all"])
def test_themes_kept_between_keystrokes_follow_a_mark_at_once(tmp_path, cycle):
    board = Board(SHIPPED, tmp_path / "store").refresh()
    theme = next(t for t in board.plan.themes.values()
                 if t.cycle == "stein" and any(board.row(k).state.value != "implemented" for k in t.blueprints))
    before = {line.theme.key: line.progress for line in compute(board, cycle, Filter.parse("a")).themes}
    again = compute(board, cycle, Filter.parse("ab"))
    assert again.themes is compute(board, cycle, Filter.parse("abc")).themes  # words do not redo them
    key = next(k for k in theme.blueprints if board.row(k).state.value != "implemented")
    board.mark(key, board.toggled_state(key), via="test")
    after = {line.theme.key: line.progress for line in compute(board, cycle, Filter.parse("ab")).themes}
    assert after[theme.key] == Progress(before[theme.key].done + 1, before[theme.key].total)
    assert after == {line.theme.key: line.progress for line in compute(Board(SHIPPED, tmp_path / "store").refresh(),
                                                                        cycle, Filter.parse("")).themes}
