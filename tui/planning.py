"""What the dashboard does for the planning views: switching views (1-4), filling the
one on screen, runway and carry-over requests with their undo, and the weekly report.

A mixin of :class:`tui.app.CycleboardApp`, kept apart so the app stays readable;
it uses the app's board, cycle, filter, undo stack and panes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store import runways
from store.board import Board, Row
from store.burnup import burnup
from store.carry import FINISHED, why_not
from store.marks import QueueEntry
from store.model import Cycle, State
from store.pane_contents import PaneContents, pane_contents
from store.query import ALL_CYCLES, Filter, QueryError
from store.report import pick_cycle, render
from store.timeline import milestones_for, risks_of
from tui.changes import PlanWrite, Undoable
from tui.planning_writes import CarryOver, ChangeQueue, SaveReport
from tui.views.burnup import BurnupChart
from tui.views.runways import (
    RunwayAddRequested,
    RunwayCandidates,
    RunwayChangeRequested,
    RunwayQueue,
)
from tui.views.timeline import RiskList, TimelineChart
from tui.widgets.bars import CycleBar

# View name -> the switcher child that shows it, and what takes the keys there.
VIEWS = {"overview": "main", "timeline": "timeline", "burnup": "burnup", "runways": "runways"}
VIEW_TITLES = {"overview": "", "timeline": "Timeline", "burnup": "Burn-up", "runways": "Runways"}
VIEW_FOCUS = {"timeline": ("risks",), "burnup": (), "runways": ("runway-queue", "runway-candidates")}

if TYPE_CHECKING:
    from textual.app import App

    _AppPart = App[None]
else:
    _AppPart = object


class PlanningViews(_AppPart):
    """The app's part that runs the planning views; what it uses of the app is declared here."""

    board: Board
    today: dt.date
    contents: PaneContents
    undo_stack: list[Undoable]
    saved_reports: list[Path]

    if TYPE_CHECKING:

        @property
        def cycle(self) -> str: ...
        @property
        def current_view(self) -> str: ...
        @property
        def active_pane(self) -> str: ...
        @property
        def shown_filter(self) -> Filter: ...
        def select(self, **changes: Any) -> None: ...
        def repaint(self, keep: str | None = None, *, typing: bool = False) -> None: ...
        def focus_pane(self, name: str) -> None: ...
        def open_blueprint(self, key: str) -> None: ...
        def request_write(self, ask: Callable[[], PlanWrite[Any] | None]) -> None: ...

    # -- which view --------------------------------------------------------------
    def action_show_view(self, name: str) -> None:
        self.select(view=name)
        self.focus_current()

    def focus_current(self) -> None:
        """Give the keys to what the view on screen offers: the active pane, or the view's first list."""
        if self.current_view == "overview":
            self.focus_pane(self.active_pane)
            return
        focusable = VIEW_FOCUS[self.current_view]
        if focusable:
            self.set_focus(self.query_one(f"#{focusable[0]}"))
        else:
            self.set_focus(None)

    def step_in_view(self, step: int) -> None:
        focusable = VIEW_FOCUS[self.current_view]
        if len(focusable) < 2:
            return
        now = self.focused.id if self.focused is not None and self.focused.id in focusable else focusable[0]
        self.set_focus(self.query_one(f"#{focusable[(focusable.index(now) + step) % len(focusable)]}"))

    def planning_cycle(self) -> Cycle | None:
        """The cycle the planning views show: the selected one; under "all cycles", the running one."""
        plan = self.board.plan
        if self.cycle != ALL_CYCLES and self.cycle in plan.cycles:
            return plan.cycles[self.cycle]
        try:
            return pick_cycle(self.board, None, self.today)
        except QueryError:
            return None

    # -- filling the view on screen -------------------------------------------------
    def risk_count(self, cycle: Cycle | None, rows: Iterable[Row]) -> int | None:
        """How many of ``rows`` are at risk while ``cycle`` runs (None: not running)."""
        if cycle is None or not cycle.start or not cycle.start <= self.today <= (cycle.release or self.today):
            return None
        found, _ = risks_of(cycle, rows, self.today)
        return len(found)

    def render_planning(self) -> None:
        if self.current_view == "overview":
            return
        cycle = self.planning_cycle()
        query = self.shown_filter
        projects = query.projects
        # Every part of the filter, as the Blueprints pane shows it for this cycle.
        if cycle is None:
            rows: list[Row] = []
        elif self.contents.cycle == cycle.id and self.contents.query == query:
            rows = list(self.contents.rows)
        else:
            rows = list(pane_contents(self.board, cycle.id, query).rows)
        self.query_one(CycleBar).show(
            cycle,
            self.today,
            len(self.board.plan.cycles),
            view=VIEW_TITLES[self.current_view],
            at_risk=self.risk_count(cycle, rows),
            projects=projects,
        )
        if self.current_view == "timeline":
            milestones = milestones_for(cycle, projects) if cycle else []
            self.query_one(TimelineChart).show(cycle, milestones, self.today)
            found, released = risks_of(cycle, rows, self.today) if cycle else ([], False)
            self.query_one(RiskList).show(found, {r.blueprint.key: r.blueprint.title for r in rows}, released)
        elif self.current_view == "burnup":
            marks = self.board.marks_by_key(r.blueprint.key for r in rows)
            chart = (
                burnup(cycle, [(r.blueprint, r.state) for r in rows], marks, self.today) if cycle else None
            )
            self.query_one(BurnupChart).show(
                cycle, chart, milestones_for(cycle, projects) if cycle else [], self.today
            )
        elif self.current_view == "runways" and cycle is not None:
            by_key = {r.blueprint.key: r for r in rows}
            queue = self.board.queue(cycle.id)
            places = [p for p in runways.places(queue, cycle.runway_slots) if p.key in by_key]
            queued = {key for key, _ in queue}
            ready = [
                r
                for r in rows
                if r.state in (State.APPROVED, State.STARTED) and r.blueprint.key not in queued
            ]
            self.query_one(RunwayQueue).show(places, by_key, cycle.runway_slots, self.today)
            self.query_one(RunwayCandidates).show(ready)

    # -- opening what the lists hold ----------------------------------------------------
    def _open_blueprint(self, key: str) -> None:
        if key in self.board.plan.blueprints:
            self.open_blueprint(key)

    def on_risk_list_open_requested(self, message: RiskList.OpenRequested) -> None:
        self._open_blueprint(message.key)

    def on_runway_queue_open_requested(self, message: RunwayQueue.OpenRequested) -> None:
        self._open_blueprint(message.key)

    def on_runway_candidates_open_requested(self, message: RunwayCandidates.OpenRequested) -> None:
        self._open_blueprint(message.key)

    # -- runways ---------------------------------------------------------------------
    def on_runway_add_requested(self, message: RunwayAddRequested) -> None:
        self.add_to_runways(message.key, tell=False)  # the queue beside the list shows it

    def on_blueprints_pane_runway_add_requested(self, message) -> None:
        self.add_to_runways(message.key, tell=True)

    def _queue_of(self, key: str) -> tuple[Cycle, tuple[QueueEntry, ...]] | None:
        """The cycle of blueprint ``key`` and its runway queue now (None: no such blueprint)."""
        blueprint = self.board.plan.blueprints.get(key)
        if blueprint is None:
            return None
        cycle = self.board.plan.cycles[blueprint.cycle]
        return cycle, self.board.queue(cycle.id)

    def add_to_runways(self, key: str, *, tell: bool) -> None:
        self.request_write(lambda: self._runway_added(key, tell))

    def _runway_added(self, key: str, tell: bool) -> ChangeQueue | None:
        found = self._queue_of(key)
        if found is None:
            return None
        state = self.board.state_of(key)
        if state in FINISHED:
            self.notify(f"{key} is {state.value}: nothing left to review", severity="warning", timeout=5)
            return None
        cycle, before = found
        if any(queued == key for queued, _ in before):
            self.notify(f"{key} is already in the runway queue", timeout=3)
            return None
        after = runways.added(before, key, cycle.runway_slots, self.today)
        place = runways.places(after, cycle.runway_slots)[-1]
        said = f"{key}: {place.where(cycle.runway_slots)} in {cycle.name}" if tell else ""
        return ChangeQueue(cycle.id, before, after, said)

    def on_runway_change_requested(self, message: RunwayChangeRequested) -> None:
        self.request_write(lambda: self._runway_changed(message.key, message.step))

    def _runway_changed(self, key: str, step: int) -> ChangeQueue | None:
        found = self._queue_of(key)
        if found is None:
            return None
        cycle, before = found
        if step == 0:
            after = runways.removed(before, key, cycle.runway_slots, self.today)
        else:
            after = runways.moved(before, key, step, cycle.runway_slots, self.today)
        if after == before:
            return None
        # The cursor goes with the blueprint it moved.
        return ChangeQueue(cycle.id, before, after, select=key if step else None)

    # -- carry-over ------------------------------------------------------------------
    def on_blueprints_pane_carry_requested(self, message) -> None:
        self.request_write(lambda: self._carried(message.key))

    def _carried(self, key: str) -> CarryOver | None:
        if key not in self.board.plan.blueprints:
            return None
        row = self.board.row(key)
        problem = why_not(self.board.plan, row.blueprint, row.state)
        if problem:
            self.notify(problem, severity="warning", timeout=6, markup=False)
            return None
        return CarryOver(key, row.state)

    # -- the weekly report -------------------------------------------------------------
    def action_save_report(self) -> None:
        cycle = self.planning_cycle()
        if cycle is None:
            self.notify("The plan has no cycles to report on", severity="warning")
            return
        query = self.shown_filter
        projects = sorted(query.projects)
        project = projects[0] if len(projects) == 1 else None
        try:
            text = render(self.board, cycle.id, None, self.today, query=query)
        except QueryError as exc:
            self.notify(f"Could not save the report: {exc}", severity="error", timeout=10, markup=False)
            return
        name = f"cycleboard-report-{cycle.id}{'-' + project if project else ''}-{self.today}.md"
        self.request_write(lambda: SaveReport(Path.cwd() / name, text))
