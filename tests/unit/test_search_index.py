"""The filter's sets of positions (store/index.py, store/words.py, store/bitset.py)
agree with Filter.matches, the plain pass over every blueprint: before the word
index is built (the text is read), after, and after a saved file patches it."""

from __future__ import annotations

import copy
import dataclasses
import functools
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import bitset
from store.board import Board
from store.index import PlanIndex
from store.query import Filter
from tests.conftest import BASE_SEED, SHIPPED

ODD_TITLES = """
[defaults]
cycle = "stein"
project = "nova"

[[blueprint]]
id = "greek"
title = "ΟΔΟΣ and Straße in İstanbul"
owner = "ünïcode_owner"

[[blueprint]]
id = "punct-heavy"
title = "[bold]x[/bold] a-b/c d:e (f) 1.2.3"
category = "Hypervisor: libvirt"

[[blueprint]]
id = "plain"
title = "Scheduler hints"
category = "Scheduler"
owner = "dev1"
"""


NAMES = ("odd", "shipped")
# Every process that collects this module (each pytest-xdist worker) makes the
# boards once, on first use, in a folder removed when the process ends.
_FOLDER = tempfile.TemporaryDirectory(prefix="cycleboard-search-")


@functools.cache
def board_named(name: str) -> Board:
    root = Path(_FOLDER.name) / name
    seeds, store = root / "seeds", root / "store"
    seeds.mkdir(parents=True)
    store.mkdir()
    if name == "shipped":
        return Board(SHIPPED, store).refresh()
    (seeds / "base.toml").write_text(BASE_SEED)
    (seeds / "odd.toml").write_text(ODD_TITLES)
    return Board(seeds, store).refresh()


@functools.cache
def pieces(name: str) -> list[str]:
    """Bits of the plan's own text, so that generated words often match."""
    text = " ".join(board_named(name).index.haystacks)
    return sorted({text[i : i + n] for i in range(0, len(text), 7) for n in (1, 2, 4, 7)} - {""})


@st.composite
def words(draw, name: str) -> str:
    word = draw(
        st.one_of(st.sampled_from(pieces(name)), st.text(alphabet="ae1/-:_[]ßσς. ", min_size=1, max_size=4))
    )
    return "".join(word.split()) or "-"  # a filter word holds no spaces


def _oracle(index: PlanIndex, query: Filter, board: Board) -> list[int]:
    members = board.theme_members(query.themes) if query.themes else None
    return [p for p, bp in enumerate(index.blueprints) if query.matches(bp, bp.state, members)]


def _selected(index: PlanIndex, query: Filter, board: Board) -> list[int]:
    members = board.theme_members(query.themes) if query.themes else None
    found = index.select(query.projects, query.categories, query.words, members)
    return list(range(len(index))) if found is None else bitset.positions(found)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    built=st.booleans(),
    project=st.sampled_from(["", "project:nova ", "project:cinder,nova "]),
    category=st.sampled_from(["", "category:sched ", "category:hypervisor "]),
)
def test_every_selection_is_what_the_plain_pass_finds(name, data, built, project, category):
    board = board_named(name)
    index = PlanIndex(board.plan)  # fresh: no word index until it is prepared
    if built:
        index.prepare_search()
    chosen = data.draw(st.lists(words(name), min_size=1, max_size=3))
    query = dataclasses.replace(Filter.parse(project + category), words=tuple(w.lower() for w in chosen))
    assert _selected(index, query, board) == _oracle(index, query, board)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_patched_index_finds_the_new_text_and_not_the_old(name, data):
    board = board_named(name)
    index = PlanIndex(board.plan)
    index.prepare_search()
    key = data.draw(st.sampled_from(sorted(board.plan.blueprints)))
    title = data.draw(words(name)) + " zqxj " + data.draw(words(name))
    changed = dataclasses.replace(board.plan.blueprints[key], title=title)
    plan = copy.copy(board.plan)
    plan.__dict__.pop("index", None)
    plan.blueprints = {**board.plan.blueprints, key: changed}
    patched = index.patched(plan, [changed])
    old_words = tuple(board.plan.blueprints[key].title.lower().split()[:1])
    # Single letters too: the index keeps the sets of letters many rare atoms share, and patches them.
    letters = sorted({c for c in title.lower() + board.plan.blueprints[key].title.lower() if c.isalnum()})
    for query in (
        Filter.parse("zqxj"),
        Filter(words=tuple(title.lower().split())),
        Filter(words=old_words),
        *(Filter(words=(letter,)) for letter in letters),
    ):
        assert _selected(patched, query, board) == _oracle(patched, query, board)
    assert _selected(index, Filter.parse("zqxj"), board) == []  # the old index is left as it was


def test_sets_of_positions_round_trip():
    for size in (0, 1, 7, 8, 9, 1000):
        for chosen in ([], list(range(size)), list(range(0, size, 3)), list(range(size // 2, size))):
            bits = bitset.from_positions(chosen, size)
            assert bitset.positions(bits) == chosen
            assert bitset.pick([f"r{p}" for p in range(size)], bits) == [f"r{p}" for p in chosen]
            assert [bitset.rank(bits, p) for p in chosen] == list(range(len(chosen)))
    assert bitset.by_value(["a", "b", "a"]) == {"a": 0b101, "b": 0b010}
    assert bitset.positions(bitset.span(3, 6)) == [3, 4, 5] and bitset.span(4, 4) == 0


@settings(max_examples=200, deadline=None)
@given(size=st.sampled_from([1, 70, 4095, 4096, 4097, 12_000]), data=st.data())
def test_picked_rows_read_lazily_are_the_picked_list(size, data):
    # Runs of members and of gaps, so that whole blocks of 4,096 positions can be empty.
    runs = data.draw(st.lists(st.tuples(st.booleans(), st.integers(1, 5000)), max_size=12))
    chosen, at = [], 0
    for member, length in runs:
        if member:
            chosen += range(at, min(at + length, size))
        at += length
    items = [f"r{p}" for p in range(size)]
    bits = bitset.from_positions(chosen, size)
    lazy, whole = bitset.Picked(items, bits), bitset.pick(items, bits)
    assert len(lazy) == len(whole) == len(chosen)
    looked_at = data.draw(st.lists(st.integers(-len(whole), len(whole) - 1), max_size=40)) if whole else []
    assert [lazy[i] for i in looked_at] == [whole[i] for i in looked_at]
    assert list(lazy) == whole and lazy[3:9] == whole[3:9] and lazy[::-50] == whole[::-50]
    with pytest.raises(IndexError):
        lazy[len(whole)]
