"""A run's curves so far, which outlive each stretch of training, and the exact score of a set of windows.

The tracker of each stretch extends the same `History`, so a continued run goes on drawing its
curves; `score` is how a point of the held-out curves is measured. No TensorFlow here.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

# How many article-style sample lines a snapshot keeps.
SAMPLES_KEPT = 5
# Rows scored in one numpy pass (bounds the memory of the logits for a large vocabulary).
SCORING_ROWS = 2048


class Score(NamedTuple):
    """How a model did on some windows: top-1 and top-5 accuracy and mean cross-entropy (nats)."""

    top1: float
    top5: float
    loss: float

    @property
    def perplexity(self) -> float:
        return math.exp(self.loss)


def score(predictor, contexts: np.ndarray, targets: np.ndarray) -> Score:
    """The predictor's exact score on these windows (float64 log-softmax of its logits)."""
    if len(targets) == 0:
        return Score(0.0, 0.0, 0.0)
    correct, in_top5, total_loss = 0, 0, 0.0
    for start in range(0, len(targets), SCORING_ROWS):
        logits = predictor.logits(contexts[start : start + SCORING_ROWS]).astype(np.float64)
        rows = np.asarray(targets[start : start + SCORING_ROWS])
        own = logits[np.arange(len(rows)), rows]
        correct += int((logits.argmax(axis=-1) == rows).sum())
        in_top5 += int(((logits > own[:, None]).sum(axis=-1) < 5).sum())
        peak = logits.max(axis=-1, keepdims=True)
        log_normaliser = np.log(np.exp(logits - peak).sum(axis=-1)) + peak[:, 0]
        total_loss += float((log_normaliser - own).sum())
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
    scoring_seconds: float = 0.0  # exact scoring, over every stretch
    holdout_scoring_seconds: float = 0.0  # the held-out part of it
    samples: deque = field(default_factory=lambda: deque(maxlen=SAMPLES_KEPT))
    # The step with the lowest held-out loss so far, and a copy of its weights (kept when asked).
    best_step: int | None = None
    best_holdout_loss: float = math.inf
    best_weights: list | None = None
