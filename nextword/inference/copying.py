"""Copied text: which generated symbols repeat the story word for word.

A generated symbol is copied when it belongs to a run of at least `min_run` consecutive symbols
(n_input + 1 for a model that reads n_input) found, in the same order, somewhere in the story.
Runs may start in the context the text was generated from: that is how the first generated words
get copied. Symbols are compared whole (a word or a character in any script, or an id), so word
and character mode work alike.

`CopyFinder` indexes a story once (where each run of `min_run` symbols occurs), so that each
generated text is then checked by looking its runs up. Nothing here knows about Streamlit or models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# A story's or a text's symbols, or their ids.
Symbols = Sequence[str] | Sequence[int] | np.ndarray


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


def _as_list(symbols: Symbols) -> list:
    """Symbols or ids as a plain list, so that numpy ids compare and hash as Python ints do."""
    return np.ravel(symbols).tolist() if isinstance(symbols, np.ndarray) else list(symbols)


class CopyFinder:
    """A story indexed by its runs of `min_run` symbols: where in the story each one occurs.

    A run of the generated text is copied when its first `min_run` symbols are in the index; it is
    then extended, symbol by symbol, as far as the story goes along at any of those places.
    """

    def __init__(self, story_symbols: Symbols, min_run: int):
        if min_run < 1:
            raise ValueError(f"min_run must be at least 1; got {min_run}.")
        self.min_run = min_run
        self._story = _as_list(story_symbols)
        self._places: dict[tuple, list[int]] = {}
        for place in range(len(self._story) - min_run + 1):
            self._places.setdefault(tuple(self._story[place : place + min_run]), []).append(place)

    def _longest_from(self, sequence: list, start: int) -> tuple[int, int]:
        """(length, first story place) of the longest run from sequence[start] on that the story
        has, when it is at least min_run long; (0, 0) when it is not."""
        story, best = self._story, (0, 0)
        for place in self._places.get(tuple(sequence[start : start + self.min_run]), ()):
            length = self.min_run
            while (
                start + length < len(sequence)
                and place + length < len(story)
                and story[place + length] == sequence[start + length]
            ):
                length += 1
            best = max(best, (length, -place))  # the places ascend: the first is kept on a tie
        return best[0], -best[1]

    def find(self, context: Symbols, generated: Symbols) -> CopiedText:
        """Mark the generated symbols that, with their neighbours (context included), copy the story."""
        context, generated = _as_list(context), _as_list(generated)
        sequence, copied = context + generated, [False] * len(generated)
        # The best run: most generated symbols, then the first among them, then the first in the story.
        longest = (0, 0, 0)  # (generated symbols, -their start, -story offset)
        for start in range(len(sequence)):
            length, place = self._longest_from(sequence, start)
            begin, stop = max(start, len(context)), start + length  # a run may start in the context
            if stop > begin:
                copied[begin - len(context) : stop - len(context)] = [True] * (stop - begin)
                longest = max(longest, (stop - begin, len(context) - begin, start - begin - place))
        if longest[0] == 0:
            return CopiedText(tuple(copied), 0, None, None)
        return CopiedText(tuple(copied), longest[0], -longest[1], -longest[2])
