"""SVG snapshots of the main screens at 120x36, on the shipped plan.

Textual is pinned in pyproject.toml so these do not churn. When one changes,
look at the new SVG before accepting it (pytest --snapshot-update) and say in
the commit why it changed.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, SHIPPED
from tests.dashboard_helpers import build, written
from tui.panes.blueprints import BlueprintsPane

SIZE = (120, 36)


def select(key: str):
    async def run_before(pilot) -> None:
        pilot.app.query_one(BlueprintsPane).select_key(key)
        await pilot.pause()

    return run_before


def test_main_screen(snap_compare):
    assert snap_compare(build(SHIPPED), terminal_size=SIZE)


def test_filtered_screen(snap_compare):
    app = build(SHIPPED, filter_text="cycle:kilo state:implemented,started scheduler")
    assert snap_compare(app, terminal_size=SIZE)


def test_small_terminal(snap_compare):
    assert snap_compare(build(SHIPPED, cycle="stein"), terminal_size=(80, 24))


def test_help_screen(snap_compare):
    assert snap_compare(build(SHIPPED), terminal_size=SIZE, press=["question_mark"])


def test_blueprint_details(snap_compare):
    app = build(SHIPPED, cycle="kilo")
    assert snap_compare(
        app, terminal_size=SIZE, run_before=select("kilo/nova/io-ops-weight"), press=["enter"]
    )


def highlight(pane_id: str, option_id: str):
    async def run_before(pilot) -> None:
        await pilot.pause()  # let the app's own first focus happen before ours
        pane = pilot.app.query_one(f"#{pane_id}")
        pilot.app.focus_pane(pane_id)
        assert pane.select_id(option_id)
        await pilot.pause()

    return run_before


def test_theme_details(snap_compare):
    app = build(SHIPPED, cycle="stein")
    run_before = highlight("themes", "stein/volume-backed-ux")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before, press=["enter"])


def test_session_details(snap_compare):
    app = build(SHIPPED, cycle="stein")
    # A cross-project session with agreements, an open action item and its blueprint.
    run_before = highlight("sessions", "stein/nova-ironic")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before, press=["enter"])


# -- the planning views (keys 2-4) ---------------------------------------------------
def test_timeline_view(snap_compare):
    import datetime as dt

    app = build(SHIPPED, cycle="2023.1", today=dt.date(2023, 1, 20))  # between antelope-2 and feature freeze
    assert snap_compare(app, terminal_size=SIZE, press=["2"])


def test_burnup_view(snap_compare):
    assert snap_compare(build(SHIPPED, cycle="kilo"), terminal_size=SIZE, press=["3"])


def test_runways_view(snap_compare, tmp_path, monkeypatch):
    # Four approved Kilo blueprints queued from the list beside the queue: three runways, one waiting.
    # On a copy: the shipped plan is never edited, and a team's plan is where the queue is written.
    shutil.copytree(SHIPPED, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)  # shown as "seeds", as the shipped plan is

    async def queue_four(pilot) -> None:
        await pilot.press("4", "tab")
        for _ in range(4):
            # Each is written in a worker and leaves the list once written; "a" acts on
            # the highlighted one, so the next "a" waits for that, as a person sees it.
            await pilot.press("a")
            await written(pilot)

    assert snap_compare(build(tmp_path / "seeds", cycle="kilo"), terminal_size=SIZE, run_before=queue_four)


# Each view at the smallest terminal people use and at a wide one, on the cycle that was running
# (between antelope-2 and its feature freeze: milestones behind and ahead, runway candidates).
@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
@pytest.mark.parametrize("view", ["1", "2", "3", "4"], ids=["overview", "timeline", "burnup", "runways"])
def test_every_view_at_80x24_and_200x50(snap_compare, view, size):
    import datetime as dt

    app = build(SHIPPED, cycle="2023.1", today=dt.date(2023, 1, 20))
    assert snap_compare(app, terminal_size=size, press=[view])


PICTURE = REPO / "docs" / "dashboard.svg"
PICTURE_SNAPSHOT = Path(__file__).parent / "__snapshots__" / "test_snapshots" / "test_the_readme_picture.svg"


def test_the_readme_picture(snap_compare):
    """What the README shows: 2023.1 a week after its feature freeze, sorted by risk."""
    app = build(SHIPPED, cycle="2023.1", today=dt.date(2023, 2, 23))
    assert snap_compare(app, terminal_size=SIZE, press=["R"])


def test_the_readme_picture_is_the_snapshot():
    # The README's picture is this snapshot, copied: `cp` the snapshot to docs/ when it changes.
    assert PICTURE.read_bytes() == PICTURE_SNAPSHOT.read_bytes(), f"cp {PICTURE_SNAPSHOT} {PICTURE}"
