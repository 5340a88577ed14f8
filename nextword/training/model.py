"""The network: Input → (learned Embedding, or the article's raw index) → stacked LSTM → Dense logits.

Built with the Keras Functional API from a `ModelConfig`. Every initializer gets its own seed from
the training seed, so building the same model twice gives the same weights without touching any
global random state (two runs can be built in two threads at once).
"""

from __future__ import annotations

from nextword.config import EMBEDDING_NAME, INPUT_NAME, LOGITS_NAME, ModelConfig, TrainConfig, lstm_layer_name
from nextword.training.tensorflow_runtime import import_keras

# Up to this many time steps the LSTM is unrolled into straight-line ops instead of a while loop:
# short contexts (the default and the article's n_input is 3) trace faster unrolled, while long
# unrolled graphs are slower per step, so longer contexts keep the loop.
UNROLL_MAX_STEPS = 5


def build_model(model_config: ModelConfig, vocab_size: int, train_config: TrainConfig | None = None):
    """Build and compile the model for `vocab_size` symbols, with the optimizer of `train_config`.

    The input is float32 ids of shape (n_input,): the embedding casts them back to integers, the
    index encoding feeds them as they are, one number per time step, exactly like the article.
    """
    keras = import_keras()
    train_config = train_config or TrainConfig()
    seed = train_config.seed
    inputs = keras.Input(shape=(model_config.n_input,), dtype="float32", name=INPUT_NAME)
    if model_config.encoding == "embedding":
        features = keras.layers.Embedding(
            vocab_size,
            model_config.embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
            name=EMBEDDING_NAME,
        )(inputs)
    else:
        features = keras.layers.Reshape((model_config.n_input, 1), name="raw_index")(inputs)
    dropout = model_config.dropout
    for index in range(model_config.layers):
        if dropout:  # on what each LSTM layer reads, never on its recurrent state
            features = keras.layers.Dropout(dropout, seed=seed + 10 * index + 3, name=f"dropout_{index + 1}")(
                features
            )
        features = keras.layers.LSTM(
            model_config.units,
            return_sequences=index < model_config.layers - 1,
            unroll=model_config.n_input <= UNROLL_MAX_STEPS,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 10 * index + 1),
            recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 10 * index + 2),
            name=lstm_layer_name(index),
        )(features)
    if dropout:
        features = keras.layers.Dropout(dropout, seed=seed + 999, name="dropout_logits")(features)
    logits = keras.layers.Dense(
        vocab_size,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + 1000),
        name=LOGITS_NAME,
    )(features)
    model = keras.Model(inputs, logits, name="nextword_lstm")
    clipping = {"global_clipnorm": train_config.clip_norm} if train_config.clip_norm else {}
    optimizer = keras.optimizers.RMSprop if train_config.optimizer == "rmsprop" else keras.optimizers.Adam
    model.compile(
        optimizer=optimizer(learning_rate=float(train_config.learning_rate), **clipping),
        # Softmax cross-entropy on sparse integer labels (never one-hot).
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    # The optimizer's slots now, not inside the first step: created there, they make TensorFlow trace
    # the training step twice, which delays the first point of every run.
    model.optimizer.build(model.trainable_variables)
    return model


def count_parameters(model_config: ModelConfig, vocab_size: int) -> int:
    """Trainable parameters, computed from the config alone (no TensorFlow needed)."""
    total = 0
    if model_config.encoding == "embedding":
        total += vocab_size * model_config.embedding_dim
        input_width = model_config.embedding_dim
    else:
        input_width = 1
    for _ in range(model_config.layers):  # dropout layers have no weights
        total += 4 * model_config.units * (input_width + model_config.units + 1)
        input_width = model_config.units
    total += model_config.units * vocab_size + vocab_size
    return total
