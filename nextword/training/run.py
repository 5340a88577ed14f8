"""A training run in its own thread, observed through immutable snapshots.

`TrainingRun` is the run's life: `start()` trains in a background thread, `stop()` and
`continue_training()` change what it does next, and it publishes a frozen `TrainingProgress`
under a lock, which readers get from `progress()` or a listener. How the steps run is
`nextword.training.loop`'s job; what a run with weights gives is its `RunResults` member's.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import NextwordError
from nextword.text.dataset import TrainingData
from nextword.text.run_windows import RunWindows
from nextword.training.loop import TrainingLoop
from nextword.training.progress import Status, TrainingProgress
from nextword.training.run_results import RunResults
from nextword.training.spare_models import SparePool
from nextword.training.tensorflow_runtime import TRAINING_THREAD_NAME, start_compute_pools
from nextword.training.tracker import StepTracker

logger = logging.getLogger(__name__)

Listener = Callable[[TrainingProgress], None]


class TrainingRun:
    """One training run of one model on one story, in a background thread.

    `on_done(run)` is called once each time the run's thread ends (or a queued run is stopped).
    """

    def __init__(
        self,
        data: TrainingData,
        model_config: ModelConfig,
        train_config: TrainConfig,
        on_done: Callable[[TrainingRun], None] | None = None,
    ):
        if model_config.n_input != data.n_input:
            raise NextwordError("The training data was prepared for another n_input than the model's.")
        self.data = data
        self.model_config = model_config
        self.train_config = train_config
        self.model = None
        self._on_done = on_done
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # notified with every new snapshot
        self._listeners: list[Listener] = []
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending_steps = train_config.steps
        self._stop_when_learned = train_config.stop_when_learned
        self._spares: SparePool | None = None
        # The story's last `holdout` percent is never trained on (HoldoutError if nothing would be left).
        self.windows = RunWindows.of(data, train_config)
        self._results = RunResults(data, model_config, train_config, self.windows)
        self._loop = TrainingLoop(
            data,
            model_config,
            train_config,
            self.windows,
            should_stop=self._stop_requested.is_set,
            publish=self._publish,
        )
        self._progress = TrainingProgress(
            status=Status.QUEUED,
            total_steps=train_config.steps,
            ceiling=self.windows.ceiling,
            window_count=self.windows.train_count,
            evaluation_window_count=len(self.windows.evaluation_windows),
            holdout_window_count=self.windows.split.held_out_count,
            holdout_scored_count=len(self.windows.holdout_windows),
            vocabulary_size=len(self.data.vocabulary),
            lowest_loss=self.windows.lowest_loss,
        )

    def progress(self) -> TrainingProgress:
        with self._lock:
            return self._progress

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> TrainingProgress:
        """Block until the worker thread ends (or `timeout` passes); return the latest snapshot."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.progress()

    def wait_for(self, condition: Callable[[TrainingProgress], bool], timeout: float) -> TrainingProgress:
        """Block until a snapshot meets `condition` (or `timeout` passes); return the latest snapshot."""
        with self._changed:
            self._changed.wait_for(lambda: condition(self._progress), timeout)
            return self._progress

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(progress)` with every snapshot published from now on, from the thread that
        published it (so it must be quick); an exception it raises is logged and does not stop the run."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def predictor(self):
        """A numpy `Predictor` on the latest weights (cached until the weights change)."""
        return self._results.predictor(self.model, self.progress())

    def ngram(self):
        """The n-gram yardstick (`NGramModel`) counted on this run's training windows (built once)."""
        return self._results.ngram()

    def metrics(self) -> dict:
        """The scores of a finished or stopped run, as metrics.json holds them (see RunResults.metrics)."""
        if self.is_alive() or self.model is None:
            raise NextwordError("Only a finished or stopped run with weights has its final scores.")
        return self._results.metrics(self.model, self.progress())

    def save(self, run_dir) -> None:
        """Save the run folder (model.keras, vocab.json, config.json); the run must not be training."""
        if self.is_alive() or self.model is None:
            raise NextwordError("Only a finished or stopped run with weights can be saved.")
        self._results.save(run_dir, self.model, self.progress())

    def set_queue_position(self, position: int | None) -> None:
        """Shown while the run waits for a free training slot (set by the registry)."""
        self._set(queue_position=position)

    def start(self, spares: SparePool | None = None) -> None:
        """Train the pending steps in a new thread (unless training, failed or nothing is pending).

        A run without a model yet takes a ready, compiled one for its settings from `spares` when it
        has one (its first step comes at once), else builds its own.
        """
        with self._lock:
            if self.is_alive() or self._progress.status == Status.FAILED or self._pending_steps <= 0:
                return
            self._stop_requested.clear()
            self._spares = spares
            self._progress = dataclasses.replace(
                self._progress, status=Status.RUNNING, queue_position=None, error=None
            )
            self._thread = threading.Thread(target=self._run, name=TRAINING_THREAD_NAME, daemon=True)
            self._thread.start()
        self._notify()

    def stop(self) -> None:
        """Ask the run to stop after its current step (within about a second); keeps the weights."""
        with self._lock:
            status = self._progress.status
            if status == Status.RUNNING:
                self._stop_requested.set()
                self._progress = dataclasses.replace(self._progress, status=Status.STOPPING)
            elif status == Status.QUEUED:
                # Never started (or continuation not started yet): nothing to interrupt.
                self._pending_steps = 0
                self._progress = dataclasses.replace(
                    self._progress,
                    status=Status.STOPPED,
                    queue_position=None,
                    total_steps=self._progress.step,
                )
            else:
                return
        self._notify()
        if status == Status.QUEUED:
            self._report_done()

    def continue_training(self, extra_steps: int, start: bool = True) -> None:
        """Add `extra_steps` to a finished or stopped run that has weights; train them now or later."""
        if extra_steps < 1:
            raise NextwordError("Continue needs at least one more step.")
        with self._lock:
            if self._progress.status not in (Status.FINISHED, Status.STOPPED) or self.model is None:
                raise NextwordError("Only a finished or stopped run with weights can continue.")
            self._pending_steps = extra_steps
            # A person who asks for more steps gets them all, even when the run has learned all it can.
            self._stop_when_learned = False
            self._progress = dataclasses.replace(
                self._progress,
                status=Status.QUEUED,
                total_steps=self._progress.step + extra_steps,
                eta_seconds=None,
                stop_reason=None,
                kept_held_out=None,
            )
        self._notify()
        if start:
            self.start()

    def _set(self, **changes) -> None:
        with self._lock:
            self._progress = dataclasses.replace(self._progress, **changes)
        self._notify()

    def _publish(self, tracker: StepTracker) -> None:
        with self._lock:
            self._progress = tracker.snapshot(self._progress)
        self._notify()

    def _notify(self) -> None:
        with self._lock:
            progress, listeners = self._progress, list(self._listeners)
            self._changed.notify_all()
        for listener in listeners:
            try:
                listener(progress)
            except Exception:  # noqa: BLE001 - a reader's bug must not stop the run
                logger.exception("A progress listener failed; the run goes on.")

    def _report_done(self) -> None:
        if self._on_done is None:
            return
        try:
            self._on_done(self)
        except Exception:  # noqa: BLE001 - the registry's bookkeeping must not mask the run
            logger.exception("The run's on_done hook failed.")

    def _run(self) -> None:
        try:
            start_compute_pools()
            self._train()
        except NextwordError as error:
            self._fail(str(error))
        except MemoryError:
            self._fail("Training ran out of memory: use fewer units, a smaller batch or a shorter story.")
        except Exception as error:  # noqa: BLE001 - a worker must report, never die silently
            logger.exception("Training failed unexpectedly.")
            self._fail(f"Training failed unexpectedly ({type(error).__name__}: {error}).")
        finally:
            self._report_done()

    def _fail(self, message: str) -> None:
        self._pending_steps = 0
        self._set(status=Status.FAILED, error=message, eta_seconds=None, steps_per_second=None)

    def _train(self) -> None:
        if self._progress.ngram_accuracy is None:
            self._set(**self._results.yardsticks())
        if self.model is None:
            spare = self._spares and self._spares.take(self.data, self.model_config, self.train_config)
            if spare:
                self.model, self._loop.block_loop = spare.model, spare.block_loop
            else:
                from nextword.training.model import build_model

                self.model = build_model(self.model_config, len(self.data.vocabulary), self.train_config)
        steps_to_run, self._pending_steps = self._pending_steps, 0
        tracker = self._loop.run_stretch(
            self.model,
            first_step=self._progress.step,
            steps_to_run=steps_to_run,
            total_steps=self._progress.total_steps,
            stop_when_learned=self._stop_when_learned,
        )
        kept = self._results.kept_held_out(self.model) if tracker.step else None  # at the kept weights
        with self._lock:
            if tracker.stopped or tracker.stop_reason:
                tracker.total_steps = tracker.step
            self._progress = dataclasses.replace(
                tracker.snapshot(self._progress),
                status=Status.STOPPED if tracker.stopped else Status.FINISHED,
                eta_seconds=None,
                stop_reason=tracker.stop_reason,
                kept_held_out=kept,
            )
        self._notify()
