"""Arithmetic cost of the model, from its settings alone (no TensorFlow needed).

Counts floating-point operations (a multiply and an add are two) of the matrix products, which is
where the time goes; the element-wise gate arithmetic, the softmax and the embedding lookup add a
few percent and are left out, so the floor computed from these counts is a true lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass

# A training step runs each matrix product three times: forward, gradient with respect to the
# input, gradient with respect to the weights.
TRAINING_PASSES = 3
# Adam touches every parameter about a dozen times per update (two moments, bias correction).
ADAM_OPERATIONS_PER_PARAMETER = 12


@dataclass(frozen=True)
class StepCost:
    """Floating-point operations of one step, split by layer."""

    lstm_flops: float
    output_flops: float
    optimizer_flops: float

    @property
    def total_flops(self) -> float:
        return self.lstm_flops + self.output_flops + self.optimizer_flops

    @property
    def output_share(self) -> float:
        """Share of the step spent in the output (vocabulary-wide) layer."""
        return self.output_flops / self.total_flops if self.total_flops else 0.0


def forward_flops_per_window(
    n_input: int, layers: int, units: int, input_width: int, vocabulary_size: int
) -> tuple[float, float]:
    """(LSTM, output layer) forward FLOPs for one window.

    Each LSTM layer does, per time step, one product of the input (width `input_width`, or
    `units` above the first layer) with a [width, 4·units] kernel and one of the hidden state with
    a [units, 4·units] recurrent kernel. The output layer is one [units, vocabulary] product.
    """
    lstm = 0.0
    width = input_width
    for _ in range(layers):
        lstm += n_input * 2 * 4 * units * (width + units)
        width = units
    output = 2.0 * units * vocabulary_size
    return lstm, output


def training_step_cost(model_config, vocabulary_size: int, batch_size: int, parameter_count: int) -> StepCost:
    """FLOPs of one training step on `batch_size` windows (forward, backward and the Adam update)."""
    input_width = model_config.embedding_dim if model_config.encoding == "embedding" else 1
    lstm, output = forward_flops_per_window(
        model_config.n_input, model_config.layers, model_config.units, input_width, vocabulary_size
    )
    return StepCost(
        lstm_flops=TRAINING_PASSES * batch_size * lstm,
        output_flops=TRAINING_PASSES * batch_size * output,
        optimizer_flops=float(ADAM_OPERATIONS_PER_PARAMETER * parameter_count),
    )


def prediction_flops(model_config, vocabulary_size: int) -> float:
    """FLOPs of one forward pass for one context (one top-k)."""
    input_width = model_config.embedding_dim if model_config.encoding == "embedding" else 1
    lstm, output = forward_flops_per_window(
        model_config.n_input, model_config.layers, model_config.units, input_width, vocabulary_size
    )
    return lstm + output
