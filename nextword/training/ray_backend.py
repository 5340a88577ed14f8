"""A replica's side of the runs on a Ray cluster: `RayBackend` and its `RayRunHandle`s.

The runs live in actors (`nextword.training.ray_actors`): one named registry for the cluster, one
trainer per run. A replica keeps what makes the page quick without TensorFlow: each run's
training data (its own, or prepared from the registry's copy of the story), a progress snapshot no
older than `PROGRESS_SECONDS` (only new curve points travel), a numpy `Predictor` built from the
trainer's weights, and the n-gram counted here. Imported only when a Ray address is set.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Hashable, Sequence
from pathlib import Path

import ray

import nextword
from nextword.config import ModelConfig, TrainConfig
from nextword.errors import NextwordError, RegistryUnreachableError
from nextword.text.dataset import TrainingData, prepare_training_data
from nextword.training.fair_share import Granted
from nextword.training.ray_actors import RegistryActor
from nextword.training.ray_run import UNREACHABLE, RayRunHandle, unwrap

logger = logging.getLogger(__name__)

REGISTRY_NAME = "nextword-registry"
NAMESPACE = "nextword"
PROBE_SECONDS = 5.0
# Runs and training data a replica keeps at hand; what it dropped is fetched again when asked.
KEPT_HERE = 16
# This package travels with the job, and the registry and trainers it creates inherit it: a
# cluster's workers need nothing of nextword installed (only its requirements).
JOB_ENVIRONMENT = {"py_modules": [str(Path(nextword.__file__).parent)]}


def keep(cache: dict, key, value) -> None:
    """Put `value` in `cache`, the oldest entries beyond `KEPT_HERE` leaving."""
    cache[key] = value
    for old in list(cache)[: max(0, len(cache) - KEPT_HERE)]:
        del cache[old]


def _check_reachable(address: str) -> None:
    """OSError at once for an address whose port does not answer (Ray itself retries for minutes).
    "auto" and the like are left to Ray, which finds the cluster itself and says quickly if it cannot."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if host and port.isdigit():
        socket.create_connection((host, int(port)), timeout=PROBE_SECONDS).close()


class RayBackend:
    """The runs of a Ray cluster, shared by every replica (see `nextword.training.backend.RunBackend`)."""

    def __init__(self, address: str, registry_name: str = REGISTRY_NAME, **policy):
        self.address = address
        self.registry_settings = (registry_name, policy)  # RunRegistry's own arguments
        self._lock = threading.Lock()
        self._sent: set[str] = set()  # story digests this replica has sent the registry
        self._data: dict[tuple, TrainingData] = {}
        self._handles: dict[str, RayRunHandle] = {}
        self.registry = self._find_registry()

    @classmethod
    def connect(cls, address: str, registry_name: str = REGISTRY_NAME, **policy) -> RayBackend:
        """Join the cluster at `address` and find (or create) its registry actor."""
        try:
            _check_reachable(address)
            if not ray.is_initialized():
                ray.init(
                    address=address, namespace=NAMESPACE, logging_level="WARNING", runtime_env=JOB_ENVIRONMENT
                )
        except (OSError, RuntimeError, ray.exceptions.RayError) as error:
            raise RegistryUnreachableError(UNREACHABLE.format(address=address)) from error
        return cls(address, registry_name, **policy)

    def _find_registry(self):
        """The cluster's registry actor, created (empty) if it is not there."""
        name, policy = self.registry_settings
        try:
            registry = RegistryActor.options(
                name=name, namespace=NAMESPACE, lifetime="detached", get_if_exists=True
            ).remote(policy)
            ray.get(registry.ready.remote(), timeout=60)
        except (OSError, RuntimeError, ray.exceptions.RayError) as error:
            raise RegistryUnreachableError(UNREACHABLE.format(address=self.address)) from error
        return registry

    def _call(self, method: str, *arguments):
        try:
            return unwrap(getattr(self.registry, method), *arguments, address=self.address)
        except RegistryUnreachableError:
            # The registry actor died (its runs with it): a new one serves this and every replica.
            self.registry = self._find_registry()
            with self._lock:
                self._sent.clear()
            return unwrap(getattr(self.registry, method), *arguments, address=self.address)

    def _handle(self, key: str, description) -> RayRunHandle:
        actor, digest, model_config, train_config = description
        data_key = (digest, model_config.n_input, train_config.holdout)
        with self._lock:
            handle, data = self._handles.get(key), self._data.get(data_key)
        if handle is not None and handle.actor == actor:
            return handle
        if data is None:
            story = self._call("story", digest)
            if story is None:
                raise NextwordError(
                    "The story of this run is no longer kept on the server. Press Train to run it again."
                )
            data = prepare_training_data(story, model_config, train_config.holdout)
        handle = RayRunHandle(actor, data, model_config, train_config)
        with self._lock:
            keep(self._data, data_key, data)
            keep(self._handles, key, handle)
        return handle

    def get(self, key: str) -> RayRunHandle | None:
        description = self._call("get", key)
        return None if description is None else self._handle(key, description)

    def get_or_start(
        self,
        key: str,
        data: TrainingData,
        model_config: ModelConfig,
        train_config: TrainConfig,
        requester: Hashable | None = None,
    ) -> tuple[RayRunHandle, bool]:
        granted = self.request_runs([(key, data, model_config, train_config)], requester)
        return granted.runs[0], granted.created[0]

    def request_runs(self, items: Sequence[tuple], requester: Hashable | None = None) -> Granted:
        """Ask for the runs as one request, with the stories not sent to the registry yet (each once)."""
        stories = {data.story.digest: data.story for _, data, _, _ in items}
        described = [(key, data.story.digest, model, train) for key, data, model, train in items]
        with self._lock:  # the runs' handles are made from the data at hand
            for _, data, _, _ in items:
                keep(self._data, (data.story.digest, data.contexts.shape[1], data.holdout_percent), data)
        unsent = [story for digest, story in stories.items() if digest not in self._sent]
        answer = self._call("request_runs", described, requester, unsent)
        if answer is None:  # a new registry lost the stories sent before: send them all
            answer = self._call("request_runs", described, requester, list(stories.values()))
        if answer is None:
            raise RegistryUnreachableError(UNREACHABLE.format(address=self.address))
        with self._lock:
            self._sent.update(stories)
        descriptions, created, replaced = answer
        handles = tuple(
            self._handle(key, found) for (key, *_), found in zip(items, descriptions, strict=True)
        )
        return Granted(handles, tuple(created), tuple(replaced))

    def watchers(self, key: str) -> frozenset:
        return self._call("policy", "watchers", key)

    def stop_ends_run(self, key: str, requester: Hashable | None) -> bool:
        return self._call("policy", "stop_ends_run", key, requester)

    def stop_for(self, key: str, requester: Hashable | None = None, for_everyone: bool = False) -> bool:
        stopped = self._call("policy", "stop_for", key, requester, for_everyone)
        with self._lock:
            handle = self._handles.get(key)
        if stopped and handle is not None:
            handle.progress(fresh=True)  # this replica sees the stop at once, not after its cache
        return stopped

    def continue_run(self, key: str, extra_steps: int) -> RayRunHandle:
        return self.continue_for(key, extra_steps).runs[0]

    def continue_for(self, key: str, extra_steps: int, requester: Hashable | None = None) -> Granted:
        description, replaced = self._call("continue_for", key, extra_steps, requester)
        return Granted((self._handle(key, description),), (False,), tuple(replaced))

    def prepare(self, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig) -> None:
        """Nothing to prepare here: a trainer actor builds its model when its run starts."""

    def stop_all(self, timeout: float = 10.0) -> None:
        self._call("policy", "stop_all", timeout)

    def close(self) -> None:
        """Kill the registry and its trainers (tests and shutdown of a whole cluster's runs)."""
        try:
            self._call("close")
        except RegistryUnreachableError:
            logger.warning("The registry was gone already; its trainers end with the cluster.")
        ray.kill(self.registry)
