"""The story as the model reads it: the probability of each symbol from the ones before it.

Computed from the numpy predictor as plain data, never with TensorFlow; the page draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nextword.errors import InsideError
from nextword.inference.predictor import Predictor
from nextword.text.vocab import Vocabulary

# Best guesses kept per place of the reading strip.
STRIP_TOP = 3
# Probabilities computed at once by the strip: rows × vocabulary, so a large vocabulary stays small.
_STRIP_CHUNK_CELLS = 1_000_000


@dataclass(frozen=True)
class Guess:
    """The model's guess at one place of the story, from the n_input symbols before it."""

    position: int  # index of the place in the story's symbols
    symbol: str  # the story's symbol there
    probability: float  # the probability the model gave that symbol
    correct: bool  # the model's top guess was that symbol
    top: tuple[tuple[str, float], ...]  # the best guesses with their probabilities, best first


@dataclass(frozen=True, eq=False)
class ReadingStrip:
    """The model's guesses along a stretch of the story, places start .. start + len - 1.

    Places before the first full context (the story's first n_input symbols) have no guess: their
    `has_guess` is False, their probability NaN, their top ids -1.
    """

    start: int  # the story position of the first entry
    n_input: int  # the symbols each guess reads
    ids: np.ndarray  # int64 [places]: the story's id at each place
    has_guess: np.ndarray  # bool [places]
    probability: np.ndarray  # float64 [places]: the probability given to the story's symbol
    correct: np.ndarray  # bool [places]: the top guess was right (False without a guess)
    top_ids: np.ndarray  # int64 [places, k]: the best guesses, best first
    top_probabilities: np.ndarray  # float64 [places, k]
    vocabulary: Vocabulary

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def stop(self) -> int:
        """The story position just after the last entry."""
        return self.start + len(self.ids)

    @property
    def accuracy(self) -> float | None:
        """The share of right top guesses among the places with a guess (None when there are none)."""
        guessed = int(self.has_guess.sum())
        return float(self.correct.sum()) / guessed if guessed else None

    def guess(self, position: int) -> Guess | None:
        """The guess at story position `position` (None before the first full context)."""
        if not self.start <= position < self.stop:
            raise InsideError(
                f"Place {position} is outside the part of the story shown ({self.start} to {self.stop - 1})."
            )
        row = position - self.start
        if not self.has_guess[row]:
            return None
        symbol_of = self.vocabulary.symbol_of
        top = tuple(
            (symbol_of(int(symbol_id)), float(probability))
            for symbol_id, probability in zip(self.top_ids[row], self.top_probabilities[row], strict=True)
        )
        symbol = symbol_of(int(self.ids[row]))
        return Guess(position, symbol, float(self.probability[row]), bool(self.correct[row]), top)


def reading_strip(
    predictor: Predictor, ids: Sequence[int] | np.ndarray, start: int = 0, count: int | None = None
) -> ReadingStrip:
    """How the model reads the story's `ids` at places start .. start + count - 1 (all by default).

    Each place's guess is the predictor's own probabilities after the n_input ids before it: those
    of `Predictor.top_k`, to float32 round-off (many rows at once sum in another order than one);
    of two equally likely guesses the lower id comes first. A long story is best read a window at
    a time: the cost grows with `count` times the vocabulary.
    """
    ids = np.asarray(ids, dtype=np.int64)
    if ids.ndim != 1 or len(ids) == 0:
        raise InsideError("The story has no symbols to read.")
    if not 0 <= start < len(ids):
        raise InsideError(f"The story has {len(ids):,} symbols: pick a place from 0 to {len(ids) - 1:,}.")
    if count is not None and count < 1:
        raise InsideError(f"Show at least one place of the story; got {count}.")
    n_input, vocabulary = predictor.n_input, predictor.vocabulary
    stop = len(ids) if count is None else min(len(ids), start + count)
    k = min(STRIP_TOP, len(vocabulary))
    probability = np.full(stop - start, np.nan)
    top_ids = np.full((stop - start, k), -1, dtype=np.int64)
    top_probabilities = np.full((stop - start, k), np.nan)
    chunk = max(1, _STRIP_CHUNK_CELLS // len(vocabulary))
    for low in range(max(start, n_input), stop, chunk):  # from the first place with a full context
        high = min(low + chunk, stop)
        rows, truth = slice(low - start, high - start), ids[low:high]
        # The context of place p is ids[p - n_input : p].
        logits = predictor.logits(
            np.lib.stride_tricks.sliding_window_view(ids[low - n_input : high - 1], n_input)
        )
        # The softmax only where it is read (the true symbol, the best guesses): its full matrix in
        # float64 cost more than the forward pass on a large vocabulary.
        logits -= logits.max(axis=1, keepdims=True)
        total = np.exp(logits).sum(axis=1, dtype=np.float64)
        every_row = np.arange(len(logits))
        probability[rows] = np.exp(logits[every_row, truth].astype(np.float64)) / total
        for rank in range(k):  # k argmax passes beat a partition of the whole vocabulary
            best = logits.argmax(axis=1)
            top_ids[rows, rank] = best
            top_probabilities[rows, rank] = np.exp(logits[every_row, best].astype(np.float64)) / total
            logits[every_row, best] = -np.inf
    shown = ids[start:stop].copy()
    return ReadingStrip(
        start=start,
        n_input=n_input,
        ids=shown,
        has_guess=np.arange(start, stop) >= n_input,
        probability=probability,
        correct=top_ids[:, 0] == shown,  # places without a guess have -1 there
        top_ids=top_ids,
        top_probabilities=top_probabilities,
        vocabulary=vocabulary,
    )
