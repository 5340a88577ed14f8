"""The measurements that need TensorFlow; each runs in a child process (see `bench/worker.py`).

Every function takes a dict of parameters and returns a JSON-ready dict. Training goes through the
library's own `TrainingSession` (what the page and the CLI run); `StepClock` wraps the session's
step tracker from outside to time every step without changing the library. Bare `model.fit` runs
of the same model and batches show what the per-step Python callback costs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from common import make_importable, median_seconds, peak_rss_megabytes

make_importable()

from nextword import training  # noqa: E402 - needs the repository on sys.path first
from nextword.config import ModelConfig, TrainConfig, article_configs  # noqa: E402
from nextword.corpus import DATA_DIRECTORY, load_story  # noqa: E402

FABLE_PATH = DATA_DIRECTORY / "belling_the_cat.txt"
# The article's log: 88.50% at 49,000 iterations, 91.20% at 50,000 (1000-step averages).
ARTICLE_STEPS_TO_90_PERCENT = 50_000
ARTICLE_TARGET_ACCURACY = 0.90
RUNNING_WINDOW = 1000


# ----- timing training steps from outside the library -----


class StepClock:
    """Records when each training step of a `TrainingSession` ends, and its callback's cost.

    Wraps `_StepTracker.__init__` (created after the model is built, just before the first
    `model.fit`) and `_StepTracker.on_batch_end` (the per-step callback) for as long as it is
    installed. The library is not changed; only this process's class attributes are swapped. The
    callback may run in Keras' callback pool rather than the training loop: a step "ends" when the
    tracker has recorded it (and published it, if due), which is when the page can show it.
    """

    def __init__(self):
        self.trackers: list[Any] = []
        self.tracker_started: list[float] = []
        self.step_ends: list[float] = []
        self.callback_seconds = 0.0
        self._originals: tuple[Callable, Callable] | None = None

    def __enter__(self) -> StepClock:
        tracker_class = training._StepTracker
        original_init, original_on_batch_end = tracker_class.__init__, tracker_class.on_batch_end
        self._originals = (original_init, original_on_batch_end)
        clock = self

        def timed_init(tracker, *arguments, **keywords):
            original_init(tracker, *arguments, **keywords)
            clock.trackers.append(tracker)
            clock.tracker_started.append(tracker.started)

        def timed_on_batch_end(tracker, batch_index, logs):
            began = time.perf_counter()
            stop = original_on_batch_end(tracker, batch_index, logs)
            ended = time.perf_counter()
            clock.callback_seconds += ended - began
            # The step's end as the page sees it: the TF work and the library's callback both done.
            clock.step_ends.append(ended)
            return stop

        tracker_class.__init__ = timed_init
        tracker_class.on_batch_end = timed_on_batch_end
        return self

    def __exit__(self, *exception) -> None:
        tracker_class = training._StepTracker
        tracker_class.__init__, tracker_class.on_batch_end = self._originals

    @property
    def evaluation_seconds(self) -> float:
        return sum(tracker.evaluation_seconds for tracker in self.trackers)

    def step_durations(self) -> np.ndarray:
        """Seconds of each step: the first counts from the tracker's start (it holds the trace)."""
        if not self.step_ends:
            return np.zeros(0)
        ends = np.asarray(self.step_ends)
        return np.diff(ends, prepend=self.tracker_started[0])


def steady_step_seconds(durations: np.ndarray, skip: int = 5) -> tuple[float, float]:
    """(median, mean) seconds per step after the first `skip` steps (trace and warm-up)."""
    steady = durations[skip:] if len(durations) > skip + 5 else durations[1:]
    if len(steady) == 0:
        return math.nan, math.nan
    return float(np.median(steady)), float(np.mean(steady))


# ----- helpers -----


def import_tensorflow_timed() -> tuple[float, str]:
    """Import TensorFlow through the library; (seconds it took, device description)."""
    from nextword.backend import device_description, import_keras

    began = time.perf_counter()
    import_keras()
    seconds = time.perf_counter() - began
    return seconds, device_description()


def fable_data(model_config: ModelConfig):
    story = load_story(FABLE_PATH.read_bytes(), name=FABLE_PATH.stem)
    return training.prepare_training_data(story, model_config)


def resident_megabytes() -> float:
    """This process's current resident set size (VmRSS) in megabytes."""
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


def matmul_rate(size: int = 4096, repeats: int = 5) -> dict[str, float]:
    """This machine's float32 matrix-multiply rate in GFLOP/s: TensorFlow (best of `repeats`) and numpy."""
    numpy_size = size // 2
    numpy_left = np.random.RandomState(0).rand(numpy_size, numpy_size).astype(np.float32)
    numpy_left @ numpy_left
    numpy_best = math.inf
    for _ in range(max(2, repeats // 2)):
        began = time.perf_counter()
        numpy_left @ numpy_left
        numpy_best = min(numpy_best, time.perf_counter() - began)
    return {
        "tensorflow_gflops": matmul_rate_at(size, size, size, calls=1, timings=repeats),
        "numpy_gflops": 2.0 * numpy_size**3 / numpy_best / 1e9,
        "size": size,
    }


def matmul_rate_at(rows: int, inner: int, columns: int, calls: int = 2000, timings: int = 3) -> float:
    """GFLOP/s of one float32 TensorFlow product of this shape (best of `timings` runs of `calls`).

    Timed as a step calls it, dispatch included. The 4096² rate is what the cores can do; products
    of a training step's own shapes (201 rows, a few hundred columns) cannot reach it, and this
    says how far below it they run.
    """
    from nextword.backend import import_tensorflow

    tf = import_tensorflow()
    left = tf.random.stateless_normal((rows, inner), seed=(1, 2))
    right = tf.random.stateless_normal((inner, columns), seed=(3, 4))
    product = tf.function(lambda a, b: tf.linalg.matmul(a, b))
    product(left, right).numpy()
    best = math.inf
    for _ in range(timings):
        began = time.perf_counter()
        for _ in range(calls):
            result = product(left, right)
        result.numpy()
        best = min(best, (time.perf_counter() - began) / calls)
    return 2.0 * rows * inner * columns / best / 1e9


def run_session(
    data, model_config: ModelConfig, train_config: TrainConfig, stop_when=None, cap_seconds=None, clock=None
):
    """Train one `TrainingSession` to its end (or until `stop_when(progress)` or the cap); time it.

    Returns (session, final progress, StepClock, seconds from `start()` to the first tracker).
    """
    session = training.TrainingSession(data, model_config, train_config)
    with clock or StepClock() as clock:
        began = time.perf_counter()
        session.start()
        while session.is_alive():
            session.wait(0.25)
            if cap_seconds is not None and time.perf_counter() - began > cap_seconds:
                session.stop()
            elif stop_when is not None and stop_when(session.progress()):
                session.stop()
        progress = session.wait()
    if progress.status == training.FAILED:
        raise RuntimeError(f"training failed: {progress.error}")
    build_seconds = clock.tracker_started[0] - began if clock.tracker_started else math.nan
    return session, progress, clock, build_seconds


def first_ceiling_step(progress, data) -> int | None:
    """The first step the session evaluated at which the exact accuracy equals the ceiling.

    The session scores all windows only every `steps // 60` steps, and less often when scoring
    gets expensive, so this is an upper bound; `exact_ceiling_step` gives the exact step.
    """
    for step, accuracy in zip(progress.eval_steps, progress.eval_accuracies, strict=True):
        if round(accuracy * data.window_count) >= data.ceiling_count:
            return int(step)
    return None


def exact_ceiling_step(data, model_config: ModelConfig, train_config: TrainConfig) -> tuple[int | None, list]:
    """Replay a full-batch run one step at a time, scoring every window after every step.

    Returns (the first step whose exact accuracy is the ceiling, the replay's losses). Training is
    deterministic (op determinism, seeded initializers, the same batch every step), so the replay
    is the timed run; the caller checks it by comparing the two loss curves. Runs with batches
    smaller than the story (a shuffled order) return (None, []).
    """
    from nextword.model import build_model
    from nextword.predict import Predictor

    if min(train_config.batch_size, data.window_count) != data.window_count:
        return None, []
    model = build_model(model_config, len(data.vocabulary), train_config)
    inputs, labels = data.contexts.astype(np.float32), data.targets
    losses = []
    for step in range(1, train_config.steps + 1):
        logs = model.train_on_batch(inputs, labels, return_dict=True)
        losses.append(float(logs["loss"]))
        predictor = Predictor.from_model(model, data.vocabulary, data.corpus_config, model_config)
        if predictor.count_correct(data.contexts, data.targets) >= data.ceiling_count:
            return step, losses
    return None, losses


def loss_difference(timed: list[float], replay: list[float]) -> float:
    """Largest relative difference between the timed run's per-step losses and the replay's.

    The session derives per-step losses by differencing Keras' running means, so the two agree to
    round-off (about 1e-5), not bit for bit; anything above 1e-3 means the runs differ.
    """
    if not replay or len(timed) < len(replay):
        return math.inf
    return max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(timed, replay, strict=False))


def bare_fit_step_seconds(
    model, inputs, labels, batch_size: int, steps: int, callbacks=None, repeats=3
) -> float:
    """Median seconds per step of `model.fit` on `steps` batches (best of `repeats` runs)."""
    rows = np.arange(steps * batch_size) % len(labels)
    repeated_inputs, repeated_labels = inputs[rows], labels[rows]
    model.fit(
        inputs[:batch_size], labels[:batch_size], batch_size=batch_size, shuffle=False, verbose=0
    )  # trace
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        model.fit(
            repeated_inputs,
            repeated_labels,
            batch_size=batch_size,
            epochs=1,
            shuffle=False,
            verbose=0,
            callbacks=callbacks or [],
        )
        timings.append((time.perf_counter() - began) / steps)
    return min(timings)


def empty_batch_callback():
    """A Keras callback that only reads each step's loss, in Keras' callback pool like the library's:
    the cost of any per-step callback, without the library's Python work."""
    from nextword.backend import import_keras

    keras = import_keras()

    class ReadLoss(keras.callbacks.Callback):
        async_safe = True

        def on_train_batch_end(self, batch, logs=None):
            float((logs or {}).get("loss", 0.0))

    return ReadLoss()


def session_summary(
    progress, clock: StepClock, build_seconds: float, data, ceiling_step: int | None = None
) -> dict[str, Any]:
    """The numbers of one run: time to the ceiling (at `ceiling_step` if given), per-step costs."""
    durations = clock.step_durations()
    median_step, mean_step = steady_step_seconds(durations)
    evaluated_ceiling_step = first_ceiling_step(progress, data)
    if ceiling_step is None:
        ceiling_step = evaluated_ceiling_step
    started = clock.tracker_started[0]
    summary: dict[str, Any] = {
        "steps": progress.step,
        "final_correct": round((progress.final_accuracy or 0) * data.window_count),
        "build_seconds": build_seconds,
        "first_step_seconds": float(durations[0]) if len(durations) else math.nan,
        "median_step_seconds": median_step,
        "mean_step_seconds": mean_step,
        "training_seconds": clock.step_ends[-1] - started if clock.step_ends else math.nan,
        "callback_seconds": clock.callback_seconds,
        "evaluation_seconds": clock.evaluation_seconds,
        "evaluations": len(progress.eval_steps),
        "evaluate_every": max(1, progress.total_steps // 60),
        "ceiling_step": ceiling_step,
        "evaluated_ceiling_step": evaluated_ceiling_step,
    }
    if ceiling_step is not None and ceiling_step <= len(clock.step_ends):
        end = clock.step_ends[ceiling_step - 1]
        summary["ceiling_seconds_with_trace"] = end - started
        # Without the trace: the first step counted as one steady step.
        summary["ceiling_seconds_without_trace"] = end - clock.step_ends[0] + mean_step
        summary["ceiling_seconds_from_start"] = end - started + build_seconds
    return summary


# ----- part 1 and 2: the default settings on the fable, and the step floor -----


def measure_fable_default(parameters: dict[str, Any]) -> dict[str, Any]:
    """Default settings on the fable: two sessions (cold and warm process), bare fits, the floor."""
    import_seconds, device = import_tensorflow_timed()
    from nextword.model import build_model, count_parameters

    model_config, train_config = ModelConfig(), TrainConfig()
    data = fable_data(model_config)
    rate_before = matmul_rate()
    runs = []
    for _ in range(int(parameters.get("session_repeats", 2))):
        _, progress, clock, build_seconds = run_session(data, model_config, train_config)
        runs.append((progress, clock, build_seconds))
    # After the timed runs (so they are the process's first): the exact step, from a replay.
    ceiling_step, replay_losses = exact_ceiling_step(data, model_config, train_config)
    differences = [loss_difference(list(progress.losses), replay_losses) for progress, _, _ in runs]
    runs = [session_summary(*run, data, ceiling_step=ceiling_step) for run in runs]
    batch_size = min(train_config.batch_size, data.window_count)
    inputs, labels = data.contexts.astype(np.float32), data.targets
    steps = int(parameters.get("bare_steps", 300))
    model = build_model(model_config, len(data.vocabulary), train_config)
    bare = bare_fit_step_seconds(model, inputs, labels, batch_size, steps)
    bare_with_callback = bare_fit_step_seconds(
        model, inputs, labels, batch_size, steps, callbacks=[empty_batch_callback()]
    )
    rate_after = matmul_rate()
    # The step's largest product: the batch's hidden states times the four gates' recurrent kernel.
    step_shape = (batch_size, model_config.units, 4 * model_config.units)
    return {
        "step_matmul_shape": step_shape,
        "step_matmul_gflops": matmul_rate_at(*step_shape),
        "device": device,
        "import_seconds": import_seconds,
        "windows": data.window_count,
        "ceiling_count": data.ceiling_count,
        "vocabulary": len(data.vocabulary),
        "batch_size": batch_size,
        "parameters": count_parameters(model_config, len(data.vocabulary)),
        "model_config": model_config.to_dict(),
        "train_config": train_config.to_dict(),
        "sessions": runs,
        "exact_ceiling_step": ceiling_step,
        "replay_loss_differences": differences,
        "replay_identical": all(difference <= 1e-3 for difference in differences),
        "bare_fit_step_seconds": bare,
        "bare_fit_with_callback_step_seconds": bare_with_callback,
        "matmul_before": rate_before,
        "matmul_after": rate_after,
    }


# ----- part 1: the article's recipe -----


def running_accuracy(batch_accuracies: np.ndarray, window: int = RUNNING_WINDOW) -> np.ndarray:
    """Mean batch accuracy over the last `window` steps, for every step from `window` on."""
    if len(batch_accuracies) < window:
        return np.zeros(0)
    sums = np.cumsum(np.concatenate([[0.0], batch_accuracies]))
    return (sums[window:] - sums[:-window]) / window


def measure_fable_article(parameters: dict[str, Any]) -> dict[str, Any]:
    """The article's recipe on the fable until 90% running accuracy or the time cap."""
    import_seconds, device = import_tensorflow_timed()
    from nextword.model import build_model

    cap_seconds = float(parameters.get("cap_seconds", 60))
    model_config, train_config = article_configs()
    # --article-full lets it run past the article's 50,000 (the article: "over 150,000" for more).
    train_config = TrainConfig(
        **{**train_config.to_dict(), "steps": int(parameters.get("max_steps", 50_000))}
    )
    data = fable_data(model_config)

    def reached(progress) -> bool:
        accuracies = progress.batch_accuracies
        if len(accuracies) < RUNNING_WINDOW:
            return False
        return sum(accuracies[-RUNNING_WINDOW:]) / RUNNING_WINDOW >= ARTICLE_TARGET_ACCURACY

    _, progress, clock, build_seconds = run_session(
        data, model_config, train_config, stop_when=reached, cap_seconds=cap_seconds
    )
    durations = clock.step_durations()
    median_step, mean_step = steady_step_seconds(durations, skip=50)
    accuracies = np.asarray(progress.batch_accuracies, dtype=np.float64)
    running = running_accuracy(accuracies)
    above = np.nonzero(running >= ARTICLE_TARGET_ACCURACY)[0]
    reached_step = int(above[0]) + RUNNING_WINDOW if len(above) else None
    blocks = [
        float(accuracies[start : start + RUNNING_WINDOW].mean())
        for start in range(0, len(accuracies) - RUNNING_WINDOW + 1, RUNNING_WINDOW)
    ]
    started = clock.tracker_started[0]
    result: dict[str, Any] = {
        "device": device,
        "import_seconds": import_seconds,
        "cap_seconds": cap_seconds,
        "steps_run": progress.step,
        "build_seconds": build_seconds,
        "first_step_seconds": float(durations[0]),
        "median_step_seconds": median_step,
        "mean_step_seconds": mean_step,
        "training_seconds": clock.step_ends[-1] - started,
        "callback_seconds": clock.callback_seconds,
        "evaluation_seconds": clock.evaluation_seconds,
        "running_accuracy_last": float(running[-1]) if len(running) else None,
        "article_blocks": blocks,
        "reached_step": reached_step,
    }
    if reached_step is not None:
        result["steps_to_target"] = reached_step
        result["seconds_to_target"] = clock.step_ends[reached_step - 1] - started
        result["extrapolated"] = False
    elif progress.step >= ARTICLE_STEPS_TO_90_PERCENT:
        # Ran at least as long as the article and never got there: a measured lower bound.
        result["steps_to_target"] = progress.step
        result["seconds_to_target"] = clock.step_ends[-1] - started
        result["extrapolated"] = False
        result["not_reached"] = True
    else:
        steps = ARTICLE_STEPS_TO_90_PERCENT
        result["steps_to_target"] = steps
        result["seconds_to_target"] = float(durations[0]) + (steps - 1) * mean_step
        result["extrapolated"] = True
    # What the same batch-1 steps cost with no per-step callback of ours.
    model = build_model(model_config, len(data.vocabulary), train_config)
    inputs, labels = data.contexts.astype(np.float32), data.targets
    bare_steps = int(parameters.get("bare_steps", 2000))
    result["bare_fit_step_seconds"] = bare_fit_step_seconds(model, inputs, labels, 1, bare_steps, repeats=2)
    return result


# ----- part 3: inference -----


def measure_inference(parameters: dict[str, Any]) -> dict[str, Any]:
    """Median latency of top-k and 32-symbol generation: numpy predictor vs model.predict vs a call."""
    import_seconds, device = import_tensorflow_timed()
    from nextword.backend import import_tensorflow
    from nextword.predict import Predictor

    tf = import_tensorflow()
    repeats = int(parameters.get("repeats", 200))
    model_config, train_config = ModelConfig(), TrainConfig()
    data = fable_data(model_config)
    session, _, _, _ = run_session(data, model_config, train_config)
    model = session.model
    context = "had a general"
    began = time.perf_counter()
    predictor = Predictor.from_model(model, data.vocabulary, data.corpus_config, model_config)
    from_model_seconds = time.perf_counter() - began
    context_ids = predictor.encode_context(context)
    inputs = np.asarray([context_ids], dtype=np.float32)

    def generate_with(forward) -> list[int]:
        window, written = list(context_ids), []
        for _ in range(32):
            next_id = int(np.argmax(forward(np.asarray([window], dtype=np.float32))[0]))
            written.append(next_id)
            window = window[1:] + [next_id]
        return written

    def predict_call(batch):
        return model.predict(batch, verbose=0)

    def direct_call(batch):
        return model(tf.constant(batch), training=False).numpy()

    slow_repeats = max(3, repeats // 20)
    generated = predictor.generate(context, 32)
    return {
        "device": device,
        "import_seconds": import_seconds,
        "vocabulary": len(data.vocabulary),
        "from_model_seconds": from_model_seconds,
        "top_k": {
            "numpy_predictor": median_seconds(lambda: predictor.top_k(context, 5), repeats),
            "model_predict": median_seconds(lambda: predict_call(inputs), slow_repeats),
            "direct_call": median_seconds(lambda: direct_call(inputs), repeats // 4),
        },
        "generate_32": {
            "numpy_predictor": median_seconds(lambda: predictor.generate(context, 32), repeats // 4),
            "model_predict": median_seconds(lambda: generate_with(predict_call), 3, warmup=1),
            "direct_call": median_seconds(lambda: generate_with(direct_call), slow_repeats, warmup=1),
        },
        "generated_text": generated.text,
        "agree_with_model": bool(
            np.allclose(
                predictor.logits(np.asarray([context_ids])), direct_call(inputs), atol=1e-4, rtol=1e-4
            )
        ),
    }


# ----- part 5: a long story -----


def measure_scale(parameters: dict[str, Any]) -> dict[str, Any]:
    """Default settings on a synthetic story: windows/s, peak RSS, top-k cost, evaluation cost."""
    from synthetic_story import synthetic_story

    word_count, vocabulary_size = int(parameters["words"]), int(parameters["vocabulary"])
    steps = int(parameters.get("steps", 200))
    began = time.perf_counter()
    text = synthetic_story(word_count, vocabulary_size)
    story = load_story(text.encode("utf-8"), name=f"synthetic-{word_count}-{vocabulary_size}")
    model_config = ModelConfig()
    data = training.prepare_training_data(story, model_config)
    preparation_seconds = time.perf_counter() - began
    resident_before_import = resident_megabytes()
    import_seconds, device = import_tensorflow_timed()
    resident_after_import = resident_megabytes()
    from nextword.model import build_model, count_parameters

    train_config = TrainConfig(steps=steps)
    session, progress, clock, build_seconds = run_session(data, model_config, train_config)
    durations = clock.step_durations()
    median_step, mean_step = steady_step_seconds(durations)
    batch_size = min(train_config.batch_size, data.window_count)
    training_seconds = clock.step_ends[-1] - clock.tracker_started[0]
    predictor = session.predictor()
    words = [symbol for symbol in story.symbols[100:200] if symbol not in ",."][: model_config.n_input]
    evaluation_seconds_once = median_seconds(
        lambda: predictor.count_correct(data.contexts, data.targets), repeats=1, warmup=0
    )
    result = {
        "device": device,
        "words": word_count,
        "symbols": len(story.symbols),
        "bytes": len(text.encode("utf-8")),
        "vocabulary": len(data.vocabulary),
        "windows": data.window_count,
        "ceiling_count": data.ceiling_count,
        "parameters": count_parameters(model_config, len(data.vocabulary)),
        "preparation_seconds": preparation_seconds,
        "import_seconds": import_seconds,
        "resident_before_import_megabytes": resident_before_import,
        "resident_after_import_megabytes": resident_after_import,
        "steps": progress.step,
        "batch_size": batch_size,
        "build_seconds": build_seconds,
        "first_step_seconds": float(durations[0]),
        "median_step_seconds": median_step,
        "mean_step_seconds": mean_step,
        "training_seconds": training_seconds,
        # As the page sees it: every step after the first, callbacks and evaluations included.
        "windows_per_second": batch_size * (progress.step - 1) / (training_seconds - float(durations[0])),
        "callback_seconds": clock.callback_seconds,
        "evaluation_seconds": clock.evaluation_seconds,
        "evaluations": len(progress.eval_steps),
        "evaluation_seconds_once": evaluation_seconds_once,
        # How many windows the session scores for its exact-accuracy curve (a sample of a long story).
        "evaluation_sample_windows": len(getattr(session, "_evaluation_windows", data.targets)),
        "final_accuracy": progress.final_accuracy,
        "top_k_seconds": median_seconds(
            lambda: predictor.top_k(words, 5), int(parameters.get("repeats", 100))
        ),
        "generate_32_seconds": median_seconds(lambda: predictor.generate(words, 32), 10),
        # The peak so far: TensorFlow, the story, training and the predictor (before the bare fit).
        "peak_rss_after_training_megabytes": peak_rss_megabytes(),
    }
    # The same steps without the library's callback, to see what the callback and evaluations cost.
    model = build_model(model_config, len(data.vocabulary), train_config)
    bare_steps = min(steps, int(parameters.get("bare_steps", 100)))
    bare = bare_fit_step_seconds(
        model, data.contexts.astype(np.float32), data.targets, batch_size, bare_steps, repeats=1
    )
    result["bare_fit_step_seconds"] = bare
    result["bare_windows_per_second"] = batch_size / bare
    return result


# ----- choosing the defaults -----


def sweep_settings() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(label, model settings, train settings): one factor at a time around the current defaults."""
    settings: list[tuple[str, dict[str, Any], dict[str, Any]]] = [("defaults", {}, {})]
    settings += [(f"units {units}", {"units": units}, {}) for units in (32, 64, 256, 512)]
    settings += [(f"embedding {size}", {"embedding_dim": size}, {}) for size in (16, 64)]
    settings += [(f"adam lr {rate:g}", {}, {"learning_rate": rate}) for rate in (0.003, 0.02, 0.03, 0.1)]
    settings += [
        (f"rmsprop lr {rate:g}", {}, {"optimizer": "rmsprop", "learning_rate": rate})
        for rate in (0.001, 0.01)
    ]
    settings += [(f"batch {size}", {}, {"batch_size": size}) for size in (32, 64, 128)]
    return settings


def measure_sweep(parameters: dict[str, Any]) -> dict[str, Any]:
    """Seconds and steps to the ceiling for each setting and seed on the fable, and per bundled story."""
    import_seconds, device = import_tensorflow_timed()
    from nextword.corpus import bundled_stories

    seeds = [int(seed) for seed in parameters.get("seeds", [0, 1, 2])]
    steps = int(parameters.get("steps", 300))
    only = parameters.get("only")
    fable = fable_data(ModelConfig())
    # A throw-away run first, so the first measured setting does not pay the process's first trace.
    run_session(fable, ModelConfig(), TrainConfig(steps=10))
    rows = []
    for label, model_settings, train_settings in sweep_settings():
        if only and label not in only:
            continue
        for seed in seeds:
            model_config = ModelConfig(**model_settings)
            train_config = TrainConfig(**{"steps": steps, **train_settings, "seed": seed})
            _, progress, clock, build_seconds = run_session(fable, model_config, train_config)
            # Full-batch runs are replayed to find the exact step; shuffled ones keep the session's.
            exact_step, _ = exact_ceiling_step(fable, model_config, train_config)
            summary = session_summary(progress, clock, build_seconds, fable, ceiling_step=exact_step)
            rows.append(
                {"label": label, "story": "fable", "seed": seed, "exact": exact_step is not None, **summary}
            )
    stories = []
    for title, path in bundled_stories().items():
        story = load_story(path.read_bytes(), name=title)
        data = training.prepare_training_data(story, ModelConfig())
        for seed in seeds:
            train_config = TrainConfig(steps=steps, seed=seed)
            _, progress, clock, build_seconds = run_session(data, ModelConfig(), train_config)
            exact_step, _ = exact_ceiling_step(data, ModelConfig(), train_config)
            summary = session_summary(progress, clock, build_seconds, data, ceiling_step=exact_step)
            stories.append(
                {
                    "label": title,
                    "seed": seed,
                    "windows": data.window_count,
                    "ceiling_count": data.ceiling_count,
                    "exact": exact_step is not None,
                    **summary,
                }
            )
    return {
        "device": device,
        "import_seconds": import_seconds,
        "steps": steps,
        "seeds": seeds,
        "rows": rows,
        "stories": stories,
    }


MEASUREMENTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "fable_default": measure_fable_default,
    "fable_article": measure_fable_article,
    "inference": measure_inference,
    "scale": measure_scale,
    "sweep": measure_sweep,
}
