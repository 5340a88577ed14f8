"""Which windows a run trains on, scores and holds out, and in what order it visits them.

`RunWindows` is worked out once per run from the story's windows and the settings: the training
part (the story's start) and the held-out part (its end), the windows scored exactly on each
(all of them, or a fixed sample of a long story), the best accuracy and the lowest loss any model
can reach on the training part. `batch_plan` lays out the windows of every step.
`suggested_settings` gives a story its hold-out, steps and dropout when the person has not chosen
them.
Plain numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nextword.config import STEP_CHOICES, ModelConfig, TrainConfig
from nextword.text.dataset import TrainingData
from nextword.text.windows import HoldoutSplit, accuracy_ceiling, article_order, holdout_split, lowest_loss

# Scoring costs windows × vocabulary × units: a long story is scored on a fixed, seeded sample of
# windows (the same sample every time, so the curve is comparable), a short one on all of them.
# The sample holds at most this many window × vocabulary cells, so a live curve can have many points
# within the scoring budget (`tracker.EVALUATION_BUDGET`), and never fewer than the minimum.
EVALUATION_CELLS_LIMIT = 500_000
EVALUATION_WINDOWS_MINIMUM = 512
# The held-out sample is larger: its curve picks the step a run keeps and is read beside the
# n-gram's, and with 512 windows a sample of Tiny Shakespeare's held-out part ran 30% above the
# whole part's perplexity (2,048 cost about 0.1 s a point there).
HELD_OUT_WINDOWS_MINIMUM = 2048


def evaluation_sample(
    window_count: int, vocabulary_size: int, seed: int, minimum: int = EVALUATION_WINDOWS_MINIMUM
) -> np.ndarray:
    """Indices of the windows scored for the exact accuracy: all, or a seeded sample of a long story."""
    limit = max(minimum, EVALUATION_CELLS_LIMIT // max(1, vocabulary_size))
    if window_count <= limit:
        return np.arange(window_count)
    random = np.random.RandomState(seed + 1)
    return np.sort(random.choice(window_count, limit, replace=False))


# A story of at least this many symbols holds out the end of it unless the person says otherwise:
# at 10%, 200 held-out windows or more, so the held-out accuracy is known to about ±3 points (one
# standard error at 20% right). Shorter stories (the bundled ones, the article's fable) hold out
# nothing: a few dozen held-out words measure little, and the article's reproduction stays exact.
HOLDOUT_STORY_SYMBOLS = 2_000
SUGGESTED_HOLDOUT = 10
# Passes over the training windows the suggested steps make (never fewer steps than the default).
# On an 82,000-symbol text the held-out loss is lowest after about 4 passes and the held-out
# accuracy gains little after them, while the training accuracy keeps climbing: memorising.
SUGGESTED_PASSES = 4
# Dropout for a story long enough to hold out: the network then learns the language rather than
# memorising the story, and its held-out perplexity falls further before it rises.
SUGGESTED_DROPOUT = 0.3


@dataclass(frozen=True)
class SuggestedSettings:
    """The hold-out (percent), steps and dropout a story gets when the person has not set them."""

    holdout: int
    steps: int
    dropout: float = 0.0


def suggested_settings(
    symbol_count: int, n_input: int = ModelConfig().n_input, batch_size: int = TrainConfig().batch_size
) -> SuggestedSettings:
    """A story's hold-out and steps: the defaults for a short story; for a long one, 10% held out
    and the fewest of `STEP_CHOICES` that make SUGGESTED_PASSES passes over its training windows in
    batches of `batch_size` (a run that keeps its best step stops by itself once past it).
    """
    default = TrainConfig()
    if symbol_count < HOLDOUT_STORY_SYMBOLS:
        return SuggestedSettings(default.holdout, default.steps)
    train_windows = holdout_split(symbol_count, n_input, SUGGESTED_HOLDOUT).train_count
    batch = max(1, min(batch_size, train_windows))
    needed = max(default.steps, math.ceil(SUGGESTED_PASSES * train_windows / batch))
    steps = next((choice for choice in STEP_CHOICES if choice >= needed), STEP_CHOICES[-1])
    return SuggestedSettings(SUGGESTED_HOLDOUT, steps, SUGGESTED_DROPOUT)


@dataclass(frozen=True)
class RunWindows:
    """The windows of one run: trained on, scored, held out."""

    split: HoldoutSplit
    train_count: int  # the windows trained on: the training part's first `train_share` percent
    evaluation_windows: np.ndarray  # training windows scored exactly
    holdout_windows: np.ndarray  # held-out windows scored exactly (empty when none are held out)
    ceiling_count: int  # training windows the best possible predictor gets right
    lowest_loss: float  # the lowest mean loss any model can reach on the training windows

    @classmethod
    def of(cls, data: TrainingData, train_config: TrainConfig) -> RunWindows:
        """Raises HoldoutError when the hold-out leaves nothing to train or to test on."""
        if data.holdout_percent != train_config.holdout:
            raise ValueError(
                f"The windows were prepared holding out {data.holdout_percent:g}%, the run holds out "
                f"{train_config.holdout:g}%: prepare them with prepare_training_data(..., holdout_percent)."
            )
        split = holdout_split(data.window_count + data.n_input, data.n_input, train_config.holdout)
        vocabulary_size, seed = len(data.vocabulary), train_config.seed
        train_count = max(1, round(split.train_count * train_config.train_share / 100))
        contexts, targets = data.contexts[:train_count], data.targets[:train_count]
        return cls(
            split,
            train_count,
            evaluation_sample(train_count, vocabulary_size, seed),
            split.held_out.start
            + evaluation_sample(split.held_out_count, vocabulary_size, seed + 1, HELD_OUT_WINDOWS_MINIMUM),
            accuracy_ceiling(contexts, targets),
            lowest_loss(contexts, targets),
        )

    @property
    def train(self) -> slice:
        return slice(0, self.train_count)

    @property
    def ceiling(self) -> float:
        return self.ceiling_count / max(1, self.train_count)

    @property
    def every_training_window_scored(self) -> bool:
        return len(self.evaluation_windows) == self.train_count


def batch_plan(
    window_count: int, train_config: TrainConfig, n_input: int, steps: int, random: np.random.RandomState
) -> np.ndarray:
    """Window indices for `steps` steps, shape [steps, batch]: every batch has the same size.

    A batch at least as large as the story is the full set every step. Otherwise windows are
    shuffled per pass, and a pass that does not divide evenly runs on into the next one, so no
    short batch forces TensorFlow to trace a second step function.
    """
    if train_config.article_order:
        start = int(random.randint(0, 2**31 - 1))
        return article_order(window_count, n_input, steps, start).reshape(steps, 1)
    batch = min(train_config.batch_size, window_count)
    if batch == window_count:
        return np.broadcast_to(np.arange(window_count), (steps, window_count))
    needed = steps * batch
    order = np.concatenate(
        [random.permutation(window_count) for _ in range(math.ceil(needed / window_count))]
    )
    return order[:needed].reshape(steps, batch)
