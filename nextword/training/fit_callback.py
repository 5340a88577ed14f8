"""The Keras callback that hands each finished training step to a run's `StepTracker`.

Importing this module imports TensorFlow (seconds), so the run imports it only when it trains.
"""

from __future__ import annotations

import threading

from nextword.training.tensorflow_runtime import import_keras
from nextword.training.tracker import StepTracker

keras = import_keras()


class ProgressCallback(keras.callbacks.Callback):
    """Feeds every step's logs to a tracker, in step order, and stops training when it says so.

    Args:
        tracker: the `StepTracker` of the stretch of training under way.
    """

    # Keras runs an `async_safe` callback in a worker pool, where reading a step's logs waits for
    # that step alone while the training loop goes on; reading them in the loop itself would stall
    # TensorFlow's pipeline every step. Calls may then arrive out of order, so steps reach the
    # tracker strictly in order.
    async_safe = True

    def __init__(self, tracker: StepTracker):
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
