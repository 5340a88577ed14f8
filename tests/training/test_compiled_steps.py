"""Compiled blocks of training steps: the same steps as Keras, per-step curves, scoring, learned."""

import dataclasses

import numpy as np
import pytest

from nextword.config import ModelConfig, TrainConfig
from nextword.text.dataset import prepare_training_data
from nextword.text.run_windows import batch_plan
from nextword.training.progress import Status
from nextword.training.run import TrainingRun
from tests.conftest import TINY_STORY

STEPS = 12


@pytest.fixture
def tiny_data_for():
    from nextword.text.corpus import load_story

    story = load_story(TINY_STORY, name="tiny")
    return lambda model_config: prepare_training_data(story, model_config)


def _steps_by_keras_and_by_blocks(data, model_config, train_config, jit_compile, block_steps):
    """Per-step losses and accuracies, and final weights, from train_on_batch and from a BlockLoop."""
    from nextword.training.compiled_steps import BlockLoop
    from nextword.training.model import build_model

    plan = batch_plan(
        data.window_count, train_config, model_config.n_input, STEPS, np.random.RandomState(train_config.seed)
    )
    inputs, labels = data.contexts[plan].astype(np.float32), data.targets[plan]
    reference = build_model(model_config, len(data.vocabulary), train_config)
    keras_losses, keras_accuracies = [], []
    for step in range(STEPS):
        logs = reference.train_on_batch(inputs[step], labels[step], return_dict=True)
        keras_losses.append(logs["loss"])
        keras_accuracies.append(logs["accuracy"])
    model = build_model(model_config, len(data.vocabulary), train_config)
    loop = BlockLoop(model, plan.shape[1], model_config.n_input, capacity=8, jit_compile=jit_compile)
    losses, accuracies = [], []
    for start in range(0, STEPS, block_steps):
        block = loop.run(inputs[start : start + block_steps], labels[start : start + block_steps])
        assert not block.learned
        losses.extend(block.losses)
        accuracies.extend(block.accuracies)
    return (keras_losses, keras_accuracies, reference), (losses, accuracies, model)


@pytest.mark.parametrize("jit_compile", [True, False])
@pytest.mark.parametrize(
    "model_config, train_config",
    [
        (  # the article's recipe, small: raw index input, batch 1, RMSProp
            ModelConfig(n_input=3, units=24, encoding="index"),
            TrainConfig(batch_size=1, optimizer="rmsprop", learning_rate=0.001, article_order=True),
        ),
        (  # two layers, learned embedding, a batch of 5, Adam
            ModelConfig(n_input=2, layers=2, units=16, embedding_dim=8),
            TrainConfig(batch_size=5, optimizer="adam", learning_rate=0.01, seed=3),
        ),
    ],
    ids=["article-small", "embedding-adam-batch5"],
)
def test_blocks_make_the_same_steps_as_keras(tiny_data_for, model_config, train_config, jit_compile):
    data = tiny_data_for(model_config)
    (keras_losses, keras_accuracies, reference), (losses, accuracies, model) = _steps_by_keras_and_by_blocks(
        data, model_config, train_config, jit_compile, block_steps=5
    )
    np.testing.assert_allclose(losses, keras_losses, rtol=0, atol=1e-5)
    assert accuracies == pytest.approx(keras_accuracies, abs=1e-6)
    for ours, theirs in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5)
    assert int(model.optimizer.iterations.numpy()) == int(reference.optimizer.iterations.numpy()) == STEPS


@pytest.mark.parametrize(
    "model_config",
    [
        ModelConfig(n_input=1, units=12, encoding="index"),  # one step: no recurrent product at all
        ModelConfig(n_input=3, layers=2, units=12, encoding="index"),
        ModelConfig(n_input=4, layers=3, units=10, embedding_dim=6),
    ],
    ids=["index-1-step", "index-2-layers", "embedding-3-layers"],
)
def test_the_written_out_forward_pass_is_the_models(model_config):
    import tensorflow as tf

    from nextword.training.compiled_steps import window_forward
    from nextword.training.model import build_model

    model = build_model(model_config, 9, TrainConfig(seed=5))
    windows = tf.constant(np.random.RandomState(0).randint(0, 9, size=(4, model_config.n_input)), tf.float32)
    labels = tf.constant([1, 2, 3, 4])
    results = []
    for forward in (lambda inputs: model(inputs, training=True), window_forward(model)):
        with tf.GradientTape() as tape:
            logits = forward(windows)
            loss = model.loss(labels, logits)
        gradients = tape.gradient(loss, model.trainable_variables)
        # An unused weight (no recurrent product with one symbol a window) gets zeros, as in the block.
        zeros = [np.zeros(variable.shape, np.float32) for variable in model.trainable_variables]
        results.append(
            (
                logits.numpy(),
                [
                    z if g is None else tf.convert_to_tensor(g).numpy()
                    for g, z in zip(gradients, zeros, strict=True)
                ],
            )
        )
    (keras_logits, keras_gradients), (logits, gradients) = results
    np.testing.assert_allclose(logits, keras_logits, rtol=0, atol=1e-6)
    assert len(gradients) == len(keras_gradients) == len(model.trainable_variables)
    for ours, theirs in zip(gradients, keras_gradients, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_blocks_without_xla_are_keras_bit_for_bit(tiny_data_for):
    model_config = ModelConfig(n_input=3, units=24, encoding="index")
    train_config = TrainConfig(batch_size=1, optimizer="rmsprop", learning_rate=0.001, article_order=True)
    (keras_losses, _, reference), (losses, _, model) = _steps_by_keras_and_by_blocks(
        tiny_data_for(model_config), model_config, train_config, jit_compile=False, block_steps=8
    )
    assert [np.float32(loss) for loss in losses] == [np.float32(loss) for loss in keras_losses]
    for ours, theirs in zip(model.get_weights(), reference.get_weights(), strict=True):
        assert np.array_equal(ours, theirs)


def test_a_batch_one_run_trains_in_blocks_with_every_steps_values(tiny_data_for, monkeypatch):
    from nextword.training.compiled_steps import BlockLoop

    sizes = []
    original_run = BlockLoop.run

    def counting_run(self, inputs, labels, *rule):
        sizes.append(len(labels))
        return original_run(self, inputs, labels, *rule)

    monkeypatch.setattr(BlockLoop, "run", counting_run)
    model_config = ModelConfig(n_input=3, units=24, encoding="index")
    train_config = TrainConfig(
        steps=300, batch_size=1, optimizer="rmsprop", learning_rate=0.001, article_order=True
    )
    run = TrainingRun(tiny_data_for(model_config), model_config, train_config)
    run.start()
    progress = run.wait(120)
    assert progress.status == Status.FINISHED, progress.error
    assert sum(sizes) == progress.step == len(progress.losses) == len(progress.batch_accuracies) == 300
    assert sizes[0] == 1 and len(sizes) > 1  # the first point comes after one step
    assert set(progress.batch_accuracies) <= {0.0, 1.0} and all(np.isfinite(progress.losses))
    # Every score reads the weights after exactly its step: a block ends on each scored step.
    ends = set(np.cumsum(sizes).tolist())
    assert set(progress.eval_steps) <= ends
    assert progress.eval_steps[0] == 1 and progress.eval_steps[-1] == 300
    assert progress.steps_per_second and progress.steps_per_second > 0


def _run_to_the_end(data, model_config, train_config):
    run = TrainingRun(data, model_config, train_config)
    run.start()
    progress = run.wait(120)
    assert progress.status == Status.FINISHED, progress.error
    return run, progress


def test_steps_on_the_whole_story_score_the_weights_as_scoring_them_apart_would(tiny_data_for):
    model_config = ModelConfig(n_input=2, units=16, embedding_dim=8)
    data = tiny_data_for(model_config)
    train_config = TrainConfig(steps=120, batch_size=64, learning_rate=0.02, seed=3, stop_when_learned=False)
    assert train_config.batch_size > data.window_count  # every step trains on the whole story
    _, whole = _run_to_the_end(data, model_config, train_config)
    assert len(whole.eval_steps) > 10 and whole.samples and whole.samples[-1].step == whole.step
    scores = dict(zip(whole.eval_steps, whole.eval_accuracies, strict=True))
    # A run that ends at a scored step scores its final weights apart, with the numpy predictor.
    for step in (whole.eval_steps[1], whole.eval_steps[len(whole.eval_steps) // 2]):
        _, shorter = _run_to_the_end(data, model_config, dataclasses.replace(train_config, steps=step))
        assert shorter.losses == whole.losses[:step]
        assert shorter.final_accuracy == pytest.approx(scores[step], abs=1e-12), step


def test_a_whole_story_run_stops_at_the_first_step_that_has_learned(tiny_data_for):
    from nextword.inference.predictor import Predictor
    from nextword.training.history import LEARNED_LOSS_MARGIN, LEARNED_LOSS_STEPS, score

    model_config = ModelConfig(n_input=2, units=16, embedding_dim=8)
    data = tiny_data_for(model_config)
    train_config = TrainConfig(steps=600, batch_size=64, learning_rate=0.02, seed=3)

    def learned_after(run, progress) -> bool:
        """The tracker's test on the final weights: at the ceiling, the loss flat near the lowest."""
        predictor = Predictor.from_model(run.model, data.vocabulary, data.corpus_config, model_config)
        accuracy, _, loss = score(predictor, data.contexts, data.targets)
        window = [*progress.losses[-(LEARNED_LOSS_STEPS - 1) :], loss]
        right = round(accuracy * data.window_count)
        flat = sum(window) / len(window) <= progress.lowest_loss + LEARNED_LOSS_MARGIN
        return right >= data.ceiling_count and flat

    run, progress = _run_to_the_end(data, model_config, train_config)
    learned_step = progress.step
    assert LEARNED_LOSS_STEPS <= learned_step < train_config.steps
    assert progress.stop_reason.startswith(f"Stopped at step {learned_step}: learned all it can.")
    assert progress.final_accuracy == pytest.approx(progress.ceiling)
    assert learned_after(run, progress)
    # The step that found the weights learned made no update: the model has taken learned_step.
    assert int(run.model.optimizer.iterations.numpy()) == learned_step
    assert progress.eval_steps[-1] == learned_step and len(progress.losses) == learned_step
    # One step fewer, the same run had not yet learned: it stopped at the first step that had.
    earlier = dataclasses.replace(train_config, steps=learned_step - 1, stop_when_learned=False)
    run, progress = _run_to_the_end(data, model_config, earlier)
    assert progress.step == learned_step - 1 and not learned_after(run, progress)
