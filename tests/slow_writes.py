"""An opt-in pytest plugin: every write the dashboard makes in a worker takes 0.3 s longer.

    python -m pytest -p tests.slow_writes tests/app

Marks, ticks and plan writes run in worker threads and are shown once written,
so on a busy machine they land after ``pilot.press`` returns. A test that
asserts on their result without waiting (``written`` in tests/dashboard_helpers.py)
passes on an idle machine and fails here every time.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time

import pytest

DELAY_S = 0.3


def delayed(write):
    """``write``, taking DELAY_S longer when called off the main thread."""

    @functools.wraps(write)
    def late(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            time.sleep(DELAY_S)
        return write(*args, **kwargs)

    return late


@pytest.fixture(autouse=True)
def slow_writes(monkeypatch):
    import tui.changes
    import tui.planning_writes
    from store.board import Board

    for module in (tui.changes, tui.planning_writes):
        for _, kind in inspect.getmembers(module, inspect.isclass):
            if kind.__module__ == module.__name__ and "write" in vars(kind):
                monkeypatch.setattr(kind, "write", delayed(vars(kind)["write"]))
    for name in ("save", "tick_action"):
        monkeypatch.setattr(Board, name, delayed(getattr(Board, name)))
