"""Copied text: which generated symbols repeat the story word for word.

A generated symbol is copied when it belongs to a run of at least `min_run` consecutive symbols
(n_input + 1 for a model that reads n_input) found, in the same order, somewhere in the story.
Runs may start in the context the text was generated from: that is how the first generated words
get copied. Symbols are compared whole (a word or a character in any script, or an id), so word
and character mode work alike.

`CopyFinder` indexes a story once (its sorted suffixes), so that each generated text is then
checked in milliseconds. Nothing here knows about Streamlit or models.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CopiedText:
    """What of a generated text the story already holds, word for word."""

    copied: tuple[bool, ...]  # one per generated symbol: part of a run found in the story
    longest_run: int  # generated symbols in the longest such run (0 when nothing is copied)
    longest_run_start: int | None  # where that run starts among the generated symbols
    story_offset: int | None  # where the story has it: symbols[story_offset:story_offset + longest_run]

    @property
    def copied_count(self) -> int:
        return sum(self.copied)

    @property
    def copied_share(self) -> float:
        """Share of the generated symbols that are copied (0..1; 0 when nothing was generated)."""
        return self.copied_count / len(self.copied) if self.copied else 0.0


def copy_summary(copies: CopiedText) -> str:
    """One line for the page and the CLI alike.

    The percentage says 100% or 0% only when every or no symbol is copied.
    """
    percent = round(100 * copies.copied_share)
    if copies.copied_count > 0:
        percent = max(percent, 1)
    if copies.copied_count < len(copies.copied):
        percent = min(percent, 99)
    unit = "symbol" if copies.longest_run == 1 else "symbols"
    return f"copied: {percent}% of the generated symbols; longest copied run: {copies.longest_run} {unit}"


def _are_ids(symbols: Sequence[str] | Sequence[int] | np.ndarray) -> bool:
    """Integer ids (a numpy integer array, or a sequence of ints) rather than symbols."""
    if isinstance(symbols, np.ndarray):
        return symbols.dtype.kind in "iu"
    return len(symbols) > 0 and isinstance(symbols[0], int | np.integer)


def _suffix_array(codes: np.ndarray) -> np.ndarray:
    """The start of every suffix of `codes`, in sorted order (a suffix before the longer ones it begins).

    Prefix doubling (Manber and Myers): suffixes grouped by their first `length` codes are
    grouped by their first 2 * length by the rank of the group `length` codes further on. A
    suffix's rank is where its group starts in the order; groups of one are done, so each
    doubling sorts only the suffixes still tied, the long repeats of the story.
    """
    count = len(codes)
    order = np.argsort(codes, kind="stable")
    group_starts = np.ones(count, dtype=bool)
    group_starts[1:] = codes[order][1:] != codes[order][:-1]
    rank = np.empty(count, dtype=np.int64)
    rank[order] = np.maximum.accumulate(np.where(group_starts, np.arange(count), 0))
    length = 1
    while True:
        tied = np.flatnonzero(~(group_starts & np.append(group_starts[1:], True)))
        if tied.size == 0:
            return order
        starts = order[tied]
        # 0 when the suffix ends within `length`: it sorts before the ones it begins.
        following = np.where(starts + length < count, rank[np.minimum(starts + length, count - 1)] + 1, 0)
        keys = rank[starts] * (count + 1) + following
        resorted = np.argsort(keys, kind="stable")
        order[tied], keys = starts[resorted], keys[resorted]
        group_starts[tied] = np.append(True, keys[1:] != keys[:-1])
        rank[order[tied]] = np.maximum.accumulate(np.where(group_starts[tied], tied, 0))
        length *= 2


class CopyFinder:
    """A story indexed for finding, fast, the runs of a generated text that it already has.

    The story's symbols become one string of code points (one per distinct symbol), so that
    comparing runs is comparing strings, and its suffixes are sorted once. Every run the story
    has is then one stretch of the sorted suffixes, found and narrowed by binary search, whatever
    the story's size and however often the run recurs in it.
    """

    def __init__(self, story_symbols: Sequence[str] | Sequence[int] | np.ndarray, min_run: int):
        if min_run < 1:
            raise ValueError(f"min_run must be at least 1; got {min_run}.")
        self.min_run = min_run
        if _are_ids(story_symbols):
            self._code_of: dict[str, int] | None = None  # ids are their own codes
            codes = np.asarray(story_symbols, dtype=np.int64).ravel()
        else:  # symbols: numbered in order of appearance
            self._code_of = {}
            codes = np.fromiter(
                (self._code_of.setdefault(symbol, len(self._code_of)) for symbol in story_symbols),
                dtype=np.int64,
                count=len(story_symbols),
            )
        self._text = "".join(map(chr, codes.tolist()))
        suffixes = _suffix_array(codes)
        ranks = np.empty_like(suffixes)
        ranks[suffixes] = np.arange(len(suffixes))
        # Arrays of Python ints on indexing, 8 bytes each: the suffixes' starts in sorted order, and
        # each start's place in that order.
        self._suffixes, self._ranks = array("q", suffixes.tobytes()), array("q", ranks.tobytes())

    def _as_text(self, symbols: Sequence[str] | Sequence[int] | np.ndarray) -> str:
        """The symbols as code points, one each, as the story's are."""
        if self._code_of is None:
            return "".join(map(chr, np.asarray(symbols, dtype=np.int64).ravel().tolist()))
        unknown = len(self._code_of)  # a code the story never has
        return "".join(chr(self._code_of.get(symbol, unknown)) for symbol in symbols)

    def _prefix_key(self, offset: int, width: int) -> Callable[[int], str]:
        """For bisect: a suffix's `width` symbols from `offset` on."""
        text, stop = self._text, offset + width
        return lambda start: text[start + offset : start + stop]

    def _narrow(self, low: int, high: int, offset: int, wanted: str) -> tuple[int, int]:
        """The part of suffixes[low:high] whose symbols from `offset` on start with `wanted`."""
        key = self._prefix_key(offset, len(wanted))
        low = bisect_left(self._suffixes, wanted, low, high, key=key)
        return low, bisect_right(self._suffixes, wanted, low, high, key=key)

    def _around(self, rank: int, wanted: str) -> tuple[int, int]:
        """The stretch of sorted suffixes around suffixes[rank] (one that starts with `wanted`)
        that all start with it.

        Galloping out from it, then a binary search within the last step: a few comparisons when
        the stretch is short, as it is for most runs of a story.
        """
        key, suffixes = self._prefix_key(0, len(wanted)), self._suffixes
        step = 1
        while rank - step >= 0 and key(suffixes[rank - step]) == wanted:
            step *= 2
        low = bisect_left(suffixes, wanted, max(0, rank - step), rank, key=key)
        step = 1
        while rank + step < len(suffixes) and key(suffixes[rank + step]) == wanted:
            step *= 2
        return low, bisect_right(suffixes, wanted, rank + 1, min(len(suffixes), rank + step), key=key)

    def _runs(self, text: str) -> list[tuple[int, int, int, int]]:
        """(start, length, low, high) of the longest text[start:start + length] the story has, for
        each start where that is at least min_run long; suffixes[low:high] are where it has it.

        Left to right, like matching statistics: what the story has from start - 1 on, it has
        from start on too, so the end only moves forward, and the suffixes that have it are found
        next to the one that follows a suffix found for start - 1.
        """
        runs = []
        end = low = high = 0  # the story has text[start:end], at suffixes[low:high]
        for start in range(len(text)):
            if end > start:
                low, high = self._around(self._ranks[self._suffixes[low] + 1], text[start:end])
            else:
                end, low, high = start, 0, len(self._suffixes)
            while end < len(text):
                narrower = self._narrow(low, high, end - start, text[end])
                if narrower[0] == narrower[1]:
                    break
                (low, high), end = narrower, end + 1
            if end - start >= self.min_run:
                runs.append((start, end - start, low, high))
        return runs

    def find(
        self,
        context: Sequence[str] | Sequence[int] | np.ndarray,
        generated: Sequence[str] | Sequence[int] | np.ndarray,
    ) -> CopiedText:
        """Mark the generated symbols that, with their neighbours (context included), copy the story."""
        context_length = len(context)
        copied = [False] * len(generated)
        # The best run: most generated symbols, then the first among them, then the first in the story.
        longest, story_offset = (0, 0), None
        for start, length, low, high in self._runs(self._as_text(context) + self._as_text(generated)):
            begin, stop = max(start, context_length), start + length  # a run may start in the context
            for position in range(begin, stop):
                copied[position - context_length] = True
            if stop - begin > 0 and (stop - begin, -begin) >= longest:
                place = min(self._suffixes[low:high]) + begin - start
                if (stop - begin, -begin) > longest or place < story_offset:
                    longest, story_offset = (stop - begin, -begin), place
        if story_offset is None:
            return CopiedText(tuple(copied), 0, None, None)
        return CopiedText(tuple(copied), longest[0], -longest[1] - context_length, story_offset)


def find_copies(
    story_symbols: Sequence[str] | Sequence[int] | np.ndarray,
    context: Sequence[str] | Sequence[int] | np.ndarray,
    generated: Sequence[str] | Sequence[int] | np.ndarray,
    min_run: int,
) -> CopiedText:
    """`CopyFinder(story_symbols, min_run).find(context, generated)`, for a single text."""
    return CopyFinder(story_symbols, min_run).find(context, generated)
