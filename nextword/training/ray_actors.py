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
from collections.abc import Mapping
from pathlib import Path

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

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
    "holdout_top5s",
)
# The predictor's weights, by the names `Predictor` takes them: what a replica fetches from a trainer.
WEIGHTS = ("lstm_layers", "dense_kernel", "dense_bias", "embedding")
# Stories kept by the registry for runs and lesson links (each at most the story size cap).
MAX_STORIES = 32
# Seconds the registry waits for a trainer's answer before counting the worker as gone.
TRAINER_TIMEOUT = 30.0
# Training windows from which a run takes a GPU when the cluster has one free. A story this long
# has a vocabulary of thousands (a wide output layer, the bulk of each step) and needs thousands of
# steps, so a GPU's steps repay its start-up of several seconds; the bundled fables (a few hundred
# windows) train in seconds on a CPU, Tiny Shakespeare (~250,000 word windows) goes to the GPU.
GPU_MIN_WINDOWS = 10_000


def trainer_resources(cluster: Mapping[str, float], gpus_held: int, windows: int) -> dict:
    """Ray options for a new run's trainer, from the cluster's resources, the GPUs the registry's
    trainers hold already and the run's training windows: a GPU of its own when one is free and
    the story is long enough to gain, else Ray's default (placed on a node with CPUs, holding none;
    its run holds a CPU while it trains, see `CpuSlot`)."""
    if windows >= GPU_MIN_WINDOWS and cluster.get("GPU", 0) - gpus_held >= 1:
        return {"num_gpus": 1}
    return {}


def worker_stopped(progress: TrainingProgress | None = None) -> TrainingProgress:
    """The snapshot of a run whose trainer actor died: failed, with the sentence people see."""
    return dataclasses.replace(progress or TrainingProgress(), status=Status.FAILED, error=WORKER_STOPPED)


def fetch(reference, timeout: float | None = None):
    """`ray.get`, with a person's error (a `NextwordError` raised in the actor) coming back as itself."""
    try:
        return ray.get(reference, timeout=timeout)
    except ray.exceptions.RayTaskError as error:
        if isinstance(error.cause, NextwordError):
            raise error.cause from None
        raise


@ray.remote(num_cpus=1)
class CpuSlot:
    """One CPU of a node, held while a run trains there, so that Ray places other work elsewhere.

    Ray holds an actor's resources for its whole life, and a trainer lives on while its finished
    run is kept: were the CPU the trainer's own, kept runs would leave none for the next ones.
    """


@ray.remote(max_concurrency=4)
class TrainerActor:
    """One run in its own process: a `TrainingRun` on a story, and what its replicas ask of it."""

    def __init__(
        self, key: str, story: Story, model_config: ModelConfig, train_config: TrainConfig, registry
    ):
        self.key = key
        self.registry = registry
        self.slot = None
        data = prepare_training_data(story, model_config, train_config.holdout)
        self.run = TrainingRun(data, model_config, train_config, on_done=self._done)

    def _done(self, run: TrainingRun) -> None:
        if self.slot is not None:
            ray.kill(self.slot)
            self.slot = None
        # Waited for, as in one process: once `wait()` returns, the registry has counted the run done.
        try:
            ray.get(self.registry.run_done.remote(self.key), timeout=TRAINER_TIMEOUT)
        except ray.exceptions.RayError:
            logger.exception("The registry was not told that run %s ended.", self.key)

    def status(self) -> TrainingProgress:
        """The latest snapshot without its curves (what the registry's policy reads)."""
        return dataclasses.replace(self.run.progress(), **{name: () for name in CURVES}, samples=())

    def progress_since(self, lengths: dict[str, int]) -> tuple[TrainingProgress, dict[str, int]]:
        """The latest snapshot with each curve cut to its points after `lengths`, and where each was
        cut: at 0 if a curve did not grow from there (never, for a run that lives)."""
        progress = self.run.progress()
        if any(lengths.get(name, 0) > len(getattr(progress, name)) for name in CURVES):
            lengths = {}
        starts = {name: lengths.get(name, 0) for name in CURVES}
        tails = {name: getattr(progress, name)[starts[name] :] for name in CURVES}
        return dataclasses.replace(progress, **tails), starts

    def start(self) -> None:
        """Start the queued run (the registry lets it train now), holding a CPU of this node till it ends."""
        if self.slot is None and self.run.progress().status == Status.QUEUED:
            here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
            self.slot = CpuSlot.options(scheduling_strategy=here).remote()
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
        return step, {name: getattr(predictor, name) for name in WEIGHTS}

    def zipped(self) -> bytes:
        """The run folder as zip bytes, made here where the Keras model is."""
        from nextword.training.checkpoint import zip_run

        with tempfile.TemporaryDirectory() as folder:
            run_dir = Path(folder) / f"nextword-run-{self.key}"
            self.run.save(run_dir)
            return zip_run(run_dir)


class TrainerProxy:
    """A trainer actor as the wrapped `RunRegistry` sees a run (in the registry actor's process)."""

    def __init__(self, actor, on_done, description: tuple, gpus: int):
        self.actor = actor
        self.on_done = on_done
        self.description = description  # what a replica is told: (actor, story digest, settings)
        self.gpus = gpus  # the GPUs the actor holds for its life
        self.model = True  # what the registry clears when it drops the run; the actor is killed then
        self.last_seen: TrainingProgress | None = None

    def _call(self, method: str, *arguments):
        return fetch(getattr(self.actor, method).remote(*arguments), timeout=TRAINER_TIMEOUT)

    def _snapshot(self, method: str, *arguments) -> TrainingProgress:
        try:
            self.last_seen = self._call(method, *arguments)
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            return worker_stopped(self.last_seen)
        return self.last_seen

    def progress(self) -> TrainingProgress:
        return self._snapshot("status")

    def wait(self, timeout: float | None = None) -> TrainingProgress:
        return self._snapshot("wait", timeout)

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

    def story(self, digest: str) -> Story | None:
        return self.stories.get(digest)

    def policy(self, method: str, *arguments):
        """A `RunRegistry` call that creates and drops no trainer (watchers, stop_for, stop_all…)."""
        return getattr(self.registry, method)(*arguments)

    def get(self, key: str):
        """(trainer actor, story digest, model config, train config) of a kept run, or None."""
        proxy = self.registry.get(key)
        return None if proxy is None else proxy.description

    def request_runs(self, items: list[tuple], requester, stories: list[Story]):
        """Like `RunRegistry.request_runs` for (key, story digest, model config, train config) items,
        with the `stories` this registry may lack: (descriptions, created, replaced), or None when it
        lacks one of theirs."""
        for story in stories:
            self.stories[story.digest] = story
            self.stories.move_to_end(story.digest)
            while len(self.stories) > MAX_STORIES:
                self.stories.popitem(last=False)
        if any(digest not in self.stories for _, digest, _, _ in items):
            return None
        me = ray.get_runtime_context().current_actor

        def factory(key, digest, model_config, train_config):
            story = self.stories[digest]

            def make(on_done):
                gpus_held = sum(proxy.gpus for proxy in self.proxies)
                windows = story.symbol_count - model_config.n_input
                options = trainer_resources(ray.cluster_resources(), gpus_held, windows)
                actor = TrainerActor.options(**options).remote(key, story, model_config, train_config, me)
                description = (actor, digest, model_config, train_config)
                proxy = TrainerProxy(actor, on_done, description, gpus=options.get("num_gpus", 0))
                self.proxies.append(proxy)
                return proxy

            return make

        with self.lock:
            granted = self.registry.request_runs([(item[0], factory(*item)) for item in items], requester)
            self._release_dropped()
            return [proxy.description for proxy in granted.runs], granted.created, granted.replaced

    def continue_for(self, key: str, extra_steps: int, requester):
        granted = self.registry.continue_for(key, extra_steps, requester)
        return granted.runs[0].description, granted.replaced

    def run_done(self, key: str) -> None:
        with self.lock:
            proxy = self.registry.runs().get(key)
            if proxy is not None:
                proxy.on_done(proxy)
            self._release_dropped()

    def close(self) -> None:
        """Kill every trainer actor (tests and shutdown); the registry actor is killed by its caller."""
        with self.lock:
            for proxy in self.proxies:
                ray.kill(proxy.actor)
            self.proxies = []

    def _release_dropped(self) -> None:
        """Kill the trainer actors of runs the registry dropped or replaced (their memory goes now)."""
        kept = {id(proxy) for proxy in self.registry.runs().values()}
        for proxy in [proxy for proxy in self.proxies if id(proxy) not in kept]:
            self.proxies.remove(proxy)
            ray.kill(proxy.actor)
