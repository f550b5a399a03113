"""The filter language and blueprint key look-up, shared by the CLI and the dashboard.

A filter is words: ``project:nova state:approved,blocked category:scheduler
theme:<id> owner:melwitt cycle:kilo`` plus free text.  Values separated by
commas mean "any of"; different fields must all match; every free word must
appear in the blueprint's key, title, category or owner (case does not
matter).  A leading ``-`` leaves out what the part matches
(``-state:implemented``, ``-project:cinder``, ``-docs``).
"""

from __future__ import annotations

import dataclasses
import shlex
from dataclasses import dataclass
from typing import Any

from store.model import Blueprint, State

FIELDS = ("project", "state", "category", "theme", "owner", "cycle")
ALL_CYCLES = "all"


class QueryError(ValueError):
    """A filter or key the user typed that cannot be used; the message says why."""


@dataclass(frozen=True)
class Filter:
    projects: frozenset[str] = frozenset()
    states: frozenset[State] = frozenset()
    categories: tuple[str, ...] = ()
    themes: frozenset[str] = frozenset()
    cycles: frozenset[str] = frozenset()  # empty: not given; {"all"}: every cycle
    words: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()  # parts of an owner's name, any of them
    # The "-" parts: a blueprint that any one of them matches is left out.
    excluded: Filter | None = None

    @classmethod
    def parse(cls, text: str | list[str] | tuple[str, ...]) -> Filter:
        if isinstance(text, str):
            try:
                tokens = shlex.split(text)
            except ValueError as exc:
                raise QueryError(f"filter: {exc}") from None
        else:
            tokens = [t for part in text for t in part.split()]
        wanted: list[str] = []
        left_out: list[str] = []
        for token in tokens:
            if len(token) > 1 and token.startswith("-"):
                left_out.append(token[1:])
            else:
                wanted.append(token)
        if any(t.partition(":")[0].lower() == "cycle" and ":" in t for t in left_out):
            raise QueryError("filter: '-cycle:' cannot be used; name the cycle to show with 'cycle:'")
        excluded = cls._from_tokens(left_out) if left_out else None
        return dataclasses.replace(cls._from_tokens(wanted), excluded=excluded)

    @classmethod
    def _from_tokens(cls, tokens: list[str]) -> Filter:
        values: dict[str, list[str]] = {name: [] for name in FIELDS}
        words: list[str] = []
        for token in tokens:
            name, colon, value = token.partition(":")
            if colon and name.lower() in FIELDS:
                items = [v.strip() for v in value.split(",") if v.strip()]
                if not items:
                    raise QueryError(f"filter: '{token}' needs a value after the colon")
                values[name.lower()].extend(items)
            elif colon and name.isidentifier() and name.isalpha() and not value.startswith("/"):
                raise QueryError(
                    f"filter: unknown field '{name}:' "
                    f"(use one of {', '.join(f + ':' for f in FIELDS)} or plain words; "
                    "'-' before one leaves out what it matches)"
                )
            else:
                words.append(token.lower())
        states = set()
        for word in values["state"]:
            try:
                states.add(State.parse(word))
            except ValueError:
                raise QueryError(
                    f"filter: unknown state '{word}' (expected one of {', '.join(State.names())}, done)"
                ) from None
        return cls(
            projects=frozenset(p.lower() for p in values["project"]),
            states=frozenset(states),
            categories=tuple(c.lower() for c in values["category"]),
            themes=frozenset(values["theme"]),
            cycles=frozenset(c.lower() for c in values["cycle"]),
            words=tuple(words),
            owners=tuple(o.lower() for o in values["owner"]),
        )

    @property
    def all_cycles(self) -> bool:
        return ALL_CYCLES in self.cycles

    def with_cycles(self, cycles: frozenset[str]) -> Filter:
        return dataclasses.replace(self, cycles=cycles)

    def __str__(self) -> str:
        parts = self._parts()
        if self.excluded is not None:
            parts.extend("-" + part for part in self.excluded._parts())
        return " ".join(parts)

    def _parts(self) -> list[str]:
        parts = []
        if self.cycles:
            parts.append("cycle:" + ",".join(sorted(self.cycles)))
        if self.projects:
            parts.append("project:" + ",".join(sorted(self.projects)))
        if self.states:
            parts.append("state:" + ",".join(s.value for s in State if s in self.states))
        if self.categories:
            parts.append("category:" + ",".join(self.categories))
        if self.themes:
            parts.append("theme:" + ",".join(sorted(self.themes)))
        if self.owners:
            parts.append("owner:" + ",".join(self.owners))
        parts.extend(shlex.quote(w) for w in self.words)
        return parts

    def matches(
        self,
        blueprint: Blueprint,
        state: State,
        theme_members: set[str] | None = None,
        left_out_members: set[str] | None = None,
    ) -> bool:
        """Whether a blueprint in its effective ``state`` passes; themes need ``theme_members``
        (and the left-out themes, ``left_out_members``)."""
        if self.cycles and not self.all_cycles and blueprint.cycle.lower() not in self.cycles:
            return False
        if not self._all_match(blueprint, state, theme_members):
            return False
        left_out = self.excluded
        return left_out is None or not left_out._any_matches(blueprint, state, left_out_members)

    def _all_match(self, blueprint: Blueprint, state: State, theme_members: set[str] | None) -> bool:
        if self.projects and blueprint.project.lower() not in self.projects:
            return False
        if self.states and state not in self.states:
            return False
        if self.categories:
            category = blueprint.category.lower()
            if not any(c in category for c in self.categories):
                return False
        if self.owners:
            owner = blueprint.owner.lower()
            if not any(o in owner for o in self.owners):
                return False
        if self.themes and (theme_members is None or blueprint.key not in theme_members):
            return False
        if self.words:
            text = haystack(blueprint)
            if not all(word in text for word in self.words):
                return False
        return True

    def _any_matches(self, blueprint: Blueprint, state: State, theme_members: set[str] | None) -> bool:
        """Whether any one part matches (how the left-out parts are read)."""
        text = haystack(blueprint) if self.words else ""
        return (
            blueprint.project.lower() in self.projects
            or state in self.states
            or any(c in blueprint.category.lower() for c in self.categories)
            or any(o in blueprint.owner.lower() for o in self.owners)
            or bool(self.themes and theme_members and blueprint.key in theme_members)
            or any(word in text for word in self.words)
        )


def haystack(blueprint: Blueprint) -> str:
    """What free words are looked for in: key, title, category and owner, lower case."""
    return " ".join((blueprint.key, blueprint.title, blueprint.category, blueprint.owner)).lower()


def resolve_key(text: str, keys: list[str] | dict[str, Any]) -> str:
    """The one blueprint key that ``text`` names in full or as a ``/``-bounded suffix."""
    wanted = text.strip().strip("/")
    if not wanted:
        raise QueryError("no blueprint key given")
    if wanted in keys:
        return wanted
    tail = "/" + wanted
    candidates = sorted(k for k in keys if k.endswith(tail))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise QueryError(f"no blueprint matches '{text}' (try 'cycleboard list {wanted.split('/')[-1]}')")
    shown = ", ".join(candidates[:10]) + (
        f", and {len(candidates) - 10} more" if len(candidates) > 10 else ""
    )
    raise QueryError(f"'{text}' is ambiguous; it matches {len(candidates)} blueprints: {shown}")
