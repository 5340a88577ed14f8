"""The seam between the page and the runs: what a run offers, and what holds the runs.

`RunHandle` is what the page reads and asks of one run; `RunBackend` is where runs are found and
started by key. `LocalBackend` is the default: today's `RunRegistry` of `TrainingRun`s in this
process (a `TrainingRun` is itself a `RunHandle`). `choose_backend()` returns it unless
`NEXTWORD_RAY_ADDRESS` (or `RAY_ADDRESS`) names a Ray cluster, in which case the runs live there
(`nextword.training.ray_backend`) and several replicas of the page share them. Ray is imported
only then. Nothing here knows about Streamlit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from nextword.config import ModelConfig, TrainConfig
from nextword.text.dataset import TrainingData
from nextword.text.run_windows import RunWindows
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


class RunBackend(Protocol):
    """Where runs live: shared by key, at most a few training at once, the least recently used dropped."""

    def get(self, key: str) -> RunHandle | None: ...

    def get_or_start(
        self, key: str, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig
    ) -> tuple[RunHandle, bool]: ...

    def continue_run(self, key: str, extra_steps: int) -> RunHandle: ...

    def prepare(self, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig) -> None: ...

    def stop_all(self, timeout: float = 10.0) -> None: ...


class LocalBackend:
    """The runs of this process: a `RunRegistry` of `TrainingRun`s, its policy unchanged."""

    def __init__(self, registry: RunRegistry):
        self.registry = registry

    def get(self, key: str) -> TrainingRun | None:
        return self.registry.get(key)

    def get_or_start(
        self, key: str, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig
    ) -> tuple[TrainingRun, bool]:
        return self.registry.get_or_start(
            key, lambda on_done: TrainingRun(data, model_config, train_config, on_done=on_done)
        )

    def continue_run(self, key: str, extra_steps: int) -> TrainingRun:
        return self.registry.continue_run(key, extra_steps)

    def prepare(self, data: TrainingData, model_config: ModelConfig, train_config: TrainConfig) -> None:
        self.registry.prepare(data, model_config, train_config)

    def stop_all(self, timeout: float = 10.0) -> None:
        self.registry.stop_all(timeout)


def ray_address(environment: dict[str, str] | None = None) -> str | None:
    """The Ray cluster the runs should live on, or None for this process."""
    environment = os.environ if environment is None else environment
    for name in ADDRESS_VARIABLES:
        value = environment.get(name, "").strip()
        if value:
            return value
    return None


def choose_backend(max_running: int, max_kept: int, environment: dict[str, str] | None = None) -> RunBackend:
    """The in-process backend, or the Ray one when an address is set (RegistryUnreachableError if
    its cluster cannot be reached)."""
    address = ray_address(environment)
    if address is None:
        return LocalBackend(RunRegistry(max_running=max_running, max_kept=max_kept))
    from nextword.training.ray_backend import RayBackend

    return RayBackend.connect(address, max_running=max_running, max_kept=max_kept)
