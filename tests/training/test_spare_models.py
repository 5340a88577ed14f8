"""Spare models: a run that starts from one trains exactly as from a new model, minus the trace."""

import dataclasses

import numpy as np
import pytest

from nextword.training.registry import RunRegistry
from nextword.training.run import TrainingRun
from nextword.training.spare_models import SparePool, spare_key
from tests.conftest import tiny_factory


def ready_spare(pool: SparePool, data, model_config, train_config) -> None:
    pool.prepare_in_background(data, model_config, train_config)
    assert pool.wait_ready(spare_key(data, model_config, train_config), timeout=60)


def finished_run(data, model_config, train_config, spares: SparePool | None = None):
    """A finished run, started with `spares` (None: it builds its own model)."""
    run = TrainingRun(data, model_config, train_config)
    run.start(spares=spares)
    progress = run.wait(60)
    assert progress.status == "finished"
    return run, progress


@pytest.mark.parametrize("batch_size", [None, 1], ids=["batch", "batch-1-xla"])
def test_a_run_from_a_spare_trains_exactly_as_from_a_new_model(
    tiny_data, tiny_model_config, tiny_train_config, batch_size
):
    if batch_size is not None:  # one window a step: the block is compiled with XLA
        tiny_train_config = dataclasses.replace(tiny_train_config, batch_size=batch_size)
    pool = SparePool(settle_seconds=0)
    ready_spare(pool, tiny_data, tiny_model_config, tiny_train_config)
    from_spare, spared = finished_run(tiny_data, tiny_model_config, tiny_train_config, spares=pool)
    assert pool.keys() == [], "the run took the spare, and a spare is handed out once"
    fresh, built = finished_run(tiny_data, tiny_model_config, tiny_train_config)
    assert spared.losses == built.losses
    # Scoring is paced by time (a run that needs no trace has less of it), so compare the steps both scored.
    spared_scores = dict(zip(spared.eval_steps, spared.eval_accuracies, strict=True))
    built_scores = dict(zip(built.eval_steps, built.eval_accuracies, strict=True))
    both = set(spared_scores) & set(built_scores)
    assert built.step in both
    assert {step: spared_scores[step] for step in both} == {step: built_scores[step] for step in both}
    for mine, theirs in zip(from_spare.model.get_weights(), fresh.model.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_a_spare_is_only_taken_by_the_settings_it_was_made_for(
    tiny_data, tiny_model_config, tiny_train_config
):
    pool = SparePool(settle_seconds=0)
    ready_spare(pool, tiny_data, tiny_model_config, tiny_train_config)
    for other in (
        dataclasses.replace(tiny_train_config, seed=tiny_train_config.seed + 1),
        dataclasses.replace(tiny_train_config, learning_rate=0.005),
        dataclasses.replace(tiny_train_config, optimizer="rmsprop"),
        dataclasses.replace(tiny_train_config, batch_size=8),
    ):
        assert pool.take(tiny_data, tiny_model_config, other) is None, other
    assert pool.take(tiny_data, dataclasses.replace(tiny_model_config, units=8), tiny_train_config) is None
    # More steps, a hold-out that leaves the batch as large, or "stop when learned" change nothing traced.
    longer = dataclasses.replace(tiny_train_config, steps=500, stop_when_learned=True)
    assert pool.take(tiny_data, tiny_model_config, longer) is not None
    assert pool.take(tiny_data, tiny_model_config, longer) is None


def test_the_pool_keeps_the_newest_spares(tiny_data, tiny_model_config, tiny_train_config):
    pool = SparePool(max_spares=2, settle_seconds=0)
    configs = [dataclasses.replace(tiny_train_config, seed=seed) for seed in range(3)]
    for train_config in configs:
        ready_spare(pool, tiny_data, tiny_model_config, train_config)
    assert pool.keys() == [spare_key(tiny_data, tiny_model_config, config) for config in configs[1:]]
    assert pool.take(tiny_data, tiny_model_config, configs[0]) is None


def test_only_the_settings_that_stayed_are_built(tiny_data, tiny_model_config, tiny_train_config):
    pool = SparePool(settle_seconds=600)
    configs = [dataclasses.replace(tiny_train_config, seed=seed) for seed in range(5)]
    for train_config in configs:  # a slider dragged across five values
        pool.prepare_in_background(tiny_data, tiny_model_config, train_config)
    assert pool.keys() == [spare_key(tiny_data, tiny_model_config, configs[-1])], (
        "each asks instead of the last"
    )
    pool.close()
    assert pool.keys() == [], "a closed pool builds nothing"


def test_the_settings_a_run_has_taken_need_not_settle(tiny_data, tiny_model_config, tiny_train_config):
    pool = SparePool(settle_seconds=600)
    pool.prepare_in_background(tiny_data, tiny_model_config, tiny_train_config)
    assert pool.take(tiny_data, tiny_model_config, tiny_train_config) is None  # not built yet: the run builds
    # Its replacement, asked for once the run has finished: a person may press Train again at once.
    pool.prepare_in_background(tiny_data, tiny_model_config, tiny_train_config)
    assert pool.wait_ready(spare_key(tiny_data, tiny_model_config, tiny_train_config), timeout=60)
    pool.close()


def test_the_registry_prepares_only_while_nothing_trains():
    pool = SparePool(settle_seconds=0)
    registry = RunRegistry(spares=pool)
    key, factory = tiny_factory(steps=5000, seed=3)
    long_run, _ = registry.get_or_start(key, factory)
    data, model_config, train_config = long_run.data, long_run.model_config, long_run.train_config
    other = dataclasses.replace(train_config, seed=4)
    registry.prepare(data, model_config, other)
    assert pool.keys() == [], "nothing is prepared while a run trains"
    long_run.stop()
    long_run.wait(60)
    registry.prepare(data, model_config, train_config)
    same = spare_key(data, model_config, train_config)
    assert pool.keys() == [same], "the settings of a kept run: its next Train (more steps) starts at once"
    assert pool.wait_ready(same, timeout=60)
    more_steps = dataclasses.replace(train_config, steps=train_config.steps * 2)
    assert pool.take(data, model_config, more_steps) is not None, "the steps are not part of a spare"
    registry.prepare(data, model_config, other)
    assert pool.keys() == [spare_key(data, model_config, other)]
