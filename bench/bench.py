"""nextword's benchmark: training, prediction and the page, side by side with their targets.

    python bench/bench.py                 # everything
    python bench/bench.py --quick         # the same figures from shorter runs
    python bench/bench.py --parts 1,4     # some parts only
    python bench/bench.py --article-full  # the article's recipe to 50,000 steps, seeds 0-2, 1 and 2 layers

Parts: 1. the article's recipe against the default run on the fable; 4. the page in Chromium
("ready" beside a bare Streamlit page, a slider's rerun, cold and warm Train) and a class over the
page's websocket (bench/class_load.py); 5. the held-out lesson on Tiny Shakespeare, seeds 0-2;
6. the Ray path beside the in-process one. Each TensorFlow measurement runs in a child process of
its own (bench/measurements.py); the table goes to stdout, the raw figures to bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
import traceback
from importlib.metadata import version
from pathlib import Path
from typing import Any

import common
from common import Row, Table

ARTICLE_RATIO = 150.0  # issue 13: the default run at least this many times faster than the recipe


def plan(quick: bool, article_full: bool) -> dict[str, Any]:
    return {
        "article": {
            "cap_seconds": 1800.0 if article_full else (15.0 if quick else 90.0),
            "seeds": [0, 1, 2] if article_full else [0],
            "layers": [1, 2] if article_full else [1],
        },
        "page_rounds": 3 if quick else 5,
        "class": {"students": 10 if quick else 30, "steps": 300, "flood": 8, "seconds": 600},
        "lesson": [{"seed": seed, "views": seed == 0, "steps": 600 if quick else None} for seed in (0, 1, 2)],
        "backends": {"steps": 300},
    }


def measure(table: Table, name: str, parameters: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One measurement in a child process of its own; its rows, after one on how busy the machine was."""
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] part {table.part}: {name} {json.dumps(parameters)}", file=sys.stderr, flush=True)
    result = common.run_child(name, parameters, timeout)
    table.add(f"machine during {name}", f"load average {result['load_average']:.1f}")
    table.rows += [Row(**row) for row in result.pop("rows")]
    return result


def part_training(table: Table, results: dict[str, Any], settings: dict[str, Any]) -> None:
    """Part 1: one child trains the default run, the others the article's recipe."""
    default = results["fable_default"] = measure(table, "fable_default", {}, 900)
    recipe, articles = settings["article"], results.setdefault("article", [])
    for layers, seed in ((layers, seed) for layers in recipe["layers"] for seed in recipe["seeds"]):
        parameters = {"cap_seconds": recipe["cap_seconds"], "layers": layers, "seed": seed}
        articles.append(measure(table, "article", parameters, recipe["cap_seconds"] + 600))
    extrapolated = "" if articles[0]["measured"] else " (the article's time extrapolated)"
    for figure, seconds in (
        ("ratio: article's 50,000 steps / default run, training s", default["training_seconds"]),
        ("ratio: the same / default run from a spare model (the page's Train)", default["spare_seconds"]),
    ):
        ratio, show = articles[0]["seconds"] / seconds, "{:,.0f}×".format
        table.check(figure, ratio, ARTICLE_RATIO, show(ratio) + extrapolated, show, at_least=True)


def part_page(table: Table, results: dict[str, Any], settings: dict[str, Any]) -> None:
    """Part 4: a class of students over the page's websocket, then the page in Chromium."""
    from class_load import class_load
    from page import measure_page

    results["class"] = class_load(table, settings["class"])  # first: it needs no browser
    table.add("machine after the class", f"load average {os.getloadavg()[0]:.1f}")
    results["page"] = measure_page(table, settings["page_rounds"], common.RESULTS / "server.log")
    table.add("machine after the page", f"load average {os.getloadavg()[0]:.1f}")


def part_lesson(table: Table, results: dict[str, Any], settings: dict[str, Any]) -> None:
    results["lesson"] = [measure(table, "lesson", seed, 1800) for seed in settings["lesson"]]


def part_backends(table: Table, results: dict[str, Any], settings: dict[str, Any]) -> None:
    results["backends"] = measure(table, "backends", settings["backends"], 900)


PARTS = {"1": part_training, "4": part_page, "5": part_lesson, "6": part_backends}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs of every part")
    parser.add_argument("--parts", default="1,4,5,6", help="parts to run, e.g. 1,4 (default: all)")
    parser.add_argument("--article-full", action="store_true", help="the recipe to 50,000 steps, 3 seeds")
    parser.add_argument("--repository", type=Path, help="measure another checkout (a patched copy)")
    arguments = parser.parse_args(argv)
    parts = sorted({part.strip() for part in arguments.parts.split(",")})
    if not set(parts) <= set(PARTS):
        parser.error("--parts takes 1, 4, 5 and 6, e.g. 1,4")
    if arguments.repository is not None:
        os.environ[common.REPOSITORY_VARIABLE] = str(arguments.repository.resolve())
    settings, table, failures = plan(arguments.quick, arguments.article_full), Table(), []
    command = " ".join(["python bench/bench.py", *argv])
    started, began, load_at_start = datetime.datetime.now(), time.perf_counter(), os.getloadavg()[0]
    results: dict[str, Any] = {"command": command, "started": started, "repository": common.repository_root()}
    for part in parts:
        try:
            table.part = part
            PARTS[part](table, results, settings)
        except Exception as error:  # noqa: BLE001 - one failed part must not lose the others
            failures.append(f"part {part}: {error}")
            table.add("FAILED", type(error).__name__, note=str(error).splitlines()[0][:300])
            traceback.print_exc()
    total, load_at_end = time.perf_counter() - began, os.getloadavg()[0]
    packages = ", ".join(f"{name} {version(name)}" for name in ("numpy", "tensorflow", "keras", "streamlit"))
    machine = f"{os.cpu_count()} cores · Python {platform.python_version()} · {packages}"
    rows = [row.__dict__ for row in table.rows]
    results |= dict(settings=settings, machine=machine, failures=failures, total_seconds=total, table=rows)
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "latest.json").write_text(json.dumps(results, indent=1, default=str))
    print(f"nextword benchmark · {command} · {started:%Y-%m-%d %H:%M}\n{machine}")
    print(f"load average at start {load_at_start:.1f}, at end {load_at_end:.1f} · total {total:.0f} s\n")
    print(table.render())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
