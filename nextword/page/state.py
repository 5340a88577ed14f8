"""What belongs to one browser tab: its story, the run it watches, its runs, its widget values.

`TabState` is the only code that reads or writes `st.session_state` by key. The settings widgets
and the configs are mapped once, here, by looping over the config dataclasses' fields: the first
values of the widgets are the configs' own defaults, and showing a run's settings, or the article's,
goes through the same mapping. The address (`?run=<key>`) names the run a tab watches, so a
refresh or a shared link finds it again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

import streamlit as st

from nextword import chart_style, corpus
from nextword.config import CorpusConfig, ModelConfig, TrainConfig
from nextword.page import resources
from nextword.page.options import SETTING_OPTIONS, VIEW_DEFAULTS, default_story_title
from nextword.progress import TrainingProgress
from nextword.run import TrainingRun

T = TypeVar("T")


class Settings(NamedTuple):
    """The settings a tab's widgets show, as the library's configs."""

    corpus: CorpusConfig
    model: ModelConfig
    train: TrainConfig


def _setting_fields(config_class: type) -> list[dataclasses.Field]:
    """The fields of a config class that have a widget (the widget's key is the field's name)."""
    return [field for field in dataclasses.fields(config_class) if field.name in SETTING_OPTIONS]


def widget_values(*configs) -> dict[str, Any]:
    """The widget values that show these configs; a value no widget offers is left out."""
    values = {}
    for config in configs:
        for field in _setting_fields(type(config)):
            value = getattr(config, field.name)
            options = SETTING_OPTIONS[field.name]
            if options is None or value in options:
                values[field.name] = value
    return values


def _config_from(config_class: type, values):
    """One config from widget values, each value cast to its field's type (as its default's)."""
    return config_class(
        **{field.name: type(field.default)(values[field.name]) for field in _setting_fields(config_class)}
    )


def settings_from(values) -> Settings:
    """The configs that widget values describe."""
    return Settings(
        *(_config_from(config_class, values) for config_class in (CorpusConfig, ModelConfig, TrainConfig))
    )


DEFAULT_SETTINGS = Settings(CorpusConfig(), ModelConfig(), TrainConfig())


@dataclass(frozen=True)
class RunSummary:
    """A finished run's final numbers and curves, kept by the tab even if the server drops the run."""

    status: str
    step: int
    accuracy: float | None
    ceiling: float
    eval_steps: tuple[int, ...]
    eval_accuracies: tuple[float, ...]
    loss_steps: tuple[int, ...]
    losses: tuple[float, ...]
    holdout_accuracies: tuple[float, ...] = ()  # at eval_steps; empty when nothing is held out
    ngram_accuracy: float | None = None
    ngram_holdout_accuracy: float | None = None

    @property
    def holdout_accuracy(self) -> float | None:
        return self.holdout_accuracies[-1] if self.holdout_accuracies else None

    @classmethod
    def of(cls, progress: TrainingProgress) -> RunSummary:
        loss_points = chart_style.bucket_means(progress.losses)
        return cls(
            status=str(progress.status),
            step=progress.step,
            accuracy=progress.final_accuracy,
            ceiling=progress.ceiling,
            eval_steps=tuple(progress.eval_steps),
            eval_accuracies=tuple(progress.eval_accuracies),
            loss_steps=tuple(point["step"] for point in loss_points),
            losses=tuple(point["value"] for point in loss_points),
            holdout_accuracies=tuple(progress.holdout_accuracies),
            ngram_accuracy=progress.ngram_accuracy,
            ngram_holdout_accuracy=progress.ngram_holdout_accuracy,
        )


@dataclass
class TabRun:
    """A run this tab started or watched, numbered in the order the tab met it."""

    key: str
    number: int
    story: str
    model_config: ModelConfig
    train_config: TrainConfig
    summary: RunSummary | None = None  # filled in as the run trains, final once it is done


class _Entry(Generic[T]):
    """One key of `st.session_state`, read and written as an attribute of `TabState`."""

    def __init__(self, key: str):
        self.key = key

    def __get__(self, tab: TabState, owner: type) -> T:
        return st.session_state.get(self.key)

    def __set__(self, tab: TabState, value: T) -> None:
        st.session_state[self.key] = value


class TabState:
    """Typed access to this tab's `st.session_state` (keys stay stable strings for the tests)."""

    story_bytes: _Entry[bytes] = _Entry("story_bytes")
    story_name: _Entry[str] = _Entry("story_name")
    story_error: _Entry[str | None] = _Entry("story_error")  # why the last upload was refused
    story_choice: _Entry[str] = _Entry("story_choice")  # the bundled story picker's widget
    story_upload: _Entry[Any] = _Entry("story_upload")  # the uploader's file (an UploadedFile)
    watch_key: _Entry[str | None] = _Entry("watch_key")  # the run shown below the Train button
    runs: _Entry[list[TabRun]] = _Entry("my_runs")
    action_error: _Entry[str | None] = _Entry("action_error")  # why Train or Continue did nothing
    predict_context: _Entry[str | None] = _Entry("predict_context")  # the prediction box's widget
    predict_context_for: _Entry[str | None] = _Entry("predict_context_for")  # the run it was filled for
    # Settings the person set (a widget moved, the article's recipe, a linked run's): a story's
    # suggested hold-out and steps never override them. And the story they were last suggested for.
    settings_chosen: _Entry[set[str]] = _Entry("settings_chosen")
    suggested_for: _Entry[str | None] = _Entry("suggested_for")

    def init(self) -> None:
        """Give every key its first value (on every script run: Streamlit drops unseen widgets)."""
        state = st.session_state
        for key, value in {**widget_values(*DEFAULT_SETTINGS), **VIEW_DEFAULTS}.items():
            state.setdefault(key, value)
        state.setdefault("my_runs", [])
        state.setdefault("watch_key", None)
        state.setdefault("settings_chosen", set())
        if "story_bytes" in state:
            return
        self.use_bundled_story(default_story_title())
        # A refreshed tab, or a link the teacher shared, names its run in the address: watch it again.
        linked_key = st.query_params.get("run")
        run = resources.get_registry().get(linked_key) if linked_key else None
        if run is not None:
            self.adopt_run(linked_key, run)

    def settings(self) -> Settings:
        return settings_from(st.session_state)

    def show_settings(self, *configs) -> None:
        """Set the settings widgets to these configs (before the widgets are drawn)."""
        st.session_state.update(widget_values(*configs))

    def story(self) -> corpus.Story:
        """The story in use (raises the library's StoryError if it cannot be read)."""
        return resources.read_story(self.story_bytes, self.story_name, self.settings().corpus.symbol_mode)

    def use_bundled_story(self, title: str) -> None:
        self.story_choice = title
        self.story_bytes = corpus.bundled_stories()[title].read_bytes()
        self.story_name = title
        self.story_error = None

    def watched_run(self) -> TrainingRun | None:
        """The run this tab watches, if the server still keeps it."""
        key = self.watch_key
        return resources.get_registry().get(key) if key else None

    def watch(self, key: str, story: corpus.Story, model: ModelConfig, train: TrainConfig) -> None:
        """Watch a run, and add it to this tab's list (once) for the comparison table and chart."""
        self.watch_key = key
        runs = self.runs
        if not any(run.key == key for run in runs):
            runs.append(TabRun(key, len(runs) + 1, story.name, model, train))

    def adopt_run(self, key: str, run: TrainingRun) -> None:
        """Watch a run with its story and settings (a new tab opened on a run's link)."""
        story = run.data.story
        self.story_bytes = story.text.encode("utf-8")
        self.story_name = story.name
        self.show_settings(story.config, run.model_config, run.train_config)
        self.settings_chosen = self.settings_chosen | {"holdout", "steps"}
        self.watch(key, story, run.model_config, run.train_config)

    def show_in_address(self) -> None:
        """Name the watched run in the address, so a refresh, or this link, finds it again."""
        key = self.watch_key
        if key and st.query_params.get("run") != key:
            st.query_params["run"] = key
