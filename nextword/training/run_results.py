"""What a run with weights gives: a numpy predictor, the n-gram yardstick, a saved run folder.

`RunResults` is a member of each `TrainingRun` (`nextword.training.run`): it keeps the predictor and
the n-gram, both cached under its own lock, apart from how the run trains. The run hands it the
weights and the latest snapshot on each call; the page and the CLI read these while the run trains
or after it ends. Nothing here knows about Streamlit.
"""

from __future__ import annotations

import math
import threading

import numpy as np

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import NextwordError
from nextword.text.dataset import TrainingData
from nextword.text.run_windows import RunWindows
from nextword.training.history import Score, score
from nextword.training.progress import HeldOutScore, TrainingProgress


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
        self._predictor_step: tuple | None = None
        self._ngram = None

    def predictor(self, model, progress: TrainingProgress):
        """A numpy `Predictor` on `model`'s weights, cached while they stay those of `progress.step`."""
        if model is None or not progress.has_weights:
            raise NextwordError("This run has no trained weights yet: train it first.")
        # Keyed by the status too: a run that ends puts its best step's weights back.
        weights_of = (progress.step, progress.status)
        with self._lock:
            if self._predictor is not None and self._predictor_step == weights_of:
                return self._predictor
        predictor = self._read_weights(model)
        with self._lock:
            self._predictor, self._predictor_step = predictor, weights_of
        return predictor

    def _read_weights(self, model):
        from nextword.inference.predictor import Predictor

        return Predictor.from_model(model, self.data.vocabulary, self.data.corpus_config, self.model_config)

    def ngram(self):
        """The n-gram yardstick (`NGramModel`) counted on the run's training windows (built once)."""
        from nextword.inference.ngram import NGramModel

        with self._lock:
            if self._ngram is not None:
                return self._ngram
        train = self.windows.train
        ngram = NGramModel().fit(
            self.data.contexts[train], self.data.targets[train], len(self.data.vocabulary)
        )
        with self._lock:
            self._ngram = self._ngram or ngram
            return self._ngram

    def _held_out(self) -> np.ndarray | None:
        """Every held-out window (None when nothing is held out)."""
        held_out = self.windows.split.held_out
        windows = np.arange(held_out.start, held_out.stop)
        return windows if len(windows) else None

    def ngram_score(self, windows: np.ndarray) -> Score:
        """The n-gram's score on these windows."""
        ngram, rows, labels = self.ngram(), self.data.contexts[windows], self.data.targets[windows]
        return Score(
            ngram.top_k_accuracy(rows, labels, 1),
            ngram.top_k_accuracy(rows, labels, 5),
            math.log(ngram.perplexity(rows, labels)),
        )

    def yardsticks(self) -> dict:
        """The progress fields of what the run must beat: the n-gram's scores on the windows the
        curves score, and the unigram's there (always guessing by the training part's word
        frequencies, add-one); and the n-gram's on every held-out window."""
        training = self.ngram_score(self.windows.evaluation_windows)
        fields = {"ngram_accuracy": training.top1, "ngram_perplexity": training.perplexity}
        held_out = self._held_out()
        if held_out is None:
            return fields
        scored = self.windows.holdout_windows
        sample = self.ngram_score(scored)
        targets = self.data.targets
        counts = np.bincount(targets[self.windows.train], minlength=len(self.data.vocabulary)) + 1.0
        probabilities = counts / counts.sum()
        return fields | {
            "ngram_holdout_accuracy": sample.top1,
            "ngram_holdout_perplexity": sample.perplexity,
            "ngram_holdout_top5": sample.top5,
            "unigram_holdout_perplexity": float(np.exp(-np.log(probabilities[targets[scored]]).mean())),
            "ngram_held_out": HeldOutScore.of(self.ngram_score(held_out)),
        }

    def kept_held_out(self, model) -> HeldOutScore | None:
        """The LSTM's score on every held-out window at `model`'s weights, those it predicts with
        once the run has ended (None when nothing is held out)."""
        held_out = self._held_out()
        if held_out is None:
            return None
        # A predictor of its own: the cached one may hold the last step's weights, read before the
        # run put its best step's back.
        predictor = self._read_weights(model)
        return HeldOutScore.of(score(predictor, self.data.contexts[held_out], self.data.targets[held_out]))

    def metrics(self, model, progress: TrainingProgress) -> dict:
        """The run's scores for scripts (metrics.json): the LSTM at the weights it keeps, and the n-gram."""
        predictor = self.predictor(model, progress)
        contexts, targets = self.data.contexts, self.data.targets
        held_out = self._held_out()
        windows = self.windows.evaluation_windows
        # Every held-out window was scored when the run ended (the n-gram's when it started).
        lstm_held_out = progress.kept_held_out
        if lstm_held_out is None and held_out is not None:
            lstm_held_out = score(predictor, contexts[held_out], targets[held_out])
        ngram_held_out = progress.ngram_held_out
        if ngram_held_out is None and held_out is not None:
            ngram_held_out = self.ngram_score(held_out)

        def part(value: Score | HeldOutScore | None) -> dict | None:
            if value is None:
                return None
            return {"perplexity": value.perplexity, "top1": value.top1, "top5": value.top5}

        return {
            "steps": progress.step,
            "training_seconds": progress.elapsed_seconds,
            "best_step": progress.best_step if self.train_config.keep_best else None,
            "lstm": {
                "training": part(score(predictor, contexts[windows], targets[windows])),
                "held_out": part(lstm_held_out),
            },
            "ngram": {
                "order": self.ngram().order,
                "training": part(self.ngram_score(windows)),
                "held_out": part(ngram_held_out),
            },
            "vocabulary": len(self.data.vocabulary),
            "training_windows": self.windows.train_count,
            "held_out_windows": 0 if held_out is None else len(held_out),
            "unseen_held_out_words": self.data.unseen_held_out_count,
        }

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
        metrics = self.metrics(model, progress)
        save_run(run_dir, model, self.data, self.model_config, self.train_config, summary, metrics)
