"""The process-wide run registry: identical requests share one run, and the machine is not overrun.

Runs are keyed by the story's digest, the settings and the seed, so thirty identical Train presses
cost one run. At most `max_running` train at once (the others wait in a queue whose place each run
knows); at most `max_kept` finished runs are kept, the least recently used leaving first. The
registry owns the pool of spare models (`spare_models`) its runs start from.

The machine is shared fairly (`fair_share`): each requester (a browser tab) may have
`max_per_requester` requests training or waiting, its newest replacing its oldest waiting one; an
experiment's variants are one request; a request that would make more than `max_waiting` runs wait
is refused in words. A requester's Stop stops a run only when no one else asked for it (or when
asked to stop it for everyone). A caller without a requester (the CLI, the bench) is held by none
of this. Nothing here knows about Streamlit.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import RunGoneError, SettingsError
from nextword.text.corpus import Story
from nextword.text.dataset import TrainingData
from nextword.training.fair_share import MAX_PER_REQUESTER, MAX_WAITING, Granted, RequestBook
from nextword.training.progress import Status
from nextword.training.run import TrainingRun
from nextword.training.spare_models import SparePool


def run_key(story: Story, model_config: ModelConfig, train_config: TrainConfig) -> str:
    """A short digest naming a run: the same story, settings and seed give the same key."""
    payload = json.dumps(
        {"story": story.digest, "model": model_config.to_dict(), "train": train_config.to_dict()},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


Factory = Callable[[Callable[[TrainingRun], None]], TrainingRun]
TRAINING = (Status.RUNNING, Status.STOPPING)
ACTIVE = (Status.QUEUED, *TRAINING)


# Every registry alive in this process, so a host can stop all runs at exit without holding one.
_live_registries: weakref.WeakSet = weakref.WeakSet()


def live_registries() -> list[RunRegistry]:
    """The registries alive in this process (a host's cache may hold one out of reach).

    Tests and hosts stop every run with it: `gc.get_objects()` would hand out tuples that other
    threads are still building, which breaks those threads.
    """
    return list(_live_registries)


class RunRegistry:
    """Maps run keys to `TrainingRun`s, with a training cap, a queue and an LRU of finished runs.

    `spares` is the pool of spare models its runs start from (a new, empty one if None).
    """

    def __init__(
        self,
        max_running: int = 2,
        max_kept: int = 8,
        spares: SparePool | None = None,
        max_per_requester: int = MAX_PER_REQUESTER,
        max_waiting: int = MAX_WAITING,
    ):
        if max_running < 1 or max_kept < 1 or max_per_requester < 1 or max_waiting < 0:
            raise SettingsError(
                "max_running, max_kept and max_per_requester must be at least 1, max_waiting at least 0."
            )
        self.max_running = max_running
        self.max_kept = max_kept
        self.requests = RequestBook(self._status_of, max_per_requester, max_waiting)
        self.spares = spares if spares is not None else SparePool()
        self._lock = threading.RLock()
        self._runs: OrderedDict[str, TrainingRun] = OrderedDict()
        self._queue: list[str] = []
        _live_registries.add(self)

    def get(self, key: str) -> TrainingRun | None:
        """The run with this key, if kept (marks it recently used)."""
        with self._lock:
            run = self._runs.get(key)
            if run is not None:
                self._runs.move_to_end(key)
            return run

    def runs(self) -> dict[str, TrainingRun]:
        with self._lock:
            return dict(self._runs)

    def get_or_start(
        self, key: str, factory: Factory, requester: Hashable | None = None
    ) -> tuple[TrainingRun, bool]:
        """The run with `key`, or a new one made by `factory(on_done)` and started or queued, and
        whether it was made now: `request_runs` for one run."""
        granted = self.request_runs([(key, factory)], requester)
        return granted.runs[0], granted.created[0]

    def request_runs(
        self, items: Sequence[tuple[str, Factory]], requester: Hashable | None = None
    ) -> Granted:
        """Get or start a run per (key, factory), as one request of `requester` (all or none).

        A request that costs nothing (every run kept and done, or asked for by this requester
        already) is never refused. Otherwise, with the requester's share used, its oldest waiting
        request is left (`Granted.replaced`), or `ShareUsedError` says that all of its runs train;
        and `ServerBusyError` says when the queue is full.
        """
        with self._lock:
            keys = list(dict.fromkeys(key for key, _ in items))
            asked = [key for key in keys if not self.requests.asks_for(requester, key)]
            new_runs = sum(1 for key in asked if self._would_create(key))
            counts = requester is not None and (
                new_runs > 0 or any(self._status_of(key) in ACTIVE for key in asked)
            )
            replaced = self._admit(requester, new_runs) if counts else ()
            runs, created = [], []
            for key, factory in items:
                run = self.get(key)  # marks it recently used
                created.append(self._would_create(key))
                if created[-1]:
                    run = factory(self._on_run_done)
                    self._runs[key] = run
                    self.requests.forget(key)
                    self._queue.append(key)
                runs.append(run)
            if requester is not None:
                self.requests.add(requester, asked, counts)
            self._schedule()
            self._evict()
            return Granted(tuple(runs), tuple(created), replaced)

    def watchers(self, key: str) -> frozenset:
        """The requesters who asked for this run and have not stopped watching it."""
        with self._lock:
            return self.requests.watchers(key)

    def stop_ends_run(self, key: str, requester: Hashable | None) -> bool:
        """Whether `stop_for(key, requester)` would stop the run (no one else asked for it)."""
        with self._lock:
            return requester is None or not self.requests.others(key, requester)

    def stop_for(self, key: str, requester: Hashable | None = None, for_everyone: bool = False) -> bool:
        """The requester's Stop: the run stops if no one else asked for it, or `for_everyone`;
        else the requester stops watching it and it goes on for the others. True if it stopped."""
        with self._lock:
            run = self._runs.get(key)
            if run is None:
                return False
            if not (for_everyone or self.stop_ends_run(key, requester)):
                self.requests.leave(key, requester)
                return False
            self.requests.forget(key)
            run.stop()
            return True

    def prepare(self, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig) -> None:
        """Have a spare model of these settings built in the background, unless a run trains (its
        steps would slow). Even when a run of these settings is kept: the spare serves the next Train
        after a change its model does not depend on (more steps). Returns at once."""
        with self._lock:
            if any(progress.active for progress in self._progresses()):
                return
        self.spares.prepare_in_background(data, model_config, train_config)

    def continue_run(self, key: str, extra_steps: int, requester: Hashable | None = None) -> TrainingRun:
        """Train a kept run for `extra_steps` more (queued if all slots are busy)."""
        return self.continue_for(key, extra_steps, requester).runs[0]

    def continue_for(self, key: str, extra_steps: int, requester: Hashable | None = None) -> Granted:
        """`continue_run` as a request of `requester`, under the fair share (see `request_runs`)."""
        with self._lock:
            run = self._runs.get(key)
            if run is None:
                raise RunGoneError(
                    "This run is no longer kept on the server (it made room for newer runs), so it "
                    "cannot continue. Press Train to run these settings again."
                )
            progress = run.progress()
            can_continue = progress.status in (Status.FINISHED, Status.STOPPED) and run.model is not None
            replaced = self._admit(requester, new_runs=1) if requester is not None and can_continue else ()
            run.continue_training(extra_steps, start=False)  # says in words why it cannot, if it cannot
            if requester is not None:
                self.requests.add(requester, [key], counts=True)
            self._runs.move_to_end(key)
            self._queue.append(key)
            self._schedule()
            return Granted((run,), (False,), replaced)

    def stop_all(self, timeout: float = 10.0) -> None:
        """Stop every run and the spares' worker, and wait for their threads (tests and shutdown)."""
        with self._lock:
            runs = list(self._runs.values())
            self._queue.clear()
        for run in runs:
            run.stop()
        for run in runs:
            run.wait(timeout)
        self.spares.close(timeout)

    # ----- the fair share (called with the lock held) -----

    def _progresses(self) -> list:
        return [run.progress() for run in self._runs.values()]

    def _status_of(self, key: str) -> Status | None:
        run = self._runs.get(key)
        return run.progress().status if run is not None else None

    def _would_create(self, key: str) -> bool:
        """No run is kept for this key, or it failed or stopped before it learned anything: a new
        run retries it."""
        run = self._runs.get(key)
        if run is None:
            return True
        progress = run.progress()
        return progress.status == Status.FAILED or (progress.done and not progress.has_weights)

    def _admit(self, requester: Hashable, new_runs: int) -> tuple[str, ...]:
        """Make room for a request of `requester` that creates `new_runs` runs, or refuse it in
        words; returns the keys of the request it replaced."""
        oldest_waiting = self.requests.to_replace(requester)
        progresses = [self._runs[key].progress() for key in self._queue if key in self._runs]
        waiting = [progress for progress in progresses if progress.status == Status.QUEUED]
        training = [progress for progress in self._progresses() if progress.status in TRAINING]
        freed = sum(1 for key in oldest_waiting if not self.requests.others(key, requester))
        free_slots = max(0, self.max_running - len(training))
        adds = max(0, new_runs - free_slots) - freed
        self.requests.check_queue(training, waiting, self.max_running, adds)
        for key in oldest_waiting:
            self.stop_for(key, requester)
        self.requests.drop(requester, oldest_waiting)
        return oldest_waiting

    def _on_run_done(self, run: TrainingRun) -> None:
        with self._lock:
            self._schedule()
            self._evict()

    def _schedule(self) -> None:
        """Start queued runs while slots are free; tell the rest their place."""
        running = sum(1 for progress in self._progresses() if progress.status in TRAINING)
        still_queued = []
        for key in self._queue:
            run = self._runs.get(key)
            if run is None or run.progress().status != Status.QUEUED:
                continue
            if running < self.max_running:
                run.start(spares=self.spares)
                running += 1
            else:
                still_queued.append(key)
        self._queue = still_queued
        for position, key in enumerate(still_queued, start=1):
            self._runs[key].set_queue_position(position)

    def _evict(self) -> None:
        """Drop the least recently used finished runs beyond `max_kept` (never an active one)."""
        finished = [key for key, run in self._runs.items() if run.progress().done]
        for key in finished[: max(0, len(finished) - self.max_kept)]:
            run = self._runs.pop(key)
            self.requests.forget(key)
            run.model = None  # release the weights now, not when the last page lets go
