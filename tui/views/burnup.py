"""The burn-up view: scope and done over a cycle's days, milestones marked on the axis.

Drawn by hand in block characters: each column is a day (or a few), the
solid part is what was done, the shaded part above it what was targeted but
not done yet, so the top of the shading is the scope line.
"""

from __future__ import annotations

import datetime as dt

from textual.content import Content
from textual.widget import Widget

from store.burnup import Burnup
from store.model import Cycle, Milestone, MilestoneKind
from store.timeline import countdown
from tui.text import fit, one_line

_LABEL = 5  # the y axis labels' width
_TICKS = "123456789abcdefghijklmnopqrstuvwxyz"


class BurnupChart(Widget):
    DEFAULT_CSS = """
    BurnupChart { height: 1fr; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__(id="burnup")
        self.cycle: Cycle | None = None
        self.chart: Burnup | None = None
        self.milestones: list[Milestone] = []
        self.today = dt.date.today()

    def show(
        self, cycle: Cycle | None, chart: Burnup | None, milestones: list[Milestone], today: dt.date
    ) -> None:
        self.cycle, self.chart, self.milestones, self.today = cycle, chart, milestones, today
        self.refresh()

    def render(self) -> Content:
        cycle, chart, today = self.cycle, self.chart, self.today
        if cycle is None:
            return Content("No cycle to show.")
        title = Content.assemble(("Burn-up: ", "bold"), (one_line(cycle.name), "bold"))
        if cycle.start and today < cycle.start:
            title = Content.assemble(title, ("   starts " + countdown(cycle.start, today), "bold $accent"))
        if chart is None or not chart.scope or (chart.scope[-1] == 0 and max(chart.scope) == 0):
            return Content("\n").join(
                [
                    title,
                    Content.styled(
                        "Nothing to chart: no blueprints in this cycle (under the filter).",
                        "$text-muted",
                    ),
                ]
            )
        width = max(10, (self.size.width or 100) - 2 - _LABEL - 1)
        milestones, left_out = _labelled(self.milestones, room=max(1, (self.size.height or 30) // 4) * 3)
        legend_rows = 4 + (len(milestones) + 2) // 3 + bool(left_out)
        height = max(4, (self.size.height or 30) - legend_rows)
        top = max(max(chart.scope), 1)
        done_now, scope_now = chart.done[-1], chart.scope[-1]
        share = f"{round(100 * done_now / scope_now)}%" if scope_now else "-"
        rows = [
            Content.assemble(
                title, f"   scope {scope_now}, done {done_now} ({share}), {chart.start} to {chart.last_day}"
            )
        ]
        span = max(1, chart.axis_days - 1)

        def column_of(date: dt.date) -> int | None:
            if not chart.start <= date <= chart.last_day:
                return None
            return round((date - chart.start).days / span * (width - 1))

        columns = [round(c * span / max(1, width - 1)) for c in range(width)]
        today_at = column_of(today)
        freezes_at = {
            at
            for m in milestones
            if m.kind in (MilestoneKind.SPEC_FREEZE, MilestoneKind.FEATURE_FREEZE)
            and (at := column_of(m.date)) is not None
        }
        for r in range(height):
            level = (height - r) * top / height  # what a full cell in this row stands for
            half = level - top / height / 2
            cells = []
            for at, day in enumerate(columns):
                if day >= chart.days:  # after today: nothing counted yet
                    done = scope = -1
                else:
                    done, scope = chart.done[day], chart.scope[day]
                if done >= level:
                    cells.append(("█", "$success"))
                elif done >= half:
                    cells.append(("▄", "$success"))
                elif scope >= level:
                    cells.append(("░", "$primary"))
                elif scope >= half:
                    cells.append(("▁", "$primary"))
                elif at == today_at:
                    cells.append(("│", "bold $accent"))
                elif at in freezes_at:
                    cells.append(("┊", "$warning"))
                else:
                    cells.append((" ", ""))
            label = str(top) if r == 0 else (str(round(top / 2)) if r == height // 2 else "")
            rows.append(Content.assemble((label.rjust(_LABEL), "$text-muted"), " │", *_runs(cells)))
        axis = ["─"] * width
        for number, milestone in enumerate(milestones):
            at = column_of(milestone.date)
            if at is not None:
                axis[at] = _TICKS[number % len(_TICKS)]
        rows.append(
            Content.assemble(
                ("0".rjust(_LABEL), "$text-muted"),
                " └",
                *((ch, "bold $warning" if ch != "─" else "$text-muted") for ch in axis),
            )
        )
        under = list(f"{chart.start}".ljust(width - 10) + f"{chart.last_day}")
        if today_at is not None:
            # Between the two dates, shortened rather than written over them.
            label = f"▲ today {today}"
            at = min(today_at, width - 11 - len(label))
            if at < 11:
                label, at = "▲ today", min(max(today_at, 11), width - 11 - len("▲ today"))
            if at >= 11:
                under[at : at + len(label)] = label
        rows.append(Content.styled(" " * (_LABEL + 2) + "".join(under), "$text-muted"))
        rows.append(
            Content.assemble(
                " " * (_LABEL + 2),
                ("█ done", "$success"),
                "   ",
                ("░ targeted, not done (its top is the scope)", "$primary"),
                "   ",
                ("┊ freeze", "$warning"),
            )
        )
        names = [
            Content.assemble(
                (_TICKS[n % len(_TICKS)], "bold $warning"),
                " ",
                fit(f"{m.name} {m.date}", max(10, width // 3 - 3)),
            )
            for n, m in enumerate(milestones)
        ]
        for at in range(0, len(names), 3):
            rows.append(Content.assemble(" " * (_LABEL + 2), *_joined(names[at : at + 3])))
        if left_out:
            rows.append(
                Content.styled(
                    " " * (_LABEL + 2) + f"{left_out} more milestones: the timeline (2) lists every one",
                    "$text-muted",
                )
            )
        return Content("\n").join(rows)


# What stays on a short chart's axis, most wanted last to go: the cycle's own milestones, then only
# the freezes and the release.
_WANTED = (
    frozenset(MilestoneKind) - {MilestoneKind.OTHER},
    frozenset({MilestoneKind.SPEC_FREEZE, MilestoneKind.FEATURE_FREEZE, MilestoneKind.RELEASE}),
)


def _labelled(milestones: list[Milestone], room: int) -> tuple[list[Milestone], int]:
    """The milestones to number on the axis when the legend has ``room`` names, and how many
    are left out."""
    kept = milestones
    for wanted in _WANTED:
        if len(kept) <= room:
            break
        kept = [m for m in kept if m.kind in wanted]
    return kept, len(milestones) - len(kept)


def _runs(cells: list[tuple[str, str]]):
    """Neighbouring cells of one style as one span: a row is a few spans, not a hundred."""
    text, style = "", None
    for char, cell_style in cells:
        if cell_style != style and text:
            yield text, style or ""
            text = ""
        text, style = text + char, cell_style
    if text:
        yield text, style or ""


def _joined(parts: list[Content]):
    for at, part in enumerate(parts):
        if at:
            yield "  "
        yield part
