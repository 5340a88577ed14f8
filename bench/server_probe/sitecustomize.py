"""Timestamps from inside the Streamlit server, for the benchmark's part 4 and the class test.

`bench/page_measurements.py` starts `streamlit run` with this folder on PYTHONPATH and
NEXTWORD_BENCH_PROBE set to a file; Python then imports this module at start-up, which wraps a few
library methods (the library itself is not changed) to append "wall-time event" lines to that
file: when a run starts, when its model is built (the step tracker exists), when its first step
is recorded, when its first snapshot with a step is published, and the step of every snapshot;
and, in Streamlit's sessions, when a browser asks for a script run and when each run stops.
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


def _install_streamlit(app_session_module) -> None:
    """Log when a browser asks a session for a script run, and when the session's runs stop.

    From these, `tests/test_classroom.py` tells how long the server took to answer each click
    (request → script stopped), apart from the time a busy browser takes to draw the answer.
    """
    session_class = app_session_module.AppSession
    original_request, original_event = session_class.request_rerun, session_class._on_scriptrunner_event
    lock = threading.Lock()

    def write(event: str, session_id: str, detail: str) -> None:
        with lock, open(_PROBE_PATH, "a", encoding="utf-8") as probe:
            probe.write(f"{time.time():.4f} {event} {session_id} {detail}\n")

    def request_rerun(session, client_state):
        fragment = getattr(client_state, "fragment_id", "") if client_state is not None else ""
        write("rerun_request", session.id, fragment or "-")
        return original_request(session, client_state)

    def on_scriptrunner_event(session, sender, event, *arguments, **keywords):
        name = str(getattr(event, "name", event)).lower()
        if name.startswith("script_stopped") or name.startswith("fragment_stopped"):
            write(name, session.id, "-")
        return original_event(session, sender, event, *arguments, **keywords)

    session_class.request_rerun = request_rerun
    session_class._on_scriptrunner_event = on_scriptrunner_event


_INSTALLERS = {"nextword.training": _install, "streamlit.runtime.app_session": _install_streamlit}


class _WrapAfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself; when a watched module is imported, wraps it right after it runs."""

    def find_spec(self, name, path=None, target=None):
        install = _INSTALLERS.get(name)
        if install is None:
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
                install(module)
            except Exception as error:  # noqa: BLE001 - a probe must never stop the server
                print(f"nextword bench probe not installed in {name}: {error}", file=sys.stderr)

        loader.exec_module = exec_module
        return spec


if _PROBE_PATH:
    sys.meta_path.insert(0, _WrapAfterImport())
