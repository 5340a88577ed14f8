"""The few most probable next ids after every history the Kneser-Ney tables know, worked out once.

A context's probabilities depend only on its longest ending seen in training (its history), so
the best guesses of every history, listed once, turn scoring many windows into a lookup instead
of a row of vocab_size probabilities each. The lists are exactly what sorting those rows gives
(more probable first, then the lower id): each value here is computed by the same operations, in
the same order, as in `KneserNeyTables.probabilities`, so equal probabilities compare equal.

After history h, P(w | h) = gamma(h) P(w | h less its first id) + share(h, w), the share being 0
for ids never seen after h. So h's best ids are among its own followers and the best ids of the
shorter history that h never saw: those are found by walking the shorter history's followers,
best first, past h's own, or among what the shorter history itself never saw, carried up.
"""

from __future__ import annotations

import numpy as np

from nextword.inference.kneser_ney import KneserNeyTables

LISTED = 5  # best guesses kept per history: enough for top-1 and top-5 accuracy


def _best_of_rows(ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's LISTED best (ids, values): more probable first, then the lower id."""
    order = np.lexsort((ids, -values), axis=-1)[:, :LISTED]
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(values, order, axis=1)


def _heads(starts: np.ndarray, ids: np.ndarray, values: np.ndarray, vocab_size: int):
    """The first LISTED (ids, values) of each segment starts[j]:starts[j + 1] (padding: vocab_size, -inf)."""
    positions = starts[:-1, None] + np.arange(LISTED)
    inside = positions < starts[1:, None]
    positions = np.where(inside, positions, 0)
    return np.where(inside, ids[positions], vocab_size), np.where(inside, values[positions], -np.inf)


def _walk(pair_keys, parents, ranked_ids, ranked_values, ranked_starts, vocab_size: int):
    """For each history: the first LISTED of its parent's ranked followers it never saw itself."""
    ids = np.full((len(parents), LISTED), vocab_size)
    values = np.full((len(parents), LISTED), -np.inf)
    filled = np.zeros(len(parents), dtype=np.int64)
    positions, stops = ranked_starts[parents], ranked_starts[parents + 1]
    active = np.flatnonzero(positions < stops)
    while active.size:
        candidates = ranked_ids[positions[active]]
        wanted = active * vocab_size + candidates
        index = np.minimum(np.searchsorted(pair_keys, wanted), len(pair_keys) - 1)
        unseen = pair_keys[index] != wanted
        taken = active[unseen]
        ids[taken, filled[taken]] = candidates[unseen]
        values[taken, filled[taken]] = ranked_values[positions[taken]]
        filled[taken] += 1
        positions[active] += 1
        active = active[(filled[active] < LISTED) & (positions[active] < stops[active])]
    return ids, values


def best_guesses(tables: KneserNeyTables) -> list[np.ndarray]:
    """For each history length L (0: none), the LISTED best next ids after every history: [H_L, LISTED].

    Padding (fewer ids than LISTED) is the id vocab_size.
    """
    vocab_size = tables.vocab_size
    root = np.argsort(-tables.lowest, kind="stable")
    result = [_heads(np.array([0, vocab_size]), root, tables.lowest[root], vocab_size)[0]]
    if not tables.orders:
        return result
    # The shorter history's followers, ranked (order 1's are every id), and the best ids it never saw.
    ranked_ids, ranked_values, ranked_starts = root, tables.lowest[root], np.array([0, vocab_size])
    unseen_ids = np.full((1, LISTED), vocab_size)
    unseen_values = np.full((1, LISTED), -np.inf)
    lower_values = tables.lowest[tables.orders[0].ids]  # order 1's pair values: its probabilities
    for length in range(1, tables.order):
        order, below = tables.orders[length], tables.orders[length - 1]
        histories = order.pair_keys // vocab_size
        parents = tables.history_keys[length] // vocab_size
        lower = lower_values[np.searchsorted(below.pair_keys, parents[histories] * vocab_size + order.ids)]
        values = order.gammas[histories] * lower + order.shares
        walked_ids, walked_values = _walk(
            order.pair_keys, parents, ranked_ids, ranked_values, ranked_starts, vocab_size
        )
        unseen_ids, unseen_values = _best_of_rows(
            np.hstack([walked_ids, unseen_ids[parents]]),
            np.hstack([walked_values, below.gammas[parents][:, None] * unseen_values[parents]]),
        )
        sort = np.lexsort((order.ids, -values, histories))
        ranked_ids, ranked_values, ranked_starts = order.ids[sort], values[sort], order.starts
        own_ids, own_values = _heads(ranked_starts, ranked_ids, ranked_values, vocab_size)
        best_ids, _ = _best_of_rows(
            np.hstack([own_ids, unseen_ids]), np.hstack([own_values, order.gammas[:, None] * unseen_values])
        )
        result.append(best_ids)
        lower_values = values
    return result
