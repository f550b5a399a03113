"""One measured run of the dashboard (or of the naive DataTable baseline), in its own process.

    python -m tests.bench.probe dashboard SEEDS STORE START_NS
    python -m tests.bench.probe datatable JSON_FILE START_NS

START_NS is ``time.time_ns()`` taken by the parent just before it started this
process, so "to first paint" includes the interpreter, the imports and the
store.  Timings are taken inside the app, at the moment a refresh has been
done (``call_after_refresh``): Pilot's own waits are far coarser.  Prints one
JSON object of milliseconds (and ``peak_mb``).
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import sys
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _refreshed(app) -> None:
    """Return once the app has painted everything asked of it so far."""
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


async def _timed(app, key: str) -> float:
    """Milliseconds from a key arriving at the app to the repaint that shows its effect."""
    start = time.perf_counter()
    app.simulate_key(key)  # the real key path, without Pilot's waits
    await _refreshed(app)
    return (time.perf_counter() - start) * 1000


async def dashboard(seeds: Path, store: Path, start_ns: int) -> dict:
    from tui.app import ALL_CYCLES, make_app
    from tui.panes.blueprints import BlueprintsPane

    app = make_app(seeds=seeds, store=store, watch_files=False)
    result: dict[str, float] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        await _refreshed(app)
        result["first_paint_ms"] = (time.time_ns() - start_ns) / 1e6

        start = time.perf_counter()
        app.cycle = ALL_CYCLES
        app.render_view()
        await _refreshed(app)
        result["all_cycles_ms"] = (time.perf_counter() - start) * 1000
        result["rows"] = len(app.query_one(BlueprintsPane).rows)

        moves = [await _timed(app, "down") for _ in range(30)]
        result["cursor_p95_ms"] = statistics.quantiles(moves, n=20)[-1]

        marks = [await _timed(app, "space") for _ in range(10)]
        result["mark_on_screen_ms"] = statistics.median(marks)
        await app.workers.wait_for_complete()

        await pilot.press("slash")
        keys = [await _timed(app, ch) for ch in "scheduler"]
        result["filter_key_p95_ms"] = statistics.quantiles(keys, n=20)[-1]
        await pilot.press("escape")
    result["peak_mb"] = _peak_mb()
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
    async with app.run_test(size=(120, 36)):
        await _refreshed(app)
        first = (time.time_ns() - start_ns) / 1e6
    return {"first_paint_ms": first, "peak_mb": _peak_mb()}


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "dashboard":
        result = asyncio.run(dashboard(Path(args[0]), Path(args[1]), int(args[2])))
    else:
        result = asyncio.run(datatable(Path(args[0]), int(args[1])))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
