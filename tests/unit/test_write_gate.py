"""A quitting dashboard closes its write gate: what it then names as not saved is never written."""

from __future__ import annotations

import threading
import time

import pytest

from store.storage import GaveUp, WriteGate, locked, store_lock


class ClosesOnFirstLook(WriteGate):
    """Open when the writer first looks, closed the moment after: the quit lands between
    the writer's last look and its getting the lock."""

    looked = False

    def turns_away(self) -> bool:
        if not self.looked:
            self.looked = True
            self.close(0)
            return False
        return super().turns_away()


def test_a_writer_waiting_for_the_lock_gives_up_when_the_gate_closes(tmp_path):
    gate = WriteGate()
    other = store_lock(tmp_path / "seed-edits")  # another cycleboard, on a file descriptor of its own
    other.acquire()
    outcome: list[str] = []

    def write() -> None:
        try:
            with locked(tmp_path / "seed-edits", "seed edits", gate):
                outcome.append("written")
        except GaveUp:
            outcome.append("gave up")

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.2)
    assert gate.close(timeout=1)  # nothing under way: the writer is still waiting
    writer.join(timeout=2)
    other.release()
    time.sleep(0.2)
    assert outcome == ["gave up"]


def test_a_writer_that_gets_the_lock_after_the_gate_closed_writes_nothing(tmp_path):
    gate = ClosesOnFirstLook()
    with pytest.raises(GaveUp), locked(tmp_path / "seed-edits", "seed edits", gate):
        pytest.fail("written after the dashboard said it would not be")
    assert gate.looked


def test_closing_waits_for_a_write_under_way_and_its_journal_entry(tmp_path):
    gate = WriteGate()
    inside, finish = threading.Event(), threading.Event()
    outcome: list[str] = []

    def write() -> None:
        with locked(tmp_path / "seed-edits", "seed edits", gate):
            inside.set()
            finish.wait(5)
            # The journal's own lock, taken under the seeds lock once the gate is closed.
            with locked(tmp_path / "marks.json", "marks", gate):
                outcome.append("journaled")
        outcome.append("written")

    writer = threading.Thread(target=write)
    writer.start()
    assert inside.wait(5)
    assert not gate.close(timeout=0.1)  # the write holds its lock: not done yet
    finish.set()
    assert gate.close(timeout=5)
    writer.join(timeout=5)
    assert outcome == ["journaled", "written"]
    with pytest.raises(GaveUp), locked(tmp_path / "seed-edits", "seed edits", gate):  # the next write
        pytest.fail("a write began after the gate closed")
