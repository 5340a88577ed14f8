"""Timestamps from inside the Streamlit server, for part 4 of the benchmark (not used otherwise).

`bench/page_measurements.py` starts `streamlit run` with this folder on PYTHONPATH and
NEXTWORD_BENCH_PROBE set to a file; Python then imports this module at start-up, which wraps a few
library methods (the library itself is not changed) to append "wall-time event" lines to that
file: when a run starts, when its model is built (the step tracker exists), when its first step
is recorded, when its first snapshot with a step is published, and the step of every snapshot.
With the browser's own times this splits "Train → first chart point" into its parts. The wrapping
happens when the page itself first imports `nextword.training` (an import hook), so the server
starts and paints as it would.
"""

import importlib.abc
import importlib.util
import os
import sys
import threading
import time

_PROBE_PATH = os.environ.get("NEXTWORD_BENCH_PROBE")


def _install(training) -> None:

    lock = threading.Lock()

    def note(event: str, session, step: int = -1) -> None:
        with lock, open(_PROBE_PATH, "a", encoding="utf-8") as probe:
            probe.write(f"{time.time():.4f} {event} {id(session)} {step}\n")

    session_class, tracker_class = training.TrainingSession, training._StepTracker
    original_start, original_init = session_class.start, tracker_class.__init__
    original_on_batch_end, original_publish = tracker_class.on_batch_end, tracker_class.publish

    def start(session):
        note("start", session)
        return original_start(session)

    def init(tracker, session, *arguments, **keywords):
        original_init(tracker, session, *arguments, **keywords)
        note("built", session)

    def on_batch_end(tracker, batch_index, logs):
        if tracker.step == tracker.first_step:  # the first step's logs have just arrived
            note("first_step", tracker.session)
        return original_on_batch_end(tracker, batch_index, logs)

    def publish(tracker):
        original_publish(tracker)
        if not getattr(tracker, "_bench_published", False) and tracker.step > tracker.first_step:
            tracker._bench_published = True
            note("first_publish", tracker.session)
        # Every snapshot (about ten a second): the training rate, measured on the server's side.
        note("progress", tracker.session, tracker.step)

    session_class.start = start
    tracker_class.__init__ = init
    tracker_class.on_batch_end = on_batch_end
    tracker_class.publish = publish


class _WrapAfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself; when `nextword.training` is imported, wraps it right after it runs."""

    def find_spec(self, name, path=None, target=None):
        if name != "nextword.training":
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module):
            original_exec(module)
            try:
                _install(module)
            except Exception as error:  # noqa: BLE001 - a probe must never stop the server
                print(f"nextword bench probe not installed: {error}", file=sys.stderr)

        loader.exec_module = exec_module
        return spec


if _PROBE_PATH:
    sys.meta_path.insert(0, _WrapAfterImport())
