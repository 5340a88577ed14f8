"""What a run with weights gives: a numpy predictor, the n-gram yardstick, a saved run folder.

`RunResults` is a base class of `TrainingRun` (`nextword.training.run`), kept apart from how a run trains:
the page and the CLI read these while the run trains or after it ends. It keeps its own caches under
its own lock and reads only the run's public face (`progress()`, `is_alive()`, `model`, `data`,
`windows` and the settings). Nothing here knows about Streamlit.
"""

from __future__ import annotations

import threading

from nextword.errors import NextwordError
from nextword.training.tensorflow_runtime import keras_work


class RunResults:
    """A run's predictor and n-gram yardstick (both cached) and its saving; see `TrainingRun`."""

    def __init__(self):
        self._results_lock = threading.Lock()
        self._predictor = None
        self._predictor_step = -1
        self._ngram = None

    def predictor(self):
        """A numpy `Predictor` on the latest weights (cached until the weights change)."""
        from nextword.inference.predictor import Predictor

        progress, model = self.progress(), self.model
        if model is None or not progress.has_weights:
            raise NextwordError("This run has no trained weights yet: train it first.")
        with self._results_lock:
            if self._predictor is not None and self._predictor_step == progress.step and not self.is_alive():
                return self._predictor
        with keras_work():
            predictor = Predictor.from_model(
                model, self.data.vocabulary, self.data.corpus_config, self.model_config
            )
        with self._results_lock:
            self._predictor, self._predictor_step = predictor, progress.step
        return predictor

    def ngram(self):
        """The n-gram yardstick (`NGramModel`) counted on this run's training windows (built once)."""
        from nextword.inference.ngram import NGramModel

        with self._results_lock:
            if self._ngram is not None:
                return self._ngram
        train = self.windows.split.train
        ngram = NGramModel().fit(
            self.data.contexts[train], self.data.targets[train], len(self.data.vocabulary)
        )
        with self._results_lock:
            self._ngram = self._ngram or ngram
            return self._ngram

    def save(self, run_dir) -> None:
        """Save the run folder (model.keras, vocab.json, config.json); the run must not be training."""
        from nextword.training.checkpoint import save_run

        if self.is_alive() or self.model is None:
            raise NextwordError("Only a finished or stopped run with weights can be saved.")
        progress = self.progress()
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
                self.model,
                self.data.vocabulary,
                self.data.corpus_config,
                self.model_config,
                self.train_config,
                summary,
                story_text=self.data.story.text,
            )
