"""Training steps in compiled blocks: one call runs many optimizer steps, each on its own batch.

Every run trains here. A `BlockLoop` is one `tf.function` that loops over a block of steps inside
TensorFlow (with XLA for batch-1 runs), so Python is not involved between steps: step i takes
batch i of the block, runs the model forward (for XLA blocks, `window_forward`), takes
Keras' own loss and applies the gradients with the model's own optimizer (the update `model.fit`
makes), and records that step's loss and hit count, so the curves stay per step. The block's
length is a tensor, not a shape: blocks of any length up to the capacity share one compiled function.

When every step's batch is the whole training set, a step's own forward pass scores the weights
before it exactly, so a block without XLA also applies the "learned all it can" rule each step: the
step that finds the weights already learned applies no update, and the block ends there.

TensorFlow is imported when a `BlockLoop` is made, not with this module.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from nextword.config import EMBEDDING_NAME, LOGITS_NAME
from nextword.training.history import LEARNED_LOSS_STEPS, LearnedRule
from nextword.training.tensorflow_runtime import import_keras, import_tensorflow

# Steps and rows of windows one block may hold. The whole block is handed to TensorFlow on every
# call, however few steps it runs, so it is kept to what `nextword.training.loop.BLOCK_SECONDS` fills.
MAX_BLOCK_STEPS = 1000
MAX_BLOCK_ROWS = 50_000


def uses_xla(batch_size: int) -> bool:
    """Whether a block of steps of this batch size is compiled with XLA: with one window a step,
    the step is mostly overhead between small ops, which XLA fuses away; with a batch, it is mostly
    matrix products, which XLA barely speeds up, so the compile would not pay for itself."""
    return batch_size == 1


@dataclass(frozen=True)
class BlockResult:
    """The steps a block applied: each one's loss and batch accuracy, and whether it ended on a step
    whose forward pass found the weights had learned all they can (that step applied no update and
    is not among them)."""

    losses: np.ndarray
    accuracies: np.ndarray
    learned: bool


class BlockLoop:
    """Runs blocks of at most `capacity` training steps on a compiled Keras `model`, one call each.

    XLA blocks (`jit_compile`) take no `LearnedRule`: their steps are of one window, never the whole
    training set of a story long enough to learn from.
    """

    def __init__(self, model, batch_size: int, n_input: int, capacity: int, jit_compile: bool = True):
        self.model = model
        self.batch_size = batch_size
        self.n_input = n_input
        self.capacity = capacity
        self.jit_compile = jit_compile
        self._inputs = np.zeros((capacity, batch_size, n_input), dtype=np.float32)
        self._labels = np.zeros((capacity, batch_size), dtype=np.int32)
        self._block = self._make_block()

    def _make_block(self):
        tf = import_tensorflow()
        model = self.model
        optimizer = model.optimizer
        loss_function = model.loss
        variables = model.trainable_variables
        capacity = self.capacity
        anchor_gradients = self.jit_compile
        dropout = any(layer.name.startswith("dropout") for layer in model.layers)
        if self.jit_compile and not dropout:  # one window a step: fewer reads of each weight matrix
            forward = window_forward(model)
        else:
            forward = functools.partial(model, training=True)

        def forward_and_gradients(inputs, labels):
            with tf.GradientTape() as tape:
                logits = forward(inputs)
                loss = loss_function(labels, logits)
            # Zero, not None, for a weight the step does not use (one symbol a window never reaches
            # the recurrent kernel): the value Keras' own pass gives it.
            gradients = [
                tf.zeros(variable.shape, variable.dtype) if gradient is None else gradient
                for gradient, variable in zip(tape.gradient(loss, variables), variables, strict=True)
            ]
            if anchor_gradients:
                gradients = _anchored(gradients)
            predicted = tf.argmax(logits, axis=-1, output_type=tf.int32)
            hits = tf.reduce_sum(tf.cast(tf.equal(predicted, labels), tf.int32))
            return tf.cast(loss, tf.float32), hits, gradients

        def apply(gradients):
            optimizer.apply(gradients, variables)
            return tf.constant(True)

        # autograph=False: the code below uses no Python control flow on tensors, so autograph's
        # rewriting of it (and of Keras' code it calls) would only slow the trace.
        @tf.function(jit_compile=self.jit_compile, autograph=False)
        def block(inputs, labels, count, ceiling_count, loss_limit, recent_losses):
            rule = LearnedRule(ceiling_count, loss_limit)

            def body(index, losses, hits, recent, learned):
                # tf.gather, not inputs[index]: XLA can turn the slice into the whole block's forward
                # pass on every step.
                step_loss, step_hits, gradients = forward_and_gradients(
                    tf.gather(inputs, index), tf.gather(labels, index)
                )
                losses, hits = losses.write(index, step_loss), hits.write(index, step_hits)
                if self.jit_compile:  # no rule: every step applies its update
                    apply(gradients)
                    return index + 1, losses, hits, recent, learned
                window = tf.concat([recent, step_loss[None]], axis=0)
                learned = rule.met(step_hits, tf.reduce_mean(window))
                # The weights before this step have learned all they can: keep them as they are.
                tf.cond(learned, lambda: tf.constant(False), lambda: apply(gradients))
                return index + 1 - tf.cast(learned, tf.int32), losses, hits, window[1:], learned

            # A plain while loop: `for index in tf.range(count)` would give it a maximum number of
            # iterations, which XLA takes as a constant and compiles again for every new count.
            done, losses, hits, _, learned = tf.while_loop(
                lambda index, losses, hits, recent, learned: tf.logical_and(
                    index < count, tf.logical_not(learned)
                ),
                body,
                (
                    tf.constant(0),
                    tf.TensorArray(tf.float32, size=capacity),
                    tf.TensorArray(tf.int32, size=capacity),
                    recent_losses,
                    tf.constant(False),
                ),
            )
            return losses.stack(), hits.stack(), done, learned

        return block

    def run(
        self,
        inputs: np.ndarray,
        labels: np.ndarray,
        rule: LearnedRule | None = None,
        recent_losses: tuple[float, ...] = (),
    ) -> BlockResult:
        """Train one step per row of `inputs` [steps, batch, n_input] and `labels` [steps, batch].

        With a `rule` (only for blocks without XLA, and only meaningful when every batch is the
        whole training set), the block ends early once a step finds the run has learned all it can;
        `recent_losses` are the losses of the steps before the block, oldest first.
        """
        count = len(labels)
        if not 1 <= count <= self.capacity:
            raise ValueError(f"A block holds 1 to {self.capacity} steps; got {count}.")
        self._inputs[:count] = inputs
        self._labels[:count] = labels
        if self.jit_compile and rule is not None:
            raise ValueError("XLA blocks take no LearnedRule.")
        rule = rule or LearnedRule(self.batch_size + 1, -np.inf)  # never met
        recent = tuple(recent_losses)[-(LEARNED_LOSS_STEPS - 1) :]
        recent = (np.inf,) * (LEARNED_LOSS_STEPS - 1 - len(recent)) + recent
        tf = import_tensorflow()
        arguments = [
            tf.constant(self._inputs),
            tf.constant(self._labels),
            tf.constant(count, dtype=tf.int32),
            tf.constant(rule.ceiling_count, dtype=tf.int32),
            tf.constant(rule.loss_limit, dtype=tf.float32),
            tf.constant(recent, dtype=tf.float32),
        ]
        losses, hits, done, learned = self._block(*arguments)
        done = int(done.numpy())
        return BlockResult(
            losses=losses.numpy()[:done].astype(np.float64),
            accuracies=hits.numpy()[:done] / self.batch_size,
            learned=bool(learned.numpy()),
        )


def _anchored(gradients: list) -> list:
    """The gradients, each made to depend on the first one (the first layer's, computed last).

    XLA may otherwise update a weight matrix as soon as its own gradient is known, before the
    backward pass has finished reading it, and then copies the whole matrix to keep the old value.
    Adding 0 × (a sum of the first gradient) leaves every value as it is and orders every update
    after the whole backward pass.
    """
    tf = import_tensorflow()
    first = gradients[0]
    values = first.values if isinstance(first, tf.IndexedSlices) else first
    anchor = tf.multiply(tf.constant(0.0, values.dtype), tf.reduce_sum(values))
    anchored = [first]
    for gradient in gradients[1:]:
        if isinstance(gradient, tf.IndexedSlices):
            values = gradient.values + anchor
            anchored.append(tf.IndexedSlices(values, gradient.indices, gradient.dense_shape))
        else:
            anchored.append(gradient + anchor)
    return anchored


def block_loop_for(model, batch_size: int, n_input: int) -> BlockLoop:
    """The block a run of this batch size trains with (a spare compiles the same one ahead)."""
    capacity = max(1, min(MAX_BLOCK_STEPS, MAX_BLOCK_ROWS // batch_size))
    return BlockLoop(model, batch_size, n_input, capacity, jit_compile=uses_xla(batch_size))


def window_forward(model):
    """The model's forward pass, from float32 windows [rows, n_input] to logits [rows, vocabulary],
    written out for blocks of one window a step.

    It computes what `model(inputs)` computes, from the model's own weights with the same Keras LSTM
    cell, but leaves out the first step's recurrent product: the state it multiplies is zero. With
    one window a step, a product is one row against a whole weight matrix, so its cost is reading
    the matrix from memory (4 MB for the article's 512 units). Its gradients are TensorFlow's, with
    respect to the model's variables, so the optimizer updates the model itself.
    """
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
