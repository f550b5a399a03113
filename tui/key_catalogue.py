"""Every key of the dashboard in one catalogue, for the help screen, the
command palette and the keymap check; read from the bindings themselves so
the three can never disagree with what the keys do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.binding import Binding, BindingType

from tui.panes.base import MOVE_BINDINGS
from tui.panes.blueprints import SORT_BINDINGS, BlueprintsPane
from tui.panes.find import FIND_BINDING
from tui.screens.details import BlueprintDetails, DetailsScreen
from tui.screens.help import HelpScreen, KeyLine
from tui.screens.pickers import Picker
from tui.views.runways import RunwayCandidates, RunwayQueue
from tui.widgets.filter_bar import FilterBar, FilterInput


@dataclass(frozen=True)
class Entry:
    binding: Binding
    # "app", "pane" (the focused pane), "blueprints", a planning list's id ("runway-queue"),
    # or "other" (not offered in the palette)
    owner: str


def _bindings(cls) -> list[Binding]:
    return [b for b in cls.BINDINGS if isinstance(b, Binding)]


def catalogue(app_bindings: Sequence[BindingType]) -> list[tuple[str, list[Entry]]]:
    by_id = {b.id: b for b in app_bindings if isinstance(b, Binding)}
    sorting = _bindings(BlueprintsPane)[-len(SORT_BINDINGS) :]
    pane_only = [
        b
        for b in _bindings(BlueprintsPane)
        if b.id not in {m.id for m in (*MOVE_BINDINGS, FIND_BINDING)} and b not in sorting
    ]
    return [
        (
            "Moving",
            [Entry(by_id["next-pane"], "app"), Entry(by_id["previous-pane"], "app")]
            + [Entry(b, "pane") for b in (*MOVE_BINDINGS, FIND_BINDING)],
        ),
        (
            "The selected item",
            [Entry(b, "blueprints" if b.id != "details" else "pane") for b in pane_only]
            + [Entry(by_id["undo"], "app")],
        ),
        ("Sorting the blueprints", [Entry(b, "blueprints") for b in sorting]),
        (
            "Filtering",
            [Entry(by_id["filter"], "app"), Entry(by_id["pick-project"], "app")]
            + [Entry(b, "other") for b in _bindings(FilterInput) + _bindings(FilterBar)],
        ),
        (
            "Planning views",
            [
                Entry(by_id[i], "app")
                for i in ("view-overview", "view-timeline", "view-burnup", "view-runways", "save-report")
            ]
            + [Entry(b, "runway-queue") for b in _bindings(RunwayQueue)]
            + [Entry(b, "runway-candidates") for b in _bindings(RunwayCandidates)],
        ),
        (
            "The dashboard",
            [
                Entry(by_id[i], "app")
                for i in ("reload", "edit", "list-errors", "help", "command-palette", "quit")
            ],
        ),
        (
            "Details, pickers and help",
            [
                Entry(b, "other")
                for b in (
                    _bindings(DetailsScreen)[:1]
                    + _bindings(BlueprintDetails)
                    + _bindings(Picker)
                    + _bindings(HelpScreen)
                )
            ],
        ),
    ]


def known_ids(app_bindings: Sequence[BindingType]) -> set[str]:
    return {e.binding.id for _, entries in catalogue(app_bindings) for e in entries if e.binding.id}


def keys_of(binding: Binding, keymap: dict[str, str]) -> list[str]:
    keys = keymap.get(binding.id or "", binding.key)
    return [k.strip() for k in keys.split(",") if k.strip()]


def help_groups(
    app, app_bindings: Sequence[BindingType], keymap: dict[str, str]
) -> list[tuple[str, list[KeyLine]]]:
    groups = []
    for heading, entries in catalogue(app_bindings):
        lines = []
        for entry in entries:
            b = entry.binding
            shown = " ".join(app.get_key_display(Binding(k, b.action)) for k in keys_of(b, keymap))
            lines.append(KeyLine(shown, b.tooltip or b.description, b.id or ""))
        groups.append((heading, lines))
    return groups
