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
import itertools
import json
import re
from collections.abc import Callable, Iterable

import tomli

from store.tomlpos import KeyPath, Position, locate

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
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")  # TOML wants DEL escaped


def blueprint_range(
    text: str, index: int, positions: dict[KeyPath, Position] | None = None, table: str = "blueprint"
) -> tuple[int, int]:
    """The 0-based lines ``[start, end)`` of the ``index``-th ``[[blueprint]]`` (or ``[[table]]``)
    and its subtables.

    ``end`` stops before the comments and blank lines that lead into whatever follows.
    """
    positions = locate(text) if positions is None else positions
    header = positions.get((table, index))
    if header is None:
        raise EditRefused(f"no [[{table}]] number {index + 1} in the file")
    lines = _lines(text)
    start = header[0] - 1
    if not lines[start].lstrip().startswith("[["):
        raise EditRefused(f"the {table} is not written as a [[{table}]] table")
    mine = (table, index)
    later = [
        line
        for path, (line, _) in positions.items()
        if line - 1 > start and path[:2] != mine and path != (table,)
    ]
    end = min(later) - 1 if later else len(lines)
    while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return start, end


def set_blueprint_state(
    text: str, index: int, state: str, day: dt.date, by: str, table: str = "blueprint"
) -> str:
    """``text`` with the ``index``-th blueprint's ``state`` set and a dated history entry added.

    Only lines of that blueprint change.  ``table``: an ``[[override]]`` instead,
    which has the same ``state`` and ``history``.  Raises :class:`EditRefused`.
    """
    positions = locate(text)
    start, end = blueprint_range(text, index, positions, table)
    lines = _lines(text)
    nl = newline_of(text)
    history = positions.get((table, index, "history"))
    if history is not None and not lines[history[0] - 1].lstrip().startswith("[["):
        raise EditRefused("its history is written inline (history = [...]); edit that file by hand")

    entry = [
        f"[[{table}.history]]{nl}",
        f"date = {day.isoformat()}{nl}",
        f"state = {toml_string(state)}{nl}",
        f"by = {toml_string(by)}{nl}",
    ]
    last = lines[end - 1]
    if not last.endswith("\n"):
        lines[end - 1] = last + nl  # the file ended without a line break
    if lines[end - 1].strip():
        entry.insert(0, nl)
    lines[end:end] = entry

    found = positions.get((table, index, "state"))
    if found is None:
        lines.insert(start + 1, f"state = {toml_string(state)}{nl}")  # first under its header
    else:
        _replace_value(lines, found, _STATE_VALUE, f'"{state}"', "state")
    return _parsed_or_refused("".join(lines))


def _replace_value(
    lines: list[str], found: tuple[int, int], pattern: re.Pattern[str], value: str, name: str
) -> None:
    """Put ``value`` where ``pattern`` finds the value of the key at ``found``; a string keeps its quotes."""
    row, col = found[0] - 1, found[1] - 1
    line = lines[row]
    match = pattern.match(line, col)
    if match is None or line[match.end() : match.end() + 1] in ("'", '"'):
        raise EditRefused(f"its {name} is written in a form cycleboard does not edit; edit that file by hand")
    old = match.group("value")
    if old[0] in "'\"" and value[0] == '"':
        value = f"{old[0]}{value[1:-1]}{old[0]}"
    lines[row] = f"{line[: match.start('value')]}{value}{line[match.end('value') :]}"


def _parsed_or_refused(edited: str) -> str:
    try:
        tomli.loads(edited)
    except tomli.TOMLDecodeError as exc:  # never leave a file that does not parse
        raise EditRefused(f"the edit would not parse ({exc}); edit that file by hand") from None
    return edited


_DONE_VALUE = re.compile(r"""(?P<key>done|"done"|'done')(?P<eq>[ \t]*=[ \t]*)(?P<value>true|false)""")


def set_action_done(text: str, session: int, action: int, done: bool) -> str:
    """``text`` with the ``action``-th ``[[session.action]]`` of the ``session``-th session ticked
    (or not): its ``done`` value changes, or ``done = true`` is added under its header."""
    positions = locate(text)
    lines = _lines(text)
    nl = newline_of(text)
    header = positions.get(("session", session, "action", action))
    if header is None or not lines[header[0] - 1].lstrip().startswith("[["):
        raise EditRefused(
            "the action item is not written as a [[session.action]] table; edit that file by hand"
        )
    value = "true" if done else "false"
    found = positions.get(("session", session, "action", action, "done"))
    if found is None:
        lines.insert(header[0], f"done = {value}{nl}")
    else:
        _replace_value(lines, found, _DONE_VALUE, value, "done")
    return _parsed_or_refused("".join(lines))


_START_VALUE = re.compile(
    r"""(?P<key>start|"start"|'start')(?P<eq>[ \t]*=[ \t]*)(?P<value>\d{4}-\d{2}-\d{2})"""
)


def set_runway_queue(
    text: str,
    indices: list[int],
    keys: list[str | None],
    entries: Iterable[tuple[str, dt.date | None]],
    new_table: Callable[[str, dt.date | None], list[str]],
) -> str:
    """``text`` with the ``[[runway]]`` tables at ``indices`` (one cycle's queue, ``keys`` their
    blueprints) rewritten as ``entries`` (``(key, start)``, head first).

    A table whose blueprint stays keeps its own text and moves to its new place,
    with its ``start`` set, added or dropped; ``new_table(key, start)`` gives the
    lines of a blueprint new to the queue.  The tables must stand together (only
    blank lines and comments between them); with none, the queue goes at the
    end of the file.
    """
    positions = locate(text)
    lines = _lines(text)
    nl = newline_of(text)
    ranges = [blueprint_range(text, index, positions, "runway") for index in indices]
    for (_, end), (start, _) in itertools.pairwise(ranges):
        if any(line.strip() and not line.lstrip().startswith("#") for line in lines[end:start]):
            raise EditRefused("the queue's [[runway]] tables are not together in the file; edit it by hand")
    tables: dict[str, Callable[[dt.date | None], list[str]]] = {}
    for at, (index, key, (start, end)) in enumerate(zip(indices, keys, ranges, strict=False)):
        # Comments between two tables lead into the second: they move with it.
        lead = [line for line in lines[ranges[at - 1][1] : start] if line.strip()] if at else []
        table = lead + lines[start:end]
        if key is not None and key not in tables:
            tables[key] = _with_start(table, positions.get(("runway", index, "start")), start - len(lead), nl)
    block: list[str] = []
    for key, day in entries:
        if block:
            block.append(nl)
        moved = tables.get(key)
        block.extend(moved(day) if moved else [line + nl for line in new_table(key, day)])
    if ranges:
        first, last = ranges[0][0], ranges[-1][1]
        if not block and first > 0 and not lines[first - 1].strip():
            first -= 1  # the blank line that led into the queue goes with it
        lines[first:last] = block
    elif block:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += nl
        lines.extend([nl, *block] if lines and lines[-1].strip() else block)
    return _parsed_or_refused("".join(lines))


def _with_start(
    table: list[str], found: Position | None, first: int, nl: str
) -> Callable[[dt.date | None], list[str]]:
    """A runway table's lines as a function of its start day."""

    def lines_for(day: dt.date | None) -> list[str]:
        out = list(table)
        if found is not None:
            row = found[0] - 1 - first
            if day is None:
                del out[row]
            else:
                _replace_value(out, (row + 1, found[1]), _START_VALUE, day.isoformat(), "start")
        elif day is not None:
            at = len(out)
            while at > 1 and (not out[at - 1].strip() or out[at - 1].lstrip().startswith("#")):
                at -= 1
            if not out[at - 1].endswith("\n"):
                out[at - 1] += nl
            out.insert(at, f"start = {day.isoformat()}{nl}")
        if out and not out[-1].endswith("\n"):
            out[-1] += nl
        return out

    return lines_for


_CYCLE_VALUE = re.compile(
    r"""(?P<key>cycle|"cycle"|'cycle')(?P<eq>[ \t]*=[ \t]*)"""
    r"""(?P<value>"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\n]*')"""
)


def carry_blueprint(text: str, index: int, to: str, day: dt.date, by: str) -> str:
    """``text`` with the ``index``-th blueprint deferred and a copy of it proposed in cycle ``to``.

    The copy is the blueprint's own lines (not its history), placed right after
    its tables, with ``cycle`` and ``state`` set and one history entry: what
    a team writes when a spec is re-proposed for the next cycle.
    """
    positions = locate(text)
    start, end = blueprint_range(text, index, positions)
    lines = _lines(text)
    nl = newline_of(text)
    own_end = min(
        [
            line - 1
            for path, (line, _) in positions.items()
            if path[:2] == ("blueprint", index) and len(path) > 2 and path[2] == "history" and len(path) == 4
        ]
        + [end]
    )
    while own_end - 1 > start and (
        not lines[own_end - 1].strip() or lines[own_end - 1].lstrip().startswith("#")
    ):
        own_end -= 1
    copy = [line if line.endswith("\n") else line + nl for line in lines[start:own_end]]
    found = positions.get(("blueprint", index, "cycle"))
    if found is None:
        copy.insert(1, f"cycle = {toml_string(to)}{nl}")
    else:
        _replace_value(copy, (found[0] - start, found[1]), _CYCLE_VALUE, toml_string(to), "cycle")
    proposed = set_blueprint_state("".join(copy), 0, "proposed", day, by)
    deferred = set_blueprint_state(text, index, "deferred", day, by)
    new_lines = _lines(deferred)
    _, new_end = blueprint_range(deferred, index)
    if not new_lines[new_end - 1].endswith("\n"):
        new_lines[new_end - 1] += nl
    new_lines[new_end:new_end] = [nl, *_lines(proposed)]
    return _parsed_or_refused("".join(new_lines))


def blueprint_text(text: str, index: int) -> str:
    """The ``index``-th blueprint's tables, as written."""
    start, end = blueprint_range(text, index)
    return "".join(_lines(text)[start:end])


def remove_blueprint(text: str, index: int) -> str:
    """``text`` without the ``index``-th blueprint's tables (and the blank line that led into them)."""
    start, end = blueprint_range(text, index)
    lines = _lines(text)
    if start > 0 and not lines[start - 1].strip():
        start -= 1
    del lines[start:end]
    return _parsed_or_refused("".join(lines))
