"""Shared plumbing for the benchmark: child processes, timing helpers, machine facts, the table.

Every measurement that loads TensorFlow runs in a child process of its own (`bench/worker.py`), so
a peak memory (`ru_maxrss`) or a thread pool left spinning by one measurement never leaks into the
next. A child prints exactly one line starting with `RESULT_MARKER`, followed by JSON.
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIRECTORY = Path(__file__).resolve().parent
REPOSITORY_ROOT = BENCH_DIRECTORY.parent
RESULT_MARKER = "BENCH-RESULT "
WORKER_PATH = BENCH_DIRECTORY / "worker.py"
REPOSITORY_VARIABLE = "NEXTWORD_BENCH_REPOSITORY"


def repository_root() -> Path:
    """The checkout whose library and page are measured: this one, or `--repository PATH`.

    Measuring another checkout (a copy with a patch applied) with the same benchmark is how the
    library speed-ups suggested in the README were checked.
    """
    return Path(os.environ.get(REPOSITORY_VARIABLE) or REPOSITORY_ROOT).resolve()


def make_importable() -> None:
    """Put the measured checkout first on sys.path, so `import nextword` loads its library."""
    root = str(repository_root())
    if root not in sys.path:
        sys.path.insert(0, root)


# ----- child processes -----


class ChildError(RuntimeError):
    """A measurement's child process failed; the message carries the end of its stderr."""


def cpu_counters() -> tuple[float, float]:
    """(CPU seconds all processes have used since boot, CPU seconds of this process's ended children)."""
    busy = math.nan
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        ticks = [int(value) for value in fields[:8]]
        idle = ticks[3] + ticks[4]  # idle and iowait
        busy = (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return busy, children.ru_utime + children.ru_stime


def others_cpu_share(before: tuple[float, float], after: tuple[float, float], wall_seconds: float) -> float:
    """Share of the machine's cores that *other* processes kept busy meanwhile (0 = a quiet machine)."""
    others = (after[0] - before[0]) - (after[1] - before[1])
    return max(0.0, others) / (wall_seconds * (os.cpu_count() or 1)) if wall_seconds > 0 else math.nan


def wait_until_quiet(max_seconds: float, busy_share: float = 0.15) -> float:
    """Wait (at most `max_seconds`) until other processes use under `busy_share` of the cores.

    Samples the machine's CPU use over one second at a time; returns the seconds waited. On a
    machine shared with test runs, this keeps most measurements from landing in someone's burst.
    """
    began = time.perf_counter()
    while time.perf_counter() - began < max_seconds:
        before = cpu_counters()
        time.sleep(1.0)
        if others_cpu_share(before, cpu_counters(), 1.0) < busy_share:
            break
    return time.perf_counter() - began


def run_child(measurement: str, parameters: dict[str, Any], timeout_seconds: float) -> dict[str, Any]:
    """Run one measurement in a fresh Python process and return its JSON result.

    The result always holds `peak_rss_megabytes` (the child's own ru_maxrss), `wall_seconds`
    (the parent's clock, from spawn to exit, TensorFlow import included) and `others_cpu_share`
    (how busy other processes kept the machine meanwhile: timings from a busy machine are slower).
    """
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, str(WORKER_PATH), measurement, json.dumps(parameters)]
    counters_before = cpu_counters()
    began = time.perf_counter()
    try:
        completed = subprocess.run(
            command,
            cwd=repository_root(),
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout_seconds,
        )
    except subprocess.TimeoutExpired as error:
        raise ChildError(f"{measurement} took longer than {timeout_seconds:.0f} s") from error
    wall_seconds = time.perf_counter() - began
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            result = json.loads(line[len(RESULT_MARKER) :])
            result["wall_seconds"] = wall_seconds
            result["others_cpu_share"] = others_cpu_share(counters_before, cpu_counters(), wall_seconds)
            return result
    tail = "\n".join(completed.stderr.strip().splitlines()[-15:])
    raise ChildError(f"{measurement} exited with code {completed.returncode} and no result:\n{tail}")


def report_result(result: dict[str, Any]) -> None:
    """Called in a child: add its own peak RSS and print the one result line."""
    result["peak_rss_megabytes"] = peak_rss_megabytes()
    print(RESULT_MARKER + json.dumps(result, default=_json_default), flush=True)


def _json_default(value: Any) -> Any:
    """numpy scalars and arrays (and anything else) as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def peak_rss_megabytes() -> float:
    """This process's peak resident set size in megabytes (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages (other jobs on a shared machine skew every timing)."""
    try:
        return os.getloadavg()
    except OSError:
        return (math.nan, math.nan, math.nan)


def machine_facts() -> dict[str, Any]:
    """What ran the benchmark: CPU model and count, Python, and the packages that matter."""
    cpu_model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("numpy", "tensorflow", "keras", "streamlit", "playwright"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - a missing package is reported, not fatal
            versions[package] = "not installed"
    return {
        "cpu_model": cpu_model,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
        "load_average_at_start": load_average(),
    }


# ----- the table -----


@dataclass
class Row:
    """One line of the printed table: a figure, its target, what was measured and the verdict."""

    part: str
    figure: str
    target: str
    measured: str
    verdict: str = ""
    note: str = ""


@dataclass
class Table:
    """Rows collected over the run, printed at the end (and as they come, with `--verbose`)."""

    rows: list[Row] = field(default_factory=list)

    def add(
        self, part: str, figure: str, target: str, measured: str, verdict: str = "", note: str = ""
    ) -> None:
        self.rows.append(Row(part, figure, target, measured, verdict, note))

    def render(self) -> str:
        headers = ("part", "figure", "target", "measured", "ratio / verdict")
        body = [(row.part, row.figure, row.target, row.measured, row.verdict) for row in self.rows]
        widths = [max(len(str(cells[index])) for cells in [headers, *body]) for index in range(len(headers))]
        lines = ["  ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True))]
        lines.append("  ".join("-" * width for width in widths))
        previous_part = None
        for row, cells in zip(self.rows, body, strict=True):
            if previous_part is not None and row.part != previous_part:
                lines.append("")
            previous_part = row.part
            lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)))
        notes = [f"[{row.part}] {row.figure}: {row.note}" for row in self.rows if row.note]
        if notes:
            lines += ["", "Notes:"] + [f"  {note}" for note in notes]
        return "\n".join(line.rstrip() for line in lines)


def verdict_at_most(measured: float, target: float) -> str:
    """'met (0.42× the target)' or 'MISSED by 1.3×' for a figure that must stay at or below `target`."""
    if not math.isfinite(measured):
        return "not measured"
    ratio = measured / target if target else math.inf
    if ratio <= 1:
        return f"met ({ratio:.2f}× the limit)"
    return f"MISSED by {ratio:.2f}×"


def verdict_at_least(measured: float, target: float) -> str:
    """'met (3.1× the target)' or 'MISSED (0.7× the target)' for a figure that must reach `target`."""
    if not math.isfinite(measured):
        return "not measured"
    ratio = measured / target if target else math.inf
    if ratio >= 1:
        return f"met ({ratio:.1f}× the target)"
    return f"MISSED (reached {ratio:.2f}× the target)"


def format_seconds(seconds: float | None) -> str:
    """A duration the way a person reads it: 0.41 ms, 12.3 ms, 1.52 s, 443 s."""
    if seconds is None or not math.isfinite(seconds):
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    if seconds < 100:
        return f"{seconds:.3g} s"
    return f"{seconds:,.0f} s"


def growth_exponent(sizes: Sequence[float], costs: Sequence[float]) -> float:
    """The slope of log(cost) against log(size): 1 means linear growth, 0 flat, 2 quadratic."""
    pairs = [
        (math.log(size), math.log(cost))
        for size, cost in zip(sizes, costs, strict=True)
        if size > 0 and cost > 0
    ]
    if len(pairs) < 2:
        return math.nan
    mean_x = sum(x for x, _ in pairs) / len(pairs)
    mean_y = sum(y for _, y in pairs) / len(pairs)
    spread = sum((x - mean_x) ** 2 for x, _ in pairs)
    if spread == 0:
        return math.nan
    return sum((x - mean_x) * (y - mean_y) for x, y in pairs) / spread
