"""YAML read as text, with positions.

openstack/releases writes ``release-id: 2023.1`` and ``slurp: yes``; a YAML
loader turns the first into the float 2023.1 (and ``2023.10`` into 2023.1
as well) and the second into True. Here the document is only composed, never
constructed: every scalar stays the text that was written, no tag can run
code, and each value keeps its line and column for error messages. The
importers convert what they need themselves.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml


class UpstreamError(Exception):
    """Input an importer cannot use, as ``FILE:LINE:COL: message``."""

    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        # Line 0: about the file or folder as a whole (missing, unreadable).
        super().__init__(f"{path}:{line}:{col}: {message}" if line else f"{path}: {message}")
        self.path, self.line, self.col, self.message = path, line, col, message


class Value:
    """One node of a YAML document: a mapping, a list or a text."""

    def __init__(self, path: str, node: yaml.Node) -> None:
        self.path = path
        self.node = node

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    @property
    def col(self) -> int:
        return self.node.start_mark.column + 1

    def error(self, message: str) -> UpstreamError:
        return UpstreamError(self.path, self.line, self.col, message)

    def mapping(self, what: str) -> dict[str, Value]:
        if not isinstance(self.node, yaml.MappingNode):
            raise self.error(f"{what} must be a mapping of keys to values")
        found: dict[str, Value] = {}
        for key_node, value_node in self.node.value:
            key = Value(self.path, key_node).text(f"a key of {what}")
            if key in found:
                raise Value(self.path, key_node).error(f"{what}: '{key}' is given twice")
            found[key] = Value(self.path, value_node)
        return found

    def items(self, what: str) -> list[Value]:
        if isinstance(self.node, yaml.ScalarNode) and self.node.value in ("", "~", "null"):
            return []  # an empty "x-project:" holds nothing
        if not isinstance(self.node, yaml.SequenceNode):
            raise self.error(f"{what} must be a list")
        return [Value(self.path, child) for child in self.node.value]

    def text(self, what: str) -> str:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.error(f"{what} must be a single value, not a {'list' if self.is_list else 'mapping'}")
        return str(self.node.value)

    @property
    def is_list(self) -> bool:
        return isinstance(self.node, yaml.SequenceNode)

    def date(self, what: str) -> dt.date:
        raw = self.text(what)
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            raise self.error(f"{what} must be a date like 2018-09-03, not '{raw}'") from None


def read_text(path: Path, display: str) -> str:
    """An input file's text, or an UpstreamError saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UpstreamError(display, 0, 0, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None


def read_yaml(path: Path, display: str) -> Value:
    """The document in ``path``, composed but not constructed (see the module's note)."""
    text = read_text(path, display)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise UpstreamError(display, line, col, f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise UpstreamError(display, 0, 0, f"not valid YAML: {exc}") from None
    if node is None:
        raise UpstreamError(display, 1, 1, "the file is empty")
    return Value(display, node)
