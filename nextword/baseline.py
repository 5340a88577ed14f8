"""An n-gram model over the same windows as the LSTM: the yardstick a trained network should beat.

It counts what followed each context and each of its shorter endings (the last k ids for k =
n_input ... 1, and k = 0, the plain symbol frequencies). A prediction uses "stupid backoff"
(Brants et al., 2007): a symbol seen after the longest matching ending scores count / total
there; otherwise its score at the next shorter ending, times `backoff` per step down. The unigram
level is add-one smoothed so that every id keeps some probability; scores are then normalized.
Pure numpy and Python, no training loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Next-id counts after one context ending: parallel arrays of ids and counts, and their total.
_Followers = tuple[np.ndarray, np.ndarray, int]


def _count_followers(endings: np.ndarray, targets: np.ndarray) -> dict[tuple[int, ...], _Followers]:
    """Ending → (next ids, their counts, total), counted with numpy rather than a Python loop.

    Rows (ending..., target) are compared as raw bytes: equal endings are equal byte prefixes, so
    after np.unique the rows of one ending lie next to each other.
    """
    rows = np.ascontiguousarray(np.column_stack([endings, targets]), dtype=np.int64)
    keys = rows.view(np.dtype((np.void, rows.itemsize * rows.shape[1]))).ravel()
    unique_keys, counts = np.unique(keys, return_counts=True)
    unique_rows = unique_keys.view(np.int64).reshape(len(unique_keys), rows.shape[1])
    ending_changes = np.flatnonzero(np.any(unique_rows[1:, :-1] != unique_rows[:-1, :-1], axis=1)) + 1
    starts = np.concatenate([[0], ending_changes])
    stops = np.concatenate([ending_changes, [len(unique_rows)]])
    table: dict[tuple[int, ...], _Followers] = {}
    for start, stop, ending in zip(
        starts.tolist(), stops.tolist(), unique_rows[starts, :-1].tolist(), strict=True
    ):
        group_counts = counts[start:stop].astype(np.float64)
        table[tuple(ending)] = (unique_rows[start:stop, -1].copy(), group_counts, int(group_counts.sum()))
    return table


class NGramModel:
    """Stupid-backoff n-gram counts of (context → next id)."""

    def __init__(self, backoff: float = 0.4):
        if not 0 < backoff <= 1:
            raise ValueError(f"backoff must be above 0 and at most 1; got {backoff}.")
        self.backoff = backoff
        self.n_input = 0
        self.vocab_size = 0
        # tables[k] maps the last k ids of a context to what followed them (k = 1..n_input).
        self._tables: list[dict[tuple[int, ...], _Followers]] = []
        self._unigram = np.zeros(0)
        # Ids ranked by unigram score, best first (ties: lowest id), for a fast argmax.
        self._unigram_order = np.zeros(0, dtype=np.int64)

    def fit(self, contexts: np.ndarray, targets: np.ndarray, vocab_size: int) -> NGramModel:
        """Count the windows; returns self."""
        contexts = np.asarray(contexts, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        if contexts.ndim != 2 or len(contexts) != len(targets):
            raise ValueError("contexts must be [N, n_input] and targets [N].")
        if len(targets) and (
            min(contexts.min(), targets.min()) < 0 or max(contexts.max(), targets.max()) >= vocab_size
        ):
            raise ValueError(f"ids must be in 0..{vocab_size - 1}.")
        self.n_input = contexts.shape[1]
        self.vocab_size = vocab_size
        unigram_counts = np.bincount(targets, minlength=vocab_size).astype(np.float64)
        self._unigram = (unigram_counts + 1.0) / (unigram_counts.sum() + vocab_size)
        # A stable sort of the negated scores keeps lower ids first among equal scores, like np.argmax.
        self._unigram_order = np.argsort(-self._unigram, kind="stable")
        self._tables = [{}]  # Level 0 is the unigram above.
        for length in range(1, self.n_input + 1):
            self._tables.append(_count_followers(contexts[:, self.n_input - length :], targets))
        return self

    def _endings(self, context_ids: Sequence[int] | np.ndarray) -> list[tuple[int, _Followers]]:
        """(length, followers) for each ending of the context seen in training, shortest first."""
        if not self._tables:
            raise ValueError("Call fit() before predicting.")
        context = tuple(int(symbol_id) for symbol_id in np.asarray(context_ids).ravel()[-self.n_input :])
        found = []
        for length in range(1, min(len(context), self.n_input) + 1):
            followers = self._tables[length].get(context[-length:])
            if followers is not None:
                found.append((length, followers))
        return found

    def _scale(self, length: int) -> float:
        """The backoff weight of an ending `length` ids long (1 for the full context)."""
        return self.backoff ** (self.n_input - length)

    def probabilities(self, context_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Probability of each id following the context (float64 [vocab_size], sums to 1).

        Contexts shorter than n_input use the endings they have; longer ones their last n_input.
        """
        scores = self._scale(0) * self._unigram
        # Longer endings overwrite shorter ones: each id keeps the score of its longest match.
        for length, (ids, counts, total) in self._endings(context_ids):
            scores[ids] = self._scale(length) * counts / total
        return scores / scores.sum()

    def predict(self, context_ids: Sequence[int] | np.ndarray) -> int:
        """The most probable next id (same as argmax of `probabilities`, without the full vector)."""
        best_scores: dict[int, float] = {}
        for length, (ids, counts, total) in self._endings(context_ids):
            for symbol_id, score in zip(
                ids.tolist(), (self._scale(length) * counts / total).tolist(), strict=True
            ):
                best_scores[symbol_id] = score  # Longer endings come later and win.
        # The best id seen after no ending is the first in unigram order not already scored.
        for symbol_id in self._unigram_order.tolist():
            if symbol_id not in best_scores:
                best_scores[symbol_id] = float(self._scale(0) * self._unigram[symbol_id])
                break
        return min(best_scores, key=lambda symbol_id: (-best_scores[symbol_id], symbol_id))

    def top_k(self, context_ids: Sequence[int] | np.ndarray, k: int = 5) -> list[tuple[int, float]]:
        """The k most probable next ids with their probabilities, best first."""
        probabilities = self.probabilities(context_ids)
        order = np.argsort(-probabilities, kind="stable")[:k]
        return [(int(symbol_id), float(probabilities[symbol_id])) for symbol_id in order]

    def accuracy(self, contexts: np.ndarray, targets: np.ndarray) -> float:
        """Share of windows whose next id is predicted exactly (0..1)."""
        contexts = np.asarray(contexts)
        targets = np.asarray(targets)
        if len(targets) == 0:
            return 0.0
        # Stories repeat contexts: predict each distinct one once.
        predictions: dict[tuple[int, ...], int] = {}
        correct = 0
        for context, target in zip(map(tuple, contexts.tolist()), targets.tolist(), strict=True):
            prediction = predictions.get(context)
            if prediction is None:
                prediction = predictions[context] = self.predict(context)
            correct += prediction == target
        return correct / len(targets)
