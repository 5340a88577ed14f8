"""Starting the page for a real browser: `streamlit run` on a free port, and Chromium to open it.

One place for what the browser tests (tests/page/test_browser.py, tests/page/test_class_of_ten.py) and the
benchmark's page part (bench/page.py) all need, as docs UI-TESTING.md describes it:
127.0.0.1 on a free port, headless, no file watcher, a health check before the first page, and a
server always stopped by its own process group. No pytest and no Playwright import here, so the
benchmark can use it too.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SYSTEM_CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 60


def find_chromium(playwright=None) -> str | None:
    """A Playwright-managed Chromium if one is installed, else the system one (Debian's package)."""
    managed = None
    if playwright is not None:
        try:
            managed = playwright.chromium.executable_path
        except Exception:  # noqa: BLE001 - no managed browser registered
            managed = None
    if managed and Path(managed).exists():
        return managed
    for candidate in SYSTEM_CHROMIUM:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def healthy(url: str) -> bool:
    """True when the server at `url` answers its health check with "ok"."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def peak_memory_megabytes(pid: int) -> float:
    """A process's peak resident set size (VmHWM) in megabytes, read from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return math.nan


def wait_idle(pid: int, timeout: float = 120) -> None:
    """Wait until a process used under a tenth of a core for a whole second (or `timeout` passed)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu_seconds() -> float:  # utime + stime, the 14th and 15th fields of /proc/PID/stat
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds()
        time.sleep(1.0)
        if cpu_seconds() - before < 0.1:
            return


class StreamlitServer:
    """`streamlit run script` (the page's `streamlit_app.py` unless told) from `root` on a free port,
    logging to `log_path`.

    `start()` returns once the health check answers (`spawned_at` and `healthy_at` keep the wall
    times); `stop()` ends the whole process group. Also a context manager.
    """

    def __init__(
        self,
        root: Path,
        log_path: Path,
        environment: dict[str, str] | None = None,
        script: str = "streamlit_app.py",
    ):
        self.root = Path(root)
        self.script = script
        self.log_path = Path(log_path)
        self.extra_environment = dict(environment or {})
        self.port = free_port()
        if port_in_use(self.port):
            raise RuntimeError(f"port {self.port} is taken: a stale server would pass the health check")
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._log = None
        self.spawned_at = math.nan
        self.healthy_at = math.nan

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the server has not been started")
        return self.process.pid

    def start(self, timeout: float = SERVER_START_SECONDS) -> StreamlitServer:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            self.script,
            "--server.headless",
            "true",
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ]
        self.spawned_at = time.time()
        self.process = subprocess.Popen(
            command,
            cwd=self.root,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **self.extra_environment},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(
                    f"streamlit exited with code {self.process.returncode}; see {self.log_path}"
                )
            if healthy(self.url):
                self.healthy_at = time.time()
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"streamlit did not answer {self.url}/_stcore/health in {timeout} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> StreamlitServer:
        return self.start()

    def __exit__(self, *exception) -> None:
        self.stop()
