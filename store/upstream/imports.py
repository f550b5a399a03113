"""``cycleboard import``: upstream data in, generated seed files out.

Both imports first read the plan already in the seeds folder, leaving out
their own earlier output, because a fact written by hand wins over an
imported one:
- a cycle a hand-written file defines keeps its fields; the import adds its
  real milestones as ``[[milestone]]`` tables, less those the hand-written
  cycle already names (the same kind and project in the same week);
- a blueprint defined by hand (the same key or the same Launchpad link) is
  not imported again;
- a project is defined once, by whoever defined it first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.import_mark import generated_by
from store.model import (
    AddedMilestone,
    Blueprint,
    Cycle,
    HistoryEntry,
    Milestone,
    MilestoneKind,
    Project,
    State,
)
from store.newest_fact import in_force
from store.seeds import parse_file
from store.upstream.generated import (
    Written,
    array_table,
    plan_besides,
    render,
    write_files,
)
from store.upstream.nova_specs import LAUNCHPAD, blueprint_ids, read_index, usable_slug
from store.upstream.releases import ImportedCycle, cycles_from, read_releases
from store.upstream.yamltext import UpstreamError

RELEASES, NOVA_SPECS = "releases", "nova-specs"
_WEEK = dt.timedelta(days=7)


@dataclass
class Imported:
    written: Written
    counts: str  # what was imported, for the summary line
    notices: list[str] = field(default_factory=list)  # worth knowing; nothing is wrong
    warnings: list[str] = field(default_factory=list)  # input the import had to work around


def import_releases(
    root: Path, out: Path, labels: Path | None = None, only: list[str] | None = None
) -> Imported:
    releases = read_releases(root, labels)
    cycles = cycles_from(releases)
    if only:
        wanted = {word.strip().lower() for word in only if word.strip()}
        known = {c.series.cycle_id.lower() for c in cycles} | {c.series.name for c in cycles}
        unknown = sorted(wanted - known)
        if unknown:
            raise UpstreamError(releases.status_path, 0, 0, f"no series {', '.join(unknown)} here")
        cycles = [c for c in cycles if c.series.cycle_id.lower() in wanted or c.series.name in wanted]
    besides = plan_besides(out, RELEASES)
    files: dict[str, str] = {}
    notices: list[str] = []
    projects: dict[str, str] = {}
    empty: list[str] = []
    milestones = 0
    for cycle in cycles:
        cid = cycle.series.cycle_id
        own = besides.cycles.get(cid)
        about = [f"from {' and '.join(cycle.sources)} of openstack/releases."]
        if own is None:
            entries = cycle.milestones
            data: dict[str, Any] = {"cycle": [_cycle_table(cycle)]}
        else:
            where = besides.origins[f"cycle:{cid}"][0]
            entries = [m for m in cycle.milestones if not _named_already(m, own)]
            notices.extend(_differences(cycle, own, where))
            about.append(
                f"The cycle itself is defined by hand in {where}: these are the milestones it does not name."
            )
            data = {"defaults": {"cycle": cid}, "milestone": [_milestone_table(m) for m in entries]}
        for m in entries:
            if m.project and m.project not in besides.projects:
                projects.setdefault(m.project, cycle.projects.get(m.project, m.project))
        milestones += len(entries)
        if entries or own is None:
            files[f"{RELEASES}/{cid}.toml"] = render(RELEASES, about, data)
        else:
            empty.append(f"{RELEASES}/{cid}.toml")
    # Series this run leaves out (--cycle) keep their files, and the projects those name.
    for needs in _own_files_projects(out, RELEASES, set(files) | set(empty)):
        projects.update({pid: name for pid, name in needs.items() if pid not in besides.projects})
    if projects:
        files[f"{RELEASES}/projects.toml"] = render(
            RELEASES,
            ["The projects that the imported milestones name and no other file defines."],
            {"project": [{"id": pid, "name": name} for pid, name in sorted(projects.items())]},
        )
    else:
        empty.append(f"{RELEASES}/projects.toml")
    written = write_files(out, RELEASES, files, empty)
    counts = f"{len(cycles)} series, {milestones} milestones"
    return Imported(written, counts, notices, releases.warnings)


def _own_files_projects(out: Path, importer: str, replaced: set[str]) -> Iterator[dict[str, str]]:
    """For each of this import's earlier files that this run does not replace: the projects it names."""
    folder = out / importer
    if not folder.is_dir():
        return
    names = {}
    listed = folder / "projects.toml"
    if listed.is_file() and generated_by(listed) == importer:
        names = {r.id: r.name for r in parse_file(listed, listed.name).records if isinstance(r, Project)}
    for path in sorted(folder.glob("*.toml")):
        relative = f"{importer}/{path.name}"
        if relative in replaced or path == listed or generated_by(path) != importer:
            continue
        named = set()
        for record in parse_file(path, relative).records:
            if isinstance(record, AddedMilestone) and record.project:
                named.add(record.project)
            elif isinstance(record, Cycle):
                named.update(m.project for m in record.milestones if m.project)
        yield {pid: names.get(pid, pid.capitalize()) for pid in named}


def _cycle_table(cycle: ImportedCycle) -> dict[str, Any]:
    series = cycle.series
    table: dict[str, Any] = {"id": series.cycle_id, "name": series.title}
    start = cycle.start
    if start and series.release and start > series.release:
        start = None  # a schedule that starts after its own release is not a start to trust
    for key, value in (
        ("start", start),
        ("release", series.release),
        ("status", series.status.value if series.status else None),
    ):
        if value is not None:
            table[key] = value
    table["milestone"] = [_milestone_table(m) for m in cycle.milestones]
    return table


def _milestone_table(milestone: Milestone) -> dict[str, Any]:
    table = {"name": milestone.name, "date": milestone.date, "kind": milestone.kind.value}
    if milestone.project:
        table["project"] = milestone.project
    return table


def _named_already(imported: Milestone, cycle: Cycle) -> bool:
    """Whether the hand-written ``cycle`` already has this milestone, in its own words.

    The same kind for the same project within a week of it (the documents
    give the day, the schedule the week).  A third milestone is also the feature
    freeze ("kilo-3 and feature freeze"), and a cycle-wide "Nova spec freeze"
    written by hand is Nova's spec freeze.
    """
    for own in cycle.milestones:
        if abs(own.date - imported.date) > _WEEK:
            continue
        if imported.kind is MilestoneKind.OTHER:
            if own.name.casefold() == imported.name.casefold():
                return True
            continue
        same_kind = own.kind is imported.kind or (
            imported.kind is MilestoneKind.MILESTONE and own.kind is MilestoneKind.FEATURE_FREEZE
        )
        same_project = own.project == imported.project or (
            own.project is None and imported.project is not None and imported.project in own.name.casefold()
        )
        if same_kind and same_project:
            return True
    return False


def _differences(imported: ImportedCycle, own: Cycle, where: str) -> list[str]:
    series = imported.series
    said = []
    for field_name, theirs, mine in (
        ("start", imported.start, own.start),
        ("release", series.release, own.release),
        ("status", series.status, own.status),
    ):
        if theirs is not None and mine != theirs:
            shown = getattr(theirs, "value", theirs)
            said.append(
                f"{own.id}: {where} gives {field_name} {getattr(mine, 'value', mine) or 'none'}, "
                f"openstack/releases {shown}; the hand-written value stays"
            )
    return said


def import_nova_specs(index: Path, out: Path, today: dt.date | None = None) -> Imported:
    """``today``: the day of the import; what a running cycle's specs say is dated no later."""
    today = today or dt.date.today()
    specs = read_index(index, str(index))
    besides = plan_besides(out, NOVA_SPECS)
    by_cycle: dict[str, list[Any]] = defaultdict(list)
    for spec in specs:
        by_cycle[spec.release].append(spec)
    files: dict[str, str] = {}
    notices: list[str] = []
    warnings: list[str] = []
    empty: list[str] = []
    missing = sorted(cid for cid in by_cycle if cid not in besides.cycles)
    if missing:
        count = sum(len(by_cycle[c]) for c in missing)
        warnings.append(
            f"{index}: {count} spec(s) of {len(missing)} cycle(s) the plan does not define were "
            f"not imported ({', '.join(missing)}); import their schedules first with "
            "'cycleboard import releases'"
        )
    hand_urls = {b.url: b for b in besides.blueprints.values() if b.url}
    imported = kept = dated = 0
    for cid in sorted(c for c in by_cycle if c in besides.cycles):
        ids, why = blueprint_ids(by_cycle[cid])
        notices.extend(why)
        # What the folder says is as of the release: a spec is moved to implemented/ once merged.
        # While the cycle runs it is as of today, the latest it can be known: a fact dated ahead
        # would outrank every change the team makes until then.
        release = besides.cycles[cid].release
        release = min(release, today) if release else None
        landed: dict[str, Any] | None = (
            {"date": release, "state": State.IMPLEMENTED.value, "by": NOVA_SPECS} if release else None
        )
        tables: list[str] = []
        histories: list[str] = []
        for spec in by_cycle[cid]:
            bid = ids[spec]
            # Specs that share a blueprint share its page on Launchpad.
            url = LAUNCHPAD.format(spec.slug) if usable_slug(spec.slug) else ""
            # By key, by Launchpad link, or by the spec's file name
            # (a truncated link: kilo's add-all-in-list-).
            own = (
                besides.blueprints.get(f"{cid}/nova/{bid}")
                or (hand_urls.get(url) if url else None)
                or besides.blueprints.get(f"{cid}/nova/{spec.stem}")
            )
            if own is not None and own.cycle == cid:
                kept += 1
                if own.state is spec.state:
                    continue
                where = besides.origins[f"blueprint:{own.key}"][0]
                if landed is not None and spec.state is State.IMPLEMENTED:
                    # A dated fact beside the hand-written one: the newer wins (docs/seeds.md).
                    histories.append(array_table("history", {"blueprint": own.key_in_cycle, **landed}))
                    dated += 1
                    notices.append(
                        f"{own.key}: implemented in nova-specs (dated {release}), "
                        f"{own.state.value} in {where}; a [[history]] entry says so, and the newer fact wins"
                    )
                else:
                    notices.append(
                        f"{own.key}: {spec.state.value} in nova-specs, {own.state.value} in {where}; "
                        "the hand-written state stays"
                    )
                continue
            landed_here = {"history": [landed]} if landed and spec.state is State.IMPLEMENTED else None
            override = besides.overrides.get(f"{cid}/nova/{bid}")
            if override is not None and override.state is not None and override.state is not spec.state:
                where = besides.origins[f"override:{override.key}"][0]
                # The blueprint as this import writes it, weighed against the override by the plan's rule.
                entries = (
                    (HistoryEntry(release, State.IMPLEMENTED, NOVA_SPECS),) if landed_here and release else ()
                )
                as_imported = Blueprint(cid, "nova", bid, spec.title, spec.state, history=entries)
                kept = in_force(as_imported, besides.cycles[cid].start, override).state is override.state
                notices.append(
                    f"{override.key}: {spec.state.value} in nova-specs, {override.state.value} in {where}; "
                    + (
                        "the override stays (its newest entry is as new or newer)"
                        if kept
                        else f"nova-specs' is newer ({release}) and wins; date the override later to keep it"
                    )
                )
            table = {"id": bid, "title": spec.title, "state": spec.state.value}
            if url:
                table["url"] = url
            tables.append(array_table("blueprint", table, landed_here))
        imported += len(tables)
        if not tables and not histories:
            empty.append(f"{NOVA_SPECS}/{cid}.toml")
            continue
        files[f"{NOVA_SPECS}/{cid}.toml"] = render(
            NOVA_SPECS,
            [
                f"from an index of openstack/nova-specs, specs/{cid}/: approved/ is approved,",
                "implemented/ is implemented (its code merged), dated the cycle's release.",
                *(
                    ["[[history]]: what nova-specs says of blueprints a hand-written file defines."]
                    if histories
                    else []
                ),
            ],
            {"defaults": {"cycle": cid, "project": "nova"}},
            tables + histories,
        )
    if "nova" not in besides.projects and files:
        files[f"{NOVA_SPECS}/projects.toml"] = render(
            NOVA_SPECS, ["Nova, which no other file defines."], {"project": [{"id": "nova", "name": "Nova"}]}
        )
    else:
        empty.append(f"{NOVA_SPECS}/projects.toml")
    if kept:
        notices.append(
            f"{kept} spec(s) already defined by hand were left to those files"
            + (f"; {dated} of them got a dated [[history]] entry" if dated else "")
        )
    written = write_files(out, NOVA_SPECS, files, empty)
    return Imported(written, f"{len(specs)} specs, {imported} blueprints", notices, warnings)
