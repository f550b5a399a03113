"""The plan's records: typed, one vocabulary for TOML, TinyDB and JSON alike.

TOML, the TinyDB documents and the JSON export are conversions at the edges
(see ``to_dict`` / ``from_dict``); everything in between works on these.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar, overload


class State(str, Enum):  # noqa: UP042 - StrEnum would change str() of a member
    """A blueprint's lifecycle, in order."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    STARTED = "started"
    BLOCKED = "blocked"
    IMPLEMENTED = "implemented"
    DEFERRED = "deferred"
    ABANDONED = "abandoned"

    @classmethod
    def parse(cls, text: str) -> State:
        """Read a state as a user types it; ``done`` means implemented."""
        word = text.strip().lower()
        if word == "done":
            return cls.IMPLEMENTED
        return cls(word)

    @classmethod
    def names(cls) -> list[str]:
        return [s.value for s in cls]


class MilestoneKind(str, Enum):  # noqa: UP042 - StrEnum would change str() of a member
    MILESTONE = "milestone"
    SPEC_FREEZE = "spec-freeze"
    FEATURE_FREEZE = "feature-freeze"
    RC = "rc"
    RELEASE = "release"
    PTG = "ptg"
    SUMMIT = "summit"
    OTHER = "other"


class ThemeKind(str, Enum):  # noqa: UP042 - StrEnum would change str() of a member
    THEME = "theme"
    PRIORITY = "priority"
    GOAL = "goal"


class CycleStatus(str, Enum):  # noqa: UP042 - StrEnum would change str() of a member
    """The series status words OpenStack's release team uses."""

    FUTURE = "future"
    DEVELOPMENT = "development"
    MAINTAINED = "maintained"
    EXTENDED_MAINTENANCE = "extended-maintenance"
    UNMAINTAINED = "unmaintained"
    EOL = "eol"


_R = TypeVar("_R")
_T = TypeVar("_T")


class _cached(Generic[_R, _T]):
    """``functools.cached_property`` without its lock.

    Python 3.11's takes a lock the first time each record's value is asked
    for, a cost a large plan feels (docs/performance.md).  Two threads racing
    would both compute the same text, so there is nothing to guard.
    """

    def __init__(self, compute: Callable[[_R], _T]) -> None:
        self.compute = compute
        self.name = compute.__name__

    @overload
    def __get__(self, record: None, owner: object = None) -> _cached[_R, _T]: ...
    @overload
    def __get__(self, record: _R, owner: object = None) -> _T: ...
    def __get__(self, record: _R | None, owner: object = None) -> _cached[_R, _T] | _T:
        if record is None:
            return self
        value = record.__dict__[self.name] = self.compute(
            record
        )  # frozen: past __setattr__, as the original does
        return value


@dataclass(frozen=True)
class Milestone:
    name: str
    date: dt.date
    kind: MilestoneKind
    project: str | None = None  # set for a project-specific event


@dataclass(frozen=True)
class CycleNote:
    """A fact about a cycle as a whole (a count of its blueprints), not about one theme."""

    text: str
    date: dt.date | None = None  # as of when, where the source says


@dataclass(frozen=True)
class Cycle:
    id: str
    name: str
    start: dt.date | None
    release: dt.date | None
    status: CycleStatus | None
    milestones: tuple[Milestone, ...] = ()
    runway_slots: int = 3  # review runways open at once (Nova's runways process)
    notes: tuple[CycleNote, ...] = ()

    @_cached  # asked for thousands of times per refresh
    def key(self) -> str:
        return self.id


@dataclass(frozen=True)
class Project:
    id: str
    name: str

    @_cached  # asked for thousands of times per refresh
    def key(self) -> str:
        return self.id


@dataclass(frozen=True)
class Theme:
    cycle: str
    id: str
    project: str
    title: str
    kind: ThemeKind
    description: str = ""
    blueprints: tuple[str, ...] = ()  # blueprint keys, resolved at load

    @_cached  # asked for thousands of times per refresh
    def key(self) -> str:
        return f"{self.cycle}/{self.id}"


@dataclass(frozen=True)
class Action:
    owner: str
    text: str
    done: bool = False


@dataclass(frozen=True)
class Session:
    cycle: str
    id: str
    title: str
    event: str = ""
    date: dt.date | None = None
    projects: tuple[str, ...] = ()
    agreements: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    blueprints: tuple[str, ...] = ()  # blueprint keys, resolved at load

    @_cached  # asked for thousands of times per refresh
    def key(self) -> str:
        return f"{self.cycle}/{self.id}"

    @property
    def cross_project(self) -> bool:
        return len(self.projects) >= 2

    @property
    def open_actions(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if not a.done)


@dataclass(frozen=True)
class HistoryEntry:
    date: dt.date
    state: State
    by: str = ""  # who set it, where a change made with cycleboard wrote it


@dataclass(frozen=True)
class Blueprint:
    cycle: str
    project: str
    id: str
    title: str
    state: State
    category: str = ""
    reviews: tuple[int, ...] = ()
    # Beside ``reviews``, place for place: what became of each change ("abandoned"), or "".
    review_states: tuple[str, ...] = ()
    fast_tracked: bool = False
    owner: str = ""
    url: str = ""
    history: tuple[HistoryEntry, ...] = ()
    id_derived: bool = False  # the seed gave no id; it was made from the title
    slipped: int = 0  # cycles it was carried over from (re-proposed into the next one)

    @_cached  # asked for thousands of times per refresh
    def key(self) -> str:
        return f"{self.cycle}/{self.project}/{self.id}"

    @property
    def key_in_cycle(self) -> str:
        """``project/id``: the key where the cycle goes without saying."""
        return f"{self.project}/{self.id}"

    def review_state(self, number: int) -> str:
        """What the seed says became of review ``number`` ("" when it says nothing)."""
        for at, review in enumerate(self.reviews):
            if review == number and at < len(self.review_states):
                return self.review_states[at]
        return ""


@dataclass(frozen=True)
class Runway:
    """A place in a cycle's review queue: the first ``runway_slots`` places are
    runways, each open for two weeks from ``start``; the others wait."""

    cycle: str
    ref: str  # the blueprint as the seed names it; the key stays the same when it resolves
    start: dt.date | None = None
    blueprint: str = ""  # the blueprint's key, resolved at load

    @_cached  # asked for thousands of times per refresh
    def key(self) -> str:
        return f"{self.cycle}/{self.ref}"


@dataclass(frozen=True)
class AddedMilestone:
    """A ``[[milestone]]`` table: a milestone of a cycle defined in another file.

    An import writes these for a cycle that a hand-written file defines, so
    that the real schedule joins the plan without either file editing the
    other. The plan folds them into their cycle's ``milestones``.
    """

    cycle: str
    name: str
    date: dt.date
    kind: MilestoneKind
    project: str | None = None

    @_cached  # asked for thousands of times per refresh
    def key(self) -> str:
        return f"{self.cycle}/{self.date.isoformat()}/{self.name}"

    def milestone(self) -> Milestone:
        return Milestone(self.name, self.date, self.kind, self.project)


@dataclass(frozen=True)
class Override:
    """An ``[[override]]``: a blueprint's state set in a hand-written file, over the file that
    defines the blueprint (an import's, which is never edited).  Its ``state`` replaces the
    blueprint's; its history joins the blueprint's."""

    blueprint: str  # the blueprint's full key
    state: State | None = None
    history: tuple[HistoryEntry, ...] = ()

    @_cached  # asked for thousands of times per refresh
    def key(self) -> str:
        return self.blueprint


@dataclass(frozen=True)
class AddedHistory:
    """A ``[[history]]`` table: a dated state of a blueprint that another file defines.

    How an import says what it knows of a blueprint written by hand (nova-specs
    moved its spec to implemented/ by the release) without either file editing
    the other.  It joins the blueprint's history; the newest dated state is the
    blueprint's state (store/newest_fact.py).
    """

    cycle: str
    ref: str  # the blueprint as the seed names it
    date: dt.date
    state: State
    by: str = ""
    blueprint: str = ""  # the blueprint's key, resolved at load

    @_cached  # asked for thousands of times per refresh
    def key(self) -> str:
        return f"{self.cycle}/{self.ref}@{self.date.isoformat()}:{self.state.value}"

    def entry(self) -> HistoryEntry:
        return HistoryEntry(self.date, self.state, self.by)


Record = Cycle | Project | Theme | Session | Blueprint | Runway | AddedMilestone | Override | AddedHistory

# The record kinds in the order a plan lists them, with their seed table names.
RECORD_TYPES: dict[str, type] = {
    "cycle": Cycle,
    "project": Project,
    "theme": Theme,
    "session": Session,
    "blueprint": Blueprint,
    "runway": Runway,
    "milestone": AddedMilestone,
    "override": Override,
    "history": AddedHistory,
}
KIND_OF = {cls: kind for kind, cls in RECORD_TYPES.items()}

_NESTED: dict[tuple[str, str], type[Any]] = {
    ("cycle", "milestones"): Milestone,
    ("cycle", "notes"): CycleNote,
    ("session", "actions"): Action,
    ("blueprint", "history"): HistoryEntry,
    ("override", "history"): HistoryEntry,
}
_ENUMS: dict[tuple[str, str], type[Enum]] = {
    ("cycle", "status"): CycleStatus,
    ("theme", "kind"): ThemeKind,
    ("blueprint", "state"): State,
    ("override", "state"): State,
    ("milestone", "kind"): MilestoneKind,
    ("history", "state"): State,
}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _plain(value: Any) -> Any:
    if value is None or type(value) in (str, int, bool, float):  # most values: nothing to do
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _flattener(type(value))[0](value)
    return value


def _plain_scalars(value: tuple[Any, ...]) -> list[Any]:
    return list(value)


Flatten = Callable[[Any], dict[str, Any]]
Convert = Callable[[Any], Any]
Revive = Callable[[dict[str, Any]], Any]
_FLATTENERS: dict[type[Any], tuple[Flatten, Flatten]] = {}  # each class's, made once
_REVIVERS: dict[tuple[str, type[Any]], Revive] = {}


def _flattener(cls: type[Any]) -> tuple[Flatten, Flatten]:
    found = _FLATTENERS.get(cls)
    if found is None:
        found = _FLATTENERS[cls] = _make_flattener(cls)
    return found


def _make_flattener(cls: type[Any]) -> tuple[Flatten, Flatten]:
    """How to turn a record of ``cls`` into plain data, worked out once per class.

    Text, number and flag fields are copied as they are; only the others go
    through a converter.  A list or export of 50,000 blueprints spends most of
    its time here.
    """
    plan: list[tuple[str, Convert | None]] = []
    for f in dataclasses.fields(cls):
        kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
        if kind in ("str", "bool", "int", "float"):
            plan.append((f.name, None))
        elif kind in ("tuple[str, ...]", "tuple[int, ...]"):
            plan.append((f.name, _plain_scalars))
        else:
            plan.append((f.name, _plain))

    return _compiled(plan, keyed=False), _compiled(plan, keyed=True)


def _compiled(plan: list[tuple[str, Convert | None]], keyed: bool) -> Flatten:
    """One dict display for the whole record, as dataclasses builds its own
    methods: a loop over the fields was half of `list`'s conversion of a large
    plan (docs/performance.md). Field names come from the dataclass."""
    converters = {f"_convert{at}": convert for at, (_, convert) in enumerate(plan) if convert is not None}
    items = [
        f'"{name}": ' + (f"_convert{at}(record.{name})" if convert is not None else f"record.{name}")
        for at, (name, convert) in enumerate(plan)
    ]
    if keyed:
        items.insert(0, '"key": record.key')
    namespace: dict[str, Any] = dict(converters)
    exec(f"def flatten(record):\n    return {{{', '.join(items)}}}\n", namespace)  # noqa: S102 - our own text
    flatten: Flatten = namespace["flatten"]
    return flatten


def to_dict(record: Record) -> dict[str, Any]:
    """A JSON-ready dict with the record's ``key`` first."""
    return _flattener(record.__class__)[1](record)


_SUB_KINDS = {Milestone: "milestone", Action: "action", HistoryEntry: "history", CycleNote: "note"}


def _revive_each(revive: Convert, raw: list[Any]) -> tuple[Any, ...]:
    return tuple(revive(item) for item in raw)


def _revive_enum(enum: type[Enum], raw: Any) -> Enum | None:
    return enum(raw) if raw is not None else None


def _reviver(kind: str, cls: type[Any]) -> Revive:
    found = _REVIVERS.get((kind, cls))
    if found is None:
        found = _REVIVERS[kind, cls] = _make_reviver(kind, cls)
    return found


def _make_reviver(kind: str, cls: type[Any]) -> Revive:
    """How to turn each stored field of ``cls`` back into its value, worked out once per class."""
    plan: list[tuple[str, Convert]] = []
    for f in dataclasses.fields(cls):
        nested = _NESTED.get((kind, f.name))
        enum = _ENUMS.get((kind, f.name))
        if nested is not None:
            sub = _reviver(_SUB_KINDS[nested], nested)
            plan.append((f.name, functools.partial(_revive_each, sub)))
        elif enum is not None:
            plan.append((f.name, functools.partial(_revive_enum, enum)))
        elif f.name in ("start", "release", "date"):
            plan.append((f.name, lambda raw: dt.date.fromisoformat(raw) if raw is not None else None))
        else:
            plan.append((f.name, lambda raw: tuple(raw) if isinstance(raw, list) else raw))

    def revive(data: dict[str, Any]) -> Any:
        return cls(**{name: convert(data[name]) for name, convert in plan if name in data})

    return revive


def from_dict(kind: str, data: dict[str, Any]) -> Record:
    """The inverse of :func:`to_dict` (``key`` is derived, so it is ignored)."""
    record: Record = _reviver(kind, RECORD_TYPES[kind])(data)
    return record
