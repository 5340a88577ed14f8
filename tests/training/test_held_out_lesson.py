"""The held-out lesson: perplexity, the best step's weights kept, early stopping, metrics.json."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nextword.config import ModelConfig, TrainConfig
from nextword.text.corpus import load_story
from nextword.text.dataset import prepare_training_data
from nextword.training.history import score
from nextword.training.progress import Status
from nextword.training.run import TrainingRun
from tests.conftest import ROOT

LONG_STORY = (ROOT / "tests" / "fixtures" / "long_story.txt").read_bytes()
MODEL = ModelConfig(n_input=3, units=32, embedding_dim=16, dropout=0.2)


def _held_out_run(steps: int = 200, keep_best: bool = True) -> TrainingRun:
    data = prepare_training_data(load_story(LONG_STORY, name="long"), MODEL, holdout_percent=10)
    train = TrainConfig(steps=steps, batch_size=64, learning_rate=0.01, holdout=10, keep_best=keep_best)
    run = TrainingRun(data, MODEL, train)
    run.start()
    assert run.wait(300).status == Status.FINISHED
    return run


def test_the_network_perplexity_is_exp_of_keras_mean_loss_on_the_same_windows(trained_fable):
    keras_model, data = trained_fable.model, trained_fable.data
    loss = keras_model.evaluate(
        data.contexts.astype(np.float32), data.targets, batch_size=len(data.targets), verbose=0
    )
    loss = loss[0] if isinstance(loss, list) else loss
    scored = score(trained_fable.predictor(), data.contexts, data.targets)
    assert math.isclose(scored.loss, loss, rel_tol=1e-4, abs_tol=1e-5)
    assert math.isclose(scored.perplexity, math.exp(loss), rel_tol=1e-4)


def test_a_held_out_run_keeps_and_predicts_with_its_best_step():
    run = _held_out_run()
    progress = run.progress()
    assert progress.best_step is not None and len(progress.holdout_perplexities) == len(progress.eval_steps)
    best = progress.best_index
    assert progress.holdout_losses[best] == min(progress.holdout_losses)
    # The predictor reads the kept weights: its held-out loss on the scored windows is the best one.
    windows = run.windows.holdout_windows
    kept = score(run.predictor(), run.data.contexts[windows], run.data.targets[windows])
    assert math.isclose(kept.loss, progress.holdout_losses[best], rel_tol=1e-5)
    if progress.best_step != progress.step:
        assert kept.loss < progress.holdout_losses[-1]
    if progress.stop_reason is not None:
        assert f"not improved since step {progress.best_step:,}" in progress.stop_reason
        assert progress.step < 200


def test_without_keep_best_the_run_trains_every_step_on_its_last_weights():
    run = _held_out_run(steps=60, keep_best=False)
    progress = run.progress()
    assert progress.step == 60 and progress.stop_reason is None
    windows = run.windows.holdout_windows
    last = score(run.predictor(), run.data.contexts[windows], run.data.targets[windows])
    assert math.isclose(last.loss, progress.holdout_losses[-1], rel_tol=1e-5)


def test_metrics_json_is_written_and_read_back(tmp_path):
    run = _held_out_run(steps=40)
    run.save(tmp_path / "run")
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics == json.loads(json.dumps(run.metrics()))
    assert metrics["steps"] == run.progress().step and metrics["training_seconds"] > 0
    assert metrics["best_step"] == run.progress().best_step
    for model in ("lstm", "ngram"):
        for part in ("training", "held_out"):
            figures = metrics[model][part]
            assert set(figures) == {"perplexity", "top1", "top5"}
            assert 1 <= figures["perplexity"] <= metrics["vocabulary"] * 10
            assert 0 <= figures["top1"] <= figures["top5"] <= 1
    assert metrics["ngram"]["order"] == MODEL.n_input + 1
    assert metrics["held_out_windows"] == run.windows.split.held_out_count
    assert metrics["unseen_held_out_words"] == run.data.unseen_held_out_count > 0


def test_nothing_held_out_gives_null_held_out_figures(trained_fable, tmp_path):
    metrics = trained_fable.metrics()
    assert metrics["lstm"]["held_out"] is None and metrics["ngram"]["held_out"] is None
    assert metrics["best_step"] is None and metrics["held_out_windows"] == 0
    assert metrics["lstm"]["training"]["top1"] == trained_fable.progress().final_accuracy


def test_a_short_story_learned_by_heart_still_draws_thirty_held_out_points():
    """The fable is learned in about 45 steps; with a fifth held out the run goes on until both
    curves have their first 30 points, then stops past its best step, with the top-5 of both models."""
    fable = (ROOT / "data" / "belling_the_cat.txt").read_bytes()
    model = ModelConfig()
    data = prepare_training_data(load_story(fable, name="fable"), model, holdout_percent=20)
    run = TrainingRun(data, model, TrainConfig(steps=300, holdout=20))
    run.start()
    progress = run.wait(300)
    assert progress.status == Status.FINISHED and progress.step < 300
    assert len(progress.eval_steps) >= 30
    assert len(progress.holdout_perplexities) == len(progress.holdout_top5s) == len(progress.eval_steps)
    pairs = zip(progress.holdout_accuracies, progress.holdout_top5s, strict=True)
    assert all(top1 <= top5 for top1, top5 in pairs)
    assert progress.ngram_holdout_top5 >= progress.ngram_holdout_accuracy
    assert "not improved since step" in progress.stop_reason


def test_an_ended_run_gives_its_kept_figures_on_every_held_out_window_and_a_continue_renews_them():
    run = _held_out_run(steps=40)
    progress = run.progress()
    metrics = run.metrics()
    kept, ngram = progress.kept_held_out, progress.ngram_held_out
    assert kept.perplexity == pytest.approx(metrics["lstm"]["held_out"]["perplexity"], rel=1e-6)
    assert (kept.top1, kept.top5) == (
        metrics["lstm"]["held_out"]["top1"],
        metrics["lstm"]["held_out"]["top5"],
    )
    held_out = np.arange(run.windows.split.held_out.start, run.windows.split.held_out.stop)
    scored = score(run.predictor(), run.data.contexts[held_out], run.data.targets[held_out])
    assert kept.perplexity == pytest.approx(scored.perplexity, rel=1e-6) and kept.top1 == scored.top1
    assert ngram.perplexity == pytest.approx(metrics["ngram"]["held_out"]["perplexity"], rel=1e-9)
    comparison = progress.held_out_comparison
    assert comparison.every_window and (comparison.lstm, comparison.ngram) == (
        kept.perplexity,
        ngram.perplexity,
    )
    run.continue_training(20, start=False)
    waiting = run.progress()
    assert waiting.kept_held_out is None and not waiting.held_out_comparison.every_window
    run.start()
    assert run.wait(300).kept_held_out is not None
