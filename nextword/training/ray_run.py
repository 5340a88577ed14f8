"""One run on a Ray cluster as a replica sees it: `RayRunHandle`, the page's side of a trainer actor.

Progress is read through a short cache and only new curve points travel; the predictor is a numpy
one on weights fetched from the trainer, so a replica needs no TensorFlow.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import ray

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import RegistryUnreachableError
from nextword.inference.predictor import Predictor
from nextword.text.dataset import TrainingData
from nextword.text.run_windows import RunWindows
from nextword.training.progress import TrainingProgress
from nextword.training.ray_actors import CURVES, fetch, worker_stopped
from nextword.training.run_results import RunResults

# How old a snapshot a replica may show: many tabs polling one run cost one call per this.
PROGRESS_SECONDS = 0.5
WAIT_STEP_SECONDS = 0.1
UNREACHABLE = (
    "The server cannot reach the cluster that trains the runs ({address}). Ask whoever runs this "
    "server to check that it is up; the page works again once it is."
)


def unwrap(call: Callable, *arguments, address: str = ""):
    """`fetch` of an actor call, a lost registry (or trainer) said in a sentence."""
    try:
        return fetch(call.remote(*arguments))
    except ray.exceptions.RayActorError as error:
        raise RegistryUnreachableError(UNREACHABLE.format(address=address)) from error


class RayRunHandle:
    """One run on the cluster, as the page reads it (see `nextword.training.backend.RunHandle`)."""

    def __init__(self, actor, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig):
        self.actor = actor
        self.data = data
        self.model_config = model_config
        self.train_config = train_config
        self.windows = RunWindows.of(data, train_config)
        self._results = RunResults(data, model_config, train_config, self.windows)
        self._lock = threading.Lock()
        self._progress: TrainingProgress | None = None
        self._lengths: dict[str, int] = {}
        self._fetched_at = -float("inf")
        self._predictor: tuple[int, Predictor] | None = None

    def progress(self, fresh: bool = False) -> TrainingProgress:
        """The latest snapshot, at most `PROGRESS_SECONDS` old unless `fresh` (one fetch at a time)."""
        with self._lock:
            age = time.monotonic() - self._fetched_at
            if self._progress is not None and not fresh and age < PROGRESS_SECONDS:
                return self._progress
            try:
                tail, starts = ray.get(self.actor.progress_since.remote(self._lengths))
            except ray.exceptions.RayActorError:
                return worker_stopped(self._progress)
            # The points this replica has up to where the new ones start (none at first: all start at 0).
            known = self._progress or tail
            curves = {name: getattr(known, name)[: starts[name]] + getattr(tail, name) for name in CURVES}
            self._progress = dataclasses.replace(tail, **curves)
            self._lengths = {name: len(curve) for name, curve in curves.items()}
            self._fetched_at = time.monotonic()
            return self._progress

    def wait(self, timeout: float | None = None) -> TrainingProgress:
        with contextlib.suppress(ray.exceptions.RayActorError):  # the snapshot below says the worker stopped
            ray.get(self.actor.wait.remote(timeout))
        return self.progress(fresh=True)

    def wait_for(self, condition: Callable[[TrainingProgress], bool], timeout: float) -> TrainingProgress:
        deadline = time.monotonic() + timeout
        progress = self.progress(fresh=True)
        while not condition(progress) and not progress.done and time.monotonic() < deadline:
            time.sleep(WAIT_STEP_SECONDS)
            progress = self.progress(fresh=True)
        return progress

    def stop(self) -> None:
        with contextlib.suppress(ray.exceptions.RayActorError):  # nothing is left to stop
            ray.get(self.actor.stop.remote())

    def predictor(self) -> Predictor:
        """A numpy `Predictor` on the trainer's latest weights (fetched again when the step changes)."""
        progress = self.progress()
        with self._lock:
            if self._predictor is not None and self._predictor[0] == progress.step and progress.done:
                return self._predictor[1]
        step, weights = unwrap(self.actor.weights)
        weights.update(vocabulary=self.data.vocabulary, corpus_config=self.data.corpus_config)
        predictor = Predictor(**weights, model_config=self.model_config)
        with self._lock:
            self._predictor = (step, predictor)
        return predictor

    def ngram(self):
        return self._results.ngram()

    def save(self, run_dir: str | Path) -> None:
        """Write the run folder from the zip the trainer makes (model.keras, vocab.json, config.json)."""
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(io.BytesIO(unwrap(self.actor.zipped))) as archive:
            for member in archive.infolist():
                # Names are the trainer's own (its folder, then a fixed file name): keep the file name only.
                (run_dir / Path(member.filename).name).write_bytes(archive.read(member))
