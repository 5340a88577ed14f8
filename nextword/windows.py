"""Ids → training windows: every n_input consecutive ids (the context) and the id that follows.

Targets stay sparse integer labels (never one-hot: the article's one-hot vectors grow with the
vocabulary). Also here: the best accuracy any predictor can reach on the windows, the article's
order of visiting them, what followed a given context in the story, and a held-out split.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from nextword.corpus import check_story_length
from nextword.errors import ContextLengthError


def make_windows(ids: Sequence[int] | np.ndarray, n_input: int) -> tuple[np.ndarray, np.ndarray]:
    """(contexts int32 [N, n_input], targets int32 [N]) with N = len(ids) - n_input.

    Raises StoryTooShortError when the ids cannot fill a single window.
    """
    if n_input < 1:
        raise ValueError(f"n_input must be at least 1; got {n_input}.")
    ids = np.asarray(ids, dtype=np.int32)
    check_story_length(len(ids), n_input)
    contexts = np.lib.stride_tricks.sliding_window_view(ids[:-1], n_input).copy()
    targets = ids[n_input:].copy()
    return contexts, targets


def _row_keys(rows: np.ndarray) -> np.ndarray:
    """One hashable-by-numpy value per row, so that rows can be grouped with np.unique."""
    rows = np.ascontiguousarray(rows)
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()


def accuracy_ceiling(contexts: np.ndarray, targets: np.ndarray) -> int:
    """How many windows the best possible predictor gets right.

    A context followed by different symbols in different places can only be right for one of
    them: per distinct context, the count of its most frequent next symbol, summed.
    """
    contexts = np.asarray(contexts)
    targets = np.asarray(targets)
    if len(targets) == 0:
        return 0
    pairs = np.column_stack([contexts, targets]).astype(np.int64)
    unique_pairs, pair_counts = np.unique(_row_keys(pairs), return_counts=True)
    # Rows of unique_pairs come back as raw bytes; view them again as ints to get their contexts.
    pair_rows = unique_pairs.view(np.int64).reshape(len(unique_pairs), pairs.shape[1])
    _, context_index = np.unique(_row_keys(pair_rows[:, :-1]), return_inverse=True)
    best = np.zeros(context_index.max() + 1, dtype=np.int64)
    np.maximum.at(best, context_index.ravel(), pair_counts)
    return int(best.sum())


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
    stride = n_input + 1
    highest_start = min(n_input + 1, n_windows - 1)
    passes: list[np.ndarray] = []
    total = 0
    while total < steps:
        start = random_state.randint(0, highest_start + 1)
        one_pass = np.arange(start, n_windows, stride, dtype=np.int64)
        passes.append(one_pass)
        total += len(one_pass)
    if not passes:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(passes)[:steps]


def next_symbol_counts(
    contexts: np.ndarray, targets: np.ndarray, context_ids: Sequence[int] | np.ndarray
) -> dict[int, int]:
    """What followed this context in the story: next id → count, most frequent first.

    A context longer than the windows' is matched by its last n_input ids; a shorter one raises
    ContextLengthError. An unseen context gives an empty dict.
    """
    contexts = np.asarray(contexts)
    n_input = contexts.shape[1]
    context_ids = np.asarray(context_ids, dtype=np.int64).ravel()
    if len(context_ids) < n_input:
        raise ContextLengthError(
            f"The context has {len(context_ids)} symbols; the windows read {n_input}. "
            f"Give at least {n_input}."
        )
    matches = np.all(contexts == context_ids[-n_input:], axis=1)
    counts = Counter(np.asarray(targets)[matches].tolist())
    return dict(counts.most_common())


def split_windows(
    contexts: np.ndarray, targets: np.ndarray, held_out_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(train_contexts, train_targets, held_contexts, held_targets): a seeded random split.

    Each part keeps the story's order. At least one window stays for training; a positive
    fraction of a story with two or more windows holds out at least one.
    """
    if not 0 <= held_out_fraction < 1:
        raise ValueError(f"held_out_fraction must be at least 0 and below 1; got {held_out_fraction}.")
    contexts = np.asarray(contexts)
    targets = np.asarray(targets)
    count = len(targets)
    held_count = int(round(count * held_out_fraction))
    if held_out_fraction > 0 and count >= 2:
        held_count = max(held_count, 1)
    held_count = min(held_count, max(count - 1, 0))
    permutation = np.random.RandomState(seed).permutation(count)
    held = np.sort(permutation[:held_count])
    train = np.sort(permutation[held_count:])
    return contexts[train], targets[train], contexts[held], targets[held]
