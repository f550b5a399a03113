"""A small two-project plan and helpers for driving the dashboard with Pilot."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from tui.app import CycleboardApp, make_app

TODAY = dt.date(2026, 11, 21)

TWO_PROJECTS = """
[[project]]
id = "nova"
name = "Nova"

[[project]]
id = "cinder"
name = "Cinder"

[[cycle]]
id = "rocky"
name = "Rocky"
start = 2018-02-26
release = 2018-08-30

[[cycle]]
id = "stein"
name = "Stein"
start = 2018-09-10
release = 2019-04-10
status = "eol"

[[cycle.milestone]]
name = "Feature freeze"
date = 2019-03-07
kind = "feature-freeze"
"""

STEIN = """
[defaults]
cycle = "stein"
project = "nova"

[[theme]]
id = "volume-ux"
title = "Volume-backed servers"
kind = "theme"
description = "Make volume-backed servers first class."
blueprints = ["nova/alpha", "cinder/gamma"]

[[theme]]
id = "cells"
title = "Cells v2"
kind = "priority"
blueprints = ["beta"]

[[session]]
id = "nova-cinder"
title = "Nova and Cinder"
event = "Stein PTG"
date = 2018-09-13
projects = ["nova", "cinder"]
agreements = ["Rebuild of volume-backed servers goes ahead", "Cinder reports the volume type"]
blueprints = ["nova/alpha"]

[[session.action]]
owner = "mriedem"
text = "Write the rebuild spec"
done = false

[[session.action]]
owner = "jgriffith"
text = "Review the API change"
done = true

[[session]]
id = "nova-only"
title = "Nova retrospective"
projects = ["nova"]

[[blueprint]]
id = "alpha"
title = "Alpha feature"
category = "Block Storage"
reviews = [111, 222]
url = "https://blueprints.launchpad.net/nova/+spec/alpha"
state = "approved"

[[blueprint]]
id = "beta"
title = "Beta feature"
category = "Cells"
reviews = [333]
state = "started"

[[blueprint]]
project = "cinder"
id = "gamma"
title = "Gamma feature"
category = "Volumes"
state = "proposed"
"""

ROCKY = """
[defaults]
cycle = "rocky"
project = "nova"

[[blueprint]]
id = "delta"
title = "Delta feature"
state = "implemented"
"""


def write_two_projects(seeds) -> None:
    seeds.write("projects.toml", TWO_PROJECTS)
    seeds.write("stein.toml", STEIN)
    seeds.write("rocky.toml", ROCKY)


def build(seeds_path, store_path=None, **options) -> CycleboardApp:
    options.setdefault("watch_files", False)
    options.setdefault("today", TODAY)
    return make_app(seeds=seeds_path, store=store_path, **options)


async def written(pilot) -> None:
    """Let the app write what the keys so far asked for, and show it.

    A mark and a plan write (the runway keys, a carry-over, their undo) run in
    workers, and a plan write is shown once written: on a busy machine, after
    ``press`` returns.
    """
    app = pilot.app
    await wait_for(pilot, lambda: not app.writes_in_flight())
    await pilot.pause()


async def wait_for(pilot, predicate, timeout: float = 5.0) -> None:
    """Let the app run until ``predicate()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)
        await asyncio.sleep(0)
