"""One stretch of a run's training (its start, or one Continue), and what carries to the next.

`TrainingLoop` belongs to one `TrainingRun`. For each stretch it plans the batches, makes the
`StepTracker`, and drives the steps in compiled blocks (`compiled_steps`), the one way nextword
trains; between blocks a stop is seen. Between stretches it keeps what a continued run goes on
from: the curves, the batch order's random state, the training seconds and the compiled block.
Nothing here knows about threads or statuses.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import TrainingError
from nextword.text.dataset import TrainingData
from nextword.text.run_windows import RunWindows, batch_plan
from nextword.training import compiled_steps
from nextword.training.history import LEARNED_LOSS_STEPS, History, stop_reason
from nextword.training.tracker import StepTracker

# A block of steps should take about this long: a stop request waits for the block under way.
BLOCK_SECONDS = 0.2


class TrainingLoop:
    """The training of one run's model, one stretch at a time.

    `should_stop` tells whether a stop was requested (asked between blocks); `publish` is called
    with the tracker when a snapshot is due.
    """

    def __init__(
        self,
        data: TrainingData,
        model_config: ModelConfig,
        train_config: TrainConfig,
        windows: RunWindows,
        should_stop: Callable[[], bool],
        publish: Callable[[StepTracker], None],
    ):
        self.data = data
        self.model_config = model_config
        self.train_config = train_config
        self.windows = windows
        self.should_stop = should_stop
        self.publish = publish
        self.history = History()
        self.training_seconds = 0.0
        self._random = np.random.RandomState(train_config.seed)
        # The compiled block of steps: built on first use, or a spare's, already compiled for its model.
        self.block_loop = None

    def run_stretch(
        self, model, *, first_step: int, steps_to_run: int, total_steps: int, stop_when_learned: bool
    ) -> StepTracker:
        """Train `steps_to_run` steps of `model` and return the stretch's tracker, which says whether
        and why it ended early; raise TrainingError if the loss diverges."""
        # Training windows are the story's first ones (the held-out part is its end): plan over them.
        plan = batch_plan(
            self.windows.train_count, self.train_config, self.model_config.n_input, steps_to_run, self._random
        )
        tracker = StepTracker(
            self,
            model,
            first_step=first_step,
            steps_to_run=steps_to_run,
            total_steps=total_steps,
            batch_size=plan.shape[1],
            stop_when_learned=stop_when_learned,
        )
        done = self._train_in_blocks(model, plan, tracker)
        if tracker.failed:
            tracker.publish()  # the curves up to the failing step, not up to the last regular snapshot
            raise TrainingError(tracker.failure)
        tracker.evaluate(force=True)
        self.training_seconds = tracker.training_seconds
        tracker.stopped = self.should_stop() and done < steps_to_run
        history = self.history
        if tracker.past_best and not tracker.stopped:
            tracker.stop_reason = (
                f"Stopped at step {tracker.step:,}: the held-out loss had not improved since step "
                f"{history.best_step:,}, so the network had started memorising the training part."
            )
        elif tracker.learned and not tracker.stopped:
            tracker.stop_reason = stop_reason(tracker.step, self.windows.lowest_loss, total_steps)
        if history.best_weights is not None and history.best_step != tracker.step:
            model.set_weights(history.best_weights)  # predictions and writing use the best step
        return tracker

    def _train_in_blocks(self, model, plan: np.ndarray, tracker: StepTracker) -> int:
        """Train the steps of `plan` ([steps, batch] window indices) in blocks; return the steps done.

        Each step's values reach `tracker.record_step` with its end time spread evenly over its block.
        A block ends on each step the tracker scores at (the scores read the weights after exactly that
        step) and after about `BLOCK_SECONDS`, so a stop request is seen within a block.
        """
        batch_size = plan.shape[1]
        loop = self.block_loop
        if loop is None or loop.model is not model or loop.batch_size != batch_size:
            loop = compiled_steps.block_loop_for(model, batch_size, self.model_config.n_input)
            self.block_loop = loop
        rule = tracker.learned_rule if tracker.scores_from_steps else None
        contexts, targets = self.data.contexts, self.data.targets
        steps = len(plan)
        done = 0
        count = 1  # the first block is one step: the first point shows as soon as the block compiles
        while done < steps and not self.should_stop():
            count = min(count, loop.capacity, steps - done, tracker.next_evaluation_step() - tracker.step)
            rows = plan[done : done + count]
            began = time.perf_counter()
            recent = tuple(tracker.history.losses[-(LEARNED_LOSS_STEPS - 1) :])
            result = loop.run(contexts[rows].astype(np.float32), targets[rows], rule, recent)
            ended = time.perf_counter()
            applied = len(result.losses)
            seconds_per_step = (ended - began) / max(1, applied)
            for index in range(applied):
                tracker.record_step(
                    float(result.losses[index]),
                    float(result.accuracies[index]),
                    ended_at=began + (index + 1) * seconds_per_step,
                )
                if tracker.failed or tracker.learned or tracker.past_best:
                    tracker.publish()
                    return done + index + 1
            done += applied
            if result.learned:  # the weights after this block's last step have learned all they can
                tracker.learned = True
                tracker.publish()
                return done
            if tracker.scores_from_steps:
                tracker.sample()
            tracker.publish()
            # The next block sizes itself on this one (the first one's time is mostly compiling).
            count = max(1, int(BLOCK_SECONDS / max(seconds_per_step, 1e-6)))
        return done
