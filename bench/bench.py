"""nextword's benchmark: speed and memory of training, prediction and the page, side by side.

    python bench/bench.py              # everything, about 5-10 minutes on 2 cores
    python bench/bench.py --quick      # the same figures, shorter runs, about 3 minutes
    python bench/bench.py --article-full   # run the article's recipe until it really reaches 90%
    python bench/bench.py --sweep      # the settings sweep behind the defaults (a few minutes more)
    python bench/bench.py --parts 1,3  # some parts only

Parts (issue 4): 1. the article's recipe vs the defaults on the fable, 2. the step cost against
the machine's matrix-multiply floor, 3. inference latency, 4. the page in Chromium, 5. a long
synthetic story. Each TensorFlow measurement runs in a child process of its own (bench/worker.py),
so its peak memory and thread pools do not mix with the next. The table goes to stdout and every
raw figure to bench/results/latest.json. Timings on a shared machine depend on what else runs: the
table says how busy other processes kept the cores during each measurement.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from common import (
    BENCH_DIRECTORY,
    REPOSITORY_VARIABLE,
    ChildError,
    Table,
    cpu_counters,
    format_seconds,
    growth_exponent,
    load_average,
    machine_facts,
    make_importable,
    repository_root,
    run_child,
    verdict_at_least,
    verdict_at_most,
    wait_until_quiet,
)
from model_cost import training_step_cost

RESULTS_DIRECTORY = BENCH_DIRECTORY / "results"
ALL_PARTS = (1, 2, 3, 4, 5)

# Targets from issue 4.
DEFAULT_CEILING_SECONDS = 2.0
ARTICLE_RATIO = 150.0
FLOOR_RATIO = 1.5
TOP_K_SECONDS = 1e-3
GENERATE_SECONDS = 10e-3
FIRST_PAINT_SECONDS = 1.5
WARM_FIRST_POINT_SECONDS = 1.0
WATCHING_COST = 0.10
WINDOWS_PER_SECOND = 2000.0
PEAK_MEMORY_MEGABYTES = 2048.0
SCALE_TOP_K_SECONDS = 2e-3


def plan(arguments: argparse.Namespace) -> dict[str, Any]:
    """Parameters of every measurement, for a quick or a full run."""
    quick = arguments.quick
    article_seconds = arguments.article_seconds
    if article_seconds is None:
        article_seconds = 1800.0 if arguments.article_full else (15.0 if quick else 60.0)
    return {
        "fable_default": {"session_repeats": 1 if quick else 2, "bare_steps": 100 if quick else 300},
        "fable_article": {
            "cap_seconds": article_seconds,
            "max_steps": 150_000 if arguments.article_full else 50_000,
            "bare_steps": 500 if quick else 2000,
        },
        "inference": {"repeats": 100 if quick else 300},
        "page": {"watch_seconds": 6 if quick else 12, "warm_repeats": 1 if quick else 3},
        "scale": {
            "sizes": [(15_000, 1_000), (60_000, 6_000)]
            if quick
            else [(15_000, 1_000), (30_000, 3_000), (60_000, 6_000)],
            "steps": 100 if quick else 200,
            "bare_steps": 50 if quick else 100,
        },
        "sweep": {"seeds": [0, 1] if quick else [0, 1, 2], "steps": 300},
    }


QUIET_WAIT = {"seconds": 60.0}


def run_measurement(measurement: str, parameters: dict[str, Any], timeout_seconds: float) -> dict[str, Any]:
    """`run_child`, after waiting (up to `--wait-quiet` seconds) for other processes to calm down."""
    waited = wait_until_quiet(QUIET_WAIT["seconds"]) if QUIET_WAIT["seconds"] > 0 else 0.0
    if waited > 1.5:
        log(f"  waited {waited:.0f} s for other processes to leave the cores")
    result = run_child(measurement, parameters, timeout_seconds)
    result["waited_for_quiet_seconds"] = waited
    return result


def busy_note(result: dict[str, Any]) -> str:
    share = result.get("others_cpu_share", math.nan)
    if math.isfinite(share) and share > 0.15:
        return f"other processes kept {share:.0%} of the cores busy meanwhile: timings are pessimistic"
    return ""


# ----- part 1 and 2 -----


def part_article_and_defaults(table: Table, results: dict[str, Any], settings: dict[str, Any]) -> None:
    log("part 1: the default settings on the fable (two sessions, bare model.fit, the matmul rate)")
    default = run_measurement("fable_default", settings["fable_default"], timeout_seconds=600)
    results["fable_default"] = default
    cap = settings["fable_article"]["cap_seconds"]
    log(f"part 1: the article's recipe on the fable (capped at {cap:.0f} s of wall time)")
    article = run_measurement("fable_article", settings["fable_article"], timeout_seconds=cap + 600)
    results["fable_article"] = article
    first = default["sessions"][0]
    warm = default["sessions"][-1]
    ceiling = f"{default['ceiling_count']}/{default['windows']}"
    every = first["evaluate_every"]
    table.add(
        "1", "device (nextword.backend.device_description)", "", default["device"], "", busy_note(default)
    )
    # The article.
    if article["extrapolated"]:
        blocks = article["article_blocks"]
        last = f"{blocks[-1]:.1%}" if blocks else "n/a"
        article_steps = f"{article['steps_to_target']:,} (EXTRAPOLATED: the article's figure)"
        article_note = (
            f"capped at {cap:.0f} s: ran {article['steps_run']:,} steps, last 1000-step average {last}; "
            f"time = first step + {article['steps_to_target']:,} × "
            f"{format_seconds(article['mean_step_seconds'])}"
            " measured per step (mean, callbacks and evaluations included)"
        )
        article_time = f"{article['seconds_to_target']:,.0f} s (EXTRAPOLATED)"
    elif article.get("not_reached"):
        article_steps = f"more than {article['steps_to_target']:,} (measured: 90% never reached)"
        article_note = "the time is a measured lower bound, and so is the ratio"
        article_time = f"more than {article['seconds_to_target']:,.0f} s (measured)"
    else:
        article_steps = f"{article['steps_to_target']:,} (measured)"
        article_note = f"reached 90% running accuracy at step {article['steps_to_target']:,} (measured)"
        article_time = f"{article['seconds_to_target']:,.0f} s (measured)"
    table.add("1", "article recipe: steps to 90% running accuracy", "", article_steps, "", article_note)
    table.add(
        "1", "article recipe: seconds to 90% running accuracy", "", article_time, "", busy_note(article)
    )
    table.add(
        "1",
        "article recipe: seconds per step (session / bare fit)",
        "",
        f"{format_seconds(article['mean_step_seconds'])} / "
        f"{format_seconds(article['bare_fit_step_seconds'])}",
        f"callback {article['mean_step_seconds'] / article['bare_fit_step_seconds'] - 1:+.0%}",
    )
    # The defaults.
    table.add(
        "1",
        f"default: steps to the ceiling ({ceiling})",
        "",
        f"{first['ceiling_step']} (exact: all windows scored after every step in a replay)",
        f"the page's curve shows it at step {first['evaluated_ceiling_step']} (it scores every {every})",
        "" if default["replay_identical"] else "the replay's losses differed from the timed run's!",
    )
    with_trace = first.get("ceiling_seconds_with_trace", math.nan)
    without_trace = first.get("ceiling_seconds_without_trace", math.nan)
    table.add(
        "1",
        "default: training s to the ceiling, first-step trace included",
        f"≤ {DEFAULT_CEILING_SECONDS:g} s",
        f"{with_trace:.2f} s"
        + (
            f" (2nd run in process: {warm.get('ceiling_seconds_with_trace', math.nan):.2f} s)"
            if len(default["sessions"]) > 1
            else ""
        ),
        verdict_at_most(with_trace, DEFAULT_CEILING_SECONDS),
    )
    table.add(
        "1",
        "default: training s to the ceiling, trace excluded",
        f"≤ {DEFAULT_CEILING_SECONDS:g} s",
        f"{without_trace:.2f} s (trace: first step took {first['first_step_seconds']:.2f} s)",
        verdict_at_most(without_trace, DEFAULT_CEILING_SECONDS),
    )
    table.add(
        "1",
        "default: from start() to the ceiling (model build included)",
        "",
        f"{first.get('ceiling_seconds_from_start', math.nan):.2f} s",
        f"TF import not counted: {default['import_seconds']:.1f} s",
    )
    ratio_with = article["seconds_to_target"] / with_trace
    ratio_without = article["seconds_to_target"] / without_trace
    label = " (extrapolated)" if article["extrapolated"] else ""
    table.add(
        "1",
        "ratio article time / default time",
        f"≥ {ARTICLE_RATIO:g}×",
        f"{ratio_with:,.0f}× with trace, {ratio_without:,.0f}× without{label}",
        verdict_at_least(ratio_with, ARTICLE_RATIO),
    )
    session_step = first["mean_step_seconds"]
    bare_step = default["bare_fit_step_seconds"]
    callback_step = default["bare_fit_with_callback_step_seconds"]
    table.add(
        "1",
        "default: s/step session (mean) vs bare model.fit",
        "",
        f"{format_seconds(session_step)} vs {format_seconds(bare_step)}"
        f" (bare + empty callback {format_seconds(callback_step)})",
        f"callback overhead {session_step / bare_step - 1:+.0%}",
        f"median session step {format_seconds(first['median_step_seconds'])}; exact evaluations "
        f"{first['evaluations']}× cost {first['evaluation_seconds']:.2f} s of "
        f"{first['training_seconds']:.2f} s",
    )
    part_floor(table, default)


def part_floor(table: Table, default: dict[str, Any]) -> None:
    make_importable()
    from nextword.config import ModelConfig

    model_config = ModelConfig(**default["model_config"])
    cost = training_step_cost(
        model_config, default["vocabulary"], default["batch_size"], default["parameters"]
    )
    rate = (
        max(default["matmul_before"]["tensorflow_gflops"], default["matmul_after"]["tensorflow_gflops"]) * 1e9
    )
    floor = cost.total_flops / rate
    bare = default["bare_fit_step_seconds"]
    session = default["sessions"][0]["mean_step_seconds"]
    table.add(
        "2",
        f"FLOPs per training step (default, batch {default['batch_size']})",
        "",
        f"{cost.total_flops / 1e6:.0f} MFLOP",
        f"LSTM {cost.lstm_flops / 1e6:.0f}, output {cost.output_flops / 1e6:.0f}, "
        f"Adam {cost.optimizer_flops / 1e6:.1f}",
    )
    table.add(
        "2",
        "matrix-multiply rate (float32 4096², TensorFlow)",
        "",
        f"{rate / 1e9:.0f} GFLOP/s",
        f"numpy: {default['matmul_before']['numpy_gflops']:.0f} GFLOP/s",
    )
    table.add("2", "floor = FLOPs / rate", "", format_seconds(floor), "")
    table.add(
        "2",
        "full-batch step: bare model.fit",
        f"≤ {FLOOR_RATIO:g}× floor",
        format_seconds(bare),
        f"{bare / floor:.1f}× floor: " + verdict_at_most(bare / floor, FLOOR_RATIO),
    )
    table.add(
        "2",
        "full-batch step: TrainingSession (mean)",
        f"≤ {FLOOR_RATIO:g}× floor",
        format_seconds(session),
        f"{session / floor:.1f}× floor: " + verdict_at_most(session / floor, FLOOR_RATIO),
    )
    if default.get("step_matmul_gflops"):
        rows, inner, columns = default["step_matmul_shape"]
        shape_rate = default["step_matmul_gflops"] * 1e9
        shape_floor = cost.total_flops / shape_rate
        table.add(
            "2",
            f"matmul rate at the step's largest shape ({rows}×{inner} · {inner}×{columns})",
            "",
            f"{shape_rate / 1e9:.0f} GFLOP/s",
            f"{shape_rate / rate:.0%} of the 4096² rate",
        )
        table.add(
            "2",
            "floor at that rate; bare model.fit against it",
            "",
            format_seconds(shape_floor),
            f"bare fit {bare / shape_floor:.1f}× this floor (information: not the target's floor)",
        )


def part_floor_only(table: Table, results: dict[str, Any], settings: dict[str, Any]) -> None:
    """Part 2 without part 1: only the child that times the default step and the matmul rate."""
    log("part 2: the default step against the matrix-multiply floor")
    default = run_measurement("fable_default", settings["fable_default"], timeout_seconds=600)
    results["fable_default"] = default
    part_floor(table, default)


# ----- part 3 -----


def part_inference(table: Table, results: dict[str, Any], settings: dict[str, Any]) -> None:
    log("part 3: inference latency (numpy predictor, model.predict, a direct model call)")
    inference = run_measurement("inference", settings["inference"], timeout_seconds=600)
    results["inference"] = inference
    top_k, generate = inference["top_k"], inference["generate_32"]
    numpy_top_k = top_k["numpy_predictor"]
    table.add(
        "3",
        "top-k (k=5), numpy predictor, median",
        f"≤ {format_seconds(TOP_K_SECONDS)}",
        format_seconds(numpy_top_k),
        verdict_at_most(numpy_top_k, TOP_K_SECONDS),
        busy_note(inference),
    )
    table.add(
        "3",
        "top-k: model.predict / direct model call",
        "",
        f"{format_seconds(top_k['model_predict'])} / {format_seconds(top_k['direct_call'])}",
        f"numpy is {top_k['model_predict'] / numpy_top_k:,.0f}× / "
        f"{top_k['direct_call'] / numpy_top_k:,.0f}× faster",
    )
    numpy_generate = generate["numpy_predictor"]
    table.add(
        "3",
        "generate 32 symbols, numpy predictor, median",
        f"≤ {format_seconds(GENERATE_SECONDS)}",
        format_seconds(numpy_generate),
        verdict_at_most(numpy_generate, GENERATE_SECONDS),
    )
    table.add(
        "3",
        "generate 32: model.predict / direct model call",
        "",
        f"{format_seconds(generate['model_predict'])} / {format_seconds(generate['direct_call'])}",
        f"numpy is {generate['model_predict'] / numpy_generate:,.0f}× / "
        f"{generate['direct_call'] / numpy_generate:,.0f}× faster",
        f"numpy logits agree with the model's: {inference['agree_with_model']}; copying the weights out "
        f"takes {format_seconds(inference['from_model_seconds'])}",
    )


# ----- part 4 -----


def part_page(table: Table, results: dict[str, Any], settings: dict[str, Any]) -> None:
    log("part 4: the page in Chromium (streamlit run, first paint, Train, watching)")
    from page_measurements import measure_page

    if not Path("/usr/bin/chromium").exists():
        table.add("4", "the page", "", "not measured", "no /usr/bin/chromium (apt-get install chromium)")
        return
    waited = wait_until_quiet(QUIET_WAIT["seconds"]) if QUIET_WAIT["seconds"] > 0 else 0.0
    if waited > 1.5:
        log(f"  waited {waited:.0f} s for other processes to leave the cores")
    counters = cpu_counters()
    began = time.perf_counter()
    page = measure_page(settings["page"], RESULTS_DIRECTORY / "streamlit_server.log")
    wall = time.perf_counter() - began
    results["page"] = page
    page["load_average_after"] = load_average()
    page["machine_busy_share"] = (cpu_counters()[0] - counters[0]) / (wall * (os.cpu_count() or 1))
    table.add(
        "4",
        "streamlit run → server answers (health ok)",
        "",
        f"{page['server_answers_seconds']:.2f} s",
        "",
    )
    paint = page["first_paint_after_health_seconds"]
    table.add(
        "4",
        "server answers → first paint (app title, Chromium)",
        f"≤ {FIRST_PAINT_SECONDS:g} s",
        f"{paint:.2f} s (story section complete {page['story_after_health_seconds']:.2f} s)",
        verdict_at_most(paint, FIRST_PAINT_SECONDS),
        f"Chromium's first-contentful-paint {page['browser_first_contentful_paint_seconds']:.2f} s after "
        f"navigation started; a second tab paints in {page['second_tab_first_paint_seconds']:.2f} s; "
        f"streamlit run → first paint {page['first_paint_after_spawn_seconds']:.2f} s",
    )
    table.add(
        "4",
        "Train → first chart point, cold (TF not imported)",
        "",
        f"{page['cold_train_to_first_point_seconds']:.2f} s",
        "",
        parts_note([page.get("cold_parts") or {}]),
    )
    warm = page["warm_train_to_first_point_median_seconds"]
    table.add(
        "4",
        "Train → first chart point, warm (median)",
        f"≤ {WARM_FIRST_POINT_SECONDS:g} s",
        f"{warm:.2f} s ({', '.join(f'{value:.2f}' for value in page['warm_train_to_first_point_seconds'])})",
        verdict_at_most(warm, WARM_FIRST_POINT_SECONDS),
        parts_note(page.get("warm_parts") or []),
    )
    watched_rates = [
        rate
        for rate in (page["watched_steps_per_second"], page["watched_again_steps_per_second"])
        if math.isfinite(rate)
    ]
    watched = statistics.mean(watched_rates) if watched_rates else math.nan
    unwatched = page["unwatched_steps_per_second"]
    cost = 1 - watched / unwatched if unwatched else math.nan
    table.add(
        "4",
        "steps/s with the page watching vs no page",
        f"cost ≤ {WATCHING_COST:.0%}",
        f"{watched:.0f} vs {unwatched:.0f} steps/s",
        f"cost {cost:+.0%}: "
        + ("met" if cost <= WATCHING_COST else f"MISSED by {cost - WATCHING_COST:.0%} points"),
        f"one 50,000-step default run on one server, rates from the server's own snapshots: watched "
        f"{page['watch_seconds']:.0f} s ({page['watched_steps_per_second']:.0f} steps/s), tab closed "
        f"{page['unwatched_seconds']:.0f} s, reopened and watched {page['watch_seconds'] / 2:.0f} s more "
        f"({page['watched_again_steps_per_second']:.0f} steps/s), then stopped; "
        f"server peak RSS {page['server_peak_rss_megabytes']:.0f} MB",
    )


PART_NAMES = {
    "click_to_session_start": "click → run started",
    "model_build": "TF import + model build",
    "first_step_with_trace": "first step (trace)",
    "first_step_to_published": "→ published",
    "published_to_painted": "→ painted (poll + redraw)",
}


def parts_note(parts: list[dict[str, float]]) -> str:
    """The medians of the server-probe parts of Train → first chart point, in order."""
    parts = [part for part in parts if part]
    if not parts:
        return ""
    medians = {
        name: statistics.median(part[name] for part in parts) for name in PART_NAMES if name in parts[0]
    }
    return "median parts: " + ", ".join(
        f"{PART_NAMES[name]} {value:.2f} s" for name, value in medians.items()
    )


# ----- part 5 -----


def part_scale(table: Table, results: dict[str, Any], settings: dict[str, Any]) -> None:
    scale_settings = settings["scale"]
    runs = []
    for words, vocabulary in scale_settings["sizes"]:
        log(f"part 5: a synthetic story of {words:,} words, vocabulary {vocabulary:,}")
        parameters = {
            "words": words,
            "vocabulary": vocabulary,
            "steps": scale_settings["steps"],
            "bare_steps": scale_settings["bare_steps"],
        }
        runs.append(run_measurement("scale", parameters, timeout_seconds=900))
    results["scale"] = runs
    make_importable()
    from nextword.config import ModelConfig

    model_config = ModelConfig()
    for run in runs:
        size = f"{run['symbols']:,} symbols, vocab {run['vocabulary']:,}"
        cost = training_step_cost(model_config, run["vocabulary"], run["batch_size"], run["parameters"])
        table.add(
            "5",
            f"windows/s ({size})",
            f"≥ {WINDOWS_PER_SECOND:,.0f}",
            f"{run['windows_per_second']:,.0f} (bare fit {run['bare_windows_per_second']:,.0f})",
            verdict_at_least(run["windows_per_second"], WINDOWS_PER_SECOND),
            f"output layer = {cost.output_share:.0%} of the step's FLOPs; the session scored "
            f"{run['evaluation_sample_windows']:,} of {run['windows']:,} windows {run['evaluations']}× in "
            f"{run['evaluation_seconds']:.1f} s of {run['training_seconds']:.1f} s (scoring all once: "
            f"{run['evaluation_seconds_once']:.2f} s); "
            f"preparing the story {run['preparation_seconds']:.2f} s; "
            f"{run['steps']} steps of {run['batch_size']}. " + busy_note(run),
        )
        table.add(
            "5",
            f"peak RSS of training ({size})",
            f"≤ {PEAK_MEMORY_MEGABYTES:,.0f} MB",
            f"{run['peak_rss_after_training_megabytes']:,.0f} MB "
            f"(TF loaded: {run['resident_after_import_megabytes']:,.0f})",
            verdict_at_most(run["peak_rss_after_training_megabytes"], PEAK_MEMORY_MEGABYTES),
        )
        table.add(
            "5",
            f"top-k, numpy predictor ({size})",
            f"≤ {format_seconds(SCALE_TOP_K_SECONDS)}",
            f"{format_seconds(run['top_k_seconds'])} "
            f"(generate 32: {format_seconds(run['generate_32_seconds'])})",
            verdict_at_most(run["top_k_seconds"], SCALE_TOP_K_SECONDS),
        )
    if len(runs) >= 2:
        vocabularies = [run["vocabulary"] for run in runs]
        windows = [run["windows"] for run in runs]
        extra_memory = [
            run["peak_rss_after_training_megabytes"] - run["resident_after_import_megabytes"] for run in runs
        ]
        epoch_seconds = [run["windows"] / run["windows_per_second"] for run in runs]
        cells = [count * size for count, size in zip(windows, vocabularies, strict=True)]
        growth = [
            (
                "step time",
                "vocabulary",
                vocabularies,
                [run["mean_step_seconds"] for run in runs],
                format_seconds,
            ),
            ("top-k", "vocabulary", vocabularies, [run["top_k_seconds"] for run in runs], format_seconds),
            ("one epoch (all windows once)", "windows", windows, epoch_seconds, format_seconds),
            ("memory above TensorFlow's own", "vocabulary", vocabularies, extra_memory, "{:,.0f} MB".format),
            (
                "scoring all windows once",
                "windows×vocabulary",
                cells,
                [run["evaluation_seconds_once"] for run in runs],
                format_seconds,
            ),
            (
                "preparing the story",
                "windows",
                windows,
                [run["preparation_seconds"] for run in runs],
                format_seconds,
            ),
        ]
        results["scale_growth_exponents"] = {}
        for name, against, sizes, costs, show in growth:
            exponent = growth_exponent(sizes, costs)
            results["scale_growth_exponents"][f"{name} vs {against}"] = exponent
            table.add(
                "5",
                f"growth: {name} ∝ {against}^k",
                "",
                f"k = {exponent:.2f} ({' → '.join(show(cost) for cost in costs)})",
                "",
            )


# ----- the settings sweep -----


def part_sweep(table: Table, results: dict[str, Any], settings: dict[str, Any]) -> None:
    log("sweep: seconds and steps to the ceiling per setting (one factor at a time), per story")
    sweep = run_measurement("sweep", settings["sweep"], timeout_seconds=3600)
    results["sweep"] = sweep
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in sweep["rows"]:
        groups.setdefault(row["label"], []).append(row)
    for label, rows in groups.items():
        table.add("sweep", f"fable, {label}", "", *sweep_cells(rows))
    stories: dict[str, list[dict[str, Any]]] = {}
    for row in sweep["stories"]:
        stories.setdefault(row["label"], []).append(row)
    for label, rows in stories.items():
        table.add("sweep", f"defaults on {label[:40]} ({rows[0]['windows']} windows)", "", *sweep_cells(rows))


def sweep_cells(rows: list[dict[str, Any]]) -> tuple[str, str]:
    reached = [row for row in rows if row["ceiling_step"] is not None]
    if not reached:
        correct = ", ".join(str(row["final_correct"]) for row in rows)
        return "ceiling not reached in 300 steps", f"final correct: {correct}"
    seconds = [row["ceiling_seconds_with_trace"] for row in reached]
    steps = [row["ceiling_step"] for row in reached]
    step_time = statistics.median(row["median_step_seconds"] for row in rows)
    trace = statistics.median(row["first_step_seconds"] for row in rows)
    how = "exact" if all(row.get("exact") for row in reached) else "as the page checks it"
    return (
        f"{len(reached)}/{len(rows)} seeds; steps {'/'.join(str(step) for step in steps)} ({how}); "
        f"{statistics.median(seconds):.2f} s (worst {max(seconds):.2f})",
        f"{format_seconds(step_time)}/step, trace {trace:.2f} s",
    )


# ----- the run -----


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="shorter runs: the whole bench in about 2-3 minutes"
    )
    parser.add_argument(
        "--parts", default=",".join(map(str, ALL_PARTS)), help="parts to run, e.g. 1,3 (default all)"
    )
    parser.add_argument(
        "--article-seconds",
        type=float,
        default=None,
        help="wall-time cap of the article run (default 60, quick 15)",
    )
    parser.add_argument(
        "--article-full",
        action="store_true",
        help="run the article's recipe until 90%% (cap 1800 s), no extrapolation",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=None,
        help="seconds to wait, at most, before each measurement for other processes to go quiet "
        "(default 60, quick 20; 0: no wait)",
    )
    parser.add_argument(
        "--sweep", action="store_true", help="also run the settings sweep behind the defaults"
    )
    parser.add_argument(
        "--json", type=Path, default=RESULTS_DIRECTORY / "latest.json", help="where to write the results"
    )
    parser.add_argument(
        "--repository",
        type=Path,
        default=None,
        help="measure another checkout (e.g. a patched copy) with this bench",
    )
    arguments = parser.parse_args(argv)
    try:
        arguments.parts = sorted({int(part) for part in arguments.parts.split(",") if part.strip()})
    except ValueError:
        parser.error("--parts takes numbers from 1 to 5, e.g. 1,3")
    if not set(arguments.parts) <= set(ALL_PARTS):
        parser.error("--parts takes numbers from 1 to 5, e.g. 1,3")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    if arguments.repository is not None:
        os.environ[REPOSITORY_VARIABLE] = str(arguments.repository.resolve())
    settings = plan(arguments)
    QUIET_WAIT["seconds"] = (
        arguments.wait_quiet if arguments.wait_quiet is not None else (20.0 if arguments.quick else 60.0)
    )
    command = "python bench/bench.py " + " ".join(sys.argv[1:] if argv is None else argv)
    results: dict[str, Any] = {
        "command": command.strip(),
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "repository": str(repository_root()),
        "machine": machine_facts(),
        "settings": settings,
    }
    table = Table()
    began = time.perf_counter()
    steps = {
        1: part_article_and_defaults,
        2: part_floor_only,
        3: part_inference,
        4: part_page,
        5: part_scale,
    }
    failures = []
    for part in arguments.parts:
        if part == 2 and 1 in arguments.parts:
            continue  # part 2 uses part 1's child (the step time and the matmul rate are measured together)
        try:
            steps[part](table, results, settings)
        except (ChildError, Exception) as error:  # noqa: BLE001 - one failed part must not lose the others
            failures.append(f"part {part}: {error}")
            table.add(str(part), "FAILED", "", type(error).__name__, "", str(error).splitlines()[0][:200])
            traceback.print_exc()
    if arguments.sweep:
        try:
            part_sweep(table, results, settings)
        except (ChildError, Exception) as error:  # noqa: BLE001
            failures.append(f"sweep: {error}")
            traceback.print_exc()
    results["table"] = [row.__dict__ for row in table.rows]
    results["failures"] = failures
    results["total_seconds"] = time.perf_counter() - began
    results["machine"]["load_average_at_end"] = load_average()
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps(results, indent=1, default=str))
    machine = results["machine"]
    print(f"nextword benchmark · {command.strip()} · {results['started']}")
    print(
        f"{machine['cpu_model']}, {machine['cpu_count']} cores · Python {machine['python']} · "
        + ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    )
    print(
        "load average at start {:.1f} / end {:.1f} · total {:.0f} s · results in {}".format(
            machine["load_average_at_start"][0],
            machine["load_average_at_end"][0],
            results["total_seconds"],
            arguments.json,
        )
    )
    print()
    print(table.render())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
