"""A story's suggested hold-out and steps (run_windows.suggested_settings)."""

from __future__ import annotations

import math

from nextword.config import STEP_CHOICES, ModelConfig, TrainConfig
from nextword.text.run_windows import (
    HOLDOUT_STORY_SYMBOLS,
    SUGGESTED_DROPOUT,
    SUGGESTED_HOLDOUT,
    SUGGESTED_PASSES,
    SuggestedSettings,
    suggested_settings,
)
from nextword.text.windows import holdout_split
from tests.conftest import FABLE_SYMBOLS


def test_a_share_of_the_training_part_trains_on_its_start_and_holds_out_the_same_end(fable_story):
    from nextword.text.dataset import prepare_training_data
    from nextword.text.run_windows import RunWindows

    data = prepare_training_data(fable_story, ModelConfig(), holdout_percent=20)
    whole = RunWindows.of(data, TrainConfig(holdout=20))
    part = RunWindows.of(data, TrainConfig(holdout=20, train_share=40))
    assert whole.train_count == 160 and part.train_count == 64
    assert part.train == slice(0, 64) and part.evaluation_windows.max() < 64
    assert part.split == whole.split and (part.holdout_windows == whole.holdout_windows).all()


def test_short_stories_keep_the_defaults_so_the_fable_reproduces_the_article():
    default = TrainConfig()
    for symbols in (FABLE_SYMBOLS, 391, HOLDOUT_STORY_SYMBOLS - 1):
        assert suggested_settings(symbols) == SuggestedSettings(default.holdout, default.steps)
    n_input = ModelConfig().n_input
    fable = holdout_split(FABLE_SYMBOLS, n_input, suggested_settings(FABLE_SYMBOLS).holdout)
    assert fable.held_out_count == 0 and fable.train_count == FABLE_SYMBOLS - n_input, "every window trains"


def test_a_long_story_holds_out_its_end_and_gets_steps_for_its_size():
    suggestion = suggested_settings(82_252, n_input=3, batch_size=256)
    assert suggestion.holdout == SUGGESTED_HOLDOUT
    train_windows = holdout_split(82_252, 3, SUGGESTED_HOLDOUT).train_count
    needed = math.ceil(SUGGESTED_PASSES * train_windows / 256)
    assert suggestion.steps == 2000 and suggestion.steps >= needed > 1000, (
        "the fewest choices that make the passes"
    )
    assert suggested_settings(251_585).steps == 5000, "Tiny Shakespeare"
    assert suggestion.dropout == SUGGESTED_DROPOUT
    assert suggested_settings(HOLDOUT_STORY_SYMBOLS).holdout == SUGGESTED_HOLDOUT


def test_suggested_steps_grow_with_the_story_and_never_fall_below_the_default():
    sizes = (HOLDOUT_STORY_SYMBOLS, 10_000, 50_000, 120_000)
    steps = [suggested_settings(size).steps for size in sizes]
    assert steps == sorted(steps) and steps[-1] > steps[0]
    assert min(steps) >= TrainConfig().steps and set(steps) <= set(STEP_CHOICES)
    assert suggested_settings(50_000, batch_size=64).steps > suggested_settings(50_000, batch_size=256).steps


def test_the_suggested_hold_out_is_a_valid_setting_for_every_long_story():
    for size in (HOLDOUT_STORY_SYMBOLS, 5_000, 118_000):
        suggestion = suggested_settings(size, n_input=ModelConfig().n_input)
        TrainConfig(steps=suggestion.steps, holdout=suggestion.holdout)  # raises on a bad value
        assert holdout_split(size, ModelConfig().n_input, suggestion.holdout).held_out_count >= 200
