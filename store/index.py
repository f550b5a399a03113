"""The plan's blueprints laid out for fast filtering: positions, spans and sets of positions.

Every blueprint has a position in display order (newest cycle first, then
project, then id), so a cycle is one contiguous span. A selection is a set
of positions held as a Python int (store/bitset.py): each filter part is a
precomputed set (a project's blueprints, a category's, the holders of a
word's atoms, see store/words.py) and a filter keystroke is a handful of
big-int operations, whatever the number of blueprints. Counts are
``int.bit_count``; only the rows a pane shows become a list.

The index is built once per plan and never changes; the effective states,
which marks change, live beside it in the board.
"""

from __future__ import annotations

import bisect
import itertools
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping
from functools import reduce
from operator import or_
from sys import intern
from typing import Any, Protocol

from store import bitset
from store.model import Blueprint, Cycle, Session, Theme
from store.query import haystack
from store.words import WordIndex, build, scan

_GENERATIONS = itertools.count(1)  # see PlanIndex._new_generation
_SLICE = 2_000  # blueprints per step of a build done between keystrokes (see PlanIndex.preparing)
Selection = int | None  # a set of positions; None means every blueprint


class Plan(Protocol):
    """What an index is made from: store.plan.Plan, which builds its index (so this does not import it)."""

    @property
    def blueprints(self) -> Mapping[str, Blueprint]: ...
    @property
    def themes(self) -> Mapping[str, Theme]: ...
    @property
    def sessions(self) -> Mapping[str, Session]: ...
    def cycles_newest_first(self) -> list[Cycle]: ...


class PlanIndex:
    def __init__(self, plan: Plan) -> None:
        # No reference back to the plan: the plan holds its index, and a cycle
        # would keep every replaced plan alive until a full collection.
        self._new_generation()
        cycles = plan.cycles_newest_first()
        rank = {c.id: i for i, c in enumerate(cycles)}
        blueprints = sorted(
            plan.blueprints.values(), key=lambda b: (rank.get(b.cycle, -1), b.cycle, b.project, b.id)
        )
        self.blueprints: list[Blueprint] = blueprints
        self.keys: list[str] = [b.key for b in blueprints]
        self.position: dict[str, int] = {k: i for i, k in enumerate(self.keys)}
        # Interned: 35 cycle names held by 50,000 equal but separate strings made
        # every count by cycle compare texts; one object each, it compares identities.
        self.cycle_at: list[str] = [intern(b.cycle) for b in blueprints]
        self.project_at: list[str] = [intern(b.project.lower()) for b in blueprints]
        # Each cycle's blueprints sit together: start and end positions.
        self.spans: dict[str, tuple[int, int]] = {}
        for i, cycle in enumerate(self.cycle_at):
            start, _ = self.spans.get(cycle, (i, i))
            self.spans[cycle] = (start, i + 1)
        self.everything: int = bitset.span(0, len(blueprints))
        self._group(plan)
        self._clear_derived()

    def _clear_derived(self) -> None:
        """What is built on first use, kept out of the snapshot, and redone after a patch."""
        self._haystacks: list[str] | None = None
        self._categories: dict[str, int] | None = None  # lower-case category -> its blueprints
        self._projects: dict[str, int] | None = None
        self._owners: dict[str, int] | None = None  # lower-case owner -> their blueprints
        self._column_widths: dict[str, list[tuple[int, int]]] = {}  # widest first: (width, its blueprints)
        self._orders: dict[tuple[str, bool], list[int]] = {}  # see order_by
        self._span_bits: dict[str, int] = {}
        self._words: WordIndex | None = None
        self._selections: OrderedDict[tuple[Any, ...], Selection] = (
            OrderedDict()
        )  # the last few, for a repaint

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
                {theme.project.lower(), *map(self.project_at.__getitem__, positions)}
            )
        self.session_owners: dict[str, frozenset[str]] = {
            s.key: frozenset(
                {
                    *(p.lower() for p in s.projects),
                    *(self.project_at[self.position[k]] for k in s.blueprints if k in self.position),
                }
            )
            for s in plan.sessions.values()
        }

    def patched(self, plan: Plan, blueprints: list[Blueprint], *, regroup: bool = True) -> PlanIndex:
        """This index for ``plan``, which differs from ours only in records with the same keys.

        The order, cycles, projects and key widths stay: they follow the keys.
        The changed blueprints' text and category are redone, and with
        ``regroup`` (themes or sessions changed) the themes' and sessions'
        lists.  Ours is not changed.  The new index knows it was patched from
        ours, and at which positions (``patched_from``, ``patched_at``).
        """
        # Not copy.copy: that goes through __getstate__, which leaves out the sets made on
        # first use. Those that follow the keys (cycle spans, projects, key widths) stay
        # right, and making them again held up the first frame after every reload.
        new = object.__new__(PlanIndex)
        new.__dict__.update(self.__dict__)
        new.blueprints = list(self.blueprints)
        for blueprint in blueprints:
            new.blueprints[self.position[blueprint.key]] = blueprint
        new.generation, new.patched_from = next(_GENERATIONS), self.generation
        new.patched_at = sorted({self.position[b.key] for b in blueprints})
        new.removed_at = new.inserted_at = None
        if any(new.blueprints[at].category != self.blueprints[at].category for at in new.patched_at):
            new._categories = None
        if any(new.blueprints[at].owner != self.blueprints[at].owner for at in new.patched_at):
            new._owners = None
        new._selections = OrderedDict()  # they may hold the old text's matches
        # A title or category may have changed width: each changed blueprint moves between sets,
        # rather than every column being measured again on the first frame after a save.
        new._column_widths = self._widths_after(new.blueprints, new.patched_at)
        new._orders = {}
        new._haystacks = new._words = None
        if self._haystacks is not None:
            new._haystacks = list(self._haystacks)
            before = {}
            for blueprint in blueprints:
                at = self.position[blueprint.key]
                before[at], new._haystacks[at] = self._haystacks[at], haystack(blueprint)
            if self._words is not None:
                new._words = self._words.patched(new._haystacks, before)
        if regroup:
            new._group(plan)
        return new

    def _widths_after(
        self, blueprints: list[Blueprint], changed: list[int]
    ) -> dict[str, list[tuple[int, int]]]:
        """The sets by width of each measured column once the blueprints at ``changed`` are
        ``blueprints``'s (same positions)."""
        result = {}
        for column, sets in self._column_widths.items():
            width_of = _width_of(column)
            table = dict(sets)
            for at in changed:
                before, after = width_of(self.blueprints[at]), width_of(blueprints[at])
                if before != after:
                    table[before] &= ~(1 << at)
                    table[after] = table.get(after, 0) | 1 << at
            result[column] = sorted(((w, held) for w, held in table.items() if held), reverse=True)
        return result

    def reshaped(
        self, plan: Plan, gone: Collection[str], added: list[Blueprint], changed: list[Blueprint]
    ) -> PlanIndex:
        """This index for ``plan``, which lost the blueprints ``gone``, gained ``added`` and
        changed ``changed``, its cycles staying in the same order.

        The blueprints keep their order: the new ones are put in their places, and
        what follows the positions is made again (the spans, the themes' lists), or on
        first use (the sets by project and category, the key widths, the word index).
        The text of the others is kept.  Ours is not changed.  ``patched_from`` names
        ours; ``removed_at`` (our positions) and then ``inserted_at`` (the new ones)
        say how to make a list by position follow, ``patched_at`` which kept places changed.
        """
        new = object.__new__(PlanIndex)
        new.__dict__.update(self.__dict__)
        rank = {c.id: i for i, c in enumerate(plan.cycles_newest_first())}

        def order(blueprint: Blueprint) -> tuple[Any, ...]:
            return (rank.get(blueprint.cycle, -1), blueprint.cycle, blueprint.project, blueprint.id)

        blueprints = list(self.blueprints)
        for blueprint in changed:
            blueprints[self.position[blueprint.key]] = blueprint
        haystacks = None if self._haystacks is None else list(self._haystacks)
        columns: list[list[Any]] = [blueprints, list(self.keys), list(self.cycle_at), list(self.project_at)]
        if haystacks is not None:
            columns.append(haystacks)
        sizes = {cycle: end - start for cycle, (start, end) in self.spans.items()}
        removed_at = sorted(self.position[key] for key in gone)
        for at in reversed(removed_at):
            sizes[self.cycle_at[at]] -= 1
            for column in columns:
                del column[at]
        inserted_at = []
        for blueprint in sorted(added, key=order):
            at = bisect.bisect_left(blueprints, order(blueprint), key=order)
            values = (
                blueprint,
                blueprint.key,
                intern(blueprint.cycle),
                intern(blueprint.project.lower()),
                haystack(blueprint) if haystacks is not None else None,
            )
            for column, value in zip(columns, values, strict=False):
                column.insert(at, value)
            sizes[blueprint.cycle] = sizes.get(blueprint.cycle, 0) + 1
            inserted_at.append(at)
        new.blueprints, new.keys, new.cycle_at, new.project_at = columns[:4]
        new.position = dict(zip(new.keys, range(len(new.keys)), strict=False))
        if haystacks is not None:
            for blueprint in changed:
                haystacks[new.position[blueprint.key]] = haystack(blueprint)
        new.spans, start = {}, 0
        for cycle in sorted(sizes, key=lambda c: (rank.get(c, -1), c)):  # as the blueprints are ordered
            if sizes[cycle]:
                new.spans[cycle] = (start, start + sizes[cycle])
                start += sizes[cycle]
        new.everything = bitset.span(0, len(blueprints))
        new._group(plan)
        new._clear_derived()
        new._haystacks = haystacks
        new._follow_moves(self, removed_at, inserted_at, changed)
        new.generation, new.patched_from = next(_GENERATIONS), self.generation
        new.removed_at, new.inserted_at = removed_at, inserted_at
        new.patched_at = sorted(new.position[b.key] for b in changed)
        return new

    def _follow_moves(
        self, source: PlanIndex, removed_at: list[int], inserted_at: list[int], changed: list[Blueprint]
    ) -> None:
        """Take over the source's sets by project and by category, their positions moved
        as the blueprints were: made again, they would hold up the first frame after the
        patch (each is a pass over 50,000 blueprints).  The key widths are made again:
        carried over the same way, they raised a session's peak memory far past its
        bound, for a reason not found yet (see docs/performance.md)."""

        def moved(held: int) -> int:
            for at in reversed(removed_at):
                held = bitset.without(held, at)
            for at in inserted_at:
                held = bitset.with_gap(held, at)
            return held

        def follow(sets: dict[str, int], value_at: Callable[[int], str]) -> dict[str, int]:
            result = {value: moved(held) for value, held in sets.items()}
            for at in inserted_at:
                value = value_at(at)
                result[value] = result.get(value, 0) | 1 << at
            return {value: held for value, held in result.items() if held}

        if source._projects is not None:
            self._projects = follow(source._projects, self.project_at.__getitem__)
        if source._categories is not None and all(
            source.blueprints[source.position[b.key]].category == b.category for b in changed
        ):
            self._categories = follow(source._categories, lambda at: self.blueprints[at].category.lower())

    def __getstate__(self) -> dict[str, Any]:
        # Pickled with the plan's snapshot: leave out what is cheap to rebuild or only a cache.
        state = dict(self.__dict__)
        for name in (
            "_haystacks",
            "_categories",
            "_projects",
            "_owners",
            "_column_widths",
            "_orders",
            "_span_bits",
            "_words",
            "_selections",
        ):
            del state[name]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._clear_derived()
        self._new_generation()

    def _new_generation(self) -> None:
        """A number no other index of this process has; a patched index names its source's
        (a number, not the index: a chain of replaced indexes would stay in memory)."""
        self.generation: int = next(_GENERATIONS)
        self.patched_from: int | None = None
        self.patched_at: list[int] = []
        # After blueprints came or went (see reshaped): None when they did not.
        self.removed_at: list[int] | None = None
        self.inserted_at: list[int] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def preparing(self) -> Iterator[None]:
        """Build what a filter keystroke needs, a slice (about 2 ms) per step, so that
        a dashboard can do it between keystrokes; until it is done, words are looked
        for by reading the text."""
        if self._haystacks is None:
            made: list[str] = []
            for start in range(0, len(self.blueprints), _SLICE):
                made.extend(map(haystack, self.blueprints[start : start + _SLICE]))
                yield
            if self._haystacks is None:  # not made meanwhile by a keystroke that needed it
                self._haystacks = made
        if self._categories is None:
            categories = [b.category.lower() for b in self.blueprints]
            yield
            for sets in bitset.by_value_in_steps(categories, _SLICE):
                if sets is None:
                    yield
                elif self._categories is None:
                    self._categories = sets
        if self._projects is None:
            for sets in bitset.by_value_in_steps(self.project_at, _SLICE):
                if sets is None:
                    yield
                elif self._projects is None:
                    self._projects = sets
        for column in COLUMNS:
            if column not in self._column_widths:
                yield from self._measuring(column)
        for cycle in self.spans:
            self.span_bits(cycle)
        yield
        if self._words is None:
            for step in build(self.haystacks):
                if step is None:
                    yield
                else:
                    self._words = step

    def prepare_search(self) -> None:
        """All of :meth:`preparing` at once."""
        for _ in self.preparing():
            pass

    # -- lazily built columns and sets -----------------------------------------------
    @property
    def haystacks(self) -> list[str]:
        """Each blueprint's store.query.haystack, by position."""
        if self._haystacks is None:
            self._haystacks = list(map(haystack, self.blueprints))
        return self._haystacks

    def _category_sets(self) -> dict[str, int]:
        if self._categories is None:
            self._categories = bitset.by_value([b.category.lower() for b in self.blueprints])
        return self._categories

    def _project_sets(self) -> dict[str, int]:
        if self._projects is None:
            self._projects = bitset.by_value(self.project_at)
        return self._projects

    def owned_by(self, owners: tuple[str, ...]) -> int:
        """The blueprints whose owner has any of ``owners`` in it."""
        if self._owners is None:
            self._owners = bitset.by_value([b.owner.lower() for b in self.blueprints])
        return reduce(or_, (held for name, held in self._owners.items() if any(o in name for o in owners)), 0)

    def left_out(
        self,
        projects: frozenset[str],
        categories: tuple[str, ...],
        words: tuple[str, ...],
        owners: tuple[str, ...],
        members: set[str] | None,
    ) -> int:
        """The blueprints that any one of these parts matches (a filter's "-" parts)."""
        found = 0
        if projects:
            held = self._project_sets()
            found |= reduce(or_, map(held.get, projects, [0] * len(projects)))
        if categories:
            found |= reduce(
                or_,
                (held for name, held in self._category_sets().items() if any(c in name for c in categories)),
                0,
            )
        if owners:
            found |= self.owned_by(owners)
        if members:
            found |= bitset.from_positions(
                [self.position[k] for k in members if k in self.position], len(self)
            )
        for word in words:
            found |= (
                self._words.rows_with(word, self.everything)
                if self._words
                else scan(self.haystacks, word, self.everything)
            )
        return found

    def span_bits(self, cycle: str) -> int:
        """A cycle's blueprints."""
        if cycle not in self._span_bits:
            self._span_bits[cycle] = bitset.span(*self.spans.get(cycle, (0, 0)))
        return self._span_bits[cycle]

    def widest(self, column: str, shown: int) -> int:
        """The widest cell among ``shown`` in ``column``: cycle, id, key_in_cycle, title (as the
        Blueprints pane writes it), category or reviews (0 when all are empty)."""
        if column not in self._column_widths:
            for _ in self._measuring(column):
                pass
        return next((width for width, holders in self._column_widths[column] if holders & shown), 0)

    def _measuring(self, column: str) -> Iterator[None]:
        """Make ``column``'s sets of blueprints by width, a slice of blueprints per step."""
        width_of = _width_of(column)
        blueprints = self.blueprints
        widths: list[int] = []
        for start in range(0, len(blueprints), _SLICE):
            widths.extend(map(width_of, blueprints[start : start + _SLICE]))
            yield
        by_width: dict[int, int] = {}
        for sets in bitset.by_value_in_steps(widths, _SLICE):
            if sets is None:
                yield
            else:
                by_width = sets
        if blueprints is self.blueprints:  # a patch made while this was being built has its own
            self._column_widths[column] = sorted(by_width.items(), reverse=True)

    def order_by(self, column: str, descending: bool = False) -> list[int]:
        """Every position, sorted by ``column`` (key, title or category; see SORTABLE),
        ties in display order.  Made on first use: a sort then costs a filter keystroke
        a pass that keeps the shown positions, not a sort of them."""
        found = self._orders.get((column, descending))
        if found is None:
            value_of = SORTABLE[column]
            values = list(map(value_of, self.blueprints))
            # sorted() is stable in reverse too: equal values stay in display order.
            found = sorted(range(len(values)), key=values.__getitem__, reverse=descending)
            # An empty cell says nothing: it comes last, whichever way the sort goes.
            found = [p for p in found if values[p]] + [p for p in found if not values[p]]
            self._orders[column, descending] = found
        return found

    def projects_among(self, shown: int) -> int:
        """How many projects ``shown`` holds, counted up to two (one or more than one is what matters)."""
        found = 0
        for held in self._project_sets().values():
            if held & shown:
                found += 1
                if found > 1:
                    break
        return found

    # -- selections ----------------------------------------------------------------
    def span(self, cycle: str) -> range:
        start, end = self.spans.get(cycle, (0, 0))
        return range(start, end)

    def select(
        self,
        projects: frozenset[str],
        categories: tuple[str, ...],
        words: tuple[str, ...],
        members: set[str] | None,
        owners: tuple[str, ...] = (),
    ) -> Selection:
        """The blueprints passing the project, category, owner, theme-member and free-word parts
        of a filter."""
        if not (projects or categories or words or owners or members is not None):
            return None
        key = (projects, categories, words, owners, None if members is None else frozenset(members))
        if key in self._selections:
            self._selections.move_to_end(key)
            return self._selections[key]
        result = self.everything
        if projects:
            held = self._project_sets()
            result &= reduce(or_, map(held.get, projects, [0] * len(projects)))
        if categories:
            matching = [
                held for name, held in self._category_sets().items() if any(c in name for c in categories)
            ]
            result &= reduce(or_, matching, 0)
        if owners:
            result &= self.owned_by(owners)
        if members is not None:
            result &= bitset.from_positions(
                [self.position[k] for k in members if k in self.position], len(self)
            )
        for word in words:
            if not result:
                break
            result = (
                self._words.rows_with(word, result) if self._words else scan(self.haystacks, word, result)
            )
        self._selections[key] = result
        if len(self._selections) > 8:
            self._selections.popitem(last=False)
        return result


COLUMNS = ("cycle", "id", "key_in_cycle", "title", "category", "reviews")


def _width_of(column: str) -> Callable[[Blueprint], int]:
    """How wide ``column`` (see PlanIndex.widest) is for a blueprint."""
    if column == "cycle":
        return lambda b: len(b.cycle)
    if column in ("id", "category"):
        return lambda b: len(getattr(b, column))
    if column == "key_in_cycle":
        return lambda b: len(b.project) + 1 + len(b.id)
    return lambda b: len(cell_text(column, b))


# What a sort by each text column compares: letters without regard to case.
SORTABLE: dict[str, Callable[[Blueprint], str]] = {
    "key": lambda b: b.key.casefold(),
    "title": lambda b: b.title.casefold(),
    "category": lambda b: b.category.casefold(),
}


def cell_text(column: str, blueprint: Blueprint) -> str:
    """What the Blueprints pane writes in ``column`` for ``blueprint``."""
    if column == "title":
        slipped = f"↷{blueprint.slipped} " if blueprint.slipped else ""
        return slipped + blueprint.title + (" ⚡" if blueprint.fast_tracked else "")
    if column == "reviews":
        reviews = blueprint.reviews
        return f"{reviews[0]}" + (f" +{len(reviews) - 1}" if len(reviews) > 1 else "") if reviews else ""
    if column == "key_in_cycle":
        return blueprint.key_in_cycle
    return str(getattr(blueprint, column))
