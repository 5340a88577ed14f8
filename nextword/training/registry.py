"""The process-wide run registry: identical requests share one run, and the machine is not overrun.

Runs are keyed by the story's digest, the settings and the seed. At most `max_running` train at
once (the others wait in a queue whose place each run knows); at most `max_kept` finished runs are
kept, the least recently used leaving first. The registry owns a pool of spare models
(`spare_models`) that its runs start from. The page holds one registry in `st.cache_resource`;
this module knows nothing of Streamlit.

Who may stop a shared run: anyone watching it. A class shares runs so that thirty identical
Train presses cost one run; a student who stops it stops it for everyone watching, who then see
"stopped" and can press Continue.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import RunGoneError, SettingsError
from nextword.text.corpus import Story
from nextword.text.dataset import TrainingData
from nextword.training.progress import Status
from nextword.training.run import TrainingRun
from nextword.training.spare_models import SparePool


def run_key(story: Story, model_config: ModelConfig, train_config: TrainConfig) -> str:
    """A short digest naming a run: the same story, settings and seed give the same key."""
    payload = json.dumps(
        {"story": story.digest, "model": model_config.to_dict(), "train": train_config.to_dict()},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


def _needs_replacing(run: TrainingRun) -> bool:
    progress = run.progress()
    return progress.status == Status.FAILED or (progress.done and not progress.has_weights)


# Every registry alive in this process, so a host can stop all runs at exit without holding one.
_live_registries: weakref.WeakSet = weakref.WeakSet()


def live_registries() -> list[RunRegistry]:
    """The registries alive in this process (a host's cache may hold one out of reach).

    Tests and hosts use this to stop every run; `gc.get_objects()` would hand out tuples that
    other threads are still building, which breaks those threads.
    """
    return list(_live_registries)


class RunRegistry:
    """Maps run keys to `TrainingRun`s, with a training cap, a queue and an LRU of finished runs.

    `spares` is the pool of spare models its runs start from (a new, empty one if None).
    """

    def __init__(self, max_running: int = 2, max_kept: int = 8, spares: SparePool | None = None):
        if max_running < 1 or max_kept < 1:
            raise SettingsError("max_running and max_kept must be at least 1.")
        self.max_running = max_running
        self.max_kept = max_kept
        self.spares = spares if spares is not None else SparePool()
        self._lock = threading.RLock()
        self._runs: OrderedDict[str, TrainingRun] = OrderedDict()
        self._queue: list[str] = []
        _live_registries.add(self)

    def get(self, key: str) -> TrainingRun | None:
        """The run with this key, if kept (marks it recently used)."""
        with self._lock:
            run = self._runs.get(key)
            if run is not None:
                self._runs.move_to_end(key)
            return run

    def runs(self) -> dict[str, TrainingRun]:
        with self._lock:
            return dict(self._runs)

    def get_or_start(
        self, key: str, factory: Callable[[Callable[[TrainingRun], None]], TrainingRun]
    ) -> tuple[TrainingRun, bool]:
        """Attach to the run with `key`, or create it with `factory(on_done)` and start or queue it.

        Returns the run and whether it was created now.
        """
        with self._lock:
            existing = self.get(key)
            if existing is not None and not _needs_replacing(existing):
                return existing, False
            # A failed run, or one stopped before it learned anything, is retried by a new run.
            run = factory(self._on_run_done)
            self._runs[key] = run
            self._queue.append(key)
            self._schedule()
            self._evict()
            return run, True

    def prepare(self, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig) -> None:
        """Get a run of these settings ready to start at once, unless something trains.

        A spare model is built and traced in the background (`spare_models`); never while a run
        trains, whose steps it would slow. A run of these settings may be kept already: a spare
        still serves the next Train after a change its model does not depend on (more steps).
        Returns at once.
        """
        with self._lock:
            if any(run.progress().active for run in self._runs.values()):
                return
        self.spares.prepare_in_background(data, model_config, train_config)

    def continue_run(self, key: str, extra_steps: int) -> TrainingRun:
        """Train a kept run for `extra_steps` more (queued if all slots are busy)."""
        with self._lock:
            run = self._runs.get(key)
            if run is None:
                raise RunGoneError(
                    "This run is no longer kept on the server (it made room for newer runs), so it "
                    "cannot continue. Press Train to run these settings again."
                )
            run.continue_training(extra_steps, start=False)
            self._runs.move_to_end(key)
            self._queue.append(key)
            self._schedule()
            return run

    def stop_all(self, timeout: float = 10.0) -> None:
        """Stop every run and the spares' worker, and wait for their threads (tests and shutdown)."""
        with self._lock:
            runs = list(self._runs.values())
            self._queue.clear()
        for run in runs:
            run.stop()
        for run in runs:
            run.wait(timeout)
        self.spares.close(timeout)

    def _on_run_done(self, run: TrainingRun) -> None:
        with self._lock:
            self._schedule()
            self._evict()

    def _schedule(self) -> None:
        """Start queued runs while slots are free; tell the rest their place."""
        running = sum(
            1 for run in self._runs.values() if run.progress().status in (Status.RUNNING, Status.STOPPING)
        )
        still_queued = []
        for key in self._queue:
            run = self._runs.get(key)
            if run is None or run.progress().status != Status.QUEUED:
                continue
            if running < self.max_running:
                run.start(spares=self.spares)
                running += 1
            else:
                still_queued.append(key)
        self._queue = still_queued
        for position, key in enumerate(still_queued, start=1):
            self._runs[key].set_queue_position(position)

    def _evict(self) -> None:
        """Drop the least recently used finished runs beyond `max_kept` (never an active one)."""
        finished = [key for key, run in self._runs.items() if run.progress().done]
        for key in finished[: max(0, len(finished) - self.max_kept)]:
            run = self._runs.pop(key)
            run.model = None  # release the weights now, not when the last page lets go
