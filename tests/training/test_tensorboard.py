"""The run's extra-callbacks hook and the CLI's `train --tensorboard DIR` (issue 11, the model itself)."""

from __future__ import annotations

from nextword.cli import main
from nextword.training.run import TrainingRun
from tests.conftest import FABLE_PATH


def test_extra_callbacks_are_made_once_per_training_and_see_every_step(
    tiny_data, tiny_model_config, tiny_train_config
):
    import keras

    made, batches = [], []

    class CountBatches(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)

    def factory():
        made.append(1)
        return [CountBatches()]

    run = TrainingRun(tiny_data, tiny_model_config, tiny_train_config, extra_callbacks=factory)
    run.start()
    progress = run.wait(timeout=120)
    assert progress.step == tiny_train_config.steps
    assert made == [1]
    assert len(batches) == tiny_train_config.steps


def test_train_with_tensorboard_writes_keras_logs(tmp_path, capsys):
    logs = tmp_path / "logs"
    arguments = ["train", str(FABLE_PATH), "--steps", "20", "--units", "16", "--quiet"]
    assert main([*arguments, "--tensorboard", str(logs), "--out", str(tmp_path / "run")]) == 0
    events = list((logs / "train").glob("events.out.tfevents.*"))
    assert events and events[0].stat().st_size > 0
    assert "Saved the run" in capsys.readouterr().out
