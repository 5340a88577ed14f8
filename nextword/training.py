"""The training session: `model.fit` in its own thread, observed through immutable snapshots.

A Keras callback runs after every step in the worker thread. It records the step's loss and batch
accuracy, scores every window exactly now and then (with the numpy predictor, on the current
weights), turns a stop request into `model.stop_training`, fails the run on a NaN loss, and
publishes a frozen `TrainingProgress` under a lock. Readers (the page's fragment, the CLI) only
ever call `progress()`, which is cheap and never blocks training for long. Nothing here knows
about Streamlit.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nextword.backend import TRAINING_THREAD_NAME, keras_work
from nextword.config import CorpusConfig, ModelConfig, TrainConfig
from nextword.corpus import Story, check_story_length
from nextword.errors import NextwordError, TrainingError
from nextword.vocab import Vocabulary
from nextword.windows import accuracy_ceiling, article_order, make_windows

QUEUED, RUNNING, STOPPING, FINISHED, STOPPED, FAILED = (
    "queued",
    "running",
    "stopping",
    "finished",
    "stopped",
    "failed",
)
DONE_STATUSES = (FINISHED, STOPPED, FAILED)
# Steps handed to one `model.fit` call: bounds the memory of the materialised batches and keeps the
# per-step metrics exact (Keras reports running means over an epoch; we difference them).
_MAX_STEPS_PER_FIT = 1000
_MAX_ROWS_PER_FIT = 2_000_000
# Publish a snapshot at most this often (seconds): readers poll about once a second.
_PUBLISH_INTERVAL = 0.1
# How many article-style sample lines a snapshot keeps.
_SAMPLES_KEPT = 5
# Exact scoring of all windows may take at most this share of the training time.
_EVALUATION_BUDGET = 0.1
# The nice value of training threads (0 normal, 19 lowest): pages and their readers come first.
TRAINING_NICENESS = 10
# Scoring costs windows × vocabulary × units: a long story is scored on a fixed, seeded sample of
# windows (the same sample every time, so the curve is comparable), a short one on all of them.
# The sample holds at most this many window × vocabulary cells (about 0.1 s of numpy per score),
# and never fewer than the minimum.
EVALUATION_CELLS_LIMIT = 4_000_000
EVALUATION_WINDOWS_MINIMUM = 512


@dataclass(frozen=True)
class TrainingData:
    """Everything one run trains on: the story, its vocabulary and all its windows."""

    story: Story
    vocabulary: Vocabulary
    contexts: np.ndarray  # int32 [windows, n_input]
    targets: np.ndarray  # int32 [windows]
    ceiling_count: int  # windows the best possible predictor gets right

    @property
    def window_count(self) -> int:
        return len(self.targets)

    @property
    def ceiling(self) -> float:
        return self.ceiling_count / max(1, self.window_count)

    @property
    def corpus_config(self) -> CorpusConfig:
        return self.story.config


def prepare_training_data(story: Story, model_config: ModelConfig) -> TrainingData:
    """Vocabulary and windows for `story` at the model's n_input (StoryTooShortError if too short)."""
    check_story_length(len(story.symbols), model_config.n_input)
    vocabulary = Vocabulary.from_symbols(story.symbols, max_size=story.config.max_vocabulary)
    ids = vocabulary.encode(story.symbols)
    contexts, targets = make_windows(ids, model_config.n_input)
    return TrainingData(story, vocabulary, contexts, targets, accuracy_ceiling(contexts, targets))


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

    status: str = QUEUED
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
        return self.status in DONE_STATUSES

    @property
    def active(self) -> bool:
        return self.status in (QUEUED, RUNNING, STOPPING)

    @property
    def final_accuracy(self) -> float | None:
        """The latest exact accuracy on all windows (0..1), if any was measured."""
        return self.eval_accuracies[-1] if self.eval_accuracies else None

    @property
    def fraction_done(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0


def _batch_plan(
    window_count: int, train_config: TrainConfig, n_input: int, steps: int, random: np.random.RandomState
) -> np.ndarray:
    """Window indices for `steps` steps, shape [steps, batch]: every batch has the same size.

    A batch at least as large as the story is the full set every step. Otherwise windows are
    shuffled per pass, and a pass that does not divide evenly runs on into the next one, so no
    short batch forces TensorFlow to trace a second step function.
    """
    if train_config.article_order:
        start = int(random.randint(0, 2**31 - 1))
        return article_order(window_count, n_input, steps, start).reshape(steps, 1)
    batch = min(train_config.batch_size, window_count)
    if batch == window_count:
        return np.broadcast_to(np.arange(window_count), (steps, window_count))
    needed = steps * batch
    order = np.concatenate(
        [random.permutation(window_count) for _ in range(math.ceil(needed / window_count))]
    )
    return order[:needed].reshape(steps, batch)


@dataclass
class _History:
    """Per-run mutable state, touched only by the worker thread (and read under the lock)."""

    losses: list[float] = field(default_factory=list)
    batch_accuracies: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_accuracies: list[float] = field(default_factory=list)
    samples: deque = field(default_factory=lambda: deque(maxlen=_SAMPLES_KEPT))


class TrainingSession:
    """One training run of one model on one story, in a background thread.

    `start()` begins (or resumes) training, `stop()` asks it to end after the current step,
    `progress()` returns the latest snapshot, `continue_training(n)` adds n steps to a finished or
    stopped run and trains them, `predictor()` gives a numpy predictor on the current weights.
    """

    def __init__(
        self,
        data: TrainingData,
        model_config: ModelConfig,
        train_config: TrainConfig,
        on_done: Callable[[TrainingSession], None] | None = None,
    ):
        if model_config.n_input != data.contexts.shape[1]:
            raise NextwordError("The training data was prepared for another n_input than the model's.")
        self.data = data
        self.model_config = model_config
        self.train_config = train_config
        self.on_done = on_done
        self.model = None
        # Devices training in step (more than 1 under a tf.distribute strategy).
        self.replicas = 1
        self.created_at = time.time()
        self._lock = threading.Lock()
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self._random = np.random.RandomState(train_config.seed)
        self._history = _History()
        self._pending_steps = train_config.steps
        self._total_steps = train_config.steps
        self._training_seconds = 0.0
        self._predictor = None
        self._predictor_step = -1
        vocabulary_size = len(data.vocabulary)
        self._evaluation_windows = _evaluation_sample(data.window_count, vocabulary_size, train_config.seed)
        self._progress = TrainingProgress(
            status=QUEUED,
            total_steps=train_config.steps,
            ceiling=data.ceiling,
            window_count=data.window_count,
            evaluation_window_count=len(self._evaluation_windows),
        )

    # ----- reading -----

    def progress(self) -> TrainingProgress:
        with self._lock:
            return self._progress

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> TrainingProgress:
        """Block until the worker thread ends (or `timeout` passes); return the latest snapshot."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.progress()

    # ----- control -----

    def set_queue_position(self, position: int | None) -> None:
        """Shown while the run waits for a free training slot (set by the registry)."""
        self._update(queue_position=position)

    def start(self) -> None:
        """Train the pending steps in a new thread; does nothing if already training or nothing pending."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            if self._progress.status == FAILED or self._pending_steps <= 0:
                return
            self._stop_requested.clear()
            self._progress = _replace(self._progress, status=RUNNING, queue_position=None, error=None)
            self._thread = threading.Thread(target=self._run, name=TRAINING_THREAD_NAME, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Ask the run to stop after its current step (within about a second); keeps the weights."""
        with self._lock:
            status = self._progress.status
            if status == RUNNING:
                self._stop_requested.set()
                self._progress = _replace(self._progress, status=STOPPING)
            elif status == QUEUED:
                # Never started (or continuation not started yet): nothing to interrupt.
                self._pending_steps = 0
                self._total_steps = self._progress.step
                self._progress = _replace(
                    self._progress, status=STOPPED, queue_position=None, total_steps=self._total_steps
                )
                stopped_while_queued = True
            else:
                stopped_while_queued = False
            if status != QUEUED:
                return
        if stopped_while_queued and self.on_done is not None:
            self.on_done(self)

    def continue_training(self, extra_steps: int, start: bool = True) -> None:
        """Add `extra_steps` to a finished or stopped run that has weights; train them now or later."""
        if extra_steps < 1:
            raise NextwordError("Continue needs at least one more step.")
        with self._lock:
            if self._progress.status not in (FINISHED, STOPPED) or self.model is None:
                raise NextwordError("Only a finished or stopped run with weights can continue.")
            self._pending_steps = extra_steps
            self._total_steps = self._progress.step + extra_steps
            self._progress = _replace(
                self._progress, status=QUEUED, total_steps=self._total_steps, eta_seconds=None
            )
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
            )

    # ----- the worker -----

    def _update(self, **changes) -> None:
        with self._lock:
            self._progress = _replace(self._progress, **changes)

    def _run(self) -> None:
        _yield_cpu_to_readers()
        try:
            with keras_work():
                self._train()
        except NextwordError as error:
            self._fail(str(error))
        except MemoryError:
            self._fail("Training ran out of memory: use fewer units, a smaller batch or a shorter story.")
        except Exception as error:  # noqa: BLE001 - a worker must report, never die silently
            self._fail(f"Training failed unexpectedly ({type(error).__name__}: {error}).")
        finally:
            if self.on_done is not None:
                try:
                    self.on_done(self)
                except Exception:  # noqa: BLE001 - the registry's bookkeeping must not mask the run
                    pass

    def _fail(self, message: str) -> None:
        self._pending_steps = 0
        self._update(status=FAILED, error=message, eta_seconds=None, steps_per_second=None)

    def _train(self) -> None:
        from nextword.model import build_model

        if self.model is None:
            self.model = self._build(build_model)
        steps_to_run, self._pending_steps = self._pending_steps, 0
        first_step = self._progress.step
        plan = _batch_plan(
            self.data.window_count, self.train_config, self.model_config.n_input, steps_to_run, self._random
        )
        batch_size = plan.shape[1]
        chunk_steps = max(1, min(_MAX_STEPS_PER_FIT, _MAX_ROWS_PER_FIT // batch_size))
        tracker = _StepTracker(self, first_step, steps_to_run, batch_size)
        done = 0
        while done < steps_to_run and not self._stop_requested.is_set() and not tracker.failed:
            chunk = plan[done : done + chunk_steps]
            rows = chunk.reshape(-1)
            inputs = self.data.contexts[rows].astype(np.float32)
            labels = self.data.targets[rows]
            tracker.begin_chunk()
            callback = _make_callback(self, tracker)
            self.model.fit(
                inputs,
                labels,
                batch_size=batch_size,
                epochs=1,
                shuffle=False,
                verbose=0,
                callbacks=[callback],
            )
            done += tracker.steps_in_chunk
            if tracker.steps_in_chunk == 0:
                break
        if tracker.failed:
            tracker.publish()  # the curves up to the failing step, not up to the last regular snapshot
            raise TrainingError(tracker.failure)
        tracker.evaluate(force=True)
        stopped = self._stop_requested.is_set() and done < steps_to_run
        with self._lock:
            self._total_steps = tracker.step if stopped else self._total_steps
            self._progress = _replace(
                tracker.snapshot(self._progress),
                status=STOPPED if stopped else FINISHED,
                total_steps=self._total_steps,
                eta_seconds=None,
            )

    def _build(self, build_model):
        """Build the model, under a tf.distribute strategy when the config asks for one."""
        if self.train_config.distribute == "mirrored":
            from nextword.backend import import_tensorflow

            strategy = import_tensorflow().distribute.MirroredStrategy()
            self.replicas = strategy.num_replicas_in_sync
            with strategy.scope():
                return build_model(self.model_config, len(self.data.vocabulary), self.train_config)
        return build_model(self.model_config, len(self.data.vocabulary), self.train_config)


def _yield_cpu_to_readers() -> None:
    """Give this training thread (and the TensorFlow threads it starts) a lower CPU priority.

    A page must answer a student's click within about a second while runs train on the same
    cores; training is the one job that can wait. On Linux a nice value is per thread and new
    threads inherit it, so TensorFlow's compute pool, started by the first run, yields too. With
    nothing else to do, training still gets every core. Elsewhere (macOS, Windows) the call would
    name a process, not a thread, so it is skipped.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        thread_id = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread_id)
        os.setpriority(os.PRIO_PROCESS, thread_id, max(current, TRAINING_NICENESS))
    except (AttributeError, OSError):  # a sandbox may forbid it: train at the usual priority
        pass


def _evaluation_sample(window_count: int, vocabulary_size: int, seed: int) -> np.ndarray:
    """Indices of the windows scored for the exact accuracy: all, or a seeded sample of a long story."""
    limit = max(EVALUATION_WINDOWS_MINIMUM, EVALUATION_CELLS_LIMIT // max(1, vocabulary_size))
    if window_count <= limit:
        return np.arange(window_count)
    random = np.random.RandomState(seed + 1)
    return np.sort(random.choice(window_count, limit, replace=False))


def _replace(progress: TrainingProgress, **changes) -> TrainingProgress:
    import dataclasses

    return dataclasses.replace(progress, **changes)


class _StepTracker:
    """Turns Keras' per-epoch running means into per-step values and publishes snapshots."""

    def __init__(self, session: TrainingSession, first_step: int, steps_to_run: int, batch_size: int):
        self.session = session
        self.batch_size = batch_size
        # The loss of a uniform guess; a run averaging ten times that (plus slack) has diverged.
        self.guessing_loss = math.log(max(2, len(session.data.vocabulary)))
        self.explosion_loss = 10 * self.guessing_loss + 10
        self.history = session._history
        self.first_step = first_step
        self.steps_to_run = steps_to_run
        self.step = first_step
        self.steps_in_chunk = 0
        self.failed = False
        self.failure = ""
        self.started = time.perf_counter()
        self.base_training_seconds = session._training_seconds
        self.last_publish = 0.0
        self.rate_points: deque = deque(maxlen=50)
        self.previous_mean_loss = 0.0
        self.previous_mean_accuracy = 0.0
        self.evaluation_seconds = 0.0
        self.last_evaluation_step = -1
        total = session._total_steps
        # About 60 exact-accuracy points per run, within the evaluation time budget.
        self.evaluate_every = max(1, total // 60)

    def begin_chunk(self) -> None:
        self.steps_in_chunk = 0
        self.previous_mean_loss = 0.0
        self.previous_mean_accuracy = 0.0

    def on_batch_end(self, batch_index: int, logs: dict) -> bool:
        """Record one step; return True when training must stop now."""
        count = batch_index + 1  # Keras' logs are means over the `count` batches of this epoch
        mean_loss = float(logs.get("loss", float("nan")))
        mean_accuracy = float(logs.get("accuracy", float("nan")))
        loss = count * mean_loss - (count - 1) * self.previous_mean_loss
        accuracy = count * mean_accuracy - (count - 1) * self.previous_mean_accuracy
        self.previous_mean_loss, self.previous_mean_accuracy = mean_loss, mean_accuracy
        self.steps_in_chunk += 1
        self.step += 1
        learning_rate = self.session.train_config.learning_rate
        if not math.isfinite(mean_loss):
            self.failed = True
            self.failure = (
                f"The loss became NaN at step {self.step}: training diverged. Lower the learning rate "
                f"(now {learning_rate:g}) and train again."
            )
            return True
        self.history.losses.append(max(0.0, loss))
        recent = self.history.losses[-5:]
        if len(recent) == 5 and sum(recent) / 5 > self.explosion_loss:
            # Cross-entropy from logits rarely reaches NaN; a loss far above guessing is the same failure.
            self.failed = True
            self.failure = (
                f"The loss exploded to {recent[-1]:.3g} at step {self.step} (guessing gives "
                f"{self.guessing_loss:.2f}): training diverged. "
                f"Lower the learning rate (now {learning_rate:g}) and train again."
            )
            return True
        # A batch accuracy is a whole number of hits over the batch: undo the differencing's round-off.
        accuracy = round(accuracy * self.batch_size) / self.batch_size
        self.history.batch_accuracies.append(min(1.0, max(0.0, accuracy)))
        self.rate_points.append((time.perf_counter(), self.step))
        self.evaluate(force=False)
        now = time.perf_counter()
        if now - self.last_publish >= _PUBLISH_INTERVAL or self.step - self.first_step >= self.steps_to_run:
            self.publish()
        return self.session._stop_requested.is_set()

    def evaluate(self, force: bool) -> None:
        """Score every window exactly (numpy forward pass on the current weights) and take a sample."""
        if self.step == self.last_evaluation_step:
            return
        if not force:
            if self.step % self.evaluate_every != 0 and self.step != self.first_step + 1:
                return
            training_seconds = time.perf_counter() - self.started
            if self.evaluation_seconds > _EVALUATION_BUDGET * max(training_seconds, 1e-9):
                return
        from nextword.predict import Predictor

        began = time.perf_counter()
        session = self.session
        data = session.data
        predictor = Predictor.from_model(
            session.model, data.vocabulary, data.corpus_config, session.model_config
        )
        windows = session._evaluation_windows
        correct = predictor.count_correct(data.contexts[windows], data.targets[windows])
        self.history.eval_steps.append(self.step)
        self.history.eval_accuracies.append(correct / max(1, len(windows)))
        # An article-style sample line from a window chosen by the step number (deterministic).
        window = (self.step * 7919) % data.window_count
        context_ids = data.contexts[window]
        predicted = int(predictor.predict_ids(context_ids[None, :])[0])
        vocabulary = data.vocabulary
        self.history.samples.append(
            SampleLine(
                self.step,
                tuple(vocabulary.decode([int(value) for value in context_ids])),
                vocabulary.symbol_of(predicted),
                vocabulary.symbol_of(int(data.targets[window])),
            )
        )
        self.last_evaluation_step = self.step
        self.evaluation_seconds += time.perf_counter() - began

    def snapshot(self, progress: TrainingProgress) -> TrainingProgress:
        history = self.history
        elapsed = time.perf_counter() - self.started
        self.session._training_seconds = self.base_training_seconds + elapsed
        rate = None
        if len(self.rate_points) >= 2:
            (first_time, first_step), (last_time, last_step) = self.rate_points[0], self.rate_points[-1]
            if last_time > first_time:
                rate = (last_step - first_step) / (last_time - first_time)
        total = self.session._total_steps
        eta = (total - self.step) / rate if rate else None
        return _replace(
            progress,
            step=self.step,
            total_steps=total,
            losses=tuple(history.losses),
            batch_accuracies=tuple(history.batch_accuracies),
            eval_steps=tuple(history.eval_steps),
            eval_accuracies=tuple(history.eval_accuracies),
            elapsed_seconds=self.session._training_seconds,
            steps_per_second=rate,
            eta_seconds=eta,
            samples=tuple(history.samples),
            has_weights=self.step > 0,
        )

    def publish(self) -> None:
        self.last_publish = time.perf_counter()
        with self.session._lock:
            self.session._progress = self.snapshot(self.session._progress)


_callback_class = None


def _make_callback(session: TrainingSession, tracker: _StepTracker):
    """A Keras callback bound to `tracker` (the class is made on first use: Keras loads lazily)."""
    global _callback_class
    if _callback_class is None:
        from nextword.backend import import_keras

        keras = import_keras()

        class ProgressCallback(keras.callbacks.Callback):
            # `async_safe`: Keras runs this in a worker pool, where reading a step's logs waits for that
            # step alone while the training loop goes on; reading them in the loop itself would stall
            # TensorFlow's pipeline every step (measured: 8.6 against 4.2 ms a step on the fable).
            # Calls may then arrive out of order, so steps reach the tracker strictly in order.
            async_safe = True

            def __init__(self, tracker: _StepTracker):
                super().__init__()
                self.tracker = tracker
                self._order_lock = threading.Lock()
                self._arrived: dict[int, dict] = {}
                self._next_batch = 0

            def on_train_batch_end(self, batch, logs=None):
                values = {name: float(value) for name, value in (logs or {}).items()}
                with self._order_lock:
                    self._arrived[batch] = values
                    while self._next_batch in self._arrived:
                        step_values = self._arrived.pop(self._next_batch)
                        if self.tracker.on_batch_end(self._next_batch, step_values):
                            self.model.stop_training = True
                        self._next_batch += 1

        _callback_class = ProgressCallback
    return _callback_class(tracker)
