"""A training run in its own thread, observed through immutable snapshots.

`TrainingRun.start()` trains in a background thread, with `model.fit` or, for batch-1 runs such
as the article's, in compiled blocks of steps (`nextword.fastloop`). A `StepTracker` records every
step and the run publishes a frozen `TrainingProgress` under a lock. Readers (the page's live
panel, the CLI, the bench) call `progress()`, which is cheap and never blocks training for long,
or register a listener that is called with every snapshot the run publishes. Nothing here knows
about Streamlit.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

import numpy as np

from nextword.backend import TRAINING_THREAD_NAME, keras_work, lower_thread_priority
from nextword.config import ModelConfig, TrainConfig
from nextword.dataset import TrainingData
from nextword.errors import NextwordError, TrainingError
from nextword.fastloop import applies as fastloop_applies
from nextword.plan import RunWindows, batch_plan
from nextword.progress import Status, TrainingProgress
from nextword.tracker import LEARNED_LOSS_MARGIN, History, StepTracker

logger = logging.getLogger(__name__)

# Steps handed to one `model.fit` call: bounds the memory of the materialised batches and keeps the
# per-step metrics exact (Keras reports running means over an epoch; the tracker differences them).
MAX_STEPS_PER_FIT = 1000
MAX_ROWS_PER_FIT = 2_000_000

Listener = Callable[[TrainingProgress], None]


class TrainingRun:
    """One training run of one model on one story, in a background thread.

    `start()` begins (or resumes) training, `stop()` asks it to end after the current step,
    `progress()` returns the latest snapshot, `continue_training(n)` adds n steps to a finished or
    stopped run and trains them, `predictor()` gives a numpy predictor on the current weights,
    `add_listener(fn)` has `fn(progress)` called with every snapshot published from now on.
    `on_done(run)` is called once each time the run's thread ends (or a queued run is stopped).
    """

    def __init__(
        self,
        data: TrainingData,
        model_config: ModelConfig,
        train_config: TrainConfig,
        on_done: Callable[[TrainingRun], None] | None = None,
        extra_callbacks: Callable[[], list] | None = None,
    ):
        if model_config.n_input != data.n_input:
            raise NextwordError("The training data was prepared for another n_input than the model's.")
        self.data = data
        self.model_config = model_config
        self.train_config = train_config
        self.model = None
        # Devices training in step (more than 1 under a tf.distribute strategy).
        self.replicas = 1
        self._on_done = on_done
        # Called once per training thread for more Keras callbacks (the CLI's TensorBoard writer).
        self._extra_callbacks = extra_callbacks
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self._random = np.random.RandomState(train_config.seed)
        self._history = History()
        self._pending_steps = train_config.steps
        self._total_steps = train_config.steps
        self._training_seconds = 0.0
        self._predictor = None
        self._predictor_step = -1
        self._ngram = None
        self._block_loop = None  # the compiled block of steps (fastloop), built on first use
        self._stop_when_learned = train_config.stop_when_learned
        # The story's last `holdout` percent is never trained on (HoldoutError if nothing would be left).
        self.windows = RunWindows.of(data, train_config)
        self._progress = TrainingProgress(
            status=Status.QUEUED,
            total_steps=train_config.steps,
            ceiling=self.windows.ceiling,
            window_count=self.windows.train_count,
            evaluation_window_count=len(self.windows.evaluation_windows),
            holdout_window_count=self.windows.split.held_out_count,
            lowest_loss=self.windows.lowest_loss,
        )

    # ----- reading -----

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

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(progress)` with every snapshot published from now on.

        It is called from the training thread (or the thread that changed the run's status), so
        it must be quick; an exception it raises is logged and does not stop the run.
        """
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    # ----- control -----

    def set_queue_position(self, position: int | None) -> None:
        """Shown while the run waits for a free training slot (set by the registry)."""
        self._set(queue_position=position)

    def start(self) -> None:
        """Train the pending steps in a new thread; does nothing if already training or nothing pending."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            if self._progress.status == Status.FAILED or self._pending_steps <= 0:
                return
            self._stop_requested.clear()
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
                self._total_steps = self._progress.step
                self._progress = dataclasses.replace(
                    self._progress, status=Status.STOPPED, queue_position=None, total_steps=self._total_steps
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
            self._total_steps = self._progress.step + extra_steps
            # A person who asks for more steps gets them all, even when the run has learned all it can.
            self._stop_when_learned = False
            self._progress = dataclasses.replace(
                self._progress,
                status=Status.QUEUED,
                total_steps=self._total_steps,
                eta_seconds=None,
                stop_reason=None,
            )
        self._notify()
        if start:
            self.start()

    def predictor(self):
        """A numpy `Predictor` on the latest weights (cached until the weights change)."""
        from nextword.predict import Predictor

        with self._lock:
            step, model = self._progress.step, self.model
            if model is None or not self._progress.has_weights:
                raise NextwordError("This run has no trained weights yet: train it first.")
            if self._predictor is not None and self._predictor_step == step and not self.is_alive():
                return self._predictor
        with keras_work():
            predictor = Predictor.from_model(
                model, self.data.vocabulary, self.data.corpus_config, self.model_config
            )
        with self._lock:
            self._predictor, self._predictor_step = predictor, step
        return predictor

    def ngram(self):
        """The n-gram yardstick (`NGramModel`) counted on this run's training windows (built once)."""
        from nextword.baseline import NGramModel

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

    def save(self, run_dir) -> None:
        """Save the run folder (model.keras, vocab.json, config.json); the run must not be training."""
        from nextword.checkpoint import save_run

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

    # ----- publishing -----

    def _set(self, **changes) -> None:
        with self._lock:
            self._progress = dataclasses.replace(self._progress, **changes)
        self._notify()

    def _publish(self, tracker: StepTracker) -> None:
        with self._lock:
            self._training_seconds = tracker.training_seconds
            self._progress = tracker.snapshot(self._progress)
        self._notify()

    def _notify(self) -> None:
        with self._lock:
            progress, listeners = self._progress, list(self._listeners)
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

    # ----- the worker -----

    def _run(self) -> None:
        lower_thread_priority()
        try:
            with keras_work():
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
        from nextword.model import build_model

        if self._progress.ngram_accuracy is None:
            self._score_ngram()
        if self.model is None:
            self.model = self._build(build_model)
        steps_to_run, self._pending_steps = self._pending_steps, 0
        first_step = self._progress.step
        # Training windows are the story's first ones (the held-out part is its end): plan over them.
        plan = batch_plan(
            self.windows.train_count, self.train_config, self.model_config.n_input, steps_to_run, self._random
        )
        # "Learned all it can" is only told exactly when every training window is scored.
        learned_check = (
            (self.windows.ceiling_count, self.windows.lowest_loss)
            if self._stop_when_learned and self.windows.every_training_window_scored
            else None
        )
        batch_size = plan.shape[1]
        tracker = StepTracker(
            data=self.data,
            model=self.model,
            model_config=self.model_config,
            train_config=self.train_config,
            history=self._history,
            evaluation_windows=self.windows.evaluation_windows,
            holdout_windows=self.windows.holdout_windows,
            learned_check=learned_check,
            first_step=first_step,
            steps_to_run=steps_to_run,
            total_steps=self._total_steps,
            batch_size=batch_size,
            seconds_before=self._training_seconds,
            should_stop=self._stop_requested.is_set,
            publish=self._publish,
        )
        # The compiled blocks run no Keras callbacks: extra ones (TensorBoard's) need model.fit.
        if fastloop_applies(self.model_config, self.train_config) and self._extra_callbacks is None:
            done = self._train_in_blocks(plan, tracker)
        else:
            done = self._train_with_fit(plan, tracker)
        if tracker.failed:
            tracker.publish()  # the curves up to the failing step, not up to the last regular snapshot
            raise TrainingError(tracker.failure)
        tracker.evaluate(force=True)
        stopped = self._stop_requested.is_set() and done < steps_to_run
        stop_reason = None
        if tracker.learned and not stopped:
            stop_reason = (
                f"Stopped at step {tracker.step:,}: learned all it can. Every window that can be right "
                f"is right, and the loss is within {LEARNED_LOSS_MARGIN} of the lowest any model can "
                f"reach on this story ({self.windows.lowest_loss:.3f}). Turn off “Stop when learned” to run "
                f"all {self._total_steps:,} steps."
            )
        with self._lock:
            self._training_seconds = tracker.training_seconds
            if stopped or stop_reason:
                self._total_steps = tracker.step
            tracker.total_steps = self._total_steps
            self._progress = dataclasses.replace(
                tracker.snapshot(self._progress),
                status=Status.STOPPED if stopped else Status.FINISHED,
                eta_seconds=None,
                stop_reason=stop_reason,
            )
        self._notify()

    def _train_with_fit(self, plan: np.ndarray, tracker: StepTracker) -> int:
        """Train the plan's steps with `model.fit`, a chunk at a time; return the steps done."""
        from nextword.keras_callback import ProgressCallback

        batch_size = plan.shape[1]
        chunk_steps = max(1, min(MAX_STEPS_PER_FIT, MAX_ROWS_PER_FIT // batch_size))
        steps_to_run = len(plan)
        # One set of extra callbacks for the whole stretch (TensorBoard's writes one log); a new
        # ProgressCallback per chunk, since Keras numbers each fit call's batches from 0 again.
        extra = self._extra_callbacks() if self._extra_callbacks else []
        done, chunk_index = 0, 0
        while (
            done < steps_to_run
            and not self._stop_requested.is_set()
            and not tracker.failed
            and not tracker.learned
        ):
            chunk = plan[done : done + chunk_steps]
            rows = chunk.reshape(-1)
            tracker.begin_chunk()
            self.model.fit(
                self.data.contexts[rows].astype(np.float32),
                self.data.targets[rows],
                batch_size=batch_size,
                # Each chunk is one epoch of its own number, so epoch-level logs (TensorBoard's) go on.
                initial_epoch=chunk_index,
                epochs=chunk_index + 1,
                shuffle=False,
                verbose=0,
                callbacks=[ProgressCallback(tracker), *extra],
            )
            chunk_index += 1
            done += tracker.steps_in_chunk
            if tracker.steps_in_chunk == 0:
                break
        return done

    def _train_in_blocks(self, plan: np.ndarray, tracker: StepTracker) -> int:
        """Train the plan's steps in compiled blocks (`nextword.fastloop`); return the steps done."""
        from nextword import fastloop

        batch_size = plan.shape[1]
        if self._block_loop is None or self._block_loop.batch_size != batch_size:
            self._block_loop = fastloop.BlockLoop(
                self.model, batch_size, self.model_config.n_input, fastloop.block_capacity(batch_size)
            )
        data = self.data
        stop_requested = self._stop_requested.is_set
        return fastloop.train_in_blocks(
            self._block_loop, plan, data.contexts, data.targets, tracker, stop_requested
        )

    def _score_ngram(self) -> None:
        """Count the n-gram yardstick and publish its accuracy on the training and held-out windows."""
        ngram = self.ngram()
        contexts, targets = self.data.contexts, self.data.targets
        train_windows, holdout_windows = self.windows.evaluation_windows, self.windows.holdout_windows
        held_out = (
            ngram.accuracy(contexts[holdout_windows], targets[holdout_windows])
            if len(holdout_windows)
            else None
        )
        self._set(
            ngram_accuracy=ngram.accuracy(contexts[train_windows], targets[train_windows]),
            ngram_holdout_accuracy=held_out,
        )

    def _build(self, build_model):
        """Build the model, under a tf.distribute strategy when the config asks for one."""
        vocabulary_size = len(self.data.vocabulary)
        if self.train_config.distribute == "mirrored":
            from nextword.backend import import_tensorflow

            strategy = import_tensorflow().distribute.MirroredStrategy()
            self.replicas = strategy.num_replicas_in_sync
            with strategy.scope():
                return build_model(self.model_config, vocabulary_size, self.train_config)
        return build_model(self.model_config, vocabulary_size, self.train_config)
