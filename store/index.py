"""The plan's blueprints laid out for fast filtering: positions, spans and per-field lists.

Every blueprint has a position in display order (newest cycle first, then
project, then id), so a cycle is one contiguous span and any selection is a
sorted list of positions.  A filter keystroke or a mark then costs a few
passes of C-level work (``map``, ``Counter``, ``bisect``) over lists of
positions, not a Python call per blueprint: at 50,000 blueprints that is the
difference between a frame and a third of a second.

The index is built once per plan and never changes; the effective states,
which marks change, live beside it in the board.
"""

from __future__ import annotations

import copy
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import contains
from sys import intern

from store.model import Blueprint, Session, Theme
from store.plan import Plan

Selection = list[int] | None  # sorted positions; None means every blueprint


class PlanIndex:
    def __init__(self, plan: Plan) -> None:
        # No reference back to the plan: the plan holds its index, and a cycle
        # would keep every replaced plan alive until a full collection.
        cycles = plan.cycles_newest_first()
        rank = {c.id: i for i, c in enumerate(cycles)}
        blueprints = sorted(
            plan.blueprints.values(), key=lambda b: (rank.get(b.cycle, -1), b.cycle, b.project, b.id)
        )
        self.blueprints: list[Blueprint] = blueprints
        self.keys: list[str] = [b.key for b in blueprints]
        self.position: dict[str, int] = {k: i for i, k in enumerate(self.keys)}
        # Interned: 35 cycle names held by 50,000 equal but separate strings made
        # every count by cycle compare texts; one object each, it compares identities
        # (a count over all blueprints: 12 ms -> 3 ms).
        self.cycle_at: list[str] = [intern(b.cycle) for b in blueprints]
        self.project_at: list[str] = [intern(b.project.lower()) for b in blueprints]
        # Each cycle's blueprints sit together: start and end positions.
        self.spans: dict[str, tuple[int, int]] = {}
        for i, cycle in enumerate(self.cycle_at):
            start, _ = self.spans.get(cycle, (i, i))
            self.spans[cycle] = (start, i + 1)
        self._group(plan)
        self._haystacks: list[str] | None = None
        self._categories: list[str] | None = None
        self._short_widths: list[int] | None = None
        self._full_widths: list[int] | None = None
        self._widest: dict[bool, int] = {}  # key_width of every blueprint, short and full
        # The last few selections, so typing a word narrows the previous result.
        self._selections: OrderedDict[tuple, Selection] = OrderedDict()

    def _group(self, plan: Plan) -> None:
        """Themes by cycle, sessions by date, and which projects take part in each."""
        self.themes_of_cycle: dict[str, list[Theme]] = {}
        for theme in plan.themes.values():
            self.themes_of_cycle.setdefault(theme.cycle, []).append(theme)
        self.sessions_sorted: list[Session] = sorted(
            plan.sessions.values(), key=lambda s: (s.date is None, s.date, s.title)
        )
        # A project takes part in a theme or session when it owns it, is named
        # by it, or owns one of its blueprints.
        self.theme_positions: dict[str, list[int]] = {}
        self.theme_owners: dict[str, frozenset[str]] = {}
        for theme in plan.themes.values():
            positions = [self.position[k] for k in theme.blueprints if k in self.position]
            self.theme_positions[theme.key] = positions
            self.theme_owners[theme.key] = frozenset(
                {theme.project.lower(), *map(self.project_at.__getitem__, positions)})
        self.session_owners: dict[str, frozenset[str]] = {
            s.key: frozenset({*(p.lower() for p in s.projects),
                              *(self.project_at[self.position[k]] for k in s.blueprints if k in self.position)})
            for s in plan.sessions.values()
        }

    def patched(self, plan: Plan, blueprints: list[Blueprint]) -> PlanIndex:
        """This index for ``plan``, which differs from ours only in records with the same keys.

        The order, cycles, projects and key widths stay: they follow the keys.
        The changed blueprints' text columns, and the themes' and sessions'
        lists, are redone.  Ours is not changed.
        """
        new = copy.copy(self)
        new.blueprints = list(self.blueprints)
        columns = {name: list(getattr(self, name)) for name in ("_haystacks", "_categories")
                   if getattr(self, name) is not None}
        for blueprint in blueprints:
            at = self.position[blueprint.key]
            new.blueprints[at] = blueprint
            if "_haystacks" in columns:
                columns["_haystacks"][at] = _haystack(blueprint)
            if "_categories" in columns:
                columns["_categories"][at] = blueprint.category.lower()
        new.__dict__.update(columns)
        new._selections = OrderedDict()  # they may hold the old text's matches
        new._group(plan)
        return new

    def __getstate__(self) -> dict:
        # Pickled with the plan's snapshot: leave out what is cheap to rebuild or only a cache.
        state = dict(self.__dict__)
        state.update(_haystacks=None, _categories=None, _short_widths=None, _full_widths=None, _widest={},
                     _selections=OrderedDict())
        return state

    def __len__(self) -> int:
        return len(self.keys)

    def prepare_search(self) -> None:
        """Build what a filter keystroke needs now, so the first keystroke does not pay for it."""
        self.haystacks, self.categories  # noqa: B018 - built on first access

    # -- lazily built columns: only a search or an all-cycles view needs them ---------
    @property
    def haystacks(self) -> list[str]:
        """What free words are looked for in: key, title, category and owner, lower case."""
        if self._haystacks is None:
            self._haystacks = list(map(_haystack, self.blueprints))
        return self._haystacks

    @property
    def categories(self) -> list[str]:
        if self._categories is None:
            self._categories = [b.category.lower() for b in self.blueprints]
        return self._categories

    def key_width(self, positions: Sequence[int], full: bool) -> int:
        """The widest key among ``positions``: ``cycle/project/id`` when ``full``, else ``project/id``."""
        if full:
            if self._full_widths is None:
                self._full_widths = [len(k) for k in self.keys]
            widths = self._full_widths
        else:
            if self._short_widths is None:
                self._short_widths = [len(b.project) + 1 + len(b.id) for b in self.blueprints]
            widths = self._short_widths
        if len(positions) == len(widths):  # every blueprint: the same answer until the plan changes
            if full not in self._widest:
                self._widest[full] = max(widths, default=10)
            return self._widest[full]
        return max(map(widths.__getitem__, positions), default=10)

    # -- selections ----------------------------------------------------------------
    def span(self, cycle: str) -> range:
        start, end = self.spans.get(cycle, (0, 0))
        return range(start, end)

    def within(self, positions: Selection, cycle: str) -> list[int] | range:
        """The part of ``positions`` in ``cycle``: a slice, since a cycle is one span."""
        span = self.span(cycle)
        if positions is None:
            return span
        return positions[bisect_left(positions, span.start):bisect_left(positions, span.stop)]

    def select(self, projects: frozenset[str], categories: tuple[str, ...], words: tuple[str, ...],
               members: set[str] | None, span: range | None = None) -> Selection:
        """Positions passing the project, category, theme-member and free-word parts of a filter.

        With ``span`` (a cycle's), only positions inside it are looked at.
        """
        key = (projects, categories, words, None if members is None else frozenset(members),
               None if span is None else (span.start, span.stop))
        if key in self._selections:
            self._selections.move_to_end(key)
            return self._selections[key]
        result = self._narrowest_known(key, span)
        if projects:
            positions, values = self._column(result, span, self.project_at)
            result = list(compress(positions, map(projects.__contains__, values)))
        if categories:
            positions, values = self._column(result, span, self.categories)
            result = list(compress(positions, (any(c in value for c in categories) for value in values)))
        if members is not None:
            position = self.position
            wanted = sorted(position[k] for k in members if k in position and (span is None or position[k] in span))
            result = wanted if result is None else sorted(set(result).intersection(wanted))
        for word in words:
            positions, values = self._column(result, span, self.haystacks)
            result = list(compress(positions, map(contains, values, repeat(word))))
        self._selections[key] = result
        if len(self._selections) > 8:
            self._selections.popitem(last=False)
        return result

    def _narrowest_known(self, key: tuple, span: range | None) -> Selection:
        """A cached selection that contains every answer to ``key``: typing narrows, so start there.

        Same projects, categories and members, every cached word inside one of
        the new words (``sched`` → ``schedu``), so whatever matches now matched
        then, and looked for in all blueprints or in the same span.
        """
        projects, categories, words, members, where = key
        best: Selection = None
        for (p, c, w, m, there), positions in self._selections.items():
            if (p, c, m) != (projects, categories, members) or positions is None or there not in (None, where):
                continue
            if all(any(old in new for new in words) for old in w):
                if there is None and span is not None:
                    positions = positions[bisect_left(positions, span.start):bisect_left(positions, span.stop)]
                if best is None or len(positions) < len(best):
                    best = positions
        return best

    @staticmethod
    def _column(positions: Selection, span: range | None, column: list) -> tuple[Sequence[int], Iterable]:
        """The positions to look at, and their values in ``column``, for C-level
        passes (``map`` and ``compress``, no Python call per blueprint): the first
        letter typed in "all cycles" looks at 50,000."""
        if positions is None:
            if span is None:
                return range(len(column)), column
            return span, column[span.start:span.stop]
        return positions, map(column.__getitem__, positions)


def _haystack(b: Blueprint) -> str:
    return f"{b.cycle}/{b.project}/{b.id} {b.title} {b.category} {b.owner}".lower()
