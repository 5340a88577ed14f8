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
from nextword.inference.predictor import Predictor  # noqa: E402
from nextword.page.options import NEIGHBOURS_SHOWN, STRIP_WINDOW, UNITS_SHOWN  # noqa: E402 - no Streamlit
from nextword.text.corpus import DEFAULT_STORY, bundled_stories, load_story  # noqa: E402
from nextword.text.dataset import TrainingData, prepare_training_data  # noqa: E402
from nextword.text.windows import article_order  # noqa: E402
from nextword.training.model import build_model, count_parameters  # noqa: E402
from nextword.training.run import TrainingRun  # noqa: E402
from nextword.training.spare_models import SparePool, spare_key  # noqa: E402 - sys.path
from nextword.training.tensorflow_runtime import device_description, import_keras, import_tensorflow  # noqa: E402 - sys.path

ARTICLE_STEPS = article_configs()[1].steps
ARTICLE_SECONDS = {1: 60.0, 2: 150.0}  # issue 13: 50,000 steps of the recipe with 1 or 2 layers
ARTICLE_ACCURACY = {1: 0.906, 2: 0.952}  # the article's running accuracy at 50,000 steps
DEFAULT_RUN_SECONDS, FLOOR_RATIO = 1.0, 1.5  # issue 13's default run; issue 4's step floor
TOP_K_SECONDS, GENERATE_SECONDS = 1e-3, 10e-3
WINDOWS_PER_SECOND, PEAK_MEGABYTES, SCALE_TOP_K_SECONDS = 2000.0, 2048.0, 2e-3
NGRAM_SECONDS, HOLDOUT_SHARE, VIEW_SECONDS = 0.5, 0.10, 50e-3  # issues 10 ("well under a second") and 11
LONG_STORY = "tests/fixtures/long_story.txt"  # repeated to 100,000 symbols for part 6's long figures
RUNNING_WINDOW = 1000  # the article's console averages over 1,000 steps
# A step runs each matrix product three times (forward, two gradients); Adam touches each
# parameter about a dozen times (two moments, bias correction).
TRAINING_PASSES, OPTIMIZER_FLOPS_PER_PARAMETER = 3, 12


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


def training_flops(model_config: ModelConfig, vocabulary: int, batch: int) -> float:
    """FLOPs of a step's matrix products and of Adam's update (element-wise work left out, so a
    floor computed from it is a true lower bound): per window and time step, each LSTM layer
    multiplies its input and hidden state by the gates' kernels; the output is [units, vocabulary]."""
    units, lstm = model_config.units, 0.0
    width = model_config.embedding_dim if model_config.encoding == "embedding" else 1
    for _ in range(model_config.layers):
        lstm, width = lstm + model_config.n_input * 2 * 4 * units * (width + units), units
    optimizer = OPTIMIZER_FLOPS_PER_PARAMETER * count_parameters(model_config, vocabulary)
    return TRAINING_PASSES * batch * (lstm + 2.0 * units * vocabulary) + optimizer


def matmul_gflops(size: int = 2048) -> float:
    """GFLOP/s of a float32 TensorFlow product of two size² matrices (best of three)."""
    tf = import_tensorflow()
    left, right = (tf.random.stateless_normal((size, size), seed=(1, seed)) for seed in (2, 3))
    product = tf.function(tf.linalg.matmul)
    product(left, right).numpy()
    best = math.inf
    for _ in range(3):
        began = time.perf_counter()
        product(left, right).numpy()
        best = min(best, time.perf_counter() - began)
    return 2.0 * size**3 / best / 1e9


def result(table: Table, **raw) -> dict[str, Any]:
    return {"rows": [dataclasses.asdict(row) for row in table.rows], **raw}


# ----- parts 1 and 2: the default run on the fable, its step against the floor -----


def measure_fable_default(parameters: dict[str, Any]) -> dict[str, Any]:
    """The default run on the fable (the process's first, then again), a bare fit, the matmul rate."""
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
    # Part 2. A bare model.fit of the same model and batch, no callback: a step without the run.
    batch = min(train_config.batch_size, data.window_count)
    model, steps = build_model(model_config, len(data.vocabulary), train_config), parameters["bare_steps"]
    rows = np.arange(steps * batch) % data.window_count
    inputs, targets = data.contexts[rows].astype(np.float32), data.targets[rows]
    model.fit(inputs[:batch], targets[:batch], batch_size=batch, shuffle=False, verbose=0)  # the trace
    bare = []
    for _ in range(2):
        began = time.perf_counter()
        model.fit(inputs, targets, batch_size=batch, shuffle=False, verbose=0)
        bare.append((time.perf_counter() - began) / steps)
    flops, rate = training_flops(model_config, len(data.vocabulary), batch), matmul_gflops()
    floor = flops / rate / 1e9
    table.add("2", f"FLOPs of a default step (batch {batch})", f"{flops / 1e6:.0f} MFLOP")
    table.add("2", "matrix-multiply rate (float32 2048², TensorFlow)", f"{rate:.0f} GFLOP/s")
    table.add("2", "floor = FLOPs / rate", format_seconds(floor))
    for figure, seconds in (("a TrainingRun", 1 / first.steps_per_second()), ("a bare fit", min(bare))):
        value, times = f"{format_seconds(seconds)} ({seconds / floor:.1f}× the floor)", "{:.1f}×".format
        table.at_most("2", f"default: {figure}'s step", seconds / floor, FLOOR_RATIO, value, times)
    return result(
        table,
        training_seconds=last.elapsed_seconds,
        spare_training_seconds=spared.last.elapsed_seconds,
        bare_step_seconds=min(bare),
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


# ----- part 3: inference -----


def measure_inference(parameters: dict[str, Any]) -> dict[str, Any]:
    """Median latency of top-k and of 32 generated symbols: numpy predictor, model.predict, a call."""
    tf, table, repeats = import_tensorflow(), Table(), parameters["repeats"]
    model_config, context = ModelConfig(), "had a general"
    data = fable_data(model_config)
    model = train(data, model_config, TrainConfig()).run.model
    began = time.perf_counter()
    predictor = Predictor.from_model(model, data.vocabulary, data.corpus_config, model_config)
    copy_seconds = time.perf_counter() - began
    ids = predictor.encode_context(context)

    def predict(batch):
        return model.predict(batch, verbose=0)

    def call(batch):
        return model(tf.constant(batch), training=False).numpy()

    def generate_with(forward) -> None:
        window = list(ids)
        for _ in range(32):
            window = window[1:] + [int(np.argmax(forward(np.asarray([window], dtype=np.float32))[0]))]

    inputs = np.asarray([ids], dtype=np.float32)
    for label, limit, numpy, keras, few in (
        (
            "top-k (k=5)",
            TOP_K_SECONDS,
            lambda: predictor.top_k(context, 5),
            lambda forward: forward(inputs),
            10,
        ),
        ("generate 32", GENERATE_SECONDS, lambda: predictor.generate(context, 32), generate_with, 3),
    ):
        numpy_seconds = median_seconds(numpy, repeats)
        table.at_most("3", f"{label}, numpy predictor, median", numpy_seconds, limit)
        for name, forward in (("model.predict", predict), ("a direct model call", call)):
            seconds = median_seconds(lambda forward=forward, keras=keras: keras(forward), few, warmup=1)
            verdict = f"numpy {seconds / numpy_seconds:,.0f}× faster"
            table.add("3", f"{label}, {name}", format_seconds(seconds), verdict=verdict)
    agree = np.allclose(predictor.logits(inputs.astype(np.int64)), call(inputs), atol=1e-4, rtol=1e-4)
    note = f"numpy logits agree with Keras': {agree}; copying the weights out {format_seconds(copy_seconds)}"
    table.rows[-1].note = note
    return result(table)


# ----- part 5: a long synthetic story -----


def synthetic_story(word_count: int, vocabulary_size: int, seed: int = 0) -> str:
    """Made-up words whose frequencies fall off like a language's (Zipf), in sentences of 4-18 words.

    Half of the words follow their predecessor by a fixed rule, so there is something to learn;
    every word appears at least once. The same arguments always give the same text.
    """
    random = np.random.RandomState(seed)
    syllables = [onset + vowel for onset in ("", *"bdgklmnprstvz") for vowel in "aeiou"]
    words: dict[str, None] = {}
    while len(words) < vocabulary_size:
        words["".join(random.choice(syllables, random.randint(2, 5)))] = None
    names = list(words)
    frequencies = 1.0 / np.arange(1, vocabulary_size + 1)
    frequencies /= frequencies.sum()
    drawn = random.choice(vocabulary_size, word_count, p=frequencies)
    successor = (random.choice(vocabulary_size, vocabulary_size, p=frequencies) + 1) % vocabulary_size
    follows = random.random_sample(word_count) < 0.5
    slots = random.choice(word_count, min(word_count, vocabulary_size), replace=False)
    drawn[slots], follows[slots] = np.arange(len(slots)), False
    for index in np.nonzero(follows)[0]:
        if index:
            drawn[index] = successor[drawn[index - 1]]
    ends = np.cumsum(random.randint(4, 19, word_count)) - 1
    marks = np.where(random.random_sample(word_count) < 0.06, " ,", "")
    marks[ends[ends < word_count]] = " ."
    marks[-1] = " ."
    return " ".join(names[word] + mark for word, mark in zip(drawn, marks, strict=True))


def resident_megabytes() -> float:
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def measure_scale(parameters: dict[str, Any]) -> dict[str, Any]:
    """The default settings on a long synthetic story: windows/s, peak memory, top-k latency."""
    words, vocabulary, table = parameters["words"], parameters["vocabulary"], Table()
    began = time.perf_counter()
    story = load_story(synthetic_story(words, vocabulary), name=f"synthetic-{words}-{vocabulary}")
    model_config, train_config = ModelConfig(), TrainConfig(steps=parameters["steps"])
    data = prepare_training_data(story, model_config)
    preparation_seconds = time.perf_counter() - began
    import_keras()
    with_tensorflow = resident_megabytes()
    timeline = train(data, model_config, train_config)
    predictor, batch = timeline.run.predictor(), min(train_config.batch_size, data.window_count)
    size = f"{len(story.symbols):,} symbols, vocabulary {len(data.vocabulary):,}"
    note = (
        f"{timeline.last.step} steps of {batch}; exact accuracy scored on "
        f"{timeline.last.evaluation_window_count:,} of {data.window_count:,} windows; "
        f"preparing the story {format_seconds(preparation_seconds)}"
    )
    rate = timeline.steps_per_second() * batch
    table.at_least("5", f"windows/s ({size})", rate, WINDOWS_PER_SECOND, show="{:,.0f}".format, note=note)
    context = [symbol for symbol in story.symbols[100:200] if symbol not in ",."][: model_config.n_input]
    top_k = median_seconds(lambda: predictor.top_k(context, 5), parameters["repeats"])
    generate = median_seconds(lambda: predictor.generate(context, 32), 10)
    peak, note = peak_rss_megabytes(), f"{with_tensorflow:,.0f} MB once TensorFlow was loaded"
    table.at_most("5", f"peak RSS ({size})", peak, PEAK_MEGABYTES, show="{:,.0f} MB".format, note=note)
    note = f"generate 32: {format_seconds(generate)}"
    table.at_most("5", f"top-k, numpy predictor ({size})", top_k, SCALE_TOP_K_SECONDS, note=note)
    return result(table)


# ----- part 6: held-out scoring, the n-gram yardstick and the inside views (issues 10 and 11) -----


def story_of(path: str, at_least: int = 0):
    """A story file of the checkout (the child's working directory), repeated whole (its name says so)
    until it has `at_least` symbols."""
    text = Path(path).read_text(encoding="utf-8")
    times = max(1, math.ceil(at_least / len(load_story(text).symbols)))
    name = Path(path).name + (f" repeated {times}×" if times > 1 else "")
    return load_story("\n\n".join([text] * times), name=name)


def view_seconds(run: TrainingRun, repeats: int) -> dict[str, float]:
    """Median seconds of each inside view's computations, as the page makes them on every rerun."""
    predictor, symbols, vocabulary = run.predictor(), run.data.story.symbols, run.data.vocabulary
    place, symbol = len(symbols) // 2, "mice" if "mice" in vocabulary.symbols else vocabulary.symbol_of(0)
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
        "the model's table": lambda: inside.model_summary(run.model_config, len(vocabulary)),
    }
    return {name: median_seconds(view, repeats) for name, view in views.items()}


def ngram_seconds(data: TrainingData, model_config, train_config, repeats: int) -> float:
    """Median seconds of `TrainingRun.ngram()`, each call on a fresh run (a run counts it once)."""
    durations = []
    for run in (TrainingRun(data, model_config, train_config) for _ in range(repeats)):
        began = time.perf_counter()
        run.ngram()
        durations.append(time.perf_counter() - began)
    return float(np.median(durations))


def measure_heldout(parameters: dict[str, Any]) -> dict[str, Any]:
    """The n-gram's build and the inside views on the fable and a long story; held-out scoring's share."""
    import_keras()
    model_config, steps, repeats, table = ModelConfig(), parameters["steps"], parameters["repeats"], Table()
    fable = story_of(str(bundled_stories()[DEFAULT_STORY]))
    long, longer = story_of(LONG_STORY), story_of(LONG_STORY, parameters["symbols"])
    views, shares = [], []
    for story, holdout in ((fable, 0), (longer, 20), (long, 20)):
        data = prepare_training_data(story, model_config, holdout)
        train_config = TrainConfig(steps, holdout=holdout)
        timeline, label = (
            train(data, model_config, train_config),
            f"{story.name}, {len(story.symbols):,} symbols",
        )
        if story is not long:  # the n-gram and the views on the fable and on 100,000 symbols
            seconds = ngram_seconds(data, model_config, train_config, repeats)
            note = f"counts {timeline.run.windows.train_count:,} training windows"
            figure = f"n-gram build, TrainingRun.ngram() ({label})"
            table.at_most("6", figure, seconds, NGRAM_SECONDS, note=note)
            views += [(label, name, value) for name, value in view_seconds(timeline.run, repeats).items()]
        if holdout:
            shares.append((label, timeline.last, len(timeline.run.windows.holdout_windows)))
    for label, last, scored in shares:
        share, training = last.holdout_scoring_seconds / last.elapsed_seconds, last.elapsed_seconds
        note = (
            f"{last.holdout_scoring_seconds:.2f} s of {training:.2f} s: {len(last.eval_steps)} scorings of "
            f"{scored:,} held-out windows; all exact scoring {last.scoring_seconds / training:.0%}; held-out "
            f"accuracy: LSTM {last.final_holdout_accuracy:.1%}, n-gram {last.ngram_holdout_accuracy:.1%}"
        )
        figure = f"held-out scoring / training s ({label}, 20% held out, {last.step} steps)"
        table.at_most("6", figure, share, HOLDOUT_SHARE, show="{:.1%}".format, note=note)
    for label, name, seconds in views:
        table.at_most("6", f"inside: {name} ({label})", seconds, VIEW_SECONDS)
    return result(table)


MEASUREMENTS = {
    "fable_default": measure_fable_default,
    "article": measure_article,
    "plain_loop": measure_plain_loop,
    "inference": measure_inference,
    "scale": measure_scale,
    "heldout": measure_heldout,
}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in MEASUREMENTS:
        sys.exit(f"usage: measurements.py {{{','.join(MEASUREMENTS)}}} 'JSON PARAMETERS'")
    report_result(MEASUREMENTS[sys.argv[1]](json.loads(sys.argv[2])))
