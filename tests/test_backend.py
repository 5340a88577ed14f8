"""The lazy TensorFlow access: what importing it sets up for hosts like Streamlit."""

from __future__ import annotations

import gc
import threading
import time

from nextword.backend import TRAINING_THREAD_NAME, import_keras


def test_tensorflow_objects_are_kept_out_of_full_collections():
    """TensorFlow's import-time objects are frozen, so the collections Keras and Streamlit force are cheap."""
    import_keras()
    assert gc.get_freeze_count() > 100_000
    made_later = [[index] for index in range(1000)]
    assert any(gc.is_tracked(item) for item in made_later), "objects made later are still collected"


def _wait_until_nothing_trains(seconds: float = 60) -> None:
    """Runs left by earlier tests end first: this test needs to know which training thread is alive."""
    deadline = time.monotonic() + seconds
    while any(thread.name == TRAINING_THREAD_NAME for thread in threading.enumerate()):
        assert time.monotonic() < deadline, "an earlier test left a run training"
        time.sleep(0.05)


def test_clear_session_waits_while_a_run_trains_and_works_otherwise():
    keras = import_keras()
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
