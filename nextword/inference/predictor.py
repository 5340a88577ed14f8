"""Predictor: next-symbol probabilities, top-k and generation from a trained model's weights.

`Predictor.from_model` copies the weights out of the Keras model once; every prediction after
that is the numpy forward pass of `nextword.inference.forward_pass`, which agrees with Keras to float32
round-off (tested). Contexts come in as text or symbols and go out as symbols, tokenized the way
the story was; `trace` keeps every gate and state of one prediction for the inside views.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nextword.config import EMBEDDING_NAME, LOGITS_NAME, CorpusConfig, ModelConfig, lstm_layer_name
from nextword.errors import ContextLengthError, NextwordError
from nextword.inference.forward_pass import (
    CellStep,
    ForwardTrace,
    LayerTrace,
    LstmWeights,
    read_only,
    run_lstm_layer,
    softmax,
)
from nextword.text.corpus import detokenize, tokenize
from nextword.text.vocab import Vocabulary

STRATEGIES = ("greedy", "sample")
MAX_GENERATED = 10_000  # symbols one generate call may write


def check_generation(n_symbols: int, strategy: str, temperature: float) -> None:
    """Refuse generation settings that cannot work (NextwordError), for the LSTM and the n-gram alike."""
    if strategy not in STRATEGIES:
        raise NextwordError(f"strategy must be one of {', '.join(STRATEGIES)}; got {strategy!r}.")
    if strategy == "sample" and not temperature > 0:
        raise NextwordError("temperature must be above 0 when sampling.")
    if not 0 <= n_symbols <= MAX_GENERATED:
        raise NextwordError(f"The number of symbols to generate must be between 0 and {MAX_GENERATED:,}.")


def sample_next(
    scores: np.ndarray, temperature: float, top_k: int | None, random: np.random.Generator
) -> int:
    """An id drawn from the softmax of `scores` (logits or log-probabilities) / `temperature`,
    among the `top_k` best only when given."""
    scaled = scores / temperature
    if top_k is not None and 0 < top_k < len(scaled):
        cutoff = np.partition(scaled, -top_k)[-top_k]
        scaled = np.where(scaled >= cutoff, scaled, -np.inf)
    probabilities = softmax(scaled)
    return int(random.choice(len(probabilities), p=probabilities))


@dataclass(frozen=True)
class Generation:
    """A generated story: the context the user gave, and what the model wrote after it."""

    context: tuple[str, ...]
    generated: tuple[str, ...]
    symbol_mode: str = "words"

    @property
    def generated_text(self) -> str:
        return detokenize(list(self.generated), self.symbol_mode)

    @property
    def text(self) -> str:
        return detokenize(list(self.context) + list(self.generated), self.symbol_mode)


@dataclass(eq=False, repr=False)
class Predictor:
    """Next-symbol probabilities, top-k and generation from a trained model's weights."""

    lstm_layers: list[LstmWeights]
    dense_kernel: np.ndarray
    dense_bias: np.ndarray
    vocabulary: Vocabulary
    corpus_config: CorpusConfig
    model_config: ModelConfig
    embedding: np.ndarray | None = None  # None for the article's raw index

    # ----- construction -----

    @classmethod
    def from_model(
        cls, model, vocabulary: Vocabulary, corpus_config: CorpusConfig, model_config: ModelConfig
    ):
        """Copy the weights out of a Keras model built by `build_model`."""

        def weights_of(name: str) -> list[np.ndarray]:
            return [np.asarray(weight, dtype=np.float32) for weight in model.get_layer(name).get_weights()]

        embedding = weights_of(EMBEDDING_NAME)[0] if model_config.encoding == "embedding" else None
        lstm_layers = [
            LstmWeights(*weights_of(lstm_layer_name(index))) for index in range(model_config.layers)
        ]
        dense_kernel, dense_bias = weights_of(LOGITS_NAME)
        return cls(lstm_layers, dense_kernel, dense_bias, vocabulary, corpus_config, model_config, embedding)

    @property
    def n_input(self) -> int:
        return self.model_config.n_input

    # ----- the forward pass -----

    def _first_inputs(self, contexts: np.ndarray) -> np.ndarray:
        """What the first LSTM layer reads, [rows, n_input, width], for integer contexts."""
        if self.embedding is not None:
            return self.embedding[contexts.astype(np.int64)]  # [rows, n_input, dim]
        return contexts.astype(np.float32)[:, :, None]  # the article's raw index

    def logits(self, contexts: np.ndarray) -> np.ndarray:
        """Logits (float32, shape [rows, vocabulary]) for integer contexts of shape [rows, n_input]."""
        sequence = self._first_inputs(np.asarray(contexts))
        for layer in self.lstm_layers:
            sequence = run_lstm_layer(layer, sequence)
        return sequence[:, -1] @ self.dense_kernel + self.dense_bias

    def trace(self, context_ids: Sequence[int]) -> ForwardTrace:
        """The forward pass of one context of n_input ids, keeping every gate and state."""
        ids = np.asarray(context_ids, dtype=np.int64)
        if ids.ndim != 1 or len(ids) != self.n_input:
            raise ContextLengthError(
                f"A traced prediction reads exactly {self.n_input} ids; got shape {ids.shape}."
            )
        if ids.min() < 0 or ids.max() >= len(self.vocabulary):
            raise ValueError(f"Ids must be between 0 and {len(self.vocabulary) - 1}; got {ids.tolist()}.")
        inputs = self._first_inputs(ids[None, :])
        sequence = inputs
        layers: list[LayerTrace] = []
        for layer in self.lstm_layers:
            record: list[CellStep] = []
            sequence = run_lstm_layer(layer, sequence, record)
            # Each recorded array is [1, units]: stack the steps' rows into [steps, units].
            rows = {name: read_only([getattr(step, name)[0] for step in record]) for name in CellStep._fields}
            layers.append(LayerTrace(**rows))
        # Row-wise exactly as in `logits`, so a trace's scores equal the predictor's to the bit.
        logits = (sequence[:, -1] @ self.dense_kernel + self.dense_bias)[0]
        return ForwardTrace(
            context_ids=tuple(int(index) for index in ids),
            inputs=read_only(inputs[0]),
            layers=tuple(layers),
            logits=read_only(logits),
            probabilities=read_only(softmax(logits)),
        )

    def probabilities_batch(self, contexts: np.ndarray) -> np.ndarray:
        """Probabilities over the whole vocabulary for each row of `contexts`."""
        return softmax(self.logits(contexts))

    def probabilities(self, context_ids: Sequence[int]) -> np.ndarray:
        """Probabilities over the whole vocabulary after one context of n_input ids."""
        return self.probabilities_batch(np.asarray([context_ids]))[0]

    def predict_ids(self, contexts: np.ndarray) -> np.ndarray:
        """Most likely next id for each row of `contexts`."""
        return self.logits(np.asarray(contexts)).argmax(axis=-1)

    # ----- symbols in, symbols out -----

    def context_symbols(self, context: str | Sequence[str]) -> list[str]:
        """Tokenize a typed context the way the story was, checking its length."""
        if isinstance(context, str):
            symbols = tokenize(
                context, self.corpus_config.symbol_mode, self.corpus_config.lowercase, check_spacing=False
            )
        else:
            symbols = list(context)
        if len(symbols) < self.n_input:
            unit = "characters" if self.corpus_config.symbol_mode == "characters" else "words"
            raise ContextLengthError(
                f"The context has {len(symbols)} {unit} but this model reads {self.n_input}: "
                f"type at least {self.n_input}."
            )
        return symbols

    def encode_context(self, context: str | Sequence[str]) -> list[int]:
        """The last n_input symbols of `context` as ids (UnknownSymbolError names unknown words)."""
        symbols = self.context_symbols(context)
        return self.vocabulary.encode(symbols[-self.n_input :])

    def top_k(self, context: str | Sequence[str], k: int = 5) -> list[tuple[str, float]]:
        """The k most likely next symbols with their probabilities, highest first (ties: lowest id)."""
        probabilities = self.probabilities(self.encode_context(context))
        best = np.argsort(-probabilities, kind="stable")[: max(1, int(k))]
        return [(self.vocabulary.symbol_of(int(index)), float(probabilities[index])) for index in best]

    def generate(
        self,
        context: str | Sequence[str],
        n_words: int = 32,
        strategy: str = "greedy",
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int = 0,
    ) -> Generation:
        """Write `n_words` symbols by feeding each prediction back in, like the article's story.

        "greedy" takes the most likely symbol each time; "sample" draws from the probabilities
        sharpened or flattened by `temperature`, optionally among the `top_k` best only (seeded).
        """
        check_generation(n_words, strategy, temperature)
        symbols = self.context_symbols(context)
        window = self.vocabulary.encode(symbols[-self.n_input :])
        random = np.random.default_rng(seed)
        generated: list[str] = []
        for _ in range(n_words):
            logits = self.logits(np.asarray([window]))[0].astype(np.float64)
            greedy = strategy == "greedy"
            next_id = int(logits.argmax()) if greedy else sample_next(logits, temperature, top_k, random)
            generated.append(self.vocabulary.symbol_of(next_id))
            window = window[1:] + [next_id]
        return Generation(tuple(symbols), tuple(generated), self.corpus_config.symbol_mode)
