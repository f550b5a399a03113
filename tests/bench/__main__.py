"""Measure cycleboard on a generated plan and compare with a naive DataTable.

    python -m tests.bench [--blueprints 50000] [--runs 5] [--json bench.json]
    python -m tests.bench --quick          # 5,000 blueprints, 3 runs

Each run is a fresh process (see tests/bench/probe.py), so start-up includes
the interpreter and imports.  Prints a table of medians (and p95 where a
run holds many samples) and writes the same as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.generate import generate

REPO = Path(__file__).resolve().parents[2]
# The targets of issue 5, for 50,000 blueprints on a 2-core machine.
TARGETS_MS = {
    "cold_first_paint_ms": 3000, "warm_first_paint_ms": 1000, "all_cycles_ms": 500,
    "filter_key_p95_ms": 16, "cursor_p95_ms": 16, "mark_on_screen_ms": 16, "list_all_json_ms": 1000,
}


def _python(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=REPO, env=env,
                            timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"bench: {' '.join(args[:3])} failed: {result.stderr.strip().splitlines()[-1:]}")
    return result


def _probe(*args: str) -> dict:
    return json.loads(_python("-m", "tests.bench.probe", *args, str(time.time_ns())).stdout)


def measure(blueprints: int, runs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="cycleboard-bench-"))
    try:
        seeds = work / "seeds"
        files = generate(seeds, blueprints=blueprints)
        samples: dict[str, list[float]] = {}

        def add(name: str, value: float) -> None:
            samples.setdefault(name, []).append(value)

        for run in range(runs):
            cold = _probe("dashboard", str(seeds), str(work / f"cold-{run}"))  # an empty store
            add("cold_first_paint_ms", cold["first_paint_ms"])
            warm = _probe("dashboard", str(seeds), str(work / f"cold-{run}"))  # the store it just built
            add("warm_first_paint_ms", warm["first_paint_ms"])
            for name in ("all_cycles_ms", "filter_key_p95_ms", "cursor_p95_ms", "mark_on_screen_ms", "peak_mb",
                         "rows"):
                add(name, warm[name])
            start = time.perf_counter()
            listed = _python("-m", "tui", "list", "cycle:all", "--format", "json", "--seeds", str(seeds),
                             "--store", str(work / f"cold-{run}"))
            add("list_all_json_ms", (time.perf_counter() - start) * 1000)
            rows_file = work / "rows.json"
            rows_file.write_text(listed.stdout)
            baseline = _probe("datatable", str(rows_file))
            add("datatable_first_paint_ms", baseline["first_paint_ms"])
            add("datatable_peak_mb", baseline["peak_mb"])
        medians = {name: round(statistics.median(values), 1) for name, values in samples.items()}
        medians["baseline_ratio"] = round(medians["datatable_first_paint_ms"] / medians["warm_first_paint_ms"], 2)
        return {
            "blueprints": blueprints, "files": files, "runs": runs, "medians": medians,
            "samples": samples,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(result: dict) -> str:
    lines = [f"{result['blueprints']} blueprints, {result['files']} files, median of {result['runs']} runs "
             f"({result['machine']['cpus']} CPUs, Python {result['machine']['python']})",
             f"{'measure':<28}{'median':>10}{'target':>10}"]
    for name, value in result["medians"].items():
        target = TARGETS_MS.get(name)
        mark = "" if target is None else ("  ok" if value <= target else "  over")
        lines.append(f"{name:<28}{value:>10}{'' if target is None else target:>10}{mark}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--blueprints", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="5,000 blueprints, 3 runs")
    parser.add_argument("--json", type=Path, default=Path("bench.json"))
    args = parser.parse_args()
    if args.quick:
        args.blueprints, args.runs = 5_000, 3
    result = measure(args.blueprints, args.runs)
    print(table(result))
    args.json.write_text(json.dumps(result, indent=1))
    print(f"written: {args.json}")


if __name__ == "__main__":
    main()
