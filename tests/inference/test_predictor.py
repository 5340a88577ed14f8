"""The numpy predictor: agrees with Keras on every window, top-k, generation, context errors."""

import numpy as np
import pytest

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import ContextLengthError, NextwordError, UnknownSymbolError
from nextword.inference.forward_pass import softmax
from nextword.text.dataset import prepare_training_data
from nextword.training.run import TrainingRun

pytestmark = pytest.mark.slow  # every test here builds a Keras model


def _trained(data, model_config, steps=15):
    session = TrainingRun(data, model_config, TrainConfig(steps=steps, batch_size=32, learning_rate=0.02))
    session.start()
    assert session.wait(180).status == "finished"
    return session


@pytest.mark.parametrize(
    "model_config",
    [
        ModelConfig(n_input=3, layers=1, units=24, embedding_dim=8),
        ModelConfig(n_input=3, layers=2, units=16, encoding="index"),
        ModelConfig(n_input=4, layers=3, units=12, embedding_dim=6),
    ],
    ids=["embedding", "index-2-layers", "embedding-3-layers"],
)
def test_numpy_forward_pass_matches_keras_on_every_window(fable_story, model_config):
    data = prepare_training_data(fable_story, model_config)
    session = _trained(data, model_config)
    predictor = session.predictor()
    keras_probabilities = softmax(session.model(data.contexts.astype(np.float32), training=False).numpy())
    numpy_probabilities = predictor.probabilities_batch(data.contexts)
    assert numpy_probabilities.shape == (data.window_count, len(data.vocabulary))
    assert np.max(np.abs(numpy_probabilities - keras_probabilities)) < 1e-5


def test_top_k_is_sorted_and_sums_over_the_vocabulary(trained_fable):
    predictor = trained_fable.predictor()
    pairs = predictor.top_k("had a general", 5)
    assert len(pairs) == 5
    probabilities = [probability for _, probability in pairs]
    assert probabilities == sorted(probabilities, reverse=True)
    assert pairs[0][0] == "council"
    full = predictor.probabilities(predictor.encode_context("had a general"))
    assert full.sum() == pytest.approx(1.0, abs=1e-9)
    # A longer context uses its last n_input symbols; case is folded like the story.
    assert predictor.top_k("Long ago, the mice had a general", 1)[0][0] == "council"


def test_short_or_unknown_contexts_are_clear_errors(trained_fable):
    predictor = trained_fable.predictor()
    with pytest.raises(ContextLengthError, match="reads 3"):
        predictor.top_k("the cat", 3)
    with pytest.raises(UnknownSymbolError) as error:
        predictor.top_k("the dgo barked", 3)
    assert error.value.unknown == ["dgo", "barked"]
    assert "dgo" in str(error.value)


def test_greedy_generation_retells_the_story(trained_fable):
    generation = trained_fable.predictor().generate("had a general", n_words=8)
    assert generation.context == ("had", "a", "general")
    assert generation.generated[:5] == ("council", "to", "consider", "what", "measures")
    assert generation.text.startswith("had a general council to consider")
    assert " ," not in generation.text


def test_sampling_is_seeded(trained_fable):
    predictor = trained_fable.predictor()
    first = predictor.generate("the old mouse", 20, strategy="sample", temperature=1.5, seed=7)
    second = predictor.generate("the old mouse", 20, strategy="sample", temperature=1.5, seed=7)
    assert first == second
    limited = predictor.generate("the old mouse", 20, strategy="sample", top_k=1, seed=3)
    greedy = predictor.generate("the old mouse", 20)
    assert limited.generated == greedy.generated


def test_bad_generation_settings_are_refused(trained_fable):
    predictor = trained_fable.predictor()
    with pytest.raises(NextwordError):
        predictor.generate("had a general", strategy="beam")
    with pytest.raises(NextwordError):
        predictor.generate("had a general", strategy="sample", temperature=0)


def _keras_gates_and_states(run, contexts):
    """Per LSTM layer, Keras' own numbers for `contexts`, step by step on the trained layers' weights.

    Gates from keras.ops on each cell's kernel, recurrent kernel and bias; h and c from calling the
    layer's keras LSTMCell one step at a time; the first layer's input from the model's own
    embedding or raw-index layer. Returns (inputs, layers) with layers[l][name] of shape
    [rows, steps, units].
    """
    from nextword.config import EMBEDDING_NAME, lstm_layer_name
    from nextword.training.tensorflow_runtime import import_keras

    keras = import_keras()
    ops = keras.ops
    model = run.model
    floats = contexts.astype(np.float32)
    if run.model_config.encoding == "embedding":
        sequence = model.get_layer(EMBEDDING_NAME)(floats)
    else:
        sequence = model.get_layer("raw_index")(floats)
    inputs = ops.convert_to_numpy(sequence)
    layers = []
    for index in range(run.model_config.layers):
        cell = model.get_layer(lstm_layer_name(index)).cell
        units = cell.units
        hidden = ops.zeros((len(contexts), units))
        carry = ops.zeros((len(contexts), units))
        values = {
            name: [] for name in ("input_gate", "forget_gate", "candidate", "output_gate", "cell", "hidden")
        }
        for step in range(run.model_config.n_input):
            step_input = sequence[:, step]
            z = ops.matmul(step_input, cell.kernel) + ops.matmul(hidden, cell.recurrent_kernel) + cell.bias
            values["input_gate"].append(ops.sigmoid(z[:, :units]))
            values["forget_gate"].append(ops.sigmoid(z[:, units : 2 * units]))
            values["candidate"].append(ops.tanh(z[:, 2 * units : 3 * units]))
            values["output_gate"].append(ops.sigmoid(z[:, 3 * units :]))
            hidden, (hidden, carry) = cell(step_input, [hidden, carry])
            values["cell"].append(carry)
            values["hidden"].append(hidden)
        layers.append(
            {
                name: np.stack([ops.convert_to_numpy(v) for v in steps], axis=1)
                for name, steps in values.items()
            }
        )
        sequence = ops.stack(values["hidden"], axis=1)
    return inputs, layers


@pytest.mark.parametrize(
    "model_config",
    [
        ModelConfig(n_input=3, layers=1, units=24, embedding_dim=8),
        ModelConfig(n_input=3, layers=2, units=16, encoding="index"),
        ModelConfig(n_input=4, layers=2, units=12, embedding_dim=6),
    ],
    ids=["embedding", "index-2-layers", "embedding-2-layers"],
)
def test_traced_gates_and_states_agree_with_keras_lstm_cell(fable_story, model_config):
    data = prepare_training_data(fable_story, model_config)
    run = _trained(data, model_config)
    predictor = run.predictor()
    contexts = data.contexts[::20]  # 11 windows spread over the story
    keras_inputs, keras_layers = _keras_gates_and_states(run, contexts)
    keras_logits = run.model(contexts.astype(np.float32), training=False).numpy()
    for row, context in enumerate(contexts):
        trace = predictor.trace(context)
        assert trace.context_ids == tuple(int(index) for index in context)
        assert np.max(np.abs(trace.inputs - keras_inputs[row])) < 1e-6
        assert len(trace.layers) == model_config.layers
        for layer, keras_layer in zip(trace.layers, keras_layers, strict=True):
            for name, keras_values in keras_layer.items():
                traced = getattr(layer, name)
                assert traced.shape == (model_config.n_input, model_config.units), name
                assert np.max(np.abs(traced - keras_values[row])) < 1e-5, name
        assert np.max(np.abs(trace.logits - keras_logits[row])) < 1e-5
    # The gates moved off their untrained values: the comparison is not of zeros.
    assert np.ptp(predictor.trace(contexts[0]).layers[0].forget_gate) > 0.01


def test_a_trace_is_the_predictors_own_pass(trained_fable):
    predictor = trained_fable.predictor()
    ids = predictor.encode_context("had a general")
    trace = predictor.trace(ids)
    assert np.array_equal(trace.logits, predictor.logits(np.asarray([ids]))[0])
    assert np.array_equal(trace.probabilities, predictor.probabilities(ids))
    assert trace.inputs.shape == (3, predictor.model_config.embedding_dim)
    assert np.array_equal(trace.inputs, predictor.embedding[ids])
    layer = trace.layers[0]
    assert layer.units == predictor.model_config.units
    # The last hidden state is what the output layer scores.
    scores = layer.hidden[-1] @ predictor.dense_kernel + predictor.dense_bias
    assert np.max(np.abs(scores - trace.logits)) < 1e-5
    # c_t = f_t * c_(t-1) + i_t * g_t and h_t = o_t * tanh(c_t), from the recorded values.
    previous = np.vstack([np.zeros((1, layer.units)), layer.cell[:-1]])
    assert np.allclose(
        layer.cell, layer.forget_gate * previous + layer.input_gate * layer.candidate, atol=1e-6
    )
    assert np.allclose(layer.hidden, layer.output_gate * np.tanh(layer.cell), atol=1e-6)
    with pytest.raises(ValueError):
        layer.cell[0, 0] = 1.0  # read-only: a frozen trace stays as the model computed it


def test_a_trace_reads_exactly_n_input_known_ids(trained_fable):
    predictor = trained_fable.predictor()
    with pytest.raises(ContextLengthError, match="exactly 3"):
        predictor.trace([1, 2])
    with pytest.raises(ValueError, match="between 0 and"):
        predictor.trace([1, 2, len(predictor.vocabulary)])
    with pytest.raises(ValueError, match="between 0 and"):
        predictor.trace([1, -1, 2])
