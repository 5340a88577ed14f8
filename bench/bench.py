"""nextword's benchmark: training, prediction and the page, side by side with their targets.

    python bench/bench.py                 # everything
    python bench/bench.py --quick         # the same figures from shorter runs
    python bench/bench.py --parts 1,4     # some parts only
    python bench/bench.py --article-full  # the article's recipe to 50,000 steps, seeds 0-2, 1 and 2 layers

Parts: 1. the article's recipe (nextword's article mode and a plain TensorFlow loop) against the
default run on the fable, 4. the page in Chromium (ready beside a bare Streamlit page, first paint
and cold Train on fresh servers, warm Train) and a class of 30 over the page's websocket
(bench/class_load.py), 5. the held-out lesson on Tiny Shakespeare at the page's suggested settings
(the LSTM against Kneser-Ney, seeds 0-2; the n-gram's build, scoring's share, memory, the inside
views, top-k and generation), 6. the Ray path beside the in-process one (Train, a poll, the
weights, memory). Each TensorFlow measurement runs in a child process of its own
(bench/measurements.py); the table goes to stdout, the raw figures to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import common
from common import Row, Table

ARTICLE_RATIO = 150.0  # issue 13: the default run at least this many times faster than the recipe


def plan(quick: bool, article_full: bool) -> dict[str, Any]:
    return {
        "fable_default": {"bare_steps": 100 if quick else 300},
        "article": {
            "cap_seconds": 1800.0 if article_full else (15.0 if quick else 90.0),
            "seeds": [0, 1, 2] if article_full else [0],
            "layers": [1, 2] if article_full else [1],
        },
        "plain_loop": {"steps": 1500 if quick else 5000},
        "page": {
            "ready_rounds": 3 if quick else 5,
            "fresh_servers": 3 if quick else 5,
            "warm_runs": 2 if quick else 3,
        },
        "class": {"students": 10 if quick else 30, "steps": 300, "units": None, "flood": 8, "seconds": 600},
        "backends": {"steps": 300},
        "lesson": [{"seed": seed, "views": seed == 0, "steps": 600 if quick else None} for seed in (0, 1, 2)],
    }


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_row(table: Table, part: str, name: str, load: float, others: float, note: str = "") -> None:
    value = f"load average {load:.1f}, others kept {others:.0%} of the cores busy"
    table.add(part, f"machine during {name}", value, note=note)


def measure(table: Table, part: str, name: str, parameters: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One measurement in a child process of its own; its rows, after one on how busy the machine was."""
    log(f"part {part}: {name} {json.dumps(parameters)}")
    result = common.run_child(name, parameters, timeout)
    load_row(table, part, name, result["load_average"], result["others_busy"])
    table.rows += [Row(**row) for row in result.pop("rows")]
    return result


def part_training(table: Table, results: dict[str, Any], settings: dict[str, Any], parts: list[int]) -> None:
    """Part 1: one child trains the default run, the others the article's recipe."""
    default = results["fable_default"] = measure(table, "1", "fable_default", settings["fable_default"], 900)
    recipe, articles = settings["article"], results.setdefault("article", [])
    for layers in recipe["layers"]:
        parameters = {"steps": settings["plain_loop"]["steps"], "layers": layers}
        loop = results.setdefault("plain_loop", {})[layers] = measure(
            table, "1", "plain_loop", parameters, 900
        )
        for seed in recipe["seeds"]:
            parameters = {"cap_seconds": recipe["cap_seconds"], "layers": layers, "seed": seed}
            article = measure(table, "1", "article", parameters, recipe["cap_seconds"] + 600)
            articles.append(article)
            ratio = article["step_seconds"] / loop["step_seconds"]
            verdict = f"nextword {1 / ratio:.2f}× faster" if ratio < 1 else f"nextword {ratio:.2f}× slower"
            figure = f"{article['name']}: nextword / plain loop, s a step"
            table.add("1", figure, f"{ratio:.2f}×", verdict=verdict)
    ratio = articles[0]["seconds"] / default["training_seconds"]
    value = f"{ratio:,.0f}×" + ("" if articles[0]["measured"] else " (the article's time extrapolated)")
    figure = "ratio: article's 50,000 steps / default run, training s"
    table.at_least("1", figure, ratio, ARTICLE_RATIO, value, show="{:,.0f}×".format)
    ratio = articles[0]["seconds"] / default["spare_training_seconds"]
    value = f"{ratio:,.0f}×" + ("" if articles[0]["measured"] else " (the article's time extrapolated)")
    figure = "ratio: the same / default run from a spare model (the page's Train)"
    table.at_least("1", figure, ratio, ARTICLE_RATIO, value, show="{:,.0f}×".format)


def part_page(table: Table, results: dict[str, Any], settings: dict[str, Any], parts: list[int]) -> None:
    """Part 4: the page in Chromium, then a class of students over the page's websocket."""
    from class_load import class_load

    if Path("/usr/bin/chromium").exists():
        from page import measure_page

        log(f"part 4: the page in Chromium {json.dumps(settings['page'])}")
        before, began = common.cpu_counters(), time.perf_counter()
        rows, results["page"] = measure_page(
            settings["page"], common.BENCH_DIRECTORY / "results" / "server.log"
        )
        busy = common.others_share(before, common.cpu_counters(), time.perf_counter() - began)
        note = "the bench's own servers and Chromium count among the other processes here"
        load_row(table, "4", "the page", common.load_average(), busy, note)
        table.rows += rows
    else:
        table.add("4", "the page", "not measured", verdict="no /usr/bin/chromium (apt-get install chromium)")
    log(f"part 4: a class over the websocket {json.dumps(settings['class'])}")
    before, began = common.cpu_counters(), time.perf_counter()
    results["class"] = class_load(table, settings["class"], root=common.repository_root())
    busy = common.others_share(before, common.cpu_counters(), time.perf_counter() - began)
    load_row(table, "4", "the class", common.load_average(), busy, "the class's server counts among them")


def part_backends(table: Table, results: dict[str, Any], settings: dict[str, Any], parts: list[int]) -> None:
    results["backends"] = measure(table, "6", "backends", settings["backends"], 900)


def part_lesson(table: Table, results: dict[str, Any], settings: dict[str, Any], parts: list[int]) -> None:
    results["lesson"] = [measure(table, "5", "lesson", seed, 1800) for seed in settings["lesson"]]


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs of every part (a few minutes)")
    parser.add_argument("--parts", default="1,4,5,6", help="parts to run, e.g. 1,3 (default: all)")
    parser.add_argument(
        "--article-full", action="store_true", help="the recipe to 50,000 steps, 3 seeds, 1-2 layers"
    )
    parser.add_argument("--json", type=Path, default=common.BENCH_DIRECTORY / "results" / "latest.json")
    parser.add_argument(
        "--repository", type=Path, help="measure another checkout (a patched copy) with this bench"
    )
    arguments = parser.parse_args(argv)
    parts = {part.strip() for part in arguments.parts.split(",")}
    if not parts <= set("1456"):
        parser.error("--parts takes 1, 4, 5 and 6, e.g. 1,4")
    arguments.parts = sorted(int(part) for part in parts)
    return arguments


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(argv)
    if arguments.repository is not None:
        os.environ[common.REPOSITORY_VARIABLE] = str(arguments.repository.resolve())
    settings, table, failures = plan(arguments.quick, arguments.article_full), Table(), []
    command, started = (
        " ".join(["python bench/bench.py", *argv]),
        datetime.datetime.now().isoformat("T", "seconds"),
    )
    began, load_at_start = time.perf_counter(), common.load_average()
    results: dict[str, Any] = {
        "command": command,
        "started": started,
        "repository": str(common.repository_root()),
    }
    for step, covers in (
        (part_training, {1}),
        (part_page, {4}),
        (part_lesson, {5}),
        (part_backends, {6}),
    ):
        if covers & set(arguments.parts):
            try:
                step(table, results, settings, arguments.parts)
            except Exception as error:  # noqa: BLE001 - one failed part must not lose the others
                failures.append(f"{step.__name__}: {error}")
                table.add(
                    str(min(covers)), "FAILED", type(error).__name__, note=str(error).splitlines()[0][:300]
                )
                traceback.print_exc()
    machine, total = common.machine_facts(), time.perf_counter() - began
    # Every part keeps its rows' order (a stable sort).
    table.rows = sorted(
        (row for row in table.rows if int(row.part) in arguments.parts), key=lambda row: row.part
    )
    results.update(settings=settings, machine=machine, failures=failures, total_seconds=total)
    results["table"] = [row.__dict__ for row in table.rows]
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps(results, indent=1, default=str))
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    print(f"nextword benchmark · {command} · {started}")
    print(f"{machine['cpu_model']}, {machine['cpu_count']} cores · Python {machine['python']} · {packages}")
    end = common.load_average()
    print(f"load average at start {load_at_start:.1f}, at end {end:.1f} · total {total:.0f} s\n")
    print(table.render())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
