"""What reading one seed file gives: its records in file order, the references to resolve, the errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.model import Record


@dataclass(frozen=True, order=True)
class SeedError:
    """One problem in a seed file; ``line`` is 0 where the file has no line to show."""

    path: str
    line: int
    col: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        prefix = "warning: " if self.warning else ""
        return f"{where}: {prefix}{self.message}"


@dataclass(frozen=True)
class Reference:
    """A name in one record that must resolve to another record."""

    owner: str  # key of the record holding the reference
    field: str  # "blueprints", "projects", "project", "cycle"
    target: str  # the text as written
    cycle: str  # context for resolving a blueprint id
    project: str  # preferred project for a bare blueprint id ("" for none)
    line: int
    col: int


@dataclass
class ParsedFile:
    """Everything one seed file gave: records in file order, references, errors."""

    path: str
    records: list[Record] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)  # 'kind:key' -> header
    references: list[Reference] = field(default_factory=list)
    errors: list[SeedError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(not e.warning for e in self.errors)
