"""Per-step bookkeeping of a run: losses, batch accuracies, exact scoring, snapshots.

The compiled blocks hand the tracker each step's own loss and batch accuracy; it scores the windows
exactly now and then with the numpy predictor on the current weights, notices a diverging loss,
applies the "learned all it can" rule (`nextword.training.history`) and builds `TrainingProgress`
snapshots. When every step trains on the whole training set, a step's own hit count is the exact
score of the weights before it, so the tracker takes its scores from the steps and the blocks apply
the rule themselves. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import deque

from nextword.training.compiled_steps import uses_xla
from nextword.training.history import LEARNED_LOSS_MARGIN, LEARNED_LOSS_STEPS, LearnedRule, score
from nextword.training.progress import SampleLine, TrainingProgress

# About this many exact-accuracy points per run.
EVALUATION_POINTS = 60
# The first this many points are always scored (the lesson is in watching the curves part), and a
# run with a held-out part never ends on its own (learned, or past its best step) before it has them.
LEAST_POINTS = EVALUATION_POINTS // 2
# After them, exact scoring may take at most this share of the training time, once it has taken
# this many seconds in all: below that no scoring point is skipped, so on a short story a seed gives
# the same points (and the same "learned all it can" step) however busy the machine is.
EVALUATION_BUDGET = 0.1
EVALUATION_FREE_SECONDS = 0.5
# A run that keeps its best held-out step stops once this many scoring points in a row (a fifth of
# a run's) have not beaten it: the network has started memorising the training part.
PATIENCE_POINTS = EVALUATION_POINTS // 5


class StepTracker:
    """Bookkeeping for one stretch of training (a start, or one Continue) of a run.

    `loop` is the run's `TrainingLoop`: its data, settings and windows, its curves (`history`,
    extended in place), its training seconds so far and its `publish`, called with the tracker when
    a snapshot is due.
    """

    def __init__(
        self,
        loop,
        model,
        *,
        first_step: int,
        steps_to_run: int,
        total_steps: int,
        batch_size: int,
        stop_when_learned: bool,
    ):
        self.loop = loop
        self.data = loop.data
        self.history = loop.history
        self.seconds_before = loop.training_seconds
        self.model = model
        windows = loop.windows
        # The rule that ends the stretch once the run has learned all it can (None: run every step).
        # It is only told exactly when every training window is scored.
        self.learned_rule = (
            LearnedRule(windows.ceiling_count, windows.lowest_loss + LEARNED_LOSS_MARGIN)
            if stop_when_learned and windows.every_training_window_scored
            else None
        )
        # Every step trains on every scored window and nothing is held out: the hit count of step
        # s + 1 is the exact score after step s. Blocks with XLA (one window a step) take no
        # "learned" test, so they keep scoring apart.
        self.scores_from_steps = (
            batch_size == windows.train_count
            and windows.every_training_window_scored
            and len(windows.holdout_windows) == 0
            and not uses_xla(batch_size)
        )
        self.learned = False
        self.past_best = False  # the held-out loss stopped improving long enough ago to stop
        self.stopped = False  # a stop request ended the stretch before its last step
        self.stop_reason: str | None = None  # why the stretch ended early on its own
        self.first_step = first_step
        self.steps_to_run = steps_to_run
        self.total_steps = total_steps
        self.batch_size = batch_size
        # The loss of a uniform guess; a run averaging ten times that (plus slack) has diverged.
        self.guessing_loss = math.log(max(2, len(self.data.vocabulary)))
        self.explosion_loss = 10 * self.guessing_loss + 10
        self.step = first_step
        self.failure: str | None = None
        self.started = time.perf_counter()
        self.rate_points: deque = deque(maxlen=50)
        self.evaluation_seconds = 0.0
        self.last_evaluation_step = -1
        self.evaluate_every = max(1, total_steps // EVALUATION_POINTS)

    @property
    def failed(self) -> bool:
        return self.failure is not None

    @property
    def training_seconds(self) -> float:
        """The run's training time including this stretch so far."""
        return self.seconds_before + time.perf_counter() - self.started

    def next_evaluation_step(self) -> int:
        """The next step after this one at which `evaluate` may score (the budget may skip it)."""
        if self.scores_from_steps:
            return self.first_step + self.steps_to_run  # the steps score themselves
        if self.step < self.first_step + 1:
            return self.first_step + 1
        return (self.step // self.evaluate_every + 1) * self.evaluate_every

    def record_step(self, loss: float, accuracy: float, ended_at: float | None = None) -> None:
        """Record one step's own loss and batch accuracy, or its failure (see `failed` and `learned`).

        `ended_at` is when the step ended (perf_counter; now if None): steps trained in a block
        are recorded after the block. The caller publishes when it is ready.
        """
        self.step += 1
        advice = f"Lower the learning rate (now {self.loop.train_config.learning_rate:g}) and train again."
        if not math.isfinite(loss):
            self.failure = f"The loss became NaN at step {self.step}: training diverged. {advice}"
            return
        self.history.losses.append(max(0.0, loss))
        recent = self.history.losses[-5:]
        if len(recent) == 5 and sum(recent) / 5 > self.explosion_loss:
            # Cross-entropy from logits rarely reaches NaN; a loss far above guessing is the same failure.
            self.failure = (
                f"The loss exploded to {recent[-1]:.3g} at step {self.step} (guessing gives "
                f"{self.guessing_loss:.2f}): training diverged. {advice}"
            )
            return
        # A batch accuracy is a whole number of hits over the batch: undo float round-off.
        accuracy = round(accuracy * self.batch_size) / self.batch_size
        self.history.batch_accuracies.append(min(1.0, max(0.0, accuracy)))
        self.rate_points.append((time.perf_counter() if ended_at is None else ended_at, self.step))
        if self.scores_from_steps:
            self._score_from_step(self.history.batch_accuracies[-1])
        else:
            self.evaluate(force=False)

    def _is_scoring_step(self, step: int) -> bool:
        return step == self.first_step + 1 or (step > self.first_step and step % self.evaluate_every == 0)

    def _score_from_step(self, accuracy: float) -> None:
        """Record the step's batch accuracy as the exact score of the weights before it."""
        scored = self.step - 1
        if self._is_scoring_step(scored):
            self.history.eval_steps.append(scored)
            self.history.eval_accuracies.append(accuracy)
            self.history.eval_losses.append(self.history.losses[-1])  # this step's pass scored them

    def _predictor(self):
        from nextword.inference.predictor import Predictor

        data = self.data
        return Predictor.from_model(self.model, data.vocabulary, data.corpus_config, self.loop.model_config)

    def sample(self) -> None:
        """Add a sample line from the current weights (the runs that score from their steps)."""
        began = time.perf_counter()
        self._add_sample(self._predictor())
        self.history.scoring_seconds += time.perf_counter() - began

    def _add_sample(self, predictor) -> None:
        # An article-style sample line from a window chosen by the step number (deterministic).
        data = self.data
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

    def evaluate(self, force: bool) -> None:
        """Score the evaluation windows exactly (numpy forward pass on the current weights)."""
        if self.step == self.last_evaluation_step:
            return
        if not force:
            if not self._is_scoring_step(self.step):
                return
            spent = self.evaluation_seconds
            over_budget = spent > EVALUATION_BUDGET * max(time.perf_counter() - self.started, 1e-9)
            if (
                len(self.history.eval_steps) >= LEAST_POINTS
                and spent > EVALUATION_FREE_SECONDS
                and over_budget
            ):
                return
        began = time.perf_counter()
        data = self.data
        predictor = self._predictor()
        windows, holdout_windows = self.loop.windows.evaluation_windows, self.loop.windows.holdout_windows
        training = score(predictor, data.contexts[windows], data.targets[windows])
        correct = round(training.top1 * len(windows))
        self.history.eval_steps.append(self.step)
        self.history.eval_accuracies.append(training.top1)
        self.history.eval_losses.append(training.loss)
        if len(holdout_windows):
            holdout_began = time.perf_counter()
            held_out = score(predictor, data.contexts[holdout_windows], data.targets[holdout_windows])
            self.history.holdout_accuracies.append(held_out.top1)
            self.history.holdout_losses.append(held_out.loss)
            self.history.holdout_top5s.append(held_out.top5)
            self._note_best(held_out.loss)
            self.history.holdout_scoring_seconds += time.perf_counter() - holdout_began
        recent = self.history.losses[-LEARNED_LOSS_STEPS:]
        # With a held-out part the run goes on until its curves have their first points: a short
        # story is learned by heart in a few dozen steps, and the lesson is the held-out curve rising.
        drawn = not len(holdout_windows) or len(self.history.eval_steps) >= LEAST_POINTS
        if self.learned_rule is not None and not force and len(recent) == LEARNED_LOSS_STEPS and drawn:
            self.learned = self.learned or bool(self.learned_rule.met(correct, sum(recent) / len(recent)))
        self._add_sample(predictor)
        self.last_evaluation_step = self.step
        seconds = time.perf_counter() - began
        self.evaluation_seconds += seconds
        self.history.scoring_seconds += seconds

    def _note_best(self, loss: float) -> None:
        """Keep the weights of the step with the lowest held-out loss, and see when to stop."""
        history = self.history
        if loss < history.best_holdout_loss:
            history.best_step, history.best_holdout_loss = self.step, loss
            if self.loop.train_config.keep_best:
                history.best_weights = [weight.copy() for weight in self.model.get_weights()]
            return
        since_best = sum(1 for step in history.eval_steps if step > (history.best_step or 0))
        enough = len(history.eval_steps) >= LEAST_POINTS
        self.past_best = self.loop.train_config.keep_best and enough and since_best >= PATIENCE_POINTS

    def snapshot(self, progress: TrainingProgress) -> TrainingProgress:
        """`progress` with this tracker's curves, step, rate and ETA."""
        history = self.history
        rate = None
        if len(self.rate_points) >= 2:
            (first_time, first_step), (last_time, last_step) = self.rate_points[0], self.rate_points[-1]
            if last_time > first_time:
                rate = (last_step - first_step) / (last_time - first_time)
        eta = (self.total_steps - self.step) / rate if rate else None
        return dataclasses.replace(
            progress,
            step=self.step,
            total_steps=self.total_steps,
            losses=tuple(history.losses),
            batch_accuracies=tuple(history.batch_accuracies),
            eval_steps=tuple(history.eval_steps),
            eval_accuracies=tuple(history.eval_accuracies),
            eval_losses=tuple(history.eval_losses),
            # A run that does not keep its best step predicts with its last: no step to mark.
            best_step=history.best_step if self.loop.train_config.keep_best else None,
            holdout_accuracies=tuple(history.holdout_accuracies),
            holdout_losses=tuple(history.holdout_losses),
            holdout_top5s=tuple(history.holdout_top5s),
            scoring_seconds=history.scoring_seconds,
            holdout_scoring_seconds=history.holdout_scoring_seconds,
            elapsed_seconds=self.training_seconds,
            steps_per_second=rate,
            eta_seconds=eta,
            samples=tuple(history.samples),
            has_weights=self.step > 0,
        )

    def publish(self) -> None:
        self.loop.publish(self)
