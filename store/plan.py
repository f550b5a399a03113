"""Putting seed files together: one plan, cross-file checks, resolved references."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from store.index import PlanIndex
from store.model import (
    KIND_OF,
    AddedHistory,
    AddedMilestone,
    Blueprint,
    Cycle,
    Milestone,
    Override,
    Project,
    Record,
    Runway,
    Session,
    State,
    Theme,
)
from store.newest_fact import in_force
from store.query import ALL_CYCLES, Filter, QueryError
from store.seeds import ParsedFile, Reference, SeedError

# Cycles without dates sort as the newest: they are the ones being planned.
_FAR_FUTURE = dt.date(9999, 12, 31)
Groups = dict[tuple[str, str], list[str]]  # blueprint keys by (cycle or project, id)
# Made on a plan's first patch and handed on to the patched plan (see patch()).
_PATCH_LOOKUPS = ("_by_cycle_id", "_by_project_id", "_origins_by_file")


def table_name(kind: str) -> str:
    """The :class:`Plan` field holding one kind of record."""
    return "histories" if kind == "history" else kind + "s"


@dataclass
class Plan:
    """Every record of a seeds folder, keyed, with the problems found on the way."""

    cycles: dict[str, Cycle] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    blueprints: dict[str, Blueprint] = field(default_factory=dict)
    runways: dict[str, Runway] = field(default_factory=dict)  # in file order: the queue's order
    milestones: dict[str, AddedMilestone] = field(default_factory=dict)  # already folded into their cycles
    overrides: dict[str, Override] = field(default_factory=dict)  # already applied to their blueprints
    histories: dict[str, AddedHistory] = field(default_factory=dict)  # likewise
    errors: list[SeedError] = field(default_factory=list)  # warnings included
    origins: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # key -> file, line, col

    @property
    def problems(self) -> list[SeedError]:
        return [e for e in self.errors if not e.warning]

    @property
    def warnings(self) -> list[SeedError]:
        return [e for e in self.errors if e.warning]

    @functools.cached_property
    def index(self) -> PlanIndex:
        """The blueprints laid out for filtering; built once, and kept in the plan's snapshot."""
        return PlanIndex(self)

    def __getstate__(self) -> dict[str, Any]:
        # The snapshot keeps the index but not the lookups a patch makes: cheap to make again.
        return {name: value for name, value in self.__dict__.items() if name not in _PATCH_LOOKUPS}

    def table(self, kind: str) -> dict[str, Record]:
        return cast(dict[str, Record], getattr(self, table_name(kind)))

    def cycles_newest_first(self) -> list[Cycle]:
        def order(cycle: Cycle) -> tuple[dt.date, str]:
            return (cycle.release or cycle.start or _FAR_FUTURE, cycle.id)

        return sorted(self.cycles.values(), key=order, reverse=True)

    def current_cycle(self, today: dt.date) -> Cycle | None:
        """The cycle a team means by "now": the one running ``today``, else the next to start,
        else the newest (None: the plan has no cycles)."""
        cycles = self.cycles_newest_first()
        running = [c for c in cycles if c.start and c.release and c.start <= today <= c.release]
        coming = sorted((c for c in cycles if c.start and c.start > today), key=lambda c: (c.start, c.id))
        chosen = running or coming or cycles
        return chosen[0] if chosen else None

    def find_cycle(self, word: str) -> Cycle | None:
        """The cycle a user means by ``word``: its id, its name or a word of its name
        (``antelope`` for "2023.1 Antelope"), in any case; the newest when several have it."""
        text = word.strip().lower()
        return next(
            (
                c
                for c in self.cycles_newest_first()
                if text in (c.id.lower(), c.name.lower()) or text in c.name.lower().split()
            ),
            None,
        )

    def find_project(self, word: str) -> Project | None:
        """The project a user means by ``word``: its id or its name, in any case."""
        text = word.strip().lower()
        return next((p for p in self.projects.values() if text in (p.id.lower(), p.name.lower())), None)

    def resolved(self, query: Filter) -> Filter:
        """``query`` with its cycles and projects named by id, whichever way the user named them
        (``cycle:quokka``, ``project:Nova``). QueryError lists the known ones for a name no
        cycle or project has: a filter that can match nothing says so instead."""
        cycles = set()
        for word in query.cycles - {ALL_CYCLES}:
            found = self.find_cycle(word)
            if found is None:
                known = ", ".join(c.id for c in self.cycles_newest_first())
                raise QueryError(f"unknown cycle '{word}' (known: all, {known})")
            cycles.add(found.id.lower())
        projects = set()
        for word in query.projects:
            project = self.find_project(word)
            if project is None:
                known = ", ".join(sorted(self.projects))
                raise QueryError(f"unknown project '{word}' (known: {known})")
            projects.add(project.id.lower())
        return dataclasses.replace(
            query,
            cycles=frozenset(cycles | (query.cycles & {ALL_CYCLES})),
            projects=frozenset(projects),
            excluded=self.resolved(query.excluded) if query.excluded is not None else None,
        )


def seed_files(root: Path) -> list[Path]:
    """Every ``*.toml`` below ``root``, recursively, in a stable order (see :func:`seed_listing`)."""
    return [Path(path) for path, _ in seed_listing(root)]


def seed_listing(root: Path) -> list[tuple[str, str]]:
    """Every ``*.toml`` below ``root`` as (its path, its name as :func:`seed_name` gives it),
    ordered as paths are (folder by folder)."""
    return walk_seeds(root)[0]


def walk_seeds(root: Path) -> tuple[list[tuple[str, str]], bool]:
    """:func:`seed_listing`, and whether a symlink was met on the way (a file or a folder):
    then one file's text can change under another file's name.

    Symlinked folders are followed once: a link back to a folder already
    walked (a loop) is listed instead of walked, and so is a folder named
    ``x.toml``, so that reading them reports them rather than hangs or hides.
    Made of strings, not ``Path`` objects: every reload lists the folder, and
    at 2,000 files the objects cost more than the walk.
    """
    top = os.fspath(root)
    found: list[tuple[str, str]] = []
    seen: set[tuple[int, int]] = set()
    linked = False
    for folder, dirs, files in os.walk(top, followlinks=True):
        prefix = os.path.relpath(folder, top).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        seen.add(_identity(folder))
        for name in files:
            if name.endswith(".toml") and not name.startswith("."):
                found.append((os.path.join(folder, name), prefix + name))
                linked = linked or os.path.islink(found[-1][0])
        walk = []
        # Real folders claim their place before links to them do.
        for name in sorted(dirs, key=lambda n: (os.path.islink(os.path.join(folder, n)), n)):
            path = os.path.join(folder, name)
            linked = linked or os.path.islink(path)
            ident = _identity(path)
            walked_already = ident in seen
            if name.endswith(".toml") or (walked_already and os.path.islink(path)):
                found.append((path, prefix + name))  # reading it reports what it is
            if not walked_already:
                seen.add(ident)
                walk.append(name)
        dirs[:] = sorted(walk)
    found.sort(key=lambda item: item[1].split("/"))
    return [(path, shown_name(rel)) for path, rel in found], linked


def seed_name(path: Path, root: Path) -> str:
    """A seed file's name relative to ``root``, as messages and the cache show it."""
    return shown_name(path.relative_to(root).as_posix())


def shown_name(rel: str) -> str:
    """A seed file's relative name as it is shown and stored.

    A name that is not UTF-8 (its stray bytes come from the OS as surrogates)
    is shown with those bytes escaped (``quokka-\\xff.toml``): it could not be
    printed or stored otherwise.  Reading such a file reports it instead.
    """
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(rel).decode("utf-8", "backslashreplace")
    return rel


def _identity(path: str | Path) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, id(path))  # unknown: equal to no other folder
    return (st.st_dev, st.st_ino)


def assemble(files: Iterable[ParsedFile]) -> Plan:
    """One plan from parsed files: duplicates across files and references are checked here."""
    plan = Plan()
    accepted: list[tuple[ParsedFile, set[str]]] = []
    for parsed in files:
        plan.errors.extend(parsed.errors)
        accepted.append((parsed, {key for _, key in _take_records(plan, parsed)}))

    by_cycle_id = _by_cycle_id(plan)
    for parsed, mine in accepted:
        _resolve_references(plan, parsed, mine, by_cycle_id)
    _fold_milestones(plan)
    _join_facts(plan)
    count_slips(plan)
    plan.errors.sort(key=_error_order)  # one order, however the plan was made (see patch)
    return plan


def _by_project_id(plan: Plan) -> dict[tuple[str, str], list[str]]:
    """Blueprint keys by (project, id), across cycles: one piece of work re-proposed cycle after cycle."""
    if "_by_project_id" not in plan.__dict__:
        found: dict[tuple[str, str], list[str]] = defaultdict(list)
        for key, blueprint in plan.blueprints.items():
            found[(blueprint.project, blueprint.id)].append(key)
        plan.__dict__["_by_project_id"] = found
    return cast(Groups, plan.__dict__["_by_project_id"])


def carried_to(plan: Plan, blueprint: Blueprint) -> Blueprint | None:
    """Where a deferred blueprint was re-proposed: the same work in the nearest later cycle."""
    if blueprint.state is not State.DEFERRED:
        return None
    order = {cycle.id: at for at, cycle in enumerate(reversed(plan.cycles_newest_first()))}
    mine = order.get(blueprint.cycle, -1)
    later = [
        plan.blueprints[k]
        for k in _by_project_id(plan).get((blueprint.project, blueprint.id), ())
        if k in plan.blueprints and order.get(plan.blueprints[k].cycle, -1) > mine
    ]
    return min(later, key=lambda b: order[b.cycle], default=None)


def count_slips(plan: Plan, groups: Iterable[tuple[str, str]] | None = None) -> list[Blueprint]:
    """Give each blueprint the number of earlier cycles in which the same work (project and id)
    was deferred: how often it slipped.  ``groups``: only these (project, id).  Returns the
    blueprints that changed."""
    by = _by_project_id(plan)
    chosen = (
        (keys for keys in by.values() if len(keys) > 1) if groups is None else (by.get(g, ()) for g in groups)
    )
    order = {cycle.id: at for at, cycle in enumerate(reversed(plan.cycles_newest_first()))}
    changed = []
    for keys in chosen:
        deferred = 0
        for blueprint in sorted((plan.blueprints[k] for k in keys), key=lambda b: order.get(b.cycle, -1)):
            if blueprint.slipped != deferred:
                blueprint = plan.blueprints[blueprint.key] = dataclasses.replace(blueprint, slipped=deferred)
                changed.append(blueprint)
            if blueprint.state is State.DEFERRED:
                deferred += 1
    return changed


def _join_facts(plan: Plan, only: set[str] | None = None) -> None:
    """Give each blueprint (of ``only``, as their files give them) what overrides and other
    files' ``[[history]]`` say of it: the newest dated state wins (store/newest_fact.py)."""
    added: dict[str, list[AddedHistory]] = defaultdict(list)
    for entry in plan.histories.values():
        if entry.blueprint and (only is None or entry.blueprint in only):
            added[entry.blueprint].append(entry)
    overridden = plan.overrides.keys() if only is None else plan.overrides.keys() & only
    for key in added.keys() | overridden:
        # In file order, as a full read meets them: of two entries of one day, the first wins.
        added[key].sort(key=lambda entry: plan.origins[f"history:{entry.key}"])
        blueprint = plan.blueprints.get(key)
        if blueprint is None:  # reported with the references
            continue
        cycle = plan.cycles.get(blueprint.cycle)
        plan.blueprints[key] = in_force(
            blueprint, cycle.start if cycle else None, plan.overrides.get(key), added.get(key, ())
        )


def _fold_milestones(plan: Plan, cycles: set[str] | None = None) -> None:
    """Give each cycle (of ``cycles``, as their files give them) the ``[[milestone]]`` tables
    other files add to it, in date order."""
    added: dict[str, list[Milestone]] = defaultdict(list)
    for entry in plan.milestones.values():
        # An unknown cycle is reported with the references.
        if entry.cycle in plan.cycles and (cycles is None or entry.cycle in cycles):
            added[entry.cycle].append(entry.milestone())
    for cid, extra in added.items():
        cycle = plan.cycles[cid]
        merged = sorted(cycle.milestones + tuple(extra), key=lambda m: m.date)
        plan.cycles[cid] = dataclasses.replace(cycle, milestones=tuple(merged))


# A patch that would take in more files than this (the changed ones and those
# their change reaches) leaves the work to a full assemble.
_PATCH_AT_MOST = 200
# Texts that name the files a change of keys reaches through their messages.
_DEFINED_AT = "already defined at {}:"
_REFERS_TO_UNKNOWN = "refers to unknown {}"  # the wording of _dangling, which lists the known names


def patch(
    plan: Plan,
    changed: Mapping[str, ParsedFile | None],
    reread: Callable[[str], ParsedFile | None] = lambda rel: None,
) -> Plan | None:
    """``plan`` with some files' records replaced by new parses of them, or None when only a
    full assemble will do.

    ``changed``: each changed file's new parse, or None for a file that is gone.
    ``reread``: a clean parse of another file, as it is on disk; a change that
    reaches another file (a theme there names a blueprint that went, a key
    defined twice, an override of a blueprint here) redoes that file too.  The
    result is what :func:`assemble` gives for the same files, at the cost of the
    files redone: this is the live reload of a save, and the start after a pull,
    at 50,000 blueprints.  None (a full assemble) when a file does not parse,
    a cycle comes or goes or moves in the order, or the change reaches more than
    a couple of hundred files.  ``plan`` is not changed: the dashboard may be
    drawing it.
    """
    files = dict(changed)
    if any(parsed is not None and not parsed.ok for parsed in files.values()):
        return None  # a broken file keeps its last good records: the full read knows them
    while True:
        reached = _reached(plan, files)
        if reached is None:
            return None
        reached -= files.keys()
        if not reached:
            break
        if len(files) + len(reached) > _PATCH_AT_MOST:
            return None
        for rel in reached:
            parsed = reread(rel)
            if parsed is None or not parsed.ok:
                return None
            files[rel] = parsed
    return _redo(plan, files)


def _blueprint_parts(key: str) -> tuple[str, str, str]:
    cycle, project, ident = key.split("/", 2)
    return cycle, project, ident


def _reached(plan: Plan, files: Mapping[str, ParsedFile | None]) -> set[str] | None:
    """The files whose records or messages change with ``files``: they are redone with them.

    None when the change is one only a full assemble gets right (cycles come or go).
    """
    by_file = _origins_by_file(plan)
    old = {origin for rel in files for origin in by_file.get(rel, ())}
    new = {f"{KIND_OF[type(r)]}:{r.key}" for parsed in files.values() if parsed for r in parsed.records}
    came_or_went = old ^ new
    if any(origin.startswith("cycle:") for origin in came_or_went):
        return None
    # Most records are blueprints; the few others are looked at once each.
    others = [r for parsed in files.values() if parsed for r in parsed.records if type(r) is not Blueprint]
    old_others = [o for o in old if not o.startswith("blueprint:")]
    if any(
        isinstance(r, Cycle) and r.id in plan.cycles and r.start != plan.cycles[r.id].start for r in others
    ):
        return None  # undated states count from the cycle's start: weigh every fact again
    reached: set[str] = set()

    def file_of(origin: str) -> None:
        where = plan.origins.get(origin)
        if where:
            reached.add(where[0])

    # A key defined twice: the first file in order keeps it, so every file defining it is redone.
    for origin in new - old:
        file_of(origin)
    markers = [_DEFINED_AT.format(rel) for rel in files]
    reached |= {e.path for e in plan.errors if any(m in e.message for m in markers)}
    # An override is applied to its blueprint's record as its file gives it.
    overrides = [plan.overrides[o[len("override:") :]] for o in old_others if o.startswith("override:")]
    overrides += [r for r in others if isinstance(r, Override)]
    for override in overrides:
        file_of(f"blueprint:{override.blueprint}")
    # So is a [[history]] table: redo the file of every blueprint it may name.
    for origin in old_others:
        entry = plan.histories.get(origin[len("history:") :]) if origin.startswith("history:") else None
        if entry is not None:  # one that named no blueprint was left out
            file_of(f"blueprint:{entry.blueprint}")
    for record in others:
        if isinstance(record, AddedHistory):
            for key in _may_name(plan, record.cycle, record.ref):
                file_of(f"blueprint:{key}")
    # Milestones added from another file fold into their cycle as its own file gives it.
    added = [plan.milestones[o[len("milestone:") :]] for o in old_others if o.startswith("milestone:")]
    added += [r for r in others if isinstance(r, AddedMilestone)]
    for milestone in added:
        file_of(f"cycle:{milestone.cycle}")
    blueprints = {o[len("blueprint:") :] for o in came_or_went if o.startswith("blueprint:")}
    if blueprints:
        reached |= _naming_blueprints(plan, blueprints)
    projects = {o[len("project:") :] for o in came_or_went if o.startswith("project:")}
    if projects:
        reached |= _naming_projects(plan, projects)
    return reached


def _naming_blueprints(plan: Plan, keys: set[str]) -> set[str]:
    """Files whose references may resolve differently now that ``keys`` came or went:
    those naming the same id in the same cycle (a bare id may turn ambiguous), the
    overrides of those keys, and those whose messages quote any form of them."""
    same_work = {(cycle, ident) for cycle, _, ident in map(_blueprint_parts, keys)}
    found: set[str] = set()
    for kind, table in (("theme", plan.themes), ("session", plan.sessions)):
        for record in table.values():
            if any(_work_of(key) in same_work for key in record.blueprints):
                found.add(plan.origins[f"{kind}:{record.key}"][0])
    for runway in plan.runways.values():
        if _work_of(runway.blueprint) in same_work:
            found.add(plan.origins[f"runway:{runway.key}"][0])
    for override in plan.overrides.values():
        if override.blueprint in keys:
            found.add(plan.origins[f"override:{override.key}"][0])
    for entry in plan.histories.values():
        if _work_of(entry.blueprint) in same_work:
            found.add(plan.origins[f"history:{entry.key}"][0])
    quoted = set()
    for key in keys:
        _, project, ident = _blueprint_parts(key)
        quoted |= {f"'{ident}'", f"'{project}/{ident}'", f"'{key}'"}
    found |= {e.path for e in plan.errors if any(q in e.message for q in quoted)}
    return found


def _may_name(plan: Plan, cycle: str, ref: str) -> list[str]:
    """The blueprint keys a reference (``id``, ``project/id`` or a full key) may resolve to."""
    if ref.count("/") == 2:
        return [ref]
    if ref.count("/") == 1:
        return [f"{cycle}/{ref}"]
    return list(_by_cycle_id(plan).get((cycle, ref), ()))


def _work_of(key: str) -> tuple[str, str]:
    cycle, _, ident = _blueprint_parts(key)
    return cycle, ident


def _naming_projects(plan: Plan, projects: set[str]) -> set[str]:
    """Files whose records name one of ``projects``, or whose messages list the known projects."""
    found = {plan.origins[f"blueprint:{b.key}"][0] for b in plan.blueprints.values() if b.project in projects}
    found |= {plan.origins[f"theme:{t.key}"][0] for t in plan.themes.values() if t.project in projects}
    found |= {
        plan.origins[f"session:{s.key}"][0]
        for s in plan.sessions.values()
        if any(p in projects for p in s.projects)
    }
    found |= {e.path for e in plan.errors if _REFERS_TO_UNKNOWN.format("project") in e.message}
    return found


def _redo(plan: Plan, files: Mapping[str, ParsedFile | None]) -> Plan | None:
    """``plan`` with every record of ``files`` taken out and their new parses put in, as assemble would."""
    by_file = _origins_by_file(plan)
    new = dataclasses.replace(
        plan,
        **cast(dict[str, Any], {table_name(kind): dict(plan.table(kind)) for kind in KIND_OF.values()}),
        origins=dict(plan.origins),
        errors=[e for e in plan.errors if e.path not in files],
    )
    origins_by_file = dict(by_file)
    by_cycle_id = defaultdict(list, _by_cycle_id(plan))
    by_project_id = defaultdict(list, _by_project_id(plan))
    went: dict[str, set[str]] = defaultdict(set)  # kind -> keys taken out
    for rel in files:
        for origin in origins_by_file.pop(rel, ()):
            kind, key = origin.split(":", 1)
            new.table(kind).pop(key, None)  # a runway that named no blueprint was left out
            del new.origins[origin]
            went[kind].add(key)
    came: dict[str, set[str]] = defaultdict(set)  # kind -> keys put in
    accepted: list[tuple[ParsedFile, set[str]]] = []
    for rel in sorted(files):
        parsed = files[rel]
        if parsed is None:
            continue
        new.errors.extend(parsed.errors)
        taken = _take_records(new, parsed)
        if taken:
            origins_by_file[rel] = {f"{kind}:{key}" for kind, key in taken}
        for kind, key in taken:
            came[kind].add(key)
        accepted.append((parsed, {key for _, key in taken}))
    for key in went["blueprint"] - came["blueprint"]:
        _drop(by_cycle_id, _work_of(key), key)
        _drop(by_project_id, _blueprint_parts(key)[1:], key)
    for key in came["blueprint"] - went["blueprint"]:
        by_cycle_id[_work_of(key)] = [*by_cycle_id.get(_work_of(key), ()), key]
        group = _blueprint_parts(key)[1:]
        by_project_id[group] = [*by_project_id.get(group, ()), key]
    new.__dict__.update(
        _by_cycle_id=by_cycle_id, _by_project_id=by_project_id, _origins_by_file=origins_by_file
    )
    for parsed, mine in accepted:
        _resolve_references(new, parsed, mine, by_cycle_id)
    redone = came["blueprint"]
    _join_facts(new, redone)
    cycles = (
        came["cycle"]
        | {new.milestones[k].cycle for k in came["milestone"]}
        | {plan.milestones[k].cycle for k in went["milestone"]}
    )
    _fold_milestones(new, {c for c in cycles if c in new.cycles})
    if [c.id for c in new.cycles_newest_first()] != [c.id for c in plan.cycles_newest_first()]:
        return None  # cycles set the order of everything: index it all again
    slipped = count_slips(new, {_blueprint_parts(k)[1:] for k in went["blueprint"] | came["blueprint"]})
    for kind in KIND_OF.values():  # taken out and put back: at the end of their tables
        if kind != "blueprint" and (came[kind] or went[kind]):
            _in_file_order(new, kind)
    new.errors.sort(key=_error_order)
    if "index" in plan.__dict__:
        index = plan.index
        changed = [new.blueprints[k] for k in redone & went["blueprint"]]
        changed += [b for b in slipped if b.key not in redone and b.key in index.position]
        gone, added = went["blueprint"] - came["blueprint"], came["blueprint"] - went["blueprint"]
        regroup = bool(came["theme"] | went["theme"] | came["session"] | went["session"])
        if gone or added:
            new.__dict__["index"] = index.reshaped(new, gone, [new.blueprints[k] for k in added], changed)
        else:
            new.__dict__["index"] = index.patched(new, changed, regroup=regroup)
    return new


def _take_records(plan: Plan, parsed: ParsedFile) -> list[tuple[str, str]]:
    """Put one file's records into ``plan``'s tables, a key already there being a duplicate;
    returns the (kind, key) of those taken."""
    taken = []
    for record in parsed.records:
        kind = KIND_OF[type(record)]
        table = plan.table(kind)
        key = record.key
        origin = f"{kind}:{key}"
        line, col = parsed.positions.get(origin, (0, 0))
        if key in table:
            first = plan.origins[origin]
            plan.errors.append(
                SeedError(
                    parsed.path,
                    line,
                    col,
                    f"{kind} '{key}': duplicate key ({_DEFINED_AT.format(first[0])}{first[1]})",
                )
            )
            continue
        table[key] = record
        plan.origins[origin] = (parsed.path, line, col)
        taken.append((kind, key))
    return taken


def _drop(groups: Groups, group: tuple[str, str], key: str) -> None:
    left = [k for k in groups.get(group, ()) if k != key]
    if left:
        groups[group] = left
    else:
        groups.pop(group, None)


def _in_file_order(plan: Plan, kind: str) -> None:
    """A table in the order assemble makes it: file by file, and by place within each file."""
    table = plan.table(kind)
    ordered = sorted(table.items(), key=lambda item: plan.origins[f"{kind}:{item[0]}"])
    table.clear()
    table.update(ordered)


def _error_order(error: SeedError) -> tuple[str, int, int, str]:
    return (error.path, error.line, error.col, error.message)


def _origins_by_file(plan: Plan) -> dict[str, set[str]]:
    """Each seed file's records (``kind:key``), made once per plan: a patch asks for one file's."""
    if "_origins_by_file" not in plan.__dict__:
        found: dict[str, set[str]] = defaultdict(set)
        for origin, (where, _, _) in plan.origins.items():
            found[where].add(origin)
        plan.__dict__["_origins_by_file"] = dict(found)
    return cast(dict[str, set[str]], plan.__dict__["_origins_by_file"])


def _by_cycle_id(plan: Plan) -> dict[tuple[str, str], list[str]]:
    """Blueprint keys by (cycle, id): how a theme's or session's bare blueprint id is found."""
    if "_by_cycle_id" not in plan.__dict__:
        found: dict[tuple[str, str], list[str]] = defaultdict(list)
        for key, blueprint in plan.blueprints.items():
            found[(blueprint.cycle, blueprint.id)].append(key)
        plan.__dict__["_by_cycle_id"] = found
    return cast(Groups, plan.__dict__["_by_cycle_id"])


def _resolve_references(plan: Plan, parsed: ParsedFile, mine: set[str], by_cycle_id: Groups) -> None:
    """Check one file's references and give its themes and sessions their blueprint keys."""
    resolved: dict[str, list[str]] = defaultdict(list)
    for ref in parsed.references:
        if ref.owner not in mine:
            continue
        if ref.field == "cycle":
            if ref.target not in plan.cycles:
                plan.errors.append(_dangling(parsed, ref, "cycle", plan.cycles))
        elif ref.field in ("project", "projects"):
            if ref.target not in plan.projects:
                plan.errors.append(_dangling(parsed, ref, "project", plan.projects))
        elif ref.field == "override":
            if ref.target not in plan.blueprints:
                plan.errors.append(
                    SeedError(
                        parsed.path,
                        ref.line,
                        ref.col,
                        (
                            f"override of '{ref.target}': no blueprint has that key (write its full key, "
                            "cycle/project/id, as list or the dashboard shows it)"
                        ),
                    )
                )
        elif ref.field in ("blueprints", "runway", "history"):
            key = _resolve_blueprint(ref, plan, by_cycle_id, parsed)
            if key and ref.field in ("runway", "history") and plan.blueprints[key].cycle != ref.cycle:
                plan.errors.append(
                    SeedError(
                        parsed.path,
                        ref.line,
                        ref.col,
                        (
                            f"{ref.field} '{ref.target}': blueprint {key} "
                            f"is in cycle '{plan.blueprints[key].cycle}', not '{ref.cycle}' "
                            + (
                                "(a runway queue holds its own cycle's blueprints)"
                                if ref.field == "runway"
                                else "(a history entry is about a blueprint of its own cycle)"
                            )
                        ),
                    )
                )
            elif key:
                resolved[ref.owner].append(key)
    for record in parsed.records:
        if isinstance(record, (Theme, Session)) and record.key in mine and record.blueprints:
            table = plan.table(KIND_OF[type(record)])
            if table.get(record.key) is record:
                table[record.key] = dataclasses.replace(
                    record, blueprints=tuple(dict.fromkeys(resolved.get(record.key, [])))
                )
        elif isinstance(record, Runway) and plan.runways.get(record.key) is record:
            found = resolved.get(record.key)
            if found:
                plan.runways[record.key] = dataclasses.replace(record, blueprint=found[0])
            else:  # the error is said above; an entry with no blueprint has nothing to show
                del plan.runways[record.key]
        elif isinstance(record, AddedHistory) and plan.histories.get(record.key) is record:
            found = resolved.get(record.key)
            if found:
                plan.histories[record.key] = dataclasses.replace(record, blueprint=found[0])
            else:
                del plan.histories[record.key]


def _dangling(parsed: ParsedFile, ref: Reference, kind: str, known: Mapping[str, object]) -> SeedError:
    names = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
    return SeedError(
        parsed.path,
        ref.line,
        ref.col,
        f"{ref.owner}: {ref.field} {_REFERS_TO_UNKNOWN.format(kind)} '{ref.target}' "
        f"(define it with [[{kind}]]; known: {names or 'none'})",
    )


def _resolve_blueprint(ref: Reference, plan: Plan, by_cycle_id: Groups, parsed: ParsedFile) -> str | None:
    """A theme's or session's blueprint reference: ``id``, ``project/id`` or a full key."""
    parts = ref.target.split("/")
    if len(parts) == 3:
        candidates = [ref.target] if ref.target in plan.blueprints else []
    elif len(parts) == 2:
        key = f"{ref.cycle}/{ref.target}"
        candidates = [key] if key in plan.blueprints else []
    else:
        candidates = sorted(by_cycle_id.get((ref.cycle, ref.target), []))
        preferred = f"{ref.cycle}/{ref.project}/{ref.target}"
        if preferred in candidates:
            candidates = [preferred]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        field_name = "blueprint" if ref.field in ("runway", "history") else ref.field
        owner = "[[history]]" if ref.field == "history" else ref.owner  # its key repeats the line's values
        message = (
            f"{owner}: {field_name} refers to unknown blueprint '{ref.target}' "
            f"(no blueprint with that id in cycle '{ref.cycle}')"
        )
    else:
        message = (
            f"{ref.owner}: blueprint '{ref.target}' is ambiguous "
            f"(write one of: {', '.join(c.split('/', 1)[1] for c in candidates)})"
        )
    plan.errors.append(SeedError(parsed.path, ref.line, ref.col, message))
    return None
