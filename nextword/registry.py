"""The process-wide run registry: identical requests share one run, and the machine is not overrun.

Runs are keyed by the story's digest, the settings and the seed. At most `max_running` train at
once (the others wait in a queue whose place each run knows); at most `max_kept` finished runs are
kept, the least recently used leaving first. The page holds one registry in `st.cache_resource`;
this module knows nothing of Streamlit.

Who may stop a shared run: anyone watching it. A class shares runs so that thirty identical
Train presses cost one run; a student who stops it stops it for everyone watching, who then see
"stopped" and can press Continue.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable

from nextword.config import ModelConfig, TrainConfig
from nextword.corpus import Story
from nextword.training import FAILED, QUEUED, RUNNING, STOPPING, TrainingSession


def run_key(story: Story, model_config: ModelConfig, train_config: TrainConfig) -> str:
    """A short digest naming a run: the same story, settings and seed give the same key."""
    payload = json.dumps(
        {"story": story.digest, "model": model_config.to_dict(), "train": train_config.to_dict()},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


def _needs_replacing(session: TrainingSession) -> bool:
    progress = session.progress()
    return progress.status == FAILED or (progress.done and not progress.has_weights)


# Every registry alive in this process, so a host can stop all runs at exit without holding one.
_live_registries: weakref.WeakSet = weakref.WeakSet()


def live_registries() -> list[RunRegistry]:
    """The registries alive in this process (a host's cache may hold one out of reach).

    Tests used `gc.get_objects()` for this; that hands out tuples other threads are still building,
    and a training thread then failed with "SystemError: bad argument to internal function".
    """
    return list(_live_registries)


class RunRegistry:
    """Maps run keys to `TrainingSession`s, with a training cap, a queue and an LRU of finished runs."""

    def __init__(self, max_running: int = 2, max_kept: int = 8):
        if max_running < 1 or max_kept < 1:
            raise ValueError("max_running and max_kept must be at least 1.")
        self.max_running = max_running
        self.max_kept = max_kept
        self._lock = threading.RLock()
        self._sessions: OrderedDict[str, TrainingSession] = OrderedDict()
        self._queue: list[str] = []
        _live_registries.add(self)

    def get(self, key: str) -> TrainingSession | None:
        """The run with this key, if kept (marks it recently used)."""
        with self._lock:
            session = self._sessions.get(key)
            if session is not None:
                self._sessions.move_to_end(key)
            return session

    def sessions(self) -> dict[str, TrainingSession]:
        with self._lock:
            return dict(self._sessions)

    def get_or_start(self, key: str, factory: Callable[[], TrainingSession]) -> tuple[TrainingSession, bool]:
        """Attach to the run with `key`, or create it with `factory` and start or queue it.

        Returns the session and whether it was created now.
        """
        with self._lock:
            existing = self.get(key)
            if existing is not None and not _needs_replacing(existing):
                return existing, False
            # A failed run, or one stopped before it learned anything, is retried by a new run.
            session = factory()
            session.on_done = self._on_session_done
            self._sessions[key] = session
            self._queue.append(key)
            self._schedule()
            self._evict()
            return session, True

    def continue_run(self, key: str, extra_steps: int) -> TrainingSession:
        """Train a kept run for `extra_steps` more (queued if all slots are busy)."""
        with self._lock:
            session = self._sessions[key]
            session.continue_training(extra_steps, start=False)
            self._sessions.move_to_end(key)
            self._queue.append(key)
            self._schedule()
            return session

    def running_count(self) -> int:
        with self._lock:
            return sum(
                1 for session in self._sessions.values() if session.progress().status in (RUNNING, STOPPING)
            )

    def stop_all(self, timeout: float = 10.0) -> None:
        """Stop every run and wait for the threads (tests and shutdown)."""
        with self._lock:
            sessions = list(self._sessions.values())
            self._queue.clear()
        for session in sessions:
            session.stop()
        for session in sessions:
            session.wait(timeout)

    def _on_session_done(self, session: TrainingSession) -> None:
        with self._lock:
            self._schedule()
            self._evict()

    def _schedule(self) -> None:
        """Start queued runs while slots are free; tell the rest their place."""
        running = sum(
            1 for session in self._sessions.values() if session.progress().status in (RUNNING, STOPPING)
        )
        still_queued = []
        for key in self._queue:
            session = self._sessions.get(key)
            if session is None or session.progress().status != QUEUED:
                continue
            if running < self.max_running:
                session.start()
                running += 1
            else:
                still_queued.append(key)
        self._queue = still_queued
        for position, key in enumerate(still_queued, start=1):
            self._sessions[key].set_queue_position(position)

    def _evict(self) -> None:
        """Drop the least recently used finished runs beyond `max_kept` (never an active one)."""
        finished = [key for key, session in self._sessions.items() if session.progress().done]
        for key in finished[: max(0, len(finished) - self.max_kept)]:
            session = self._sessions.pop(key)
            session.model = None  # release the weights now, not when the last page lets go
