"""A live board's patched plan equals a full read, after any sequence of saves across files.

Hypothesis writes a small plan of a few files and then rewrites one file at a
time: blueprints, themes, sessions, runways, milestones and overrides come and
go, ids collide across files and projects (duplicates, ambiguous bare ids),
projects appear and vanish, whole files come and go.  After each save the
dashboard's board reads the change (patching what it can) and is compared with
a board that assembles everything from scratch on a store of its own: every
table, in order, every message, every origin, the index and what the panes
would show.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.board import Board
from tests.app.test_live_patch import _views

CYCLES = ("stein", "train")
PROJECTS = ("nova", "cinder", "glance")
IDS = ("a", "b", "c")
STATES = ("proposed", "approved", "deferred", "implemented")
# References as people write them: bare ids, project/id, full keys, and one that names nothing.
REFS = ("a", "b", "nova/a", "cinder/b", "glance/c", "stein/nova/c", "train/cinder/a", "zz")
FILES = ("f1.toml", "f2.toml", "sub/f3.toml")

BASE_CYCLES = """
[[cycle]]
id = "stein"
name = "Stein"
start = 2018-08-30
release = 2019-04-10

[[cycle.milestone]]
name = "stein-1"
date = 2018-10-25

[[cycle]]
id = "train"
name = "Train"
start = 2019-04-11
release = 2019-10-16
"""


def _list(values) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


# Each record as (its key within the file, its text): a file never defines a key twice,
# which would break it, and a broken file keeps its last good records (a full read's
# business, which a fresh oracle cannot know).
blueprint = st.builds(
    lambda cycle, project, ident, state, title: (
        ("blueprint", cycle, project, ident),
        (
            f'[[blueprint]]\ncycle = "{cycle}"\nproject = "{project}"\nid = "{ident}"\n'
            f'title = "{title}"\nstate = "{state}"\n'
        ),
    ),
    st.sampled_from(CYCLES),
    st.sampled_from(PROJECTS),
    st.sampled_from(IDS),
    st.sampled_from(STATES),
    st.sampled_from(("Fast boot", "Quota rework", "NUMA")),
)
theme = st.builds(
    lambda ident, project, refs: (
        ("theme", ident),
        (
            f'[[theme]]\ncycle = "stein"\nproject = "{project}"\nid = "{ident}"\ntitle = "T {ident}"\n'
            f"blueprints = {_list(refs)}\n"
        ),
    ),
    st.sampled_from(("t1", "t2")),
    st.sampled_from(PROJECTS),
    st.lists(st.sampled_from(REFS), max_size=3),
)
session = st.builds(
    lambda ident, projects, refs: (
        ("session", ident),
        (
            f'[[session]]\ncycle = "stein"\nid = "{ident}"\ntitle = "S {ident}"\n'
            f"projects = {_list(projects)}\nblueprints = {_list(refs)}\n"
        ),
    ),
    st.sampled_from(("s1", "s2")),
    st.lists(st.sampled_from(PROJECTS), max_size=2, unique=True),
    st.lists(st.sampled_from(REFS), max_size=2),
)
runway = st.builds(
    lambda ref: (("runway", ref), f'[[runway]]\ncycle = "stein"\nblueprint = "{ref}"\n'),
    st.sampled_from(REFS),
)
milestone = st.builds(
    lambda cycle, month: (
        ("milestone", cycle, month),
        f'[[milestone]]\ncycle = "{cycle}"\nname = "extra"\ndate = 2019-0{month}-01\n',
    ),
    st.sampled_from(CYCLES),
    st.integers(1, 3),
)
override = st.builds(
    lambda key, state: (("override", key), f'[[override]]\nblueprint = "{key}"\nstate = "{state}"\n'),
    st.sampled_from(("stein/nova/a", "stein/cinder/b", "train/glance/c")),
    st.sampled_from(STATES),
)
history = st.builds(
    lambda ref, state, month: (
        ("history", ref, month, state),
        f'[[history]]\ncycle = "stein"\nblueprint = "{ref}"\ndate = 2018-0{month}-01\nstate = "{state}"\n',
    ),
    st.sampled_from(REFS),
    st.sampled_from(STATES),
    st.integers(7, 9),  # before, around and after stein's start (2018-08-30)
)
record = st.one_of(blueprint, blueprint, blueprint, theme, session, runway, milestone, override, history)
seed_file = st.lists(record, max_size=6, unique_by=lambda r: r[0]).map(
    lambda records: "\n".join(t for _, t in records)
)
base_file = st.lists(st.sampled_from(PROJECTS[1:]), unique=True).map(
    lambda projects: "".join(f'[[project]]\nid = "{p}"\n\n' for p in ("nova", *projects)) + BASE_CYCLES
)
# One save: a file's new text, or None for a file removed.
save = st.one_of(
    st.tuples(st.just("base.toml"), base_file),
    st.tuples(st.sampled_from(FILES), st.one_of(seed_file, st.none())),
)


def _write(seeds: Path, name: str, text: str | None, when: list[int]) -> None:
    path = seeds / name
    if text is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    when[0] += 1  # each save an hour apart, all long before the reads: their stats decide
    os.utime(path, ns=(when[0] * 3_600_000_000_000,) * 2)


def _same(live: Board, oracle: Board) -> None:
    for kind in ("cycle", "project", "theme", "session", "runway", "milestone", "override", "history"):
        assert list(live.plan.table(kind).items()) == list(oracle.plan.table(kind).items()), kind
    assert live.plan.blueprints == oracle.plan.blueprints
    assert live.plan.errors == oracle.plan.errors
    assert live.plan.origins == oracle.plan.origins
    mine, theirs = live.index, oracle.index
    assert mine.keys == theirs.keys and mine.spans == theirs.spans and mine.position == theirs.position
    assert mine.theme_positions == theirs.theme_positions and mine.session_owners == theirs.session_owners
    # The sets a patch carries over, moved with the positions, as made from scratch.
    if mine._projects is not None:
        assert mine._projects == theirs._project_sets()
    if mine._categories is not None:
        assert mine._categories == theirs._category_sets()
    for column, sets in mine._column_widths.items():  # carried over a patch, each changed row moved
        theirs.widest(column, 0)
        assert sets == theirs._column_widths[column], column
    assert [r.blueprint for r in live.row_at] == [r.blueprint for r in oracle.row_at]
    assert live.state_at == oracle.state_at
    assert {s: held for s, held in live.in_state.items() if held} == {
        s: held for s, held in oracle.in_state.items() if held
    }
    assert _views(live) == _views(oracle)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.tuples(base_file, seed_file, seed_file, seed_file), saves=st.lists(save, min_size=1, max_size=6)
)
def test_patched_plan_equals_a_full_read_after_any_saves(start, saves):
    with tempfile.TemporaryDirectory() as folder:
        seeds, when = Path(folder) / "seeds", [1]
        seeds.mkdir()
        for name, text in zip(("base.toml", *FILES), start, strict=False):
            _write(seeds, name, text, when)
        live = Board(seeds, Path(folder) / "live", live=True).refresh()
        _views(live)  # the search columns are built: a patch must keep them right
        for step, (name, text) in enumerate(saves):
            live.index.prepare_search()  # and the column widths, which a patch carries over
            _write(seeds, name, text, when)
            live.refresh()
            _same(live, Board(seeds, Path(folder) / f"oracle-{step}").refresh())


def test_a_saved_title_moves_its_blueprint_to_its_new_width_and_keeps_the_other_columns(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    when = [1]
    _write(seeds, "base.toml", '[[project]]\nid = "nova"\n\n' + BASE_CYCLES, when)
    blueprint = (
        '[[blueprint]]\ncycle = "stein"\nproject = "nova"\nid = "{}"\ntitle = "{}"\nstate = "approved"\n'
    )
    _write(seeds, "a.toml", blueprint.format("a", "Fast boot") + blueprint.format("b", "NUMA"), when)
    live = Board(seeds, tmp_path / "live", live=True).refresh()
    live.index.prepare_search()
    _write(
        seeds, "a.toml", blueprint.format("a", "Quota rework, longer") + blueprint.format("b", "NUMA"), when
    )
    live.refresh()
    assert live.index.patched_at  # a patch, not a new index
    assert set(live.index._column_widths) == {"cycle", "id", "key_in_cycle", "title", "category", "reviews"}
    oracle = Board(seeds, tmp_path / "oracle").refresh()
    for column, sets in live.index._column_widths.items():
        oracle.index.widest(column, 0)
        assert sets == oracle.index._column_widths[column], column
    assert live.index.widest("title", live.index.everything) == len("Quota rework, longer")
