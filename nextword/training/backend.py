"""The seam between the page and the runs: what a run offers, and what holds the runs.

`RunHandle` is what the page reads and asks of one run; `RunBackend` is where runs are found and
started by key. `LocalBackend` is the default: a `RunRegistry` of `TrainingRun`s in this process
(a `TrainingRun` is itself a `RunHandle`). `choose_backend()` returns it unless
`NEXTWORD_RAY_ADDRESS` (or `RAY_ADDRESS`) names a Ray cluster, in which case the runs live there
(`nextword.training.ray_backend`) and several replicas of the page share them. Ray is imported
only then. Nothing here knows about Streamlit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Protocol

from nextword.config import ModelConfig, TrainConfig
from nextword.text.dataset import TrainingData
from nextword.text.run_windows import RunWindows
from nextword.training.fair_share import MAX_PER_REQUESTER, MAX_WAITING, Granted
from nextword.training.progress import TrainingProgress
from nextword.training.registry import RunRegistry
from nextword.training.run import TrainingRun

# Read in this order; the first one set (and not blank) chooses the Ray backend.
ADDRESS_VARIABLES = ("NEXTWORD_RAY_ADDRESS", "RAY_ADDRESS")


class RunHandle(Protocol):
    """One run as the page sees it: its settings and data, its progress, its controls, its results."""

    data: TrainingData
    model_config: ModelConfig
    train_config: TrainConfig
    windows: RunWindows

    def progress(self) -> TrainingProgress: ...

    def wait(self, timeout: float | None = None) -> TrainingProgress: ...

    def wait_for(self, condition: Callable[[TrainingProgress], bool], timeout: float) -> TrainingProgress: ...

    def stop(self) -> None: ...

    def predictor(self): ...

    def ngram(self): ...

    def save(self, run_dir: str | Path) -> None: ...


# A run asked for: its key, and the data and settings that train it if no one has yet.
Request = tuple[str, TrainingData, ModelConfig, TrainConfig]


class RunBackend(Protocol):
    """Where runs live: shared by key, at most a few training at once, the least recently used
    dropped, each requester (a tab) a fair share (see `nextword.training.registry.RunRegistry`)."""

    def get(self, key: str) -> RunHandle | None: ...

    def get_or_start(
        self,
        key: str,
        data: TrainingData,
        model_config: ModelConfig,
        train_config: TrainConfig,
        requester: Hashable | None = None,
    ) -> tuple[RunHandle, bool]: ...

    def request_runs(self, items: Sequence[Request], requester: Hashable | None = None) -> Granted: ...

    def watchers(self, key: str) -> frozenset: ...

    def stop_ends_run(self, key: str, requester: Hashable | None) -> bool: ...

    def stop_for(self, key: str, requester: Hashable | None = None, for_everyone: bool = False) -> bool: ...

    def continue_run(self, key: str, extra_steps: int) -> RunHandle: ...

    def continue_for(self, key: str, extra_steps: int, requester: Hashable | None = None) -> Granted: ...

    def prepare(self, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig) -> None: ...

    def stop_all(self, timeout: float = 10.0) -> None: ...


class LocalBackend:
    """The runs of this process: a `RunRegistry` of `TrainingRun`s, its policy unchanged.

    Runs are asked for by their data and settings; every other call is the registry's own.
    """

    def __init__(self, registry: RunRegistry):
        self.registry = registry

    def __getattr__(self, name: str):
        if name == "registry":  # not set yet (a copy being made): never look it up in itself
            raise AttributeError(name)
        return getattr(self.registry, name)

    def get_or_start(
        self,
        key: str,
        data: TrainingData,
        model_config: ModelConfig,
        train_config: TrainConfig,
        requester: Hashable | None = None,
    ) -> tuple[TrainingRun, bool]:
        granted = self.request_runs([(key, data, model_config, train_config)], requester)
        return granted.runs[0], granted.created[0]

    def request_runs(self, items: Sequence[Request], requester: Hashable | None = None) -> Granted:
        return self.registry.request_runs(
            [(key, run_factory(*settings)) for key, *settings in items], requester
        )


def run_factory(data: TrainingData, model_config: ModelConfig, train_config: TrainConfig):
    """What the registry calls to make the run of these settings (with its `on_done`)."""
    return lambda on_done: TrainingRun(data, model_config, train_config, on_done=on_done)


def ray_address(environment: dict[str, str] | None = None) -> str | None:
    """The Ray cluster the runs should live on, or None for this process."""
    environment = os.environ if environment is None else environment
    for name in ADDRESS_VARIABLES:
        value = environment.get(name, "").strip()
        if value:
            return value
    return None


def choose_backend(
    max_running: int,
    max_kept: int,
    max_per_requester: int = MAX_PER_REQUESTER,
    max_waiting: int = MAX_WAITING,
    environment: dict[str, str] | None = None,
) -> RunBackend:
    """The in-process backend, or the Ray one when an address is set (RegistryUnreachableError if
    its cluster cannot be reached)."""
    policy = dict(
        max_running=max_running,
        max_kept=max_kept,
        max_per_requester=max_per_requester,
        max_waiting=max_waiting,
    )
    address = ray_address(environment)
    if address is None:
        return LocalBackend(RunRegistry(**policy))
    from nextword.training.ray_backend import RayBackend

    return RayBackend.connect(address, **policy)
