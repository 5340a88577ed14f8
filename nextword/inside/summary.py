"""The model itself: its layers, their output shapes and parameter counts, like `model.summary()`.

Computed from the numpy predictor as plain data, never with TensorFlow; the page draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from nextword.config import EMBEDDING_NAME, INPUT_NAME, LOGITS_NAME, ModelConfig, lstm_layer_name


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
        if model_config.dropout:
            rows.append(SummaryRow(f"dropout_{index + 1}", "Dropout", (None, n_input, width), 0))
        rows.append(SummaryRow(lstm_layer_name(index), "LSTM", shape, 4 * units * (width + units + 1)))
        width = units
    if model_config.dropout:
        rows.append(SummaryRow("dropout_logits", "Dropout", (None, units), 0))
    rows.append(SummaryRow(LOGITS_NAME, "Dense", (None, vocab_size), units * vocab_size + vocab_size))
    return rows
