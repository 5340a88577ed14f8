"""The runs a tab knows: their settings and a copy of their final numbers and curves.

No Streamlit here. A tab keeps a `TabRun` per run it started or watched (the compare section's
rows and curves); its `RunSummary` outlives the run if the server drops it.
"""

from __future__ import annotations

from dataclasses import dataclass

from nextword.charts.buckets import bucket_means
from nextword.config import ModelConfig, TrainConfig
from nextword.training.progress import TrainingProgress


@dataclass(frozen=True)
class RunSummary:
    """A finished run's final numbers and curves, kept by the tab even if the server drops the run."""

    status: str
    step: int
    accuracy: float | None
    eval_steps: tuple[int, ...]
    eval_accuracies: tuple[float, ...]
    loss_steps: tuple[int, ...]
    losses: tuple[float, ...]
    holdout_accuracies: tuple[float, ...] = ()  # at eval_steps; empty when nothing is held out
    ngram_accuracy: float | None = None
    ngram_holdout_accuracy: float | None = None
    seconds: float = 0.0  # time spent training
    done: bool = False  # finished, stopped or failed: the numbers are final
    holdout_perplexity: float | None = None  # the LSTM's at the step it keeps (its best, or its last)
    ngram_holdout_perplexity: float | None = None
    training_windows: int = 0

    @property
    def holdout_accuracy(self) -> float | None:
        return self.holdout_accuracies[-1] if self.holdout_accuracies else None

    @classmethod
    def of(cls, progress: TrainingProgress) -> RunSummary:
        loss_points = bucket_means(progress.losses)
        # The held-out perplexity of the weights the run predicts with: its best step's, or its last.
        kept_perplexity = progress.best_holdout_perplexity
        if kept_perplexity is None and progress.holdout_losses:
            kept_perplexity = progress.holdout_perplexities[-1]
        return cls(
            status=str(progress.status),
            step=progress.step,
            accuracy=progress.final_accuracy,
            eval_steps=tuple(progress.eval_steps),
            eval_accuracies=tuple(progress.eval_accuracies),
            loss_steps=tuple(point["step"] for point in loss_points),
            losses=tuple(point["value"] for point in loss_points),
            holdout_accuracies=tuple(progress.holdout_accuracies),
            ngram_accuracy=progress.ngram_accuracy,
            ngram_holdout_accuracy=progress.ngram_holdout_accuracy,
            seconds=progress.elapsed_seconds,
            done=progress.done,
            holdout_perplexity=kept_perplexity,
            ngram_holdout_perplexity=progress.ngram_holdout_perplexity,
            training_windows=progress.window_count,
        )


@dataclass
class TabRun:
    """A run this tab started or watched, numbered in the order the tab met it."""

    key: str
    number: int
    story: str
    model_config: ModelConfig
    train_config: TrainConfig
    summary: RunSummary | None = None  # filled in as the run trains, final once it is done
