"""Inside the LSTM: what a trained model does, computed from the numpy predictor as plain data.

The computations behind the page's inside views (issue 11), each on a `Predictor`'s weights and
never on TensorFlow: the story as the model reads it (`reading_strip`), the gates and memory of one
prediction (`prediction_gates`, `changing_units`), the map of the learned symbol vectors
(`word_map`, `nearest_neighbours`), one prediction in slow motion (`slow_motion`) and the table of
the model's layers (`model_summary`). Nothing here knows about Streamlit; the page draws the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from nextword.config import ModelConfig
from nextword.corpus import detokenize
from nextword.errors import InsideError
from nextword.model import EMBEDDING_NAME, INPUT_NAME, LOGITS_NAME, lstm_layer_name
from nextword.predict import CellStep, LayerTrace, Predictor
from nextword.vocab import RARE_SYMBOL, Vocabulary

# Best guesses kept per place of the reading strip.
STRIP_TOP = 3
# Probabilities computed at once by the strip: rows × vocabulary, so a large vocabulary stays small.
_STRIP_CHUNK_CELLS = 1_000_000

# ----- 1. the story as the model reads it -----


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
        top = tuple(
            (self.vocabulary.symbol_of(int(symbol_id)), float(probability))
            for symbol_id, probability in zip(self.top_ids[row], self.top_probabilities[row], strict=True)
        )
        return Guess(
            position=position,
            symbol=self.vocabulary.symbol_of(int(self.ids[row])),
            probability=float(self.probability[row]),
            correct=bool(self.correct[row]),
            top=top,
        )


def reading_strip(
    predictor: Predictor,
    ids: Sequence[int] | np.ndarray,
    start: int = 0,
    count: int | None = None,
    top: int = STRIP_TOP,
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
    n_input = predictor.n_input
    stop = len(ids) if count is None else min(len(ids), start + count)
    places = stop - start
    k = max(1, min(int(top), len(predictor.vocabulary)))
    has_guess = np.arange(start, stop) >= n_input
    probability = np.full(places, np.nan)
    correct = np.zeros(places, dtype=bool)
    top_ids = np.full((places, k), -1, dtype=np.int64)
    top_probabilities = np.full((places, k), np.nan)
    first = max(start, n_input)  # the first place with a full context before it
    if first < stop:
        # The context of place p is ids[p - n_input : p], row p - n_input of the sliding windows.
        contexts = np.lib.stride_tricks.sliding_window_view(ids, n_input)[first - n_input : stop - n_input]
        targets = ids[first:stop]
        chunk = max(1, _STRIP_CHUNK_CELLS // len(predictor.vocabulary))
        for offset in range(0, len(contexts), chunk):
            rows = slice(first - start + offset, first - start + min(offset + chunk, len(contexts)))
            logits = predictor.logits(contexts[offset : offset + chunk])
            # The softmax only where it is read (the true symbol, the best guesses): its full matrix in
            # float64 cost more than the forward pass on a large vocabulary.
            logits -= logits.max(axis=1, keepdims=True)
            total = np.exp(logits).sum(axis=1, dtype=np.float64)
            every_row = np.arange(len(logits))
            truth = targets[offset : offset + chunk]
            probability[rows] = np.exp(logits[every_row, truth].astype(np.float64)) / total
            for rank in range(k):  # k argmax passes beat a partition of the whole vocabulary
                best = logits.argmax(axis=1)
                top_ids[rows, rank] = best
                top_probabilities[rows, rank] = np.exp(logits[every_row, best].astype(np.float64)) / total
                logits[every_row, best] = -np.inf
            correct[rows] = top_ids[rows, 0] == truth
    return ReadingStrip(
        start=start,
        n_input=n_input,
        ids=ids[start:stop].copy(),
        has_guess=has_guess,
        probability=probability,
        correct=correct,
        top_ids=top_ids,
        top_probabilities=top_probabilities,
        vocabulary=predictor.vocabulary,
    )


# ----- 2. gates and memory of one prediction -----

# What one LSTM step computes, in the order of `predict.CellStep`, with the names a student reads.
QUANTITIES: tuple[str, ...] = CellStep._fields
QUANTITY_LABELS: dict[str, str] = {
    "input_gate": "input gate",
    "forget_gate": "forget gate",
    "candidate": "cell candidate",
    "output_gate": "output gate",
    "cell": "cell state",
    "hidden": "hidden state",
}
QUANTITY_CAPTIONS: dict[str, str] = {
    "input_gate": "The input gate (0 to 1) decides how much of the new candidate is written into the memory.",
    "forget_gate": "The forget gate (0 to 1) decides how much of the old memory is kept: 1 keeps it all.",
    "candidate": "The cell candidate (-1 to 1) is the new content this symbol offers to the memory.",
    "output_gate": "The output gate (0 to 1) decides how much of the memory is shown to the next layer.",
    "cell": "The cell state is the layer's memory, carried from one input symbol to the next.",
    "hidden": "The hidden state is what the layer passes on: to the next layer, or to the output scores.",
}
UnitCount = int | Literal["all"]


@dataclass(frozen=True, eq=False)
class PredictionGates:
    """The gates and states of one prediction, per LSTM layer: arrays [steps, units], one row per symbol."""

    context: tuple[str, ...]  # the n_input symbols read, in order (the rows of each heat map)
    context_ids: tuple[int, ...]
    layers: tuple[LayerTrace, ...]  # the first layer first
    predicted: str  # the model's top guess after the context
    probability: float  # its probability

    def values(self, layer: int, quantity: str) -> np.ndarray:
        """One quantity of one layer (0-based), [steps, units]: "forget_gate", "cell", ... (QUANTITIES)."""
        if quantity not in QUANTITIES:
            raise ValueError(f"quantity must be one of {', '.join(QUANTITIES)}; got {quantity!r}.")
        return getattr(self.layers[layer], quantity)


def context_before(symbols: Sequence[str], position: int, n_input: int) -> tuple[str, ...]:
    """The n_input symbols the model reads to guess the story's symbol at `position`."""
    if not 0 <= position < len(symbols):
        raise InsideError(
            f"The story has {len(symbols):,} symbols: pick a place from 0 to {len(symbols) - 1:,}."
        )
    if position < n_input:
        raise InsideError(
            f"The model reads the {n_input} symbols before a place, and place {position} has only "
            f"{position} before it: pick a place from {n_input} on."
        )
    return tuple(symbols[position - n_input : position])


def prediction_gates(predictor: Predictor, context: str | Sequence[str]) -> PredictionGates:
    """Trace the prediction after `context` (typed text or symbols; the last n_input are read)."""
    symbols = tuple(predictor.context_symbols(context)[-predictor.n_input :])
    trace = predictor.trace(predictor.vocabulary.encode(symbols))
    best = int(np.argmax(trace.probabilities))
    return PredictionGates(
        context=symbols,
        context_ids=trace.context_ids,
        layers=trace.layers,
        predicted=predictor.vocabulary.symbol_of(best),
        probability=float(trace.probabilities[best]),
    )


def changing_units(
    gates: PredictionGates,
    layer: int = 0,
    quantity: str = "cell",
    count: UnitCount = 16,
    measure: Literal["range", "variance"] = "range",
) -> np.ndarray:
    """Unit indices of one layer, the ones whose `quantity` changes most across the steps first.

    `measure` "range" is max - min, "variance" the variance over the steps. The cell and hidden
    states start at zero before the first symbol, and that start counts as a step, so a unit that
    jumps on the first symbol and then holds still has changed. `count` "all" gives every unit.
    """
    if measure not in ("range", "variance"):
        raise ValueError(f"measure must be 'range' or 'variance'; got {measure!r}.")
    values = gates.values(layer, quantity).astype(np.float64)
    if quantity in ("cell", "hidden"):
        values = np.vstack([np.zeros((1, values.shape[1])), values])
    change = np.ptp(values, axis=0) if measure == "range" else values.var(axis=0)
    order = np.argsort(-change, kind="stable")  # ties keep the lower unit first
    if count == "all":
        return order
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive number of units or 'all'; got {count!r}.")
    return order[:count]


# ----- 3. the word map -----


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
        symbols=vocabulary.symbols,
        counts=vocabulary.counts,
        coordinates=coordinates,
        explained=(float(explained[0]), float(explained[1])),
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
            f"“{symbol}” is too rare in this story to have a vector of its own: it shares {RARE_SYMBOL}'s."
        )
    index = vocabulary.id_of(symbol)
    return [
        (vocabulary.symbol_of(row), similarity) for row, similarity in cosine_neighbours(embedding, index, k)
    ]


# ----- 4. one prediction in slow motion -----


@dataclass(frozen=True)
class MotionStep:
    """One step of a prediction shown in slow motion."""

    # What the step is: "context", "ids", "vectors" (or "numbers" for the raw index), "lstm" (one
    # per input symbol), "scores", "softmax", "choice", "feedback".
    key: str
    # The part of the model to highlight: "input", "dictionary", "embedding" (or "raw index"),
    # "lstm", "dense", "softmax", "output".
    part: str
    title: str
    explanation: str  # one or two sentences for a student
    data: dict[str, Any]  # the step's real numbers as plain Python (str, int, float, lists, dicts)


def _quoted(symbols: Sequence[str], symbol_mode: str) -> str:
    return f"“{detokenize(list(symbols), symbol_mode)}”"


def slow_motion(predictor: Predictor, context: str | Sequence[str], top: int = 5) -> list[MotionStep]:
    """The steps of one prediction, from the context's words to the chosen symbol fed back in.

    As the article's Figure 2 and its generation paragraph: symbols → ids → vectors (or the raw
    index) → the LSTM's state after each input symbol → scores → softmax → the most likely symbol,
    which joins the context for the next prediction. `top` is how many scores and probabilities
    each step lists.
    """
    vocabulary = predictor.vocabulary
    mode = predictor.corpus_config.symbol_mode
    symbols = tuple(predictor.context_symbols(context)[-predictor.n_input :])
    ids = predictor.vocabulary.encode(symbols)
    trace = predictor.trace(ids)
    n_input, size = len(symbols), len(vocabulary)
    top = max(1, min(int(top), size))
    best = np.argsort(-trace.probabilities, kind="stable")[:top]
    chosen = int(best[0])
    chosen_symbol = vocabulary.symbol_of(chosen)
    steps = [
        MotionStep(
            "context",
            "input",
            "The context",
            f"The model reads the last {n_input} symbols, {_quoted(symbols, mode)}, and will guess the "
            "symbol that comes next.",
            {"symbols": list(symbols)},
        ),
        MotionStep(
            "ids",
            "dictionary",
            "Symbols become ids",
            "Each symbol is replaced by its number in the dictionary: symbols are ranked by how often the "
            f"story uses them, so the most frequent, “{vocabulary.symbol_of(0)}”, is 0.",
            {"symbols": list(symbols), "ids": list(ids)},
        ),
    ]
    if predictor.embedding is not None:
        steps.append(
            MotionStep(
                "vectors",
                "embedding",
                "Ids become vectors",
                f"Each id picks its row of the embedding: {trace.inputs.shape[1]} learned numbers per "
                "symbol. Symbols used in similar places end up with similar vectors.",
                {"symbols": list(symbols), "ids": list(ids), "vectors": trace.inputs.tolist()},
            )
        )
    else:
        steps.append(
            MotionStep(
                "numbers",
                "raw index",
                "Ids are the input",
                "In the article's encoding the LSTM gets each id itself as one number. Easy, but the "
                "“meaning” of the word is lost: to the network, id 20 is just a little more than id 19.",
                {"symbols": list(symbols), "ids": list(ids), "numbers": trace.inputs[:, 0].tolist()},
            )
        )
    layers_note = (
        f" Each of the {len(trace.layers)} layers reads the hidden state of the layer below."
        if len(trace.layers) > 1
        else ""
    )
    for step, symbol in enumerate(symbols):
        if step == n_input - 1:
            explanation = (
                f"After “{symbol}”, the top layer's last hidden state sums up the whole context: it alone "
                "goes on to the output."
            )
        elif step == 0:
            explanation = (
                f"The LSTM starts from an empty memory (zeros): reading “{symbol}”, its gates decide what to "
                "write into the cell state, its memory, and what to show as the hidden state."
            )
        else:
            explanation = (
                f"Reading “{symbol}”, the forget gate keeps part of the memory of the symbols before and the "
                "input gate writes in something of this one."
            )
        steps.append(
            MotionStep(
                "lstm",
                "lstm",
                f"The LSTM reads “{symbol}” ({step + 1} of {n_input})",
                explanation + layers_note,
                {
                    "step": step,
                    "symbol": symbol,
                    "layers": [
                        {
                            "layer": index + 1,
                            "hidden": layer.hidden[step].tolist(),
                            "cell": layer.cell[step].tolist(),
                        }
                        for index, layer in enumerate(trace.layers)
                    ],
                },
            )
        )

    def listed(values: np.ndarray, name: str) -> list[dict[str, Any]]:
        return [
            {"symbol": vocabulary.symbol_of(int(index)), "id": int(index), name: float(values[index])}
            for index in best
        ]

    steps += [
        MotionStep(
            "scores",
            "dense",
            "Output scores",
            f"The output layer turns the last hidden state into one score per symbol of the dictionary, "
            f"{size:,} scores: the higher, the likelier. Scores can be any number, negative too.",
            {
                "top": listed(trace.logits, "score"),
                "vocabulary_size": size,
                "lowest": float(trace.logits.min()),
                "highest": float(trace.logits.max()),
            },
        ),
        MotionStep(
            "softmax",
            "softmax",
            "Softmax probabilities",
            f"Softmax turns the scores into {size:,} probabilities that sum to 1: e to the power of each "
            "score, divided by the sum of them all.",
            {
                "top": listed(trace.probabilities, "probability"),
                "others": float(max(0.0, 1.0 - trace.probabilities[best].sum())),
            },
        ),
        MotionStep(
            "choice",
            "output",
            "The chosen symbol",
            f"The most likely id, {chosen}, is the prediction: the reverse dictionary turns it back into "
            f"“{chosen_symbol}” (probability {trace.probabilities[chosen]:.0%}).",
            {"symbol": chosen_symbol, "id": chosen, "probability": float(trace.probabilities[chosen])},
        ),
    ]
    next_symbols = symbols[1:] + (chosen_symbol,)
    steps.append(
        MotionStep(
            "feedback",
            "input",
            "Fed back in",
            f"To write on, “{chosen_symbol}” joins the context and the oldest symbol, “{symbols[0]}”, "
            f"leaves: {_quoted(next_symbols, mode)} goes through the same steps to predict the next symbol.",
            {"dropped": symbols[0], "symbols": list(next_symbols), "ids": list(ids[1:]) + [chosen]},
        )
    )
    return steps


# ----- 5. the model itself -----


@dataclass(frozen=True)
class SummaryRow:
    """One layer of the model, as a line of `model.summary()`."""

    name: str  # the Keras layer name ("embedding", "lstm_1", ...)
    kind: str  # the Keras layer class ("Embedding", "LSTM", ...)
    output_shape: tuple[int | None, ...]  # None for the batch axis
    parameters: int  # trainable numbers in the layer


def model_summary(model_config: ModelConfig, vocab_size: int) -> list[SummaryRow]:
    """The layers `build_model` makes for this config and vocabulary, computed without Keras."""
    n_input = model_config.n_input
    rows = [SummaryRow(INPUT_NAME, "InputLayer", (None, n_input), 0)]
    if model_config.encoding == "embedding":
        width = model_config.embedding_dim
        rows.append(SummaryRow(EMBEDDING_NAME, "Embedding", (None, n_input, width), vocab_size * width))
    else:
        width = 1
        rows.append(SummaryRow("raw_index", "Reshape", (None, n_input, 1), 0))
    units = model_config.units
    for index in range(model_config.layers):
        last = index == model_config.layers - 1
        shape = (None, units) if last else (None, n_input, units)
        rows.append(SummaryRow(lstm_layer_name(index), "LSTM", shape, 4 * units * (width + units + 1)))
        width = units
    rows.append(SummaryRow(LOGITS_NAME, "Dense", (None, vocab_size), units * vocab_size + vocab_size))
    return rows
