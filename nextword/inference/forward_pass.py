"""The LSTM forward pass in numpy: one step, one layer, and the read-only traces of them.

The same arithmetic as Keras, in numpy, costs a fraction of a Keras call on a handful of symbols,
which is what makes live top-k bars and 32-word generation instant. `lstm_step` is the one LSTM
step: the predictor's fast `logits` (scoring, top-k, generation) and its traced pass (every gate
and state of one prediction, for the inside views) both run it, so the gates a student sees are
those of the predictor. The weights come from `nextword.inference.predictor.Predictor`; nothing
here knows about symbols or Keras.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


def _sigmoid(values: np.ndarray) -> np.ndarray:
    """1/(1+e^-x) as 0.5 * (tanh(x/2) + 1): no overflow warnings; in place on one new array."""
    result = np.multiply(values, 0.5)
    np.tanh(result, out=result)
    result += 1.0
    result *= 0.5
    return result


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in float64 so the probabilities sum to 1 exactly enough."""
    shifted = logits.astype(np.float64) - logits.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class LstmWeights:
    """One Keras LSTM layer: gates in Keras order (input, forget, cell, output)."""

    kernel: np.ndarray  # (input width, 4 * units)
    recurrent_kernel: np.ndarray  # (units, 4 * units)
    bias: np.ndarray  # (4 * units,)


class CellStep(NamedTuple):
    """What one LSTM step computes, each [rows, units]: four gates, then the new cell and hidden state."""

    input_gate: np.ndarray  # how much of the candidate enters the cell (sigmoid, 0..1)
    forget_gate: np.ndarray  # how much of the old cell state is kept (sigmoid, 0..1)
    candidate: np.ndarray  # the new content offered to the cell (tanh, -1..1)
    output_gate: np.ndarray  # how much of the cell is shown as the hidden state (sigmoid, 0..1)
    cell: np.ndarray  # the cell state after the step: the layer's memory
    hidden: np.ndarray  # the hidden state after the step: what the layer passes on


def lstm_step(
    input_part: np.ndarray,
    cell: np.ndarray,
    hidden: np.ndarray,
    recurrent_kernel: np.ndarray,
    first: bool = False,
) -> CellStep:
    """One step of Keras' LSTMCell (gates in Keras order: input, forget, cell candidate, output).

    `input_part` is the step's input already through the kernel plus the bias, [rows, 4 * units];
    `cell` and `hidden` are the state before the step, [rows, units]. `first` says the state is
    Keras' zero start, whose product with the recurrent kernel is zero: it is not computed.
    """
    # Few numpy calls, each on one new array: with one row (top-k, generation) the calls are the cost.
    units = recurrent_kernel.shape[0]
    if first:
        gates = np.array(input_part, dtype=np.float32)
    else:
        gates = hidden @ recurrent_kernel
        gates += input_part
    input_and_forget = _sigmoid(gates[:, : 2 * units])  # the two gates side by side, in one call
    candidate = np.tanh(gates[:, 2 * units : 3 * units])
    output_gate = _sigmoid(gates[:, 3 * units :])
    input_gate, forget_gate = input_and_forget[:, :units], input_and_forget[:, units:]
    new_cell = forget_gate * cell
    new_cell += input_gate * candidate
    new_hidden = np.tanh(new_cell)
    new_hidden *= output_gate
    return CellStep(input_gate, forget_gate, candidate, output_gate, new_cell, new_hidden)


def run_lstm_layer(
    layer: LstmWeights, sequence: np.ndarray, record: list[CellStep] | None = None
) -> np.ndarray:
    """Hidden states [rows, steps, units] of one layer over `sequence` [rows, steps, input width].

    The state starts at zeros, as in Keras. With `record`, every step's `CellStep` is appended to it.
    """
    units = layer.recurrent_kernel.shape[0]
    rows, steps = sequence.shape[0], sequence.shape[1]
    hidden = np.zeros((rows, units), dtype=np.float32)
    cell = np.zeros((rows, units), dtype=np.float32)
    # The input part of every time step in one 2-D matrix product: numpy multiplies a 3-D array
    # as a stack of small matrices, two to three times slower for the thousands of rows scored.
    width = sequence.shape[2]
    projected = (sequence.reshape(rows * steps, width) @ layer.kernel).reshape(rows, steps, -1)
    projected += layer.bias
    outputs = np.empty((rows, steps, units), dtype=np.float32)
    for step in range(steps):
        values = lstm_step(projected[:, step], cell, hidden, layer.recurrent_kernel, first=step == 0)
        cell, hidden = values.cell, values.hidden
        outputs[:, step] = hidden
        if record is not None:
            record.append(values)
    return outputs


def read_only(values) -> np.ndarray:
    """A read-only copy (an array, or a list of rows to stack), so a frozen trace stays as it was."""
    values = np.array(values)
    values.setflags(write=False)
    return values


class LayerTrace(CellStep):
    """One LSTM layer over one context: `CellStep`'s arrays over the steps, each [steps, units]."""

    __slots__ = ()

    @property
    def units(self) -> int:
        return self.hidden.shape[1]


@dataclass(frozen=True, eq=False)
class ForwardTrace:
    """Everything the forward pass computes for one context, as read-only arrays."""

    context_ids: tuple[int, ...]
    # What the first LSTM layer reads, [steps, width]: embedding rows, or the raw index (width 1).
    inputs: np.ndarray
    layers: tuple[LayerTrace, ...]
    logits: np.ndarray  # float32 [vocabulary]: the Dense layer's scores
    probabilities: np.ndarray  # float64 [vocabulary]: softmax of the logits
