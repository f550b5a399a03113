"""Plans and machines that push the limits: many files, odd names, a vanished folder, a full disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from store.seeds import read_seed
from tests.conftest import run_subprocess

SMALL_BLUEPRINT = (
    '[defaults]\ncycle = "stein"\nproject = "nova"\n\n[[blueprint]]\nid = "bp-{n}"\ntitle = "Blueprint {n}"\n'
)
BASE = '[[project]]\nid = "nova"\n\n[[cycle]]\nid = "stein"\nname = "Stein"\n'


def _mappings() -> int:
    with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
        return sum(1 for _ in maps)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="counts mappings through /proc")
def test_reading_a_seed_file_keeps_no_memory_mapping(tmp_path):
    path = tmp_path / "one.toml"
    path.write_text(SMALL_BLUEPRINT.format(n=1))
    before = _mappings()
    kept = [read_seed(path)[0] for _ in range(2_000)]  # a cold start keeps every file's bytes
    assert _mappings() - before < 100
    assert all(raw == kept[0] for raw in kept)


def test_a_seed_file_that_grows_while_being_read_is_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "grows.toml"
    path.write_text(BASE)
    real_fstat = os.fstat

    def stale_fstat(fd):  # the size as it was a moment before the file grew
        found = real_fstat(fd)
        return os.stat_result((*found[:6], 10, *found[7:]))

    monkeypatch.setattr(os, "fstat", stale_fstat)
    raw, _ = read_seed(path)
    assert raw == BASE.encode()


@pytest.mark.slow
def test_seventy_thousand_seed_files_work_in_every_command(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "base.toml").write_text(BASE)
    count = 70_000
    for n in range(count):
        folder = seeds / f"part{n // 1000:02d}"
        if n % 1000 == 0:
            folder.mkdir()
        (folder / f"bp{n}.toml").write_text(SMALL_BLUEPRINT.format(n=n))
    env = {"CYCLEBOARD_STORE": str(tmp_path / "store")}
    for command in (["list"], ["check"], ["report", "--cycle", "stein"]):
        done = run_subprocess(*command, "--seeds", str(seeds), env=env)
        assert done.returncode == 0, (command, done.stderr[-500:])
        assert "internal error" not in done.stderr
        if command == ["list"]:
            assert f"{count} blueprint(s)" in done.stderr


def _non_utf8_name(folder: Path) -> Path:
    """A seed file named with a byte that is not UTF-8 (Linux file systems take any bytes)."""
    path = Path(os.fsdecode(os.fsencode(folder) + b"/quokka-\xff.toml"))
    path.write_text(SMALL_BLUEPRINT.format(n="odd"))
    return path


def test_a_file_name_that_is_not_utf8_is_one_error_and_the_rest_loads(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "base.toml").write_text(BASE)
    (seeds / "good.toml").write_text(SMALL_BLUEPRINT.format(n=1))
    _non_utf8_name(seeds)
    env = {"CYCLEBOARD_STORE": str(tmp_path / "store")}
    check = run_subprocess("check", "--seeds", str(seeds), env=env)
    assert check.returncode == 1
    said = (check.stdout + check.stderr).splitlines()
    problems = [line for line in said if "quokka" in line and "error(s)" not in line]
    assert len(problems) == 1 and "quokka-\\xff.toml" in problems[0] and "not valid UTF-8" in problems[0]
    for command in (["list"], ["export"], ["report", "--cycle", "stein"]):
        done = run_subprocess(*command, "--seeds", str(seeds), env=env)
        assert done.returncode == 0 and "internal error" not in done.stderr, (command, done.stderr)
    listed = run_subprocess("list", "--seeds", str(seeds), env=env)
    assert "stein/nova/bp-1" in listed.stdout and "bp-odd" not in listed.stdout


def test_a_command_on_a_vanished_seeds_folder_says_so_and_leaves_the_cache(seeds, store_dir):
    from store.board import Board
    from store.cache import SeedsFolderMissing

    seeds.write("base.toml", BASE)
    Board(seeds.path, store_dir).refresh()
    cache = (store_dir / "plan.json").read_bytes()
    seeds.path.rename(seeds.path.with_name("elsewhere"))
    with pytest.raises(SeedsFolderMissing, match="is missing"):
        Board(seeds.path, store_dir).refresh()
    assert (store_dir / "plan.json").read_bytes() == cache


def _disk_full(*_args, **_kwargs):
    import errno

    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("what_fails", ["lock", "write"])
def test_a_cache_that_cannot_be_written_is_a_warning_never_a_refusal(
    seeds, store_dir, cli, monkeypatch, what_fails
):
    import store.cache.plan_cache

    seeds.write("base.toml", BASE)
    seeds.write("bp.toml", SMALL_BLUEPRINT.format(n=1))
    assert cli("list", "--seeds", str(seeds.path), "--store", str(store_dir))[0] == 0
    seeds.write("bp.toml", SMALL_BLUEPRINT.format(n=2))  # touched: the cache would be written
    monkeypatch.setattr(
        store.cache.plan_cache, "_PATCHED_UNWRITTEN_AT_MOST", 0
    )  # even for one file patched in
    if what_fails == "lock":
        monkeypatch.setattr(store.cache.plan_cache, "store_lock", _disk_full)
    monkeypatch.setattr(store.cache.plan_cache, "atomic_write", _disk_full)
    monkeypatch.setattr(store.snapshot, "atomic_write", _disk_full)
    code, out, err = cli("list", "--seeds", str(seeds.path), "--store", str(store_dir))
    assert code == 0 and "stein/nova/bp-2" in out
    assert "cannot write the plan cache" in err and "No space left" in err
    assert len([line for line in err.splitlines() if "plan cache" in line]) == 1


@pytest.mark.parametrize(
    "seeds_value, expected",
    [
        ("a" * 5000, "File name too long"),
        ("~nosuchuser-cycleboard/x", "no such user's home folder"),
    ],
    ids=["5000-characters", "no-such-user"],
)
def test_an_odd_seeds_setting_is_one_plain_line(cli, monkeypatch, seeds_value, expected):
    monkeypatch.setenv("CYCLEBOARD_SEEDS", seeds_value)
    code, _, err = cli("list")
    assert code == 1 and expected in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1 and len(err) < 400


def test_a_store_where_no_lock_can_be_made_fails_at_once_and_reads_still_work(seeds, cli, monkeypatch):
    import time

    seeds.write("base.toml", BASE)
    seeds.write("bp.toml", SMALL_BLUEPRINT.format(n=1))
    monkeypatch.setenv("CYCLEBOARD_STORE", "/proc")
    started = time.monotonic()
    code, out, err = cli("list", "--seeds", str(seeds.path))
    assert code == 0 and "stein/nova/bp-1" in out and "cannot write the plan cache in /proc" in err
    code, _, err = cli("mark", "bp-1", "done", "--seeds", str(seeds.path))
    assert code == 1 and "cannot write seed edits" in err and "lock" not in err
    assert (
        "done" not in (seeds.path / "bp.toml").read_text()
        and "implemented" not in (seeds.path / "bp.toml").read_text()
    )
    seeds.local_only()
    code, _, err = cli("mark", "bp-1", "done", "--seeds", str(seeds.path))
    assert code == 1 and "cannot write marks" in err and "lock" not in err
    assert time.monotonic() - started < 5  # not the lock's 10 s timeout


def test_a_store_inside_the_seeds_is_refused_before_anything_is_made(seeds, cli, monkeypatch, tmp_path):
    seeds.write("base.toml", BASE)
    code, _, err = cli("list", "--seeds", str(seeds.path), "--store", str(seeds.path / "inner"))
    assert code == 1 and "must not be inside the seeds folder" in err
    assert not (seeds.path / "inner").exists()
    monkeypatch.delenv("CYCLEBOARD_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    code, _, err = cli("list", "--seeds", "/")
    assert code == 1 and "must not be inside the seeds folder" in err
    assert not (tmp_path / "data").exists()


def test_a_line_break_in_a_title_never_makes_a_row_of_list(seeds, cli, store_dir):
    seeds.write("base.toml", BASE)
    seeds.write(
        "bp.toml",
        SMALL_BLUEPRINT.format(n=1).replace(
            'title = "Blueprint 1"',
            'title = "Real\\napproved     stein/nova/fake   Injected\\ttab\\u001b[31m"',
        ),
    )
    code, out, _ = cli("list", "--seeds", str(seeds.path), "--store", str(store_dir))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("proposed") and "\\x0aapproved" in lines[0]
    assert "\t" not in out and "\x1b" not in out
