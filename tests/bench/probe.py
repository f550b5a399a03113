"""One measured run of the dashboard (or of the naive DataTable baseline), in its own process.

    python -m tests.bench.probe dashboard SEEDS STORE START_NS   # first paint, keys, saves
    python -m tests.bench.probe start SEEDS STORE START_NS       # first paint only
    python -m tests.bench.probe datatable JSON_FILE START_NS
    python -m tests.bench.probe empty START_NS                    # an empty Textual app

START_NS is ``time.time_ns()`` taken by the parent just before it started this
process, so "to first paint" includes the interpreter, the imports and the
store.  Timings are taken inside the app: a key, a save or the switch to all
cycles is timed to the end of the last frame that shows it (``FrameClock``, which
also encodes each frame as a terminal would get it); a first paint, to the moment
a refresh has been done (``call_after_refresh``).  Pilot's own waits are far
coarser.  Prints one JSON object of milliseconds (and ``peak_mb``).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path


def _peak_mb() -> float:
    """The most memory this program has held, in MB.

    Linux carries ``ru_maxrss`` over from the parent through exec, so under a
    big parent (a test runner) it gives the parent's size; the high-water mark
    in /proc belongs to this program's own memory.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FrameClock:
    """When the app last handed a frame to the terminal.

    Headless, Textual skips turning a frame into the terminal's bytes; a real
    terminal waits for that too, so the clock does it (and drops the bytes)
    before it reads the time.
    """

    def __init__(self, app) -> None:
        from textual._compositor import CompositorUpdate

        self.last = 0.0
        display = app._display

        def display_and_time(screen, update) -> None:
            display(screen, update)
            if update is not None:
                if app.is_headless and isinstance(update, CompositorUpdate):
                    update.render_segments(app.console)
                self.last = time.perf_counter()

        app._display = display_and_time


async def _refreshed(app) -> None:
    """Return once the app has painted everything asked of it so far."""
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


# Keys are sent this far apart: faster than typing or a held key repeats, and
# far enough that a key does not wait for the frame the previous one started.
KEY_GAP_S = 0.05
# Words of the generated plan's titles, typed and cleared again with ctrl+u (a
# keystroke in the filter too): 46 keys, so that the 95th percentile leaves out
# the slowest two or three instead of being the slowest one.
FILTER_WORDS = ("scheduler", "volume", "numa", "placement", "libvirt", "quota")


async def _until(app, condition, timeout: float = 30.0) -> None:
    """Wait in the app's own loop, in 1 ms steps, until ``condition()`` holds; then for the repaint."""
    deadline = time.perf_counter() + timeout
    await asyncio.sleep(0)  # let the app take the key first
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the dashboard did not show the change")
        await asyncio.sleep(0.001)
    await _refreshed(app)


async def _shown(app, clock: FrameClock, start: float, condition) -> float:
    """Milliseconds from ``start`` to the end of the last frame that shows what ``condition`` waits for.

    The wait polls, and ends after a repaint; the time is read from the frames
    themselves, so the polling adds nothing to it.
    """
    await _until(app, condition)
    if clock.last < start:
        raise RuntimeError("the change reached no frame")
    return (clock.last - start) * 1000


async def _marks(app, clock: FrameClock, count: int) -> tuple[list[float], list[float]]:
    """Space on the cursor's blueprint ``count`` times: ms until the pane shows the new state
    (repaint included), and ms until the worker's atomic, fsynced write is done."""
    from tui.panes.blueprints import BlueprintsPane

    pane = app.query_one(BlueprintsPane)
    on_screen, durable = [], []
    for _ in range(count):
        await asyncio.sleep(KEY_GAP_S)
        before = pane.current.state
        start = time.perf_counter()
        app.simulate_key("space")
        on_screen.append(await _shown(app, clock, start, lambda b=before: pane.current.state is not b))
        await _until(app, lambda: app.board.unsaved == 0)
        durable.append((time.perf_counter() - start) * 1000)
    return on_screen, durable


async def _interactions(app, pilot, clock: FrameClock, result: dict, suffix: str) -> None:
    """Cursor, marks and a typed filter in the view on screen; names end in ``suffix``."""
    from tui.panes.blueprints import BlueprintsPane
    from tui.panes.cycles import CyclesPane

    pane = app.query_one(BlueprintsPane)
    moves = []
    for _ in range(30):
        await asyncio.sleep(KEY_GAP_S)
        # At the last row, back to the first: a cycle of the small plan has fewer rows than moves.
        wanted, key = (pane.cursor + 1, "down") if pane.cursor + 1 < len(pane.rows) else (0, "home")
        start = time.perf_counter()
        app.simulate_key(key)
        moves.append(await _shown(app, clock, start, lambda w=wanted: pane.cursor == w))
    result["cursor_p95_ms" + suffix] = _p95(moves)
    on_screen, durable = await _marks(app, clock, 10)
    result["mark_on_screen_ms" + suffix] = statistics.median(on_screen)
    result["mark_durable_ms" + suffix] = statistics.median(durable)
    await pilot.press("slash")
    cycles = app.query_one(CyclesPane)
    keys = []
    for word in FILTER_WORDS:
        for typed in [word[:n] for n in range(1, len(word) + 1)] + [""]:
            await asyncio.sleep(KEY_GAP_S)
            start = time.perf_counter()
            app.simulate_key(typed[-1] if typed else "ctrl+u")
            # Every pane follows: the rows, their count, the States and Cycles numbers.
            keys.append(
                await _shown(
                    app,
                    clock,
                    start,
                    lambda t=typed: (
                        app.contents.query.words == ((t,) if t else ())
                        and cycles._shown[1] == app.contents.progress
                    ),
                )
            )
    result["filter_key_p95_ms" + suffix] = _p95(keys)
    await pilot.press("escape")
    await _refreshed(app)


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


async def _saves(app, clock: FrameClock, seeds: Path, count: int) -> tuple[list[float], list[int]]:
    """Save one seed file ``count`` times with a new title: ms until the Blueprints pane shows it."""
    from tui.panes.blueprints import BlueprintsPane

    pane = app.query_one(BlueprintsPane)
    key = pane.current_key
    bp = app.board.plan.blueprints[key]
    path = seeds / app.board.plan.origins[f"blueprint:{key}"][0]
    original = path.read_text(encoding="utf-8")
    delays, parsed = [], []
    try:
        for n in range(count):
            title = f"{bp.title} (saved {n})"
            start = time.perf_counter()
            path.write_text(
                original.replace(f'title = "{bp.title}"', f'title = "{title}"', 1), encoding="utf-8"
            )
            delays.append(
                await _shown(
                    app,
                    clock,
                    start,
                    lambda t=title: pane.current is not None and pane.current.blueprint.title == t,
                )
            )
            parsed.append(app.board.stats.parsed)
            await asyncio.sleep(0.05)  # a person saves again later, not within the same tick
    finally:
        path.write_text(original, encoding="utf-8")
    return delays, parsed


async def _added_and_removed(
    app, clock: FrameClock, seeds: Path, count: int
) -> tuple[list[float], list[float]]:
    """Add a blueprint to one seed file and take it out again, ``count`` times: ms until the
    Blueprints pane and the cycle's numbers show each (watcher, patch and repaint included)."""
    from tui.panes.blueprints import BlueprintsPane
    from tui.panes.cycles import CyclesPane

    pane, cycles = app.query_one(BlueprintsPane), app.query_one(CyclesPane)
    bp = pane.current.blueprint
    path = seeds / app.board.plan.origins[f"blueprint:{bp.key}"][0]
    original = path.read_text(encoding="utf-8")
    rows = len(pane.rows)
    added, removed = [], []
    try:
        for n in range(count):
            text = (
                original + f'\n[[blueprint]]\ncycle = "{bp.cycle}"\nproject = "{bp.project}"\n'
                f'id = "bench-added-{n}"\ntitle = "Added by the benchmark"\nstate = "approved"\n'
            )
            start = time.perf_counter()
            path.write_text(text, encoding="utf-8")
            added.append(
                await _shown(
                    app,
                    clock,
                    start,
                    lambda: len(pane.rows) == rows + 1 and cycles._shown[1] == app.contents.progress,
                )
            )
            await asyncio.sleep(0.05)
            start = time.perf_counter()
            path.write_text(original, encoding="utf-8")
            removed.append(
                await _shown(
                    app,
                    clock,
                    start,
                    lambda: len(pane.rows) == rows and cycles._shown[1] == app.contents.progress,
                )
            )
            await asyncio.sleep(0.05)
    finally:
        path.write_text(original, encoding="utf-8")
    return added, removed


async def dashboard(seeds: Path, store: Path, start_ns: int, extra: bool = True) -> dict:
    """One run: first paint, then (with ``extra``) keys in the cycle view and all cycles, and saves."""
    from tui.app import ALL_CYCLES, make_app
    from tui.panes.blueprints import BlueprintsPane

    app = make_app(seeds=seeds, store=store, watch_files=os.environ.get("NOWATCH") is None)
    clock = FrameClock(app)
    result: dict[str, float] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        await _refreshed(app)
        result["first_paint_ms"] = (time.time_ns() - start_ns) / 1e6
        if extra:
            await _interactions(app, pilot, clock, result, "")

            start = time.perf_counter()
            app.cycle = ALL_CYCLES
            app.repaint()
            await _refreshed(app)
            result["all_cycles_ms"] = (clock.last - start) * 1000
            result["rows"] = len(app.query_one(BlueprintsPane).rows)
            await _interactions(app, pilot, clock, result, "_all")

            await _until(app, lambda: any(w.group == "watch" and w.is_running for w in app.workers))
            await asyncio.sleep(0.5)  # the watcher's first scan
            delays, parsed = await _saves(app, clock, seeds, 10)
            result["save_to_panes_p95_ms"] = _p95(delays)
            result["save_to_panes_median_ms"] = statistics.median(delays)
            result["files_parsed_per_save"] = max(parsed)
            app.cycle = app._default_cycle()
            app.repaint()
            await _refreshed(app)
            added, removed = await _added_and_removed(app, clock, seeds, 10)
            result["add_to_panes_p95_ms"], result["remove_to_panes_p95_ms"] = _p95(added), _p95(removed)
            result["add_to_panes_median_ms"] = statistics.median(added)
            result["remove_to_panes_median_ms"] = statistics.median(removed)
            # q, as a person quits after this session: the parent times it to the process gone.
            result["quit_pressed_ns"] = time.time_ns()
            await pilot.press("q")
    result["peak_mb"] = _peak_mb()
    return result


async def marks_only(seeds: Path, store: Path, start_ns: int, watch: bool) -> dict:
    """First paint and ten marks (on screen, durable), nothing else; ``watch``: with the
    seeds watched, as the dashboard probe has them."""
    from tui.app import make_app

    app = make_app(seeds=seeds, store=store, watch_files=watch and os.environ.get("NOWATCH") is None)
    clock = FrameClock(app)
    async with app.run_test(size=(120, 36)):
        await _refreshed(app)
        result = {"first_paint_ms": (time.time_ns() - start_ns) / 1e6}
        on_screen, durable = await _marks(app, clock, 10)
    result["mark_on_screen_ms"] = statistics.median(on_screen)
    result["mark_durable_ms"] = statistics.median(durable)
    return result


async def datatable(rows_file: Path, start_ns: int) -> dict:
    """The naive way: read every row from JSON into a DataTable."""
    from textual.app import App
    from textual.widgets import DataTable

    class Baseline(App):
        def compose(self):
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("state", "key", "title", "category")
            rows = json.loads(rows_file.read_text())
            table.add_rows((r["state"], r["key"], r["title"], r["category"]) for r in rows)

    app = Baseline()
    FrameClock(app)  # its first frame is encoded for the terminal too, as the dashboard's is
    async with app.run_test(size=(120, 36)):
        await _refreshed(app)
        first = (time.time_ns() - start_ns) / 1e6
    return {"first_paint_ms": first, "peak_mb": _peak_mb()}


async def empty(start_ns: int) -> dict:
    """An empty Textual app's first paint: what any Textual app costs in this terminal."""
    from textual.app import App

    app = App()
    FrameClock(app)
    async with app.run_test(size=(120, 36)):
        await _refreshed(app)
        return {"first_paint_ms": (time.time_ns() - start_ns) / 1e6}


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "empty":
        print(json.dumps(asyncio.run(empty(int(args[0])))))
        return
    if mode in ("dashboard", "start"):
        result = asyncio.run(dashboard(Path(args[0]), Path(args[1]), int(args[2]), extra=mode == "dashboard"))
    elif mode in ("marks", "marks-unwatched"):
        result = asyncio.run(marks_only(Path(args[0]), Path(args[1]), int(args[2]), watch=mode == "marks"))
    else:
        result = asyncio.run(datatable(Path(args[0]), int(args[1])))
    print(json.dumps(result))
    if mode == "dashboard":
        from tui.cli import leave_now

        leave_now(0)  # as the command line's dashboard ends: q is timed to the process gone


if __name__ == "__main__":
    main()
