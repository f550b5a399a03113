"""The plan snapshot: a start with no seed changed loads the assembled plan in one read.

It must be used only when every seed file and the TinyDB entries are as they
were when it was written, and anything wrong with it must cost time, never data.
"""

from __future__ import annotations

import os

import pytest

from store.board import Board
from store.cache import PlanCache
from tests.conftest import BASE_SEED
from tests.unit.test_store import BLUEPRINTS, bump_mtime


@pytest.fixture
def planned(seeds, store_dir):
    """Two seed files whose stat the cache may trust, read once so the snapshot exists."""
    files = [seeds.write("base.toml", BASE_SEED), seeds.write("bps.toml", BLUEPRINTS)]
    for path in files:
        bump_mtime(path, -3600)
    first = Board(seeds.path, store_dir).refresh()
    assert first.stats.parsed == 2 and (store_dir / "plan.snapshot").exists()
    return first


@pytest.fixture
def entries_read(monkeypatch):
    """Counts how often a refresh had to fall back to the TinyDB entries."""
    calls = []
    original = PlanCache._cached_entries

    def spy(self, db):
        calls.append(self.path)
        return original(self, db)

    monkeypatch.setattr(PlanCache, "_cached_entries", spy)
    return calls


def test_a_start_with_nothing_changed_uses_the_snapshot(planned, seeds, store_dir, entries_read):
    again = Board(seeds.path, store_dir).refresh()
    assert entries_read == [] and again.stats.parsed == 0 and again.stats.files == 2
    assert again.plan.blueprints == planned.plan.blueprints
    assert again.plan.cycles == planned.plan.cycles and again.plan.themes == planned.plan.themes
    assert again.plan.errors == planned.plan.errors


def test_a_changed_seed_file_is_patched_into_the_snapshot(
    planned, seeds, store_dir, entries_read, monkeypatch
):
    bps = seeds.path / "bps.toml"
    bps.write_text(BLUEPRINTS.replace('"Alpha"', '"Alpha, renamed"'))
    bump_mtime(bps, -3000)
    snapshot = (store_dir / "plan.snapshot").read_bytes()
    board = Board(seeds.path, store_dir).refresh()
    assert entries_read == [] and board.stats.parsed == 1  # one file parsed, not every entry decoded
    assert board.plan.blueprints["stein/nova/alpha"].title == "Alpha, renamed"
    # A command leaves the snapshot to a dashboard while the files to patch in are few...
    assert (store_dir / "plan.snapshot").read_bytes() == snapshot
    # ... and writes it once they are many.
    import store.cache.plan_cache

    monkeypatch.setattr(store.cache.plan_cache, "_PATCHED_UNWRITTEN_AT_MOST", 0)
    Board(seeds.path, store_dir).refresh()
    again = Board(seeds.path, store_dir).refresh()
    assert again.plan.blueprints["stein/nova/alpha"].title == "Alpha, renamed"
    assert entries_read == [] and again.stats.parsed == 0  # the new snapshot serves the next start


def test_a_new_or_removed_seed_file_is_patched_in_or_out(planned, seeds, store_dir, entries_read):
    extra = seeds.write("more.toml", BLUEPRINTS.replace('"alpha"', '"gamma"').replace('"beta"', '"delta"'))
    bump_mtime(extra, -3600)
    came = Board(seeds.path, store_dir).refresh()
    assert "stein/nova/gamma" in came.plan.blueprints and came.stats.parsed == 1
    extra.unlink()
    went = Board(seeds.path, store_dir).refresh()
    assert "stein/nova/gamma" not in went.plan.blueprints and went.stats.parsed == 0
    assert entries_read == []
    assert went.plan.blueprints == planned.plan.blueprints and went.plan.origins == planned.plan.origins


def test_a_start_right_after_a_clone_trusts_files_seconds_old(seeds, store_dir, entries_read, monkeypatch):
    """git's rule for racy stats: a file is in doubt only when it was modified within a
    timestamp tick of the check, not for seconds after (a clone makes every file new)."""
    import time

    import store.cache.entries

    (
        seeds.write("base.toml", BASE_SEED),
        seeds.write("bps.toml", BLUEPRINTS),
    )  # just now, as a clone writes them
    time.sleep(0.1)
    first = Board(seeds.path, store_dir).refresh()
    assert first.stats.parsed == 2
    entries_read.clear()
    read = []
    original = store.cache.entries.read_seed
    monkeypatch.setattr(store.cache.entries, "read_seed", lambda path: read.append(path) or original(path))
    second = Board(seeds.path, store_dir).refresh()
    assert read == [] and entries_read == [] and second.stats.parsed == 0
    assert second.plan.blueprints == first.plan.blueprints


def test_damaged_entries_are_rebuilt_even_when_the_snapshot_is_fine(planned, seeds, store_dir):
    (store_dir / "plan.json").write_bytes(b'{"files": {"1": {"path": "bps.t')
    board = Board(seeds.path, store_dir).refresh()
    assert board.stats.rebuilt and board.plan.blueprints == planned.plan.blueprints


@pytest.mark.parametrize("damage", [b"", b"\x80\x05garbage", b"\x00" * 512])
def test_a_damaged_snapshot_costs_time_not_data(planned, seeds, store_dir, entries_read, damage):
    (store_dir / "plan.snapshot").write_bytes(damage)
    board = Board(seeds.path, store_dir).refresh()
    assert entries_read and board.plan.blueprints == planned.plan.blueprints
    entries_read.clear()
    Board(seeds.path, store_dir).refresh()
    assert entries_read == []  # written again, whole


def test_a_snapshot_others_could_write_is_not_loaded(planned, seeds, store_dir, entries_read):
    os.chmod(store_dir / "plan.snapshot", 0o666)  # noqa: S103 - the hostile case under test
    board = Board(seeds.path, store_dir).refresh()
    assert entries_read and board.plan.blueprints == planned.plan.blueprints


@pytest.mark.parametrize("timestamps", ["fine", "whole seconds"])
def test_a_seed_saved_just_now_is_not_trusted_to_its_stat(planned, seeds, store_dir, timestamps):
    """A same-size edit within a timestamp tick of the last check keeps the stat the check saw:
    the text must be hashed. A live board holds the stat of its last check, so the second edit
    meets a stat that matches, and only the window stands between it and a stale plan."""
    import time

    board = Board(seeds.path, store_dir, live=True).refresh()
    bps = seeds.path / "bps.toml"
    bps.write_text(BLUEPRINTS.replace('"Alpha"', '"Omega"'))
    if timestamps == "whole seconds":  # as FAT keeps them: the tick is two seconds
        now = time.time_ns()
        whole = now - now % 1_000_000_000
        if now - whole < 100_000_000:  # checked at least 0.1 s after: past a fine tick
            time.sleep(0.1)
        os.utime(bps, ns=(whole, whole))
    board.refresh()
    assert board.plan.blueprints["stein/nova/alpha"].title == "Omega"
    stamp = bps.stat()
    bps.write_text(BLUEPRINTS.replace('"Alpha"', '"Gamma"'))  # the same size, and the same mtime
    os.utime(bps, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert board.refresh().plan.blueprints["stein/nova/alpha"].title == "Gamma"


def test_the_racy_window_is_one_timestamp_tick():
    """git's rule: a stat proves the file unchanged only when the file is older than the
    filesystem's timestamp tick at the time of the check."""
    from store.cache.entries import trusted

    def stat(size, mtime_ns):
        return os.stat_result((0o100644, 0, 0, 1, 0, 0, size, 0, 0, 0, 0, 0, 0, mtime_ns, mtime_ns, mtime_ns))

    second, ms = 1_000_000_000, 1_000_000
    fine = 1_700_000_000 * second + 123_456_789  # a filesystem with fractions of a second
    assert not trusted(stat(10, fine), 10, fine, fine + 1 * ms)
    assert trusted(stat(10, fine), 10, fine, fine + 1 * second)
    assert not trusted(stat(11, fine), 10, fine, fine + 1 * second)  # the size changed
    assert not trusted(stat(10, fine + 1), 10, fine, fine + 1 * second)  # the mtime changed
    whole = 1_700_000_000 * second  # FAT: whole seconds, and a two-second tick
    assert not trusted(stat(10, whole), 10, whole, whole + 1 * second)
    assert not trusted(stat(10, whole), 10, whole, whole + 1900 * ms)
    assert trusted(stat(10, whole), 10, whole, whole + 3 * second)


def test_parsing_in_processes_gives_what_parsing_here_gives(monkeypatch):
    """A cold start parses in a pool of processes; the results must be the same, in order."""
    from pathlib import Path

    import store.cache.entries as entries
    import store.cache.parallel as parallel
    from store.seeds import parse_text
    from tests.conftest import SHIPPED

    corpus = Path(__file__).parent.parent / "bad_seeds"
    paths = sorted(SHIPPED.rglob("*.toml")) + sorted(corpus.rglob("*.toml"))
    files = [(path.name, path.read_bytes()) for path in paths]
    assert any(not parse_text(rel, raw).ok for rel, raw in files)  # errors travel back too
    monkeypatch.setattr(parallel, "_PARALLEL_FROM", 2)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 3)  # this process and two others
    results = parallel.parse_all(files)
    assert [parsed for parsed, _ in results] == [parse_text(rel, raw) for rel, raw in files]
    for parsed, good in results:  # each clean file's records, encoded for the cache
        assert (good == entries.encode(parsed)) if parsed.ok else good is None


def test_a_dashboard_writes_its_snapshot_as_it_closes(seeds, store_dir, entries_read):
    for path in (seeds.write("base.toml", BASE_SEED), seeds.write("bps.toml", BLUEPRINTS)):
        bump_mtime(path, -3600)
    live = Board(seeds.path, store_dir, live=True).refresh()
    assert not (store_dir / "plan.snapshot").exists()  # the first paint does not wait for it
    assert live.persist() and (store_dir / "plan.snapshot").exists()
    entries_read.clear()
    assert Board(seeds.path, store_dir).refresh().plan.blueprints == live.plan.blueprints
    assert entries_read == []


def test_no_snapshot_is_written_over_entries_someone_else_rewrote(seeds, store_dir):
    for path in (seeds.write("base.toml", BASE_SEED), seeds.write("bps.toml", BLUEPRINTS)):
        bump_mtime(path, -3600)
    live = Board(seeds.path, store_dir, live=True).refresh()
    (store_dir / "plan.json").unlink()
    Board(seeds.path, store_dir).refresh()  # the command line rebuilds the entries and its own snapshot
    written = (store_dir / "plan.snapshot").read_bytes()
    live.persist()
    assert (store_dir / "plan.snapshot").read_bytes() == written


def test_a_dashboard_writes_its_snapshot_even_where_a_command_left_an_entry_unwritten(
    seeds, store_dir, entries_read, monkeypatch
):
    """A command patches a new file into the snapshot and writes only the snapshot; the
    dashboard's own patches must still reach the next start through its snapshot."""
    import store.cache.plan_cache

    for path in (seeds.write("base.toml", BASE_SEED), seeds.write("bps.toml", BLUEPRINTS)):
        bump_mtime(path, -3600)
    Board(seeds.path, store_dir).refresh()
    extra = seeds.write("more.toml", BLUEPRINTS.replace('"alpha"', '"gamma"').replace('"beta"', '"delta"'))
    bump_mtime(extra, -3600)
    monkeypatch.setattr(store.cache.plan_cache, "_PATCHED_UNWRITTEN_AT_MOST", 0)
    Board(seeds.path, store_dir).refresh()  # the snapshot has more.toml; the entries do not
    live = Board(seeds.path, store_dir, live=True).refresh()
    bps = seeds.path / "bps.toml"
    bps.write_text(BLUEPRINTS.replace('"Alpha"', '"Alpha, live"'))
    bump_mtime(bps, -3000)
    live.refresh()
    assert live.persist()
    entries_read.clear()
    again = Board(seeds.path, store_dir).refresh()
    assert again.stats.parsed == 0 and entries_read == []
    assert (
        again.plan.blueprints["stein/nova/alpha"].title == "Alpha, live"
        and "stein/nova/gamma" in again.plan.blueprints
    )


def test_a_plan_with_a_seed_error_still_starts_from_its_snapshot(seeds, store_dir, entries_read):
    """The plan keeps the errors it shows (SeedError): the snapshot must be able to hold them."""
    files = [
        seeds.write("base.toml", BASE_SEED),
        seeds.write("bps.toml", BLUEPRINTS),
        seeds.write("broken.toml", '[[blueprint]]\nid = "x"\ntitle = \n'),
    ]
    for path in files:
        bump_mtime(path, -3600)
    first = Board(seeds.path, store_dir).refresh()
    assert first.plan.problems and (store_dir / "plan.snapshot").exists()
    entries_read.clear()
    again = Board(seeds.path, store_dir).refresh()
    assert entries_read == [] and again.stats.parsed == 0
    assert again.plan.problems == first.plan.problems
