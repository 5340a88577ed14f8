"""The tables of interpolated modified Kneser-Ney smoothing (Chen & Goodman, 1998), in numpy.

Given training windows (context ids, next id), `KneserNeyTables` counts every n-gram up to an
order and turns the counts into a probability for every next id after any context:

    P_k(w | h) = (c(h w) - D_k(c(h w))) / c(h) + gamma_k(h) * P_(k-1)(w | h minus its first id)

where c(h) is the sum of c(h w) over w, and gamma_k(h) = (D1 N1(h) + D2 N2(h) + D3+ N3+(h)) / c(h)
is the share the discounts set aside (N_j(h): how many ids followed h with count j). The highest
order counts the windows; each lower order counts, instead, how many distinct ids came just
before the n-gram (its continuation count), so a word that is frequent only after one context
("Francisco" after "San") does not look likely everywhere. Order 1 hands its set-aside share to
the uniform distribution, so no id ever gets 0. A history never seen in training leaves the
probability to the order below. This module only counts and looks up; `ngram.py` is the model.
"""

from __future__ import annotations

import numpy as np

MAX_ORDER = 5  # orders counted at most (the context's last 4 ids and the next one)


def discounts(counts: np.ndarray) -> np.ndarray:
    """[0, D1, D2, D3+]: what an n-gram seen 1, 2, 3 or more times gives up, from the count-of-counts.

    Chen & Goodman's estimates: Y = n1 / (n1 + 2 n2), D_j = j - (j + 1) Y n_(j+1) / n_j, where n_j
    is how many n-grams have count j. Where a small story lacks the counts the formula needs (n_j or
    n_(j+1) is 0) or it would give nothing away, the order's single discount Y stands in (0.5 with
    no n-gram seen once), so every D_j stays above 0 and at most j: the probabilities still sum to 1
    and no id gets 0.
    """
    n = np.bincount(np.minimum(counts, 5), minlength=6)[1:5].astype(np.float64)  # n1..n4
    single = n[0] / (n[0] + 2 * n[1]) if n[0] > 0 else 0.5
    result = np.zeros(4)
    for j in (1, 2, 3):
        estimate = j - (j + 1) * single * n[j] / n[j - 1] if n[j - 1] > 0 and n[j] > 0 else 0.0
        result[j] = estimate if estimate > 0 else single
    return result


class _Order:
    """One order's n-grams (history node, next id), sorted, with what each adds to the probability.

    Histories are nodes numbered 0..H-1 (see `KneserNeyTables`); history j's n-grams are
    `ids[starts[j]:starts[j + 1]]`, each adding `shares[...]` on top of `gammas[j]` times the order
    below. `counts` are raw counts at the highest order and continuation counts below it.
    """

    def __init__(self, pair_keys: np.ndarray, counts: np.ndarray, history_count: int, vocab_size: int):
        self.pair_keys = pair_keys  # sorted history * vocab_size + next id
        histories = pair_keys // vocab_size
        self.ids = pair_keys % vocab_size
        given_up = discounts(counts)[np.minimum(counts, 3)]
        totals = np.bincount(histories, weights=counts, minlength=history_count)
        self.gammas = np.bincount(histories, weights=given_up, minlength=history_count) / totals
        self.shares = (counts - given_up) / totals[histories]
        self.starts = np.searchsorted(histories, np.arange(history_count + 1))


class KneserNeyTables:
    """The counted orders 1..order of the windows, and the probabilities they give.

    A history of length L (the last L ids of a context) is a node found by its key `parent *
    vocab_size + first id`, where `parent` is the node of the same history less its first id
    (length 0 is the single node 0). `history_keys[L]` holds the sorted keys of length L.
    """

    def __init__(self, contexts: np.ndarray, targets: np.ndarray, vocab_size: int, order: int):
        self.vocab_size = vocab_size
        self.order = order
        self.history_keys: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
        window_histories = np.zeros(len(targets), dtype=np.int64)
        for length in range(1, order):
            keys, window_histories = np.unique(
                window_histories * vocab_size + contexts[:, -length], return_inverse=True
            )
            self.history_keys.append(keys)
        self.orders: list[_Order] = []
        self.lowest = np.full(vocab_size, 1.0 / vocab_size)  # order 1's probabilities, or uniform
        if len(targets) == 0:
            return
        pair_keys, counts = np.unique(window_histories * vocab_size + targets, return_counts=True)
        for length in range(order - 1, -1, -1):
            self.orders.insert(0, _Order(pair_keys, counts, len(self.history_keys[length]), vocab_size))
            if length:  # continuation counts: how many distinct ids came before each shorter n-gram
                parents = self.history_keys[length][pair_keys // vocab_size] // vocab_size
                shorter = parents * vocab_size + pair_keys % vocab_size
                pair_keys, counts = np.unique(shorter, return_counts=True)
        unigram = self.orders[0]
        self.lowest = unigram.gammas[0] / vocab_size + np.bincount(
            unigram.ids, weights=unigram.shares, minlength=vocab_size
        )

    def histories(self, contexts: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each history length 1..order-1: (found in training, node) of every context's ending."""
        found = np.ones(len(contexts), dtype=bool)
        nodes = np.zeros(len(contexts), dtype=np.int64)
        result = []
        if not self.orders:  # nothing counted: every history is unseen
            return result
        for length in range(1, self.order):
            keys = self.history_keys[length]
            wanted = nodes * self.vocab_size + contexts[:, -length]
            index = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            found = found & (keys[index] == wanted)
            nodes = np.where(found, index, 0)
            result.append((found, nodes))
        return result

    def probabilities(self, contexts: np.ndarray) -> np.ndarray:
        """Probability of every id after each context: float64 [len(contexts), vocab_size]."""
        table = np.tile(self.lowest, (len(contexts), 1))
        for order, (found, nodes) in zip(self.orders[1:], self.histories(contexts), strict=True):
            table *= np.where(found, order.gammas[nodes], 1.0)[:, None]
            rows = np.flatnonzero(found)
            starts, stops = order.starts[nodes[rows]], order.starts[nodes[rows] + 1]
            sizes = stops - starts
            # Every (row, n-gram of its history) pair, flattened: row repeated, n-gram positions in a run.
            row_of_pair = np.repeat(rows, sizes)
            first_pair = np.cumsum(sizes) - sizes
            positions = np.arange(sizes.sum()) + np.repeat(starts - first_pair, sizes)
            table[row_of_pair, order.ids[positions]] += order.shares[positions]
        return table

    def probabilities_of_targets(self, contexts: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Probability of each window's own next id: float64 [len(contexts)], without whole rows."""
        result = self.lowest[targets]
        for order, (found, nodes) in zip(self.orders[1:], self.histories(contexts), strict=True):
            result = result * np.where(found, order.gammas[nodes], 1.0)
            wanted = nodes * self.vocab_size + targets
            index = np.minimum(np.searchsorted(order.pair_keys, wanted), len(order.pair_keys) - 1)
            seen = found & (order.pair_keys[index] == wanted)
            result[seen] += order.shares[index[seen]]
        return result
