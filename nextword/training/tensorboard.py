"""TensorBoard logs of a run, for `python -m nextword train --tensorboard DIR`.

A `TensorBoardWriter` is a listener of the run (`TrainingRun.add_listener`): from each snapshot it
writes the steps and scores it has not written yet as scalars, so the logs hold every step's loss
and batch accuracy and every exact score. `close(model)` adds the model's forward graph. The logs
go to DIR/train, where Keras' own callback would put them. TensorFlow is imported when a writer is
made, not with this module.
"""

from __future__ import annotations

import threading
from pathlib import Path

from nextword.training.progress import TrainingProgress
from nextword.training.tensorflow_runtime import import_tensorflow


class TensorBoardWriter:
    """Writes a run's curves to TensorBoard event files under `log_dir`/train."""

    def __init__(self, log_dir: str | Path):
        self._tf = import_tensorflow()
        self.log_dir = Path(log_dir) / "train"
        self._writer = self._tf.summary.create_file_writer(str(self.log_dir))
        # Listeners are called from the training thread and from the one that changes the status.
        self._lock = threading.Lock()
        self._steps_written = 0
        self._scores_written = 0

    def __call__(self, progress: TrainingProgress) -> None:
        tf = self._tf
        with self._lock, self._writer.as_default():
            for index in range(self._steps_written, len(progress.losses)):
                tf.summary.scalar("loss", progress.losses[index], step=index + 1)
                tf.summary.scalar("batch_accuracy", progress.batch_accuracies[index], step=index + 1)
            self._steps_written = len(progress.losses)
            for index in range(self._scores_written, len(progress.eval_steps)):
                step = progress.eval_steps[index]
                tf.summary.scalar("exact_accuracy", progress.eval_accuracies[index], step=step)
                if index < len(progress.holdout_losses):
                    tf.summary.scalar("held_out_accuracy", progress.holdout_accuracies[index], step=step)
                    tf.summary.scalar("held_out_loss", progress.holdout_losses[index], step=step)
            self._scores_written = len(progress.eval_steps)
            if progress.done:
                self._writer.flush()

    def close(self, model=None) -> None:
        """Write `model`'s forward graph (when given), and flush and close the event file."""
        tf = self._tf
        with self._lock:
            if model is not None:
                signature = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)
                graph = tf.function(model).get_concrete_function(signature).graph
                with self._writer.as_default():
                    tf.summary.graph(graph)
            self._writer.close()
