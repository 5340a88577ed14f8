"""Inside the LSTM: the reading strip, one prediction's gates, the word map, slow motion, the summary."""

import json
import subprocess
import sys

import numpy as np
import pytest

from nextword.config import CorpusConfig, ModelConfig
from nextword.errors import InsideError, UnknownSymbolError
from nextword.inference.forward_pass import LayerTrace, LstmWeights
from nextword.inference.predictor import Predictor
from nextword.inside import (
    QUANTITY_CAPTIONS,
    QUANTITY_LABELS,
    changing_units,
    context_before,
    model_summary,
    nearest_neighbours,
    prediction_gates,
    reading_strip,
    slow_motion,
    word_map,
)
from nextword.inside.gates import QUANTITIES, PredictionGates
from nextword.inside.word_map import cosine_neighbours, principal_components
from nextword.text.vocab import Vocabulary
from nextword.training.model import count_parameters
from tests.conftest import FABLE_SYMBOLS, FABLE_VOCABULARY


def _hand_predictor(symbols, model_config, embedding=None, seed=0):
    """A predictor on made-up weights (no training): for what does not depend on learning.

    `symbols` is a list (ids in its order) or a Vocabulary.
    """
    random = np.random.default_rng(seed)
    vocabulary = (
        symbols if isinstance(symbols, Vocabulary) else Vocabulary(symbols, range(len(symbols), 0, -1))
    )
    symbols = vocabulary.symbols
    width = model_config.embedding_dim if model_config.encoding == "embedding" else 1
    layers = []
    for _ in range(model_config.layers):
        units = model_config.units
        layers.append(
            LstmWeights(
                random.normal(0, 0.5, (width, 4 * units)).astype(np.float32),
                random.normal(0, 0.5, (units, 4 * units)).astype(np.float32),
                random.normal(0, 0.5, 4 * units).astype(np.float32),
            )
        )
        width = model_config.units
    if model_config.encoding == "embedding" and embedding is None:
        embedding = random.normal(0, 1, (len(symbols), model_config.embedding_dim))
    dense_kernel = random.normal(0, 0.5, (model_config.units, len(symbols))).astype(np.float32)
    dense_bias = np.zeros(len(symbols), dtype=np.float32)
    return Predictor(
        layers,
        dense_kernel,
        dense_bias,
        vocabulary,
        CorpusConfig(),
        model_config,
        None if embedding is None else np.asarray(embedding, dtype=np.float32),
    )


@pytest.fixture(scope="module")
def fable(trained_fable):
    """(predictor, story symbols, story ids) of the default run on the fable."""
    predictor = trained_fable.predictor()
    symbols = trained_fable.data.story.symbols
    return predictor, symbols, np.asarray(predictor.vocabulary.encode(symbols))


# ----- the reading strip -----


def test_the_strip_gives_each_place_the_probabilities_of_top_k(fable):
    predictor, symbols, ids = fable
    strip = reading_strip(predictor, ids)
    assert len(strip) == len(symbols) == FABLE_SYMBOLS
    for position in range(3, len(symbols)):
        guess = strip.guess(position)
        expected = predictor.top_k(symbols[position - 3 : position], 3)
        assert [symbol for symbol, _ in guess.top] == [symbol for symbol, _ in expected]
        # One row at a time or many at once, float32 sums round differently: 1e-6 of a probability.
        for (_, probability), (_, expected_probability) in zip(guess.top, expected, strict=True):
            assert probability == pytest.approx(expected_probability, abs=1e-5)
        full = predictor.probabilities(ids[position - 3 : position])
        assert guess.symbol == symbols[position]
        assert guess.probability == pytest.approx(full[ids[position]], abs=1e-5)
        assert guess.correct == (expected[0][0] == symbols[position])


def test_the_first_n_input_places_have_no_guess(fable):
    predictor, _, ids = fable
    strip = reading_strip(predictor, ids)
    assert strip.has_guess.tolist()[:4] == [False, False, False, True]
    assert [strip.guess(position) for position in range(3)] == [None, None, None]
    assert np.isnan(strip.probability[:3]).all() and (strip.top_ids[:3] == -1).all()
    assert not strip.correct[:3].any()


def test_the_strips_accuracy_is_the_predictors_on_every_window(trained_fable, fable):
    predictor, _, ids = fable
    strip = reading_strip(predictor, ids)
    data = trained_fable.data
    right = int((predictor.predict_ids(data.contexts) == data.targets).sum())
    assert strip.accuracy == pytest.approx(right / data.window_count)
    assert int(strip.correct.sum()) == right
    assert np.array_equal(strip.correct[3:], strip.top_ids[3:, 0] == ids[3:])


def test_a_window_of_the_strip_is_that_part_of_the_whole(fable):
    predictor, _, ids = fable
    whole = reading_strip(predictor, ids)
    for start, count in ((0, 10), (1, 5), (100, 20), (195, 50)):
        window = reading_strip(predictor, ids, start=start, count=count)
        stop = min(len(ids), start + count)
        assert (window.start, window.stop, len(window)) == (start, stop, stop - start)
        assert np.array_equal(window.ids, ids[start:stop])
        assert np.array_equal(window.top_ids, whole.top_ids[start:stop])
        assert np.allclose(window.probability, whole.probability[start:stop], atol=1e-6, equal_nan=True)
    with pytest.raises(InsideError, match="outside the part"):
        reading_strip(predictor, ids, start=100, count=20).guess(99)


def test_bad_strip_windows_are_clear_errors(fable):
    predictor, _, ids = fable
    with pytest.raises(InsideError, match="from 0 to 203"):
        reading_strip(predictor, ids, start=FABLE_SYMBOLS)
    with pytest.raises(InsideError, match="from 0 to 203"):
        reading_strip(predictor, ids, start=-1)
    with pytest.raises(InsideError, match="at least one"):
        reading_strip(predictor, ids, start=5, count=0)
    with pytest.raises(InsideError, match="no symbols"):
        reading_strip(predictor, [])


def test_the_strip_scores_a_large_vocabulary_in_chunks():
    symbols = [f"w{index}" for index in range(3000)]
    predictor = _hand_predictor(symbols, ModelConfig(n_input=2, units=4, embedding_dim=3))
    ids = np.random.default_rng(1).integers(0, len(symbols), 900)  # 898 guesses, 3 chunks of 333 rows
    strip = reading_strip(predictor, ids)
    probabilities = predictor.probabilities_batch(np.lib.stride_tricks.sliding_window_view(ids[:-1], 2))
    assert np.allclose(strip.probability[2:], probabilities[np.arange(898), ids[2:]], atol=1e-9)
    assert np.array_equal(strip.top_ids[2:, 0], probabilities.argmax(axis=1))


# ----- gates and memory of one prediction -----


def test_the_gates_of_one_prediction_come_per_layer_and_step(fable):
    predictor, symbols, _ = fable
    gates = prediction_gates(predictor, "Long ago, the mice had a general")
    assert gates.context == ("had", "a", "general")
    assert gates.context_ids == tuple(predictor.encode_context("had a general"))
    ((best, probability),) = predictor.top_k("had a general", 1)
    assert gates.predicted == best == "council"
    assert gates.probability == pytest.approx(probability)
    assert len(gates.layers) == 1
    for name in ("input_gate", "forget_gate", "output_gate"):
        values = gates.values(0, name)
        assert values.shape == (3, 128)
        assert values.min() >= 0 and values.max() <= 1
    assert np.abs(gates.values(0, "candidate")).max() <= 1
    assert set(QUANTITIES) == set(QUANTITY_LABELS) == set(QUANTITY_CAPTIONS)
    assert QUANTITY_LABELS["forget_gate"] == "forget gate" and QUANTITY_LABELS["cell"] == "cell state"
    with pytest.raises(ValueError, match="quantity"):
        gates.values(0, "memory")
    # A place in the story: the symbols before it.
    assert context_before(symbols, 3, 3) == tuple(symbols[:3])
    assert prediction_gates(predictor, context_before(symbols, 10, 3)).context == tuple(symbols[7:10])


def test_a_place_without_a_full_context_is_a_clear_error(fable):
    _, symbols, _ = fable
    with pytest.raises(InsideError, match="pick a place from 3 on"):
        context_before(symbols, 2, 3)
    with pytest.raises(InsideError, match="from 0 to 203"):
        context_before(symbols, FABLE_SYMBOLS, 3)


def _gates_of(cell, hidden=None, forget=None):
    """A one-layer PredictionGates with the given cell (and optionally hidden, forget) values."""
    cell = np.asarray(cell, dtype=np.float32)
    zeros = np.zeros_like(cell)
    layer = LayerTrace(
        input_gate=zeros,
        forget_gate=zeros if forget is None else np.asarray(forget, dtype=np.float32),
        candidate=zeros,
        output_gate=zeros,
        cell=cell,
        hidden=zeros if hidden is None else np.asarray(hidden, dtype=np.float32),
    )
    return PredictionGates(("a", "b", "c"), (0, 1, 2), (layer,), "d", 0.5)


def test_the_units_that_change_most_come_first():
    # Units' cell states over 3 steps; the state starts at 0 before the first symbol.
    gates = _gates_of(
        [
            [0.1, 0.9, 0.0, -0.5],
            [0.2, 0.9, 0.4, 0.5],
            [0.3, 0.9, -0.4, -0.5],
        ]
    )
    # Ranges from the zero start: 0.3, 0.9, 0.8, 1.0.
    assert changing_units(gates, count="all").tolist() == [3, 1, 2, 0]
    assert changing_units(gates, count=2).tolist() == [3, 1]
    # A gate has no start value: only its steps count, and a constant gate has not changed.
    gate = _gates_of(np.zeros((3, 2)), forget=[[0.9, 0.1], [0.9, 0.5], [0.9, 0.1]])
    assert changing_units(gate, quantity="forget_gate", count="all").tolist() == [1, 0]
    with pytest.raises(ValueError, match="count"):
        changing_units(gates, count=0)
    with pytest.raises(ValueError, match="count"):
        changing_units(gates, count="most")


# ----- the word map -----


def test_points_on_a_line_have_one_principal_component():
    direction = np.array([3.0, -4.0, 12.0]) / 13.0
    positions = np.array([-2.0, -1.0, 0.5, 1.0, 4.0])
    points = np.array([5.0, 1.0, -2.0]) + positions[:, None] * direction
    coordinates, explained = principal_components(points)
    assert explained[0] == pytest.approx(1.0) and explained[1] == pytest.approx(0.0, abs=1e-12)
    # The distances along the line, centred; the sign makes the largest coordinate (3.5) positive.
    assert np.allclose(coordinates[:, 0], [-2.5, -1.5, 0.0, 0.5, 3.5])
    assert np.allclose(coordinates[:, 1], 0.0, atol=1e-12)


def test_principal_components_of_a_known_ellipse():
    # Variance 9 along (1, 1)/√2 and 1 along (1, -1)/√2: the axes explain 90% and 10%.
    along, across = np.array([1.0, 1.0]) / np.sqrt(2), np.array([1.0, -1.0]) / np.sqrt(2)
    signs = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]], dtype=np.float64)
    points = 3.0 * signs[:, :1] * along + 1.0 * signs[:, 1:] * across
    coordinates, explained = principal_components(points)
    assert explained == pytest.approx([0.9, 0.1])
    # Each axis is known up to its sign (all coordinates tie in size here): align it on the first row.
    assert np.allclose(coordinates * np.sign(coordinates[0]), signs * [3.0, 1.0])
    # A single vector or a one-dimensional embedding still gives two axes.
    assert principal_components(np.ones((1, 4)))[0].shape == (1, 2)
    coordinates, explained = principal_components(np.array([[1.0], [2.0], [4.0]]))
    assert coordinates.shape == (3, 2) and explained.tolist() == [1.0, 0.0]


def test_the_word_map_places_every_symbol(fable):
    predictor, _, _ = fable
    mapped = word_map(predictor)
    assert mapped.symbols == predictor.vocabulary.symbols
    assert mapped.counts == predictor.vocabulary.counts
    assert mapped.coordinates.shape == (len(predictor.vocabulary), 2)
    coordinates, explained = principal_components(predictor.embedding)
    assert np.allclose(mapped.coordinates, coordinates)
    assert 0 < mapped.explained[1] <= mapped.explained[0] < 1


def test_nearest_neighbours_on_a_hand_built_embedding():
    symbols = ["cat", "cats", "dog", "mouse", "cheese"]
    embedding = [[1.0, 0.0], [0.8, 0.6], [0.0, 2.0], [-3.0, 0.0], [0.6, -0.8]]
    predictor = _hand_predictor(symbols, ModelConfig(n_input=2, units=4, embedding_dim=2), embedding)
    neighbours = nearest_neighbours(predictor, "cat", 3)
    assert [symbol for symbol, _ in neighbours] == ["cats", "cheese", "dog"]
    assert [similarity for _, similarity in neighbours] == pytest.approx([0.8, 0.6, 0.0])
    assert nearest_neighbours(predictor, "mouse", 1) == [("dog", pytest.approx(0.0))]
    # Never itself, and k is capped at the other symbols.
    assert "dog" not in [symbol for symbol, _ in nearest_neighbours(predictor, "dog", 10)]
    assert len(nearest_neighbours(predictor, "dog", 10)) == 4
    # A zero vector is like nothing.
    assert cosine_neighbours(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), 0, 2) == [(1, 0.0), (2, 0.0)]


def test_the_raw_index_has_no_word_map():
    symbols = ["the", "cat", "sat"]
    predictor = _hand_predictor(symbols, ModelConfig(n_input=2, units=4, encoding="index"))
    with pytest.raises(InsideError, match="meaning"):
        word_map(predictor)
    with pytest.raises(InsideError, match="raw index"):
        nearest_neighbours(predictor, "cat")


def test_a_symbol_not_in_the_vocabulary_has_no_neighbours(fable):
    predictor, _, _ = fable
    with pytest.raises(UnknownSymbolError, match="mosue") as error:
        nearest_neighbours(predictor, "mosue")
    assert "mouse" in error.value.suggestions["mosue"]
    capped = Vocabulary.from_symbols(["a", "a", "b", "b", "c", "d"], max_size=3)
    assert capped.capped == {"c", "d"}
    rare = _hand_predictor(capped, ModelConfig(n_input=1, units=2, embedding_dim=2))
    with pytest.raises(InsideError, match="too rare"):
        nearest_neighbours(rare, "d")


# ----- slow motion -----


def _check_plain_steps(steps):
    for step in steps:
        assert step.title and step.part
        sentences = step.explanation.count(". ") + 1
        assert 1 <= sentences <= 2 and step.explanation.endswith("."), step.explanation
        json.dumps(step.data)  # plain data


def test_slow_motion_walks_from_words_to_the_chosen_word(fable):
    predictor, _, _ = fable
    steps = slow_motion(predictor, "had a general", top=5)
    keys = [step.key for step in steps]
    assert keys == [
        "context",
        "ids",
        "vectors",
        "lstm",
        "lstm",
        "lstm",
        "scores",
        "softmax",
        "choice",
        "feedback",
    ]
    _check_plain_steps(steps)
    by_key = {step.key: step for step in steps}
    ids = predictor.encode_context("had a general")
    assert by_key["ids"].data == {"symbols": ["had", "a", "general"], "ids": ids}
    assert np.allclose(by_key["vectors"].data["vectors"], predictor.embedding[ids])
    trace = predictor.trace(ids)
    lstm_steps = [step for step in steps if step.key == "lstm"]
    assert [step.data["symbol"] for step in lstm_steps] == ["had", "a", "general"]
    for index, step in enumerate(lstm_steps):
        (layer,) = step.data["layers"]
        assert np.allclose(layer["hidden"], trace.layers[0].hidden[index])
        assert np.allclose(layer["cell"], trace.layers[0].cell[index])
    top = predictor.top_k("had a general", 5)
    listed = by_key["softmax"].data["top"]
    assert [(row["symbol"], row["probability"]) for row in listed] == [
        (symbol, pytest.approx(probability)) for symbol, probability in top
    ]
    assert by_key["softmax"].data["others"] == pytest.approx(1 - sum(p for _, p in top))
    assert [row["score"] for row in by_key["scores"].data["top"]] == pytest.approx(
        trace.logits[[row["id"] for row in listed]].tolist()
    )
    assert by_key["scores"].data["vocabulary_size"] == FABLE_VOCABULARY
    assert by_key["choice"].data["symbol"] == "council"
    assert "“council”" in by_key["choice"].explanation
    following = predictor.generate("had a general", n_words=2).generated
    assert by_key["feedback"].data["symbols"] == ["a", "general", "council"]
    assert by_key["feedback"].data["ids"] == predictor.vocabulary.encode(["a", "general", "council"])
    assert slow_motion(predictor, by_key["feedback"].data["symbols"])[-2].data["symbol"] == following[1]


def test_slow_motion_in_raw_index_mode_shows_the_numbers():
    symbols = ["the", "cat", "sat", "on", "mat"]
    predictor = _hand_predictor(symbols, ModelConfig(n_input=3, layers=2, units=4, encoding="index"))
    steps = slow_motion(predictor, ["cat", "sat", "mat"], top=10)
    assert [step.key for step in steps][:3] == ["context", "ids", "numbers"]
    assert steps[2].data["numbers"] == [1.0, 2.0, 4.0]
    assert "meaning" in steps[2].explanation
    lstm = [step for step in steps if step.key == "lstm"]
    assert [len(step.data["layers"]) for step in lstm] == [2, 2, 2]
    assert "2 layers" in lstm[0].explanation
    _check_plain_steps(steps)
    assert len(steps[-3].data["top"]) == 5  # top is capped at the vocabulary
    with pytest.raises(UnknownSymbolError):
        slow_motion(predictor, ["cat", "sat", "dog"])


# ----- the model itself -----


@pytest.mark.parametrize(
    "model_config",
    [
        ModelConfig(),
        ModelConfig(n_input=4, layers=2, units=16, encoding="index"),
        ModelConfig(n_input=2, layers=3, units=8, embedding_dim=5),
        ModelConfig(n_input=3, layers=2, units=8, embedding_dim=5, dropout=0.3),
    ],
    ids=["default", "index-2-layers", "embedding-3-layers", "dropout-2-layers"],
)
@pytest.mark.slow
def test_the_model_summary_is_keras_own(model_config):
    from nextword.training.model import build_model

    model = build_model(model_config, FABLE_VOCABULARY)
    rows = model_summary(model_config, FABLE_VOCABULARY)
    keras_rows = [
        (layer.name, type(layer).__name__, tuple(layer.output.shape), layer.count_params())
        for layer in model.layers
    ]
    assert [(row.name, row.kind, row.output_shape, row.parameters) for row in rows] == keras_rows
    total = sum(row.parameters for row in rows)
    assert total == model.count_params() == count_parameters(model_config, FABLE_VOCABULARY)


def test_inside_needs_no_tensorflow():
    code = "import sys, nextword.inside; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
