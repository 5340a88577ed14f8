"""TensorBoard logs of a run: Keras' own callback, for `python -m nextword train --tensorboard DIR`."""

from __future__ import annotations

from collections.abc import Callable

from nextword.training.tensorflow_runtime import import_keras


def tensorboard_callbacks(log_dir: str | None) -> Callable[[], list] | None:
    """A factory of Keras' TensorBoard callback writing to `log_dir` (None without a folder)."""
    if not log_dir:
        return None

    def callbacks() -> list:
        keras = import_keras()
        # One point per fit chunk (up to 1,000 steps) of loss and accuracy, and the model's graph.
        return [keras.callbacks.TensorBoard(log_dir=log_dir, write_graph=True, update_freq="epoch")]

    return callbacks
