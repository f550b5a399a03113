"""The dashboard: composes the panes, owns what is selected and filtered, and
answers the panes' requests. Reading and writing the store happen in workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, TypeVar

from textual import events, work
from textual.app import App, ComposeResult, SuspendNotSupported, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static
from textual.worker import Worker, WorkerState

from store.board import Board, Loaded, Saved
from store.gc_pause import gc_paused
from store.git_status import uncommitted_seed_files
from store.links import links
from store.marks import Mark, NoEffect
from store.model import State
from store.pane_contents import PaneContents, pane_contents
from store.paths import display_path
from store.plan import Plan
from store.query import ALL_CYCLES, Filter, QueryError
from store.seed_edit import EditRefused
from store.seed_write import Written
from store.storage import StoreError
from store.watch import watch
from store.writeback import AlreadyThere
from tui import key_catalogue
from tui.browser import is_web_address, open_in_browser
from tui.changes import PlanWrite, Undoable
from tui.dashboard import DashboardScreen, dashboard_widgets
from tui.editor import NoEditor, editor_command
from tui.gc_between_keys import GcBetweenKeys
from tui.jump import JumpProvider
from tui.panes.blueprints import BlueprintsPane
from tui.panes.cycles import CyclesPane
from tui.panes.sessions import SessionsPane
from tui.panes.states import StatesPane
from tui.panes.themes import ThemesPane
from tui.planning import VIEWS, PlanningViews
from tui.screens.details import (
    ActionItems,
    BlueprintDetails,
    SessionDetails,
    ThemeDetails,
)
from tui.screens.help import HelpScreen
from tui.screens.pickers import ALL_PROJECTS, error_picker, link_picker, project_picker, state_picker
from tui.selection import Selection
from tui.typeahead import KeyOrder
from tui.undo import UndoAction, UndoMark
from tui.user_keymap import keymap_path, load_keymap
from tui.views.runways import RunwayQueue
from tui.widgets.bars import CycleBar, ProblemBar, StatusBar
from tui.widgets.filter_bar import KEYS_HINT, FilterBar
from tui.widgets.progress import StartProgress

_PREPARE_PAUSE_S = 0.01  # after each slice of building the search index
QUIT_WAIT_S = 3.0  # how long quitting waits for marks still being written
_SEEDS_POLL_S = 1.0  # how often a missing seeds folder is looked for
# A read waits for our own writes in flight, but no longer than this: a stream of
# marks typed one after another must not hold back a teammate's change.
_READ_WAITS_AT_MOST_S = 0.25
# How often the start's progress is shown again while the plan is read.
_PROGRESS_EVERY_S = 0.05
# A reading that takes longer than this says so in the status line.
_BUSY_AFTER_S = 0.05
# How long after the last reload, and the last key, the cache is written (by another
# process, see _persist_in_background).
_PERSIST_AFTER_S = 5.0
W = TypeVar("W", bound=Widget)

# Reading order, which is also the order of tab / shift+tab.
PANES = ("cycles", "blueprints", "states", "themes", "sessions")
PANE_TITLES = {
    "cycles": "Cycles",
    "blueprints": "Blueprints",
    "states": "States",
    "themes": "Themes",
    "sessions": "Sessions",
}


class CycleboardApp(PlanningViews, App[None]):
    CSS_PATH = "cycleboard.tcss"
    COMMANDS = App.COMMANDS | {JumpProvider}
    TITLE = "cycleboard"
    AUTO_FOCUS = None  # on_mount focuses the Blueprints pane; Textual would pick the first pane
    # Below 100 columns the panes become tabs: one pane at a time, tab switches.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 - Textual declares it per app
    # The dashboard screen has the keys that act on it (tui/dashboard.py); these work everywhere.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            priority=True,
            id="command-palette",
            tooltip="Search every command",
        ),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit cycleboard"),
    ]

    def __init__(
        self,
        board: Board,
        *,
        cycle: str,
        query: Filter,
        today: dt.date,
        watch_files: bool = True,
        handle_signals: bool = False,
        starting: StartOptions | None = None,
    ) -> None:
        """``starting``: the board is not read yet; the app reads it, showing how far it is,
        and then takes these options (a bad one ends the app with its message)."""
        super().__init__()
        self.board = board
        self.starting = starting
        self.start_error = ""  # why the start read ended the app (a bad option, an unreadable store)
        self.handle_signals = handle_signals  # SIGTERM and SIGHUP quit cleanly (a real terminal only)
        self.key_order = KeyOrder(self)  # keys typed ahead wait for the ones before them
        # A write still under way when quitting stopped waiting: what not_saved names may have landed.
        self.writes_cut_short = False
        self.not_saved: list[str] = []  # marks that were shown but could not be written by the exit
        self.uncommitted: int | None = None  # seed files with changes git has not committed
        self.selection = Selection(cycle, query)  # changed only through select()
        self.today = today
        self.watch_files = watch_files
        self.contents = PaneContents(cycle, query)
        self.undo_stack: list[Undoable] = []
        self.saved_reports: list[Path] = []
        # Plan writes (carry-overs, runway queues, reports) wait their turn: see request_write.
        self._writes_waiting: deque[Callable[[], PlanWrite[Any] | None]] = deque()
        self._writing: PlanWrite[Any] | None = None
        self._last_plan_written: PlanWrite[Any] | None = None
        self.keymap: dict[str, str] = {}
        self._reload_wanted = {"seeds": False, "marks": False}
        # The seed files the next read needs to look at: None for all of them.
        self._reload_files: frozenset[str] | None = frozenset()
        self._reloading = False
        self._read_overdue: Timer | None = None  # ends a read's wait for our own writes
        self._persist_due: Timer | None = None  # writes the cache once reloads pause
        self._seeds_poll: Timer | None = None  # looks for a missing seeds folder
        self.reloads = 0  # adopted reloads; tests and the benchmark wait on it
        self._notices_told = 0  # store notices already popped up
        self._painted_cycle: str | None = None  # the cycle whose view was last painted whole
        self._risk_count: int | None = None  # the cycle bar's "N at risk", as last worked out
        self._announce = False  # say what a reload did (only when asked with r)
        self._source = (
            f"seeds: {display_path(board.seeds_dir)}"  # resolving the path costs a frame's worth per key
        )
        self._busy = ""  # what a reading that takes a while says in the status line
        self._busy_due: Timer | None = None
        self._widgets: dict[type, Widget] = {}
        self.gc_between_keys = GcBetweenKeys(self)
        self.opened_links: list[str] = []

    # -- building ----------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        return DashboardScreen()

    def compose(self) -> ComposeResult:
        yield from dashboard_widgets(reading=self.starting is not None)

    @property
    def key_bindings(self) -> list[BindingType]:
        """Every key of the dashboard and the app, in the order help and the palette list them."""
        return [*DashboardScreen.BINDINGS, *self.BINDINGS]

    def on_mount(self) -> None:
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(signum, self._signalled, signum)
        self.gc_between_keys.start()
        self._load_keymap()
        self._widget(FilterBar).close()
        self.repaint()
        self.focus_pane("blueprints")
        if self.starting is not None:
            self._reloading = True  # reloads the watcher asks for wait for this read
            self.query_one(StartProgress).reading()
            threading.Thread(target=self._read_at_start, name="cycleboard-start", daemon=True).start()
        else:
            self.call_after_refresh(self._settle)
            self.count_uncommitted()
            # The read may have patched files in (a pull): the cache learns them once keys pause.
            self._persist_due = self.set_timer(_PERSIST_AFTER_S, self._persist_when_quiet)
        if self.watch_files:
            self.watch_seeds()

    def _read_at_start(self) -> None:
        """The first read, in a thread of its own that quitting does not wait for."""
        told = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - told[0] >= _PROGRESS_EVERY_S or done == total:
                told[0] = now
                self.call_from_thread(self._show_start_progress, done, total)

        try:
            with gc_paused():
                loaded = self.board.load(progress=progress)
        except (StoreError, OSError) as exc:
            self.call_from_thread(self._not_started, exc)
            return
        except Exception as exc:  # noqa: BLE001 - a thread's exception would vanish, leaving the bar up
            self.call_from_thread(
                self._not_started, RuntimeError(f"internal error: {type(exc).__name__}: {exc}")
            )
            return
        self.call_from_thread(self._started, loaded)

    def _show_start_progress(self, done: int, total: int) -> None:
        for progress in self.query(StartProgress):  # none once the plan is there
            progress.reading(done, total)

    def _not_started(self, problem: Exception) -> None:
        self.start_error = str(problem)  # said on stderr by the command line, once the screen is back
        self.exit(return_code=1)

    def _started(self, loaded: Loaded) -> None:
        """The first read is there: take it, then the options that needed it."""
        self.query_one(StartProgress).remove()
        self._adopt(loaded)
        try:
            if self.starting is not None:
                self._take_start_options(self.starting)
        except QueryError as exc:
            self._not_started(exc)
            return
        self.starting = None
        self.count_uncommitted()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.key_order.hold(event):
                return  # handed on once the keys before it are dealt with
            self.gc_between_keys.key()  # every key, before any widget takes it
            await super().on_event(event)
            self.key_order.started(event)
            return
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        # Textual runs App._on_key (the bindings) after this handler, within the same
        # message: the next key, posted from here at the earliest, comes after them.
        self.key_order.came_back(event)

    def on_unmount(self) -> None:
        self.gc_between_keys.stop()
        gc.unfreeze()  # what was kept out of the collector's way for this app's life may go now
        # What was patched in since the cache was last written goes to a process of its
        # own: quitting does not wait for it. After a crash the next start patches it in.
        self._persist_in_background()

    def _persist_when_quiet(self) -> None:
        """Bring the cache up to date with what the dashboard holds once keys pause.

        Forking copies the page tables of the whole process (about a frame for a
        large plan), and the writer takes a core for a while (docs/performance.md).
        """
        self._persist_due = None
        if self.gc_between_keys.idle_for() < _PERSIST_AFTER_S:
            self._persist_due = self.set_timer(_PERSIST_AFTER_S, self._persist_when_quiet)
            return
        self._persist_in_background()

    def _persist_in_background(self) -> None:
        """Write the cache in a process of its own (see PlanCache.persist_detached)."""
        if self._reloading:
            # The held plan is being replaced: the next adopt asks again (at exit, the next start patches).
            return
        # Only a cache: when it cannot be written the next start patches in what it lacks.
        with contextlib.suppress(StoreError, OSError):
            self.board.persist_detached()

    def _settle(self) -> None:
        """After a paint with new data: get ready for the next keystroke while nobody waits."""
        # Tens of thousands of records live as long as this data does; without
        # a freeze, every full collection would walk them all and stall a frame.
        gc.freeze()
        self.prepare_search()

    @work(exclusive=True, group="prepare", exit_on_error=False)
    async def prepare_search(self) -> None:
        """Build the plan's search index a slice (about 2 ms) at a time, with a pause after each.

        A key goes through several tasks (app, pane, screen) before its frame; a
        slice between every two of them would hold it back for each. With the
        pause, a key meets one slice at most (building the index of a large plan
        spreads over a second or so); until it is done, words are
        found by reading the text.
        """
        # Read here, not passed in: a finished worker keeps its arguments, and one
        # frozen before the collector found it would keep an old plan's index for good.
        index = self.board.index
        for _ in index.preparing():
            await asyncio.sleep(_PREPARE_PAUSE_S)
            if index is not self.board.index:
                return  # a newer plan took over, and prepares its own
        gc.freeze()  # what the index is made of lives as long as the plan

    def _load_keymap(self) -> None:
        path = keymap_path()
        self.keymap, problems = load_keymap(path, key_catalogue.known_ids(self.key_bindings))
        if self.keymap:
            self.set_keymap(self.keymap)
        for problem in problems:
            self.notify(problem, title="keymap", severity="warning", timeout=8)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Textual's, but literal unless asked: what the dashboard says quotes keys, file
        names and errors, any of which may hold text from the seeds."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # -- what is shown: one record, one setter --------------------------------------
    def select(self, **changes: Any) -> None:
        """Change what is shown (fields of :class:`Selection`) and repaint what that reaches."""
        before = self.selection
        after = self.selection = replace(before, **changes)
        if not self.is_running:
            return  # set up before it starts: on_mount paints it
        if after.view != before.view:
            self.query_one(ContentSwitcher).current = VIEWS[after.view]
            self.screen_stack[0].set_class(after.view != "overview", "-planning")
        if after.pane != before.pane:
            self._show_active_pane(after.pane)
        shown = (after.cycle, after.filter_by, after.filter_preview, after.sort)
        if shown != (before.cycle, before.filter_by, before.filter_preview, before.sort):
            # Applying the filter typed shows the same rows, but no longer as a preview.
            self.repaint(typing=after.typing_only(before))
        elif after.view != before.view:
            if after.view == "overview":
                self.repaint()  # the cycle bar names the selected cycle again
            else:
                self.render_planning()

    @property
    def cycle(self) -> str:
        return self.selection.cycle

    @cycle.setter
    def cycle(self, cycle: str) -> None:
        self.select(cycle=cycle)

    @property
    def filter_by(self) -> Filter:
        return self.selection.filter_by

    @property
    def filter_preview(self) -> Filter | None:
        return self.selection.filter_preview

    @property
    def current_view(self) -> str:
        return self.selection.view

    @property
    def active_pane(self) -> str:
        return self.selection.pane

    @property
    def shown_filter(self) -> Filter:
        return self.selection.shown_filter

    # -- pushing data down -------------------------------------------------------
    def repaint(self, keep: str | None = None, *, typing: bool = False) -> None:
        """Recompute every pane's data and hand it down (``typing``: a filter is being typed,
        so the planning views, which it does not change, are left alone)."""
        plan = self.board.plan
        if self.cycle != ALL_CYCLES and self.cycle not in plan.cycles:
            self.select(cycle=self._default_cycle())  # the plan no longer has it: repaints
            return
        query = self.shown_filter
        self.contents = contents = pane_contents(
            self.board, self.cycle, query, self.selection.sort, self.today
        )
        self._widget(CyclesPane).show(plan.cycles_newest_first(), contents.progress, self.cycle)
        blueprints = self._widget(BlueprintsPane)
        blueprints.show(
            contents.rows,
            columns=contents.columns,
            cursor_at=contents.index_of(self.board, keep or blueprints.current_key),
            sort=self.selection.sort,
        )
        self._widget(StatesPane).show(contents.counts, query.states)
        self._widget(ThemesPane).show(contents.themes)
        self._widget(SessionsPane).show(contents.sessions)
        self._show_cycle_bar()
        if not typing:
            # Counting the risks costs a few ms at 50,000 blueprints: after the rows are on screen.
            self.call_after_refresh(self._count_risks)
        self._widget(ProblemBar).show(plan.problems, self.board.notices)
        self._tell_notices()
        label = self._cycle_label()
        self._show_status(query, label)
        if not typing:
            self.render_planning()
            self._show_details()
        if not typing and self.cycle != self._painted_cycle:
            if self._painted_cycle is not None:  # the first paint leaves nothing behind
                # Another cycle's paint leaves the last one's lines behind. Collected just
                # after this paint, while the user reads, rather than in a full pass the
                # collector would start on some later keystroke (docs/performance.md).
                self.call_after_refresh(gc.collect)
            self._painted_cycle = self.cycle

    def _show_cycle_bar(self) -> None:
        if self.current_view != "overview":
            return  # the planning view on screen fills it (render_planning)
        plan = self.board.plan
        self._widget(CycleBar).show(
            plan.cycles.get(self.cycle),
            self.today,
            len(plan.cycles),
            at_risk=self._risk_count,
            projects=self.shown_filter.projects,
        )

    def _count_risks(self) -> None:
        contents = self.contents
        count = self.risk_count(self.board.plan.cycles.get(contents.cycle), contents.rows)
        if count != self._risk_count:
            self._risk_count = count
            self._show_cycle_bar()

    def _cycle_label(self) -> str:
        return "all cycles" if self.cycle == ALL_CYCLES else self.board.plan.cycles[self.cycle].name

    def _widget(self, kind: type[W]) -> W:
        """The one widget of ``kind``: the dashboard's are made once, and a query per
        pane on every filter keystroke costs a third of a millisecond."""
        found = self._widgets.get(kind)
        if found is None:
            found = self._widgets[kind] = self.query_one(kind)
        return found  # type: ignore[return-value]

    def _tell_notices(self) -> None:
        """Pop up what the store had to do to go on (a damaged marks file moved aside), once each."""
        notices = self.board.notices
        for notice in notices[self._notices_told :]:
            self.notify(notice, title="store", severity="error", timeout=30, markup=False)
        self._notices_told = len(notices)

    def _take_start_options(self, options: StartOptions) -> None:
        """Open on the project and cycle asked for; QueryError names the known ones when unknown.

        The plan was just adopted and painted: what the options change is painted again."""
        plan = self.board.plan
        query = options.query
        if options.project:
            found = plan.find_project(options.project)
            if found is None:
                known = ", ".join(sorted(p.lower() for p in plan.projects))
                raise QueryError(f"unknown project '{options.project}' (known: {known})")
            query = replace(query, projects=query.projects | {found.id.lower()})
        query = plan.resolved(query)
        words = query.cycles | ({options.cycle.lower()} if options.cycle else set())
        if words:
            chosen = cycle_named(plan, frozenset(words))
            if chosen is None:
                cycles = ", ".join(c.id for c in plan.cycles_newest_first())
                raise QueryError(
                    f"unknown cycle '{options.cycle or ','.join(sorted(query.cycles))}' "
                    f"(known: all, {cycles})"
                )
        else:
            chosen = self._default_cycle()
        self.select(filter_by=query.with_cycles(frozenset()), cycle=chosen)

    def _default_cycle(self) -> str:
        """The cycle running today, else the next to start, else the newest."""
        found = self.board.plan.current_cycle(self.today)
        return found.id if found else ALL_CYCLES

    # -- panes and focus ---------------------------------------------------------
    def focus_pane(self, name: str) -> None:
        self.select(pane=name)
        self._show_active_pane(name)
        pane = self.query_one(f"#{name}")
        pane.screen.set_focus(pane)  # at once, so keys already typed go to the new pane

    def _show_active_pane(self, name: str) -> None:
        for pane_name in PANES:
            self.query_one(f"#{pane_name}").set_class(pane_name == name, "-active")
        for container in self.query(".column, #bottom"):
            container.set_class(bool(container.query(f"#{name}")), "-holds-active")
        self.query_one("#pane-tabs", Static).update(
            Content.assemble(
                *[
                    part
                    for pane_name in PANES
                    for part in (
                        (
                            f" {PANE_TITLES[pane_name]} ",
                            "reverse bold" if pane_name == name else "$text-muted",
                        ),
                        " ",
                    )
                ]
            )
        )

    def on_descendant_focus(self, event) -> None:
        widget: Widget = event.widget
        if widget.id in PANES and widget.id != self.active_pane:
            self.focus_pane(widget.id)

    def _step_pane(self, step: int) -> None:
        self.focus_pane(PANES[(PANES.index(self.active_pane) + step) % len(PANES)])

    def action_next_pane(self) -> None:
        self._step_pane(1) if self.current_view == "overview" else self.step_in_view(1)

    def action_previous_pane(self) -> None:
        self._step_pane(-1) if self.current_view == "overview" else self.step_in_view(-1)

    # -- what the panes ask for ----------------------------------------------------
    def on_cycles_pane_selected(self, message: CyclesPane.Selected) -> None:
        if message.cycle != self.cycle:
            self.select(cycle=message.cycle)
            self.query_one(BlueprintsPane).action_first()

    def on_states_pane_chosen(self, message: StatesPane.Chosen) -> None:
        self._set_query(replace(self.filter_by, states=self.filter_by.states ^ {message.state}))

    def on_blueprints_pane_details_requested(self, message: BlueprintsPane.DetailsRequested) -> None:
        self.open_blueprint(message.key)

    def open_blueprint(self, key: str) -> None:
        self.push_screen(
            BlueprintDetails(
                self.board.row(key),
                self.board.themes_of(key),
                self.board.sessions_of(key),
                self.board.events_of(key),
            )
        )

    def on_themes_pane_open_requested(self, message: ThemesPane.OpenRequested) -> None:
        theme = self.board.plan.themes[message.key]
        self.push_screen(ThemeDetails(theme, self._rows_of(theme.blueprints)))

    def on_sessions_pane_open_requested(self, message: SessionsPane.OpenRequested) -> None:
        session = self.board.plan.sessions[message.key]
        self.push_screen(SessionDetails(session, self._rows_of(session.blueprints)))

    def _rows_of(self, keys_: Iterable[str]) -> list:
        return [self.board.row(k) for k in keys_ if k in self.board.plan.blueprints]

    def on_blueprints_pane_sort_requested(self, message: BlueprintsPane.SortRequested) -> None:
        self.select(sort=self.selection.sort.pressed(message.column))

    def on_blueprints_pane_toggle_requested(self, message: BlueprintsPane.ToggleRequested) -> None:
        self.set_state(message.key, self.board.toggled_state(message.key))

    def on_blueprints_pane_state_pick_requested(self, message: BlueprintsPane.StatePickRequested) -> None:
        self._pick_state(message.key)

    def _pick_state(self, key: str) -> None:
        def chosen(answer: str | None) -> None:
            if answer:
                self.set_state(key, State(answer))

        self.push_screen(state_picker(key, self.board.state_of(key)), chosen)

    def on_blueprints_pane_link_requested(self, message: BlueprintsPane.LinkRequested) -> None:
        self._open_links(message.key)

    def on_blueprint_details_link_requested(self, message: BlueprintDetails.LinkRequested) -> None:
        self._open_links(message.key)

    def on_blueprint_details_toggle_requested(self, message: BlueprintDetails.ToggleRequested) -> None:
        self.set_state(message.key, self.board.toggled_state(message.key))

    def on_blueprint_details_state_pick_requested(self, message: BlueprintDetails.StatePickRequested) -> None:
        self._pick_state(message.key)

    def _show_details(self) -> None:
        """The open details of a blueprint, as the board shows it now."""
        screen = self.screen
        if isinstance(screen, BlueprintDetails) and screen.key in self.board.plan.blueprints:
            screen.show_row(self.board.row(screen.key))

    def _open_links(self, key: str) -> None:
        found = links(self.board.plan.blueprints[key])
        if not found:
            self.notify(f"{key} has no review or URL", severity="warning")
        elif len(found) == 1:
            self.open_link(found[0][1])
        else:
            self.push_screen(link_picker(key, found), self._link_chosen)

    def _link_chosen(self, url: str | None) -> None:
        if url:
            self.open_link(url)

    def open_link(self, url: str) -> None:
        """Open ``url`` in a browser, or say where it is when none can be started."""
        self.opened_links.append(url)
        if not is_web_address(url):
            self.copy_to_clipboard(url)
            self.notify(f"Not a web address, so not opened; copied to the clipboard: {url}", markup=False)
        elif open_in_browser(url):
            self.notify(f"Opened {url}", timeout=3, markup=False)
        else:
            self.copy_to_clipboard(url)
            self.notify(f"No browser to open it; copied to the clipboard: {url}", timeout=8, markup=False)

    # -- marking ---------------------------------------------------------------------
    def set_state(self, key: str, state: State) -> Mark | None:
        """Show ``state`` at once and write it (into its seed file) in a worker."""
        before = self.board.state_of(key)
        if before is state:
            self.notify(f"{key} is already {state.value}", timeout=3)
            return None
        try:
            mark = self.board.stage(key, state, via="dashboard")
        except NoEffect as exc:
            self.notify(str(exc), title="not changed", severity="warning", timeout=10)
            return None
        self.undo_stack.append(UndoMark(key, before, mark))
        self.repaint()
        # The write starts once the mark is on screen: its parse and edit of the seed file
        # would otherwise hold the interpreter while the row is drawn.
        self.call_after_refresh(self.save_mark, mark)
        return mark

    @work(thread=True, group="marks", exit_on_error=False)
    def save_mark(self, mark: Mark, restore: Written | None = None, said: str | None = None) -> None:
        try:
            saved = self.board.save(mark, restore)
        except (StoreError, EditRefused) as exc:
            if not self.board.gate.closed:
                self.call_from_thread(self._save_failed, mark, exc)
        else:
            self.call_from_thread(self._saved, mark, saved, said)

    def _saved(self, mark: Mark, saved: Saved, said: str | None = None) -> None:
        self._reload_if_waiting()
        if said:
            self.notify(said, timeout=3)
        for step in reversed(self.undo_stack):
            if isinstance(step, UndoMark) and step.mark is mark:
                step.written = saved.written
                break
        self._tell_notices()

    def _save_failed(self, mark: Mark, exc: Exception) -> None:
        if not self.is_running:
            return  # quitting: the command line names the marks not saved
        self._reload_if_waiting()
        top = self.undo_stack[-1] if self.undo_stack else None
        if isinstance(top, UndoMark) and top.mark is mark:
            self.undo_stack.pop()
        self.repaint()
        if isinstance(exc, AlreadyThere):
            self.notify(f"{exc}; nothing changed", title="already", timeout=5)
        elif isinstance(exc, EditRefused):
            self.notify(f"{mark.key} not changed: {exc}", title="not changed", severity="error", timeout=10)
        else:
            self.notify(f"Could not save {mark.key}: {exc}", title="not saved", severity="error", timeout=10)

    # -- plan writes: one at a time, each in a worker, shown once written ----------------
    class PlanWriteDone(Message):
        """A plan write's files are written (``error`` None), or it was refused."""

        def __init__(self, change: PlanWrite[Any], result: object, error: Exception | None) -> None:
            super().__init__()
            self.change, self.result, self.error = change, result, error

    def request_write(self, ask: Callable[[], PlanWrite[Any] | None]) -> None:
        """Make the plan write that ``ask`` works out, after those asked for before it.

        ``ask`` runs when its turn comes, on the board as the writes before it
        left it (keys typed quickly each act on what the one before did); it
        answers None, having said why, when there is nothing to write.
        """
        self._writes_waiting.append(ask)
        if self._writing is None:
            self._next_write()

    def _next_write(self) -> None:
        self._writing = None
        while self._writes_waiting:
            change = self._writes_waiting.popleft()()
            if change is not None:
                self._writing = change
                self._write_plan(change)
                return
        self._reload_if_waiting()

    @work(thread=True, group="plan-writes", exit_on_error=False)
    def _write_plan(self, change: PlanWrite[Any]) -> None:
        try:
            result = change.write(self.board)
        except Exception as exc:  # noqa: BLE001 - said as refused; the writes after it still go
            self.post_message(self.PlanWriteDone(change, None, exc))
        else:
            self._last_plan_written = change  # written, though quitting may come before its message
            self.post_message(self.PlanWriteDone(change, result, None))

    def on_cycleboard_app_plan_write_done(self, message: PlanWriteDone) -> None:
        change = message.change
        if message.error is not None:
            self.notify(
                change.refused(message.error),
                title="not changed",
                severity=change.refused_as,
                timeout=10,
                markup=False,
            )
        else:
            shown = change.show(self.board, message.result)
            if shown.undo is not None:
                self.undo_stack.append(shown.undo)
            if shown.report is not None:
                self.saved_reports.append(shown.report)
            self.repaint()
            if shown.select is not None:
                self.query_one(RunwayQueue).select_id(shown.select)
            if shown.said:
                self.notify(shown.said, timeout=5, markup=False)
            self._tell_notices()
        self._next_write()

    def on_action_items_toggle_requested(self, message: ActionItems.ToggleRequested) -> None:
        self.tick_action(message.session, message.index, message.done)

    def tick_action(self, session: str, index: int, done: bool, restore: Written | None = None) -> None:
        """Show the action item ticked (or not) in the open details at once; write it in a worker.

        ``restore``: the edit this takes back (an undo, so it is not undone in turn).
        """
        self._show_session(session, index, done)
        self.write_tick(session, index, done, restore)

    def _show_session(self, key: str, index: int | None = None, done: bool = False) -> None:
        """The open details of session ``key``, as the plan says (with action ``index`` set to ``done``)."""
        screen = self.screen
        session = self.board.plan.sessions.get(key)
        if not isinstance(screen, SessionDetails) or screen.session.key != key or session is None:
            return
        if index is not None and index < len(session.actions):
            actions = list(session.actions)
            actions[index] = replace(actions[index], done=done)
            session = replace(session, actions=tuple(actions))
        screen.show(session)

    @work(thread=True, group="marks", exit_on_error=False)
    def write_tick(self, session: str, index: int, done: bool, restore: Written | None) -> None:
        try:
            written = self.board.tick_action(session, index, done, restore)
        except (StoreError, EditRefused) as exc:
            self.call_from_thread(self._tick_failed, session, exc)
        else:
            self.call_from_thread(self._ticked, session, index, done, written, undoing=restore is not None)

    def _ticked(self, session: str, index: int, done: bool, written: Written, undoing: bool) -> None:
        if not undoing:
            self.undo_stack.append(UndoAction(session, index, not done, written))
        action = (
            self.board.plan.sessions[session].actions[index] if session in self.board.plan.sessions else None
        )
        what = f"“{action.text}”" if action else f"action item {index + 1}"
        self.notify(
            f"{'Undone: ' if undoing else ''}{what} is {'done' if done else 'open'} "
            f"(in {display_path(written.path)})",
            timeout=3,
            markup=False,
        )

    def _tick_failed(self, session: str, exc: Exception) -> None:
        self._show_session(session)  # as the seeds say
        self.notify(f"Action item not changed: {exc}", title="not changed", severity="error", timeout=10)

    def on_session_details_undo_requested(self, _message: SessionDetails.UndoRequested) -> None:
        self.action_undo()  # an action item ticked there is undone there

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo", timeout=3)
            return
        try:
            undone = self.undo_stack.pop().run(self.board)
        except NoEffect as exc:
            self.notify(str(exc), title="not changed", severity="warning", timeout=10)
            return
        except (StoreError, EditRefused) as exc:
            self.notify(f"Could not undo: {exc}", severity="error", timeout=10)
            return
        if undone.said:
            self.notify(undone.said, timeout=3)
        if undone.save is not None:
            self.repaint()
            self.call_after_refresh(self.save_mark, undone.save, undone.restore, undone.said_once_saved)
        elif undone.tick is not None:
            tick = undone.tick
            self.tick_action(tick.session, tick.index, tick.done, tick.restore)
        elif undone.write is not None:
            write = undone.write
            self.request_write(lambda: write)
        else:
            self.repaint()

    # -- leaving ---------------------------------------------------------------------
    async def action_quit(self) -> None:
        if not self.writes_in_flight():
            self.exit(return_code=0)  # nothing to wait for: at once
            return
        # In a worker: the app goes on taking messages meanwhile, and plan writes land by message.
        self.run_worker(self.leave(0), group="leave", exclusive=True)

    def _signalled(self, signum: int) -> None:
        """SIGTERM or SIGHUP: leave as q does, so the terminal is given back as it was."""
        self.run_worker(self.leave(128 + signum), group="leave", exclusive=True)

    async def leave(self, return_code: int) -> None:
        """Exit once every mark shown is written down, waiting at most QUIT_WAIT_S.

        Marks still not written then are named in ``not_saved`` (the command
        line prints them on stderr) and the exit code is 1.
        """
        if self.writes_in_flight():
            pending = self.board.unsaved + (self._writing is not None) + len(self._writes_waiting)
            self.notify(
                f"Saving {pending} change(s) before quitting (waiting up to {QUIT_WAIT_S:g} s)",
                timeout=QUIT_WAIT_S,
            )
            deadline = time.monotonic() + QUIT_WAIT_S
            while self.writes_in_flight() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        if self.writes_in_flight():
            # Writes still waiting for a lock stop now; one already holding its lock ends first,
            # so what is named below was not written and will not be.
            self.writes_cut_short = not await asyncio.to_thread(self.board.gate.close, QUIT_WAIT_S)
            self.not_saved = [f"{m.key} -> {m.state.value}" for m in self.board.unsaved_marks()]
            writing = self._writing
            if writing is not None and writing is not self._last_plan_written:
                self.not_saved.append(f"{writing.what} (and {len(self._writes_waiting)} after it)")
            elif self._writes_waiting:
                self.not_saved.append(f"{len(self._writes_waiting)} more change(s) not yet written")
        if self.not_saved:
            return_code = return_code or 1
        self.exit(return_code=return_code)

    # -- filtering -------------------------------------------------------------------
    def _set_query(self, query: Filter, **changes: Any) -> None:
        """Take a query (its cycle words pick the cycle) and show it, with ``changes`` to the selection."""
        wanted = cycle_named(self.board.plan, query.cycles)
        self.select(cycle=wanted or self.cycle, filter_by=query.with_cycles(frozenset()), **changes)

    def action_filter(self) -> None:
        self._widget(FilterBar).open(str(self.filter_by))

    def on_filter_bar_changed(self, message: FilterBar.Changed) -> None:
        bar = self._widget(FilterBar)
        try:
            self._preview(bar, message.text)
        finally:
            bar.release()

    def _preview(self, bar: FilterBar, text: str) -> None:
        try:
            preview = Filter.parse(text).with_cycles(frozenset())
        except QueryError as exc:
            bar.hint(str(exc))
            return
        bar.hint(KEYS_HINT)
        if preview == self.filter_preview:
            self.repaint(typing=True)  # the same filter typed again (a space): shown as before
        else:
            self.select(filter_preview=preview)

    def on_filter_bar_applied(self, message: FilterBar.Applied) -> None:
        bar = self._widget(FilterBar)
        try:
            query = self.board.plan.resolved(Filter.parse(message.text))
        except QueryError as exc:
            bar.hint(str(exc))
            return
        bar.close()
        self._set_query(query, filter_preview=None)
        if self.current_view == "overview":
            self.focus_pane("blueprints")
        else:
            self.focus_current()

    def on_filter_bar_cancelled(self, _message: FilterBar.Cancelled) -> None:
        self._widget(FilterBar).close()
        self.select(filter_preview=None)
        self.focus_current()

    def action_pick_project(self) -> None:
        counts: dict[str, int] = {}
        for row in self.contents.rows if not self.filter_by.projects else ():
            counts[row.blueprint.project] = counts.get(row.blueprint.project, 0) + 1
        projects = sorted(self.board.plan.projects.values(), key=lambda p: p.id)
        current = next(iter(self.filter_by.projects)) if len(self.filter_by.projects) == 1 else None
        self.push_screen(
            project_picker([(p.id, p.name, counts.get(p.id, 0)) for p in projects], current),
            self._project_chosen,
        )

    def show_cycle(self, cycle: str) -> None:
        """Go to ``cycle`` (the palette's "go to"), in the overview."""
        self.select(cycle=cycle, view="overview")
        self.focus_pane("blueprints")

    def filter_project(self, project: str) -> None:
        self._set_query(replace(self.filter_by, projects=frozenset({project.lower()})))

    def _project_chosen(self, answer: str | None) -> None:
        if answer is None:
            return
        projects = frozenset() if answer == ALL_PROJECTS else frozenset({answer})
        self._set_query(replace(self.filter_by, projects=projects))

    # -- the plan's text in the user's editor ---------------------------------------------
    def action_edit(self) -> None:
        """Open the seed error in the red line, else the selected item's record, in the editor."""
        problems = self.board.plan.problems
        if problems:
            self.edit_at(problems[0].path, problems[0].line)
            return
        where = self._selected_origin()
        if where is None:
            self.notify("Nothing to open: select a blueprint, theme, session or cycle", severity="warning")
            return
        self.edit_at(where[0], where[1])

    def _selected_origin(self) -> tuple[str, int, int] | None:
        """Where the focused pane's item (else the selected blueprint) is written in the seeds."""
        origins = self.board.seed_plan.origins
        focused = self.focused
        keys = [
            getattr(focused, "current_key", None) or getattr(focused, "current_id", None),
            self._widget(BlueprintsPane).current_key,
        ]
        for key in keys:
            for kind in ("blueprint", "theme", "session", "cycle"):
                where = origins.get(f"{kind}:{key}") if key else None
                if where is not None:
                    return where
        return None

    def action_list_errors(self) -> None:
        errors = sorted(self.board.plan.errors, key=lambda e: (e.warning, e.path, e.line, e.col))
        if not errors:
            self.notify("No seed errors or warnings", timeout=4)
            return

        def chosen(answer: str | None) -> None:
            if answer is not None:
                self.edit_at(errors[int(answer)].path, errors[int(answer)].line)

        self.push_screen(error_picker(errors, self.board.seeds_dir), chosen)

    def edit_at(self, path: str, line: int) -> None:
        """Open seed file ``path`` at ``line`` in the user's editor, the dashboard handing over the
        terminal until it exits; then the seeds are read again."""
        file = self.board.seeds_dir / path
        try:
            command = editor_command(file, line)
        except NoEditor as problem:
            self.notify(str(problem), severity="error")
            return
        try:
            returned = self.run_editor(command)
        except SuspendNotSupported:
            self.notify(f"This screen cannot be lent to an editor: open {file}:{line}", severity="error")
            return
        except OSError as problem:
            self.notify(f"Could not start {command[0]}: {problem.strerror or problem}", severity="error")
            return
        self.request_reload(seeds=True, marks=False, announce=True)
        if returned != 0:
            self.notify(f"{command[0]} ended with exit status {returned}", severity="warning")

    def run_editor(self, command: list[str]) -> int:
        """Run ``command`` in the terminal while the dashboard is suspended; its exit status."""
        with self.suspend():
            return subprocess.call(command)  # noqa: S603 - the editor the user named, on a seed file

    # -- reloading -------------------------------------------------------------------
    def action_reload(self) -> None:
        self.request_reload(seeds=True, marks=True, announce=True)

    def request_reload(
        self, *, seeds: bool, marks: bool, announce: bool = False, seed_files: frozenset[str] | None = None
    ) -> None:
        """Coalesce reload requests: one read at a time, the next one takes all that came meanwhile.

        ``seed_files``: the only seed files that changed, when the watcher knows (else all are looked at).
        """
        if seeds:
            known = self._reload_files
            self._reload_files = None if known is None or seed_files is None else known | seed_files
        self._reload_wanted["seeds"] |= seeds
        self._reload_wanted["marks"] |= marks or seeds
        self._announce |= announce
        # While a change is being written, the read waits for it: the write goes first,
        # and the read then brings it back with whatever else changed.
        if not self._reloading and not self.writes_in_flight():
            self._start_reload()
        elif not self._reloading and self._read_overdue is None:
            self._read_overdue = self.set_timer(_READ_WAITS_AT_MOST_S, self._start_overdue_reload)

    def _reload_if_waiting(self) -> None:
        if any(self._reload_wanted.values()) and not self._reloading and not self.writes_in_flight():
            self._start_reload()

    def writes_in_flight(self) -> bool:
        """A mark or a plan write asked for and not yet written (each runs in a worker)."""
        return bool(self.board.unsaved) or self._writing is not None

    def _start_overdue_reload(self) -> None:
        """Read now although our own writes are still in flight (they stay shown: they are staged)."""
        self._read_overdue = None
        if any(self._reload_wanted.values()) and not self._reloading:
            self._start_reload()

    def _start_reload(self) -> None:
        if self._read_overdue is not None:
            self._read_overdue.stop()
            self._read_overdue = None
        seeds, only = self._reload_wanted["seeds"], self._reload_files
        self._reload_wanted = {"seeds": False, "marks": False}
        self._reload_files = frozenset()
        self._reloading = True
        if self._busy_due is None:
            self._busy_due = self.set_timer(_BUSY_AFTER_S, partial(self._say_busy, "reading the seeds…"))
        self.read_store(not seeds, only)

    def _say_busy(self, text: str) -> None:
        """A reading that takes longer than a frame says so in the status line, until it is done."""
        self._busy_due = None
        if self._busy != text:
            self._busy = text
            self._show_status(self.shown_filter, self._cycle_label())

    @work(thread=True, group="reload", exit_on_error=False)
    def read_store(self, marks_only: bool, only: frozenset[str] | None) -> None:
        loaded = self.board.load(marks_only=marks_only, only=only)
        self.call_from_thread(self._adopt, loaded)

    @work(thread=True, exclusive=True, group="git", exit_on_error=False)
    def count_uncommitted(self) -> None:
        """How many seed files git has uncommitted changes in (None outside a work tree)."""
        self.board.author()  # asked once, beside git's other questions, not on the first change
        found = uncommitted_seed_files(self.board.seeds_dir)
        self.call_from_thread(self._show_uncommitted, found)

    def _show_uncommitted(self, found: int | None) -> None:
        if found != self.uncommitted:
            self.uncommitted = found
            self._show_status(self.shown_filter, self._cycle_label())

    def _show_status(self, query: Filter, cycle_label: str) -> None:
        self._widget(StatusBar).show(
            query,
            cycle_label,
            self._source,
            previewing=self.filter_preview is not None,
            uncommitted=self.uncommitted,
            busy=self._busy,
        )

    def _adopt(self, loaded: Loaded) -> None:
        self._reloading = False
        if self._busy_due is not None:
            self._busy_due.stop()
            self._busy_due = None
        if self._busy:
            self._busy = ""
            self._show_status(self.shown_filter, self._cycle_label())
        changed = self.board.adopt(loaded)
        self.reloads += 1
        if changed or self._announce or len(self.board.notices) > self._notices_told:
            self.repaint()
        if loaded.plan is not None:
            # The cache is written once the saves pause, not after each one.
            if self._persist_due is not None:
                self._persist_due.stop()
            self._persist_due = self.set_timer(_PERSIST_AFTER_S, self._persist_when_quiet)
            gc.unfreeze()  # the old plan may go now
            # A seed file changed (a save, a pull, a checkout): count again once it is on screen
            # (our own write, read back, draws nothing: then at once).
            after = self.call_after_refresh if changed else self.call_later
            after(self._settle)
            after(self.count_uncommitted)
            if isinstance(self.screen, SessionDetails):
                self._show_session(self.screen.session.key)
        if self._announce:
            self._announce = False
            stats = loaded.stats
            self.notify(f"Reloaded: {stats.files} files, {stats.parsed} re-read", timeout=3)
        if any(self._reload_wanted.values()):
            self._start_reload()
        if self.board.seeds_missing and self._seeds_poll is None:
            self._seeds_poll = self.set_interval(_SEEDS_POLL_S, self._seeds_back)

    def _seeds_back(self) -> None:
        """While the seeds folder is missing: once it is back, read it and watch it again."""
        if not self.board.seeds_dir.is_dir():
            return
        if self._seeds_poll is not None:
            self._seeds_poll.stop()
            self._seeds_poll = None
        self.request_reload(seeds=True, marks=True)
        if self.watch_files:
            self.watch_seeds()  # a folder made anew is not the one the old watch had

    @work(exclusive=True, group="watch", exit_on_error=False)
    async def watch_seeds(self) -> None:
        async for changes in watch(self.board.seeds_dir, self.board.store_dir):
            # Our own mark, seen by the watcher: nothing to read, and reading the marks
            # file again would only compete with the keys that follow it.
            marks = changes.marks and self.board.marks.changed_elsewhere()
            if changes.seeds or marks:
                self.request_reload(seeds=changes.seeds, marks=marks, seed_files=changes.seed_files)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a worker's failure is reported."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "reload":
            self._reloading = False
            self.notify(f"Reload failed: {error}; showing the last good data", severity="error", timeout=10)
        elif event.worker.group == "watch":
            self.notify(f"Live reload stopped: {error}; press r to reload", severity="warning", timeout=10)
        else:
            self.notify(f"{event.worker.name} failed: {error}", severity="error", timeout=10)

    # -- help and palette --------------------------------------------------------------
    def get_key_display(self, binding: Binding) -> str:
        # "enter" reads better than the ⏎ glyph for people new to the keys.
        return (
            "enter"
            if binding.key == "enter" and not binding.key_display
            else super().get_key_display(binding)
        )

    def action_help(self) -> None:
        self.push_screen(HelpScreen(key_catalogue.help_groups(self, self.key_bindings, self.keymap)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        focused = screen.focused
        for heading, entries in key_catalogue.catalogue(self.key_bindings):
            for entry in entries:
                if entry.owner == "other" or entry.binding.id == "command-palette":
                    continue
                binding = entry.binding
                shown = ", ".join(
                    self.get_key_display(Binding(k, binding.action))
                    for k in key_catalogue.keys_of(binding, self.keymap)
                )
                target = self._command_target(entry.owner, focused)
                if target is None:
                    continue
                # The description's words are matched too: "mark", "weekly" find their keys.
                yield SystemCommand(
                    f"{binding.description} ({shown})" + (f": {binding.tooltip}" if binding.tooltip else ""),
                    binding.tooltip or heading,
                    partial(self.call_later, self.run_action, binding.action, target),
                )

    def _command_target(self, owner: str, focused: Widget | None):
        if owner == "app":
            return self
        if owner == "blueprints":
            return self.query_one(BlueprintsPane) if self.current_view == "overview" else None
        if owner.startswith("runway-"):
            return self.query_one(f"#{owner}") if self.current_view == "runways" else None
        if focused is not None and focused.id in PANES:
            return focused
        return self.query_one(f"#{self.active_pane}")


def cycle_named(plan: Plan, words: frozenset[str]) -> str | None:
    """The cycle id that filter words such as ``cycle:kilo`` choose, ``all``, or None."""
    if ALL_CYCLES in words:
        return ALL_CYCLES
    named = {found.id for word in words if (found := plan.find_cycle(word))}
    return next((c.id for c in plan.cycles_newest_first() if c.id in named), None)  # several: the newest


class StartOptions(NamedTuple):
    """What the command line asked the dashboard to open on, checked once the plan is read."""

    project: str | None
    cycle: str | None
    query: Filter


def make_app(
    *,
    seeds: str | Path | None = None,
    store: str | Path | None = None,
    project: str | None = None,
    cycle: str | None = None,
    filter_text: str | None = None,
    today: dt.date | None = None,
    watch_files: bool = True,
    read_in_app: bool = False,
) -> CycleboardApp:
    """The one way to build the dashboard, for the command line and the tests alike.

    Raises QueryError or StoreError with a one-line message for bad options.
    With ``read_in_app`` (the command line), the plan is read by the app, which
    is on screen at once and shows how far the read is; a bad ``project`` or
    ``cycle`` then ends the app with its message and exit status 1.
    """
    from store.paths import resolve_seeds, resolve_store

    seeds_dir = resolve_seeds(str(seeds) if seeds is not None else None)
    store_dir = resolve_store(str(store) if store is not None else None, seeds_dir)
    options = StartOptions(project, cycle, Filter.parse(filter_text or ""))
    board = Board(seeds_dir, store_dir, live=True)
    if read_in_app:
        # A cold read parses in spawned processes, whose helper is started with this
        # process's stderr: started now, before the app puts its own stderr in place.
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
        return CycleboardApp(
            board,
            cycle=ALL_CYCLES,
            query=options.query.with_cycles(frozenset()),
            today=today or dt.date.today(),
            watch_files=watch_files,
            starting=options,
        )
    # The plan lives as long as the app: frozen before the collector is back, it is
    # never walked, neither while Textual starts nor in the pass the collector would
    # make over everything the load made (docs/performance.md).
    with gc_paused():
        board.refresh()
        gc.freeze()
    app = CycleboardApp(
        board,
        cycle="",
        query=options.query.with_cycles(frozenset()),
        today=today or dt.date.today(),
        watch_files=watch_files,
    )
    app._take_start_options(options)
    return app
