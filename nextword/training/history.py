"""A run's curves so far, how a point of them is scored, and when the run has learned all it can.

The tracker of each stretch extends the same `History`, so a continued run goes on drawing its
curves; `score` is how a point of them is measured exactly. A run has learned all it can when
every window that can be right is right (the ceiling) and the mean loss of its last
`LEARNED_LOSS_STEPS` steps is within `LEARNED_LOSS_MARGIN` of the lowest any model can reach on the
story: `LearnedRule.met` is written with comparison operators only, so the same code reads plain
numbers (the tracker) and tensors (a compiled block). No TensorFlow here.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

# How many article-style sample lines a snapshot keeps.
SAMPLES_KEPT = 5
# Rows scored in one numpy pass: it bounds the memory of the logits for a large vocabulary, and
# a pass whose arrays stay in the cache is faster (512 rows of Tiny Shakespeare: 13 MB).
SCORING_ROWS = 512
# exp(-80) is about 1.8e-35, above float32's smallest normal number (about 1.2e-38).
SUBNORMAL_FLOOR = -80.0


class Score(NamedTuple):
    """How a model did on some windows: top-1 and top-5 accuracy and mean cross-entropy (nats)."""

    top1: float
    top5: float
    loss: float

    @property
    def perplexity(self) -> float:
        return math.exp(self.loss)


def score(predictor, contexts: np.ndarray, targets: np.ndarray) -> Score:
    """The predictor's exact score on these windows: a log-softmax of its logits in float32, as
    Keras computes its loss (float64 would double scoring's time on a large vocabulary); the sum of
    the windows' losses in float64."""
    if len(targets) == 0:
        return Score(0.0, 0.0, 0.0)
    correct, in_top5, total_loss = 0, 0, 0.0
    for start in range(0, len(targets), SCORING_ROWS):
        logits = np.asarray(predictor.logits(contexts[start : start + SCORING_ROWS]), dtype=np.float32)
        rows = np.asarray(targets[start : start + SCORING_ROWS])
        own = logits[np.arange(len(rows)), rows]
        correct += int((logits.argmax(axis=-1) == rows).sum())
        in_top5 += int(((logits > own[:, None]).sum(axis=-1) < 5).sum())
        peak = logits.max(axis=-1, keepdims=True)
        # In place (the logits are this call's own): each new array of a large vocabulary's rows
        # costs more in fresh memory than the arithmetic. Floored so that no exp lands among
        # float32's subnormal numbers, which are many times slower to compute with; what the floor
        # adds to a sum of at least 1 is below float32's precision.
        np.subtract(logits, peak, out=logits)
        np.maximum(logits, SUBNORMAL_FLOOR, out=logits)
        log_normaliser = np.log(np.exp(logits, out=logits).sum(axis=-1)) + peak[:, 0]
        total_loss += float((log_normaliser - own).sum(dtype=np.float64))
    count = len(targets)
    return Score(correct / count, in_top5 / count, total_loss / count)


@dataclass
class History:
    """A run's curves so far; it outlives one tracker, so a continued run extends its curves."""

    losses: list[float] = field(default_factory=list)
    batch_accuracies: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_accuracies: list[float] = field(default_factory=list)
    eval_losses: list[float] = field(default_factory=list)  # the exact loss at each eval step
    holdout_accuracies: list[float] = field(default_factory=list)
    holdout_losses: list[float] = field(default_factory=list)
    holdout_top5s: list[float] = field(default_factory=list)  # the true symbol among the five likeliest
    scoring_seconds: float = 0.0  # exact scoring, over every stretch
    holdout_scoring_seconds: float = 0.0  # the held-out part of it
    samples: deque = field(default_factory=lambda: deque(maxlen=SAMPLES_KEPT))
    # The step with the lowest held-out loss so far, and a copy of its weights (kept when asked).
    best_step: int | None = None
    best_holdout_loss: float = math.inf
    best_weights: list | None = None


# How far (nats) above the story's lowest possible loss the recent mean loss may be.
LEARNED_LOSS_MARGIN = 0.05
# Steps whose losses the rule averages.
LEARNED_LOSS_STEPS = 5


@dataclass(frozen=True)
class LearnedRule:
    """The "learned all it can" test of one run."""

    # Windows the best possible predictor gets right: an int, or an int32 tensor inside a block.
    ceiling_count: object
    # The highest mean loss of the last `LEARNED_LOSS_STEPS` steps that counts as learned: a float,
    # or a float32 tensor inside a block.
    loss_limit: object

    def met(self, correct, mean_recent_loss):
        """Whether weights that get `correct` windows right, after steps of this mean loss, have learned."""
        return (correct >= self.ceiling_count) & (mean_recent_loss <= self.loss_limit)


def stop_reason(step: int, lowest_loss: float, total_steps: int) -> str:
    """The sentence a run that stopped because it learned all it can shows."""
    return (
        f"Stopped at step {step:,}: learned all it can. Every window that can be right "
        f"is right, and the loss is within {LEARNED_LOSS_MARGIN} of the lowest any model can "
        f"reach on this story ({lowest_loss:.3f}). Turn off “Stop when learned” to run "
        f"all {total_steps:,} steps."
    )
