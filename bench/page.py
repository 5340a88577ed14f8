"""Part 4: the page in Chromium, timed from the browser's side (a class: bench/class_load.py).

A script injected into every page stamps, with the wall clock, the first moment "ready" (the
sidebar's sliders and the Train button on screen) and a new run's first chart point appear, so no
time depends on how often Python looks. "Ready" is set beside a bare Streamlit page's
(bench/bare_page.py) measured in the same run; the server's answer to a slider comes from the
page's websocket (tests/steps.py's `ServerAnswers`). Servers start as the browser tests start them.
"""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path
from typing import Any

from common import Table, make_importable, median, medians, memory_megabytes, repository_root

make_importable()

from nextword.config import STEP_CHOICES, TrainConfig  # noqa: E402 - the measured checkout first on sys.path
from tests import page_server  # noqa: E402
from tests.steps import ServerAnswers, main_area, nudge_slider, wait_script_idle  # noqa: E402

COLD_POINT_SECONDS, WARM_POINT_SECONDS = 1.5, 1.0  # issues 4 and 13: Train → the first chart point
READY_RATIO, RERUN_SECONDS = 1.2, 0.3  # issue 25: ready next to a bare page; a slider's rerun
ANSWER_SECONDS = 60  # a slider's rerun not answered by then is lost (a loaded machine is slow)
PAGES = (("bare", str(Path(__file__).resolve().parent / "bare_page.py")), ("nextword", "streamlit_app.py"))
KINDS = {"first tab": "", "lesson link": "?n_input=5&layers=2&seed=7"}

MARKS_SCRIPT = r"""
(() => {
  const bench = { marks: {}, expect: null, clicked: null };
  bench.expectRun = (previous, total) => { delete bench.marks.point; bench.expect = { previous, total }; };
  window.__bench = bench;
  const mark = (name) => { if (!(name in bench.marks)) bench.marks[name] = Date.now(); };
  const check = () => {
    bench.pending = false;
    const main = document.querySelector('[data-testid="stMain"]');
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    if (!main) return;
    if (sidebar && sidebar.querySelectorAll('[data-testid="stSlider"]').length >= 4
        && [...main.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Train')) mark('ready');
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
        && [...main.querySelectorAll(drawn)].some((d) => fresh(d) && d.getAttribute('d'))) mark('point');
  };
  const schedule = () => { if (!bench.pending) { bench.pending = true; setTimeout(check, 0); } };
  document.addEventListener('click', () => { bench.clicked = Date.now(); }, true);
  const watched = { subtree: true, childList: true, attributes: true, characterData: true };
  const root = () => document.documentElement;
  const start = () => { new MutationObserver(schedule).observe(root(), watched); schedule(); };
  if (root()) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""


def open_ready(browser, url: str, readies: list[float]):
    """A new tab on `url`: adds its seconds from navigation to ready to `readies`; once idle, the page
    and the recorder of its server's answers."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(300_000)  # every wait: a loaded 2-core machine is slow
    context.add_init_script(MARKS_SCRIPT)
    page = context.new_page()
    answers = ServerAnswers(page)
    page.goto(url, wait_until="commit")
    readies.append(wait_mark(page, "ready") - page.evaluate("() => performance.timeOrigin") / 1000)
    wait_script_idle(page, timeout=300)
    return page, answers


def wait_mark(page, name: str) -> float:
    """Wall time (seconds since the epoch) at which the page first showed `name`."""
    page.wait_for_function("name => name in window.__bench.marks", arg=name)
    return page.evaluate("name => window.__bench.marks[name]", name) / 1000


def press_train(page, total_steps: int) -> float:
    """Press Train for a new run of `total_steps`: seconds from the click to its first chart point."""
    previous = (re.findall(r"Run ([0-9a-f]{12})", main_area(page).text_content() or "") or [""])[0]
    page.evaluate("([previous, total]) => window.__bench.expectRun(previous, total)", [previous, total_steps])
    main_area(page).get_by_role("button", name="Train", exact=True).click()
    return wait_mark(page, "point") - page.evaluate("() => window.__bench.clicked") / 1000


def stop_run(page) -> None:
    """Stop the tab's run if it still trains (a run that has learned all it can may be over)."""
    try:
        main_area(page).get_by_role("button", name="Stop", exact=True).click(timeout=2000)
    except Exception:  # noqa: BLE001 - no Stop to press: the run is over
        pass
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stProgress\"]')]"
        ".some(e => /(finished|stopped)$/.test(e.textContent.trim()))"
    )
    wait_script_idle(page, timeout=300)


def trains(page, raw: dict[str, list[float]]) -> None:
    """A cold Train (pressed as soon as the fresh server's first page is idle), then a warm one: the
    next step budget, the same shapes."""
    default_steps = TrainConfig().steps
    raw["cold Train"].append(press_train(page, default_steps))
    stop_run(page)
    nudge_slider(page, "Training steps", 1)
    wait_script_idle(page, timeout=300)
    raw["warm Train"].append(press_train(page, STEP_CHOICES[STEP_CHOICES.index(default_steps) + 1]))
    stop_run(page)


def measure_page(table: Table, rounds: int, log_path: Path) -> dict[str, Any]:
    """Each round, for the bare page and nextword: a fresh server's first tab (nextword's then trains
    cold and warm), a new tab once that server is idle in which a slider moves, and a fresh server
    opened by a lesson link."""
    from playwright.sync_api import sync_playwright

    raw: dict[str, list[float]] = {"cold Train": [], "warm Train": [], "server peak RSS": []}
    with sync_playwright() as playwright:  # the browser starts first: its own start-up is not counted
        chromium = page_server.find_chromium(playwright)
        browser = playwright.chromium.launch(executable_path=chromium, args=page_server.CHROMIUM_ARGS)
        try:
            for _, (name, script), (kind, query) in itertools.product(range(rounds), PAGES, KINDS.items()):
                with page_server.StreamlitServer(repository_root(), log_path, script=script) as server:
                    page, _ = open_ready(browser, server.url + query, raw.setdefault(f"{name} {kind}", []))
                    if name == "nextword" and not query:
                        trains(page, raw)
                    page.context.close()
                    if query:
                        continue
                    page_server.wait_idle(server.pid)
                    page, answers = open_ready(browser, server.url, raw.setdefault(f"{name} warm tab", []))
                    answers.answers.clear()
                    nudge_slider(page, "LSTM layers", 1)
                    deadline = time.monotonic() + ANSWER_SECONDS
                    while not answers.answers and time.monotonic() < deadline:
                        page.wait_for_timeout(50)
                    raw.setdefault(f"{name} rerun", []).extend(seconds for _, seconds in answers.answers)
                    page.context.close()
                    if name == "nextword":
                        raw["server peak RSS"].append(memory_megabytes(server.pid, "VmHWM"))
        finally:
            browser.close()
    for kind in ("first tab", "lesson link", "warm tab"):
        nextword, bare = raw[f"nextword {kind}"], raw[f"bare {kind}"]
        ratio, figure = median(nextword) / median(bare), f"ready ({kind}): nextword / bare Streamlit page"
        value = f"{ratio:.2f}×: {medians(nextword)} against {medians(bare)}"
        table.check(figure, ratio, READY_RATIO, value, show="{:.2f}×".format)
    reruns, note = raw["nextword rerun"], f"the bare page's: {medians(raw['bare rerun'])}"
    figure = "a slider moved on a warm idle server → the server's answer"
    table.check(figure, median(reruns), RERUN_SECONDS, medians(reruns), note=note)
    colds, warms = raw["cold Train"], raw["warm Train"]
    figure = "cold Train (a fresh server's first page, once idle) → first chart point"
    table.check(figure, median(colds), COLD_POINT_SECONDS, medians(colds))
    note = f"server peak RSS {medians(raw['server peak RSS'], '{:,.0f} MB'.format)}"
    figure = "warm Train (the next step budget, the same shapes) → first chart point"
    table.check(figure, median(warms), WARM_POINT_SECONDS, medians(warms), note=note)
    return raw
