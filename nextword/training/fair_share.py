"""The fair-share policy: who asked for which run, what a requester may ask for, and why not.

A request is what one person asked for with one click: a Train (one run) or an experiment (its
variants, which queue together and count once). `RequestBook` keeps each run's requesters and each
requester's requests, and decides what a new request replaces or why it is refused, in sentences
with the wait estimated from the runs' own speeds. No threads, no TensorFlow, no Streamlit.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from nextword.errors import ServerBusyError, ShareUsedError
from nextword.training.progress import Status, TrainingProgress

MAX_PER_REQUESTER = 2  # requests one tab may have training or waiting at once
MAX_WAITING = 12  # runs the queue holds before the server says it is busy


Request = tuple[str, ...]  # one click's runs: their keys, in the order they were asked for


@dataclass(frozen=True)
class Granted:
    """What a request got: a run per key (and whether it was created now), and what it replaced.

    `replaced` holds the keys of the requester's oldest waiting request, which this one took the
    place of (empty when the requester had room).
    """

    runs: tuple
    created: tuple[bool, ...]
    replaced: tuple[str, ...] = ()


def remaining_seconds(progress: TrainingProgress, steps_per_second: float | None) -> float | None:
    """Seconds a run needs to train its remaining steps at `steps_per_second` (None if unknown)."""
    if not steps_per_second:
        return None
    return max(0, progress.total_steps - progress.step) / steps_per_second


def seconds_until_start(
    running: Sequence[TrainingProgress], waiting: Sequence[TrainingProgress], slots: int
) -> float | None:
    """When a run joining the end of the queue would start, from the runs' measured speeds.

    Each training run frees its slot when its remaining steps are done at its own speed; each
    waiting run then takes the first free slot for its steps at the training runs' mean speed.
    None when a training run has not measured its speed yet, or when none trains.
    """
    speeds = [progress.steps_per_second for progress in running]
    if not speeds or not all(speeds):
        return None
    mean_speed = sum(speeds) / len(speeds)
    free_at = [remaining_seconds(progress, progress.steps_per_second) for progress in running]
    free_at += [0.0] * max(0, slots - len(free_at))
    heapq.heapify(free_at)
    for progress in waiting:
        start = heapq.heappop(free_at)
        heapq.heappush(free_at, start + remaining_seconds(progress, mean_speed))
    return free_at[0]


def in_words(seconds: float) -> str:
    """A wait as people say it: "about 40 seconds", "about 3 minutes", "about 2 hours"."""
    if seconds < 90:
        return f"about {max(10, round(seconds / 10) * 10)} seconds"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} minutes"
    return f"about {round(seconds / 3600)} hours"


def busy_sentence(waiting: int, start_seconds: float | None) -> str:
    """Why a request was refused when the queue is full, with when it would start if known."""
    runs = "1 run waits" if waiting == 1 else f"{waiting} runs wait"
    when = f"; yours would start in {in_words(start_seconds)}" if start_seconds is not None else ""
    return (
        f"The server is busy: {runs}{when}. Press Train again later, or choose settings someone already "
        "trains (identical settings share one run)."
    )


def share_sentence(share: int) -> str:
    """Why a request was refused when all of the requester's runs train (none waits to replace)."""
    runs = "1 run" if share == 1 else f"{share} runs"
    return (
        f"This tab already has {runs} training, the most one tab may have at once so that everyone "
        "in the room gets a turn. Press Train again when one of them has finished."
    )


StatusOf = Callable[[str], "Status | None"]  # a run key's status, None when the run is not kept


class RequestBook:
    """Each run's requesters and each requester's requests, oldest first.

    Not thread-safe on its own: the registry calls it with its lock held. It reads the runs'
    statuses through `status_of`, so it never holds a run.
    """

    def __init__(self, status_of: StatusOf, max_per_requester: int, max_waiting: int):
        self.status_of = status_of
        self.max_per_requester = max_per_requester
        self.max_waiting = max_waiting
        self._watchers: dict[str, set[Hashable]] = {}
        self._requests: dict[Hashable, list[Request]] = {}

    def watchers(self, key: str) -> frozenset:
        return frozenset(self._watchers.get(key, ()))

    def others(self, key: str, requester: Hashable | None) -> frozenset:
        """Who else asked for this run."""
        return self.watchers(key) - {requester}

    def add(self, requester: Hashable, keys: Sequence[str], counts: bool) -> None:
        """The requester asked for these runs (as one request that `counts` toward its share)."""
        for key in keys:
            self._watchers.setdefault(key, set()).add(requester)
        if counts and keys:
            self._requests.setdefault(requester, []).append(tuple(keys))

    def leave(self, key: str, requester: Hashable | None) -> None:
        self._watchers.get(key, set()).discard(requester)

    def forget(self, key: str) -> None:
        """No one asks for this run any more (it stopped for everyone, was replaced or dropped)."""
        self._watchers.pop(key, None)

    def asks_for(self, requester: Hashable, key: str) -> bool:
        """Whether the requester asked for this run and it is still training or waiting."""
        status = self.status_of(key)
        return requester in self._watchers.get(key, ()) and status is not None and status.active

    def to_replace(self, requester: Hashable) -> Request:
        """The request a new one takes the place of: none (empty) while the share has room, else
        the oldest whose runs all wait; `ShareUsedError` when every one of them trains."""
        # Only the requests with a run the requester still asks for, training or waiting, count.
        requests = [
            request
            for request in self._requests.pop(requester, [])
            if any(self.asks_for(requester, key) for key in request)
        ]
        if requests:
            self._requests[requester] = requests
        if len(requests) < self.max_per_requester:
            return ()
        for request in requests:
            asked = [key for key in request if self.asks_for(requester, key)]
            if all(self.status_of(key) == Status.QUEUED for key in asked):
                return request
        raise ShareUsedError(share_sentence(self.max_per_requester))

    def drop(self, requester: Hashable, request: Request) -> None:
        """The requester no longer counts this request (it was replaced)."""
        requests = self._requests.get(requester, [])
        if request in requests:
            requests.remove(request)

    def check_queue(
        self, training: Sequence[TrainingProgress], waiting: Sequence[TrainingProgress], slots: int, adds: int
    ) -> None:
        """`ServerBusyError` if `adds` more waiting runs would overfill the queue."""
        if adds > 0 and len(waiting) + adds > self.max_waiting:
            raise ServerBusyError(busy_sentence(len(waiting), seconds_until_start(training, waiting, slots)))
