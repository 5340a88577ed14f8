"""The bench's plumbing: the checkout measured, child processes, memory, and the table of figures.

Every measurement that loads TensorFlow runs in a child process of its own (`bench/measurements.py
NAME JSON`), so one measurement's peak memory or thread pools never leak into the next; the child
prints one line that starts with `RESULT_MARKER`, followed by JSON.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIRECTORY = Path(__file__).resolve().parent
RESULTS = BENCH_DIRECTORY / "results"
RESULT_MARKER = "BENCH-RESULT "
REPOSITORY_VARIABLE = "NEXTWORD_BENCH_REPOSITORY"


def repository_root() -> Path:
    """The checkout measured: this one, or the one `--repository` names (a patched copy)."""
    return Path(os.environ.get(REPOSITORY_VARIABLE) or BENCH_DIRECTORY.parent).resolve()


def make_importable() -> None:
    """The measured checkout first on sys.path: `import nextword` and `import tests` load its code."""
    if str(repository_root()) not in sys.path:
        sys.path.insert(0, str(repository_root()))


def memory_megabytes(pid: int | str = "self", field_name: str = "VmRSS") -> float:
    """A process's resident set (VmRSS) or its peak (VmHWM) in megabytes, read from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


def run_child(measurement: str, parameters: dict[str, Any], timeout_seconds: float) -> dict[str, Any]:
    """One measurement in a fresh Python process: its JSON result, and the load average at its end."""
    command = [sys.executable, str(BENCH_DIRECTORY / "measurements.py"), measurement, json.dumps(parameters)]
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}
    try:
        done = subprocess.run(command, cwd=repository_root(), env=environment, capture_output=True, text=True,
                              timeout=timeout_seconds)  # fmt: skip
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"{measurement} took longer than {timeout_seconds:.0f} s") from error
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_MARKER):
            return {**json.loads(line[len(RESULT_MARKER) :]), "load_average": os.getloadavg()[0]}
    tail = "\n".join(done.stderr.strip().splitlines()[-15:])
    raise RuntimeError(f"{measurement} exited with code {done.returncode} and no result:\n{tail}")


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
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s" if seconds < 100 else f"{seconds:,.0f} s"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def medians(values: list[float], show: Callable[[float], str] = format_seconds) -> str:
    """'1.52 s (1.40, 1.52, 2.10)': the median of several tries, and each try."""
    return f"{show(median(values))} ({', '.join(show(value) for value in values)})"


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

    part: str = ""  # of the rows added next
    rows: list[Row] = field(default_factory=list)

    def add(self, figure: str, value: str, target: str = "", verdict: str = "", note: str = ""):
        self.rows.append(Row(self.part, figure, value, target, verdict, note))

    def check(
        self, figure, measured: float, target: float, value=None, show=format_seconds, note="", at_least=False
    ):
        """A figure against its target, at most (or `at_least`): 'met (0.42× the target)' or 'MISSED (…)'."""
        ratio = measured / target
        met = "met" if (ratio >= 1 if at_least else ratio <= 1) else "MISSED"
        verdict = f"{met} ({ratio:.2f}× the target)" if math.isfinite(ratio) else "not measured"
        self.add(figure, value or show(measured), f"{'≥≤'[not at_least]} {show(target)}", verdict, note)

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
