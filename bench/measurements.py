"""The measurements that load TensorFlow, one per child process: `python bench/measurements.py NAME JSON`.

Training goes through the library's own `TrainingRun`, as the page and the CLI run it, timed through
its public listener: `Timeline` stamps every snapshot the run publishes as it arrives. The time to
the first step, to the ceiling and the steps per second come from those stamps and the snapshots'
own training clock (`elapsed_seconds`, which starts once the model is built). A plain TensorFlow
loop and a bare `model.fit` of the same model show what the library adds to a step. Each
measurement returns its table rows and the raw figures the parent combines across children.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import Table, format_seconds, make_importable, median_seconds, peak_rss_megabytes, report_result

make_importable()

from nextword import inside  # noqa: E402
from nextword.config import ModelConfig, TrainConfig, article_configs  # noqa: E402
from nextword.inference.ngram import NGramModel  # noqa: E402
from nextword.page.options import NEIGHBOURS_SHOWN, STRIP_WINDOW, UNITS_SHOWN  # noqa: E402 - no Streamlit
from nextword.text.corpus import DEFAULT_STORY, bundled_stories, load_story  # noqa: E402
from nextword.text.dataset import TrainingData, prepare_training_data  # noqa: E402
from nextword.text.run_windows import suggested_settings  # noqa: E402
from nextword.text.windows import article_order  # noqa: E402
from nextword.training.model import build_model  # noqa: E402
from nextword.training.run import TrainingRun  # noqa: E402
from nextword.training.spare_models import SparePool, spare_key  # noqa: E402 - sys.path
from nextword.training.tensorflow_runtime import device_description, import_keras, import_tensorflow  # noqa: E402 - sys.path

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
    """A run's listener: (arrival time, step, training seconds) of every snapshot with a new step.

    Keeps the latest snapshot only: each holds every step's loss so far, and keeping them all would
    weigh on the peak memory the bench reports.
    """

    def __init__(self, run: TrainingRun):
        self.run, self.started, self.last = run, math.nan, None
        self.points: list[tuple[float, int, float]] = []

    def __call__(self, progress) -> None:
        if progress.step > (self.points[-1][1] if self.points else 0):
            self.points.append((time.perf_counter(), progress.step, progress.elapsed_seconds))
        self.last = progress

    @property
    def start_to_first_step(self) -> float:
        """From `start()` until the first step's snapshot arrived: model build and first-step trace."""
        return self.points[0][0] - self.started

    @property
    def first_step_seconds(self) -> float:
        """The training clock at the first step's snapshot: the first step, with its trace."""
        return self.points[0][2]

    def steps_per_second(self, skip_seconds: float = 0.0) -> float:
        """Steps per training second after the first step (and `skip_seconds` more of warm-up)."""
        steady = [point for point in self.points if point[2] >= self.first_step_seconds + skip_seconds]
        first, last = (steady[0] if len(steady) >= 2 else self.points[0]), self.points[-1]
        return (last[1] - first[1]) / (last[2] - first[2]) if last[2] > first[2] else math.nan

    def ceiling(self) -> tuple[int | None, float]:
        """The first scored step whose exact accuracy reached the ceiling, and the training seconds
        then (interpolated between snapshots); the run scores every few steps."""
        scores = zip(self.last.eval_steps, self.last.eval_accuracies, strict=True)
        step = next((step for step, accuracy in scores if accuracy >= self.last.ceiling - 1e-9), None)
        if step is None:
            return None, math.nan
        return step, float(np.interp(step, [point[1] for point in self.points], [p[2] for p in self.points]))


def train(
    data: TrainingData,
    model_config,
    train_config,
    cap_seconds: float = math.inf,
    spares: SparePool | None = None,
) -> Timeline:
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


# ----- part 1: the default run on the fable -----


def measure_fable_default(parameters: dict[str, Any]) -> dict[str, Any]:
    """The default run on the fable (the process's first, then again, then from a spare model)."""
    began = time.perf_counter()
    import_keras()
    table, import_seconds = Table(), time.perf_counter() - began
    model_config, train_config = ModelConfig(), TrainConfig()
    data = fable_data(model_config)
    first, again = (train(data, model_config, train_config) for _ in range(2))
    # The page's Train: the model for the settings on screen was built and traced before the click.
    spares = SparePool()
    spares.prepare_in_background(data, model_config, train_config)
    spares.wait_ready(spare_key(data, model_config, train_config), timeout=300)
    spared = train(data, model_config, train_config, spares=spares)
    spares.close()
    last, (ceiling_step, ceiling_seconds) = first.last, first.ceiling()
    table.add("1", "device", device_description(), note=f"TensorFlow import {import_seconds:.1f} s")
    right, ceiling = (round(value * last.window_count) for value in (last.final_accuracy or 0, last.ceiling))
    value = f"{last.step} steps ({last.status}), {right}/{last.window_count} right"
    verdict = "met" if right >= ceiling else f"MISSED by {ceiling - right} windows"
    reason = (getattr(last, "stop_reason", None) or f"ran all {last.total_steps} steps").split(". ")[0]
    table.add(
        "1", "default run on the fable: exact accuracy at the end", value, "the ceiling", verdict, reason
    )
    note = (
        f"again in the same process {again.last.elapsed_seconds:.2f} s; first step "
        f"{first.first_step_seconds:.2f} s; start() → first step {first.start_to_first_step:.2f} s "
        "(model build + trace); "
        f"{first.steps_per_second():.0f} steps/s after it; {len(first.points)} snapshots"
    )
    figure = "default run: training s (first-step trace included)"
    table.at_most("1", figure, last.elapsed_seconds, DEFAULT_RUN_SECONDS, note=note)
    note = f"{spared.last.step} steps ({spared.last.status}); start() → first step "
    note += f"{spared.start_to_first_step:.2f} s"
    figure = "default run from a spare model (the page's Train: traced before): training s"
    table.at_most("1", figure, spared.last.elapsed_seconds, DEFAULT_RUN_SECONDS, note=note)
    note = f"exact accuracy scored at steps {list(last.eval_steps[:3])}...: the step is good to that spacing"
    value = f"step {ceiling_step}, {ceiling_seconds:.2f} s"
    table.add("1", "default run: step and training s at the ceiling", value, note=note)
    return result(
        table,
        training_seconds=last.elapsed_seconds,
        spare_training_seconds=spared.last.elapsed_seconds,
    )


# ----- part 1: the article's recipe, through nextword and as a plain TensorFlow loop -----


def measure_article(parameters: dict[str, Any]) -> dict[str, Any]:
    """nextword's article mode on the fable, to 50,000 steps or the wall-time cap."""
    import_keras()
    layers, seed, table = parameters["layers"], parameters["seed"], Table()
    model_config, train_config = article_configs(layers=layers)
    data = fable_data(model_config)
    train_config = dataclasses.replace(train_config, seed=seed)
    timeline = train(data, model_config, train_config, parameters["cap_seconds"])
    last, rate = timeline.last, timeline.steps_per_second(skip_seconds=1.0)
    measured = last.step >= ARTICLE_STEPS
    seconds = last.elapsed_seconds if measured else timeline.first_step_seconds + (ARTICLE_STEPS - 1) / rate
    name = f"article ({layers} layer{'s' if layers > 1 else ''}, seed {seed})"
    value = f"{seconds:,.0f} s" + (" (measured)" if measured else f" (EXTRAPOLATED from {last.step:,} steps)")
    note = (
        f"{format_seconds(1 / rate)} a step after the first ({timeline.first_step_seconds:.2f} s); start() → "
        f"first step {timeline.start_to_first_step:.2f} s; {len(timeline.points)} snapshots"
    )
    figure = f"{name}: nextword, 50,000 steps"
    table.at_most("1", figure, seconds, ARTICLE_SECONDS[layers], value, note=note)
    # One value per step, or an exact mean per block of steps: the last 1,000 steps either way.
    accuracies = np.asarray(last.batch_accuracies, dtype=np.float64)
    tail = max(1, round(RUNNING_WINDOW * len(accuracies) / max(1, last.step)))
    if last.step >= RUNNING_WINDOW:
        running, goal = float(accuracies[-tail:].mean()), ARTICLE_ACCURACY[layers]
        verdict = f"{(running - goal) * 100:+.1f} points" if measured else "stopped early"
        figure = f"{name}: running accuracy at step {last.step:,}"
        note = "the mean batch accuracy of the last 1,000 steps, as the article's console prints it"
        table.add("1", figure, f"{running:.1%}", f"the article's {goal:.1%}", verdict, note)
    return result(table, name=name, layers=layers, seconds=seconds, step_seconds=1 / rate, measured=measured)


def measure_plain_loop(parameters: dict[str, Any]) -> dict[str, Any]:
    """The article's recipe as a plain TensorFlow loop: a `tf.function` step on one window, RMSProp
    0.001, called once per step from Python, reading the loss and the hit every step as the
    article's `session.run` does. The same model (`build_model`), windows and order as nextword's."""
    tf, keras = import_tensorflow(), import_keras()
    model_config, train_config = article_configs(layers=parameters["layers"])
    data = fable_data(model_config)
    model = build_model(model_config, len(data.vocabulary), train_config)
    optimizer = model.optimizer  # RMSProp 0.001, its slots already built
    cross_entropy = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step(context, target):
        with tf.GradientTape() as tape:
            logits = model(context, training=True)
            loss = cross_entropy(target, logits)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss, tf.equal(tf.argmax(logits, axis=-1, output_type=tf.int32), target)

    steps = parameters["steps"]
    order = article_order(data.window_count, model_config.n_input, steps, train_config.seed)
    contexts, targets = data.contexts.astype(np.float32), data.targets.astype(np.int32)
    began = time.perf_counter()
    float(step(contexts[order[:1]], targets[order[:1]])[0])
    trace, hits, began = time.perf_counter() - began, 0, time.perf_counter()
    for index in order[1:]:
        loss, hit = step(contexts[index : index + 1], targets[index : index + 1])
        float(loss)
        hits += bool(hit[0])
    step_seconds, table = (time.perf_counter() - began) / (steps - 1), Table()
    seconds = trace + (ARTICLE_STEPS - 1) * step_seconds
    layers = parameters["layers"]
    figure = f"article ({layers} layer{'s' if layers > 1 else ''}): a plain TensorFlow loop, 50,000 steps"
    note = (
        f"{format_seconds(step_seconds)} a step, trace {trace:.2f} s: a tf.function step on one window, "
        "RMSProp 0.001, called per step from Python, loss and hit read every step"
    )
    table.add("1", figure, f"{seconds:,.0f} s (EXTRAPOLATED from {steps:,} steps)", note=note)
    return result(table, step_seconds=step_seconds, hits=hits)


# ----- part 5: a long synthetic story -----


# ----- part 5: the held-out lesson on a long story (issue 24) and the inside views (issue 11) -----


def view_seconds(run: TrainingRun, repeats: int) -> dict[str, float]:
    """Median seconds of each inside view's computations, as the page makes them on every rerun."""
    predictor, symbols, vocabulary = run.predictor(), run.data.story.symbols, run.data.vocabulary
    place, symbol = len(symbols) // 2, vocabulary.symbol_of(0)
    context = inside.context_before(symbols, place, predictor.n_input)

    def strip() -> None:  # a window of the story's ids (kept with the run's data) and the picked place
        ids = run.data.story_ids
        inside.reading_strip(predictor, ids, 0, STRIP_WINDOW), inside.reading_strip(predictor, ids, place, 1)

    def gates() -> None:
        traced = inside.prediction_gates(predictor, context)
        for layer in range(len(traced.layers)):
            inside.changing_units(traced, layer, "cell", UNITS_SHOWN)

    def word_map() -> None:
        inside.word_map(predictor), inside.nearest_neighbours(predictor, symbol, NEIGHBOURS_SHOWN)

    views = {
        f"reading strip ({STRIP_WINDOW} places + the picked one)": strip,
        "gates and memory (+ units that change most)": gates,
        "word map (PCA) + nearest neighbours": word_map,
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
    table, seed = Table(), parameters["seed"]
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
    label = f"{story.name}, seed {seed}"
    ratio = lstm["perplexity"] / ngram["perplexity"]
    note = f"LSTM {lstm['perplexity']:.1f} at step {metrics['best_step']:,} of {last.step:,}, "
    note += f"Kneser-Ney {ngram['perplexity']:.1f}"
    table.at_most(
        "5",
        f"held-out perplexity, LSTM / Kneser-Ney ({label})",
        ratio,
        PERPLEXITY_RATIO,
        show="{:.3f}×".format,
        note=note,
    )
    top1 = f"LSTM {lstm['top1']:.1%} / Kneser-Ney {ngram['top1']:.1%} "
    top1 += f"(top-5 {lstm['top5']:.1%} / {ngram['top5']:.1%})"
    verdict = "met" if lstm["top1"] >= ngram["top1"] else "MISSED"
    table.add("5", f"held-out top-1 ({label})", top1, "LSTM at least Kneser-Ney's", verdict)
    steps_seen = [point[1] for point in timeline.points]
    at_best = float(np.interp(metrics["best_step"], steps_seen, [point[2] for point in timeline.points]))
    note = f"{last.elapsed_seconds:.0f} s for all {last.step:,} steps"
    table.at_most(
        "5",
        f"training s to the kept step ({label})",
        at_best,
        BEST_STEP_SECONDS,
        show="{:.0f} s".format,
        note=note,
    )
    note = f"{len(last.eval_steps)} scorings of {len(run.windows.holdout_windows):,} held-out windows"
    share = last.holdout_scoring_seconds / last.elapsed_seconds
    table.at_most(
        "5", f"held-out scoring / training s ({label})", share, HOLDOUT_SHARE, show="{:.1%}".format, note=note
    )
    table.at_most(
        "5", f"Kneser-Ney build, {metrics['training_windows']:,} windows", ngram_seconds, NGRAM_SECONDS
    )
    table.at_most("5", f"peak RSS ({label})", peak_rss_megabytes(), PEAK_MEGABYTES, show="{:,.0f} MB".format)
    if parameters.get("views"):
        for name, seconds in view_seconds(run, 20).items():
            table.at_most("5", f"inside: {name} ({story.name})", seconds, VIEW_SECONDS)
    return result(table, metrics=metrics)


# ----- part 6: the Ray path beside the in-process one (issue 26) -----


def measure_backends(parameters: dict[str, Any]) -> dict[str, Any]:
    """The default run on the fable through each backend: Train until the call returns and until the
    first point, a progress poll, the first predictor (weights fetched), and this process's memory."""
    import ray

    from nextword.training.backend import LocalBackend
    from nextword.training.ray_backend import JOB_ENVIRONMENT, NAMESPACE, RayBackend
    from nextword.training.registry import RunRegistry, run_key

    import_keras()
    table, model_config, train_config = Table(), ModelConfig(), TrainConfig(steps=parameters["steps"])
    data = fable_data(model_config)
    key = run_key(data.story, model_config, train_config)
    began = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, namespace=NAMESPACE, runtime_env=JOB_ENVIRONMENT)
    table.add("6", "ray.init(num_cpus=2), a local cluster", format_seconds(time.perf_counter() - began))
    backends = {
        "in-process": LocalBackend(RunRegistry(max_running=2, max_kept=8)),
        "Ray": RayBackend.connect("auto", max_running=2, max_kept=8, registry_name="nextword-bench"),
    }
    for name, backend in backends.items():
        began = time.perf_counter()
        run, _ = backend.get_or_start(key, data, model_config, train_config)
        returned = time.perf_counter() - began
        run.wait_for(lambda progress: progress.step > 0 or progress.done, 300)
        first_point = time.perf_counter() - began
        fresh = {"fresh": True} if name == "Ray" else {}  # the replica's cache would answer otherwise
        poll = median_seconds(lambda run=run, fresh=fresh: run.progress(**fresh), 50)
        run.wait(300)
        began = time.perf_counter()
        run.predictor()
        predictor = format_seconds(time.perf_counter() - began)
        figure = f"{name}: Train → the call returns / → the first point"
        value = f"{format_seconds(returned)} / {format_seconds(first_point)}"
        table.add("6", figure, value, note=f"a progress poll {format_seconds(poll)} (uncached)")
        table.add("6", f"{name}: the first predictor (weights fetched)", predictor)
    note = "TensorFlow loaded for the in-process run; a Ray trainer is a process of its own"
    table.add("6", "this process, peak RSS", f"{peak_rss_megabytes():,.0f} MB", note=note)
    backends["Ray"].close()
    backends["in-process"].stop_all(timeout=30)
    ray.shutdown()
    return result(table)


MEASUREMENTS = {
    "fable_default": measure_fable_default,
    "article": measure_article,
    "plain_loop": measure_plain_loop,
    "lesson": measure_lesson,
    "backends": measure_backends,
}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in MEASUREMENTS:
        sys.exit(f"usage: measurements.py {{{','.join(MEASUREMENTS)}}} 'JSON PARAMETERS'")
    report_result(MEASUREMENTS[sys.argv[1]](json.loads(sys.argv[2])))
