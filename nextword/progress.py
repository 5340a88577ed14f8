"""What a run tells its readers: its status, and immutable `TrainingProgress` snapshots.

A run publishes a new frozen snapshot every few steps; readers in any thread (the page's live
panel, the CLI's console, the bench) read the latest one and never see it change under them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
class TrainingProgress:
    """An immutable snapshot of a run, safe to read from any thread."""

    status: Status = Status.QUEUED
    step: int = 0
    total_steps: int = 0
    losses: tuple[float, ...] = ()
    batch_accuracies: tuple[float, ...] = ()
    eval_steps: tuple[int, ...] = ()
    eval_accuracies: tuple[float, ...] = ()
    ceiling: float = 1.0
    elapsed_seconds: float = 0.0
    steps_per_second: float | None = None
    eta_seconds: float | None = None
    samples: tuple[SampleLine, ...] = ()
    error: str | None = None
    queue_position: int | None = None
    window_count: int = 0
    # Windows the exact accuracy is measured on: all of them, or a fixed sample for a long story.
    evaluation_window_count: int = 0
    has_weights: bool = False

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
    def fraction_done(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0
