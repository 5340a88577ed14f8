"""The CLI's `train --tensorboard DIR`: event files a person opens with `tensorboard --logdir DIR`."""

from __future__ import annotations

from nextword.cli import main
from tests.conftest import FABLE_PATH


def test_train_with_tensorboard_writes_every_steps_loss_and_the_graph(tmp_path, capsys):
    from nextword.training.tensorflow_runtime import import_tensorflow

    tf = import_tensorflow()
    logs = tmp_path / "logs"
    arguments = ["train", str(FABLE_PATH), "--steps", "20", "--units", "16", "--quiet"]
    assert main([*arguments, "--tensorboard", str(logs), "--out", str(tmp_path / "run")]) == 0
    assert "Saved the run" in capsys.readouterr().out
    losses, graphs = {}, 0
    for events in (logs / "train").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(events)):
            graphs += bool(event.graph_def)
            for value in event.summary.value:
                if value.tag == "loss":
                    losses[event.step] = float(tf.make_ndarray(value.tensor))
    assert sorted(losses) == list(range(1, 21)), "one loss point per step"
    assert all(loss > 0 for loss in losses.values())
    assert graphs == 1
