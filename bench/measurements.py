"""The measurements that load TensorFlow, one per child process: `python bench/measurements.py NAME JSON`.

Training goes through the library's own `TrainingRun`, as the page and the CLI run it, timed through
its public listener (`Timeline`). Each measurement prints its table rows and the raw figures the
parent combines across children.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import RESULT_MARKER, Table, format_seconds, make_importable, median_seconds, memory_megabytes

make_importable()

from nextword import inside  # noqa: E402 - the measured checkout first on sys.path
from nextword.config import ModelConfig, TrainConfig, article_configs  # noqa: E402
from nextword.inference.ngram import NGramModel  # noqa: E402
from nextword.page.options import NEIGHBOURS_SHOWN, STRIP_WINDOW, UNITS_SHOWN  # noqa: E402 - no Streamlit
from nextword.text.corpus import DEFAULT_STORY, bundled_stories, load_story  # noqa: E402
from nextword.text.dataset import TrainingData, prepare_training_data  # noqa: E402
from nextword.text.run_windows import suggested_settings  # noqa: E402
from nextword.training.run import TrainingRun  # noqa: E402
from nextword.training.spare_models import SparePool, spare_key  # noqa: E402
from nextword.training.tensorflow_runtime import device_description, import_keras  # noqa: E402

ARTICLE_STEPS = article_configs()[1].steps
ARTICLE_SECONDS = {1: 60.0, 2: 150.0}  # issue 13: 50,000 steps of the recipe with 1 or 2 layers
ARTICLE_ACCURACY = {1: 0.906, 2: 0.952}  # the article's running accuracy at 50,000 steps
DEFAULT_RUN_SECONDS = 1.0  # issue 13's default run
# Issue 24 on the long story: the LSTM's held-out perplexity against Kneser-Ney's, its best step
# reached in this much training, the n-gram's build, held-out scoring's share; issue 11's views.
PERPLEXITY_RATIO, BEST_STEP_SECONDS, NGRAM_SECONDS, HOLDOUT_SHARE = 0.93, 120.0, 3.0, 0.10
PEAK_MEGABYTES, VIEW_SECONDS = 2048.0, 50e-3
LONG_STORY = "data/tiny_shakespeare.txt"
RUNNING_WINDOW = 1000  # the article's console averages over 1,000 steps


class Timeline:
    """A run's listener: (arrival time, step, training seconds) of every snapshot with a new step; only
    the latest snapshot itself (each holds every step's loss: all of them would weigh on peak memory)."""

    def __init__(self, run: TrainingRun):
        self.run, self.started, self.last = run, math.nan, None
        self.points: list[tuple[float, int, float]] = []

    def __call__(self, progress) -> None:
        if progress.step > (self.points[-1][1] if self.points else 0):
            self.points.append((time.perf_counter(), progress.step, progress.elapsed_seconds))
        self.last = progress

    def summary(self) -> str:
        """From `start()` to the first step's snapshot (model build and trace), the training clock then."""
        wait, seconds = self.points[0][0] - self.started, self.points[0][2]
        return f"start() → first step {wait:.2f} s (itself {seconds:.2f} s); {len(self.points)} snapshots"

    def steps_per_second(self, skip_seconds: float = 0.0) -> float:
        """Steps per training second after the first step (and `skip_seconds` more of warm-up)."""
        steady = [point for point in self.points if point[2] >= self.points[0][2] + skip_seconds]
        first, last = (steady[0] if len(steady) >= 2 else self.points[0]), self.points[-1]
        return (last[1] - first[1]) / (last[2] - first[2]) if last[2] > first[2] else math.nan

    def seconds_at(self, step: int) -> float:
        """The training clock when the run reached `step` (interpolated between snapshots)."""
        _, steps, seconds = zip(*self.points, strict=True)
        return float(np.interp(step, steps, seconds))


def train(data: TrainingData, model_config, train_config, cap_seconds=math.inf, spares=None) -> Timeline:
    """One `TrainingRun` to its end (from a spare of `spares` if it holds one), or stopped after
    `cap_seconds` of wall time; its timeline."""
    run = TrainingRun(data, model_config, train_config)
    timeline = Timeline(run)
    run.add_listener(timeline)
    timeline.started = time.perf_counter()
    run.start(spares=spares)
    while run.is_alive():
        run.wait(0.25)
        if time.perf_counter() - timeline.started > cap_seconds:
            run.stop()
    progress = run.wait()
    run.remove_listener(timeline)
    if progress.status == "failed" or not timeline.points:
        raise RuntimeError(f"training failed: {progress.error}")
    return timeline


def fable_data(model_config: ModelConfig) -> TrainingData:
    path = bundled_stories()[DEFAULT_STORY]
    return prepare_training_data(load_story(path.read_bytes(), name=path.stem), model_config)


def result(table: Table, **raw) -> dict[str, Any]:
    return {"rows": [dataclasses.asdict(row) for row in table.rows], **raw}


def measure_fable_default(parameters: dict[str, Any]) -> dict[str, Any]:
    """The default run on the fable: the process's first, then from a spare model (the page's Train:
    the model for the settings on screen was built and traced before the click)."""
    import_keras()
    table = Table("1")
    model_config, train_config = ModelConfig(), TrainConfig()
    data = fable_data(model_config)
    first = train(data, model_config, train_config)
    spares = SparePool()
    spares.prepare_in_background(data, model_config, train_config)
    spares.wait_ready(spare_key(data, model_config, train_config), timeout=300)
    spared = train(data, model_config, train_config, spares=spares)
    spares.close()
    table.add("device", device_description())
    last = first.last
    right, ceiling = (round(value * last.window_count) for value in (last.final_accuracy or 0, last.ceiling))
    note = f"{last.step} steps ({last.status}), {right}/{last.window_count} windows right (the ceiling "
    note += f"{ceiling}); {first.summary()}; {first.steps_per_second():.0f} steps/s after it"
    figure = "default run on the fable: training s (first-step trace included)"
    table.check(figure, last.elapsed_seconds, DEFAULT_RUN_SECONDS, note=note)
    figure = "default run from a spare model (the page's Train): training s"
    table.check(figure, spared.last.elapsed_seconds, DEFAULT_RUN_SECONDS, note=spared.summary())
    return result(table, training_seconds=last.elapsed_seconds, spare_seconds=spared.last.elapsed_seconds)


def measure_article(parameters: dict[str, Any]) -> dict[str, Any]:
    """nextword's article mode on the fable, to 50,000 steps or the wall-time cap (then extrapolated)."""
    import_keras()
    layers, seed, table = parameters["layers"], parameters["seed"], Table("1")
    model_config, train_config = article_configs(layers=layers)
    train_config = dataclasses.replace(train_config, seed=seed)
    timeline = train(fable_data(model_config), model_config, train_config, parameters["cap_seconds"])
    last, rate = timeline.last, timeline.steps_per_second(skip_seconds=1.0)
    measured = last.step >= ARTICLE_STEPS
    seconds = last.elapsed_seconds if measured else timeline.points[0][2] + (ARTICLE_STEPS - 1) / rate
    name = f"article ({layers} layer{'s' if layers > 1 else ''}, seed {seed})"
    value = f"{seconds:,.0f} s" + (" (measured)" if measured else f" (EXTRAPOLATED from {last.step:,} steps)")
    note = f"{format_seconds(1 / rate)} a step after the first; {timeline.summary()}"
    # The article's console prints the mean batch accuracy of the last 1,000 steps.
    accuracies = np.asarray(last.batch_accuracies, dtype=np.float64)
    if last.step >= RUNNING_WINDOW:
        running = accuracies[-max(1, round(RUNNING_WINDOW * len(accuracies) / last.step)) :].mean()
        note += f"; running accuracy at step {last.step:,} {running:.1%} (the article's at 50,000: "
        note += f"{ARTICLE_ACCURACY[layers]:.1%})"
    table.check(f"{name}: nextword, 50,000 steps", seconds, ARTICLE_SECONDS[layers], value, note=note)
    return result(table, name=name, seconds=seconds, measured=measured)


def view_seconds(run: TrainingRun, repeats: int) -> dict[str, float]:
    """Median seconds of each inside view's computations, as the page makes them on every rerun."""
    predictor, symbols, ids = run.predictor(), run.data.story.symbols, run.data.story_ids
    place, symbol = len(symbols) // 2, run.data.vocabulary.symbol_of(0)
    context = inside.context_before(symbols, place, predictor.n_input)

    def gates() -> None:
        traced = inside.prediction_gates(predictor, context)
        for layer in range(len(traced.layers)):
            inside.changing_units(traced, layer, "cell", UNITS_SHOWN)

    views = {
        f"reading strip ({STRIP_WINDOW} places + the picked one)": lambda: (
            inside.reading_strip(predictor, ids, 0, STRIP_WINDOW),
            inside.reading_strip(predictor, ids, place, 1),
        ),
        "gates and memory (+ units that change most)": gates,
        "word map (PCA) + nearest neighbours": lambda: (
            inside.word_map(predictor),
            inside.nearest_neighbours(predictor, symbol, NEIGHBOURS_SHOWN),
        ),
        "one prediction in slow motion": lambda: inside.slow_motion(predictor, context),
        "top-k (k=5), the numpy predictor": lambda: predictor.top_k(list(context), 5),
        "generate 32 symbols, greedy": lambda: predictor.generate(list(context), 32),
    }
    return {name: median_seconds(view, repeats) for name, view in views.items()}


def measure_lesson(parameters: dict[str, Any]) -> dict[str, Any]:
    """One seed on the long story at the page's suggested settings: the LSTM at its kept step beside
    Kneser-Ney on the held-out part, the training seconds to that step, the n-gram's build, scoring's
    share, the peak memory; with `views`, the inside views on the trained run."""
    import_keras()
    table, seed = Table("5"), parameters["seed"]
    story = load_story(Path(LONG_STORY).read_bytes(), name=Path(LONG_STORY).name)
    suggestion = suggested_settings(story.symbol_count)
    model_config = ModelConfig(dropout=suggestion.dropout)
    steps = parameters.get("steps") or suggestion.steps
    train_config = TrainConfig(steps=steps, holdout=suggestion.holdout, seed=seed)
    data = prepare_training_data(story, model_config, suggestion.holdout)
    timeline = train(data, model_config, train_config)
    run, last = timeline.run, timeline.last
    began = time.perf_counter()
    NGramModel().fit(data.contexts[run.windows.train], data.targets[run.windows.train], len(data.vocabulary))
    ngram_seconds = time.perf_counter() - began
    metrics = run.metrics()
    lstm, ngram = metrics["lstm"]["held_out"], metrics["ngram"]["held_out"]
    label, show = f"{story.name}, seed {seed}", "{:.3f}×".format
    note = f"LSTM {lstm['perplexity']:.1f} at step {metrics['best_step']:,} of {last.step:,}, "
    note += f"Kneser-Ney {ngram['perplexity']:.1f}"
    ratio, figure = (
        lstm["perplexity"] / ngram["perplexity"],
        f"held-out perplexity, LSTM / Kneser-Ney ({label})",
    )
    table.check(figure, ratio, PERPLEXITY_RATIO, show=show, note=note)
    top1 = f"LSTM {lstm['top1']:.1%} / Kneser-Ney {ngram['top1']:.1%} "
    top1 += f"(top-5 {lstm['top5']:.1%} / {ngram['top5']:.1%})"
    verdict = "met" if lstm["top1"] >= ngram["top1"] else "MISSED"
    table.add(f"held-out top-1 ({label})", top1, "LSTM at least Kneser-Ney's", verdict)
    note, show = f"{last.elapsed_seconds:.0f} s for all {last.step:,} steps", "{:.0f} s".format
    seconds = timeline.seconds_at(metrics["best_step"])
    table.check(f"training s to the kept step ({label})", seconds, BEST_STEP_SECONDS, show=show, note=note)
    note = f"{len(last.eval_steps)} scorings of {len(run.windows.holdout_windows):,} held-out windows"
    share, show = last.holdout_scoring_seconds / last.elapsed_seconds, "{:.1%}".format
    table.check(f"held-out scoring / training s ({label})", share, HOLDOUT_SHARE, show=show, note=note)
    table.check(f"Kneser-Ney build, {metrics['training_windows']:,} windows", ngram_seconds, NGRAM_SECONDS)
    peak, show = memory_megabytes("self", "VmHWM"), "{:,.0f} MB".format
    table.check(f"peak RSS ({label})", peak, PEAK_MEGABYTES, show=show)
    if parameters.get("views"):
        for name, seconds in view_seconds(run, 20).items():
            table.check(f"inside: {name} ({story.name})", seconds, VIEW_SECONDS)
    return result(table, metrics=metrics)


def measure_backends(parameters: dict[str, Any]) -> dict[str, Any]:
    """The default run on the fable through each backend: Train until the call returns and until the
    first point, a progress poll, the first predictor (weights fetched), and each process's memory.
    Ray first, so the replica's memory is measured before this process loads TensorFlow."""
    import ray
    from ray._private.state import actors  # the actors' process ids, without Ray's dashboard

    from nextword.training.backend import LocalBackend
    from nextword.training.ray_backend import JOB_ENVIRONMENT, NAMESPACE, RayBackend
    from nextword.training.registry import RunRegistry, run_key

    table, model_config, train_config = Table("6"), ModelConfig(), TrainConfig(steps=parameters["steps"])
    data = fable_data(model_config)
    key = run_key(data.story, model_config, train_config)
    rss, tensorflow = lambda pid: f"{memory_megabytes(pid):,.0f} MB", lambda: "tensorflow" in sys.modules
    began = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE, runtime_env=JOB_ENVIRONMENT)
    table.add("ray.init(num_cpus=2), a local cluster", format_seconds(time.perf_counter() - began))
    ray_backend = RayBackend.connect("auto", max_running=2, max_kept=8, registry_name="nextword-bench")
    for name, backend in (("Ray", ray_backend), ("in-process", None)):
        if backend is None:
            import_keras()  # as the page has it loaded in the background before a Train
            backend = local = LocalBackend(RunRegistry(max_running=2, max_kept=8))
        began = time.perf_counter()
        run, _ = backend.get_or_start(key, data, model_config, train_config)
        returned = time.perf_counter() - began
        run.wait_for(lambda progress: progress.step > 0 or progress.done, 300)
        first_point = time.perf_counter() - began
        fresh = {"fresh": True} if name == "Ray" else {}  # the replica's cache would answer otherwise
        poll = format_seconds(median_seconds(lambda run=run, fresh=fresh: run.progress(**fresh), 50))
        run.wait(300)
        began = time.perf_counter()
        run.predictor()
        predictor, value = format_seconds(time.perf_counter() - began), format_seconds(returned)
        value += f" / {format_seconds(first_point)}"
        table.add(f"{name}: Train → the call returns / → the first point", value, note=f"a poll {poll}")
        table.add(f"{name}: the first predictor (weights fetched)", predictor)
        if name == "Ray":  # the replica holds no TensorFlow; the registry and each trainer are processes
            alive = [
                (each["ActorClassName"], each["Pid"])
                for each in actors().values()
                if each["State"] == "ALIVE"
            ]
            processes = [("the replica", os.getpid()), *sorted(alive)]
            value = ", ".join(f"{kind} {rss(pid)}" for kind, pid in processes)
            table.add("Ray: RSS of each process", value, note=f"TensorFlow in the replica: {tensorflow()}")
    table.add("in-process: RSS of the page's one process", rss(os.getpid()), note="it held the replica too")
    ray_backend.close()
    local.stop_all(timeout=30)
    ray.shutdown()
    return result(table)


MEASUREMENTS = {"fable_default": measure_fable_default, "article": measure_article}
MEASUREMENTS |= {"lesson": measure_lesson, "backends": measure_backends}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in MEASUREMENTS:
        sys.exit(f"usage: measurements.py {{{','.join(MEASUREMENTS)}}} 'JSON PARAMETERS'")
    figures = MEASUREMENTS[sys.argv[1]](json.loads(sys.argv[2]))
    figures["peak_rss_megabytes"] = memory_megabytes("self", "VmHWM")
    numbers = lambda value: value.tolist() if hasattr(value, "tolist") else str(value)  # noqa: E731
    print(RESULT_MARKER + json.dumps(figures, default=numbers))
