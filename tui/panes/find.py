"""Find in a pane by typing, as a file manager's lists do.

A pane's letters are its keys (``s`` sets a state, ``o`` opens a link), so
typing finds only after ``f``: from then on the letters typed go to the
search, the cursor goes to the first item from where it began that holds
them (ids and titles, in any case), ``↓``/``↑`` go to the next and previous
such item, ``enter`` keeps the row and ``escape`` goes back to where it was.
"""

from __future__ import annotations

from typing import NamedTuple

from textual import events
from textual.binding import Binding

FIND_BINDING = Binding(
    "f",
    "find",
    "Find",
    id="find-in-pane",
    show=False,
    tooltip="Find by typing (↓ ↑ next and previous, enter keeps the row, esc goes back)",
)


class Finding(NamedTuple):
    typed: str
    began_at: int  # the cursor's row when the find began: escape goes back to it
    subtitle: str  # what the pane's border said before
    found: bool = True


class FindByTyping:
    """Mixed into a pane that says how many items it has, what each one's text is, and
    where its cursor is (:meth:`find_count`, :meth:`find_text`, :meth:`find_cursor`, :meth:`find_go`)."""

    finding: Finding | None = None
    border_subtitle: str | None

    def find_count(self) -> int:
        raise NotImplementedError

    def find_text(self, index: int) -> str:
        """The item's text to look in, in lower case."""
        raise NotImplementedError

    def find_cursor(self) -> int:
        raise NotImplementedError

    def find_go(self, index: int) -> None:
        raise NotImplementedError

    def action_find(self) -> None:
        self.finding = Finding("", self.find_cursor(), self.border_subtitle or "")
        self._show_finding()

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        # While finding, letters are the search's, not the screen's keys (q, p, u...).
        return self.finding is not None and character is not None and character.isprintable()

    async def _on_key(self, event: events.Key) -> None:
        finding = self.finding
        if finding is None:
            return
        key, character = event.key, event.character
        if key == "escape":
            self.find_go(finding.began_at)
            self.end_find()
        elif key == "enter":
            self.end_find()
        elif key in ("down", "up"):
            self._search(finding.typed, self.find_cursor(), 1 if key == "down" else -1, skip=True)
        elif key == "backspace":
            self._search(finding.typed[:-1], finding.began_at)
        elif character is not None and character.isprintable():
            self._search(finding.typed + character, finding.began_at)
        else:
            self.end_find()  # tab and the like: the find ends and the key does what it does
            return
        event.stop()
        event.prevent_default()

    def _search(self, typed: str, start: int, step: int = 1, *, skip: bool = False) -> None:
        """Go to the first item from ``start`` on (wrapping round) whose text holds ``typed``."""
        finding = self.finding
        count = self.find_count()
        if finding is None or not count:
            return
        wanted = typed.lower()
        found = None
        for offset in range(1 if skip else 0, count + (1 if skip else 0)):
            index = (start + step * offset) % count
            if wanted in self.find_text(index):
                found = index
                break
        if found is not None:
            self.find_go(found)
        self.finding = finding._replace(typed=typed, found=found is not None or not typed)
        self._show_finding()

    def _show_finding(self) -> None:
        finding = self.finding
        if finding is not None:
            missing = "" if finding.found else " (no match)"
            self.border_subtitle = f"find: {finding.typed}▏{missing} · ↓↑ next · enter keep · esc back"

    def end_find(self) -> None:
        if self.finding is not None:
            self.border_subtitle = self.finding.subtitle
            self.finding = None

    def on_blur(self) -> None:
        self.end_find()
