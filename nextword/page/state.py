"""What belongs to one browser tab: its story, the run it watches, its runs, its widget values.

`TabState` is the only code that reads or writes `st.session_state` by key (but for
`presenter.presenting`, which reads the presenter toggle before the page's modules are imported).
The settings widgets map onto the config dataclasses' fields once, here: their first values are
the configs' own defaults, and showing a run's settings, or the article's, goes the same way. A
tab keeps a `TabRun` per run it started or watched, whose `RunSummary` outlives the run if the
server drops it.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

import streamlit as st

from nextword.charts.buckets import bucket_means
from nextword.config import CorpusConfig, ModelConfig, TrainConfig
from nextword.page import resources
from nextword.page.options import SETTING_OPTIONS, VIEW_DEFAULTS, default_story_title
from nextword.text import corpus
from nextword.training.backend import RunHandle
from nextword.training.progress import TrainingProgress

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
    eval_steps: tuple[int, ...]
    eval_accuracies: tuple[float, ...]
    loss_steps: tuple[int, ...]
    losses: tuple[float, ...]
    holdout_accuracies: tuple[float, ...] = ()  # at eval_steps; empty when nothing is held out
    ngram_accuracy: float | None = None
    ngram_holdout_accuracy: float | None = None
    seconds: float = 0.0  # time spent training
    done: bool = False  # finished, stopped or failed: the numbers are final
    # The LSTM's held-out perplexity beside the n-gram's on the same windows: on every held-out window
    # with the weights it kept once the run has ended, else on the scored ones at its best so far.
    holdout_perplexity: float | None = None
    ngram_holdout_perplexity: float | None = None
    training_windows: int = 0
    # On every held-out window with the weights kept once the run has ended, else the latest point.
    holdout_accuracy: float | None = None

    @classmethod
    def of(cls, progress: TrainingProgress) -> RunSummary:
        loss_points = bucket_means(progress.losses)
        comparison = progress.held_out_comparison
        lstm, ngram = progress.held_out_scores or (None, None)
        return cls(
            status=str(progress.status),
            step=progress.step,
            accuracy=progress.final_accuracy,
            eval_steps=tuple(progress.eval_steps),
            eval_accuracies=tuple(progress.eval_accuracies),
            loss_steps=tuple(point["step"] for point in loss_points),
            losses=tuple(point["value"] for point in loss_points),
            holdout_accuracies=tuple(progress.holdout_accuracies),
            ngram_accuracy=progress.ngram_accuracy,
            ngram_holdout_accuracy=ngram.top1 if ngram else progress.ngram_holdout_accuracy,
            seconds=progress.elapsed_seconds,
            done=progress.done,
            holdout_perplexity=comparison.lstm if comparison else None,
            ngram_holdout_perplexity=comparison.ngram if comparison else None,
            training_windows=progress.window_count,
            holdout_accuracy=lstm.top1 if lstm else None,
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
    # The story as the address names it: a bundled story's file name, or an upload's digest.
    story_token: _Entry[str] = _Entry("story_token")
    story_error: _Entry[str | None] = _Entry("story_error")  # why the last upload was refused
    story_note: _Entry[str | None] = _Entry("story_note")  # a setting the last upload changed, and why
    story_choice: _Entry[str] = _Entry("story_choice")  # the bundled story picker's widget
    story_upload: _Entry[Any] = _Entry("story_upload")  # the uploader's file (an UploadedFile)
    watch_key: _Entry[str | None] = _Entry("watch_key")  # the run shown below the Train button
    runs: _Entry[list[TabRun]] = _Entry("my_runs")
    action_error: _Entry[str | None] = _Entry("action_error")  # why Train or Continue did nothing
    action_note: _Entry[str | None] = _Entry("action_note")  # what a click did besides (a run replaced)
    # Who this tab is to the run registry (a requester): its share of runs, and whose Stop is whose.
    tab_id: _Entry[str] = _Entry("tab_id")
    unwatched: _Entry[set[str]] = _Entry("unwatched")  # runs this tab pressed Stop watching on
    predict_context: _Entry[str | None] = _Entry("predict_context")  # the prediction box's widget
    predict_context_for: _Entry[str | None] = _Entry("predict_context_for")  # the run it was filled for
    # Settings the person set (a widget moved, the article's recipe, a linked run's): a story's
    # suggested hold-out and steps never override them. And the story they were last suggested for.
    settings_chosen: _Entry[set[str]] = _Entry("settings_chosen")
    suggested_for: _Entry[str | None] = _Entry("suggested_for")
    # The lesson link's view: the presenter toggle's widget, what it hides, what was wrong with it.
    present: _Entry[bool] = _Entry("present")
    hidden: _Entry[frozenset[str]] = _Entry("lesson_hide")
    notices: _Entry[list[str]] = _Entry("lesson_notices")
    compare_hidden: _Entry[set[str]] = _Entry("compare_hidden")  # runs kept off the compare chart
    compare_shown: _Entry[list[str]] = _Entry("compare_shown")  # the compare chart's run picker
    # Slow motion: the step shown, and the context it walks through (a new context starts over).
    motion_step: _Entry[int] = _Entry("motion_step")
    motion_for: _Entry[tuple[str, ...] | None] = _Entry("motion_for")
    # The experiments this tab queued, in order: name → its variants' (label, run key).
    experiment_runs: _Entry[dict[str, list[tuple[str, str]]]] = _Entry("experiment_runs")

    def init(self) -> bool:
        """Give every key its first value (on every script run: Streamlit drops unseen widgets).

        A settings widget hidden by the lesson or the presenter view is not drawn, so Streamlit drops
        its key: its last value is kept aside and put back. True on the tab's first script run.
        """
        state = st.session_state
        kept = state.setdefault("settings_kept", {})
        for key, value in widget_values(*DEFAULT_SETTINGS).items():
            if key not in state:
                state[key] = kept.get(key, value)
            kept[key] = state[key]
        for key, value in VIEW_DEFAULTS.items():
            state.setdefault(key, value)
        state.setdefault("my_runs", [])
        state.setdefault("watch_key", None)
        state.setdefault("settings_chosen", set())
        state.setdefault("present", False)
        state.setdefault("lesson_hide", frozenset())
        state.setdefault("lesson_notices", [])
        state.setdefault("compare_hidden", set())
        state.setdefault("experiment_runs", {})
        state.setdefault("motion_step", 0)
        state.setdefault("unwatched", set())
        state.setdefault("tab_id", uuid.uuid4().hex)
        if "story_bytes" in state:
            return False
        self.use_bundled_story(default_story_title())
        return True

    def setting_values(self) -> dict[str, Any]:
        """The settings widgets' values, a hidden widget's from where `init` kept it."""
        state = st.session_state
        values = {**widget_values(*DEFAULT_SETTINGS), **state.get("settings_kept", {})}
        values.update({key: state[key] for key in SETTING_OPTIONS if key in state})
        return values

    def settings(self) -> Settings:
        return settings_from(self.setting_values())

    def show_settings(self, *configs) -> None:
        """Set the settings widgets to these configs (before the widgets are drawn)."""
        self.show_setting_values(widget_values(*configs))

    def show_setting_values(self, values: dict[str, Any]) -> None:
        """Set the settings widgets to these values (before the widgets are drawn)."""
        st.session_state.update(values)
        st.session_state.setdefault("settings_kept", {}).update(values)

    def shows(self, name: str) -> bool:
        """Whether a control or section is drawn (the lesson link may hide it)."""
        return name not in (self.hidden or ())

    def story(self) -> corpus.Story:
        """The story in use (raises the library's StoryError if it cannot be read)."""
        return resources.read_story(self.story_bytes, self.story_name, self.settings().corpus.symbol_mode)

    def use_bundled_story(self, title: str) -> None:
        path = corpus.bundled_stories()[title]
        self.story_choice = title
        self.story_bytes = path.read_bytes()
        self.story_name = title
        self.story_token = path.stem
        self.story_error = None
        self.story_note = None

    def use_story_bytes(self, data: bytes, name: str) -> None:
        """Use an uploaded (or a linked run's) story; a link names it by digest while the server keeps it."""
        if name != self.story_name or data != self.story_bytes:
            self.story_note = None  # said of another story
        self.story_bytes = data
        self.story_name = name
        self.story_error = None
        self.story_token = resources.story_shelf().put(data, name)  # its digest

    def watched_run(self) -> RunHandle | None:
        """The run this tab watches, if the server still keeps it."""
        key = self.watch_key
        return resources.get_registry().get(key) if key else None

    def watch(self, key: str, story: corpus.Story, model: ModelConfig, train: TrainConfig) -> None:
        """Watch a run, and add it to this tab's list (once) for the comparison table and chart."""
        self.watch_key = key
        self.unwatched = self.unwatched - {key}
        self.add_run(key, story, model, train)

    def add_run(self, key: str, story: corpus.Story, model: ModelConfig, train: TrainConfig) -> None:
        """Add a run to this tab's list (once), for the comparison table and chart."""
        runs = self.runs
        if not any(run.key == key for run in runs):
            number = max((run.number for run in runs), default=0) + 1
            runs.append(TabRun(key, number, story.name, model, train))

    def adopt_run(self, key: str, run: RunHandle, settings: bool = True) -> None:
        """Watch a run with its story (and, unless told not to, its settings): a tab opened on its link."""
        story = run.data.story
        if settings:
            self.show_settings(story.config, run.model_config, run.train_config)
            self.settings_chosen = self.settings_chosen | {"holdout", "steps"}
        if story.name in corpus.bundled_stories():  # so the address names it by its file, not a digest
            self.use_bundled_story(story.name)
        if story.name not in corpus.bundled_stories() or self.story().text != story.text:
            self.use_story_bytes(story.text.encode("utf-8"), story.name)
        self.watch(key, story, run.model_config, run.train_config)
