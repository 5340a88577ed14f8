"""An n-gram model over the same windows as the LSTM: the yardstick a trained network should beat.

It counts what followed each context and each of its shorter endings (the last k ids for k =
n_input ... 1, and k = 0, the plain symbol frequencies). A prediction uses "stupid backoff"
(Brants et al., 2007): a symbol seen after the longest matching ending scores count / total
there; otherwise its score at the next shorter ending, times `backoff` per step down. The unigram
level is add-one smoothed so that every id keeps some probability; scores are then normalized.

Pure numpy, no training loop. `fit` counts with array operations and works out, once, the best
guess after every ending it saw; scoring many windows is then a lookup.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nextword.errors import ContextLengthError, NextwordError
from nextword.inference.forward_pass import softmax
from nextword.inference.predictor import STRATEGIES

MAX_GENERATED = 10_000  # symbols one generate call may write, as for the LSTM


def _better(score: np.ndarray, ids: np.ndarray, other_score: np.ndarray, other_ids: np.ndarray) -> np.ndarray:
    """Where (score, id) beats (other_score, other_id): a higher score, or the same and a lower id."""
    return (score > other_score) | ((score == other_score) & (ids < other_ids))


def _find(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found, index) of each key in a sorted array; index is meaningless where not found."""
    index = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[index] == keys, index


class _Level:
    """The context endings of one length k seen in training, and what followed each.

    Each distinct ending is a node, found by its key `parent * vocab_size + first id`, where
    `parent` is the node of the same ending less its first id, one level down (level 0 is the
    single node 0). Followers are kept node by node, best first (most frequent, then lowest id):
    node j's are `ids[starts[j]:starts[j + 1]]`, seen `counts[...]` times of `totals[j]`.
    """

    def __init__(self, keys: np.ndarray, window_nodes: np.ndarray, targets: np.ndarray, vocab_size: int):
        self.vocab_size = vocab_size
        self.keys = keys  # sorted
        self.parents = keys // vocab_size
        # Sorted (node, next id) keys: "was this id seen after this node?" is a binary search.
        self.pair_keys, counts = np.unique(window_nodes * vocab_size + targets, return_counts=True)
        pair_nodes, pair_ids = self.pair_keys // vocab_size, self.pair_keys % vocab_size
        # Rank by node, then most frequent first; the stable sort keeps ties in id order.
        most = int(counts.max()) + 1
        ranked = np.argsort(pair_nodes * most + (most - counts), kind="stable")
        self.ids = pair_ids[ranked]
        self.counts = counts[ranked].astype(np.float64)
        self.starts = np.searchsorted(pair_nodes[ranked], np.arange(len(self.keys) + 1))
        self.totals = np.add.reduceat(self.counts, self.starts[:-1])
        # Each node's most probable next id over all levels, set by NGramModel.fit.
        self.best_ids = np.zeros(len(self.keys), dtype=np.int64)

    def find(self, parents: np.ndarray, first_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found, node) of each ending given by its parent node and its first id."""
        return _find(self.keys, parents * self.vocab_size + first_ids)

    def follows(self, nodes: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Whether each id was seen after its node."""
        return _find(self.pair_keys, nodes * self.vocab_size + ids)[0]

    def scores(self, scale: float, positions: np.ndarray | slice, nodes: np.ndarray | int) -> np.ndarray:
        """Backed-off scores of the followers at `positions` of `nodes`.

        Every score is computed by this one formula, so that equal scores compare equal.
        """
        return scale * self.counts[positions] / self.totals[nodes]


class NGramModel:
    """Stupid-backoff n-gram counts of (context → next id)."""

    def __init__(self, backoff: float = 0.4):
        if not 0 < backoff <= 1:
            raise ValueError(f"backoff must be above 0 and at most 1; got {backoff}.")
        self.backoff = backoff
        self.n_input = 0
        self.vocab_size = 0
        self._levels: list[_Level] = []  # _levels[k - 1] holds the endings of length k
        self._unigram = np.zeros(0)
        # Ids ranked by unigram score, best first (ties: lowest id).
        self._unigram_order = np.zeros(0, dtype=np.int64)

    # ----- counting -----

    def fit(self, contexts: np.ndarray, targets: np.ndarray, vocab_size: int) -> NGramModel:
        """Count the windows (the training ones: held-out windows stay unseen); returns self."""
        contexts = np.asarray(contexts, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        if contexts.ndim != 2 or contexts.shape[1] < 1 or len(contexts) != len(targets):
            raise ValueError("contexts must be [N, n_input] and targets [N].")
        if len(targets) == 0:
            raise ValueError("The n-gram needs at least one window to count.")
        if min(contexts.min(), targets.min()) < 0 or max(contexts.max(), targets.max()) >= vocab_size:
            raise ValueError(f"ids must be in 0..{vocab_size - 1}.")
        self.n_input = contexts.shape[1]
        self.vocab_size = vocab_size
        unigram_counts = np.bincount(targets, minlength=vocab_size).astype(np.float64)
        self._unigram = (unigram_counts + 1.0) / (unigram_counts.sum() + vocab_size)
        # A stable sort of the negated scores keeps lower ids first among equal scores, like np.argmax.
        self._unigram_order = np.argsort(-self._unigram, kind="stable")
        self._levels = []
        parents = np.zeros(len(targets), dtype=np.int64)
        for length in range(1, self.n_input + 1):
            # Each window's ending of this length: its node one level down and the id before it.
            keys, nodes = np.unique(parents * vocab_size + contexts[:, -length], return_inverse=True)
            self._levels.append(_Level(keys, nodes, targets, vocab_size))
            parents = nodes
        self._choose_best_ids()
        return self

    def _scale(self, length: int) -> float:
        """The backoff weight of an ending `length` ids long (1 for the full context)."""
        return self.backoff ** (self.n_input - length)

    def _followers_below(self, length: int, parents: np.ndarray, ranks: np.ndarray):
        """(in range, id, score) of each parent's follower of that rank, one level below `length`."""
        if length == 1:  # The parent is level 0: every id, in unigram order.
            in_range = ranks < self.vocab_size
            ids = self._unigram_order[np.where(in_range, ranks, 0)]
            return in_range, ids, self._scale(0) * self._unigram[ids]
        below = self._levels[length - 2]
        in_range = ranks < below.starts[parents + 1] - below.starts[parents]
        index = np.where(in_range, below.starts[parents] + ranks, 0)
        return in_range, below.ids[index], below.scores(self._scale(length - 1), index, parents)

    def _choose_best_ids(self) -> None:
        """Each node's most probable next id under stupid backoff, for all nodes at once.

        An id scores at the longest ending it was seen after, so a node's best is the better of
        its own best follower and the best id it never saw, which scores at a shorter ending.
        That one is either the best of the parent's followers that the node never saw (found by
        walking the parent's ranked followers past the node's own) or the parent's own best
        never-seen id, carried up from the level below.
        """
        parent_unseen_score = parent_unseen_id = None
        for length, level in enumerate(self._levels, start=1):
            node_count = len(level.keys)
            unseen_score = np.full(node_count, -np.inf)  # the best id this node never saw...
            unseen_id = np.full(node_count, self.vocab_size, dtype=np.int64)
            ranks = np.zeros(node_count, dtype=np.int64)
            searching = np.arange(node_count)
            while searching.size:
                in_range, ids, scores = self._followers_below(
                    length, level.parents[searching], ranks[searching]
                )
                seen = level.follows(searching, ids)
                found = in_range & ~seen
                unseen_score[searching[found]] = scores[found]
                unseen_id[searching[found]] = ids[found]
                searching = searching[in_range & seen]
                ranks[searching] += 1
            if parent_unseen_score is not None:  # ... or the parent's, from further down
                score, ids = parent_unseen_score[level.parents], parent_unseen_id[level.parents]
                take_parent = _better(score, ids, unseen_score, unseen_id)
                unseen_score = np.where(take_parent, score, unseen_score)
                unseen_id = np.where(take_parent, ids, unseen_id)
            own_id = level.ids[level.starts[:-1]]
            own_score = level.scores(self._scale(length), level.starts[:-1], slice(None))
            level.best_ids = np.where(_better(own_score, own_id, unseen_score, unseen_id), own_id, unseen_id)
            parent_unseen_score, parent_unseen_id = unseen_score, unseen_id

    # ----- looking contexts up -----

    def _check_contexts(self, contexts: np.ndarray) -> np.ndarray:
        """[N, n_input] int64 ids (longer rows keep their last n_input); raises on bad input."""
        if not self._levels:
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

    def _longest_endings(self, contexts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(length, node) of each context's longest ending seen in training (0, 0 for none)."""
        lengths = np.zeros(len(contexts), dtype=np.int64)
        nodes = np.zeros(len(contexts), dtype=np.int64)
        parents = np.zeros(len(contexts), dtype=np.int64)
        matched = np.ones(len(contexts), dtype=bool)
        for length, level in enumerate(self._levels, start=1):
            found, parents = level.find(parents, contexts[:, self.n_input - length])
            matched &= found
            lengths[matched] = length
            nodes[matched] = parents[matched]
        return lengths, nodes

    # ----- predicting -----

    def probabilities(self, context_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Probability of each id following the context (float64 [vocab_size], sums to 1)."""
        context = self._check_contexts(np.asarray(context_ids).reshape(1, -1))
        scores = self._scale(0) * self._unigram
        parents = np.zeros(1, dtype=np.int64)
        # Longer endings overwrite shorter ones: each id keeps the score of its longest match.
        for length, level in enumerate(self._levels, start=1):
            found, parents = level.find(parents, context[:, self.n_input - length])
            if not found[0]:
                break
            node = parents[0]
            followers = slice(level.starts[node], level.starts[node + 1])
            scores[level.ids[followers]] = level.scores(self._scale(length), followers, node)
        return scores / scores.sum()

    def predictions(self, contexts: np.ndarray) -> np.ndarray:
        """The most probable next id after each context [N, n_input] (argmax of `probabilities`)."""
        contexts = self._check_contexts(contexts)
        lengths, nodes = self._longest_endings(contexts)
        predictions = np.full(len(contexts), self._unigram_order[0], dtype=np.int64)
        for length, level in enumerate(self._levels, start=1):
            here = lengths == length
            predictions[here] = level.best_ids[nodes[here]]
        return predictions

    def predict(self, context_ids: Sequence[int] | np.ndarray) -> int:
        """The most probable next id after one context."""
        return int(self.predictions(np.asarray(context_ids).reshape(1, -1))[0])

    def top_k(self, context_ids: Sequence[int] | np.ndarray, k: int = 5) -> list[tuple[int, float]]:
        """The k most probable next ids with their probabilities, best first (ties: lowest id)."""
        probabilities = self.probabilities(context_ids)
        order = np.argsort(-probabilities, kind="stable")[: max(1, int(k))]
        return [(int(symbol_id), float(probabilities[symbol_id])) for symbol_id in order]

    def count_correct(self, contexts: np.ndarray, targets: np.ndarray) -> int:
        """How many windows the n-gram predicts right."""
        if len(targets) == 0:
            return 0
        return int((self.predictions(contexts) == np.asarray(targets)).sum())

    def accuracy(self, contexts: np.ndarray, targets: np.ndarray) -> float:
        """Share of windows whose next id is predicted exactly (0..1; 0 for no window)."""
        return self.count_correct(contexts, targets) / len(targets) if len(targets) else 0.0

    def generate(
        self,
        context_ids: Sequence[int] | np.ndarray,
        n_symbols: int = 32,
        strategy: str = "greedy",
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int = 0,
    ) -> list[int]:
        """The ids of `n_symbols` symbols written after the context, each fed back in.

        The same choices as the LSTM's `Predictor.generate`: "greedy" takes the most probable id;
        "sample" draws from the probabilities sharpened or flattened by `temperature`, optionally
        among the `top_k` best only, with numpy's default_rng(seed).
        """
        if strategy not in STRATEGIES:
            raise NextwordError(f"strategy must be one of {', '.join(STRATEGIES)}; got {strategy!r}.")
        if strategy == "sample" and not temperature > 0:
            raise NextwordError("temperature must be above 0 when sampling.")
        if not 0 <= n_symbols <= MAX_GENERATED:
            raise NextwordError(f"The number of symbols to generate must be between 0 and {MAX_GENERATED:,}.")
        window = self._check_contexts(np.asarray(context_ids).reshape(1, -1))[0].tolist()
        random = np.random.default_rng(seed)
        generated: list[int] = []
        for _ in range(n_symbols):
            if strategy == "greedy":
                next_id = self.predict(window)
            else:
                scaled = np.log(self.probabilities(window)) / temperature
                if top_k is not None and 0 < top_k < len(scaled):
                    cutoff = np.partition(scaled, -top_k)[-top_k]
                    scaled = np.where(scaled >= cutoff, scaled, -np.inf)
                probabilities = softmax(scaled)
                next_id = int(random.choice(len(probabilities), p=probabilities))
            generated.append(next_id)
            window = window[1:] + [next_id]
        return generated
