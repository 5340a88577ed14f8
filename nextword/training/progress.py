"""What a run tells its readers: its status, and immutable `TrainingProgress` snapshots.

A run publishes a new frozen snapshot every few steps; readers in any thread read the latest one
and never see it change under them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

# Accuracy gained over the last quarter of a run above which it is "still improving".
STILL_IMPROVING_GAIN = 0.01


def _perplexity(loss: float) -> float:
    return math.exp(min(loss, 700.0))  # a diverged loss must not overflow


class Status(StrEnum):
    """Where a run is. A `StrEnum`, so a status also reads and compares as its plain word."""

    QUEUED = "queued"
    RUNNING = "running"
    STOPPING = "stopping"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"

    @property
    def done(self) -> bool:
        return self in (Status.FINISHED, Status.STOPPED, Status.FAILED)

    @property
    def active(self) -> bool:
        return self in (Status.QUEUED, Status.RUNNING, Status.STOPPING)


@dataclass(frozen=True)
class SampleLine:
    """One of the article's sample lines: the context, what the model said, what the story says."""

    step: int
    context: tuple[str, ...]
    predicted: str
    actual: str

    @property
    def text(self) -> str:
        return f"{list(self.context)} - [{self.predicted}] vs [{self.actual}]"


@dataclass(frozen=True)
class HeldOutScore:
    """A model's figures on the held-out part: perplexity, top-1 and top-5 accuracy."""

    perplexity: float
    top1: float
    top5: float

    @classmethod
    def of(cls, score) -> HeldOutScore:
        """From a `nextword.training.history.Score` (or anything with these three figures)."""
        return cls(float(score.perplexity), float(score.top1), float(score.top5))


@dataclass(frozen=True)
class HeldOutComparison:
    """The LSTM's held-out perplexity beside the n-gram's, both on the same windows."""

    lstm: float
    ngram: float
    every_window: bool  # every held-out window at the kept weights; else the scored ones, best step so far


@dataclass(frozen=True)
class TrainingProgress:
    """An immutable snapshot of a run, safe to read from any thread."""

    status: Status = Status.QUEUED
    step: int = 0
    total_steps: int = 0
    losses: tuple[float, ...] = ()
    batch_accuracies: tuple[float, ...] = ()
    eval_steps: tuple[int, ...] = ()
    eval_accuracies: tuple[float, ...] = ()
    eval_losses: tuple[float, ...] = ()  # the exact loss (nats) on the scored windows, at eval_steps
    ceiling: float = 1.0
    elapsed_seconds: float = 0.0
    steps_per_second: float | None = None
    eta_seconds: float | None = None
    samples: tuple[SampleLine, ...] = ()
    error: str | None = None
    queue_position: int | None = None
    window_count: int = 0
    vocabulary_size: int = 0  # guessing uniformly among them is the perplexity to beat first
    # Windows the exact accuracy is measured on: all of them, or a fixed sample for a long story.
    evaluation_window_count: int = 0
    has_weights: bool = False
    # Held-out windows (the story's last part, never trained on) and their curves, measured at
    # `eval_steps` like the training accuracy; empty when nothing is held out.
    holdout_window_count: int = 0
    holdout_scored_count: int = 0  # the held-out windows the curves score: all, or a fixed sample
    holdout_accuracies: tuple[float, ...] = ()
    holdout_losses: tuple[float, ...] = ()
    holdout_top5s: tuple[float, ...] = ()  # how often the true symbol is among the five likeliest
    # Training seconds spent scoring windows exactly (training and held-out ones), and the part of
    # them spent on the held-out windows: their share of `elapsed_seconds` is scoring's cost.
    scoring_seconds: float = 0.0
    holdout_scoring_seconds: float = 0.0
    # The step with the lowest held-out loss (None when nothing is held out); a run that keeps its
    # best step predicts and writes with that step's weights.
    best_step: int | None = None
    # The n-gram yardstick's exact accuracy, perplexity and top-5 on the windows the curves score
    # (training and held-out), so a curve and its line compare the same windows.
    ngram_accuracy: float | None = None
    ngram_holdout_accuracy: float | None = None
    ngram_perplexity: float | None = None
    ngram_holdout_perplexity: float | None = None
    ngram_holdout_top5: float | None = None
    # Always guessing by the training part's word frequencies, on the scored held-out windows.
    unigram_holdout_perplexity: float | None = None
    # On every held-out window (a long story's curves score a fixed sample of them): the n-gram's,
    # known from the start, and the LSTM's at the weights it predicts with, once the run has ended.
    ngram_held_out: HeldOutScore | None = None
    kept_held_out: HeldOutScore | None = None
    # The lowest mean loss any model can reach on the training windows (nats).
    lowest_loss: float = 0.0
    # Why a run ended before its last step, in a sentence (None when it ran them all).
    stop_reason: str | None = None

    @property
    def done(self) -> bool:
        return self.status.done

    @property
    def active(self) -> bool:
        return self.status.active

    @property
    def final_accuracy(self) -> float | None:
        """The latest exact accuracy on all windows (0..1), if any was measured."""
        return self.eval_accuracies[-1] if self.eval_accuracies else None

    @property
    def final_holdout_accuracy(self) -> float | None:
        return self.holdout_accuracies[-1] if self.holdout_accuracies else None

    @property
    def perplexities(self) -> tuple[float, ...]:
        """The training perplexity (exp of the exact loss) at each of `eval_steps`."""
        return tuple(map(_perplexity, self.eval_losses))

    @property
    def holdout_perplexities(self) -> tuple[float, ...]:
        """The held-out perplexity at each of `eval_steps` (empty when nothing is held out)."""
        return tuple(map(_perplexity, self.holdout_losses))

    @property
    def best_index(self) -> int | None:
        """The index of `best_step` in `eval_steps`, or None."""
        return self.eval_steps.index(self.best_step) if self.best_step in self.eval_steps else None

    @property
    def best_holdout_perplexity(self) -> float | None:
        """The held-out perplexity at `best_step`, or None."""
        index = self.best_index
        return None if index is None else _perplexity(self.holdout_losses[index])

    @property
    def held_out_comparison(self) -> HeldOutComparison | None:
        """Who is ahead on the held-out part: on every held-out window once the run has ended, else
        on the scored ones, the LSTM at its best step so far (at its latest point if it does not
        keep its best); None before there is a point."""
        if self.kept_held_out is not None and self.ngram_held_out is not None:
            return HeldOutComparison(self.kept_held_out.perplexity, self.ngram_held_out.perplexity, True)
        lstm = self.best_holdout_perplexity
        if lstm is None and self.holdout_losses:
            lstm = self.holdout_perplexities[-1]
        if lstm is None or self.ngram_holdout_perplexity is None:
            return None
        return HeldOutComparison(lstm, self.ngram_holdout_perplexity, False)

    @property
    def held_out_scores(self) -> tuple[HeldOutScore, HeldOutScore] | None:
        """The LSTM's and the n-gram's held-out figures: on every held-out window, the LSTM at the
        weights it kept, once the run has ended; else at the latest point, on the scored windows
        (None before that point)."""
        if self.kept_held_out is not None and self.ngram_held_out is not None:
            return self.kept_held_out, self.ngram_held_out
        if not self.holdout_top5s or self.ngram_holdout_perplexity is None:
            return None
        return (
            HeldOutScore(self.holdout_perplexities[-1], self.holdout_accuracies[-1], self.holdout_top5s[-1]),
            HeldOutScore(self.ngram_holdout_perplexity, self.ngram_holdout_accuracy, self.ngram_holdout_top5),
        )

    @property
    def still_improving(self) -> bool:
        """Whether the accuracy was still climbing when the run ended (more steps would help).

        Compares the last exact-accuracy point with the one a quarter of the run earlier; a run at
        its ceiling has nothing left to gain.
        """
        points = self.eval_accuracies
        if len(points) < 4 or points[-1] >= self.ceiling - 1e-9:
            return False
        earlier = points[-1 - max(1, len(points) // 4)]
        return points[-1] - earlier > STILL_IMPROVING_GAIN

    @property
    def fraction_done(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0
