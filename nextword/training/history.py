"""A run's curves so far, which outlive each stretch of training, and the exact score of a set of windows.

The tracker of each stretch extends the same `History`, so a continued run goes on drawing its
curves; `score` is how a point of the held-out curves is measured. No TensorFlow here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

# How many article-style sample lines a snapshot keeps.
SAMPLES_KEPT = 5
# Rows scored in one numpy pass (bounds the memory of the logits for a large vocabulary).
SCORING_ROWS = 2048


def score(predictor, contexts: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """(exact accuracy, mean cross-entropy in nats) of the predictor on these windows."""
    if len(targets) == 0:
        return 0.0, 0.0
    correct, total_loss = 0, 0.0
    for start in range(0, len(targets), SCORING_ROWS):
        logits = predictor.logits(contexts[start : start + SCORING_ROWS]).astype(np.float64)
        rows = np.asarray(targets[start : start + SCORING_ROWS])
        correct += int((logits.argmax(axis=-1) == rows).sum())
        peak = logits.max(axis=-1, keepdims=True)
        log_normaliser = np.log(np.exp(logits - peak).sum(axis=-1)) + peak[:, 0]
        total_loss += float((log_normaliser - logits[np.arange(len(rows)), rows]).sum())
    return correct / len(targets), total_loss / len(targets)


@dataclass
class History:
    """A run's curves so far; it outlives one tracker, so a continued run extends its curves."""

    losses: list[float] = field(default_factory=list)
    batch_accuracies: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_accuracies: list[float] = field(default_factory=list)
    holdout_accuracies: list[float] = field(default_factory=list)
    holdout_losses: list[float] = field(default_factory=list)
    scoring_seconds: float = 0.0  # exact scoring, over every stretch
    holdout_scoring_seconds: float = 0.0  # the held-out part of it
    samples: deque = field(default_factory=lambda: deque(maxlen=SAMPLES_KEPT))
