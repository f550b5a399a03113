"""The dashboard's screen: what it is made of, and the keys that act on it.

Its keys are the screen's own, so they are live only while it is on top: over
a blueprint's details, a picker or the help they are not, with no check by
hand. The app decides what each does (the actions are the app's).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from tui.panes.blueprints import BlueprintsPane
from tui.panes.cycles import CyclesPane
from tui.panes.sessions import SessionsPane
from tui.panes.states import StatesPane
from tui.panes.themes import ThemesPane
from tui.views.burnup import BurnupChart
from tui.views.runways import RunwaysView
from tui.views.timeline import TimelineView
from tui.widgets.bars import CycleBar, ProblemBar, StatusBar
from tui.widgets.filter_bar import FilterBar
from tui.widgets.key_footer import KeyFooter
from tui.widgets.progress import StartProgress

VIEW_BINDINGS: list[BindingType] = [
    Binding(
        "1",
        "app.show_view('overview')",
        "Overview",
        id="view-overview",
        tooltip="The five panes: cycles, blueprints, states, themes, sessions",
        show=False,
    ),
    Binding(
        "2",
        "app.show_view('timeline')",
        "Timeline",
        id="view-timeline",
        tooltip="Milestones on a time axis with countdowns, and blueprints at risk",
        show=False,
    ),
    Binding(
        "3",
        "app.show_view('burnup')",
        "Burn-up",
        id="view-burnup",
        tooltip="Scope and done over the cycle's days",
        show=False,
    ),
    Binding(
        "4",
        "app.show_view('runways')",
        "Runways",
        id="view-runways",
        tooltip="The cycle's review queue: two-week runways",
        show=False,
    ),
    Binding(
        "w",
        "app.save_report",
        "Report",
        id="save-report",
        tooltip="Save the weekly report (Markdown) of the cycle to a file",
        show=False,
    ),
]


# First in the footer, so a narrow terminal cuts the others instead.
FOOTER_FIRST = ("help", "quit", "filter")


class DashboardScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab", "app.next_pane", "Next pane", show=False, id="next-pane", tooltip="Go to the next pane"
        ),
        Binding(
            "shift+tab",
            "app.previous_pane",
            "Previous pane",
            show=False,
            id="previous-pane",
            tooltip="Go to the previous pane",
        ),
        Binding(
            "slash",
            "app.filter",
            "Filter",
            id="filter",
            tooltip="Filter by project: state: category: theme: owner: and words; -state:… leaves out",
        ),
        Binding(
            "p",
            "app.pick_project",
            "Project",
            id="pick-project",
            tooltip="Pick a project to filter by (or all)",
        ),
        Binding("u", "app.undo", "Undo", id="undo", tooltip="Undo the last change made in this dashboard"),
        Binding("r", "app.reload", "Reload", id="reload", tooltip="Reload the seeds and marks now"),
        Binding(
            "e",
            "app.edit",
            "Edit",
            id="edit",
            tooltip="Open the seed error shown, else the selected item, in $VISUAL/$EDITOR at its line",
        ),
        Binding(
            "E",
            "app.list_errors",
            "Errors",
            id="list-errors",
            show=False,
            tooltip="List every seed error and warning; enter opens one in the editor",
        ),
        *VIEW_BINDINGS,
        Binding("question_mark", "app.help", "Help", id="help", tooltip="Show every key"),
    ]

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        found = super().active_bindings
        if self.app.screen is not self:
            # Covered by a pop-up, the footer drawn beneath it offers none of the screen's own keys.
            return {key: active for key, active in found.items() if active.node is not self}
        first = [key for name in FOOTER_FIRST for key, active in found.items() if active.binding.id == name]
        return {**{key: found[key] for key in first}, **found}


def dashboard_widgets(*, reading: bool) -> ComposeResult:
    """What the dashboard screen shows. The app composes them into it (App.compose fills the
    default screen before on_mount runs; a screen's own compose would come after).

    ``reading``: the plan is still being read; a bar shows how far.
    """
    yield CycleBar(id="cycle-bar")
    yield Static(id="pane-tabs")
    with ContentSwitcher(initial="main", id="views"):
        with Horizontal(id="main"):
            with Vertical(id="left", classes="column"):
                yield CyclesPane()
                yield StatesPane()
            with Vertical(id="right", classes="column"):
                yield BlueprintsPane()
                with Horizontal(id="bottom"):
                    yield ThemesPane()
                    yield SessionsPane()
        yield TimelineView()
        yield BurnupChart()
        yield RunwaysView()
    yield ProblemBar(id="problem-bar")
    yield FilterBar(id="filter-bar")
    if reading:  # gone once the plan is there: its bar animates while shown
        yield StartProgress(id="start-progress")
    yield StatusBar(id="status-bar")
    yield KeyFooter()
