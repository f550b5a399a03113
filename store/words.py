"""Which blueprints' text holds a word, without reading the text on every keystroke.

A filter word matches a blueprint when it occurs in its haystack (key, title,
category and owner, lower case). Scanning every haystack of a large plan
costs most of a frame a keystroke (docs/performance.md). So the haystacks are cut into atoms, the runs
of word characters (``\\w+``), and each distinct atom keeps the set of
positions whose haystack holds it. A word made of word characters only lies
inside one atom wherever it occurs, so the blueprints holding it are the
union of the sets of every atom containing it: a scan of the vocabulary (a
few hundred to tens of thousands of atoms) and a few big-int unions. A word
with other characters (``p12/sched``) is looked for in the haystacks of the
blueprints holding all its atoms.

Sets shared by many blueprints are bitsets (store/bitset.py); a rare atom's
set stays a tuple of positions, since a bitset costs a bit per blueprint.
A single letter that many rare atoms share (the "v" of hundreds of owners
named "dev<N>") keeps a set of its own, so a word's first letter is as quick
as the rest.
The index is built a slice at a time (see :func:`build`), so a dashboard can
build it between keystrokes.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from functools import reduce
from itertools import chain, compress, repeat
from operator import contains, or_
from time import perf_counter

from store import bitset

_ATOM = re.compile(r"\w+")
_SLICE_S = 0.002  # how long a step of the build may hold the interpreter
_LETTER_BATCH = 4096  # positions joined in one step while learning letters


def atoms(text: str) -> list[str]:
    return _ATOM.findall(text)


def _dense_from(size: int) -> int:
    # A bitset costs size/8 bytes, a tuple 8 bytes a member: the break-even is size/64.
    return max(64, size // 64)


class WordIndex:
    def __init__(
        self,
        haystacks: Sequence[str],
        rows: dict[str, int | tuple[int, ...]],
        letters: dict[str, int] | None = None,
    ) -> None:
        self.haystacks = haystacks
        self._rows = rows  # atom -> bitset, or a tuple of positions for a rare atom
        self._vocabulary = list(rows)
        # The atoms holding a recent word: typing "sch" after "sc" only looks among sc's.
        self._atoms_of: OrderedDict[str, list[str]] = OrderedDict()
        # Single characters held by many rare atoms (the "v" of four hundred "dev62"-like
        # owners), as the set of positions whose text holds them: see :meth:`learning_letters`.
        self._letters: dict[str, int] = letters if letters is not None else {}

    def rows_with(self, word: str, among: int) -> int:
        """The positions in ``among`` whose haystack holds ``word``."""
        parts = atoms(word)
        if len(parts) == 1 and parts[0] == word:
            return among & self._rows_holding(word, among)
        candidates = among
        for part in parts:
            candidates &= self._rows_holding(part, candidates)
        return scan(self.haystacks, word, candidates)

    def _rows_holding(self, part: str, among: int) -> int:
        """The positions with an atom containing ``part`` (only those in ``among`` are wanted)."""
        known = self._letters.get(part)
        if known is not None:
            return known
        matched = self._matching_atoms(part)
        rows = self._rows
        dense, sparse = 0, []
        for atom in matched:
            found = rows[atom]
            if isinstance(found, int):
                dense |= found
            else:
                sparse.append(found)
        if not sparse:
            return dense
        if sum(map(len, sparse)) > among.bit_count():
            # Many rare atoms hold it (a single letter in a large vocabulary): reading
            # the candidates' text is cheaper than a step per position of every atom.
            return scan(self.haystacks, part, among & ~dense) | dense
        return dense | bitset.from_positions(list(chain.from_iterable(sparse)), len(self.haystacks))

    def _matching_atoms(self, part: str) -> list[str]:
        cache = self._atoms_of
        if part in cache:
            cache.move_to_end(part)
            return cache[part]
        # Any atom holding ``part`` holds every piece of it: start from the smallest known list.
        pool = min(
            (found for known, found in cache.items() if known in part), key=len, default=self._vocabulary
        )
        matched = list(compress(pool, map(contains, pool, repeat(part))))
        cache[part] = matched
        if len(cache) > 16:
            cache.popitem(last=False)
        return matched

    def learning_letters(self) -> Iterator[None]:
        """Work out the letters that many rare atoms share, yielding after each slice of work.

        The first letter of a word is the costliest keystroke: "v" lies in
        every owner named "dev<N>", hundreds of rare atoms whose positions add
        up to every blueprint, and joining them (or reading every text) costs
        most of a frame. A letter's set is the positions whose text holds it, since a
        word character lies inside an atom wherever it occurs.
        """
        letters = sorted(set(chain.from_iterable(self._vocabulary)))
        size = len(self.haystacks)
        slice_ends = perf_counter() + _SLICE_S
        for letter in letters:
            found = [self._rows[atom] for atom in self._matching_atoms(letter)]
            rare = [positions for positions in found if not isinstance(positions, int)]
            if sum(map(len, rare)) <= _dense_from(size):
                continue  # cheap to join on the keystroke itself
            held = reduce(or_, (bits for bits in found if isinstance(bits, int)), 0)
            batch: list[int] = []
            for positions in rare:
                batch += positions
                if len(batch) >= _LETTER_BATCH:
                    held |= bitset.from_positions(batch, size)
                    batch = []
                    if perf_counter() > slice_ends:
                        yield None
                        slice_ends = perf_counter() + _SLICE_S
            self._letters[letter] = held | bitset.from_positions(batch, size)
        self._atoms_of.clear()  # single letters would crowd out the words typed next

    def patched(self, haystacks: Sequence[str], changed: Mapping[int, str]) -> WordIndex:
        """This index over ``haystacks``, where position ``p`` held ``changed[p]`` before; ours is kept."""
        letters = dict(self._letters)
        for p in changed:
            for letter, held in letters.items():
                letters[letter] = held | (1 << p) if letter in haystacks[p] else held & ~(1 << p)
        rows = dict(self._rows)
        for p, before in changed.items():
            old, new = set(atoms(before)), set(atoms(haystacks[p]))
            for atom in old - new:
                found = rows[atom]
                rows[atom] = (
                    found & ~(1 << p) if isinstance(found, int) else tuple(x for x in found if x != p)
                )
            for atom in new - old:
                found = rows.get(atom, ())
                rows[atom] = found | (1 << p) if isinstance(found, int) else tuple(sorted((*found, p)))
        return WordIndex(haystacks, rows, letters)


def scan(haystacks: Sequence[str], word: str, among: int) -> int:
    """The positions in ``among`` whose haystack holds ``word``, by reading them."""
    wanted, texts = bitset.positions(among), bitset.pick(haystacks, among)
    return bitset.from_positions(list(compress(wanted, map(contains, texts, repeat(word)))), len(haystacks))


def build(haystacks: Sequence[str]) -> Iterator[WordIndex | None]:
    """Yield None after each slice of work (about 2 ms), and the index last."""
    size = len(haystacks)
    slice_ends = perf_counter() + _SLICE_S
    rows_of: dict[str, list[int]] = {}
    findall = _ATOM.findall
    for p, text in enumerate(haystacks):
        for atom in findall(text):
            found = rows_of.get(atom)
            if found is None:
                rows_of[atom] = [p]
            elif found[-1] != p:  # an atom twice in one haystack
                found.append(p)
        if p % 64 == 0 and perf_counter() > slice_ends:
            yield None
            slice_ends = perf_counter() + _SLICE_S
    dense_from = _dense_from(size)
    rows: dict[str, int | tuple[int, ...]] = {}
    for atom, found in rows_of.items():
        if len(found) >= dense_from:
            rows[atom] = bitset.from_positions(found, size)
            if perf_counter() > slice_ends:
                yield None
                slice_ends = perf_counter() + _SLICE_S
        else:
            rows[atom] = tuple(found)
    index = WordIndex(haystacks, rows)
    yield from index.learning_letters()
    yield index
