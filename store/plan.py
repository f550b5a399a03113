"""Putting seed files together: one plan, cross-file checks, resolved references."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from store.model import (
    KIND_OF,
    AddedMilestone,
    Blueprint,
    Cycle,
    Override,
    Project,
    Record,
    Runway,
    Session,
    State,
    Theme,
)
from store.seeds import ParsedFile, Reference, SeedError

if TYPE_CHECKING:
    from store.index import PlanIndex

# Cycles without dates sort as the newest: they are the ones being planned.
_FAR_FUTURE = dt.date(9999, 12, 31)
# Made on a plan's first patch and handed on to the patched plan (see patch()).
_PATCH_LOOKUPS = ("_by_cycle_id", "_by_project_id", "_origins_by_file")


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
        from store.index import PlanIndex  # it builds on this module

        return PlanIndex(self)

    def __getstate__(self) -> dict:
        # The snapshot keeps the index but not the lookups a patch makes: cheap to make again.
        return {name: value for name, value in self.__dict__.items() if name not in _PATCH_LOOKUPS}

    def table(self, kind: str) -> dict[str, Record]:
        return getattr(self, kind + "s")

    def cycles_newest_first(self) -> list[Cycle]:
        def order(cycle: Cycle):
            return (cycle.release or cycle.start or _FAR_FUTURE, cycle.id)

        return sorted(self.cycles.values(), key=order, reverse=True)

    def find_cycle(self, word: str) -> Cycle | None:
        """The cycle a user means by ``word``: its id or its name, in any case."""
        text = word.strip().lower()
        return next((c for c in self.cycles_newest_first() if text in (c.id.lower(), c.name.lower())), None)


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
        mine: set[str] = set()
        for record in parsed.records:
            kind = KIND_OF[type(record)]
            table = plan.table(kind)
            key = record.key
            origin = f"{kind}:{key}"
            line, col = parsed.positions.get(origin, (0, 0))
            if key in table:
                first = plan.origins[origin]
                plan.errors.append(SeedError(
                    parsed.path, line, col,
                    f"{kind} '{key}': duplicate key (already defined at {first[0]}:{first[1]})",
                ))
                continue
            table[key] = record
            plan.origins[origin] = (parsed.path, line, col)
            mine.add(key)
        accepted.append((parsed, mine))

    by_cycle_id = _by_cycle_id(plan)
    for parsed, mine in accepted:
        _resolve_references(plan, parsed, mine, by_cycle_id)
    _fold_milestones(plan)
    _apply_overrides(plan)
    count_slips(plan)
    return plan


def _by_project_id(plan: Plan) -> dict[tuple[str, str], list[str]]:
    """Blueprint keys by (project, id), across cycles: one piece of work re-proposed cycle after cycle."""
    if "_by_project_id" not in plan.__dict__:
        found: dict[tuple[str, str], list[str]] = defaultdict(list)
        for key, blueprint in plan.blueprints.items():
            found[(blueprint.project, blueprint.id)].append(key)
        plan.__dict__["_by_project_id"] = found
    return plan.__dict__["_by_project_id"]


def carried_to(plan: Plan, blueprint: Blueprint) -> Blueprint | None:
    """Where a deferred blueprint was re-proposed: the same work in the nearest later cycle."""
    if blueprint.state is not State.DEFERRED:
        return None
    order = {cycle.id: at for at, cycle in enumerate(reversed(plan.cycles_newest_first()))}
    mine = order.get(blueprint.cycle, -1)
    later = [plan.blueprints[k] for k in _by_project_id(plan).get((blueprint.project, blueprint.id), ())
             if k in plan.blueprints and order.get(plan.blueprints[k].cycle, -1) > mine]
    return min(later, key=lambda b: order[b.cycle], default=None)


def count_slips(plan: Plan, groups: Iterable[tuple[str, str]] | None = None) -> list[Blueprint]:
    """Give each blueprint the number of earlier cycles in which the same work (project and id)
    was deferred: how often it slipped.  ``groups``: only these (project, id).  Returns the
    blueprints that changed."""
    by = _by_project_id(plan)
    chosen = (keys for keys in by.values() if len(keys) > 1) if groups is None else (by.get(g, ()) for g in groups)
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


def _apply_overrides(plan: Plan) -> None:
    """Give each overridden blueprint its override's state, and the override's history with its own."""
    for override in plan.overrides.values():
        blueprint = plan.blueprints.get(override.blueprint)
        if blueprint is None:  # reported with the references
            continue
        history = tuple(sorted(blueprint.history + override.history, key=lambda h: h.date))
        plan.blueprints[override.blueprint] = dataclasses.replace(
            blueprint, state=override.state or blueprint.state, history=history)


def _fold_milestones(plan: Plan) -> None:
    """Give each cycle the ``[[milestone]]`` tables other files add to it, in date order."""
    added: dict[str, list] = defaultdict(list)
    for entry in plan.milestones.values():
        if entry.cycle in plan.cycles:  # an unknown cycle is reported with the references
            added[entry.cycle].append(entry.milestone())
    for cid, extra in added.items():
        cycle = plan.cycles[cid]
        merged = sorted(cycle.milestones + tuple(extra), key=lambda m: m.date)
        plan.cycles[cid] = dataclasses.replace(cycle, milestones=tuple(merged))


def patch(plan: Plan, parsed: ParsedFile) -> Plan | None:
    """``plan`` with one file's records replaced by a new parse of it, or None when that needs a full assemble.

    This is the live reload of one saved file at 50,000 blueprints: a full
    assemble and index take about half a second, a patch a few milliseconds.
    It is only done when nothing outside the file can see the change: the
    parse is clean, the file defines exactly the same keys as before and no
    cycle or milestone (cycles set the order of everything), and no other file's message
    quotes its positions.  Then the other files' records, references and
    errors are as they were, and only this file's are redone.  ``plan`` is
    not changed: the dashboard may be drawing it.
    """
    path = parsed.path
    if not parsed.ok or any(isinstance(r, (Cycle, AddedMilestone, Override)) for r in parsed.records):
        return None
    if any(plan.origins.get(f"blueprint:{key}", ("",))[0] == path for key in plan.overrides):
        return None  # its blueprints carry another file's override: assembled again, they keep it
    before = _origins_by_file(plan).get(path, set())
    after = {f"{KIND_OF[type(r)]}:{r.key}" for r in parsed.records}
    if before != after or len(after) != len(parsed.records):
        return None
    if any(e.path != path and f"already defined at {path}:" in e.message for e in plan.errors):
        return None
    new = dataclasses.replace(
        plan,
        projects=dict(plan.projects), themes=dict(plan.themes), sessions=dict(plan.sessions),
        blueprints=dict(plan.blueprints), runways=dict(plan.runways), origins=dict(plan.origins),
        errors=[e for e in plan.errors if e.path != path] + list(parsed.errors),
    )
    mine = set()
    for record in parsed.records:
        kind = KIND_OF[type(record)]
        new.table(kind)[record.key] = record
        origin = f"{kind}:{record.key}"
        new.origins[origin] = (path, *parsed.positions.get(origin, (0, 0)))
        mine.add(record.key)
    _resolve_references(new, parsed, mine, _by_cycle_id(plan))
    new.__dict__["_by_cycle_id"] = plan.__dict__["_by_cycle_id"]  # the same keys, so the same map
    new.__dict__["_origins_by_file"] = plan.__dict__["_origins_by_file"]  # the same keys in the same files
    new.__dict__["_by_project_id"] = _by_project_id(plan)
    blueprints = [r for r in parsed.records if isinstance(r, Blueprint)]
    slipped = count_slips(new, {(b.project, b.id) for b in blueprints})
    if "index" in plan.__dict__:
        changed = [new.blueprints[b.key] for b in blueprints] + [b for b in slipped if b.key not in mine]
        regroup = any(isinstance(r, (Theme, Session)) for r in parsed.records)
        new.__dict__["index"] = plan.index.patched(new, changed, regroup=regroup)
    return new


def _origins_by_file(plan: Plan) -> dict[str, set[str]]:
    """Each seed file's records (``kind:key``), made once per plan: a patch asks for one file's."""
    if "_origins_by_file" not in plan.__dict__:
        found: dict[str, set[str]] = defaultdict(set)
        for origin, (where, _, _) in plan.origins.items():
            found[where].add(origin)
        plan.__dict__["_origins_by_file"] = dict(found)
    return plan.__dict__["_origins_by_file"]


def _by_cycle_id(plan: Plan) -> dict[tuple[str, str], list[str]]:
    """Blueprint keys by (cycle, id): how a theme's or session's bare blueprint id is found."""
    if "_by_cycle_id" not in plan.__dict__:
        found: dict[tuple[str, str], list[str]] = defaultdict(list)
        for key, blueprint in plan.blueprints.items():
            found[(blueprint.cycle, blueprint.id)].append(key)
        plan.__dict__["_by_cycle_id"] = found
    return plan.__dict__["_by_cycle_id"]


def _resolve_references(plan: Plan, parsed: ParsedFile, mine: set[str], by_cycle_id) -> None:
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
                plan.errors.append(SeedError(parsed.path, ref.line, ref.col, (
                    f"override of '{ref.target}': no blueprint has that key (write its full key, "
                    "cycle/project/id, as list or the dashboard shows it)")))
        elif ref.field in ("blueprints", "runway"):
            key = _resolve_blueprint(ref, plan, by_cycle_id, parsed)
            if key and ref.field == "runway" and plan.blueprints[key].cycle != ref.cycle:
                plan.errors.append(SeedError(parsed.path, ref.line, ref.col, (
                    f"runway '{ref.target}': blueprint {key} is in cycle '{plan.blueprints[key].cycle}', "
                    f"not '{ref.cycle}' (a runway queue holds its own cycle's blueprints)")))
            elif key:
                resolved[ref.owner].append(key)
    for record in parsed.records:
        if isinstance(record, (Theme, Session)) and record.key in mine and record.blueprints:
            table = plan.table(KIND_OF[type(record)])
            if table.get(record.key) is record:
                table[record.key] = dataclasses.replace(
                    record, blueprints=tuple(dict.fromkeys(resolved.get(record.key, []))))
        elif isinstance(record, Runway) and plan.runways.get(record.key) is record:
            found = resolved.get(record.key)
            if found:
                plan.runways[record.key] = dataclasses.replace(record, blueprint=found[0])
            else:  # the error is said above; an entry with no blueprint has nothing to show
                del plan.runways[record.key]


def _dangling(parsed: ParsedFile, ref: Reference, kind: str, known: dict) -> SeedError:
    names = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
    return SeedError(
        parsed.path, ref.line, ref.col,
        f"{ref.owner}: {ref.field} refers to unknown {kind} '{ref.target}' "
        f"(define it with [[{kind}]]; known: {names or 'none'})",
    )


def _resolve_blueprint(ref: Reference, plan: Plan, by_cycle_id, parsed: ParsedFile) -> str | None:
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
        field_name = "blueprint" if ref.field == "runway" else ref.field
        message = (f"{ref.owner}: {field_name} refers to unknown blueprint '{ref.target}' "
                   f"(no blueprint with that id in cycle '{ref.cycle}')")
    else:
        message = (f"{ref.owner}: blueprint '{ref.target}' is ambiguous "
                   f"(write one of: {', '.join(c.split('/', 1)[1] for c in candidates)})")
    plan.errors.append(SeedError(parsed.path, ref.line, ref.col, message))
    return None
