"""A training run: progress snapshots, listeners, stop, continue, failures, determinism, the ceiling."""

import dataclasses
import threading

import numpy as np
import pytest

import nextword.training.model as model_module
from nextword.config import ModelConfig, TrainConfig
from nextword.errors import NextwordError, StoryTooShortError
from nextword.text.dataset import prepare_training_data
from nextword.training.progress import Status, TrainingProgress
from nextword.training.run import TrainingRun
from tests.conftest import FABLE_RIGHT_POSSIBLE, FABLE_WINDOWS


def test_a_tiny_run_finishes_with_a_full_history(tiny_data, tiny_model_config, tiny_train_config):
    session = TrainingRun(tiny_data, tiny_model_config, tiny_train_config)
    assert session.progress().status == "queued"
    session.start()
    progress = session.wait(60)
    assert progress.status == Status.FINISHED
    assert progress.step == progress.total_steps == tiny_train_config.steps
    assert len(progress.losses) == len(progress.batch_accuracies) == tiny_train_config.steps
    assert all(np.isfinite(progress.losses))
    assert progress.losses[-1] < progress.losses[0]
    assert progress.eval_steps[-1] == progress.step
    assert 0 <= progress.final_accuracy <= progress.ceiling
    assert progress.samples and " - [" in progress.samples[-1].text
    assert progress.has_weights and progress.done
    assert not session.is_alive()


def test_default_settings_reach_the_fables_ceiling_and_stop_once_learned(trained_fable):
    progress = trained_fable.progress()
    assert progress.status == Status.FINISHED
    assert (
        trained_fable.data.ceiling_count == FABLE_RIGHT_POSSIBLE
        and trained_fable.data.window_count == FABLE_WINDOWS
    )
    # The exact accuracy reaches the best any predictor can do (199 of 201), and the run ends there.
    assert progress.final_accuracy == pytest.approx(FABLE_RIGHT_POSSIBLE / FABLE_WINDOWS)
    assert progress.step == progress.total_steps < TrainConfig().steps
    assert progress.stop_reason.startswith(f"Stopped at step {progress.step}: learned all it can.")
    assert f"run all {TrainConfig().steps} steps" in progress.stop_reason
    assert progress.losses[-1] < progress.lowest_loss + 0.1 and progress.lowest_loss == pytest.approx(
        0.0138, abs=1e-4
    )
    assert not progress.still_improving


def test_a_run_told_not_to_stop_when_learned_runs_every_step(tiny_data, tiny_model_config, tiny_train_config):
    run = TrainingRun(tiny_data, tiny_model_config, tiny_train_config)  # stop_when_learned=False
    run.start()
    progress = run.wait(60)
    assert progress.step == tiny_train_config.steps and progress.stop_reason is None


def test_a_held_out_run_scores_both_parts_and_the_ngram(fable_story):
    model_config = ModelConfig(units=32, embedding_dim=8)
    data = prepare_training_data(fable_story, model_config, holdout_percent=20)
    run = TrainingRun(data, model_config, TrainConfig(steps=40, holdout=20, stop_when_learned=False))
    # 204 symbols, 41 held out (the last 20%): 160 training windows, 41 held-out ones.
    assert run.progress().window_count == 160 and run.progress().holdout_window_count == 41
    run.start()
    progress = run.wait(120)
    assert progress.status == Status.FINISHED
    assert len(progress.holdout_accuracies) == len(progress.holdout_losses) == len(progress.eval_steps)
    assert 0 <= progress.final_holdout_accuracy <= 1 and progress.holdout_losses[-1] > 0
    # The time spent scoring is told, the held-out part within it, within the training time.
    assert 0 < progress.holdout_scoring_seconds < progress.scoring_seconds < progress.elapsed_seconds
    # The n-gram counts only the training part: it gets more of those windows right than held-out ones.
    assert progress.ngram_holdout_accuracy < progress.ngram_accuracy <= progress.ceiling


def test_a_listener_sees_every_published_snapshot_in_order(tiny_data, tiny_model_config, tiny_train_config):
    run = TrainingRun(tiny_data, tiny_model_config, tiny_train_config)
    seen: list[TrainingProgress] = []
    run.add_listener(seen.append)
    run.add_listener(lambda progress: 1 / 0)  # a broken listener is logged, never stops the run
    run.start()
    final = run.wait(60)
    assert final.status == Status.FINISHED
    assert seen[0].status == Status.RUNNING and seen[-1] == final
    steps = [progress.step for progress in seen]
    assert steps == sorted(steps) and steps[-1] == tiny_train_config.steps
    run.remove_listener(seen.append)


def test_stop_mid_run_ends_it_within_its_block_and_keeps_a_usable_model(fable_story):
    model_config = ModelConfig(units=32, embedding_dim=8)
    data = prepare_training_data(fable_story, model_config)
    session = TrainingRun(data, model_config, TrainConfig(steps=100_000, batch_size=16))
    session.start()
    assert session.wait_for(lambda progress: progress.step >= 5, timeout=120).step >= 5
    session.stop()
    session.stop()  # a second stop is harmless
    progress = session.wait(60)
    # How quickly it ends is the bench's to time; here, that it ends long before its steps run out.
    assert progress.status == Status.STOPPED and not session.is_alive()
    assert 5 <= progress.step == progress.total_steps == len(progress.losses) < 100_000
    assert int(session.model.optimizer.iterations.numpy()) == progress.step, "the curves hold every step"
    assert session.predictor().top_k("had a general", 3)

    session.continue_training(20)
    continued = session.wait(60)
    assert continued.status == Status.FINISHED
    assert continued.step == progress.step + 20 == len(continued.losses) == len(continued.batch_accuracies)


def test_continue_needs_a_finished_run(tiny_data, tiny_model_config, tiny_train_config):
    session = TrainingRun(tiny_data, tiny_model_config, tiny_train_config)
    with pytest.raises(NextwordError):
        session.continue_training(10)
    with pytest.raises(NextwordError):
        session.predictor()


def test_a_queued_run_stopped_before_it_starts_has_no_weights(
    tiny_data, tiny_model_config, tiny_train_config
):
    session = TrainingRun(tiny_data, tiny_model_config, tiny_train_config)
    session.stop()
    progress = session.progress()
    assert progress.status == Status.STOPPED and not progress.has_weights
    session.start()  # nothing left to train: stays stopped
    assert session.progress().status == Status.STOPPED


def test_a_diverging_run_fails_with_a_message(tiny_data, tiny_model_config):
    session = TrainingRun(tiny_data, tiny_model_config, TrainConfig(steps=200, learning_rate=1e4, seed=0))
    session.start()
    progress = session.wait(60)
    assert progress.status == Status.FAILED
    assert "diverged" in progress.error and "Lower the learning rate" in progress.error
    assert progress.step < 200
    # The snapshot reaches the failing step: its number is the one the message names.
    assert f"at step {progress.step} " in progress.error, (progress.step, progress.error)


def test_an_exception_inside_training_becomes_a_failed_status(
    tiny_data, tiny_model_config, tiny_train_config, monkeypatch
):
    done = threading.Event()
    session = TrainingRun(tiny_data, tiny_model_config, tiny_train_config, on_done=lambda _: done.set())

    def broken_build(*_arguments):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(model_module, "build_model", broken_build)  # a fault the worker must report
    session.start()
    progress = session.wait(30)
    assert progress.status == Status.FAILED and "disk on fire" in progress.error
    assert done.is_set()


@pytest.mark.parametrize("batch_size", [64, 1], ids=["whole-story", "batch-1-xla"])
def test_same_story_settings_and_seed_give_the_same_run(
    tiny_data, tiny_model_config, tiny_train_config, batch_size
):
    train_config = dataclasses.replace(tiny_train_config, batch_size=batch_size)
    runs = []
    for _ in range(2):
        session = TrainingRun(tiny_data, tiny_model_config, train_config)
        session.start()
        runs.append((session.wait(60), session.predictor().top_k("the cat", 5)))
    (first, first_top), (second, second_top) = runs
    assert first.losses == second.losses and first.batch_accuracies == second.batch_accuracies
    assert first_top == second_top


def test_a_story_too_short_for_n_input_is_refused():
    from nextword.text.corpus import load_story

    with pytest.raises(StoryTooShortError, match="3 symbols"):
        prepare_training_data(load_story("a b c"), ModelConfig(n_input=3))


def test_an_enormous_vocabulary_is_capped_and_scored_on_a_sample():
    """100,000 distinct symbols: the rarest share ⟨unk⟩ and the accuracy is scored on a fixed sample."""
    from nextword.config import CorpusConfig
    from nextword.text.corpus import load_story
    from nextword.text.vocab import UNKNOWN_SYMBOL

    words = " ".join(f"w{index}" for index in range(100_000))
    story = load_story(words, CorpusConfig(max_vocabulary=20_000))
    model_config = ModelConfig(n_input=2, units=8, embedding_dim=4)
    data = prepare_training_data(story, model_config)
    assert len(data.vocabulary) == 20_000 and UNKNOWN_SYMBOL in data.vocabulary.symbols
    session = TrainingRun(data, model_config, TrainConfig(steps=3, batch_size=64))
    session.start()
    progress = session.wait(120)
    assert progress.status == Status.FINISHED, progress.error
    assert 0 < progress.evaluation_window_count < progress.window_count == 99_998


def test_wait_for_returns_the_first_snapshot_that_meets_the_condition(
    tiny_data, tiny_model_config, tiny_train_config
):
    session = TrainingRun(tiny_data, tiny_model_config, tiny_train_config)
    queued = session.wait_for(lambda progress: progress.done, timeout=0.2)
    assert queued.status == Status.QUEUED, "not met within the timeout: the latest snapshot"
    session.start()
    first = session.wait_for(lambda progress: bool(progress.losses), timeout=60)
    assert first.losses and first.step >= 1
    assert session.wait_for(lambda progress: progress.done, timeout=60).status == Status.FINISHED


@pytest.mark.parametrize("free_seconds", [0.5, 0.0])
def test_a_busy_machine_skips_no_scoring_point_of_a_short_run(
    monkeypatch, tiny_data, tiny_model_config, tiny_train_config, free_seconds
):
    # A budget of 0 stands for a machine so busy that any scoring is over its share of the time.
    import nextword.training.tracker as tracker_module

    monkeypatch.setattr(tracker_module, "EVALUATION_BUDGET", 0.0)
    monkeypatch.setattr(tracker_module, "EVALUATION_FREE_SECONDS", free_seconds)
    # Batches smaller than the story: the steps do not score themselves, the tracker scores apart.
    steps = tracker_module.LEAST_POINTS + 15  # fewer than EVALUATION_POINTS: every step is a scoring point
    train_config = dataclasses.replace(tiny_train_config, batch_size=8, steps=steps)
    run = TrainingRun(tiny_data, tiny_model_config, train_config)
    run.start()
    progress = run.wait(60)
    if free_seconds:
        # Scoring this tiny story takes far less than the free half second: every point is scored.
        assert list(progress.eval_steps) == list(range(1, steps + 1))
    else:
        # The first LEAST_POINTS points are always scored (a live curve has them), then only the final one.
        least = tracker_module.LEAST_POINTS
        assert list(progress.eval_steps) == [*range(1, least + 1), steps]
