"""Surgical edits of a seed file's text: the smallest change that says it.

A change made with cycleboard is written into the seed file that defines the
thing changed, and that file is the team's: its comments, blank lines,
quoting, key order and line endings are theirs.  So the text is edited, not
re-serialised: :mod:`store.tomlpos` says where each key stands, and only the
lines of the one blueprint changed are touched (its ``state`` value, and one
``[[blueprint.history]]`` entry added at the end of its tables).  tomlkit was
not used: it reorders arrays of tables that other tables interrupt and adds
headers when appending nested ones, both of which a reviewer would see in
the diff.

Anything the editor does not recognise with certainty (a history written as
an inline array, a state in a multi-line string) is refused with a reason,
never guessed at; the result is always checked to parse.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import tomli

from store.tomlpos import locate

_STATE_VALUE = re.compile(
    r"""(?P<key>state|"state"|'state')(?P<eq>[ \t]*=[ \t]*)"""
    r"""(?P<value>"(?P<basic>[^"\\\n]*(?:\\.[^"\\\n]*)*)"|'(?P<literal>[^'\n]*)')"""
)


def _lines(text: str) -> list[str]:
    """The lines as TOML counts them (only ``\n`` ends one), each with its ending."""
    return _LINE.findall(text)


_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


class EditRefused(Exception):
    """The edit cannot be made safely; the message is one plain line."""


def newline_of(text: str) -> str:
    """The file's own line ending (that of its first line; LF when it has none)."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def blueprint_range(text: str, index: int, positions: dict | None = None) -> tuple[int, int]:
    """The 0-based lines ``[start, end)`` of the ``index``-th ``[[blueprint]]`` and its subtables.

    ``end`` stops before the comments and blank lines that lead into whatever follows.
    """
    positions = locate(text) if positions is None else positions
    header = positions.get(("blueprint", index))
    if header is None:
        raise EditRefused(f"no [[blueprint]] number {index + 1} in the file")
    lines = _lines(text)
    start = header[0] - 1
    if not lines[start].lstrip().startswith("[["):
        raise EditRefused("the blueprint is not written as a [[blueprint]] table")
    mine = ("blueprint", index)
    later = [line for path, (line, _) in positions.items()
             if line - 1 > start and path[:2] != mine and path != ("blueprint",)]
    end = min(later) - 1 if later else len(lines)
    while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return start, end


def set_blueprint_state(text: str, index: int, state: str, day: dt.date, by: str) -> str:
    """``text`` with the ``index``-th blueprint's ``state`` set and a dated history entry added.

    Only lines of that blueprint change.  Raises :class:`EditRefused`.
    """
    positions = locate(text)
    start, end = blueprint_range(text, index, positions)
    lines = _lines(text)
    nl = newline_of(text)
    history = positions.get(("blueprint", index, "history"))
    if history is not None and not lines[history[0] - 1].lstrip().startswith("[["):
        raise EditRefused("its history is written inline (history = [...]); edit that file by hand")

    entry = [f"[[blueprint.history]]{nl}", f"date = {day.isoformat()}{nl}",
             f"state = {toml_string(state)}{nl}", f"by = {toml_string(by)}{nl}"]
    last = lines[end - 1]
    if not last.endswith("\n"):
        lines[end - 1] = last + nl  # the file ended without a line break
    if lines[end - 1].strip():
        entry.insert(0, nl)
    lines[end:end] = entry

    found = positions.get(("blueprint", index, "state"))
    if found is None:
        lines.insert(start + 1, f"state = {toml_string(state)}{nl}")  # first under its header
    else:
        row, col = found[0] - 1, found[1] - 1
        line = lines[row]
        match = _STATE_VALUE.match(line, col)
        if match is None or line[match.end():match.end() + 1] in ("'", '"'):
            raise EditRefused("its state is written in a form cycleboard does not edit; edit that file by hand")
        quote = match.group("value")[0]
        lines[row] = f"{line[:match.start('value')]}{quote}{state}{quote}{line[match.end('value'):]}"

    edited = "".join(lines)
    try:
        tomli.loads(edited)
    except tomli.TOMLDecodeError as exc:  # never leave a file that does not parse
        raise EditRefused(f"the edit would not parse ({exc}); edit that file by hand") from None
    return edited
