"""An n-gram model over the same windows as the LSTM: the yardstick a trained network should beat.

It counts what followed the same few ids in the training windows, keeping a share for what it
never saw: interpolated modified Kneser-Ney smoothing (`kneser_ney.py`). Its probabilities are real
ones (they sum to 1 and never give 0), so it has a perplexity to set beside the LSTM's, and the
bars, the best guesses, the accuracies and the generated text all come from that one distribution.

Pure numpy, no training loop: `fit` counts with array operations; scoring many windows at once is
a few lookups and, where whole rows are needed, blocks of rows of a bounded size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nextword.errors import ContextLengthError
from nextword.inference.best_guesses import LISTED, best_guesses
from nextword.inference.kneser_ney import MAX_ORDER, KneserNeyTables
from nextword.inference.predictor import check_generation, sample_next

BLOCK_VALUES = 1 << 21  # probabilities held at once when scoring whole rows (16 MB of float64)


class NGramModel:
    """Interpolated modified Kneser-Ney n-gram of (context → next id); `order` counts the next id."""

    def __init__(self):
        self.n_input = self.vocab_size = self.order = 0
        self._tables: KneserNeyTables | None = None
        self._best: list[np.ndarray] | None = None  # best guesses per history, listed on first use

    def fit(
        self, contexts: np.ndarray, targets: np.ndarray, vocab_size: int, order: int | None = None
    ) -> NGramModel:
        """Count the windows (the training ones: held-out windows stay unseen); returns self.

        `order` is n_input + 1 (the whole context and the next id) by default, at most 5. With no
        window at all, every id is equally likely.
        """
        contexts = np.asarray(contexts, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        if contexts.ndim != 2 or contexts.shape[1] < 1 or len(contexts) != len(targets):
            raise ValueError("contexts must be [N, n_input] and targets [N].")
        if vocab_size < 1:
            raise ValueError("The vocabulary needs at least one symbol.")
        if len(targets) and (
            min(contexts.min(), targets.min()) < 0 or max(contexts.max(), targets.max()) >= vocab_size
        ):
            raise ValueError(f"ids must be in 0..{vocab_size - 1}.")
        highest = min(contexts.shape[1] + 1, MAX_ORDER)
        order = highest if order is None else order
        if not 1 <= order <= highest:
            raise ValueError(f"order must be in 1..{highest}; got {order}.")
        self.n_input, self.vocab_size, self.order = contexts.shape[1], vocab_size, order
        self._tables = KneserNeyTables(contexts, targets, vocab_size, order)
        self._best = None
        return self

    def _check_contexts(self, contexts) -> np.ndarray:
        """[N, n_input] int64 ids (longer rows keep their last n_input); raises on bad input."""
        if self._tables is None:
            raise ValueError("Call fit() before predicting.")
        contexts = np.asarray(contexts, dtype=np.int64)
        if contexts.ndim != 2:
            raise ValueError("contexts must be [N, n_input].")
        if contexts.shape[1] < self.n_input:
            raise ContextLengthError(
                f"The context has {contexts.shape[1]} symbols but the n-gram reads {self.n_input}: "
                f"give at least {self.n_input}."
            )
        contexts = contexts[:, contexts.shape[1] - self.n_input :]
        if contexts.size and (contexts.min() < 0 or contexts.max() >= self.vocab_size):
            raise ValueError(f"ids must be in 0..{self.vocab_size - 1}.")
        return contexts

    def _check_targets(self, contexts, targets) -> tuple[np.ndarray, np.ndarray]:
        contexts = self._check_contexts(contexts)
        targets = np.asarray(targets, dtype=np.int64)
        if targets.shape != (len(contexts),):
            raise ValueError("targets must be [N], one per context.")
        if targets.size and (targets.min() < 0 or targets.max() >= self.vocab_size):
            raise ValueError(f"ids must be in 0..{self.vocab_size - 1}.")
        return contexts, targets

    # ----- the distribution -----

    def probabilities_of(self, contexts) -> np.ndarray:
        """Probability of each id after each context: float64 [N, vocab_size], each row sums to 1."""
        contexts = self._check_contexts(contexts)
        return self._tables.probabilities(contexts)

    def probabilities(self, context_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Probability of each id following one context (float64 [vocab_size], sums to 1)."""
        return self.probabilities_of(np.asarray(context_ids).reshape(1, -1))[0]

    def log_likelihoods(self, contexts, targets) -> np.ndarray:
        """Natural log of the probability each window's next id gets after its context: [N]."""
        contexts, targets = self._check_targets(contexts, targets)
        return np.log(self._tables.probabilities_of_targets(contexts, targets))

    def perplexity(self, contexts, targets) -> float:
        """exp of the mean cross-entropy over the windows: how many equally likely choices it is left with."""
        if len(targets) == 0:
            raise ValueError("Perplexity needs at least one window.")
        return float(np.exp(-self.log_likelihoods(contexts, targets).mean()))

    # ----- best guesses -----

    def _best_guesses(self, contexts: np.ndarray) -> np.ndarray:
        """The LISTED most probable next ids after each checked context, best first: [N, LISTED]."""
        if self._best is None:
            self._best = best_guesses(self._tables)
        lengths = np.zeros(len(contexts), dtype=np.int64)
        nodes = np.zeros(len(contexts), dtype=np.int64)
        for length, (found, found_nodes) in enumerate(self._tables.histories(contexts), start=1):
            lengths[found], nodes[found] = length, found_nodes[found]
        guesses = np.empty((len(contexts), LISTED), dtype=np.int64)
        for length, listed in enumerate(self._best):
            here = lengths == length
            guesses[here] = listed[nodes[here]]
        return guesses

    def top_k(self, context_ids: Sequence[int] | np.ndarray, k: int = 5) -> list[tuple[int, float]]:
        """The k most probable next ids with their probabilities, best first (ties: lowest id)."""
        probabilities = self.probabilities(context_ids)
        order = np.argsort(-probabilities, kind="stable")[: max(1, int(k))]
        return [(int(symbol_id), float(probabilities[symbol_id])) for symbol_id in order]

    def top_k_accuracy(self, contexts, targets, k: int = 5) -> float:
        """Share of windows whose next id is among the k best guesses, as `top_k` ranks them (0 for none)."""
        contexts, targets = self._check_targets(contexts, targets)
        if len(targets) == 0:
            return 0.0
        if k <= LISTED:
            return float((self._best_guesses(contexts)[:, :k] == targets[:, None]).any(axis=1).mean())
        # Whole rows of probabilities, a block at a time so that long lists of windows fit in memory.
        ids, hits = np.arange(self.vocab_size), 0
        rows_per_block = max(1, BLOCK_VALUES // self.vocab_size)
        for start in range(0, len(contexts), rows_per_block):
            rows = slice(start, start + rows_per_block)
            probabilities, block_targets = self._tables.probabilities(contexts[rows]), targets[rows]
            own = probabilities[np.arange(len(block_targets)), block_targets][:, None]
            ahead = (probabilities > own) | ((probabilities == own) & (ids < block_targets[:, None]))
            hits += int((ahead.sum(axis=1) < k).sum())
        return hits / len(targets)

    def generate(
        self,
        context_ids: Sequence[int] | np.ndarray,
        n_symbols: int = 32,
        strategy: str = "greedy",
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int = 0,
    ) -> list[int]:
        """The ids of `n_symbols` symbols written after the context, each fed back in and chosen as
        the LSTM's `Predictor.generate` chooses (sampling with numpy's default_rng(seed))."""
        check_generation(n_symbols, strategy, temperature)
        window = self._check_contexts(np.asarray(context_ids).reshape(1, -1))[0].tolist()
        random = np.random.default_rng(seed)
        generated: list[int] = []
        for _ in range(n_symbols):
            probabilities = self.probabilities(window)
            if strategy == "greedy":
                next_id = int(probabilities.argmax())
            else:
                next_id = sample_next(np.log(probabilities), temperature, top_k, random)
            generated.append(next_id)
            window = window[1:] + [next_id]
        return generated
