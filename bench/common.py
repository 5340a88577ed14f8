"""The bench's plumbing: child processes, the machine's facts and load, timing helpers, the table.

Every measurement that loads TensorFlow runs in a child process of its own (`bench/measurements.py
NAME JSON`), so one measurement's peak memory (`ru_maxrss`) or thread pools never leak into the
next. A child prints one line that starts with `RESULT_MARKER`, followed by JSON.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

BENCH_DIRECTORY = Path(__file__).resolve().parent
RESULT_MARKER = "BENCH-RESULT "
REPOSITORY_VARIABLE = "NEXTWORD_BENCH_REPOSITORY"


def repository_root() -> Path:
    """The checkout measured: this one, or the one `--repository` names (a patched copy)."""
    return Path(os.environ.get(REPOSITORY_VARIABLE) or BENCH_DIRECTORY.parent).resolve()


def make_importable() -> None:
    """Put the measured checkout first on sys.path, so `import nextword` loads its library."""
    root = str(repository_root())
    if root not in sys.path:
        sys.path.insert(0, root)


# ----- the machine -----


def load_average() -> float:
    """The 1-minute load average: on a shared machine other jobs slow every timing."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return math.nan


def cpu_counters() -> tuple[float, float]:
    """(CPU seconds all processes used since boot, CPU seconds of this process's ended children)."""
    busy = math.nan
    try:
        ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    except (OSError, ValueError, IndexError):
        pass
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return busy, children.ru_utime + children.ru_stime


def others_share(before: tuple[float, float], after: tuple[float, float], seconds: float) -> float:
    """Share of the cores that processes other than this one and its ended children kept busy."""
    others = (after[0] - before[0]) - (after[1] - before[1])
    return max(0.0, others) / (seconds * (os.cpu_count() or 1)) if seconds > 0 else math.nan


def machine_facts() -> dict[str, Any]:
    cpu_info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [
        line.split(":", 1)[1].strip() for line in cpu_info.splitlines() if line.startswith("model name")
    ]
    packages = {}
    for package in ("numpy", "tensorflow", "keras", "streamlit", "playwright"):
        try:
            packages[package] = version(package)
        except PackageNotFoundError:
            packages[package] = "not installed"
    return {
        "cpu_model": models[0] if models else platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "packages": packages,
    }


# ----- child processes -----


class ChildError(RuntimeError):
    """A measurement's child process failed; the message carries the end of its stderr."""


def run_child(measurement: str, parameters: dict[str, Any], timeout_seconds: float) -> dict[str, Any]:
    """Run one measurement in a fresh Python process; its JSON result, with the machine's load.

    Adds `wall_seconds` (spawn to exit), `load_average` (at the end) and `others_busy` (the share of
    the cores other processes kept busy meanwhile: a high one makes every timing pessimistic).
    """
    command = [sys.executable, str(BENCH_DIRECTORY / "measurements.py"), measurement, json.dumps(parameters)]
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}
    before, began = cpu_counters(), time.perf_counter()
    try:
        done = subprocess.run(command, cwd=repository_root(), env=environment, capture_output=True, text=True,
                              timeout=timeout_seconds)  # fmt: skip
    except subprocess.TimeoutExpired as error:
        raise ChildError(f"{measurement} took longer than {timeout_seconds:.0f} s") from error
    wall = time.perf_counter() - began
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER) :])
            busy = others_share(before, cpu_counters(), wall)
            return {**result, "wall_seconds": wall, "load_average": load_average(), "others_busy": busy}
    tail = "\n".join(done.stderr.strip().splitlines()[-15:])
    raise ChildError(f"{measurement} exited with code {done.returncode} and no result:\n{tail}")


def peak_rss_megabytes() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report_result(result: dict[str, Any]) -> None:
    """In a child: add its peak RSS and print the one result line."""
    result["peak_rss_megabytes"] = peak_rss_megabytes()
    print(
        RESULT_MARKER
        + json.dumps(result, default=lambda value: value.tolist() if hasattr(value, "tolist") else str(value))
    )


# ----- timing -----


def median_seconds(function: Callable[[], Any], repeats: int, warmup: int = 3) -> float:
    """Median wall time of `function()` over `repeats` calls, after `warmup` untimed calls."""
    for _ in range(warmup):
        function()
    durations = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        durations.append(time.perf_counter() - began)
    return statistics.median(durations)


def format_seconds(seconds: float | None) -> str:
    """A duration as a person reads it: 41 µs, 12.3 ms, 1.52 s, 443 s."""
    if seconds is None or not math.isfinite(seconds):
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s" if seconds < 100 else f"{seconds:,.0f} s"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def medians(values: list[float], show: Callable[[float], str] = format_seconds) -> str:
    """'1.52 s (1.40, 1.52, 2.10)': the median of several tries, and each try."""
    return f"{show(median(values))} ({', '.join(show(value) for value in values)})"


# ----- the table -----


@dataclass
class Row:
    part: str
    figure: str
    value: str
    target: str = ""
    verdict: str = ""
    note: str = ""


@dataclass
class Table:
    """Rows of figure, value, target and verdict; notes are printed under the table."""

    rows: list[Row] = field(default_factory=list)

    def add(self, part: str, figure: str, value: str, target: str = "", verdict: str = "", note: str = ""):
        self.rows.append(Row(part, figure, value, target, verdict, note))

    def at_most(self, part, figure, measured: float, limit: float, value=None, show=format_seconds, note=""):
        """A figure that must stay at or below `limit`: 'met (0.42× the limit)' or 'MISSED by 1.3×'."""
        ratio = measured / limit
        verdict = f"met ({ratio:.2f}× the limit)" if ratio <= 1 else f"MISSED by {ratio:.2f}×"
        verdict = verdict if math.isfinite(ratio) else "not measured"
        self.add(part, figure, value or show(measured), f"≤ {show(limit)}", verdict, note)

    def at_least(self, part, figure, measured: float, goal: float, value=None, show=format_seconds, note=""):
        """A figure that must reach `goal`: 'met (3.1× the target)' or 'MISSED (reached 0.7×)'."""
        ratio = measured / goal
        verdict = f"met ({ratio:.1f}× the target)" if ratio >= 1 else f"MISSED (reached {ratio:.2f}×)"
        verdict = verdict if math.isfinite(ratio) else "not measured"
        self.add(part, figure, value or show(measured), f"≥ {show(goal)}", verdict, note)

    def render(self) -> str:
        headers = ("part", "figure", "value", "target", "verdict")
        cells = [(row.part, row.figure, row.value, row.target, row.verdict) for row in self.rows]
        widths = [max(len(line[index]) for line in [headers, *cells]) for index in range(len(headers))]

        def line(values) -> str:
            return "  ".join(value.ljust(width) for value, width in zip(values, widths, strict=True)).rstrip()

        lines = [line(headers), line("-" * width for width in widths)]
        for index, row in enumerate(self.rows):
            if index and row.part != self.rows[index - 1].part:
                lines.append("")
            lines.append(line(cells[index]))
        notes = [f"  [{row.part}] {row.figure}: {row.note}" for row in self.rows if row.note]
        return "\n".join(lines + (["", "Notes:", *notes] if notes else []))
