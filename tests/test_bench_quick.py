"""The benchmark's quick mode in the normal test run: loose bounds, so that a
large regression fails CI.  The real figures come from ``python -m tests.bench``."""

from __future__ import annotations

from tests.bench.__main__ import measure

# About four times this machine's quick-mode medians: room for a busy CI host.
BOUNDS = {
    "cold_first_paint_ms": 10_000, "warm_first_paint_ms": 4_000, "all_cycles_ms": 1_500,
    "filter_key_p95_ms": 1_500, "cursor_p95_ms": 100, "mark_on_screen_ms": 1_000,
    "list_all_json_ms": 3_000, "peak_mb": 300,
}


def test_quick_benchmark_stays_within_loose_bounds():
    result = measure(blueprints=5_000, runs=1)
    medians = result["medians"]
    over = {name: (medians[name], bound) for name, bound in BOUNDS.items() if medians[name] > bound}
    assert not over, over
    assert result["files"] == 2102
    assert medians["rows"] == 5_000  # "All cycles" shows every blueprint
