"""Validating the parsed TOML of one seed file: the schema, and a reader that makes records of it.

Validation is strict: an unknown key, a wrong type, an unknown state or kind,
a duplicate id or a bad date is an error naming ``FILE:LINE:COL``, the key and
what was expected.  What each record refers to is recorded with its position,
for the step that puts files together (:mod:`store.plan`).
"""

from __future__ import annotations

import datetime as dt
import difflib
from enum import Enum
from typing import Any, cast

from store.model import (
    Action,
    AddedHistory,
    AddedMilestone,
    Blueprint,
    Cycle,
    CycleNote,
    CycleStatus,
    HistoryEntry,
    Milestone,
    MilestoneKind,
    Override,
    Project,
    Runway,
    Session,
    State,
    Theme,
    ThemeKind,
)
from store.seeds.parsed import ParsedFile, Reference, SeedError
from store.seeds.text import clean_text, is_id, slugify
from store.tomlpos import KeyPath, locate, nearest

# ----------------------------------------------------------------------------
# The schema: which keys each table takes, and of what type.

Table = dict[str, Any]  # a TOML table, as parsed

_STR, _DATE, _BOOL, _INT, _STRS, _INTS, _TABLES = "text", "date", "bool", "int", "texts", "ints", "tables"
_REVIEWS = "reviews"  # change numbers, each bare or as {number = 132614, state = "abandoned"}

_SCHEMA: dict[str, dict[str, object]] = {
    "defaults": {"cycle": _STR, "project": _STR},
    "cycle": {
        "id": _STR,
        "name": _STR,
        "start": _DATE,
        "release": _DATE,
        "status": CycleStatus,
        "milestone": _TABLES,
        "runway_slots": _INT,
        "note": _TABLES,
    },
    "note": {"date": _DATE, "text": _STR},
    "milestone": {"name": _STR, "date": _DATE, "kind": MilestoneKind, "project": _STR},
    "project": {"id": _STR, "name": _STR},
    "theme": {
        "id": _STR,
        "cycle": _STR,
        "project": _STR,
        "title": _STR,
        "kind": ThemeKind,
        "description": _STR,
        "blueprints": _STRS,
    },
    "session": {
        "id": _STR,
        "cycle": _STR,
        "title": _STR,
        "event": _STR,
        "date": _DATE,
        "projects": _STRS,
        "agreements": _STRS,
        "blueprints": _STRS,
        "action": _TABLES,
    },
    "action": {"owner": _STR, "text": _STR, "done": _BOOL},
    "blueprint": {
        "id": _STR,
        "cycle": _STR,
        "project": _STR,
        "title": _STR,
        "category": _STR,
        "reviews": _REVIEWS,
        "state": State,
        "fast_tracked": _BOOL,
        "owner": _STR,
        "url": _STR,
        "history": _TABLES,
    },
    "history": {"date": _DATE, "state": State, "by": _STR},
    "runway": {"blueprint": _STR, "cycle": _STR, "start": _DATE},
    "override": {"blueprint": _STR, "state": State, "history": _TABLES},
    # [[history]] at the top level: a dated state of a blueprint that another file defines.
    "added_history": {"blueprint": _STR, "cycle": _STR, "date": _DATE, "state": State, "by": _STR},
    # [[milestone]] at the top level: a milestone of a cycle that another file defines.
    "added_milestone": {"cycle": _STR, "name": _STR, "date": _DATE, "kind": MilestoneKind, "project": _STR},
}
_TOP_LEVEL = (
    "defaults",
    "cycle",
    "milestone",
    "project",
    "theme",
    "session",
    "blueprint",
    "runway",
    "override",
    "history",
)
_EXPECTED = {
    _STR: "a string",
    _DATE: "a date like 2018-09-10 (no quotes)",
    _BOOL: "true or false",
    _INT: "a whole number",
    _STRS: "a list of strings",
    _INTS: "a list of whole numbers",
    _TABLES: "an array of tables",
    _REVIEWS: "a list of whole numbers",  # each may also be {number = ..., state = "..."}
}


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dt.datetime):
        return "a date-time"
    return {
        str: "a string",
        int: "a whole number",
        float: "a number",
        dt.date: "a date",
        dt.time: "a time",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


class Reader:
    """Validates the parsed TOML of one file, collecting errors with positions."""

    def __init__(self, display: str, text: str, data: Table) -> None:
        self.display = display
        self.data = data
        self.text = text
        # Most of a big plan is blueprints that take their cycle and project
        # from [defaults]: nothing refers to their key lines, so only their
        # headers are located, unless a message needs more (see error()).
        self.skipped = _unreferenced_tables(data)
        self.positions = locate(text, self.skipped)
        self.out = ParsedFile(display)
        self.seen: dict[str, tuple[int, int]] = {}

    def error(self, path: KeyPath, message: str, warning: bool = False) -> None:
        if self.skipped:  # a message names the exact line: locate everything, once
            self.positions, self.skipped = locate(self.text), frozenset()
        line, col = nearest(self.positions, path)
        self.out.errors.append(SeedError(self.display, line, col, message, warning))

    # -- generic checks ------------------------------------------------------
    def check_keys(self, table: str, data: Table, path: KeyPath, what: str) -> None:
        allowed = _SCHEMA[table]
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                maybe = f"; did you mean '{hint[0]}'?" if hint else ""
                self.error(
                    (*path, key),
                    f"{what}: unknown key '{key}' (expected one of: {', '.join(allowed)}){maybe}",
                )

    def value(
        self, table: str, data: Table, key: str, path: KeyPath, what: str, required: bool = False
    ) -> Any:
        """The checked value of ``key``, or None (after an error) when it is wrong."""
        kind = _SCHEMA[table][key]
        if key not in data:
            if required:
                self.error(path, f"{what}: missing key '{key}' ({_expected(kind)})")
            return None
        raw = data[key]
        where = (*path, key)
        if isinstance(kind, type) and issubclass(kind, Enum):
            if not isinstance(raw, str):
                self.error(where, f"{what}: '{key}' must be one of {_choices(kind)}, not {_type_name(raw)}")
                return None
            try:
                return State.parse(raw) if kind is State else kind(raw)
            except ValueError:
                self.error(
                    where, f"{what}: unknown {key} '{clean_text(raw)}' (expected one of {_choices(kind)})"
                )
                return None
        if kind == _STR:
            if not isinstance(raw, str):
                return self.wrong(where, what, key, kind, raw)
            return clean_text(raw)
        if kind == _BOOL:
            return raw if isinstance(raw, bool) else self.wrong(where, what, key, kind, raw)
        if kind == _INT:
            return raw if type(raw) is int else self.wrong(where, what, key, kind, raw)
        if kind == _DATE:
            if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
                return raw
            if isinstance(raw, str) and _looks_like_date(raw):
                self.error(where, f"{what}: '{key}' must be a date, not a string; write {raw} without quotes")
                return None
            return self.wrong(where, what, key, kind, raw)
        if kind in (_STRS, _INTS):
            if not isinstance(raw, list):
                return self.wrong(where, what, key, kind, raw)
            items = []
            for index, item in enumerate(raw):
                ok = isinstance(item, str) if kind == _STRS else type(item) is int
                if not ok:
                    self.error(
                        (*where, index),
                        f"{what}: '{key}' item {index + 1} must be "
                        f"{'a string' if kind == _STRS else 'a whole number'}, not {_type_name(item)}",
                    )
                    return None
                items.append(clean_text(item) if kind == _STRS else item)
            return tuple(items)
        if kind == _REVIEWS:
            return self.reviews(raw, where, what)
        if kind == _TABLES:
            if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
                return self.wrong(where, what, key, kind, raw)
            return raw
        raise AssertionError(kind)  # pragma: no cover - the schema is closed

    def reviews(self, raw: object, where: KeyPath, what: str) -> tuple[tuple[int, str], ...] | None:
        """Each review's number with what became of it ("" when the seed does not say)."""
        if not isinstance(raw, list):
            self.wrong(where, what, "reviews", _REVIEWS, raw)
            return None
        found = []
        for index, item in enumerate(raw):
            if isinstance(item, dict):
                unknown = sorted(set(item) - {"number", "state"})
                number, state = item.get("number"), item.get("state", "")
                if unknown or type(number) is not int or not isinstance(state, str):
                    self.error(
                        (*where, index),
                        f"{what}: 'reviews' item {index + 1} must be {{number = 132614, state = \"open\"}} "
                        "(a whole number, and a word for what became of the change)",
                    )
                    return None
                found.append((number, clean_text(state).strip()))
            elif type(item) is int:
                found.append((item, ""))
            else:
                self.error(
                    (*where, index),
                    f"{what}: 'reviews' item {index + 1} must be a whole number, not {_type_name(item)}",
                )
                return None
        return tuple(found)

    def wrong(self, where: KeyPath, what: str, key: str, kind: str, raw: object) -> None:
        self.error(where, f"{what}: '{key}' must be {_EXPECTED[kind]}, not {_type_name(raw)}")
        return None

    def identifier(self, text: str | None, path: KeyPath, what: str, key: str = "id") -> str | None:
        if text is None:
            return None
        if not is_id(text):
            self.error(
                (*path, key),
                f"{what}: {key} '{text}' must start with a letter or digit and hold only "
                "letters, digits, '.', '_' and '-'",
            )
            return None
        return text

    def unique(self, key: str, path: KeyPath, what: str) -> bool:
        """Keys are unique per record kind (a theme and a session may share an id)."""
        slot = f"{path[0]}:{key}"
        if slot in self.seen:
            line, _ = self.seen[slot]
            self.error(path, f"{what}: duplicate key '{key}' (first defined at line {line})")
            return False
        self.seen[slot] = nearest(self.positions, path)
        self.out.positions[slot] = self.seen[slot]
        return True

    def refer(
        self, owner: str, field_name: str, target: str, cycle: str, project: str, path: KeyPath
    ) -> None:
        line, col = nearest(self.positions, path)
        self.out.references.append(Reference(owner, field_name, target, cycle, project, line, col))

    # -- tables ----------------------------------------------------------------
    def read(self) -> ParsedFile:
        for key in self.data:
            if key not in _TOP_LEVEL:
                hint = difflib.get_close_matches(key, _TOP_LEVEL, n=1)
                maybe = f"; did you mean '{hint[0]}'?" if hint else ""
                self.error((key,), f"unknown table '{key}' (expected one of: {', '.join(_TOP_LEVEL)}){maybe}")
        defaults = self.data.get("defaults", {})
        if not isinstance(defaults, dict):
            self.error(("defaults",), "'defaults' must be a table")
            defaults = {}
        self.check_keys("defaults", defaults, ("defaults",), "defaults")
        self.default_cycle = self.identifier(
            self.value("defaults", defaults, "cycle", ("defaults",), "defaults"),
            ("defaults",),
            "defaults",
            "cycle",
        )
        self.default_project = self.identifier(
            self.value("defaults", defaults, "project", ("defaults",), "defaults"),
            ("defaults",),
            "defaults",
            "project",
        )
        for table in (
            "project",
            "cycle",
            "milestone",
            "blueprint",
            "theme",
            "session",
            "runway",
            "override",
            "history",
        ):
            items = self.data.get(table, [])
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                self.error((table,), f"'{table}' must be an array of tables, written [[{table}]]")
                continue
            reader = getattr(self, f"read_{table}")
            for index, item in enumerate(items):
                reader(item, (table, index))
        return self.out

    @staticmethod
    def name_of(table: str, item: Table, path: KeyPath) -> str:
        raw = item.get("id")
        if isinstance(raw, str) and raw:
            return f"{table} '{clean_text(raw)}'"
        if table == "blueprint" and isinstance(item.get("title"), str):
            return f"blueprint '{slugify(item['title'])}'"
        return f"{table} #{_number_of(path)}"

    def context(self, item: Table, path: KeyPath, what: str, table: str, key: str) -> str | None:
        """The item's cycle or project: its own, else the file's default."""
        own = self.identifier(self.value(table, item, key, path, what), path, what, key)
        if key in item:
            return own
        fallback = self.default_cycle if key == "cycle" else self.default_project
        if fallback is None:
            self.error(path, f"{what}: no '{key}' given and no [defaults] {key} in this file")
        return fallback

    def read_project(self, item: Table, path: KeyPath) -> None:
        what = self.name_of("project", item, path)
        self.check_keys("project", item, path, what)
        pid = self.identifier(self.value("project", item, "id", path, what, required=True), path, what)
        if pid is None:
            return
        what = f"project '{pid}'"
        name = self.value("project", item, "name", path, what) or pid
        if self.unique(pid, path, what):
            self.out.records.append(Project(pid, name))

    def read_cycle(self, item: Table, path: KeyPath) -> None:
        what = self.name_of("cycle", item, path)
        self.check_keys("cycle", item, path, what)
        cid = self.identifier(self.value("cycle", item, "id", path, what, required=True), path, what)
        if cid is None:
            return
        what = f"cycle '{cid}'"
        name = self.value("cycle", item, "name", path, what) or cid.capitalize()
        start = self.value("cycle", item, "start", path, what)
        release = self.value("cycle", item, "release", path, what)
        status = self.value("cycle", item, "status", path, what)
        if start and release and release < start:
            self.error((*path, "release"), f"{what}: release {release} is before start {start}")
        slots = self.value("cycle", item, "runway_slots", path, what)
        if slots is not None and not 1 <= slots <= 20:
            self.error((*path, "runway_slots"), f"{what}: runway_slots must be from 1 to 20, not {slots}")
            slots = None
        milestones = []
        for index, raw in enumerate(self.value("cycle", item, "milestone", path, what) or []):
            mpath = (*path, "milestone", index)
            mwhat = f"{what} milestone #{index + 1}"
            self.check_keys("milestone", raw, mpath, mwhat)
            mname = self.value("milestone", raw, "name", mpath, mwhat, required=True)
            mdate = self.value("milestone", raw, "date", mpath, mwhat, required=True)
            kind = self.value("milestone", raw, "kind", mpath, mwhat) or MilestoneKind.MILESTONE
            project = self.identifier(
                self.value("milestone", raw, "project", mpath, mwhat), mpath, mwhat, "project"
            )
            if mname is None or mdate is None:
                continue
            if project:
                self.refer(cid, "project", project, cid, "", (*mpath, "project"))
            milestones.append(Milestone(mname, mdate, kind, project))
        milestones.sort(key=lambda m: m.date)
        notes = []
        for index, raw in enumerate(self.value("cycle", item, "note", path, what) or []):
            npath = (*path, "note", index)
            nwhat = f"{what} note #{index + 1}"
            self.check_keys("note", raw, npath, nwhat)
            ndate = self.value("note", raw, "date", npath, nwhat)
            ntext = self.value("note", raw, "text", npath, nwhat, required=True)
            if ntext is not None:
                notes.append(CycleNote(ntext, ndate))
        notes.sort(key=lambda n: n.date or dt.date.min)
        if self.unique(cid, path, what):
            self.out.records.append(
                Cycle(
                    cid,
                    name,
                    start,
                    release,
                    status,
                    tuple(milestones),
                    3 if slots is None else slots,
                    tuple(notes),
                )
            )

    def read_milestone(self, item: Table, path: KeyPath) -> None:
        what = f"milestone #{_number_of(path)}"
        self.check_keys("added_milestone", item, path, what)
        name = self.value("added_milestone", item, "name", path, what, required=True)
        if name is not None:
            what = f"milestone '{name}'"
        date = self.value("added_milestone", item, "date", path, what, required=True)
        kind = self.value("added_milestone", item, "kind", path, what) or MilestoneKind.MILESTONE
        project = self.identifier(
            self.value("added_milestone", item, "project", path, what), path, what, "project"
        )
        cycle = self.context(item, path, what, "added_milestone", "cycle")
        if name is None or date is None or cycle is None:
            return
        record = AddedMilestone(cycle, name, date, kind, project)
        if self.unique(record.key, path, what):
            self.refer(record.key, "cycle", cycle, cycle, "", (*path, "cycle"))
            if project:
                self.refer(record.key, "project", project, cycle, "", (*path, "project"))
            self.out.records.append(record)

    def read_blueprint(self, item: Table, path: KeyPath) -> None:
        what = self.name_of("blueprint", item, path)
        self.check_keys("blueprint", item, path, what)
        title = self.value("blueprint", item, "title", path, what, required=True)
        bid = self.identifier(self.value("blueprint", item, "id", path, what), path, what)
        derived = "id" not in item and title is not None
        if derived:
            bid = slugify(title)
        if bid is None or title is None:
            return
        what = f"blueprint '{bid}'"
        if derived:
            self.error(
                path,
                f"{what}: no id given; derived '{bid}' from the title (marks follow the id, "
                "so give an explicit id before marking it)",
                warning=True,
            )
        cycle = self.context(item, path, what, "blueprint", "cycle")
        project = self.context(item, path, what, "blueprint", "project")
        state = self.value("blueprint", item, "state", path, what) or State.PROPOSED
        history = self.history("blueprint", item, path, what)
        reviews = self.value("blueprint", item, "reviews", path, what) or ()
        if cycle is None or project is None:
            return
        record = Blueprint(
            cycle=cycle,
            project=project,
            id=bid,
            title=title,
            state=state,
            category=self.value("blueprint", item, "category", path, what) or "",
            reviews=tuple(number for number, _ in reviews),
            review_states=tuple(state for _, state in reviews) if any(s for _, s in reviews) else (),
            fast_tracked=bool(self.value("blueprint", item, "fast_tracked", path, what)),
            owner=self.value("blueprint", item, "owner", path, what) or "",
            url=self.value("blueprint", item, "url", path, what) or "",
            history=history,
            id_derived=derived,
        )
        if self.unique(record.key, path, what):
            self.refer(record.key, "cycle", cycle, cycle, project, (*path, "cycle"))
            self.refer(record.key, "project", project, cycle, project, (*path, "project"))
            self.out.records.append(record)

    def history(self, table: str, item: Table, path: KeyPath, what: str) -> tuple[HistoryEntry, ...]:
        found = []
        for index, raw in enumerate(self.value(table, item, "history", path, what) or []):
            hpath = (*path, "history", index)
            hwhat = f"{what} history #{index + 1}"
            self.check_keys("history", raw, hpath, hwhat)
            hdate = self.value("history", raw, "date", hpath, hwhat, required=True)
            hstate = self.value("history", raw, "state", hpath, hwhat, required=True)
            hby = self.value("history", raw, "by", hpath, hwhat) or ""
            if hdate is not None and hstate is not None:
                found.append(HistoryEntry(hdate, hstate, hby))
        found.sort(key=lambda h: h.date)
        return tuple(found)

    def read_override(self, item: Table, path: KeyPath) -> None:
        what = f"override #{_number_of(path)}"
        self.check_keys("override", item, path, what)
        ref = self.value("override", item, "blueprint", path, what, required=True)
        if ref is None:
            return
        what = f"override of '{ref}'"
        if ref.count("/") != 2:
            self.error((*path, "blueprint"), f"{what}: name the blueprint by its full key, cycle/project/id")
            return
        state = self.value("override", item, "state", path, what)
        record = Override(ref, state, self.history("override", item, path, what))
        if self.unique(ref, path, what):
            cycle = ref.split("/", 1)[0]
            self.refer(record.key, "override", ref, cycle, "", (*path, "blueprint"))
            self.out.records.append(record)

    def head(self, table: str, item: Table, path: KeyPath) -> tuple[str, str | None, str | None]:
        """Check a theme's or session's keys; its name for messages, its id and title."""
        what = self.name_of(table, item, path)
        self.check_keys(table, item, path, what)
        rid = self.identifier(self.value(table, item, "id", path, what, required=True), path, what)
        title = self.value(table, item, "title", path, what, required=True)
        return (f"{table} '{rid}'" if rid else what), rid, title

    def read_theme(self, item: Table, path: KeyPath) -> None:
        what, tid, title = self.head("theme", item, path)
        if tid is None or title is None:
            return
        cycle = self.context(item, path, what, "theme", "cycle")
        project = self.context(item, path, what, "theme", "project")
        kind = self.value("theme", item, "kind", path, what) or ThemeKind.THEME
        description = self.value("theme", item, "description", path, what) or ""
        blueprints = self.value("theme", item, "blueprints", path, what) or ()
        if cycle is None or project is None:
            return
        record = Theme(cycle, tid, project, title, kind, description, blueprints)
        if self.unique(record.key, path, what):
            self.refer(record.key, "cycle", cycle, cycle, project, (*path, "cycle"))
            self.refer(record.key, "project", project, cycle, project, (*path, "project"))
            for index, target in enumerate(blueprints):
                self.refer(record.key, "blueprints", target, cycle, project, (*path, "blueprints", index))
            self.out.records.append(record)

    def read_session(self, item: Table, path: KeyPath) -> None:
        what, sid, title = self.head("session", item, path)
        if sid is None or title is None:
            return
        cycle = self.context(item, path, what, "session", "cycle")
        projects = self.value("session", item, "projects", path, what)
        if projects is None and "projects" not in item and self.default_project:
            projects = (self.default_project,)
        actions = []
        for index, raw in enumerate(self.value("session", item, "action", path, what) or []):
            apath = (*path, "action", index)
            awhat = f"{what} action #{index + 1}"
            self.check_keys("action", raw, apath, awhat)
            owner = self.value("action", raw, "owner", apath, awhat, required=True)
            text = self.value("action", raw, "text", apath, awhat, required=True)
            done = self.value("action", raw, "done", apath, awhat) or False
            if owner is not None and text is not None:
                actions.append(Action(owner, text, done))
        blueprints = self.value("session", item, "blueprints", path, what) or ()
        if cycle is None:
            return
        record = Session(
            cycle=cycle,
            id=sid,
            title=title,
            event=self.value("session", item, "event", path, what) or "",
            date=self.value("session", item, "date", path, what),
            projects=projects or (),
            agreements=self.value("session", item, "agreements", path, what) or (),
            actions=tuple(actions),
            blueprints=blueprints,
        )
        if self.unique(record.key, path, what):
            self.refer(record.key, "cycle", cycle, cycle, "", (*path, "cycle"))
            for index, target in enumerate(record.projects):
                self.refer(record.key, "projects", target, cycle, "", (*path, "projects", index))
            first = record.projects[0] if record.projects else ""
            for index, target in enumerate(blueprints):
                self.refer(record.key, "blueprints", target, cycle, first, (*path, "blueprints", index))
            self.out.records.append(record)

    def read_history(self, item: Table, path: KeyPath) -> None:
        what = f"history #{_number_of(path)}"
        self.check_keys("added_history", item, path, what)
        ref = self.value("added_history", item, "blueprint", path, what, required=True)
        if ref is not None:
            what = f"history of '{ref}'"
        date = self.value("added_history", item, "date", path, what, required=True)
        state = self.value("added_history", item, "state", path, what, required=True)
        by = self.value("added_history", item, "by", path, what) or ""
        cycle = self.context(item, path, what, "added_history", "cycle")
        if ref is None or date is None or state is None or cycle is None:
            return
        record = AddedHistory(cycle, ref, date, state, by)
        if self.unique(record.key, path, what):
            self.refer(record.key, "cycle", cycle, cycle, "", (*path, "cycle"))
            self.refer(record.key, "history", ref, cycle, self.default_project or "", (*path, "blueprint"))
            self.out.records.append(record)

    def read_runway(self, item: Table, path: KeyPath) -> None:
        what = f"runway #{_number_of(path)}"
        self.check_keys("runway", item, path, what)
        ref = self.value("runway", item, "blueprint", path, what, required=True)
        if ref is None:
            return
        what = f"runway '{ref}'"
        cycle = self.context(item, path, what, "runway", "cycle")
        start = self.value("runway", item, "start", path, what)
        if cycle is None:
            return
        record = Runway(cycle, ref, start)
        if self.unique(record.key, path, what):
            self.refer(record.key, "cycle", cycle, cycle, "", (*path, "cycle"))
            self.refer(record.key, "runway", ref, cycle, self.default_project or "", (*path, "blueprint"))
            self.out.records.append(record)


def _unreferenced_tables(data: Table) -> frozenset[str]:
    """Top-level tables whose keys no reference points at: ``[[blueprint]]``
    when none of them names its own cycle or project."""
    items = data.get("blueprint")
    if isinstance(items, list) and all(
        isinstance(i, dict) and "cycle" not in i and "project" not in i for i in items
    ):
        return frozenset({"blueprint"})
    return frozenset()


def _number_of(path: KeyPath) -> int:
    """The 1-based number of the array item at ``path``."""
    return cast(int, path[-1]) + 1


def _expected(kind: object) -> str:
    if isinstance(kind, type) and issubclass(kind, Enum):
        return f"one of {_choices(kind)}"
    return _EXPECTED[cast(str, kind)]


def _choices(enum: type[Enum]) -> str:
    names = [e.value for e in enum]
    if enum is State:
        names.append("done")
    return ", ".join(names)


def _looks_like_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True
