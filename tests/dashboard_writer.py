"""One dashboard, in its own process, marking blueprints while others do too.

    python -m tests.dashboard_writer SEEDS STORE KEYS_FILE EXPECTED_TOTAL

It opens the real dashboard (headless, with the real file watcher), selects
each key listed in KEYS_FILE and presses space.  Meanwhile it watches its own
Blueprints pane and notes the wall-clock time each blueprint is first shown
as implemented.  Once EXPECTED_TOTAL are shown (or 60 s pass) it prints
``{"seen": {key: unix_time}}`` as JSON and exits.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from store.model import State
from tui.app import make_app
from tui.panes.blueprints import BlueprintsPane

GIVE_UP = 60.0


async def drive(seeds: Path, store: Path, keys: list[str], total: int) -> dict:
    app = make_app(seeds=seeds, store=store, watch_files=True)
    seen: dict[str, float] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(BlueprintsPane)

        async def look() -> None:
            while True:
                now = time.time()
                for row in pane.rows:
                    if row.state is State.IMPLEMENTED and row.blueprint.key not in seen:
                        seen[row.blueprint.key] = now
                await asyncio.sleep(0.01)

        looking = asyncio.create_task(look())
        print("ready", file=sys.stderr, flush=True)
        for key in keys:
            if not pane.select_key(key):
                raise SystemExit(f"no row for {key}")
            await pilot.press("space")
        # Its own writes done.  Not every worker: the watcher runs until the app
        # ends (and an empty list would mean "all" to wait_for_complete).
        saving = [w for w in app.workers if w.group == "marks"]
        if saving:
            await app.workers.wait_for_complete(saving)
        deadline = time.monotonic() + GIVE_UP
        while len(seen) < total and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        looking.cancel()
    return {"seen": seen}


def main() -> None:
    seeds, store, keys_file, total = sys.argv[1:5]
    keys = Path(keys_file).read_text().split()
    print(json.dumps(asyncio.run(drive(Path(seeds), Path(store), keys, int(total)))))


if __name__ == "__main__":
    main()
