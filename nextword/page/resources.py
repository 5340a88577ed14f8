"""What the whole server shares, held in `st.cache_resource`: the registry, stories, windows, views.

Every tab of every student sees the same objects: thirty students pressing Train with the same
settings watch one run, and thirty tabs polling it share one build of its live charts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from nextword.config import CorpusConfig, ModelConfig
from nextword.inference.copying import CopyFinder
from nextword.page.address import StoryShelf
from nextword.page.format import format_percent, format_perplexity, format_seconds
from nextword.page.options import MAX_KEPT, MAX_PER_TAB, MAX_RUNNING, MAX_WAITING, STATUS_LABELS, VIEW_SECONDS
from nextword.text import corpus
from nextword.text.dataset import TrainingData, prepare_training_data
from nextword.text.vocab import Vocabulary
from nextword.training.backend import RunBackend, RunHandle, choose_backend
from nextword.training.progress import Status, TrainingProgress


@st.cache_resource(show_spinner=False)
def get_registry() -> RunBackend:
    """Where the runs live: this process's registry, or a Ray cluster's when NEXTWORD_RAY_ADDRESS is
    set (every replica of the page then shares them; RegistryUnreachableError if it is out of reach).
    """
    return choose_backend(
        max_running=MAX_RUNNING, max_kept=MAX_KEPT, max_per_requester=MAX_PER_TAB, max_waiting=MAX_WAITING
    )


@st.cache_resource(show_spinner=False)
def story_shelf() -> StoryShelf:
    return StoryShelf()


@st.cache_resource(show_spinner=False)
def get_save_lock() -> threading.Lock:
    """Serialises saving run folders for downloads (two clicks must not write one folder at once)."""
    return threading.Lock()


@st.cache_resource(show_spinner=False, max_entries=16)
def read_story(data: bytes, name: str, symbol_mode: str) -> corpus.Story:
    """Bytes → Story (raises the library's StoryError subclasses with a message for people)."""
    return corpus.load_story(data, CorpusConfig(symbol_mode=symbol_mode), name=name)


@st.cache_resource(show_spinner=False, max_entries=8)
def training_data(story_digest: str, n_input: int, holdout: int, _story: corpus.Story) -> TrainingData:
    """Vocabulary and all windows of a story at one n_input and hold-out (shared by the page and runs)."""
    return prepare_training_data(_story, ModelConfig(n_input=n_input), holdout)


@st.cache_resource(show_spinner=False, max_entries=8)
def dictionary_table(story_digest: str, n_input: int, holdout: float, _data: TrainingData):
    """The vocabulary as an Arrow table (symbol, id, count), built once: every script run of every
    tab draws it, and a long story's has tens of thousands of rows."""
    import pyarrow as pa

    symbols, ids, counts = zip(*_data.vocabulary.rows(), strict=True)
    return pa.table({"symbol": list(symbols), "id": list(ids), "count": list(counts)})


@st.cache_resource(show_spinner=False, max_entries=512)
def shared(key: tuple, _compute: Callable[[], Any]) -> Any:
    """`_compute()`, once per server for the same `key` (everything the result depends on, such as
    `weights_of` a run and the context typed): the tabs of a class ask the same runs the same
    questions, and every script run of every tab asks them again."""
    return _compute()


def weights_of(key: str, run: RunHandle) -> tuple:
    """What names a run's current weights (its predictor is cached by them): key, step, status."""
    progress = run.progress()
    return key, progress.step, progress.status


def chart_spec_of(key: tuple, dataset_name: str, build: Callable[[], Any]) -> dict:
    """`stable_spec(build(), dataset_name)` with its rows as Arrow (`arrow_rows`), `shared` by `key`
    (what the chart is drawn from): Altair takes tens of milliseconds to build a chart."""
    from nextword.charts import chart_style

    return shared(
        ("chart", dataset_name, *key), lambda: arrow_rows(chart_style.stable_spec(build(), dataset_name))
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def copy_finder(story_digest: str, min_run: int, _story: corpus.Story) -> CopyFinder:
    """A story indexed for finding copied runs, built once per server."""
    return CopyFinder(_story.symbols, min_run)


@st.cache_resource(show_spinner=False)
def bundled_vocabulary_size(title: str) -> int:
    """Different symbols in a bundled story, read as words (for the story picker's help)."""
    story = read_story(corpus.bundled_stories()[title].read_bytes(), title, CorpusConfig().symbol_mode)
    return len(Vocabulary.from_symbols(story.symbols, max_size=story.config.max_vocabulary))


def view_tick(progress: TrainingProgress, now: float | None = None) -> str:
    """The cache slot of a run's live view: a new slot only when what the view shows can change.

    A training run's view is built at most once every `VIEW_SECONDS`; a queued run's, or one still
    building its model, when its place or phase changes (the phase includes whether the run has a
    first point, so that point is never hidden behind a view built a moment before it came).
    """
    phase = f"{progress.status}-{progress.total_steps}-{bool(progress.losses)}"
    if progress.status == Status.RUNNING and progress.step:
        return f"{phase}-{int((time.monotonic() if now is None else now) / VIEW_SECONDS)}"
    return f"{phase}-{progress.step}-{progress.queue_position}"


def among(perplexity: float) -> str:
    """A perplexity as a count to choose among: whole above 10, with a tenth below."""
    return f"{perplexity:,.0f}" if perplexity >= 10 else f"{perplexity:.1f}"


def perplexity_sentence(progress: TrainingProgress, unit: str = "words") -> str | None:
    """Who is ahead on the held-out part (so far: on the windows the curves score; once the run has
    ended: on every held-out window, with the weights it kept), and the step kept. `unit`: what
    the story's symbols are ("words", or "characters")."""
    comparison = progress.held_out_comparison
    if comparison is None:
        return None
    winner = "The network wins" if comparison.lstm < comparison.ngram else "Counting wins"
    if comparison.every_window:
        verdict = (
            f"{winner}: on all {progress.holdout_window_count:,} held-out {unit}, the network with the "
            f"weights it kept is as unsure as choosing among {among(comparison.lstm)} {unit}, counting "
            f"among {among(comparison.ngram)}."
        )
    else:
        scored = progress.holdout_scored_count
        where = (
            "the held-out part"
            if scored >= progress.holdout_window_count
            else f"the {scored:,} held-out {unit} it is scored on as it trains"
        )
        when = "at its best" if progress.best_step is not None else "now"
        verdict = (
            f"{winner} so far: on {where}, the network {when} is as unsure as choosing among "
            f"{among(comparison.lstm)} {unit}, counting among {among(comparison.ngram)}."
        )
    if comparison.every_window and comparison.lstm >= comparison.ngram:
        verdict += (
            " A network needs far more text than counting does before it wins (see the experiment "
            "“How much text does a network need?” in section 3)."
        )
    if progress.best_step is None:
        return verdict
    kept = f" Best at step {progress.best_step:,}"
    if progress.done and progress.has_weights and progress.best_step != progress.step:
        kept += "; kept those weights for predicting and writing"
    return verdict + kept + " (the held-out part picked the step)."


@st.cache_resource(show_spinner=False, max_entries=16, ttl=60)
def live_view(key: str, tick: str, _run: RunHandle) -> dict:
    """What the live panel shows of a run, built once per tick (`view_tick`) for every tab watching it.

    Only plain text and the Vega-Lite specs are kept, not the snapshot (whose per-step curves grow
    large on long runs).
    """
    # Imported at the first chart, not with the page: altair and pandas load for longer than a
    # bare Streamlit page takes to show its controls (nextword/page/app.py draws those first).
    from nextword.charts import chart_style, held_out_charts, run_charts

    progress = _run.progress()
    status = STATUS_LABELS.get(progress.status, progress.status)
    if progress.status == Status.RUNNING and progress.step == 0:
        status = "starting (loading TensorFlow and building the model)"
    rate = f"{progress.steps_per_second:,.0f} steps/s" if progress.steps_per_second else "– steps/s"
    holdout = progress.holdout_window_count > 0  # known from the start: the legend never changes
    lstm, ngram = progress.held_out_scores or (None, None)
    unit = "characters" if _run.data.corpus_config.symbol_mode == "characters" else "words"
    loss = run_charts.loss_data(
        progress.losses, progress.total_steps, progress.eval_steps, progress.holdout_losses, holdout
    )
    accuracy = run_charts.accuracy_data(
        progress.batch_accuracies,
        progress.eval_steps,
        progress.eval_accuracies,
        progress.ceiling,
        progress.total_steps,
        progress.holdout_accuracies,
        progress.ngram_accuracy,
        progress.ngram_holdout_accuracy,
        holdout,
    )
    perplexity = held_out_charts.perplexity_data(
        progress.eval_steps,
        progress.perplexities,
        progress.holdout_perplexities,
        progress.total_steps,
        ngram_held_out=progress.ngram_holdout_perplexity,
        ngram_training=progress.ngram_perplexity,
        uniform=progress.vocabulary_size,
        unigram=progress.unigram_holdout_perplexity,
        best_step=progress.best_step,
    )
    return {
        "queue_position": progress.queue_position if progress.status == Status.QUEUED else None,
        "fraction": progress.fraction_done,
        "progress_text": f"Step {progress.step:,} / {progress.total_steps:,} · {rate} · "
        f"ETA {format_seconds(progress.eta_seconds)} · {status}",
        # Two rows of metrics: the run's, then the accuracies side by side (the LSTM's, then the n-gram's).
        "metrics": (
            {
                "Step": f"{progress.step:,}",
                "Loss": "–" if not progress.losses else f"{progress.losses[-1]:.3f}",
                "Ceiling": format_percent(progress.ceiling),
                "Time": format_seconds(progress.elapsed_seconds),
            },
            {
                "Training accuracy": format_percent(progress.final_accuracy),
                "Held-out accuracy": format_percent(lstm.top1 if lstm else None),
                "n-gram training": format_percent(progress.ngram_accuracy),
                "n-gram held-out": format_percent(ngram.top1 if ngram else None),
            },
        )
        + (
            {
                "Held-out perplexity": format_perplexity(lstm.perplexity if lstm else None),
                "n-gram perplexity": format_perplexity(ngram.perplexity if ngram else None),
                "Held-out top-5": format_percent(lstm.top5 if lstm else None),
                "n-gram top-5": format_percent(ngram.top5 if ngram else None),
            },
        )
        * holdout,
        "metrics_note": held_out_note(progress, unit) if holdout else None,
        "samples": [f"step {sample.step:>6,}: {sample.text}" for sample in progress.samples],
        # Fixed dataset names: a live chart's spec stays the same between polls, only its rows change.
        "loss_spec": arrow_rows(chart_style.live_spec(run_charts.loss_layout, loss, "loss", "Loss")),
        "accuracy_spec": arrow_rows(
            chart_style.live_spec(run_charts.accuracy_layout, accuracy, "accuracy", "Accuracy")
        ),
        "perplexity_spec": arrow_rows(
            chart_style.live_spec(held_out_charts.perplexity_layout, perplexity, "perplexity", "Perplexity")
        )
        if holdout
        else None,
        "perplexity_sentence": perplexity_sentence(progress, unit) if holdout else None,
    }


def held_out_note(progress: TrainingProgress, unit: str = "words") -> str:
    """Which windows and weights the held-out metrics are of."""
    top5 = f"Top-5: how often the true {unit[:-1]} is among the network's five likeliest."
    if progress.kept_held_out is not None:
        return (
            f"Held-out figures: all {progress.holdout_window_count:,} held-out {unit}, the network with "
            f"the weights it kept for predicting and writing. {top5}"
        )
    scored, held_out = progress.holdout_scored_count, progress.holdout_window_count
    which = "all" if scored >= held_out else f"a fixed sample of {scored:,} of the"
    return (
        f"Held-out figures: the latest point, on {which} {held_out:,} held-out {unit}; on all of them, "
        f"with the weights it keeps, once the run ends. {top5}"
    )


def arrow_rows(spec: dict) -> dict:
    """The spec with its rows as Arrow bytes, as Streamlit sends them: converted once for every tab
    that draws this view, not by each tab's `st.vega_lite_chart` on each redraw."""
    from streamlit import dataframe_util

    datasets = {
        name: dataframe_util.convert_anything_to_arrow_bytes(rows) for name, rows in spec["datasets"].items()
    }
    return {**spec, "datasets": datasets}
