"""Small lists that return one choice: a project, a state, a link."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from store.model import State
from store.seeds import SeedError
from tui.text import state_label
from tui.widgets.key_footer import KeyFooter

ALL_PROJECTS = ""  # the picker's answer for "no project filter"


class _PickList(OptionList):
    """Options to choose from; typing a few letters goes to the first option that has them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Choose", id="picker-choose", tooltip="Choose the highlighted option"),
    ]
    FIND_RESETS_AFTER_S = 0.8  # a pause this long starts a new word

    def __init__(self, *options: Option, id: str) -> None:
        super().__init__(*options, id=id)
        self.typed = ""
        self._typed_at = 0.0

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        # Letters find: they are not the screen's keys while the list has the focus.
        return character is not None and character.isprintable() and character != " "

    async def _on_key(self, event: events.Key) -> None:
        character = event.character
        if character is None or not character.isprintable() or character == " ":
            return
        event.stop()
        event.prevent_default()
        now = time.monotonic()
        self.typed = (self.typed if now - self._typed_at < self.FIND_RESETS_AFTER_S else "") + character
        self._typed_at = now
        found = self.find(self.typed)
        if found is not None:
            self.highlighted = found
        self.border_subtitle = f"find: {self.typed}" + ("" if found is not None else " (no match)")

    def find(self, typed: str) -> int | None:
        """The option whose text has ``typed`` earliest (at its start first), in any case."""
        wanted = typed.lower()
        best: tuple[int, int] | None = None
        for index, option in enumerate(self.options):
            at = str(option.prompt).lower().find(wanted)
            if at != -1 and (best is None or at < best[0]):
                best = (at, index)
        return best[1] if best else None


class Picker(ModalScreen[str | None]):
    """Answers the chosen option's id, or None when escaped."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker-cancel", tooltip="Close without choosing")
    ]

    def __init__(self, title: str, options: list[Option], current: str | None) -> None:
        super().__init__(classes="picker")
        self._title = title
        self._options = options
        self._current = current

    def compose(self) -> ComposeResult:
        choices = _PickList(*self._options, id="picker-list")
        choices.border_title = self._title
        choices.border_subtitle = "type to find · enter: choose · escape: cancel"
        yield choices
        yield KeyFooter()

    def on_mount(self) -> None:
        choices = self.query_one(_PickList)
        ids = [o.id for o in self._options]
        if self._current in ids:
            choices.highlighted = ids.index(self._current)
        choices.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def project_picker(projects: list[tuple[str, str, int]], current: str | None) -> Picker:
    """``projects`` as (id, name, blueprint count); "all" clears the filter."""
    options = [Option(Content.styled("all projects", "bold"), id=ALL_PROJECTS)]
    options += [
        Option(
            Content.assemble(
                f"{pid:<18}", (name if name != pid else "", "$text-muted"), (f"  {count}", "$text-muted")
            ),
            id=pid,
        )
        for pid, name, count in projects
    ]
    return Picker("Filter by project", options, current if current is not None else ALL_PROJECTS)


def state_picker(key: str, current: State) -> Picker:
    options = [Option(state_label(state), id=state.value) for state in State]
    return Picker(f"State of {key}", options, current.value)


def link_picker(key: str, found: list[tuple[str, str]]) -> Picker:
    options = [Option(Content.assemble((f"{label:<16}", "$text-muted"), url), id=url) for label, url in found]
    return Picker(f"Open a link of {key}", options, None)


def error_picker(errors: list[SeedError], seeds_dir: Path) -> Picker:
    """Every seed error (warnings after them), each file named from ``seeds_dir``; the id is
    the error's place in ``errors``."""

    def where(error: SeedError) -> str:
        path = Path(error.path)
        shown = str(path.relative_to(seeds_dir)) if path.is_relative_to(seeds_dir) else error.path
        return f"{shown}:{error.line}:{error.col}" if error.line else shown

    options = [
        Option(
            Content.assemble(
                (where(e), "bold"),
                ("  warning: " if e.warning else "  ", "$warning" if e.warning else ""),
                e.message,
            ),
            id=str(i),
        )
        for i, e in enumerate(errors)
    ]
    problems = sum(not e.warning for e in errors)
    title = f"Seed errors ({problems}), warnings ({len(errors) - problems}): enter opens the editor"
    return Picker(title, options, None)
