"""A live board patches one saved file into the plan it holds; it must equal a full read.

The oracle is a board of the command line's kind on its own store, which
reads every entry and assembles the plan from scratch.  Each edit is one a person makes while the
dashboard runs: fields, blueprints and projects that come and go (their effects
on other files included), and the ones a patch must refuse (a broken file, a
new cycle), which fall back to the full read.
"""

from __future__ import annotations

import pytest

from store.board import Board
from store.pane_contents import pane_contents
from store.query import Filter
from tests.conftest import BASE_SEED, cache_text_within, plan_cache_text
from tests.unit.test_store import BLUEPRINTS as STORE_BLUEPRINTS
from tests.unit.test_store import bump_mtime

# The store tests' two nova blueprints, alpha with a category to search for.
BLUEPRINTS = STORE_BLUEPRINTS.replace(
    'state = "approved"\n', 'state = "approved"\ncategory = "Scheduler"\n', 1
)
assert 'category = "Scheduler"' in BLUEPRINTS

CINDER = """
[defaults]
cycle = "stein"
project = "cinder"

[[blueprint]]
id = "gamma"
title = "Gamma"
state = "implemented"

[[theme]]
id = "speed"
title = "Speed"
kind = "priority"
blueprints = ["gamma", "nova/alpha"]

[[session]]
id = "sync"
title = "Sync"
projects = ["nova", "cinder"]
blueprints = ["gamma"]
"""

# (file, old text, new text, whether a patch may do it)
EDITS = {
    "title": ("nova.toml", '"Alpha"', '"Alpha, faster"', True),
    "state": ("nova.toml", 'state = "proposed"', 'state = "implemented"', True),
    "category, searched": ("nova.toml", '"Scheduler"', '"Placement"', True),
    "theme loses a member": (
        "cinder.toml",
        'blueprints = ["gamma", "nova/alpha"]',
        'blueprints = ["gamma"]',
        True,
    ),
    "theme gains a member": (
        "cinder.toml",
        '["gamma", "nova/alpha"]',
        '["gamma", "nova/alpha", "nova/beta"]',
        True,
    ),
    "dangling reference": ("cinder.toml", '["gamma", "nova/alpha"]', '["gamma", "nova/nope"]', True),
    "session title": ("cinder.toml", 'title = "Sync"', 'title = "Sync [again]"', True),
    "lines shift": ("nova.toml", '[[blueprint]]\nid = "alpha"', '\n\n[[blueprint]]\nid = "alpha"', True),
    "blueprint renamed": ("nova.toml", 'id = "beta"', 'id = "delta"', True),
    "blueprint added": (
        "nova.toml",
        '[[blueprint]]\nid = "beta"',
        ('[[blueprint]]\nid = "aa"\ntitle = "A"\nstate = "started"\n\n[[blueprint]]\nid = "beta"'),
        True,
    ),
    # cinder's theme names nova/alpha: it loses it, and says so.
    "blueprint another file names removed": (
        "nova.toml",
        ('[[blueprint]]\nid = "alpha"\ntitle = "Alpha"\nstate = "approved"\ncategory = "Scheduler"\n'),
        "",
        True,
    ),
    "same id in another project": ("cinder.toml", 'id = "gamma"', 'id = "alpha"', True),
    "project removed": ("base.toml", '[[project]]\nid = "cinder"\n', "", True),
    "project added": (
        "base.toml",
        '[[project]]\nid = "cinder"\n',
        ('[[project]]\nid = "cinder"\n\n[[project]]\nid = "glance"\n'),
        True,
    ),
    "milestone added": (
        "cinder.toml",
        "[[session]]",
        (
            '[[milestone]]\ncycle = "stein"\nname = "M-2"\n'
            'date = 2019-01-10\nkind = "milestone"\n\n[[session]]'
        ),
        True,
    ),
    "cycle dates": ("base.toml", "release = 2019-04-10", "release = 2019-04-11", True),
    "broken file": ("nova.toml", 'state = "proposed"', 'state = "finished"', False),
    "new cycle": (
        "base.toml",
        '[[cycle]]\nid = "stein"',
        ('[[cycle]]\nid = "train"\nname = "Train"\n\n[[cycle]]\nid = "stein"'),
        False,
    ),
}


def _write_all(seeds) -> None:
    for name, text in (("base.toml", BASE_SEED), ("nova.toml", BLUEPRINTS), ("cinder.toml", CINDER)):
        bump_mtime(seeds.write(name, text), -3600)


def _views(board: Board) -> list:
    """What the panes would show for a few filters, as plain comparable data."""
    shown = []
    for cycle in ("stein", "all"):
        for text in ("", "project:cinder", "placement", "category:placement", "state:implemented"):
            view = pane_contents(board, cycle, Filter.parse(text))
            shown.append(
                (
                    cycle,
                    text,
                    [r.blueprint.key for r in view.rows],
                    [r.blueprint for r in view.rows],
                    view.counts,
                    view.progress,
                    [(t.theme, t.progress) for t in view.themes],
                    view.sessions,
                    view.columns,
                )
            )
    return shown


@pytest.mark.parametrize("edit", EDITS)
def test_a_patched_plan_equals_a_full_read(seeds, tmp_path, edit):
    name, old, new, patchable = EDITS[edit]
    _write_all(seeds)
    live = Board(seeds.path, tmp_path / "live", live=True).refresh()
    _views(live)  # the index has built its search columns: a patch must keep them right
    Board(seeds.path, tmp_path / "fresh").refresh()  # so both know the last good version of a broken file
    path = seeds.path / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))

    live.refresh()
    # The oracle assembles everything: a store of its own, unless it must know the broken
    # file's last good version (a full read all the same: a broken file is never patched).
    fresh = Board(seeds.path, tmp_path / ("oracle" if patchable else "fresh")).refresh()
    assert fresh.stats.parsed == (3 if patchable else 1)
    assert live.stats.parsed == 1 if patchable else live.stats.parsed >= 1
    assert live.cache.unwritten == (1 if patchable else 0)
    assert live.plan.blueprints == fresh.plan.blueprints
    assert live.plan.themes == fresh.plan.themes and live.plan.sessions == fresh.plan.sessions
    assert live.plan.cycles == fresh.plan.cycles and live.plan.projects == fresh.plan.projects
    assert live.plan.errors == fresh.plan.errors
    assert live.plan.origins == fresh.plan.origins
    assert _views(live) == _views(fresh)
    for kind in (
        "cycle",
        "project",
        "theme",
        "session",
        "runway",
        "milestone",
        "override",
    ):  # in file order too
        assert list(live.plan.table(kind)) == list(fresh.plan.table(kind)), kind


def test_a_saved_file_updates_the_index_instead_of_building_it_again(seeds, tmp_path, monkeypatch):
    """Whether the plan came from parsing or from the snapshot, a patch keeps its index."""
    from store.index import PlanIndex

    _write_all(seeds)
    built = []
    original = PlanIndex.__init__
    monkeypatch.setattr(PlanIndex, "__init__", lambda self, plan: built.append(plan) or original(self, plan))
    for store in ("parsed", "parsed", "snapshot"):  # a cold start; one from entries; one from the snapshot
        if store == "snapshot":
            Board(seeds.path, tmp_path / store).refresh()  # a reader of the command line's kind writes it
        live = Board(seeds.path, tmp_path / store, live=True).refresh()
        nova = seeds.path / "nova.toml"
        nova.write_text(nova.read_text().replace('title = "Alpha', 'title = "Alpha!', 1))
        built.clear()
        live.refresh()
        assert live.stats.parsed == 1 and live.cache.unwritten == 1
        assert live.plan.blueprints["stein/nova/alpha"].title.startswith("Alpha!")
        assert built == [], store
        bump_mtime(nova, -3600)


def test_a_file_another_file_quotes_is_redone_with_it(seeds, tmp_path):
    # zdup.toml's error names the line where nova.toml defines alpha; moving
    # that line redoes the message too.
    _write_all(seeds)
    bump_mtime(seeds.write("zdup.toml", BLUEPRINTS.replace('"beta"', '"other"')), -3600)
    live = Board(seeds.path, tmp_path / "live", live=True).refresh()
    before = [e.message for e in live.plan.errors if "already defined at nova.toml:" in e.message]
    assert before
    nova = seeds.path / "nova.toml"
    nova.write_text(
        nova.read_text().replace('[[blueprint]]\nid = "alpha"', '\n\n[[blueprint]]\nid = "alpha"')
    )
    live.refresh()
    fresh = Board(seeds.path, tmp_path / "fresh").refresh()
    assert live.cache.unwritten == 1 and live.stats.parsed == 1
    assert live.plan.errors == fresh.plan.errors
    assert [e.message for e in live.plan.errors if "already defined at nova.toml:" in e.message] != before


def _live_with_a_saved_title(seeds, store, title: str) -> Board:
    """A live board that has patched in a new title for alpha, in memory only."""
    _write_all(seeds)
    live = Board(seeds.path, store, live=True).refresh()
    nova = seeds.path / "nova.toml"
    nova.write_text(nova.read_text().replace('"Alpha"', f'"{title}"'))
    bump_mtime(nova, -3000)
    live.refresh()
    return live


def test_what_was_patched_is_written_when_asked_and_serves_the_next_start(seeds, tmp_path, monkeypatch):
    store = tmp_path / "store"
    live = _live_with_a_saved_title(seeds, store, "Alpha, saved")
    assert live.stats.parsed == 1 and live.cache.unwritten == 1
    assert '"Alpha, saved"' not in plan_cache_text(store)  # only in memory so far

    assert live.persist() and live.cache.unwritten == 0
    assert '"Alpha, saved"' in plan_cache_text(store)
    from store.cache import PlanCache

    def no_entries(self, db):
        raise AssertionError("the snapshot should have served this start")

    monkeypatch.setattr(PlanCache, "_cached_entries", no_entries)
    again = Board(seeds.path, store).refresh()
    assert again.stats.parsed == 0 and again.plan.blueprints["stein/nova/alpha"].title == "Alpha, saved"


def test_a_detached_write_brings_the_cache_up_to_date_without_this_process(seeds, tmp_path, monkeypatch):
    """The dashboard hands the cache's write to a forked process and goes on (or quits) at once."""
    from store.cache import PlanCache

    store = tmp_path / "store"
    live = _live_with_a_saved_title(seeds, store, "Alpha, detached")
    written_here = []  # the forked writer's appends stay in its own memory
    write = PlanCache._write_entries
    monkeypatch.setattr(PlanCache, "_write_entries", lambda *args: written_here.append(args) or write(*args))
    assert live.persist_detached() and live.cache.unwritten == 0
    assert not live.persist_detached()  # nothing more to write
    assert cache_text_within(store, '"Alpha, detached"')
    assert written_here == []  # written, and not by this process
    again = Board(seeds.path, store).refresh()
    assert again.stats.parsed == 0 and again.plan.blueprints["stein/nova/alpha"].title == "Alpha, detached"


def test_a_start_after_a_crash_before_the_write_reads_the_saved_file_again(seeds, tmp_path):
    _write_all(seeds)
    store = tmp_path / "store"
    live = Board(seeds.path, store, live=True).refresh()
    nova = seeds.path / "nova.toml"
    nova.write_text(nova.read_text().replace('"Alpha"', '"Alpha, unsaved cache"'))
    live.refresh()
    del live  # gone without persist(): the cache on disk is a step behind
    again = Board(seeds.path, store).refresh()
    assert (
        again.stats.parsed == 1 and again.plan.blueprints["stein/nova/alpha"].title == "Alpha, unsaved cache"
    )


def _no_listing(monkeypatch) -> list:
    """Count the listings of the seeds folder a refresh makes."""
    import store.cache.plan_cache

    listings = []
    walk = store.cache.plan_cache.walk_seeds
    monkeypatch.setattr(
        store.cache.plan_cache, "walk_seeds", lambda root: listings.append(root) or walk(root)
    )
    return listings


def test_the_files_a_watcher_names_are_read_without_listing_the_folder(seeds, tmp_path, monkeypatch):
    _write_all(seeds)
    live = Board(seeds.path, tmp_path / "live", live=True).refresh()
    listings = _no_listing(monkeypatch)
    nova = seeds.path / "nova.toml"
    nova.write_text(nova.read_text().replace('"Alpha"', '"Alpha, named"'))

    live.adopt(live.load(only={"nova.toml"}))
    assert listings == [] and live.stats.parsed == 1 and live.stats.files == 3
    fresh = Board(seeds.path, tmp_path / "fresh").refresh()
    assert live.plan.blueprints == fresh.plan.blueprints and _views(live) == _views(fresh)


@pytest.mark.parametrize("change", ["a file came", "the named file went", "a file was renamed"])
def test_a_named_file_that_came_or_went_lists_the_folder_again(seeds, tmp_path, monkeypatch, change):
    _write_all(seeds)
    live = Board(seeds.path, tmp_path / "live", live=True).refresh()
    listings = _no_listing(monkeypatch)
    cinder = seeds.path / "cinder.toml"
    if change == "a file came":
        seeds.write(
            "glance.toml", '[[blueprint]]\ncycle = "stein"\nproject = "nova"\nid = "zeta"\ntitle = "Zeta"\n'
        )
        named = {"glance.toml"}
    elif change == "the named file went":
        cinder.unlink()
        named = {"cinder.toml"}
    else:
        cinder.rename(seeds.path / "cinder2.toml")
        named = {"cinder.toml", "cinder2.toml"}

    live.adopt(live.load(only=named))
    assert len(listings) == 1
    fresh = Board(seeds.path, tmp_path / "fresh").refresh()
    assert live.plan.blueprints == fresh.plan.blueprints and live.plan.origins == fresh.plan.origins


def test_with_a_symlinked_seed_the_folder_is_listed_whatever_the_watcher_names(seeds, tmp_path, monkeypatch):
    """A link's target may change where the watcher does not look: only a listing sees it."""
    _write_all(seeds)
    outside = tmp_path / "elsewhere.toml"
    outside.write_text('[[blueprint]]\ncycle = "stein"\nproject = "nova"\nid = "linked"\ntitle = "Before"\n')
    bump_mtime(outside, -3600)
    (seeds.path / "linked.toml").symlink_to(outside)
    live = Board(seeds.path, tmp_path / "live", live=True).refresh()
    listings = _no_listing(monkeypatch)
    outside.write_text(outside.read_text().replace("Before", "After"))
    nova = seeds.path / "nova.toml"
    nova.write_text(nova.read_text().replace('"Alpha"', '"Alpha, named"'))

    live.adopt(live.load(only={"nova.toml"}))
    assert len(listings) == 1
    assert live.plan.blueprints["stein/nova/linked"].title == "After"
    assert live.plan.blueprints["stein/nova/alpha"].title == "Alpha, named"


def test_a_file_broken_after_a_patch_keeps_the_patched_version_as_its_last_good_one(seeds, tmp_path):
    _write_all(seeds)
    live = Board(seeds.path, tmp_path / "live", live=True).refresh()
    nova = seeds.path / "nova.toml"
    nova.write_text(nova.read_text().replace('"Alpha"', '"Alpha, patched"'))
    live.refresh()
    assert live.cache.unwritten == 1  # the patch is in memory only
    nova.write_text(nova.read_text().replace('state = "proposed"', 'state = "finished"'))

    live.refresh()
    assert any("finished" in e.message for e in live.plan.problems)
    assert live.plan.blueprints["stein/nova/alpha"].title == "Alpha, patched"
    # ... and so does the next process, which reads the entries the refresh wrote.
    assert (
        Board(seeds.path, tmp_path / "live").refresh().plan.blueprints["stein/nova/alpha"].title
        == "Alpha, patched"
    )
