"""Part 4: the page in a real browser, timed from the browser's side.

Starts `streamlit run streamlit_app.py` the way docs UI-TESTING.md describes (a free port on
127.0.0.1, headless, no file watcher, a health check) and drives Debian's Chromium through
Playwright. A script injected into every page (`_MARKS_SCRIPT`) watches the DOM with a
MutationObserver and stamps, with the wall clock, the first moment each thing appears: the app's
title, the complete story section, a chart point of a run, and every change of the progress text.
So the times do not depend on how often Python polls.

This module never imports TensorFlow: the server does, when the first run starts (the cold case).
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import statistics
import time
from pathlib import Path
from typing import Any

from common import BENCH_DIRECTORY, REPOSITORY_ROOT, make_importable, repository_root

make_importable()

# The measured page's Training steps options, in slider order (no Streamlit, no TensorFlow).
from nextword.page.options import STEP_OPTIONS  # noqa: E402 - needs the repository on sys.path first

PROBE_DIRECTORY = BENCH_DIRECTORY / "server_probe"


# Runs in every page before its own scripts. `window.__bench` holds first-seen times (Date.now(),
# milliseconds since the epoch, the same clock as Python's time.time()).
_MARKS_SCRIPT = r"""
(() => {
  const bench = { marks: {}, progress: [], previousRun: null, expectTotal: null, lastProgress: '' };
  window.__bench = bench;
  const mark = (name) => { if (!(name in bench.marks)) bench.marks[name] = Date.now(); };
  const main = () => document.querySelector('[data-testid="stMain"]');
  const runKey = () => {
    const area = main();
    if (!area) return null;
    const match = area.innerText.match(/Run ([0-9a-f]{12})/);
    return match ? match[1] : null;
  };
  const chartHasPoint = () => {
    const charts = '[data-testid="stVegaLiteChart"] svg';
    const selector = `${charts} g.mark-line path, ${charts} g.mark-symbol path`;
    for (const path of document.querySelectorAll(selector)) {
      if ((path.getAttribute('d') || '').length > 2) return true;
    }
    return false;
  };
  const check = () => {
    bench.pending = false;
    const area = main();
    if (!area) return;
    for (const heading of area.querySelectorAll('h1')) {
      if (heading.textContent.includes('nextword')) mark('title');
    }
    for (const heading of area.querySelectorAll('h3')) {
      if (heading.textContent.includes('The first windows')) mark('story');
    }
    const progress = area.querySelector('[data-testid="stProgress"]');
    const text = progress ? progress.innerText.trim() : '';
    const key = runKey();
    if (text && text !== bench.lastProgress) {
      bench.lastProgress = text;
      const match = text.match(/^Step ([0-9,]+) \//);
      if (match) bench.progress.push([Date.now(), Number(match[1].replace(/,/g, '')), key]);
    }
    // A chart point of the new run: its progress (the total tells it from the previous run's,
    // whose elements may still be on screen for a moment) past step 0, and a drawn point.
    const step = text.match(/^Step ([0-9,]+) \/ ([0-9,]+)/);
    if (key && key !== bench.previousRun && step && Number(step[1].replace(/,/g, '')) > 0
        && Number(step[2].replace(/,/g, '')) === bench.expectTotal && chartHasPoint()) {
      mark('point:' + key);
    }
  };
  const schedule = () => { if (!bench.pending) { bench.pending = true; setTimeout(check, 0); } };
  // When the browser dispatched the last click (Playwright's click() waits for the element first).
  document.addEventListener('click', () => { bench.lastClick = Date.now(); }, true);
  const start = () => {
    new MutationObserver(schedule).observe(document.documentElement,
      { subtree: true, childList: true, attributes: true, characterData: true });
    schedule();
  };
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""


def _load_page_server():
    """tests/page_server.py of the benchmark's own checkout (not of a `--repository` being measured)."""
    path = REPOSITORY_ROOT / "tests" / "page_server.py"
    spec = importlib.util.spec_from_file_location("nextword_bench_page_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


page_server = _load_page_server()


class StreamlitServer(page_server.StreamlitServer):
    """The page's server, optionally with the timing probe of bench/server_probe loaded into it."""

    def __init__(self, log_path: Path, probe_path: Path | None = None):
        environment = {}
        if probe_path is not None:
            probe_path.parent.mkdir(parents=True, exist_ok=True)
            probe_path.write_text("")
            existing = os.environ.get("PYTHONPATH")
            environment["PYTHONPATH"] = str(PROBE_DIRECTORY) + (os.pathsep + existing if existing else "")
            environment["NEXTWORD_BENCH_PROBE"] = str(probe_path)
        super().__init__(repository_root(), log_path, environment)
        self.probe_path = probe_path

    def probe_events(self, since: float) -> dict[str, float]:
        """The server-side times (see bench/server_probe) of the first run started after `since`."""
        if self.probe_path is None or not self.probe_path.exists():
            return {}
        lines = [line.split() for line in self.probe_path.read_text().splitlines() if line.strip()]
        events = [
            (float(stamp), event, session) for stamp, event, session, _ in lines if float(stamp) >= since
        ]
        starts = [session for _, event, session in events if event == "start"]
        if not starts:
            return {}
        return {event: stamp for stamp, event, session in reversed(events) if session == starts[0]}

    def peak_memory_megabytes(self) -> float:
        return page_server.peak_memory_megabytes(self.process.pid) if self.process else math.nan


# ----- driving the page -----


def marks(page) -> dict[str, Any]:
    return page.evaluate("() => window.__bench || {marks: {}, progress: []}")


def wait_for_mark(page, name: str, timeout_seconds: float) -> float:
    """Wall-clock time (seconds since the epoch) at which the page first showed `name`."""
    page.wait_for_function(
        "name => window.__bench && name in window.__bench.marks", arg=name, timeout=timeout_seconds * 1000
    )
    return marks(page)["marks"][name] / 1000


def main_area(page):
    return page.get_by_test_id("stMain")


def wait_script_idle(page, timeout_seconds: float = 30) -> None:
    """Wait until the server has no full script run in flight (the status widget is gone)."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=timeout_seconds * 1000)


def set_steps(page, steps: int) -> None:
    """Move the Training steps slider to `steps` with the keyboard (fill() would not reach the server)."""
    slider = page.get_by_role("slider", name="Training steps")
    slider.focus()
    slider.press("Home")
    for _ in range(STEP_OPTIONS.index(steps)):
        slider.press("ArrowRight")
    wait_script_idle(page)


def current_run(page) -> str | None:
    text = main_area(page).inner_text()
    match = re.search(r"Run ([0-9a-f]{12})", text)
    return match.group(1) if match else None


def press_train(page, total_steps: int, timeout_seconds: float) -> tuple[str, float, float]:
    """Press Train for a run of `total_steps`; (its key, click time, time its first chart point showed).

    The click time is when the browser dispatched the click, not when Playwright was asked to click.
    """
    previous = current_run(page)
    page.evaluate(
        "([previous, total]) => Object.assign(window.__bench, {previousRun: previous, expectTotal: total})",
        [previous, total_steps],
    )
    clicked = time.time()
    main_area(page).get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(
        "previous => { const m = document.querySelector('[data-testid=\"stMain\"]').innerText"
        ".match(/Run ([0-9a-f]{12})/); return m && m[1] !== previous; }",
        arg=previous,
        timeout=timeout_seconds * 1000,
    )
    key = current_run(page)
    point = wait_for_mark(page, f"point:{key}", timeout_seconds)
    dispatched = marks(page).get("lastClick")
    if dispatched and dispatched / 1000 >= clicked:
        clicked = dispatched / 1000
    return key, clicked, point


def wait_progress_ends(page, endings: tuple[str, ...], timeout_seconds: float) -> None:
    page.wait_for_function(
        "endings => [...document.querySelectorAll('[data-testid=\"stProgress\"]')]"
        ".some(element => endings.some(ending => element.innerText.trim().endsWith(ending)))",
        arg=list(endings),
        timeout=timeout_seconds * 1000,
    )


def progress_points(page, key: str) -> list[tuple[float, int]]:
    """(wall time, step) each time the page's progress text changed for run `key`."""
    return [(stamp / 1000, step) for stamp, step, run in marks(page)["progress"] if run == key]


def rate_between(points: list[tuple[float, int]], start: float, end: float) -> float:
    """Steps per second between the first and last progress change inside [start, end]."""
    inside = [(moment, step) for moment, step in points if start <= moment <= end]
    if len(inside) < 2 or inside[-1][0] <= inside[0][0]:
        return math.nan
    return (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0])


def breakdown(server: StreamlitServer, clicked: float, painted: float) -> dict[str, float]:
    """Train → first chart point in parts: the click's script run, the model build, the first step
    (its trace), publishing, and the page's poll and redraw. Empty without the server probe."""
    events = server.probe_events(clicked)
    needed = ("start", "built", "first_step", "first_publish")
    if not all(name in events for name in needed):
        return {}
    return {
        "click_to_session_start": events["start"] - clicked,
        "model_build": events["built"] - events["start"],
        "first_step_with_trace": events["first_step"] - events["built"],
        "first_step_to_published": events["first_publish"] - events["first_step"],
        "published_to_painted": painted - events["first_publish"],
    }


def open_page(browser, url: str, timeout_seconds: float = 60):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(_MARKS_SCRIPT)
    page = context.new_page()
    navigated = time.time()
    page.goto(url)
    wait_for_mark(page, "story", timeout_seconds)
    return context, page, navigated


def measure_page(parameters: dict[str, Any], log_path: Path) -> dict[str, Any]:
    """First paint, Train → first chart point (cold and warm), and steps/s watched vs not watched."""
    from playwright.sync_api import sync_playwright

    watch_seconds = float(parameters.get("watch_seconds", 12))
    warm_repeats = int(parameters.get("warm_repeats", 3))
    result: dict[str, Any] = {"watch_seconds": watch_seconds}
    server = StreamlitServer(log_path, probe_path=log_path.with_name("server_probe.txt"))
    with sync_playwright() as playwright:
        # The browser starts before the server, so its own start-up is not counted.
        browser = playwright.chromium.launch(
            executable_path=page_server.find_chromium(playwright), args=page_server.CHROMIUM_ARGS
        )
        try:
            server.start()
            result["server_answers_seconds"] = server.healthy_at - server.spawned_at
            context, page, navigated = open_page(browser, server.url)
            first_paint = page.evaluate(
                "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
            )
            title = marks(page)["marks"]["title"] / 1000
            story = marks(page)["marks"]["story"] / 1000
            result["browser_first_contentful_paint_seconds"] = (first_paint or math.nan) / 1000
            result["first_paint_after_health_seconds"] = title - server.healthy_at
            result["story_after_health_seconds"] = story - server.healthy_at
            result["first_paint_after_spawn_seconds"] = title - server.spawned_at
            result["navigation_started_after_health_seconds"] = navigated - server.healthy_at
            # A second tab on the warm server: what every later student sees.
            second_context, second_page, second_navigated = open_page(browser, server.url)
            result["second_tab_first_paint_seconds"] = (
                marks(second_page)["marks"]["title"] / 1000 - second_navigated
            )
            result["second_tab_story_seconds"] = (
                marks(second_page)["marks"]["story"] / 1000 - second_navigated
            )
            second_context.close()

            # Cold: the server has not imported TensorFlow yet. Default settings, 300 steps.
            wait_script_idle(page)
            key, clicked, point = press_train(page, 300, 120)
            result["cold_train_to_first_point_seconds"] = point - clicked
            result["cold_parts"] = breakdown(server, clicked, point)
            wait_progress_ends(page, ("finished",), 120)
            # Warm: new runs (another step count each, so a new key), same shapes.
            warm, parts = [], []
            for steps in (500, 1000, 2000)[:warm_repeats]:
                set_steps(page, steps)
                key, clicked, point = press_train(page, steps, 60)
                warm.append(point - clicked)
                parts.append(breakdown(server, clicked, point))
                main_area(page).get_by_role("button", name="Stop", exact=True).click()
                wait_progress_ends(page, ("stopped", "finished"), 60)
                wait_script_idle(page)
            result["warm_train_to_first_point_seconds"] = warm
            result["warm_train_to_first_point_median_seconds"] = statistics.median(warm)
            result["warm_parts"] = parts

            # Watching vs not: one long run; the tab watches it, then is closed, then comes back.
            set_steps(page, 50_000)
            key, _, point = press_train(page, 50_000, 60)
            time.sleep(2)  # past the first steps
            watch_start = time.time()
            time.sleep(watch_seconds)
            watch_end = time.time()
            points = progress_points(page, key)
            result["watched_steps_per_second"] = rate_between(points, watch_start, watch_end)
            last_seen_time, last_seen_step = points[-1]
            context.close()
            time.sleep(watch_seconds)
            context, page, _ = open_page(browser, f"{server.url}/?run={key}")
            page.wait_for_function("() => window.__bench.progress.length > 0", timeout=30_000)
            back_time, back_step = progress_points(page, key)[0]
            result["unwatched_steps_per_second"] = (back_step - last_seen_step) / (back_time - last_seen_time)
            result["unwatched_seconds"] = back_time - last_seen_time
            # Watched again, to see the first watched rate was not a warm-up artefact.
            again_start = time.time()
            time.sleep(watch_seconds / 2)
            result["watched_again_steps_per_second"] = rate_between(
                progress_points(page, key), again_start, time.time()
            )
            main_area(page).get_by_role("button", name="Stop", exact=True).click()
            wait_progress_ends(page, ("stopped", "finished"), 60)
            context.close()
            result["server_peak_rss_megabytes"] = server.peak_memory_megabytes()
        finally:
            browser.close()
            server.stop()
    return result
