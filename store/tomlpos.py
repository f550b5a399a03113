"""Where each key of a TOML document stands: the TOML parser gives no positions.

:func:`locate` scans a document that the parser has already accepted and maps
key paths to ``(line, column)``, both 1-based, so validation errors can name
the line of the offending key rather than just the file.  Paths use the same
shape as the parsed data: ``("blueprint", 3, "state")`` for the ``state`` key
of the fourth ``[[blueprint]]``, ``("blueprint", 3)`` for its header,
``("blueprint", 3, "reviews", 1)`` for the second element of its array.

The scanner trusts that the text is valid TOML; on anything it does not
expect it stops and returns what it has, so a position may be missing but a
wrong one is never invented.
"""

from __future__ import annotations

import contextlib
import functools
import re

import tomli

KeyPath = tuple[str | int, ...]  # table names, keys and array indices
Position = tuple[int, int]

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_VALUE_END = set(",]}\n#")

# Most lines of a seed file are ``key = value`` with a bare key and a value
# that is a one-line string, a scalar or a one-line array of those.  This
# matches such a whole line at once; anything else goes through the scanner
# below, character by character.  At 50,000 blueprints the difference is
# seconds of a cold start.
# (Written so the regex engine repeats character classes, not groups: a group
# per character made matching the bulk of a cold start's locating.)
_STRING = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_SCALAR = r'[^\s\[\]{}"\',#=][^\n#\[\]{}"\',=]*'
_ITEM = rf'(?:{_STRING}|[^\s\[\]{{}}"\',#=]+)'
_FAST_LINE = re.compile(
    rf"([A-Za-z0-9_-]+)[ \t]*=[ \t]*"
    rf"(?:{_STRING}|{_SCALAR}|\[((?:[ \t]*{_ITEM}[ \t]*,)*[ \t]*(?:{_ITEM}[ \t]*)?)\])"
    rf"[ \t]*(?:#[^\n]*)?(?=\n|\Z)"
)
_FAST_ITEM = re.compile(_ITEM)


@functools.lru_cache(maxsize=8)
def _plain_tables(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A run of ``[[name]]`` headers and whole lines the fast match takes (and
    blank and comment lines), matched at once; and the headers within it."""
    header = rf"\[\[[ \t]*{re.escape(name)}[ \t]*\]\]"
    run = re.compile(rf"(?:[ \t]*(?:{header}|{_FAST_LINE.pattern})?[ \t\r]*(?:#[^\n]*)?\n)*")
    return run, re.compile(rf"^[ \t]*({header})", re.MULTILINE)


# A header with one bare key, the usual ``[[blueprint]]``.
_FAST_HEADER = re.compile(r"(\[\[?)[ \t]*([A-Za-z0-9_-]+)[ \t]*(\]\]?)")
_BLANK = re.compile(r"(?:[ \t\r]+|#[^\n]*)*")
_BLANK_LINES = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")


class _Stop(Exception):
    """The text is not what the scanner expects: keep what was found."""


class _Scanner:
    def __init__(self, text: str, skip: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.skip = skip  # top-level tables whose plain key lines are passed over
        self.i = 0
        self.positions: dict[KeyPath, int] = {}  # path -> offset, converted at the end
        self.aot_count: dict[KeyPath, int] = {}  # array-of-tables path -> tables seen
        self.aot_last: dict[KeyPath, int] = {}  # array-of-tables path -> current index

    # -- characters ----------------------------------------------------
    def peek(self, n: int = 1) -> str:
        return self.text[self.i : self.i + n]

    def expect(self, token: str) -> None:
        if not self.text.startswith(token, self.i):
            raise _Stop
        self.i += len(token)

    def skip_blank(self, newlines: bool) -> None:
        """Skip spaces, tabs and comments (and newlines when asked)."""
        found = (_BLANK_LINES if newlines else _BLANK).match(self.text, self.i)
        self.i = found.end() if found else self.i

    # -- keys ------------------------------------------------------------
    def read_string(self, decode: bool = True) -> str:
        """Read a string token and return its value (decoded by the parser itself, when asked)."""
        start = self.i
        text = self.text
        for quote in ('"""', "'''"):
            if text.startswith(quote, self.i):
                j = self.i + 3
                while True:
                    end = text.find(quote, j)
                    if end < 0:
                        raise _Stop
                    if quote == '"""' and _escaped(text, end):
                        j = end + 1
                        continue
                    break
                end += 3
                # A closing delimiter may be followed by up to two more quotes.
                extra = 0
                while extra < 2 and end < len(text) and text[end] == quote[0]:
                    end += 1
                    extra += 1
                self.i = end
                return ""
        quote = text[self.i]
        j = self.i + 1
        while j < len(text):
            ch = text[j]
            if ch == "\\" and quote == '"':
                j += 2
                continue
            if ch == quote:
                break
            if ch == "\n":
                raise _Stop
            j += 1
        else:
            raise _Stop
        self.i = j + 1
        if not decode:
            return ""
        try:
            return str(tomli.loads("k = " + text[start : self.i])["k"])
        except tomli.TOMLDecodeError as exc:  # pragma: no cover - text was valid
            raise _Stop from exc

    def read_key(self) -> tuple[list[str], int]:
        """A dotted key: its parts and the offset where it starts."""
        parts: list[str] = []
        start = self.i
        while True:
            self.skip_blank(newlines=False)
            ch = self.peek()
            if ch in ('"', "'"):
                parts.append(self.read_string())
            else:
                j = self.i
                while j < len(self.text) and self.text[j] in _BARE:
                    j += 1
                if j == self.i:
                    raise _Stop
                parts.append(self.text[self.i : j])
                self.i = j
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return parts, start
            self.i += 1

    # -- values ------------------------------------------------------------
    def skip_value(self, path: KeyPath) -> None:
        ch = self.peek()
        if ch in ('"', "'"):
            self.read_string(decode=False)  # a value: only where it ends matters
        elif ch == "[":
            self.i += 1
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if self.peek() == "]":
                    self.i += 1
                    return
                self.positions[(*path, index)] = self.i
                self.skip_value((*path, index))
                index += 1
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.i += 1
        elif ch == "{":
            self.i += 1
            while True:
                self.skip_blank(newlines=False)
                if self.peek() == "}":
                    self.i += 1
                    return
                parts, start = self.read_key()
                self.positions[path + tuple(parts)] = start
                self.expect("=")
                self.skip_blank(newlines=False)
                self.skip_value(path + tuple(parts))
                self.skip_blank(newlines=False)
                if self.peek() == ",":
                    self.i += 1
        else:
            j = self.i
            while j < len(self.text) and self.text[j] not in _VALUE_END:
                j += 1
            if j == self.i:
                raise _Stop
            self.i = j

    # -- headers -----------------------------------------------------------
    def resolve(self, parts: list[str], array: bool) -> KeyPath:
        """The data path of a ``[table]`` or ``[[array]]`` header."""
        path: KeyPath = ()
        for part in parts[:-1]:
            path += (part,)
            if path in self.aot_last:
                path += (self.aot_last[path],)
        path += (parts[-1],)
        if array:
            index = self.aot_count.get(path, 0)
            self.aot_count[path] = index + 1
            self.aot_last[path] = index
            path += (index,)
        return path

    def claim_parents(self, table: KeyPath, start: int) -> None:
        """Tables a header creates implicitly (``[a.b]`` makes ``a``) start there too."""
        for end in range(1, len(table)):
            self.positions.setdefault(table[:end], start)

    def pass_over(self, name: str) -> KeyPath | None:
        """Locate the headers of a run of plain ``[[name]]`` tables, not their keys;
        the path of the last one, or None when the run is empty."""
        run, headers = _plain_tables(name)
        found = run.match(self.text, self.i)  # a run may be empty, so it always matches
        end = found.end() if found else self.i
        table = None
        for header in headers.finditer(self.text, self.i, end):
            table = self.resolve([name], array=True)
            self.positions[table] = header.start(1)
            self.claim_parents(table, header.start(1))
        if table is not None:
            self.i = end
        return table

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.i >= len(self.text):
                return
            start = self.i
            if (line := _FAST_LINE.match(self.text, self.i)) is not None:  # most lines
                path = (*table, line.group(1))
                self.positions[path] = start
                if line.group(2) is not None:  # an array: where each item starts
                    base = line.start(2)
                    for index, item in enumerate(_FAST_ITEM.finditer(line.group(2))):
                        self.positions[(*path, index)] = base + item.start()
                self.i = line.end()
            elif (header := _FAST_HEADER.match(self.text, self.i)) is not None and len(
                header.group(1)
            ) == len(header.group(3)):
                array = len(header.group(1)) == 2
                if array and header.group(2) in self.skip and (last := self.pass_over(header.group(2))):
                    table = last
                    continue
                table = self.resolve([header.group(2)], array=array)
                if array:
                    self.positions[table] = start
                else:
                    self.positions.setdefault(table, start)
                self.claim_parents(table, start)
                self.i = header.end()
            elif self.peek(2) == "[[":
                self.i += 2
                parts, _ = self.read_key()
                self.expect("]]")
                table = self.resolve(parts, array=True)
                self.positions[table] = start
                self.claim_parents(table, start)
            elif self.peek() == "[":
                self.i += 1
                parts, _ = self.read_key()
                self.expect("]")
                table = self.resolve(parts, array=False)
                self.positions.setdefault(table, start)
                self.claim_parents(table, start)
            else:
                parts, start = self.read_key()
                path = table + tuple(parts)
                self.positions[path] = start
                self.expect("=")
                self.skip_blank(newlines=False)
                self.skip_value(path)


def _escaped(text: str, at: int) -> bool:
    backslashes = 0
    j = at - 1
    while j >= 0 and text[j] == "\\":
        backslashes += 1
        j -= 1
    return backslashes % 2 == 1


def locate(text: str, skip: frozenset[str] = frozenset()) -> dict[KeyPath, Position]:
    """Map every key path of a valid TOML document to its (line, column).

    Tables named in ``skip`` (top-level names) get the positions of their
    headers only, and of keys on lines the fast match does not take; what is
    found is always where the full scan puts it.
    """
    scanner = _Scanner(text, skip)
    with contextlib.suppress(_Stop, IndexError):
        scanner.document()
    # Lines counted between one position and the next, in order: a located
    # file may hold thousands of lines and only dozens of positions.
    positions: dict[KeyPath, Position] = {}
    line, counted = 1, 0
    for path, offset in sorted(scanner.positions.items(), key=_offset):
        line += text.count("\n", counted, offset)
        counted = offset
        positions[path] = (line, offset - text.rfind("\n", 0, offset))
    return positions


def _offset(item: tuple[KeyPath, int]) -> int:
    return item[1]


def nearest(positions: dict[KeyPath, Position], path: KeyPath) -> Position:
    """The position of ``path``, or of its closest located ancestor."""
    while path:
        if path in positions:
            return positions[path]
        path = path[:-1]
    return (1, 1)
