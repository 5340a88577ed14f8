"""The Ray actors that hold the runs when the page runs as several replicas.

`RegistryActor` is one named, detached actor per cluster: it wraps today's `RunRegistry`, so the
policy (share by key, cap on runs training, queue places, least recently used dropped) is the
same code as in one process. Each run it keeps is a `TrainerActor` (its own process, with
TensorFlow) wrapping a `TrainingRun`; inside the registry a `TrainerProxy` stands for it, with the
methods the registry calls on a run. The replicas' side is `nextword.training.ray_backend`.
Imported only when a Ray address is set.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import ray

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import NextwordError
from nextword.text.corpus import Story
from nextword.text.dataset import prepare_training_data
from nextword.training.progress import Status, TrainingProgress
from nextword.training.registry import RunRegistry
from nextword.training.run import TrainingRun

logger = logging.getLogger(__name__)

WORKER_STOPPED = "The worker training this run stopped; press Train to start it again."
# The curves of a snapshot, which only grow while the run lives: a replica is sent their new points.
CURVES = (
    "losses",
    "batch_accuracies",
    "eval_steps",
    "eval_accuracies",
    "holdout_accuracies",
    "holdout_losses",
)
# Stories kept by the registry for runs and lesson links (each at most the story size cap).
MAX_STORIES = 32
# Seconds the registry waits for a trainer's answer before counting the worker as gone.
TRAINER_TIMEOUT = 30.0


def worker_stopped(progress: TrainingProgress | None = None) -> TrainingProgress:
    """The snapshot of a run whose trainer actor died: failed, with the sentence people see."""
    return dataclasses.replace(progress or TrainingProgress(), status=Status.FAILED, error=WORKER_STOPPED)


@ray.remote(max_concurrency=4)
class TrainerActor:
    """One run in its own process: a `TrainingRun` on a story, and what its replicas ask of it."""

    def __init__(
        self, key: str, story: Story, model_config: ModelConfig, train_config: TrainConfig, registry
    ):
        self.key = key
        self.registry = registry
        data = prepare_training_data(story, model_config, train_config.holdout)
        self.run = TrainingRun(data, model_config, train_config, on_done=self._done)

    def _done(self, run: TrainingRun) -> None:
        # Waited for, as in one process: once `wait()` returns, the registry has counted the run done.
        try:
            ray.get(self.registry.run_done.remote(self.key), timeout=TRAINER_TIMEOUT)
        except ray.exceptions.RayError:
            logger.exception("The registry was not told that run %s ended.", self.key)

    def status(self) -> TrainingProgress:
        """The latest snapshot without its curves (what the registry's policy reads)."""
        return dataclasses.replace(self.run.progress(), **{name: () for name in CURVES}, samples=())

    def progress_since(self, lengths: dict[str, int]) -> tuple[TrainingProgress, dict[str, int]]:
        """The latest snapshot with each curve cut to the points after `lengths`, and the full lengths."""
        progress = self.run.progress()
        full = {name: len(getattr(progress, name)) for name in CURVES}
        tails = {name: getattr(progress, name)[min(lengths.get(name, 0), full[name]) :] for name in CURVES}
        return dataclasses.replace(progress, **tails), full

    def start(self) -> None:
        self.run.start()

    def stop(self) -> None:
        self.run.stop()

    def continue_training(self, extra_steps: int) -> None:
        self.run.continue_training(extra_steps, start=False)

    def set_queue_position(self, position: int | None) -> None:
        self.run.set_queue_position(position)

    def wait(self, timeout: float | None) -> TrainingProgress:
        self.run.wait(timeout)
        return self.status()

    def weights(self) -> tuple[int, dict]:
        """The step and the numpy weights of the predictor on it (a replica builds its own)."""
        step = self.run.progress().step
        predictor = self.run.predictor()
        return step, {
            "lstm_layers": predictor.lstm_layers,
            "dense_kernel": predictor.dense_kernel,
            "dense_bias": predictor.dense_bias,
            "embedding": predictor.embedding,
        }

    def zipped(self) -> bytes:
        """The run folder as zip bytes, made here where the Keras model is."""
        from nextword.training.checkpoint import zip_run

        with tempfile.TemporaryDirectory() as folder:
            run_dir = Path(folder) / f"nextword-run-{self.key}"
            self.run.save(run_dir)
            return zip_run(run_dir)


class TrainerProxy:
    """A trainer actor as the wrapped `RunRegistry` sees a run (in the registry actor's process)."""

    def __init__(self, actor, on_done, description: tuple):
        self.actor = actor
        self.on_done = on_done
        self.description = description  # what a replica is told: (actor, story digest, settings)
        self.model = True  # what the registry clears when it drops the run; the actor is killed then
        self.last_seen: TrainingProgress | None = None

    def _call(self, method: str, *arguments):
        try:
            return ray.get(getattr(self.actor, method).remote(*arguments), timeout=TRAINER_TIMEOUT)
        except ray.exceptions.RayTaskError as error:
            if isinstance(error.cause, NextwordError):
                raise error.cause from None
            raise

    def progress(self) -> TrainingProgress:
        try:
            self.last_seen = self._call("status")
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            return worker_stopped(self.last_seen)
        return self.last_seen

    def start(self, spares=None) -> None:  # spares stay in this process's pool; the actor builds its own
        self._call("start")

    def stop(self) -> None:
        self._call("stop")

    def continue_training(self, extra_steps: int, start: bool = True) -> None:
        self._call("continue_training", extra_steps)
        if start:
            self._call("start")

    def set_queue_position(self, position: int | None) -> None:
        self.actor.set_queue_position.remote(position)

    def wait(self, timeout: float | None = None) -> TrainingProgress:
        try:
            return self._call("wait", timeout)
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            return worker_stopped(self.last_seen)


@ray.remote(max_concurrency=16, num_cpus=0)
class RegistryActor:
    """The cluster's run registry: a `RunRegistry` of trainer actors, and the stories they train on."""

    def __init__(self, policy: dict):
        self.registry = RunRegistry(**policy)
        self.stories: OrderedDict[str, Story] = OrderedDict()
        self.proxies: list[TrainerProxy] = []  # every trainer actor alive, kept by the registry or not
        # The actor serves several calls at once (a slow trainer must not hold up every replica's
        # reads for longer than the registry's own lock does): its own state is guarded here.
        self.lock = threading.RLock()

    def ready(self) -> bool:
        return True

    def put_story(self, story: Story) -> None:
        self.stories[story.digest] = story
        self.stories.move_to_end(story.digest)
        while len(self.stories) > MAX_STORIES:
            self.stories.popitem(last=False)

    def story(self, digest: str) -> Story | None:
        return self.stories.get(digest)

    def get(self, key: str):
        """(trainer actor, story digest, model config, train config) of a kept run, or None."""
        proxy = self.registry.get(key)
        if proxy is None:
            return None
        with self.lock:
            return self._describe(proxy)

    def request_runs(self, items: list[tuple], requester):
        """Like `RunRegistry.request_runs` for (key, story digest, model config, train config) items:
        (descriptions, created, replaced), or None when a story must be sent first."""
        if any(digest not in self.stories for _, digest, _, _ in items):
            return None
        me = ray.get_runtime_context().current_actor

        def factory(key, digest, model_config, train_config):
            story = self.stories[digest]

            def make(on_done):
                actor = TrainerActor.remote(key, story, model_config, train_config, me)
                return TrainerProxy(actor, on_done, (actor, digest, model_config, train_config))

            return make

        with self.lock:
            granted = self.registry.request_runs([(item[0], factory(*item)) for item in items], requester)
            self._release_dropped()
            return [self._describe(proxy) for proxy in granted.runs], granted.created, granted.replaced

    def watchers(self, key: str) -> frozenset:
        return self.registry.watchers(key)

    def stop_ends_run(self, key: str, requester) -> bool:
        return self.registry.stop_ends_run(key, requester)

    def stop_for(self, key: str, requester, for_everyone: bool) -> bool:
        return self.registry.stop_for(key, requester, for_everyone)

    def continue_for(self, key: str, extra_steps: int, requester):
        with self.lock:
            granted = self.registry.continue_for(key, extra_steps, requester)
            return self._describe(granted.runs[0]), granted.replaced

    def run_done(self, key: str) -> None:
        with self.lock:
            proxy = self.registry.runs().get(key)
            if proxy is not None:
                proxy.on_done(proxy)
            self._release_dropped()

    def stop_all(self, timeout: float) -> None:
        self.registry.stop_all(timeout)

    def close(self) -> None:
        """Kill every trainer actor (tests and shutdown); the registry actor is killed by its caller."""
        with self.lock:
            for proxy in self.proxies:
                ray.kill(proxy.actor)
            self.proxies = []

    def _describe(self, proxy: TrainerProxy) -> tuple:
        if not any(known is proxy for known in self.proxies):
            self.proxies.append(proxy)
        return proxy.description

    def _release_dropped(self) -> None:
        """Kill the trainer actors of runs the registry dropped or replaced (their memory goes now)."""
        kept = {id(proxy) for proxy in self.registry.runs().values()}
        for proxy in [proxy for proxy in self.proxies if id(proxy) not in kept]:
            self.proxies.remove(proxy)
            ray.kill(proxy.actor)
