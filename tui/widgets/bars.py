"""The one-line bars: the selected cycle on top, problems and the filter below."""

from __future__ import annotations

import datetime as dt

from textual.content import Content
from textual.widgets import Static

from store.model import Cycle, MilestoneKind
from store.query import Filter
from store.seeds import SeedError
from store.timeline import countdown, milestone_countdown, milestones_for

FREEZES = (MilestoneKind.SPEC_FREEZE, MilestoneKind.FEATURE_FREEZE)


class LineBar(Static):
    """A bar that repaints only when its text changes.

    Not named ``Bar``: CSS type selectors go by class name, and Textual's
    progress bar styles a ``Bar`` of its own (32 cells wide).

    ``repaint`` hands every bar its text on each keystroke; an update
    that asks for a layout re-renders the whole screen (more than a frame,
    docs/performance.md), so unchanged text is skipped and a fixed one-line bar never asks.
    """

    def say(self, content: Content, *, fixed_height: bool = True) -> None:
        if content != getattr(self, "_said", None):
            self._said = content
            self.update(content, layout=not fixed_height)


class CycleBar(LineBar):
    """The selected cycle: dates, status and the next milestone."""

    def show(
        self,
        cycle: Cycle | None,
        today: dt.date,
        total_cycles: int,
        view: str = "",
        at_risk: int | None = None,
        projects: frozenset[str] = frozenset(),
    ) -> None:
        """``view``: the planning view on screen (timeline, burn-up, runways), named first.
        ``at_risk``: how many of the cycle's blueprints are at risk (None: not worked out).
        ``projects``: the filter's projects, whose own freezes count."""
        if cycle is None:
            self.say(Content.assemble(("All cycles", "bold"), f"  ·  {total_cycles} cycles"))
            return
        parts: list[str | tuple[str, str]] = [(f"{view}  ·  ", "bold $accent")] if view else []
        parts.append((cycle.name, "bold"))
        # What a weekly meeting asks first: how long until the next freeze, and what is at risk.
        if cycle.start and today < cycle.start:
            parts.append(("  ·  starts " + countdown(cycle.start, today), "$accent"))
        # A project's own freeze counts once the filter names the project.
        freezes = [
            m
            for m in milestones_for(cycle, projects)
            if m.kind in FREEZES and m.date >= today and (m.project is None or projects)
        ]
        freeze = min(freezes, key=lambda m: m.date) if freezes else None
        if freeze is not None:
            parts.append(("  ·  " + milestone_countdown(freeze, today), "bold $warning"))
        if at_risk:
            parts.append((f"  ·  {at_risk} at risk", "bold $error"))
        elif at_risk == 0:
            parts.append(("  ·  nothing at risk", "$success"))
        if cycle.start or cycle.release:
            parts.append(f"  ·  {cycle.start or '?'} → {cycle.release or '?'}")
        if cycle.status:
            parts.append(f"  ·  {cycle.status.value}")
        upcoming = [m for m in cycle.milestones if m.date >= today]
        if upcoming:
            nxt = min(upcoming, key=lambda m: m.date)
            if nxt is not freeze:
                days = (nxt.date - today).days
                when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
                parts += ["  ·  next: ", (nxt.name, "$accent"), f" {nxt.date} ({when})"]
        elif cycle.release and cycle.release < today:
            parts.append(f"  ·  released {(today - cycle.release).days // 7} weeks ago")
        self.say(Content.assemble(*parts))


class ProblemBar(LineBar):
    """Seed errors, shown while the last good data stays on screen."""

    def show(self, problems: list[SeedError], notices: list[str]) -> None:
        if problems:
            first = problems[0]
            more = f"  (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            self.say(
                Content.assemble(
                    ("✖ ", "bold"),
                    str(first),
                    more,
                    ("  · showing the last good data · e edits, E lists", "italic"),
                ),
                fixed_height=False,
            )  # up to two lines: a new text may change its height
        elif notices:
            self.say(Content.assemble(("! ", "bold"), notices[-1]), fixed_height=False)
        self.display = bool(problems or notices)
        self.set_class(bool(problems), "-error")


class StatusBar(LineBar):
    """The active filter, always visible, and where the data comes from."""

    def show(
        self,
        query: Filter,
        cycle_label: str,
        source: str,
        previewing: bool = False,
        uncommitted: int | None = None,
        busy: str = "",
    ) -> None:
        """``uncommitted``: seed files git has uncommitted changes in (shown when there are any).
        ``busy``: what is being done that takes a while (a reload)."""
        text = str(query.with_cycles(frozenset()))
        filt = (
            (("filter: ", "$text-muted"), (text, "bold $accent"))
            if text
            else (("no filter  (/ to filter, p to pick a project)", "$text-muted"),)
        )
        self.say(
            Content.assemble(
                *filt,
                (" (preview)" if previewing else "", "italic $text-muted"),
                ("  ·  ", "$text-muted"),
                cycle_label,
                ("  ·  ", "$text-muted"),
                (source, "$text-muted"),
                (f"  ·  {uncommitted} uncommitted" if uncommitted else "", "$warning"),
                (f"  ·  {busy}" if busy else "", "italic $accent"),
            )
        )
