"""What a run with weights gives: a numpy predictor, the n-gram yardstick, a saved run folder.

`RunResults` is a member of each `TrainingRun` (`nextword.training.run`): it keeps the predictor and
the n-gram, both cached under its own lock, apart from how the run trains. The run hands it the
weights and the latest snapshot on each call; the page and the CLI read these while the run trains
or after it ends. Nothing here knows about Streamlit.
"""

from __future__ import annotations

import threading

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import NextwordError
from nextword.text.dataset import TrainingData
from nextword.text.run_windows import RunWindows
from nextword.training.progress import TrainingProgress
from nextword.training.tensorflow_runtime import keras_work


class RunResults:
    """A run's predictor and n-gram yardstick (both cached) and its saving."""

    def __init__(
        self, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig, windows: RunWindows
    ):
        self.data = data
        self.model_config = model_config
        self.train_config = train_config
        self.windows = windows
        self._lock = threading.Lock()
        self._predictor = None
        self._predictor_step = -1
        self._ngram = None

    def predictor(self, model, progress: TrainingProgress, training: bool):
        """A numpy `Predictor` on `model`'s weights, cached while they stay those of `progress.step`."""
        from nextword.inference.predictor import Predictor

        if model is None or not progress.has_weights:
            raise NextwordError("This run has no trained weights yet: train it first.")
        with self._lock:
            if self._predictor is not None and self._predictor_step == progress.step and not training:
                return self._predictor
        with keras_work():
            predictor = Predictor.from_model(
                model, self.data.vocabulary, self.data.corpus_config, self.model_config
            )
        with self._lock:
            self._predictor, self._predictor_step = predictor, progress.step
        return predictor

    def ngram(self):
        """The n-gram yardstick (`NGramModel`) counted on the run's training windows (built once)."""
        from nextword.inference.ngram import NGramModel

        with self._lock:
            if self._ngram is not None:
                return self._ngram
        train = self.windows.split.train
        ngram = NGramModel().fit(
            self.data.contexts[train], self.data.targets[train], len(self.data.vocabulary)
        )
        with self._lock:
            self._ngram = self._ngram or ngram
            return self._ngram

    def ngram_accuracies(self) -> tuple[float, float | None]:
        """The n-gram's exact accuracy on the scored training windows and on the held-out ones (or None)."""
        ngram, contexts, targets = self.ngram(), self.data.contexts, self.data.targets
        train_windows, holdout_windows = self.windows.evaluation_windows, self.windows.holdout_windows
        training = ngram.accuracy(contexts[train_windows], targets[train_windows])
        if not len(holdout_windows):
            return training, None
        return training, ngram.accuracy(contexts[holdout_windows], targets[holdout_windows])

    def save(self, run_dir, model, progress: TrainingProgress) -> None:
        """Save the run folder (model.keras, vocab.json, config.json) of `model` at `progress`."""
        from nextword.training.checkpoint import save_run

        summary = {
            "steps": progress.step,
            "exact_accuracy": progress.final_accuracy,
            "ceiling": progress.ceiling,
            "windows": progress.window_count,
            "evaluation_windows": progress.evaluation_window_count,
            "story_name": self.data.story.name,
            "story_digest": self.data.story.digest,
        }
        with keras_work():
            save_run(
                run_dir,
                model,
                self.data.vocabulary,
                self.data.corpus_config,
                self.model_config,
                self.train_config,
                summary,
                story_text=self.data.story.text,
            )
