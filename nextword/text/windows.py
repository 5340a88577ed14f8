"""Ids → training windows: every n_input consecutive ids (the context) and the id that follows.

Targets stay sparse integer labels (never one-hot: the article's one-hot vectors grow with the
vocabulary). Also here: the best accuracy any predictor can reach on the windows, the article's
order of visiting them, what followed a given context in the story, and the held-out split.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nextword.config import MAX_HOLDOUT_PERCENT
from nextword.errors import ContextLengthError, HoldoutError
from nextword.text.corpus import check_story_length


def make_windows(ids: Sequence[int] | np.ndarray, n_input: int) -> tuple[np.ndarray, np.ndarray]:
    """(contexts int32 [N, n_input], targets int32 [N]) with N = len(ids) - n_input.

    Raises StoryTooShortError when the ids cannot fill a single window.
    """
    if n_input < 1:
        raise ValueError(f"n_input must be at least 1; got {n_input}.")
    ids = np.asarray(ids, dtype=np.int32)
    check_story_length(len(ids), n_input)
    return np.lib.stride_tricks.sliding_window_view(ids[:-1], n_input).copy(), ids[n_input:].copy()


def _row_keys(rows: np.ndarray) -> np.ndarray:
    """One hashable-by-numpy value per row, so that rows can be grouped with np.unique."""
    rows = np.ascontiguousarray(rows)
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()


def _follower_counts(contexts: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(count of each distinct context-and-next-symbol pair, the index of that pair's context)."""
    pairs = np.column_stack([np.asarray(contexts), np.asarray(targets)]).astype(np.int64)
    unique_pairs, pair_counts = np.unique(_row_keys(pairs), return_counts=True)
    # Rows of unique_pairs come back as raw bytes; view them again as ints to get their contexts.
    pair_rows = unique_pairs.view(np.int64).reshape(len(unique_pairs), pairs.shape[1])
    _, context_index = np.unique(_row_keys(pair_rows[:, :-1]), return_inverse=True)
    return pair_counts, context_index.ravel()


def accuracy_ceiling(contexts: np.ndarray, targets: np.ndarray) -> int:
    """How many windows the best possible predictor gets right.

    A context followed by different symbols in different places can only be right for one of
    them: per distinct context, the count of its most frequent next symbol, summed.
    """
    if len(targets) == 0:
        return 0
    pair_counts, context_index = _follower_counts(contexts, targets)
    best = np.zeros(context_index.max() + 1, dtype=np.int64)
    np.maximum.at(best, context_index, pair_counts)
    return int(best.sum())


def lowest_loss(contexts: np.ndarray, targets: np.ndarray) -> float:
    """The lowest mean cross-entropy (nats) any predictor can reach on these windows.

    A predictor that knows the story by heart gives each context's next symbols their shares of
    what followed it there; its loss is the conditional entropy of the next symbol given the
    context. Zero when every context has one follower.
    """
    if len(targets) == 0:
        return 0.0
    pair_counts, context_index = _follower_counts(contexts, targets)
    context_counts = np.bincount(context_index, weights=pair_counts)
    shares = pair_counts / context_counts[context_index]
    return float(-(pair_counts * np.log(shares)).sum() / len(targets))


def article_order(n_windows: int, n_input: int, steps: int, seed: int) -> np.ndarray:
    """Window index for each of `steps` steps, in the article's order.

    The article starts at a random offset in [0, n_input + 1], uses the window there, moves
    n_input + 1 symbols on, and draws a new random start once the offset passes the last window
    (numpy RandomState(seed), one draw per pass). The start is kept inside the windows when a
    story has fewer than n_input + 2 of them, where the article would read past its end.
    """
    if n_windows < 1:
        raise ValueError(f"n_windows must be at least 1; got {n_windows}.")
    if steps < 0:
        raise ValueError(f"steps must be 0 or more; got {steps}.")
    random_state = np.random.RandomState(seed)
    highest_start = min(n_input + 1, n_windows - 1)
    passes: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    total = 0
    while total < steps:
        start = random_state.randint(0, highest_start + 1)
        passes.append(np.arange(start, n_windows, n_input + 1, dtype=np.int64))
        total += len(passes[-1])
    return np.concatenate(passes)[:steps]


def next_symbol_counts(
    contexts: np.ndarray, targets: np.ndarray, context_ids: Sequence[int] | np.ndarray
) -> dict[int, int]:
    """What followed this context in the story: next id → count, most frequent first.

    A context longer than the windows' is matched by its last n_input ids; a shorter one raises
    ContextLengthError. An unseen context gives an empty dict.
    """
    n_input = np.shape(contexts)[1]
    context_ids = np.asarray(context_ids, dtype=np.int64).ravel()
    if len(context_ids) < n_input:
        raise ContextLengthError(
            f"The context has {len(context_ids)} symbols; the windows read {n_input}. "
            f"Give at least {n_input}."
        )
    matches = np.all(np.asarray(contexts) == context_ids[-n_input:], axis=1)
    return dict(Counter(np.asarray(targets)[matches].tolist()).most_common())


@dataclass(frozen=True)
class HoldoutSplit:
    """Which windows train and which test, when the end of the story is held out.

    Symbols from `held_out_start` on are held out. A training window reads and predicts only
    symbols before them. A held-out window predicts a held-out symbol; its context may read the
    last training symbols, as a reader of the story's first held-out words would. Either way, no
    trained window ever reads a held-out symbol, and every held-out symbol is predicted once.
    Slice the windows of `make_windows` with `train` and `held_out`.
    """

    symbol_count: int  # symbols in the whole story
    n_input: int  # symbols a window reads
    holdout_percent: float  # share of the story's symbols held out, 0 to MAX_HOLDOUT_PERCENT
    held_out_start: int  # index of the first held-out symbol (symbol_count when none is)

    @property
    def train_count(self) -> int:
        """Windows whose context and next symbol lie before the held-out part."""
        return self.held_out_start - self.n_input

    @property
    def train(self) -> slice:
        return slice(0, self.train_count)

    @property
    def held_out(self) -> slice:
        """Windows whose next symbol is held out."""
        return slice(self.train_count, self.symbol_count - self.n_input)

    @property
    def held_out_count(self) -> int:
        return self.symbol_count - self.held_out_start


def holdout_split(symbol_count: int, n_input: int, holdout_percent: float) -> HoldoutSplit:
    """Hold out the last `holdout_percent` % of the story's symbols (rounded half up).

    0 trains on every window. Raises HoldoutError for a percentage outside 0..50, or one that
    leaves no window to train on or none to test on; StoryTooShortError when the story cannot
    fill a single window.
    """
    if n_input < 1:
        raise ValueError(f"n_input must be at least 1; got {n_input}.")
    if (
        isinstance(holdout_percent, bool)
        or not isinstance(holdout_percent, numbers.Real)
        or not 0 <= holdout_percent <= MAX_HOLDOUT_PERCENT
    ):
        raise HoldoutError(
            f"The hold-out must be a percentage from 0 to {MAX_HOLDOUT_PERCENT}; got {holdout_percent!r}."
        )
    check_story_length(symbol_count, n_input)
    held_symbols = math.floor(symbol_count * holdout_percent / 100 + 0.5)
    split = HoldoutSplit(symbol_count, n_input, holdout_percent, symbol_count - held_symbols)
    if split.train_count < 1:
        raise HoldoutError(
            f"Holding out {holdout_percent:g}% of this {symbol_count}-symbol story leaves "
            f"{split.held_out_start} symbols to train on, and one training window needs {n_input + 1} "
            f"({n_input} to read and the one that follows). Hold out less, or use a longer story."
        )
    if holdout_percent > 0 and split.held_out_count < 1:
        smallest = math.ceil(50 / symbol_count)  # the least that rounds to one held-out symbol
        if symbol_count - 1 - n_input < 1 or smallest > MAX_HOLDOUT_PERCENT:
            advice = "This story is too short to hold any of it out: set the hold-out to 0."
        else:
            advice = f"Hold out at least {smallest}%, or 0 to train on the whole story."
        raise HoldoutError(
            f"Holding out {holdout_percent:g}% of this {symbol_count}-symbol story keeps no symbol "
            f"back to test on. {advice}"
        )
    return split
