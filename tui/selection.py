"""What the dashboard shows, as one record: the cycle, the filter, the view, the pane and the order.

The app holds one :class:`Selection` and changes it only through
``CycleboardApp.select``, which repaints what the change reaches; nothing else
assigns it, so no change can forget to repaint.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.query import Filter
from store.row_order import PLAN_ORDER, Sort


@dataclass(frozen=True)
class Selection:
    cycle: str  # a cycle id, or "all"
    filter_by: Filter  # the filter applied (its cycle words already picked the cycle)
    filter_preview: Filter | None = None  # being typed on the filter line, not applied yet
    view: str = "overview"  # overview, timeline, burnup or runways
    pane: str = "blueprints"  # the overview's active pane
    sort: Sort = PLAN_ORDER  # the Blueprints pane's order

    @property
    def shown_filter(self) -> Filter:
        """What the panes show: the filter being typed, else the one applied."""
        return self.filter_preview if self.filter_preview is not None else self.filter_by

    def typing_only(self, before: Selection) -> bool:
        """Only the filter being typed changed: the planning views, which it does not change
        until applied, are left alone (the keystroke's fast path)."""
        return (
            self.filter_preview is not None
            and self.filter_preview != before.filter_preview
            and (self.cycle, self.filter_by, self.view) == (before.cycle, before.filter_by, before.view)
        )
