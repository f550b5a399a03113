"""Sets of index positions held as Python ints: bit ``p`` stands for position ``p``.

At 50,000 blueprints such a set is a 6 KB int, and union, intersection and
counting (``|``, ``&``, ``int.bit_count``) are each one C operation over it,
a few microseconds, where a list of positions costs a Python step per member.
Only the rows a pane draws are turned back into positions.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Collection, Hashable, Iterator, Sequence
from itertools import compress, islice, repeat
from typing import TypeVar, overload

Value = TypeVar("Value", bound=Hashable)
Item = TypeVar("Item")

# format(bits, "b") writes the highest bit first, in ASCII "0" and "1"; these become 0 and 1.
_DIGITS = bytes.maketrans(b"01", b"\x00\x01")
_ONES = bytes.maketrans(b"\x00\x01", b"01")


def span(start: int, stop: int) -> int:
    """Positions ``start`` to ``stop - 1``."""
    return ((1 << (stop - start)) - 1) << start if stop > start else 0


def from_positions(positions: Collection[int], size: int) -> int:
    """The set of ``positions``, all below ``size``."""
    if len(positions) * 16 < size:  # a few: a byte at a time, a step per position
        octets = bytearray((size + 7) >> 3)
        for p in positions:
            octets[p >> 3] |= 1 << (p & 7)
        return int.from_bytes(octets, "little")
    # Many: a byte per position, set by C-level calls, then read as binary digits.
    marks = bytearray(size)
    deque(map(marks.__setitem__, positions, repeat(1)), maxlen=0)
    return int(marks[::-1].translate(_ONES), 2) if size else 0


def pick(items: Sequence[Item], bits: int) -> list[Item]:
    """The items at the positions in ``bits``, in order: C-level passes over the binary digits."""
    if bits <= 0:
        return []
    low = (bits & -bits).bit_length() - 1  # a cycle's rows start far from position 0
    digits = format(bits >> low, "b").encode("ascii")[::-1].translate(_DIGITS)
    return list(compress(islice(items, low, None), digits))


_BLOCK = 4096  # positions per block of a Picked: one C-level pass reads a block


class Picked(Sequence[Item]):
    """``pick(items, bits)`` read only where it is looked at.

    Its length is a popcount, and an index reads the one block of 4,096
    positions that holds it. A filter keystroke in "all cycles" selects up to
    50,000 rows, of which a pane draws twenty; the whole list took a
    millisecond of the keystroke.
    """

    def __init__(self, items: Sequence[Item], bits: int) -> None:
        self._items = items
        self._bits = max(bits, 0)
        self._len = self._bits.bit_count()
        self._before: list[int] | None = None  # how many members come before each block
        self._block: tuple[int, list[int]] = (-1, [])  # the last block read, and its positions

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[Item]:
        return iter(pick(self._items, self._bits))

    @overload
    def __getitem__(self, index: int) -> Item: ...

    @overload
    def __getitem__(self, index: slice) -> list[Item]: ...

    def __getitem__(self, index: int | slice) -> Item | list[Item]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._len))]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("Picked index out of range")
        before = self._before
        if before is None:
            before, count, whole = [], 0, (1 << _BLOCK) - 1
            for shift in range(0, self._bits.bit_length(), _BLOCK):
                before.append(count)
                count += (self._bits >> shift & whole).bit_count()
            self._before = before
        block = (
            bisect_right(before, index) - 1
        )  # the last block starting at or before it: empty ones are passed
        number, held = self._block
        if number != block:
            start = block * _BLOCK
            held = pick(range(start, start + _BLOCK), self._bits >> start & ((1 << _BLOCK) - 1))
            self._block = (block, held)
        return self._items[held[index - before[block]]]


def positions(bits: int) -> list[int]:
    """The positions in ``bits``, ascending."""
    return pick(range(bits.bit_length()), bits)


def kept(order: Sequence[int], bits: int) -> list[int]:
    """The positions of ``order`` that ``bits`` holds, in ``order``'s order: C-level passes."""
    if bits <= 0:
        return []
    digits = format(bits, "b").encode("ascii")[::-1].translate(_DIGITS)
    digits = digits.ljust(max(len(order), len(digits)), b"\0")
    return list(compress(order, map(digits.__getitem__, order)))


def rank(bits: int, position: int) -> int | None:
    """Where ``position`` comes among the positions in ``bits`` (None: not there)."""
    if not bits >> position & 1:
        return None
    return (bits & ((1 << position) - 1)).bit_count()


def by_value(column: Sequence[Value]) -> dict[Value, int]:
    """For each value in ``column``, the set of positions holding it, in one pass."""
    size = (len(column) + 7) >> 3
    octets_of: dict[Value, bytearray] = {}
    for p, value in enumerate(column):
        octets = octets_of.get(value)
        if octets is None:
            octets = octets_of[value] = bytearray(size)
        octets[p >> 3] |= 1 << (p & 7)
    return {value: int.from_bytes(octets, "little") for value, octets in octets_of.items()}


def by_value_in_steps(column: Sequence[Value], step: int) -> Iterator[dict[Value, int] | None]:
    """:func:`by_value`, ``step`` positions at a time: None after each step, then the sets."""
    size = (len(column) + 7) >> 3
    octets_of: dict[Value, bytearray] = {}
    for start in range(0, len(column), step):
        for p in range(start, min(start + step, len(column))):
            value = column[p]
            octets = octets_of.get(value)
            if octets is None:
                octets = octets_of[value] = bytearray(size)
            octets[p >> 3] |= 1 << (p & 7)
        yield None
    yield {value: int.from_bytes(octets, "little") for value, octets in octets_of.items()}


def without(bits: int, at: int) -> int:
    """``bits`` with position ``at`` taken out: the positions above it move down by one."""
    return (bits & ((1 << at) - 1)) | ((bits >> (at + 1)) << at)


def with_gap(bits: int, at: int) -> int:
    """``bits`` with an empty position put in at ``at``: those from it on move up by one."""
    return (bits & ((1 << at) - 1)) | ((bits >> at) << (at + 1))
