"""The lazy TensorFlow access: what importing it sets up for hosts like Streamlit."""

from __future__ import annotations

import gc
import os
import sys

import pytest

from nextword.training import tensorflow_runtime
from nextword.training.tensorflow_runtime import import_keras


def test_tensorflow_objects_are_kept_out_of_full_collections():
    """TensorFlow's import-time objects are frozen, so Python's full collections stay cheap."""
    import_keras()
    assert gc.get_freeze_count() > 100_000
    made_later = [[index] for index in range(1000)]
    assert any(gc.is_tracked(item) for item in made_later), "objects made later are still collected"


def test_preloading_in_the_background_happens_once_and_leaves_tensorflow_loaded():
    first = tensorflow_runtime.preload_in_background()
    assert tensorflow_runtime.preload_in_background() is first, "one import thread per process"
    first.join(120)
    assert not first.is_alive() and tensorflow_runtime.is_loaded()


_PRIORITY_SCRIPT = """
import json, os, threading
from pathlib import Path
from nextword.config import ModelConfig, TrainConfig
from nextword.text.corpus import load_story
from nextword.text.dataset import prepare_training_data
from nextword.training.run import TrainingRun

def niceness():
    values = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        values.setdefault(name, []).append(int(fields[16]))
    return values

model_config = ModelConfig(n_input=2, units=8, embedding_dim=4)
data = prepare_training_data(load_story("the cat sat on the mat . the dog sat on the log ."), model_config)
run = TrainingRun(data, model_config, TrainConfig(steps=20, batch_size=8, stop_when_learned=False))
seen = []
run.add_listener(lambda _: seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
run.start()
print(json.dumps({"status": run.wait(120).status, "listener": sorted(set(seen)), "threads": niceness()}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_tensorflow_computes_at_low_priority_while_the_thread_holding_python_does_not():
    """In a fresh process (as the page's and the CLI's): TensorFlow's compute pool runs niced, the
    training thread (which holds Python's lock between steps; its listener runs there) does not."""
    import json
    import subprocess

    from tests.conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-c", _PRIORITY_SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == "finished"
    assert set(seen["threads"]["tf_Compute"]) == {tensorflow_runtime.TRAINING_NICENESS}, seen["threads"]
    assert seen["listener"] == [os.getpriority(os.PRIO_PROCESS, 0)], seen
