"""openstack/releases: every series, and each one's week-by-week schedule.

The input is a checkout of openstack/releases (``data/series_status.yaml``
and ``doc/source/<series>/schedule.yaml``) or a folder holding
``series_status.yaml`` and ``<series>/schedule.yaml`` directly.  A week of a
schedule lists event labels under ``x-project`` and ``project-specific``;
an event's title is the heading under ``.. _label:`` in a ``schedule.rst``,
which is often another series' (the previous release's ``*-final`` sits in
the first week of the next cycle).  So labels are looked up in the series'
own ``schedule.rst`` first, then in every other one.

How an event becomes a milestone (what the schedule pages say, not guesses):
- its kind comes from its label and title, and only an event of the series
  itself gets one: the next cycle's elections or the last cycle's release in
  this schedule are ``other``;
- its day is the Thursday of its week, the day deadlines fall on, except a
  gathering (PTG, summit), which starts on the Monday, and the release, which
  is the series' ``initial-release`` day;
- a project-specific event names its project: the section it is under in the
  ``schedule.rst``, else the first word of its title where the label names it
  (``o-key-spec-freeze`` is "Keystone Spec Freeze").
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from store.model import CycleStatus, Milestone, MilestoneKind
from store.seeds import clean_text, slugify
from store.upstream.yamltext import UpstreamError, read_text, read_yaml

# series_status.yaml's words for a status, as this plan writes them.
_STATUS = {
    "future": CycleStatus.FUTURE,
    "development": CycleStatus.DEVELOPMENT,
    "maintained": CycleStatus.MAINTAINED,
    "extended maintenance": CycleStatus.EXTENDED_MAINTENANCE,
    "unmaintained": CycleStatus.UNMAINTAINED,
    "end of life": CycleStatus.EOL,
    "eol": CycleStatus.EOL,
}
# The second word of a project-specific label that is not a project.
_NOT_A_PROJECT = {"ptl", "tc", "election", "elections", "email", "goals"}
_LABEL = re.compile(r"^\.\. _([A-Za-z0-9][\w.-]*):\s*$")
_UNDERLINE = re.compile(r"^([=\-^~\"'`#*+])\1{2,}\s*$")
_SERIES = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Series:
    name: str  # "antelope"
    release_id: str | None  # "2023.1", kept as written
    status: CycleStatus | None
    release: dt.date | None  # initial-release

    @property
    def cycle_id(self) -> str:
        return self.release_id or self.name

    @property
    def title(self) -> str:
        name = self.name.capitalize()
        return f"{self.release_id} {name}" if self.release_id else name


@dataclass(frozen=True)
class Event:
    label: str
    project_specific: bool
    week_start: dt.date
    week_end: dt.date
    line: int
    col: int


@dataclass(frozen=True)
class Schedule:
    path: str  # as shown in messages
    start: dt.date | None
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Label:
    heading: str
    project: str | None = None  # the project section of a schedule.rst it sits in


@dataclass
class ImportedCycle:
    """One series as seeds: its cycle, milestones and the projects they name."""

    series: Series
    start: dt.date | None
    milestones: list[Milestone]
    sources: list[str]  # the input files, for the generated file's header
    projects: dict[str, str] = field(default_factory=dict)  # id -> name


@dataclass
class Releases:
    series: list[Series]  # newest first, as series_status.yaml lists them
    schedules: dict[str, Schedule]
    labels: dict[str, dict[str, Label]]  # series -> label -> title
    status_path: str
    warnings: list[str] = field(default_factory=list)


def read_releases(root: Path, labels_tsv: Path | None = None) -> Releases:
    """Everything under ``root``; an error in any file stops the import (UpstreamError)."""
    if (root / "data" / "series_status.yaml").is_file():
        status_file, docs = root / "data" / "series_status.yaml", root / "doc" / "source"
    else:
        status_file, docs = root / "series_status.yaml", root
    if not status_file.is_file():
        raise UpstreamError(
            str(root),
            0,
            0,
            "no series_status.yaml here (nor data/series_status.yaml of an openstack/releases checkout)",
        )
    series = _read_series(status_file, str(status_file))
    releases = Releases(series, {}, {}, str(status_file))
    for item in series:
        folder = docs / item.name
        schedule = folder / "schedule.yaml"
        if schedule.is_file():
            releases.schedules[item.name] = _read_schedule(schedule, str(schedule))
    # Labels: every schedule.rst there is, not only those of listed series.
    if docs.is_dir():
        for rst in sorted(docs.glob("*/schedule.rst")):
            releases.labels.setdefault(rst.parent.name, {}).update(_read_rst_labels(rst))
    if labels_tsv is not None:
        for name, found in _read_label_index(labels_tsv).items():
            for label, entry in found.items():
                releases.labels.setdefault(name, {}).setdefault(label, entry)  # a schedule.rst wins
    return releases


def _read_series(path: Path, display: str) -> list[Series]:
    document = read_yaml(path, display)
    found: list[Series] = []
    seen: set[str] = set()
    for entry in document.items("series_status.yaml"):
        fields = entry.mapping("a series")
        if "name" not in fields:
            raise entry.error("a series has no 'name'")
        name = fields["name"].text("name").strip()
        if not _SERIES.match(name):
            raise fields["name"].error(f"series name '{name}' must be lower-case letters, digits and '-'")
        if name in seen:
            raise fields["name"].error(f"series '{name}' is listed twice")
        seen.add(name)
        release_id = fields["release-id"].text("release-id").strip() if "release-id" in fields else None
        if release_id is not None and not re.fullmatch(r"\d{4}\.\d+", release_id):
            raise fields["release-id"].error(f"series '{name}': release-id '{release_id}' is not like 2023.1")
        status = None
        if "status" in fields:
            word = fields["status"].text("status").strip().lower()
            status = _STATUS.get(word) or _STATUS.get(word.replace("-", " "))
            if status is None:
                raise fields["status"].error(
                    f"series '{name}': unknown status '{word}' (expected one of: {', '.join(_STATUS)})"
                )
        release = fields["initial-release"].date("initial-release") if "initial-release" in fields else None
        found.append(Series(name, release_id, status, release))
    return found


def _read_schedule(path: Path, display: str) -> Schedule:
    fields = read_yaml(path, display).mapping("schedule.yaml")
    start = fields["start-week"].date("start-week") if "start-week" in fields else None
    if "cycle" not in fields:
        raise UpstreamError(display, 1, 1, "no 'cycle' list of weeks")
    events: list[Event] = []
    for week in fields["cycle"].items("cycle"):
        days = week.mapping("a week")
        for key in ("start", "end"):
            if key not in days:
                raise week.error(f"a week has no '{key}' day")
        week_start, week_end = days["start"].date("start"), days["end"].date("end")
        if week_end < week_start:
            raise days["end"].error(f"the week ends ({week_end}) before it starts ({week_start})")
        for key, specific in (("x-project", False), ("project-specific", True)):
            for item in days[key].items(key) if key in days else []:
                label = item.text(f"a {key} label").strip()
                events.append(Event(label, specific, week_start, week_end, item.line, item.col))
    return Schedule(display, start, tuple(events))


def _read_rst_labels(path: Path) -> dict[str, Label]:
    """``label -> heading`` from a schedule.rst, with the project section of each.

    An event sits under ``.. _label:`` followed by its heading; under
    "Project-specific events" a heading with no label of its own is a
    project's section ("Cinder").
    """
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    found: dict[str, Label] = {}
    pending: str | None = None
    in_projects = False
    project: str | None = None
    for at, line in enumerate(lines):
        match = _LABEL.match(line)
        if match:
            pending = match.group(1)
            continue
        below = lines[at + 1] if at + 1 < len(lines) else ""
        underline = _UNDERLINE.match(below)
        text = line.strip()
        if not text or not underline or _UNDERLINE.match(line) or len(below.rstrip()) < len(text):
            continue
        if underline.group(1) == "=":  # a top section: cross-project or project-specific events
            in_projects = "project-specific" in text.lower()
            project, pending = None, None
        elif pending is None:
            if in_projects:
                project = text
        else:
            found[pending] = Label(clean_text(text), project if in_projects else None)
            pending = None
    return found


def _read_label_index(path: Path) -> dict[str, dict[str, Label]]:
    """A TSV of ``series, label, heading``, for series whose schedule.rst is not at hand."""
    rows = csv.reader(read_text(path, str(path)).splitlines(), delimiter="\t")
    header = next(rows, [])
    if [h.strip().lower() for h in header[:3]] != ["series", "label", "heading"]:
        raise UpstreamError(str(path), 1, 1, "expected the columns series, label, heading")
    found: dict[str, dict[str, Label]] = {}
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) < 3:
            raise UpstreamError(str(path), number, 1, f"expected 3 columns, found {len(row)}")
        found.setdefault(row[0].strip(), {})[row[1].strip()] = Label(clean_text(row[2].strip()))
    return found


def cycles_from(releases: Releases) -> list[ImportedCycle]:
    """Each series as a cycle with its milestones, in series_status.yaml's order."""
    cycles = []
    # A series without a schedule starts when the one before it was released.
    previous_release = {
        s.name: older.release for s, older in zip(releases.series, releases.series[1:], strict=False)
    }
    for series in releases.series:
        schedule = releases.schedules.get(series.name)
        sources = [_base(releases.status_path, 1)]
        if schedule is None:
            milestones = (
                [Milestone(f"{series.name.capitalize()} release", series.release, MilestoneKind.RELEASE)]
                if series.release
                else []
            )
            cycles.append(ImportedCycle(series, previous_release.get(series.name), milestones, sources))
            continue
        sources.append(_base(schedule.path, 2))
        imported = ImportedCycle(series, schedule.start, [], sources)
        seen = set()
        for event in schedule.events:
            milestone = _milestone(series, event, releases, imported)
            if milestone not in seen:  # a label listed twice in a week is one event
                seen.add(milestone)
                imported.milestones.append(milestone)
        imported.milestones.sort(key=lambda m: (m.date, m.project or "", m.name))
        cycles.append(imported)
    return cycles


def _base(path: str, parts: int) -> str:
    return "/".join(Path(path).parts[-parts:])


def _milestone(series: Series, event: Event, releases: Releases, imported: ImportedCycle) -> Milestone:
    label = _lookup(event.label, series.name, releases.labels)
    if label is None:
        schedule = releases.schedules[series.name]
        releases.warnings.append(
            f"{schedule.path}:{event.line}:{event.col}: warning: label '{event.label}' has no heading in any "
            "schedule.rst or label index; the milestone is named by its label"
        )
        label = Label(event.label)
    own = event.label.startswith(series.name[0] + "-")
    kind = kind_of(event.label, label.heading) if own else MilestoneKind.OTHER
    project = _project(event, label)
    if project:
        pid, name = project
        imported.projects.setdefault(pid, name)
    return Milestone(label.heading, _day(kind, event, series), kind, project[0] if project else None)


def _lookup(label: str, series: str, labels: dict[str, dict[str, Label]]) -> Label | None:
    own = labels.get(series, {}).get(label)
    if own is not None:
        return own
    return next((found[label] for _, found in sorted(labels.items()) if label in found), None)


def kind_of(label: str, heading: str) -> MilestoneKind:
    """The kind of one of the series' own events, from its label and title."""
    rest = label.split("-", 1)[1] if "-" in label else label
    words = rest.split("-")
    title = heading.lower()
    if "trail" in rest or "trailing" in title:  # the cycle-trailing deadlines come after the release
        return MilestoneKind.OTHER
    if any(w.startswith("ptg") or w == "vptg" for w in words) or "team gathering" in title:
        return MilestoneKind.PTG
    if "summit" in words or "summit" in title:
        return MilestoneKind.SUMMIT
    if re.fullmatch(r"\d", rest):
        return MilestoneKind.MILESTONE
    if "rc1" in words or "finalrc" in words or "rc" in words:
        return MilestoneKind.RC
    if rest in ("release", "final"):
        return MilestoneKind.RELEASE
    if "proposal" in title or "soft" in title or "prop" in words:
        return MilestoneKind.OTHER  # proposal deadlines and soft freezes come before the freeze itself
    if "spec" in words and re.search(r"spec (approval )?freeze", title):
        return MilestoneKind.SPEC_FREEZE
    if rest == "ff" or "ffreeze" in words or "feature freeze" in title:
        return MilestoneKind.FEATURE_FREEZE
    return MilestoneKind.OTHER


def _project(event: Event, label: Label) -> tuple[str, str] | None:
    """(id, name) of a project-specific event's project, or None."""
    words = event.label.split("-")
    token = words[1] if len(words) > 2 else ""
    if token in _NOT_A_PROJECT:  # elections sit among the projects' events, under "PTL Elections"
        return None
    if label.project:
        return slugify(label.project), label.project
    if not event.project_specific or not token:
        return None
    first = label.heading.split()[0] if label.heading.split() else ""
    if first.lower().startswith(token):  # "key" is Keystone
        return slugify(first), first
    return slugify(token), token.capitalize()


def _day(kind: MilestoneKind, event: Event, series: Series) -> dt.date:
    if (
        kind is MilestoneKind.RELEASE
        and series.release
        and event.week_start <= series.release <= event.week_end + dt.timedelta(days=2)
    ):
        return series.release
    if kind in (MilestoneKind.PTG, MilestoneKind.SUMMIT):
        return event.week_start
    return min(event.week_start + dt.timedelta(days=3), event.week_end)
