"""The word map: the learned symbol vectors in 2-D (PCA) and each symbol's nearest neighbours.

Computed from the numpy predictor as plain data, never with TensorFlow; the page draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nextword.errors import InsideError
from nextword.inference.predictor import Predictor
from nextword.text.vocab import UNKNOWN_SYMBOL


@dataclass(frozen=True, eq=False)
class WordMap:
    """The learned symbol vectors flattened to 2-D (PCA): one point per symbol id."""

    symbols: tuple[str, ...]  # per id
    counts: tuple[int, ...]  # per id: occurrences in the story (for the points' size)
    coordinates: np.ndarray  # float64 [vocabulary, 2]: the first and second principal components
    explained: tuple[float, float]  # the share of the vectors' variance along each axis


def principal_components(matrix: np.ndarray, components: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(coordinates [rows, components], explained variance share [components]) of the centred rows.

    numpy's SVD of the centred matrix; each axis points so that its largest coordinate is positive
    (the same vectors always give the same picture). Axes beyond the matrix's rank are zeros.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    centred = matrix - matrix.mean(axis=0)
    left, singular, _ = np.linalg.svd(centred, full_matrices=False)
    coordinates = np.zeros((len(matrix), components))
    explained = np.zeros(components)
    kept = min(components, len(singular))
    coordinates[:, :kept] = left[:, :kept] * singular[:kept]
    total = float((singular**2).sum())
    if total > 0:
        explained[:kept] = singular[:kept] ** 2 / total
    for axis in range(kept):
        column = coordinates[:, axis]
        if column[np.argmax(np.abs(column))] < 0:
            coordinates[:, axis] = -column
    return coordinates, explained


def _embedding_of(predictor: Predictor) -> np.ndarray:
    if predictor.embedding is None:
        raise InsideError(
            "This model reads each symbol as its raw index, one number (the article's encoding), so "
            "it has no learned vectors to map: as the article says, the “meaning” of the word is lost. "
            "Train with the embedding encoding to see a word map."
        )
    return predictor.embedding


def word_map(predictor: Predictor) -> WordMap:
    """The 2-D PCA map of the predictor's embedding (InsideError in raw-index mode)."""
    coordinates, explained = principal_components(_embedding_of(predictor), 2)
    vocabulary = predictor.vocabulary
    return WordMap(
        vocabulary.symbols, vocabulary.counts, coordinates, (float(explained[0]), float(explained[1]))
    )


def cosine_neighbours(vectors: np.ndarray, index: int, k: int) -> list[tuple[int, float]]:
    """The k rows most similar to row `index` by cosine similarity, excluding itself, best first.

    A zero vector is similar to nothing (similarity 0). Ties keep the lower index first.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1)
    safe = np.where(norms > 0, norms, 1.0)
    similarity = (vectors @ vectors[index]) / (safe * safe[index])
    similarity[norms == 0] = 0.0
    if norms[index] == 0:
        similarity[:] = 0.0
    similarity[index] = -np.inf
    k = max(0, min(int(k), len(vectors) - 1))
    order = np.argsort(-similarity, kind="stable")[:k]
    return [(int(row), float(similarity[row])) for row in order]


def nearest_neighbours(predictor: Predictor, symbol: str, k: int = 5) -> list[tuple[str, float]]:
    """The k symbols whose learned vectors point most like `symbol`'s (cosine similarity), best first.

    InsideError in raw-index mode and for a symbol that shares the rare symbol's vector; the
    vocabulary's UnknownSymbolError (with suggestions) for a symbol the story never had.
    """
    embedding = _embedding_of(predictor)
    vocabulary = predictor.vocabulary
    if symbol in vocabulary.capped:
        raise InsideError(
            f"“{symbol}” is too rare in the part the model trained on to have a vector of its own: "
            f"it shares {UNKNOWN_SYMBOL}'s."
        )
    index = vocabulary.id_of(symbol)
    return [
        (vocabulary.symbol_of(row), similarity) for row, similarity in cosine_neighbours(embedding, index, k)
    ]
