"""The board: a seeds folder and its store, seen as one plan with effective states.

This is what the command line and the dashboard both use; it knows nothing of
either.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from store.cache import PlanCache, RefreshStats
from store.marks import Mark, MarksStore, effective_state
from store.model import Blueprint, State, to_dict
from store.paths import display_path
from store.plan import Plan
from store.query import Filter, resolve_key

PLAN_FILE = "plan.json"
MARKS_FILE = "marks.json"


@dataclass(frozen=True)
class Row:
    """A blueprint as shown: the seed record and its effective state."""

    blueprint: Blueprint
    state: State
    mark: Mark | None

    def to_dict(self) -> dict:
        data = to_dict(self.blueprint)
        data["seed_state"] = data["state"]
        data["state"] = self.state.value
        data["marked_at"] = self.mark.at.isoformat() if self.mark and self.state == self.mark.state else None
        return data


class Board:
    def __init__(self, seeds_dir: Path, store_dir: Path) -> None:
        self.seeds_dir = seeds_dir
        self.store_dir = store_dir
        self.cache = PlanCache(store_dir / PLAN_FILE)
        self.marks = MarksStore(store_dir / MARKS_FILE)
        self.plan = Plan()
        self.latest: dict[str, Mark] = {}
        self.stats = RefreshStats()

    @property
    def notices(self) -> list[str]:
        return self.marks.notices

    def refresh(self) -> Board:
        """Re-read changed seed files and the marks."""
        self.plan, self.stats = self.cache.refresh(self.seeds_dir)
        base = display_path(self.seeds_dir)
        self.plan.errors = [
            dataclasses.replace(e, path=f"{base}/{e.path}" if base != "." else e.path) for e in self.plan.errors
        ]
        self.reload_marks()
        return self

    def reload_marks(self) -> None:
        self.latest = self.marks.latest()

    # -- reading -------------------------------------------------------------
    def row(self, key: str) -> Row:
        blueprint = self.plan.blueprints[key]
        mark = self.latest.get(key)
        return Row(blueprint, effective_state(blueprint, mark), mark)

    def state_of(self, key: str) -> State:
        return self.row(key).state

    def theme_members(self, theme_ids: frozenset[str]) -> set[str]:
        members: set[str] = set()
        for theme in self.plan.themes.values():
            if theme.id in theme_ids or theme.key in theme_ids:
                members.update(theme.blueprints)
        return members

    def rows(self, query: Filter | None = None) -> list[Row]:
        """Blueprints passing ``query``, by cycle (newest first), then key."""
        query = query or Filter()
        members = self.theme_members(query.themes) if query.themes else None
        rank = {c.id: i for i, c in enumerate(self.plan.cycles_newest_first())}
        result = []
        for key in self.plan.blueprints:
            row = self.row(key)
            if query.matches(row.blueprint, row.state, members):
                result.append(row)
        result.sort(key=lambda r: (rank.get(r.blueprint.cycle, -1), r.blueprint.project, r.blueprint.id))
        return result

    def resolve(self, text: str) -> str:
        return resolve_key(text, self.plan.blueprints)

    # -- writing -------------------------------------------------------------
    def mark(self, key: str, state: State, via: str) -> Mark:
        row = self.row(key)
        mark = self.marks.record(key, state, row.state, row.blueprint.state, via)
        self.latest[key] = mark
        return mark

    # -- whole-plan views ------------------------------------------------------
    def export(self) -> dict:
        plan = self.plan
        return {
            "cycles": [to_dict(c) for c in plan.cycles_newest_first()],
            "projects": [to_dict(p) for p in sorted(plan.projects.values(), key=lambda p: p.id)],
            "themes": [to_dict(t) for t in plan.themes.values()],
            "sessions": [to_dict(s) for s in plan.sessions.values()],
            "blueprints": [row.to_dict() for row in self.rows(Filter(cycles=frozenset({"all"})))],
        }

    def counts(self, rows: list[Row]) -> dict[State, int]:
        counts = {state: 0 for state in State}
        for row in rows:
            counts[row.state] += 1
        return counts

