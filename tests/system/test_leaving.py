"""Marks that cannot be written, quitting while one is still being written, and signals.

Another cycleboard holding the marks lock is a real process here, so the
lock is a real one.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time

import pytest

import store.storage
from store.model import State
from tests.conftest import REPO
from tests.dashboard_helpers import build, wait_for, write_two_projects
from tests.system.test_e2e_tmux import Terminal
from tui import app as app_module
from tui.panes.blueprints import BlueprintsPane

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["seeds", "local"])
def two(seeds, request):
    """The plan, with marks written into its seeds, or kept locally (the seeds are not ours)."""
    write_two_projects(seeds)
    if request.param == "local":
        seeds.local_only()
    return seeds


@pytest.fixture
def lock_held(store_dir, two):
    """Another process holds the lock a mark waits for until the test ends: the seed edits'
    lock, or the marks file's where the seeds cannot be written."""
    name = "marks.json.lock" if two.kept_locally else "seed-edits.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock\n"
            f"lock = FileLock({str(store_dir / name)!r}); lock.acquire()\n"
            "print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    yield holder
    holder.kill()
    holder.wait()


def stored_marks(store_dir) -> list[str]:
    from store.marks import MarksStore

    return [m.key for m in MarksStore(store_dir / "marks.json").events()]


async def test_a_mark_that_cannot_be_written_is_taken_back_and_said(two, store_dir, lock_held, monkeypatch):
    monkeypatch.setattr(store.storage, "LOCK_TIMEOUT_S", 0.5)
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/alpha")
        await pilot.press("space")
        assert pane.current.state is State.IMPLEMENTED  # shown at once
        await wait_for(pilot, lambda: app.board.unsaved == 0, 5)
        await pilot.pause()
        assert pane.current.state is State.APPROVED  # taken back
        said = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert any("Could not save stein/nova/alpha" in s and "holds the lock" in s for s in said), said
        assert not app.undo_stack
    assert stored_marks(store_dir) == []
    assert (two.path / "stein.toml").read_text().count("implemented") == 0


async def test_quitting_with_a_mark_not_yet_written_waits_a_bounded_time_and_names_it(
    two, store_dir, lock_held, monkeypatch
):
    monkeypatch.setattr(app_module, "QUIT_WAIT_S", 0.5)
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)
        pane.select_key("stein/nova/alpha")
        await pilot.press("space")
        started = time.monotonic()
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, 5)
    assert time.monotonic() - started < 2.5  # the stated wait, not the lock's 10 s
    assert app.return_code == 1
    assert app.not_saved == ["stein/nova/alpha -> implemented"]
    # Said to be not saved, it stays not saved: the write waiting for the lock gave up,
    # and does not land once the other process lets the lock go.
    assert not app.writes_cut_short  # it waited for the lock: nothing was under way
    lock_held.kill()
    lock_held.wait()
    time.sleep(0.5)
    assert stored_marks(store_dir) == []
    assert (two.path / "stein.toml").read_text().count("implemented") == 0


async def test_quitting_while_a_write_is_under_way_says_it_may_have_landed(seeds, store_dir, monkeypatch):
    import store.seed_write

    write_two_projects(seeds)
    monkeypatch.setattr(app_module, "QUIT_WAIT_S", 0.3)
    real_write = store.seed_write.atomic_write

    def slow_write(*args, **kwargs):  # a slow disk: the write holds its lock past the wait
        time.sleep(1.5)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(store.seed_write, "atomic_write", slow_write)
    app = build(seeds.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        await pilot.press("space", "q")
        await wait_for(pilot, lambda: not app.is_running, 5)
    assert app.return_code == 1
    assert app.writes_cut_short
    assert app.not_saved == ["stein/nova/alpha -> implemented"]


async def test_quitting_waits_for_a_mark_that_is_written_in_time(two, store_dir):
    app = build(two.path, store_dir)
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(BlueprintsPane).select_key("stein/nova/alpha")
        await pilot.press("space", "q")
        await wait_for(pilot, lambda: not app.is_running, 5)
    assert app.return_code == 0 and app.not_saved == []
    assert stored_marks(store_dir) == ["stein/nova/alpha"]


def _stty(term: Terminal) -> set[str]:
    """The terminal's icanon, echo and isig modes as stty prints them (``-echo`` when off).

    The typed command never holds the markers it prints (``MO''DES``), so the
    wait ends on stty's output, not on the command's own echo.
    """
    term.type(
        "stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig)' | tr '\\n' ' ' "
        "| sed 's/^/MO''DES: /; s/$/ :EN''D/'; echo"
    )
    term.send("Enter")
    found = re.compile(r"MODES: (.*?) :END")
    shown = term.wait_for(lambda s: found.search(s), "stty")
    return set(found.search(shown).group(1).split())


@pytest.mark.parametrize("signame", ["TERM", "HUP"])
def test_a_signal_to_the_dashboard_gives_the_terminal_back(two, store_dir, tmp_path, signame):
    pidfile = tmp_path / "pid"
    term = Terminal("env -u COLUMNS -u LINES TERM=xterm-256color bash --norc --noprofile")
    try:
        term.type("PS1='$ '; stty sane; clear")
        term.send("Enter")
        dashboard = " ".join(
            shlex.quote(p)
            for p in (sys.executable, "-m", "tui", "--seeds", str(two.path), "--store", str(store_dir))
        )
        term.type(f"cd {shlex.quote(str(REPO))}; sh -c 'echo $$ > {pidfile}; exec {dashboard}'; echo EXIT=$?")
        term.send("Enter")
        term.wait_for(lambda s: "Blueprints (" in s, "the dashboard")
        assert term._tmux("display-message", "-p", "-t", "board", "#{alternate_on}").strip() == "1"
        subprocess.run(["kill", f"-{signame}", pidfile.read_text().strip()], check=True)
        shown = term.wait_for(lambda s: re.search(r"EXIT=\d+", s), "the dashboard to exit", timeout=10)
        code = int(re.search(r"EXIT=(\d+)", shown).group(1))
        assert code == 128 + {"TERM": 15, "HUP": 1}[signame]
        assert term._tmux(
            "display-message", "-p", "-t", "board", "#{alternate_on} #{mouse_any_flag} #{mouse_button_flag}"
        ).split() == ["0", "0", "0"]
        assert _stty(term) == {"icanon", "echo", "isig"}
    finally:
        term.close()


def test_quitting_in_a_terminal_names_the_mark_not_saved_on_stderr(two, store_dir, lock_held):
    # Textual draws on stderr, so it stays the terminal; what is printed after the
    # dashboard has given the terminal back is read from the screen.
    dashboard = " ".join(
        shlex.quote(p)
        for p in (sys.executable, "-m", "tui", "--seeds", str(two.path), "--store", str(store_dir))
    )
    term = Terminal("env -u COLUMNS -u LINES TERM=xterm-256color bash --norc --noprofile")
    try:
        term.type(f"cd {shlex.quote(str(REPO))}; {dashboard}; echo EXIT=$?")
        term.send("Enter")
        term.wait_for(lambda s: "Blueprints (" in s, "the dashboard")
        time.sleep(0.5)
        term.type("/alpha\r q")
        asked = time.monotonic()
        shown = term.wait_for(lambda s: re.search(r"EXIT=\d+", s), "the dashboard to exit", timeout=15)
        # The shell is back after the stated wait, not once the lock's own timeout has passed.
        assert time.monotonic() - asked < app_module.QUIT_WAIT_S + 3, time.monotonic() - asked
        assert re.search(r"EXIT=(\d+)", shown).group(1) == "1"
        assert (
            "cycleboard: not saved (another cycleboard held the lock): stein/nova/alpha -> implemented"
            in shown
        )
        assert "Traceback" not in shown
    finally:
        term.close()
    assert stored_marks(store_dir) == []
