"""The command palette's "go to": any cycle, project or shown blueprint, found by its words.

The provider only finds; what a hit does is the app's (``show_cycle``,
``filter_project``, ``open_blueprint``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

# The palette matches every candidate on each keystroke: a cap keeps it within a frame.
_MOST_BLUEPRINTS = 3_000


class JumpProvider(Provider):
    def _targets(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app: Any = self.app
        plan = app.board.plan
        targets: list[tuple[str, str, Callable[[], Any]]] = [
            (f"Go to cycle {c.name} ({c.id})", "Show this cycle", partial(app.show_cycle, c.id))
            for c in plan.cycles_newest_first()
        ]
        targets += [
            (
                f"Filter by project {p.name} ({p.id})",
                "Show this project's blueprints",
                partial(app.filter_project, p.id),
            )
            for p in sorted(plan.projects.values(), key=lambda p: p.id)
        ]
        rows = app.contents.rows
        for row in rows[:_MOST_BLUEPRINTS] if len(rows) > _MOST_BLUEPRINTS else rows:
            bp = row.blueprint
            targets.append(
                (
                    f"Open {bp.key}: {bp.title}",
                    f"{row.state.value} blueprint",
                    partial(app.open_blueprint, bp.key),
                )
            )
        return targets

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, run in self._targets():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, text=text, help=help_text)

    async def discover(self) -> Hits:
        for text, help_text, run in self._targets()[:20]:
            yield DiscoveryHit(text, run, help=help_text)
