"""The Keras model: shapes, both input encodings, stacking, seeded weights, parameter count."""

import numpy as np
import pytest

from nextword.config import ModelConfig, TrainConfig, article_configs
from nextword.training.model import build_model, count_parameters
from tests.conftest import FABLE_VOCABULARY


@pytest.mark.parametrize("encoding", ["embedding", "index"])
@pytest.mark.parametrize("layers", [1, 3])
def test_model_outputs_logits_over_the_vocabulary(encoding, layers):
    config = ModelConfig(n_input=4, layers=layers, units=8, encoding=encoding, embedding_dim=5)
    model = build_model(config, vocab_size=17)
    logits = model(np.zeros((2, 4), dtype=np.float32)).numpy()
    assert logits.shape == (2, 17)
    assert model.count_params() == count_parameters(config, 17)
    lstm_names = [layer.name for layer in model.layers if layer.name.startswith("lstm_")]
    assert len(lstm_names) == layers


def test_same_seed_gives_same_weights_and_another_seed_does_not():
    config = ModelConfig(n_input=3, units=8, embedding_dim=4)
    first = build_model(config, 10, TrainConfig(seed=3)).get_weights()
    second = build_model(config, 10, TrainConfig(seed=3)).get_weights()
    third = build_model(config, 10, TrainConfig(seed=4)).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, third, strict=True))


def test_the_model_trains_with_the_optimizer_and_units_its_settings_name():
    model_config, train_config = article_configs()
    model = build_model(model_config, FABLE_VOCABULARY, train_config)
    assert model.optimizer.__class__.__name__ == "RMSprop"
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(train_config.learning_rate)
    assert model.get_layer("lstm_1").units == model_config.units


@pytest.mark.parametrize(
    "changes",
    [{"n_input": 0}, {"layers": 5}, {"units": 0}, {"encoding": "onehot"}],
)
def test_bad_model_settings_are_refused(changes):
    with pytest.raises(ValueError):
        ModelConfig(**changes)


@pytest.mark.parametrize(
    "changes", [{"steps": 0}, {"optimizer": "sgd"}, {"learning_rate": 0}, {"batch_size": 0}]
)
def test_bad_train_settings_are_refused(changes):
    with pytest.raises(ValueError):
        TrainConfig(**changes)


def test_configs_round_trip_through_dicts():
    model_config, train_config = article_configs(n_input=5, layers=2)
    assert ModelConfig.from_dict(model_config.to_dict()) == model_config
    assert TrainConfig.from_dict(train_config.to_dict()) == train_config
