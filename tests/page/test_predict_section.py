"""The predict and inside sections when the run's model goes between two calls."""

from __future__ import annotations

from nextword.errors import NextwordError
from nextword.page.sections.predict import trained_predictor
from nextword.training.progress import Status, TrainingProgress


class DroppedRun:
    """A finished run the registry dropped after the page read its progress: no model any more."""

    def progress(self) -> TrainingProgress:
        return TrainingProgress(status=Status.FINISHED, has_weights=True)

    def predictor(self):
        raise NextwordError("This run has no trained weights yet: train it first.")


def test_a_run_dropped_while_the_page_draws_gives_no_predictor_and_no_traceback():
    assert trained_predictor(DroppedRun(), "4 · Predict the next word", "Predictions") is None
