"""Spare models: built and compiled in the background before Train is pressed, so a run starts at once.

A run's first step costs more than the next hundred: TensorFlow traces the block of training steps
(`compiled_steps`), with XLA for batch-1 runs such as the article's. The run registry owns a
`SparePool`; asked for the settings on screen, once they have stayed a second its one worker thread
builds that model, records its starting weights and optimizer state, and compiles its block with
one step on zeros. A run that takes the spare gets that starting point back, so it trains exactly
as on a freshly built model, minus the compile. The worker waits for `tensorflow_runtime`'s preload
thread to load TensorFlow; nothing runs until a pool is asked for a spare.
"""

from __future__ import annotations

import atexit
import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import NextwordError
from nextword.text.dataset import TrainingData
from nextword.text.windows import holdout_split

# Spares kept at once (least recently prepared dropped first): each holds a model and its optimizer.
MAX_SPARES = 2
# A spare is built once no newer one was asked for in this long: settings still changing (a slider
# dragged, a class of tabs setting up) would otherwise keep a build running beside every click.
SETTLE_SECONDS = 1.0

logger = logging.getLogger(__name__)


def spare_key(data: TrainingData, model_config: ModelConfig, train_config: TrainConfig) -> tuple:
    """What a spare must match: everything its weights, optimizer and compiled block depend on."""
    symbol_count = data.window_count + data.n_input
    train_part = holdout_split(symbol_count, data.n_input, train_config.holdout).train_count
    train_count = max(1, round(train_part * train_config.train_share / 100))  # as RunWindows counts them
    batch = min(train_config.batch_size, train_count)  # a run's batches are never larger (plan.py)
    built_with = TrainConfig(
        optimizer=train_config.optimizer,
        learning_rate=train_config.learning_rate,
        seed=train_config.seed,
        clip_norm=train_config.clip_norm,
        batch_size=batch,
    )
    return model_config, len(data.vocabulary), built_with


@dataclass
class Spare:
    """One model being prepared or ready, with the state it started from."""

    key: tuple
    ready: threading.Event = field(default_factory=threading.Event)
    model: object | None = None  # None until ready, and if preparing it failed
    block_loop: object | None = None  # the model's compiled block of steps (a compiled_steps.BlockLoop)
    weights: list[np.ndarray] = field(default_factory=list)
    optimizer_values: list[np.ndarray] = field(default_factory=list)


class SparePool:
    """Spare models by settings; one worker thread prepares them, newest request first."""

    def __init__(self, max_spares: int = MAX_SPARES, settle_seconds: float = SETTLE_SECONDS):
        self.max_spares = max_spares
        self.settle_seconds = settle_seconds
        self._asked_at = -math.inf
        self._last_taken: tuple | None = None  # the settings a run last asked a spare for
        # Notified on every request, every spare made ready and on closing.
        self._lock = threading.Condition()
        self._spares: OrderedDict[tuple, Spare] = OrderedDict()
        self._wanted: Spare | None = None  # the next to prepare (a newer request replaces it)
        self._worker: threading.Thread | None = None
        self._closing = False

    def prepare_in_background(self, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig):
        """Ask for a spare for these settings (returns at once; a no-op when one is kept or under way)."""
        try:
            key = spare_key(data, model_config, train_config)
        except NextwordError:  # settings no run can train with: Train will say why
            return
        with self._lock:
            if self._closing or key in self._spares or (self._wanted is not None and self._wanted.key == key):
                return
            # The settings a run has just trained with have settled: its replacement need not wait.
            settled = key == self._last_taken
            self._wanted, self._asked_at = Spare(key), -math.inf if settled else time.monotonic()
            self._lock.notify_all()
            if self._worker is None:
                self._worker = threading.Thread(target=self._serve, name="nextword-spares", daemon=True)
                self._worker.start()

    def take(self, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig) -> Spare | None:
        """A ready spare for these settings, its model put back at a new model's starting point, or None.
        A spare under preparation is waited for (it is further along than a new build); each is
        handed out once."""
        try:
            key = spare_key(data, model_config, train_config)
        except NextwordError:
            return None
        with self._lock:
            spare = self._spares.pop(key, None)
            self._last_taken = key
            if self._wanted is not None and self._wanted.key == key:
                self._wanted = None  # asked for but not started: the run builds its own model
                self._lock.notify_all()
        if spare is None:
            return None
        spare.ready.wait()
        if spare.model is None:
            return None
        spare.model.set_weights(spare.weights)
        for variable, value in zip(spare.model.optimizer.variables, spare.optimizer_values, strict=True):
            variable.assign(value)
        return spare

    def wait_ready(self, key: tuple, timeout: float | None = None) -> bool:
        """Wait until the spare for `key` is ready (False if there is none, or it is not ready in time)."""
        with self._lock:
            spare = self._spares.get(key)
            if spare is None and self._wanted is not None and self._wanted.key == key:
                spare = self._wanted
        return spare is not None and spare.ready.wait(timeout) and spare.model is not None

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Wait until no spare is asked for or under way (False if one still is after `timeout`)."""
        with self._lock:
            return self._lock.wait_for(
                lambda: self._wanted is None and all(spare.ready.is_set() for spare in self._spares.values()),
                timeout,
            )

    def keys(self) -> list[tuple]:
        """The settings of the spares kept, under way or asked for (oldest first)."""
        with self._lock:
            wanted = [self._wanted.key] if self._wanted is not None else []
            return [*self._spares, *wanted]

    def close(self, timeout: float = 60.0) -> None:
        """Prepare nothing more, wait for the spare under way, and let go of the kept ones (also at exit)."""
        with self._lock:
            self._closing, self._wanted = True, None
            self._lock.notify_all()
            worker = self._worker
        if worker is not None:
            worker.join(timeout)
        with self._lock:
            self._spares.clear()

    def _next_to_build(self) -> Spare | None:
        """The spare asked for last, once no newer one was asked for in `settle_seconds`, now kept
        (and waited for by `take`) while it is built; None when the pool closes."""
        with self._lock:
            while not self._closing:
                settling = self._asked_at + self.settle_seconds - time.monotonic()
                if self._wanted is None or settling > 0:
                    self._lock.wait(None if self._wanted is None else settling)
                    continue
                spare, self._wanted = self._wanted, None
                self._spares[spare.key] = spare
                while len(self._spares) > self.max_spares:
                    self._spares.popitem(last=False)
                return spare
            return None

    def _serve(self) -> None:
        from nextword.training.tensorflow_runtime import preload_in_background

        preload_in_background().join()  # TensorFlow is loaded by the preload thread, and only by it
        # TensorFlow aborts the process if it exits while a thread is inside a build. Registered after
        # TensorFlow's own exit handlers, this runs before them: the build under way ends first.
        atexit.register(self.close)
        while (spare := self._next_to_build()) is not None:
            try:
                build_spare(spare)
            except Exception:  # noqa: BLE001 - a spare is an optimisation: the run builds its own
                logger.exception("Preparing a spare model failed.")
                with self._lock:
                    if self._spares.get(spare.key) is spare:
                        del self._spares[spare.key]
            finally:
                spare.ready.set()
                with self._lock:
                    self._lock.notify_all()


def build_spare(spare: Spare) -> None:
    """Build the spare's model, record its starting point, and compile its block of steps."""
    from nextword.training import compiled_steps
    from nextword.training.model import build_model
    from nextword.training.tensorflow_runtime import start_compute_pools

    model_config, vocabulary_size, train_config = spare.key
    batch = train_config.batch_size
    start_compute_pools()
    model = build_model(model_config, vocabulary_size, train_config)
    weights = model.get_weights()
    optimizer_values = [np.array(variable.numpy()) for variable in model.optimizer.variables]
    # The block TrainingLoop would make for this batch, compiled by one step on zeros.
    block_loop = compiled_steps.block_loop_for(model, batch, model_config.n_input)
    block_loop.run(
        np.zeros((1, batch, model_config.n_input), dtype=np.float32), np.zeros((1, batch), dtype=np.int32)
    )
    spare.weights, spare.optimizer_values, spare.block_loop = weights, optimizer_values, block_loop
    spare.model = model
