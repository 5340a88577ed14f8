"""The gates and memory of one prediction, per LSTM layer and input step, and the units that change most.

Computed from the numpy predictor as plain data, never with TensorFlow; the page draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from nextword.errors import InsideError
from nextword.inference.forward_pass import CellStep, LayerTrace
from nextword.inference.predictor import Predictor

# What one LSTM step computes, in the order of `forward_pass.CellStep`, with the names a student reads.
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
    predicted = predictor.vocabulary.symbol_of(best)
    return PredictionGates(
        symbols, trace.context_ids, trace.layers, predicted, float(trace.probabilities[best])
    )


def changing_units(
    gates: PredictionGates, layer: int = 0, quantity: str = "cell", count: UnitCount = 16
) -> np.ndarray:
    """Unit indices of one layer, the ones whose `quantity` changes most (max - min) across the steps first.

    The cell and hidden states start at zero before the first symbol, and that start counts as a
    step, so a unit that jumps on the first symbol and then holds still has changed. `count` "all"
    gives every unit.
    """
    values = gates.values(layer, quantity).astype(np.float64)
    if quantity in ("cell", "hidden"):
        values = np.vstack([np.zeros((1, values.shape[1])), values])
    order = np.argsort(-np.ptp(values, axis=0), kind="stable")  # ties keep the lower unit first
    if count == "all":
        return order
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive number of units or 'all'; got {count!r}.")
    return order[:count]
