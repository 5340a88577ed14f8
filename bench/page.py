"""Part 4: the page in Chromium, timed from the browser's side (a class: bench/class_load.py).

`streamlit run` starts as tests/page_server.py does it (a free port on 127.0.0.1, a health check);
Debian's Chromium is driven through Playwright. A script injected into every page stamps, with the
wall clock, the first moment each thing appears (the title, the controls, the story's windows, a
run's first chart point), so no time depends on how often Python looks; the controls' moment is set
beside a bare Streamlit page's (bench/bare_page.py). The server's own answer time comes from
the page's websocket, read through Chrome's DevTools protocol: from the frame that asks for a full
script run (a `rerun_script` BackMsg) to the frame that says it finished (`script_finished`), with
the browser's own timestamps. Nothing is loaded into the server: it runs as a class would run it.
"""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path
from typing import Any

from common import Table, make_importable, median, medians, repository_root

make_importable()

from nextword.config import TrainConfig  # noqa: E402 - the measured checkout first on sys.path
from nextword.page.options import STEP_OPTIONS  # noqa: E402 - no Streamlit, no TF
from tests import page_server  # noqa: E402 - how the tests start the page's server and find Chromium
from tests.steps import (  # noqa: E402 - the tests' own steps through the page
    main_area,
    nudge_slider,
    wait_script_idle,
)

FIRST_PAINT_SECONDS, COLD_POINT_SECONDS, WARM_POINT_SECONDS = 1.5, 1.5, 1.0  # issues 4 and 13
# A person who reads the page before pressing Train: TensorFlow has loaded in the background by then.
READ_SECONDS = 10.0
CLICK_SECONDS = 60  # a rerun not answered by then is lost (a loaded machine is slow)
READY_RATIO, RERUN_SECONDS = 1.2, 0.3  # issue 25: ready next to a bare page; a slider's rerun
PAGES = (("bare", str(Path(__file__).resolve().parent / "bare_page.py")), ("nextword", "streamlit_app.py"))
LESSON_QUERY = "?n_input=5&layers=2&seed=7"

MARKS_SCRIPT = r"""
(() => {
  const bench = { marks: {}, expect: null, clicked: null };
  window.__bench = bench;
  const mark = (name) => { if (!(name in bench.marks)) bench.marks[name] = Date.now(); };
  const check = () => {
    bench.pending = false;
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main) return;
    const headings = [...main.querySelectorAll('h1, h2, h3')].map((heading) => heading.textContent);
    if (headings.some((text) => text.includes('nextword'))) mark('title');
    if (headings.some((text) => text.includes('The first windows'))) mark('story');
    // Ready: a person can set up a run (the sidebar's sliders and the Train button on screen).
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    if (sidebar && sidebar.querySelectorAll('[data-testid="stSlider"]').length >= 4
        && [...main.querySelectorAll('button')].some((button) => button.textContent.trim() === 'Train')) {
      mark('ready');
    }
    // The new run's first point: its key in the header, a step done by it in a progress bar that
    // is not the last run's (stale elements stay on screen until a rerun replaces them), a line drawn.
    const expect = bench.expect, fresh = (element) => !element.closest('[data-stale="true"]');
    const key = (main.textContent.match(/Run ([0-9a-f]{12})/) || [])[1];
    const bar = main.querySelector('[data-testid="stProgress"]');
    const text = bar && fresh(bar) ? bar.textContent.trim() : '';
    const step = text.match(/^Step ([0-9,]+) \/ ([0-9,]+)/);
    const number = (value) => Number(value.replace(/,/g, ''));
    const drawn = '[data-testid="stVegaLiteChart"] svg :is(.mark-line, .mark-symbol) path';
    if (expect && key && key !== expect.previous && step && number(step[1]) > 0
        && (number(step[2]) === expect.total || text.endsWith('finished'))  // an early stop's new total
        && [...main.querySelectorAll(drawn)].some((path) => fresh(path) && path.getAttribute('d'))) {
      mark('point');
    }
  };
  const schedule = () => { if (!bench.pending) { bench.pending = true; setTimeout(check, 0); } };
  document.addEventListener('click', () => { bench.clicked = Date.now(); }, true);
  const start = () => {
    new MutationObserver(schedule).observe(document.documentElement,
      { subtree: true, childList: true, attributes: true, characterData: true });
    schedule();
  };
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""


def open_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(300_000)  # every wait: a loaded 2-core machine is slow
    context.add_init_script(MARKS_SCRIPT)
    page = context.new_page()
    page.goto(url, wait_until="commit")
    return context, page


def wait_mark(page, name: str) -> float:
    """Wall time (seconds since the epoch) at which the page first showed `name`."""
    page.wait_for_function("name => name in window.__bench.marks", arg=name)
    return page.evaluate("name => window.__bench.marks[name]", name) / 1000


def press_train(page, total_steps: int) -> tuple[float, float]:
    """Press Train for a new run of `total_steps`: (when the click was dispatched, its first point)."""
    previous = run_key(page)
    page.evaluate(
        "([previous, total]) => { const b = window.__bench; delete b.marks.point;"
        " b.expect = {previous, total}; }",
        [previous, total_steps],
    )
    main_area(page).get_by_role("button", name="Train", exact=True).click()
    point = wait_mark(page, "point")
    return page.evaluate("() => window.__bench.clicked") / 1000, point


def run_key(page) -> str:
    """The key of the run the tab shows ("" for none)."""
    return (re.findall(r"Run ([0-9a-f]{12})", main_area(page).text_content() or "") or [""])[0]


def wait_run_ends(page) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stProgress\"]')]"
        ".some(e => /(finished|stopped)$/.test(e.textContent.trim()))"
    )


def stop_run(page) -> None:
    """Stop the tab's run if it still trains (a run that has learned all it can may be over)."""
    try:
        main_area(page).get_by_role("button", name="Stop", exact=True).click(timeout=2000)
    except Exception:  # noqa: BLE001 - no Stop to press: the run is over
        pass
    wait_run_ends(page)
    wait_script_idle(page, timeout=300)


def measure_page(parameters: dict[str, Any], log_path: Path) -> tuple[list, dict[str, Any]]:
    """Ready beside a bare page; first paint and cold Train on fresh servers; warm Train and a class."""
    from playwright.sync_api import sync_playwright

    table = Table()
    default_steps = TrainConfig().steps  # what a fresh page trains
    names = ("answers", "paints", "stories", "colds", "waits", "read_colds", "warms")
    raw: dict[str, list] = {name: [] for name in names}
    with sync_playwright() as playwright:
        # The browser starts first: its own start-up is not counted.
        chromium = page_server.find_chromium(playwright)
        browser = playwright.chromium.launch(executable_path=chromium, args=page_server.CHROMIUM_ARGS)
        server = context = None
        try:
            raw["ready"] = measure_ready(browser, parameters["ready_rounds"], log_path)
            for index in range(parameters["fresh_servers"]):
                if server is not None:
                    context.close(), server.stop()
                server = page_server.StreamlitServer(repository_root(), log_path).start()
                raw["answers"].append(server.healthy_at - server.spawned_at)
                context, page = open_page(browser, server.url)
                title, story = wait_mark(page, "title"), wait_mark(page, "story")
                raw["paints"].append(title - server.healthy_at)
                raw["stories"].append(story - server.healthy_at)
                wait_script_idle(page, timeout=300)
                # Every other server: Train pressed by someone who read the page first.
                reads = index % 2 == 1
                if reads:
                    time.sleep(max(0.0, title + READ_SECONDS - time.time()))
                clicked, point = press_train(page, default_steps)
                raw["read_colds" if reads else "colds"].append(point - clicked)
                if not reads:
                    raw["waits"].append(clicked - title)
                wait_run_ends(page)
                wait_script_idle(page, timeout=300)
            # Warm: the same server, new runs (the next step budgets), the same shapes.
            for more in range(1, parameters["warm_runs"] + 1):
                nudge_slider(page, "Training steps", 1)
                wait_script_idle(page, timeout=300)
                clicked, point = press_train(page, STEP_OPTIONS[STEP_OPTIONS.index(default_steps) + more])
                raw["warms"].append(point - clicked)
                stop_run(page)
            context.close()
            peak = page_server.peak_memory_megabytes(server.pid)
        finally:
            browser.close()
            if server is not None:
                server.stop()
    ready_rows(table, raw["ready"])
    figure = f"streamlit run → server answers ({len(raw['paints'])} fresh servers)"
    table.add("4", figure, medians(raw["answers"]))
    note = f"the story section complete after {medians(raw['stories'])}"
    figure = "server answers → first paint (title), fresh servers"
    table.at_most("4", figure, median(raw["paints"]), FIRST_PAINT_SECONDS, medians(raw["paints"]), note=note)
    note = f"Train pressed as soon as the page was idle: {medians(raw['waits'])} after the first paint"
    figure = "cold Train → first chart point, fresh servers"
    table.at_most("4", figure, median(raw["colds"]), COLD_POINT_SECONDS, medians(raw["colds"]), note=note)
    figure = f"cold Train {READ_SECONDS:.0f} s after the first paint → first chart point"
    table.at_most("4", figure, median(raw["read_colds"]), COLD_POINT_SECONDS, medians(raw["read_colds"]))
    figure = "warm Train → first chart point"
    note = f"server peak RSS {peak:.0f} MB"
    table.at_most("4", figure, median(raw["warms"]), WARM_POINT_SECONDS, medians(raw["warms"]), note=note)
    return table.rows, {**raw, "server_peak_rss_megabytes": peak}


def measure_ready(browser, rounds: int, log_path: Path) -> dict[str, list[float]]:
    """Navigation → ready (sidebar sliders and Train on screen), nextword beside the bare page.

    Each round starts fresh servers of both pages: a first tab, then a new tab once the server is
    warm and idle (TensorFlow loaded), in which a slider moves (the server's answer to that rerun);
    and a fresh server opened by a lesson link.
    """
    raw: dict[str, list[float]] = {}
    for _, (name, script), query in itertools.product(range(rounds), PAGES, ("", LESSON_QUERY)):
        with page_server.StreamlitServer(repository_root(), log_path, script=script) as server:
            kind = "lesson link" if query else "first tab"
            ready_tab(browser, server.url + query, raw.setdefault(f"{name} {kind}", []))
            if query:
                continue
            time.sleep(READ_SECONDS)
            page_server.wait_idle(server.pid)
            page, answers = ready_tab(browser, server.url, raw.setdefault(f"{name} warm tab", []))
            answers.answers.clear()
            nudge_slider(page, "LSTM layers", 1)
            deadline = time.monotonic() + CLICK_SECONDS
            while not answers.answers and time.monotonic() < deadline:
                page.wait_for_timeout(50)
            raw.setdefault(f"{name} rerun", []).extend(seconds for _, seconds in answers.answers)
            page.context.close()
    return raw


def ready_tab(browser, url: str, readies: list[float]):
    """Open `url` in a new tab, add its seconds from navigation to ready to `readies`; wait for idle."""
    _, page, answers = open_page(browser, url, answers=True)
    readies.append(wait_mark(page, "ready") - page.evaluate("() => performance.timeOrigin") / 1000)
    wait_script_idle(page, timeout=300)
    return page, answers


def ready_rows(table: Table, raw: dict[str, list[float]]) -> None:
    for kind in ("first tab", "lesson link", "warm tab"):
        nextword, bare = raw[f"nextword {kind}"], raw[f"bare {kind}"]
        ratio, figure = median(nextword) / median(bare), f"ready ({kind}): nextword / bare Streamlit page"
        value = f"{ratio:.2f}×: {medians(nextword)} against {medians(bare)}"
        table.at_most("4", figure, ratio, READY_RATIO, value, show="{:.2f}×".format)
    reruns, note = raw["nextword rerun"], f"the bare page's: {medians(raw['bare rerun'])}"
    figure = "a slider moved on a warm idle server → the server's answer"
    table.at_most("4", figure, median(reruns), RERUN_SECONDS, medians(reruns), note=note)
