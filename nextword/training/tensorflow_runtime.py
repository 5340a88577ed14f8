"""Lazy access to TensorFlow and Keras.

`import tensorflow` costs seconds, so nothing imports it at module level: the page must paint
before it is loaded. The first call here imports it once, quiets its start-up logging and turns
on op determinism (same seed, same run).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
import threading

_import_lock = threading.Lock()
_configured = False


@contextlib.contextmanager
def _quiet_native_stderr():
    """Silence what TensorFlow's C++ start-up writes straight to file descriptor 2: its absl banner
    ("I0000 ... oneDNN custom operations are on") ignores TF_CPP_MIN_LOG_LEVEL."""
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (some embedded hosts): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


TRAINING_THREAD_NAME = "nextword-training"
# The nice value of training threads (0 normal, 19 lowest): pages and their readers come first.
TRAINING_NICENESS = 10


def import_keras():
    """Return the `keras` module, importing and configuring TensorFlow on first use."""
    global _configured
    with _import_lock:
        if not _configured:
            # Quiet the C++ start-up banner (CPU features, missing CUDA) that alarms users.
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
            os.environ.setdefault("KERAS_BACKEND", "tensorflow")
            with _quiet_native_stderr():
                import tensorflow as tf

                # The first device query prints CUDA probing noise on machines without a GPU.
                tf.config.list_physical_devices("GPU")
            tf.get_logger().setLevel("ERROR")
            try:
                from threadpoolctl import threadpool_limits

                # One thread for numpy's BLAS: more would fight TensorFlow's for the cores, and the
                # predictor's products (it scores while runs train) are small enough for one.
                threadpool_limits(limits=1, user_api="blas")
            except ImportError:  # optional: without it numpy keeps its own thread count
                pass
            import keras

            # Same story, settings and seed must give the same loss curve and predictions.
            tf.config.experimental.enable_op_determinism()
            # Keep the cyclic garbage collector off the few hundred thousand objects TensorFlow
            # imports: they live as long as the process, yet every full collection would walk them
            # with the GIL held, stalling training and every tab. Only what exists now is exempt.
            gc.collect()
            gc.freeze()
            _configured = True
        import keras

        return keras


_preload_lock = threading.Lock()
_preload_thread: threading.Thread | None = None


def preload_in_background() -> threading.Thread:
    """Start importing TensorFlow and Keras in a daemon thread (once per process); return it.

    A host calls this once its first page is on screen, so that the first Train finds TensorFlow
    loaded. A failed import is logged here and raised again when a run needs Keras.
    """
    global _preload_thread
    with _preload_lock:
        if _preload_thread is None:
            _preload_thread = threading.Thread(target=_preload, name="nextword-preload", daemon=True)
            _preload_thread.start()
        return _preload_thread


def _preload() -> None:
    try:
        import_keras()
        start_compute_pools()
    except Exception:  # noqa: BLE001 - the run that needs Keras reports the failure to the person
        logging.getLogger(__name__).exception("Loading TensorFlow in the background failed.")


def is_loaded() -> bool:
    """Whether TensorFlow is imported and configured in this process."""
    return _configured


def import_tensorflow():
    """Return the `tensorflow` module (configured as in `import_keras`)."""
    import_keras()
    import tensorflow as tf

    return tf


def device_description() -> str:
    """Which devices TensorFlow trains on, for the benchmark and the CLI."""
    tf = import_tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return f"{len(gpus)} GPU(s): " + ", ".join(gpu.name for gpu in gpus)
    return f"CPU ({os.cpu_count()} cores)"


_pools_lock = threading.Lock()
_pools_started = False


def start_compute_pools() -> None:
    """Start TensorFlow's compute threads at a lower CPU priority, once per process.

    A page must answer a click within about a second while runs train on the same cores: the
    arithmetic of training can wait, and with nothing else to do it still gets every core.
    TensorFlow's pools inherit the priority of the thread that first runs an op, so a short-lived
    thread of low priority runs it (on Linux, where a nice value is per thread). The training
    threads keep the usual priority: they hold Python's lock between steps, and a starved holder of
    it would stall the page's own threads.
    """
    global _pools_started
    with _pools_lock:
        if _pools_started:
            return
        tf = import_tensorflow()

        def first_op() -> None:
            if sys.platform.startswith("linux"):  # elsewhere a nice value names a process
                try:
                    thread_id = threading.get_native_id()
                    niceness = max(os.getpriority(os.PRIO_PROCESS, thread_id), TRAINING_NICENESS)
                    os.setpriority(os.PRIO_PROCESS, thread_id, niceness)
                except (AttributeError, OSError):  # a sandbox may forbid it: train at the usual priority
                    logging.getLogger(__name__).info("Could not lower TensorFlow's thread priority.")
            tf.reduce_sum(tf.ones((8, 8)) @ tf.ones((8, 8))).numpy()

        starter = threading.Thread(target=first_op, name="nextword-pools", daemon=True)
        starter.start()
        starter.join()
        _pools_started = True
