"""One stretch of a run's training (its start, or one Continue), and what carries to the next.

`TrainingLoop` belongs to one `TrainingRun`. For each stretch it plans the batches, makes the
`StepTracker`, and runs the steps in compiled blocks (`nextword.training.compiled_steps`), or with
`model.fit` a chunk at a time where Keras must run them (a distribution strategy, extra callbacks). Between
stretches it keeps what a continued run goes on from: the curves, the batch order's random state,
the training seconds and the compiled block. Nothing here knows about threads or statuses: the run
decides when a stretch starts and publishes how it ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import TrainingError
from nextword.text.dataset import TrainingData
from nextword.text.run_windows import RunWindows, batch_plan
from nextword.training.compiled_steps import applies as fastloop_applies
from nextword.training.compiled_steps import uses_xla
from nextword.training.tracker import LEARNED_LOSS_MARGIN, History, StepTracker

# Steps handed to one `model.fit` call: bounds the memory of the materialised batches and keeps the
# per-step metrics exact (Keras reports running means over an epoch; the tracker differences them).
MAX_STEPS_PER_FIT = 1000
MAX_ROWS_PER_FIT = 2_000_000


def build_model_for(model_config: ModelConfig, vocabulary_size: int, train_config: TrainConfig):
    """(model, devices training in step): built under a tf.distribute strategy when asked for."""
    from nextword.training.model import build_model

    if train_config.distribute == "mirrored":
        from nextword.training.tensorflow_runtime import import_tensorflow

        strategy = import_tensorflow().distribute.MirroredStrategy()
        with strategy.scope():
            return build_model(model_config, vocabulary_size, train_config), strategy.num_replicas_in_sync
    return build_model(model_config, vocabulary_size, train_config), 1


@dataclass(frozen=True)
class StretchEnd:
    """How a stretch ended: its tracker (for the last snapshot), and whether and why it ended early."""

    tracker: StepTracker
    stopped: bool  # a stop request ended it before its last step
    stop_reason: str | None  # said when it ended because the model had learned all it can


class TrainingLoop:
    """The training of one run's model, one stretch at a time.

    Args:
        data: the windows the run trains on.
        model_config, train_config: the run's settings.
        windows: the run's training, evaluation and held-out windows.
        should_stop: whether a stop was requested (asked between steps).
        publish: called with the tracker when a snapshot is due; the run builds and publishes it.
        extra_callbacks: called once a stretch for more Keras callbacks (the CLI's TensorBoard
            writer), or None.
    """

    def __init__(
        self,
        data: TrainingData,
        model_config: ModelConfig,
        train_config: TrainConfig,
        windows: RunWindows,
        should_stop: Callable[[], bool],
        publish: Callable[[StepTracker], None],
        extra_callbacks: Callable[[], list] | None = None,
    ):
        self.data = data
        self.model_config = model_config
        self.train_config = train_config
        self.windows = windows
        self.should_stop = should_stop
        self.publish = publish
        self.extra_callbacks = extra_callbacks
        self.history = History()
        self.training_seconds = 0.0
        self._random = np.random.RandomState(train_config.seed)
        self._block_loop = None  # the compiled block of steps (fastloop), built on first use

    def adopt_block_loop(self, block_loop) -> None:
        """Train with `block_loop` (a spare's, already compiled for its model) instead of a new one."""
        self._block_loop = block_loop

    def run_stretch(
        self, model, *, first_step: int, steps_to_run: int, total_steps: int, stop_when_learned: bool
    ) -> StretchEnd:
        """Train `steps_to_run` steps of `model`; raise TrainingError if the loss diverges."""
        # Training windows are the story's first ones (the held-out part is its end): plan over them.
        plan = batch_plan(
            self.windows.train_count, self.train_config, self.model_config.n_input, steps_to_run, self._random
        )
        # "Learned all it can" is only told exactly when every training window is scored.
        learned_check = (
            (self.windows.ceiling_count, self.windows.lowest_loss)
            if stop_when_learned and self.windows.every_training_window_scored
            else None
        )
        # The compiled blocks run no Keras callbacks: extra ones (TensorBoard's) need model.fit.
        in_blocks = fastloop_applies(self.model_config, self.train_config) and self.extra_callbacks is None
        tracker = StepTracker(
            data=self.data,
            model=model,
            model_config=self.model_config,
            train_config=self.train_config,
            history=self.history,
            evaluation_windows=self.windows.evaluation_windows,
            holdout_windows=self.windows.holdout_windows,
            learned_check=learned_check,
            first_step=first_step,
            steps_to_run=steps_to_run,
            total_steps=total_steps,
            batch_size=plan.shape[1],
            seconds_before=self.training_seconds,
            should_stop=self.should_stop,
            publish=self.publish,
            scores_from_steps=in_blocks and self._steps_score_themselves(plan.shape[1]),
        )
        if in_blocks:
            done = self._train_in_blocks(model, plan, tracker)
        else:
            done = self._train_with_fit(model, plan, tracker)
        if tracker.failed:
            tracker.publish()  # the curves up to the failing step, not up to the last regular snapshot
            raise TrainingError(tracker.failure)
        tracker.evaluate(force=True)
        self.training_seconds = tracker.training_seconds
        stopped = self.should_stop() and done < steps_to_run
        stop_reason = None
        if tracker.learned and not stopped:
            stop_reason = (
                f"Stopped at step {tracker.step:,}: learned all it can. Every window that can be right "
                f"is right, and the loss is within {LEARNED_LOSS_MARGIN} of the lowest any model can "
                f"reach on this story ({self.windows.lowest_loss:.3f}). Turn off “Stop when learned” to run "
                f"all {total_steps:,} steps."
            )
        return StretchEnd(tracker, stopped, stop_reason)

    def _steps_score_themselves(self, batch_size: int) -> bool:
        """Whether each step trains on every scored window and nothing is held out (see the tracker).

        Blocks with XLA (one window a step) take no "learned" test, so they keep scoring apart.
        """
        windows = self.windows
        return (
            batch_size == windows.train_count
            and windows.every_training_window_scored
            and len(windows.holdout_windows) == 0
            and not uses_xla(batch_size)
        )

    def _train_with_fit(self, model, plan: np.ndarray, tracker: StepTracker) -> int:
        """Train the plan's steps with `model.fit`, a chunk at a time; return the steps done."""
        from nextword.training.fit_callback import ProgressCallback

        batch_size = plan.shape[1]
        chunk_steps = max(1, min(MAX_STEPS_PER_FIT, MAX_ROWS_PER_FIT // batch_size))
        steps_to_run = len(plan)
        # One set of extra callbacks for the whole stretch (TensorBoard's writes one log); a new
        # ProgressCallback per chunk, since Keras numbers each fit call's batches from 0 again.
        extra = self.extra_callbacks() if self.extra_callbacks else []
        done, chunk_index = 0, 0
        while done < steps_to_run and not self.should_stop() and not tracker.failed and not tracker.learned:
            rows = plan[done : done + chunk_steps].reshape(-1)
            tracker.begin_chunk()
            model.fit(
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

    def _train_in_blocks(self, model, plan: np.ndarray, tracker: StepTracker) -> int:
        """Train the plan's steps in compiled blocks (`compiled_steps`); return the steps done."""
        from nextword.training import compiled_steps

        batch_size = plan.shape[1]
        loop = self._block_loop
        if loop is None or loop.model is not model or loop.batch_size != batch_size:
            self._block_loop = compiled_steps.block_loop_for(model, batch_size, self.model_config.n_input)
        return compiled_steps.train_in_blocks(
            self._block_loop, plan, self.data.contexts, self.data.targets, tracker, self.should_stop
        )
