"""The numpy predictor: agrees with Keras on every window, top-k, generation, context errors."""

import numpy as np
import pytest

from nextword.config import ModelConfig, TrainConfig
from nextword.dataset import prepare_training_data
from nextword.errors import ContextLengthError, NextwordError, UnknownSymbolError
from nextword.predict import softmax
from nextword.run import TrainingRun


def _trained(data, model_config, steps=15):
    session = TrainingRun(data, model_config, TrainConfig(steps=steps, batch_size=32, learning_rate=0.02))
    session.start()
    assert session.wait(60).status == "finished"
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
