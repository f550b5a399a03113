"""The timeline view: a cycle's milestones on a time axis, today's place, and what is at risk."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget

from store.model import Cycle, Milestone, MilestoneKind
from store.timeline import Risk, countdown, milestone_countdown
from tui.panes.base import Line, OpeningPaneList
from tui.text import fit, one_line

# Freezes stand out; the rest of the schedule is quieter.
KIND_STYLE = {
    MilestoneKind.SPEC_FREEZE: "bold $warning",
    MilestoneKind.FEATURE_FREEZE: "bold $error",
    MilestoneKind.RELEASE: "bold $success",
    MilestoneKind.RC: "$success",
    MilestoneKind.PTG: "$accent",
    MilestoneKind.SUMMIT: "$accent",
}
_TICKS = "123456789abcdefghijklmnopqrstuvwxyz"


def _tick(number: int) -> str:
    """A milestone's mark on the axis; past the 35th they would repeat, so they are all alike."""
    return _TICKS[number] if number < len(_TICKS) else "•"


def _span(cycle: Cycle, milestones: list[Milestone]) -> tuple[dt.date, dt.date] | None:
    dates = [d for d in (cycle.start, cycle.release) if d] + [m.date for m in milestones]
    if not dates:
        return None
    return min(dates), max(dates)


class RiskLine(NamedTuple):
    """What one line of the pane shows."""

    key: str  # as shown: without the cycle, and without the project when one project has them all
    title: str
    reason: str
    key_width: int
    width: int


class TimelineChart(Widget):
    """The axis and the milestone list; drawn from data, so any text from seeds stays literal."""

    DEFAULT_CSS = """
    TimelineChart { height: auto; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="timeline-chart")
        self.cycle: Cycle | None = None
        self.milestones: list[Milestone] = []
        self.today = dt.date.today()

    def show(self, cycle: Cycle | None, milestones: list[Milestone], today: dt.date) -> None:
        self.cycle, self.milestones, self.today = cycle, milestones, today
        self.refresh(layout=True)

    def render(self) -> Content:
        cycle = self.cycle
        if cycle is None:
            return Content("No cycle to show.")
        width = max(20, self.size.width or 100)
        span = _span(cycle, self.milestones)
        heading = Content.assemble((one_line(cycle.name), "bold"), f"  ({cycle.id})")
        if span is None:
            return Content("\n").join(
                [heading, Content.styled("This cycle has no dates yet.", "$text-muted")]
            )
        first, last = span
        length = max(1, (last - first).days)

        def column(date: dt.date) -> int:
            return round((min(max(date, first), last) - first).days / length * (width - 1))

        axis = ["─"] * width
        axis[0], axis[-1] = "├", "┤"
        for number, milestone in enumerate(self.milestones):
            axis[column(milestone.date)] = _tick(number)
        marker = [" "] * width
        where = column(self.today)
        marker[where] = "▼"
        note = (
            f" today {self.today}"
            if first <= self.today <= last
            else (f" today {self.today} →" if self.today > last else f"← today {self.today}")
        )
        text = "".join(marker)
        if where + len(note) < width:
            text = text[: where + 1] + note + text[where + 1 + len(note) :]
        else:
            text = text[: max(0, where - len(note))] + note + text[where:]
        ends = f"{first}".ljust(width - 10) + f"{last}"
        rows = [
            heading,
            Content(""),
            Content.styled(text[:width], "bold $accent"),
            Content.assemble(*((ch, "bold $warning" if ch not in "─├┤" else "$text-muted") for ch in axis)),
            Content.styled(ends, "$text-muted"),
            Content(""),
        ]
        name_width = max((len(m.name) for m in self.milestones), default=10)
        name_width = min(name_width, max(10, width - 48))
        for number, milestone in enumerate(self.milestones):
            style = KIND_STYLE.get(milestone.kind, "")
            past = milestone.date < self.today
            rows.append(
                Content.assemble(
                    (_tick(number), "bold $warning"),
                    "  ",
                    (str(milestone.date), "$text-muted" if past else ""),
                    "  ",
                    (fit(milestone.name, name_width), style),
                    "  ",
                    (fit(milestone.kind.value, 14), style),
                    "  ",
                    (
                        milestone_countdown(milestone, self.today)
                        if milestone.kind in (MilestoneKind.SPEC_FREEZE, MilestoneKind.FEATURE_FREEZE)
                        else countdown(milestone.date, self.today),
                        "$text-muted" if past else "bold",
                    ),
                    ((f"  ({milestone.project})" if milestone.project else ""), "$text-muted"),
                )
            )
        if not self.milestones:
            rows.append(Content.styled("No milestones recorded for this cycle.", "$text-muted"))
        for cycle_note in cycle.notes:  # facts about the whole cycle, such as a count of its blueprints
            rows.append(
                Content.assemble(
                    ("Note", "bold"),
                    (f" ({cycle_note.date})" if cycle_note.date else "", "$text-muted"),
                    ": ",
                    one_line(cycle_note.text),
                )
            )
        return Content("\n").join(rows)


class RiskList(OpeningPaneList):
    """Blueprints at risk; enter opens one."""

    class OpenRequested(OpeningPaneList.OpenRequested):
        pass  # its own class, so the app's handler is named after this list

    def __init__(self) -> None:
        super().__init__("At risk", id="risks")

    def show(self, risks: list[Risk], titles: dict[str, str], released: bool) -> None:
        if not self.remember(risks, titles, released):
            return
        width = self.scrollable_content_region.width or 80
        # Every risk is of the one cycle shown: what they all share is said once, in the title.
        projects = {r.key.split("/")[-2] for r in risks}
        parts = 1 if len(projects) == 1 else 2
        short = {r.key: "/".join(r.key.split("/")[-parts:]) for r in risks}
        key_width = min(max(12, width // 3), max(map(len, short.values()), default=10))
        shown = [
            Line(r.key, RiskLine(short[r.key], titles.get(r.key, ""), r.reason, key_width, width))
            for r in risks
        ]
        self.fill(
            shown,
            empty="nothing at risk: no freeze has passed this cycle's unfinished work"
            if not released
            else "everything landed",
        )
        shared = f" · {next(iter(projects))}" if len(projects) == 1 else ""
        self.border_title = (
            f"Did not land by the release ({len(risks)}){shared}"
            if released
            else f"At risk ({len(risks)}){shared}"
        )

    def draw(self, line: Line) -> Content:
        d: RiskLine = line.data
        reason_width = min(len(d.reason), max(20, (d.width - d.key_width) // 2))
        title_width = max(4, d.width - d.key_width - reason_width - 4)
        return Content.assemble(
            (fit(d.key, d.key_width), "bold"),
            "  ",
            fit(d.title, title_width),
            "  ",
            (fit(d.reason, reason_width), "$warning"),
        )


class TimelineView(Vertical):
    # An imported schedule has forty-odd events: they scroll, and the risk list keeps its room.
    DEFAULT_CSS = """
    TimelineView #timeline-scroll { height: auto; max-height: 60%; }
    """

    def __init__(self) -> None:
        super().__init__(id="timeline")

    def compose(self):
        with VerticalScroll(id="timeline-scroll"):
            yield TimelineChart()
        yield RiskList()
