"""The dashboard keeps the cycle collector out of keystrokes' frames (tui/gc_between_keys.py)."""

from __future__ import annotations

import asyncio
import gc
from time import monotonic

import pytest

from tests.conftest import SHIPPED
from tests.dashboard_helpers import build, wait_for
from tui.gc_between_keys import KEY_FRAME_S, QUIET_S

pytestmark = pytest.mark.anyio


async def test_a_key_holds_the_collector_back_until_its_frame_is_painted():
    before = gc.get_threshold()
    app = build(SHIPPED)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert (
            gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > 10_000
        )  # no full pass of its own
        assert gc.isenabled()
        app.simulate_key("down")
        for _ in range(100):  # the app takes the key: the collector stops, for KEY_FRAME_S
            await asyncio.sleep(0)
            if not gc.isenabled():
                break
        assert not gc.isenabled()
        await asyncio.sleep(KEY_FRAME_S * 2)
        assert gc.isenabled()
    assert gc.get_threshold() == before and gc.isenabled()  # as it was before the dashboard


async def test_full_passes_wait_for_a_quiet_second():
    app = build(SHIPPED)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        # The search index is built in slices after the first paint and then frozen, which
        # zeroes the collector's counts: wait for it, or it may undo the counts made below.
        await app.workers.wait_for_complete()
        collector = app.gc_between_keys
        for _ in range(10):
            gc.collect(1)  # each counts towards the next full pass, as the collector's own would
        collector.key()  # someone is typing: no full pass
        await asyncio.sleep(QUIET_S * 0.6)
        assert collector.full_passes == 0
        collector._last_key = monotonic() - QUIET_S  # and now nobody has for a second
        await wait_for(pilot, lambda: collector.full_passes == 1, timeout=QUIET_S * 2)
        assert gc.get_count()[2] == 0
