"""The model's forward pass written out for a compiled block of steps with one window each.

It computes what `model(inputs)` computes, from the model's own weights and with the same Keras
LSTM cell (gates in Keras order, its activations), but leaves out the first step's recurrent
product: the state it multiplies is zero. With one window a step, a product is one row against a
whole weight matrix, so its cost is reading the matrix from memory (4 MB for the article's 512
units). The gradients are TensorFlow's of this pass, with respect to the model's variables, so the
optimizer updates the model itself.

TensorFlow is imported when a forward pass is made, not with this module.
"""

from __future__ import annotations

from collections.abc import Callable

from nextword.config import EMBEDDING_NAME, LOGITS_NAME
from nextword.training.tensorflow_runtime import import_keras, import_tensorflow


def window_forward(model) -> Callable:
    """A function from float32 windows [rows, n_input] to the model's logits [rows, vocabulary]."""
    tf = import_tensorflow()
    keras = import_keras()
    layer_names = {layer.name for layer in model.layers}
    embedding = model.get_layer(EMBEDDING_NAME) if EMBEDDING_NAME in layer_names else None
    cells = [layer.cell for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    logits_layer = model.get_layer(LOGITS_NAME)
    for cell in cells:
        if cell.dropout or cell.recurrent_dropout or not cell.use_bias:
            raise ValueError("window_forward covers the LSTM cells nextword builds: biases, no dropout.")

    def forward(inputs):
        if embedding is not None:
            sequence = tf.gather(embedding.embeddings, tf.cast(inputs, tf.int32))  # [rows, steps, width]
        else:
            sequence = inputs[:, :, None]  # the article's raw index, one number a step
        steps = inputs.shape[1]
        for cell in cells:
            hidden = carry = None
            outputs = []
            for step in range(steps):
                gates = tf.matmul(sequence[:, step], cell.kernel) + cell.bias
                if hidden is not None:
                    gates = gates + tf.matmul(hidden, cell.recurrent_kernel)
                input_gate, forget_gate, candidate, output_gate = tf.split(gates, 4, axis=1)
                entering = cell.recurrent_activation(input_gate) * cell.activation(candidate)
                carry = (
                    entering if carry is None else cell.recurrent_activation(forget_gate) * carry + entering
                )
                hidden = cell.recurrent_activation(output_gate) * cell.activation(carry)
                outputs.append(hidden)
            sequence = tf.stack(outputs, axis=1)
        return tf.matmul(hidden, logits_layer.kernel) + logits_layer.bias

    return forward
