"""The lazy TensorFlow access: what importing it sets up for hosts like Streamlit."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from types import SimpleNamespace

import pytest

from nextword.training import tensorflow_runtime
from nextword.training.registry import live_registries
from nextword.training.tensorflow_runtime import (
    TRAINING_THREAD_NAME,
    guard_clear_session,
    import_keras,
    keras_work,
)


def test_tensorflow_objects_are_kept_out_of_full_collections():
    """TensorFlow's import-time objects are frozen, so the collections Keras and Streamlit force are cheap."""
    import_keras()
    assert gc.get_freeze_count() > 100_000
    made_later = [[index] for index in range(1000)]
    assert any(gc.is_tracked(item) for item in made_later), "objects made later are still collected"


def _wait_until_nothing_trains(seconds: float = 60) -> None:
    """Runs and spare models left by earlier tests end first: this test needs to know what is alive."""
    deadline = time.monotonic() + seconds
    while any(thread.name == TRAINING_THREAD_NAME for thread in threading.enumerate()):
        assert time.monotonic() < deadline, "an earlier test left a run training"
        time.sleep(0.05)
    for registry in live_registries():
        assert registry.spares.wait_idle(seconds), "a spare model an earlier page asked for is still built"


def test_clear_session_waits_while_a_run_trains_and_works_otherwise(monkeypatch):
    keras = import_keras()
    monkeypatch.setattr(tensorflow_runtime, "CLEAR_SESSION_SECONDS", 0.0)
    _wait_until_nothing_trains()
    keras.backend.clear_session()  # nothing trains: the host's call goes through

    # The real clear_session resets layer-name counters: a new layer is named from 1 again.
    keras.layers.Dense(1)
    keras.backend.clear_session()
    assert keras.layers.Dense(1).name == "dense"

    release = threading.Event()
    trainer = threading.Thread(target=release.wait, name=TRAINING_THREAD_NAME, daemon=True)
    trainer.start()
    try:
        keras.layers.Dense(1)  # "dense_1" now
        keras.backend.clear_session()  # skipped: a run is training
        assert keras.layers.Dense(1).name != "dense"
    finally:
        release.set()
        trainer.join(5)
    keras.backend.clear_session()
    assert keras.layers.Dense(1).name == "dense"


def test_keras_work_and_a_hosts_clear_session_take_turns(monkeypatch):
    """A clear already under way finishes before a run builds its model; during the run it is skipped.

    Streamlit clears Keras from a tab's script thread right after telling the tab its run is over,
    so another tab's Train can be starting a run at that very moment.
    """
    _wait_until_nothing_trains()
    monkeypatch.setattr(tensorflow_runtime, "CLEAR_SESSION_SECONDS", 0.0)
    clear_began, let_clear_end = threading.Event(), threading.Event()
    order: list[str] = []

    def slow_clear_session():
        order.append("clear begins")
        clear_began.set()
        let_clear_end.wait(5)
        order.append("clear ends")

    host_keras = SimpleNamespace(backend=SimpleNamespace(clear_session=slow_clear_session))
    guard_clear_session(host_keras)
    clearing = threading.Thread(target=host_keras.backend.clear_session)
    clearing.start()
    assert clear_began.wait(5)
    work_began = threading.Event()

    def run_work():
        with keras_work():
            order.append("work begins")
            work_began.set()

    worker = threading.Thread(target=run_work)
    worker.start()
    assert not work_began.wait(0.3), "the run waits for the clear under way"
    let_clear_end.set()
    worker.join(5)
    clearing.join(5)
    assert order == ["clear begins", "clear ends", "work begins"]

    with keras_work():
        host_keras.backend.clear_session()  # skipped: Keras work is under way
    assert order.count("clear begins") == 1
    host_keras.backend.clear_session()  # nothing under way: it clears again
    assert order.count("clear begins") == 2


def test_a_hosts_clear_session_goes_through_at_most_once_a_while(monkeypatch):
    """Streamlit clears after every script run of every tab: each clear collects all garbage."""
    _wait_until_nothing_trains()
    now = [1000.0]
    clears: list[float] = []
    clear = lambda: clears.append(now[0])  # noqa: E731 - the host's own clear_session
    host_keras = SimpleNamespace(backend=SimpleNamespace(clear_session=clear))
    guard_clear_session(host_keras, clock=lambda: now[0])
    for _ in range(5):
        host_keras.backend.clear_session()
        now[0] += tensorflow_runtime.CLEAR_SESSION_SECONDS / 10
    assert len(clears) == 1, "the calls within CLEAR_SESSION_SECONDS of a clear do nothing"
    now[0] += tensorflow_runtime.CLEAR_SESSION_SECONDS
    host_keras.backend.clear_session()
    assert len(clears) == 2, "once the interval is over, the next call clears"


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
