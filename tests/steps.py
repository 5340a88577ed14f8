"""The steps tests take through the page, written once: headless (AppTest) and in Chromium (Playwright).

AppTest never fires a fragment's `run_every` timer, so a step that trains loops `at.run()` until
the run is done. `st.cache_resource` (the run registry) is shared by every AppTest in this
process: `fresh_app_test` clears it and stops the training threads after. The Playwright steps
drive a page the way a student does: sliders with the keyboard, clicks, waiting for the server.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time

import streamlit as st
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.testing.v1 import AppTest

from nextword.training.registry import live_registries
from tests.conftest import ROOT

# ----- headless: AppTest -----

APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 60  # seconds a script run may take in AppTest (a busy machine is slow)
TRAINING_DEADLINE = 300  # seconds, including the first TensorFlow import on a busy machine

STORY = (
    b"the cat sat on the mat . the dog sat on the log . the cat saw the dog . "
    b"the dog saw the cat . the cat ran to the mat . the dog ran to the log ."
)


def stop_all_runs() -> None:
    """Stop every training thread any registry in this process owns (the page's is in the cache)."""
    for registry in live_registries():
        registry.stop_all(timeout=20)
    for thread in threading.enumerate():
        if thread.name == "nextword-training":
            thread.join(timeout=20)


def fresh_app_test():
    """A first run of the page with an empty cache (the registry); every training thread stopped after."""
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    yield at
    stop_all_runs()
    st.cache_resource.clear()


def assert_no_exception(at: AppTest) -> None:
    assert len(at.exception) == 0, [element.value for element in at.exception]


def dataframe_with_column(at: AppTest, column: str):
    """The first table on the page that has `column` (AppTest does not look tables up by key)."""
    for element in at.dataframe:
        if column in element.value.columns:
            return element.value
    raise AssertionError(f"no table with a {column!r} column")


def windows_code(at: AppTest) -> str:
    """The story section's first windows (the lesson link above them is a code block too)."""
    return next(element.value for element in at.code if "→" in element.value)


def charts_by_mark(at: AppTest) -> list[dict]:
    """The Vega-Lite specs on the page."""
    return [json.loads(node.proto.spec) for node in at.get("vega_lite_chart")]


def chart_titles(at: AppTest) -> list[str]:
    titles = []
    for spec in charts_by_mark(at):
        title = spec.get("title")
        titles.append(title if isinstance(title, str) else (title or {}).get("text", ""))
    return titles


def _arrow_rows(data: bytes) -> list[dict]:
    import pyarrow

    return pyarrow.ipc.open_stream(data).read_all().to_pylist()


def chart_rows(at: AppTest, title: str) -> list[dict]:
    """The rows a chart draws: in the spec, or shipped beside it as Arrow."""
    node = at.get("vega_lite_chart")[chart_titles(at).index(title)]
    spec = json.loads(node.proto.spec)
    rows = [row for values in (spec.get("datasets") or {}).values() for row in values]
    rows += (spec.get("data") or {}).get("values", [])
    if node.proto.data.data:
        rows += _arrow_rows(node.proto.data.data)
    for dataset in node.proto.datasets:
        rows += _arrow_rows(dataset.data.data)
    return rows


def generated_texts(at: AppTest) -> list[str]:
    """The HTML of the generated texts (the LSTM's, then the n-gram's)."""
    return [node.proto.body for node in at.get("html") if node.proto.body.startswith('<div class="nw-text">')]


def set_tiny_config(at: AppTest, steps: int = 300, stop_when_learned: bool = False) -> None:
    """16 units at a high learning rate; every step run unless asked (so the tests know the count)."""
    at.select_slider(key="units").set_value(16)
    at.select_slider(key="steps").set_value(steps)
    at.select_slider(key="learning_rate").set_value(0.03)
    at.checkbox(key="stop_when_learned").set_value(stop_when_learned)
    at.run()


def train_until_done(at: AppTest) -> list[int]:
    """Press Train and rerun until the run is over; return the progress values seen on the way."""
    at.button(key="train").click().run()
    assert_no_exception(at)
    seen = []
    deadline = time.monotonic() + TRAINING_DEADLINE
    while time.monotonic() < deadline:
        bars = at.get("progress")
        assert bars, "a watched run always shows its progress bar"
        seen.append(bars[0].proto.value)
        assert_no_exception(at)
        if any(element.proto.text.endswith("finished") for element in bars):
            return seen
        time.sleep(0.3)
        at.run()
    raise AssertionError(f"training did not finish in {TRAINING_DEADLINE} s; progress seen: {seen}")


def progress_line(at: AppTest) -> str:
    """The watched run's progress text ("Step 50 / 50 · finished"), or "" when none is shown."""
    bars = at.get("progress")
    return bars[0].proto.text if bars else ""


def rerun_until(at: AppTest, condition, seconds: float = TRAINING_DEADLINE, what: str = "the page"):
    """Rerun the page until `condition(at)` holds (AppTest never fires the fragment's timer)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert_no_exception(at)
        if condition(at):
            return
        time.sleep(0.2)
        at.run()
    raise AssertionError(
        f"timed out waiting for {what}; progress: {progress_line(at)!r}; "
        f"errors: {[element.value for element in at.error]}"
    )


def error_messages(at: AppTest) -> list[str]:
    """The text of every error box on the page."""
    return [element.value for element in at.error]


def metric_value(at: AppTest, label: str) -> str:
    """The value a metric with `label` shows."""
    return {element.label: element.value for element in at.metric}[label]


# ----- in Chromium: Playwright -----

ARTIFACTS = ROOT / "tests" / "artifacts"
TRAINING_SECONDS = 120  # includes the server's first TensorFlow import
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

try:
    from playwright import sync_api
except ImportError:  # CI installs it; locally the `browser` fixture then skips the browser tests
    if IN_CI:
        raise
    sync_api = None

STORY_TEXT = (ROOT / "data" / "belling_the_cat.txt").read_text(encoding="utf-8")


class ConsoleLog:
    """Console errors/warnings and page errors of one page, to assert none at the end."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        page.on("crash", lambda _: self.problems.append("crash: the page's renderer crashed"))

    def _on_console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"{message.type}: {message.text}")


def open_page(browser, url: str, width: int = 1400, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log = ConsoleLog(page)
    page.goto(url)
    page.get_by_test_id("stMain").get_by_text("The first windows").wait_for(timeout=60_000)
    return context, page, log


def main_area(page):
    return page.get_by_test_id("stMain")


def set_slider(page, label: str, home_then_right: int) -> None:
    """Move a slider with the keyboard: Home, then ArrowRight n times (fill() would not reach the server).

    On a busy machine a rerun in flight can redraw the slider between key presses and lose some of
    them: once the page is idle it checks the value held (the range input's own) against Home + n
    steps and presses again, at most three times."""
    slider = page.get_by_role("slider", name=label)
    bottom, top, step = (float(slider.get_attribute(name)) for name in ("min", "max", "step"))
    wanted = min(bottom + home_then_right * step, top)
    for _ in range(3):
        slider.focus()
        slider.press("Home")
        for _ in range(home_then_right):
            slider.press("ArrowRight")
        wait_script_idle(page, timeout=60)
        if abs(float(slider.input_value()) - wanted) <= 1e-9 * max(1.0, abs(wanted)):
            return
    raise AssertionError(f"the {label} slider holds {slider.input_value()}, not {wanted}")


def open_advanced(page) -> None:
    """Open the sidebar's Advanced expander; on a busy machine a rerun can swallow a click, so it
    clicks again (only while the section is still closed) until Units per layer shows."""
    units = page.get_by_role("slider", name="Units per layer")
    for _ in range(5):
        if not units.is_visible():
            page.get_by_test_id("stSidebar").get_by_text("Advanced", exact=True).click()
        try:
            units.wait_for(timeout=10_000)
            return
        except sync_api.TimeoutError:
            wait_script_idle(page, timeout=60)
    page.screenshot(path=str(ARTIFACTS / "advanced_not_open.png"), full_page=True)
    raise AssertionError("the Advanced section did not open")


def run_every_step(page) -> None:
    """Untick "Stop when learned" (opening Advanced if needed): the run trains its whole budget.

    On a busy machine a rerun in flight can swallow the click: it clicks again, only while the box
    is still ticked once the page is idle."""
    box = page.get_by_role("checkbox", name="Stop when learned")
    if not box.is_visible():  # inside Advanced, which a closed expander may not even render
        open_advanced(page)
    for _ in range(5):
        if not box.is_checked():
            return
        page.get_by_test_id("stSidebar").get_by_text("Stop when learned", exact=True).click()
        deadline = time.monotonic() + 5
        while box.is_checked() and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        wait_script_idle(page, timeout=60)
    assert not box.is_checked(), "the Stop when learned box did not untick"


def screenshot_from(page, heading: str, file_name: str, height: int) -> None:
    """A screenshot (into tests/artifacts) of the page from `heading` down, in a viewport `height`
    tall: Streamlit scrolls inside its own container, so a full-page shot would cut it off."""
    page.set_viewport_size({"width": 1400, "height": height})
    main_area(page).get_by_role("heading", name=heading).scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / file_name))


def nudge_slider(page, label: str, presses: int) -> None:
    """Arrow keys from where the slider is, right for presses > 0 (fill() would not reach the server)."""
    slider = page.get_by_role("slider", name=label)
    slider.focus()
    for _ in range(abs(presses)):
        slider.press("ArrowRight" if presses > 0 else "ArrowLeft")


def wait_script_idle(page, timeout: float = 30) -> None:
    """Wait until the server has no full script run in flight (the status widget is gone)."""
    page.wait_for_timeout(300)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=timeout * 1000)


def run_identity(page) -> str:
    text = main_area(page).get_by_text(re.compile(r"^Run [0-9a-f]{12}")).first.inner_text(timeout=60_000)
    return re.match(r"Run ([0-9a-f]{12})", text).group(1)


def progress_value(page) -> int | None:
    bar = page.locator('[data-testid="stProgress"] [role="progressbar"]')
    if bar.count() == 0:
        return None
    value = bar.first.get_attribute("aria-valuenow")
    return int(float(value)) if value else None


def progress_text(page) -> str:
    element = page.get_by_test_id("stProgress")
    return element.first.inner_text() if element.count() else ""


def chart_paths(page) -> tuple[str, ...]:
    """The `d` of every line in the page's charts: it changes whenever a curve redraws."""
    return tuple(
        page.locator('[data-testid="stVegaLiteChart"] svg g.mark-line path').evaluate_all(
            "paths => paths.map(p => p.getAttribute('d') || '')"
        )
    )


def assert_clean(page, log: ConsoleLog) -> None:
    assert page.get_by_test_id("stException").count() == 0
    assert log.problems == [], "\n".join(log.problems)


class ServerAnswers:
    """A page's requests for a full script run and the server's answers, from its websocket frames.

    Read through Chrome's DevTools protocol, with the browser's own timestamps (the system's monotonic
    clock, as time.monotonic() on Linux): from a `rerun_script` BackMsg that is not a fragment's poll
    (a click, a widget change) to the next `script_finished` ForwardMsg, the drawing not included.
    """

    def __init__(self, page):
        self.requests: list[float] = []
        self.answers: list[tuple[float, float]] = []  # (request time, seconds to its answer)
        session = page.context.new_cdp_session(page)
        session.on("Network.webSocketFrameSent", self.sent)
        session.on("Network.webSocketFrameReceived", self.received)
        session.send("Network.enable")

    @staticmethod
    def message(event: dict, message_class):
        if event["response"].get("opcode") != 2:  # not a binary (protobuf) frame
            return None
        message = message_class()
        message.ParseFromString(base64.b64decode(event["response"]["payloadData"]))
        return message

    def sent(self, event: dict) -> None:
        message = self.message(event, BackMsg)
        if message is not None and message.WhichOneof("type") == "rerun_script":
            if not message.rerun_script.fragment_id:
                self.requests.append(event["timestamp"])

    def received(self, event: dict) -> None:
        message = self.message(event, ForwardMsg)
        if message is not None and message.WhichOneof("type") == "script_finished":
            if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.answers += [(asked, event["timestamp"] - asked) for asked in self.requests]
                self.requests = []
