"""A class of students on one server, measured from the server's side without a browser.

Each student is a session on the page's own websocket (protobuf BackMsg and ForwardMsg): it opens the
page, sets one of five settings, presses Train, polls its live panel as the browser does and clicks
the compare chart's metric while runs train and after; one more presses Train with many seeds.

    python bench/class_load.py --students 30 --url http://HOST:PORT   # any deployment
    python bench/class_load.py --students 3 --flood 2 --steps 100     # a short class on a local server
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import statistics
import sys
import time

import websockets
from common import RESULTS, Table, make_importable, median, memory_megabytes, repository_root
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

make_importable()
from tests.page_server import StreamlitServer  # noqa: E402 - the checkout first on sys.path

ANSWER_MEDIAN, ANSWER_P95, UPDATE_GAP = 0.5, 1.5, 2.0  # issue 25's targets, seconds
N_INPUTS = (2, 3, 4, 5, 6)  # the five settings: a context length each, so five runs
ANSWER_TIMEOUT = 120.0  # a full run unanswered this long is counted, and the student goes on
CLICK_SECONDS = 2.0  # between a student's clicks while it waits
METRICS = ("exact accuracy", "loss")
PHASES = ("open", "training", "after")  # opening the page; while its run trains; once all runs ended


class Student:
    """One Streamlit session: widgets set by their keys, its answers, updates, errors and bytes."""

    def __init__(self, url: str, plan: dict, n_input: int, seeds: int = 0):
        self.url = url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        self.seeds = seeds  # runs a flooding student starts
        # Its settings as the sidebar's widgets send them (a select slider sends its labels).
        labels = {"steps": f"{plan['steps']:,}", "units": str(plan.get("units") or "")}
        self.settings = {"n_input": {"double_array_value": {"data": [n_input]}}}
        self.settings |= {
            key: {"string_array_value": {"data": [text]}} for key, text in labels.items() if text
        }
        self.ids: dict[str, str] = {}  # widget key → widget id, from the deltas
        self.values: dict[str, dict] = {}  # widget id → WidgetState fields: all sent on every rerun
        self.kept: list[set[str]] = [set(), set()]  # cached messages' hashes of the last two runs
        self.answers, self.errors = [], []  # (phase, seconds) of each full run; what went wrong
        self.updates, self.poll_bytes = [], []  # arrivals of its run's progress; bytes of each poll
        self.lost = self.finished = self.done = self.started = False  # started: the asked run began
        self.unanswered = self.dropped = 0  # full runs with no answer in ANSWER_TIMEOUT; see received()
        self.phase, self.fragment, self.poll_seconds, self.bytes = "open", "", math.nan, 0
        self.asked, self.answered = None, asyncio.Event()  # when the pending full run was asked

    async def send(self, fragment: str = "", trigger: str | None = None) -> None:
        message = BackMsg()
        state = message.rerun_script
        state.fragment_id, state.is_auto_rerun = fragment, bool(fragment)
        state.cached_message_hashes.extend(sorted(set.union(*self.kept)))
        state.widget_states.widgets.extend(WidgetState(id=key, **value) for key, value in self.values.items())
        if trigger is not None:  # a button: true for this one run
            state.widget_states.widgets.add(id=self.ids[trigger], trigger_value=True)
        await self.socket.send(message.SerializeToString())

    async def rerun(self, trigger: str | None = None, **changes: dict) -> None:
        """A full script run (a click or a widget change), timed to its `script_finished`."""
        self.values.update({self.ids[key]: value for key, value in changes.items()})
        self.answered, self.asked, self.started = asyncio.Event(), time.monotonic(), False
        await self.send(trigger=trigger)
        try:
            await asyncio.wait_for(self.answered.wait(), ANSWER_TIMEOUT)
        except TimeoutError:  # a figure of the server's speed, not an error on the page
            self.unanswered += 1

    def received(self, frame: bytes) -> None:
        message, now = ForwardMsg(), time.monotonic()
        message.ParseFromString(frame)
        kind, self.bytes = message.WhichOneof("type"), self.bytes + len(frame)
        if message.metadata.cacheable or kind == "ref_hash":  # kept as the browser keeps them
            self.kept[0].add(message.ref_hash or message.hash)
        if kind == "new_session" and message.metadata.run.fragment_ids:
            pass  # a fragment run (a poll) starts: the browser keeps its timer
        elif kind in ("new_session", "stop_auto_rerun"):  # a full run starts: the browser drops its timers
            self.fragment, self.started = "", self.started or kind == "new_session"
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element_kind = message.delta.new_element.WhichOneof("type")
            inner = getattr(message.delta.new_element, element_kind)
            if getattr(inner, "id", "").startswith("$$ID-"):  # "$$ID-<hash>-<the widget's key>"
                self.ids[inner.id.rsplit("-", 1)[-1]] = inner.id
            if element_kind == "exception":
                self.errors.append(f"{inner.type}: {inner.message}")
            elif element_kind == "alert" and inner.format == inner.ERROR:
                self.errors.append(inner.body)
            elif element_kind == "progress" and self.phase == "training" and not self.finished:
                self.updates.append(now)
                self.finished = inner.text.endswith(("finished", "stopped", "failed"))
        elif kind == "auto_rerun":
            self.fragment, self.poll_seconds = message.auto_rerun.fragment_id, message.auto_rerun.interval
        elif kind == "script_finished":
            fragment = message.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
            if fragment:
                self.poll_bytes.append(self.bytes)
            # A poll that comes as a full run ends can make the server drop that run's script_finished
            # (a new ScriptRunner takes over before the old one's events are sent): the next poll's
            # finish is then the first sign that the asked run is over, in the browser too.
            full = message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
            if self.asked is not None and (full or fragment and self.started):
                self.answers.append((self.phase, now - self.asked))
                self.dropped += fragment
                self.asked = None
                self.answered.set()
            self.bytes, self.kept = 0, [set(), self.kept[0]]

    async def poll(self) -> None:
        """The browser's timer for the live panel: a fragment run every `auto_rerun` interval."""
        while True:
            await asyncio.sleep(self.poll_seconds if self.fragment else 0.2)
            if self.fragment:
                await self.send(fragment=self.fragment)

    async def read(self) -> None:
        try:
            async for frame in self.socket:
                self.received(frame)
        except websockets.ConnectionClosed:
            pass
        self.lost = True  # the server closed the session (this client closes it only after cancelling)
        self.answered.set()

    async def attend(self, everyone_done: asyncio.Event, deadline: float, clicks_after: int = 2) -> None:
        async with websockets.connect(self.url, subprotocols=["streamlit"], max_size=None) as self.socket:
            tasks = [asyncio.create_task(self.read()), asyncio.create_task(self.poll())]
            try:
                await self.rerun()
                await self.rerun(**self.settings)
                for seed in range(1, self.seeds):  # the flood: a run per seed, the last one watched
                    await self.rerun("train", seed={"int_value": seed})
                self.phase = "training"  # from here on, progress updates are this student's run's
                await self.rerun("train", **({"seed": {"int_value": self.seeds}} if self.seeds else {}))
                while not self.lost and not self.finished and time.monotonic() < deadline:
                    await asyncio.sleep(CLICK_SECONDS)
                    await self.click()
                self.done = True
                await everyone_done.wait()
                self.phase = "after"
                for _ in range(clicks_after):
                    await self.click()
                    await asyncio.sleep(CLICK_SECONDS / 2)
            finally:
                self.done = True
                for task in tasks:
                    task.cancel()

    async def click(self) -> None:
        """Show the other metric on the compare chart (a plain rerun while there is no chart)."""
        if "compare_metric" not in self.ids:
            return await self.rerun()
        shown = self.values.get(self.ids["compare_metric"], {}).get("string_value", METRICS[0])
        await self.rerun(compare_metric={"string_value": METRICS[shown == METRICS[0]]})


async def measure(url: str, plan: dict, pid: int | None = None) -> dict:
    """A class (`plan`: students, steps, flood, seconds; units if not the page's) on `url`, summed up:
    every student at once, and the flooding one; each stays until every run is over, then clicks."""
    deadline, everyone_done = time.monotonic() + plan["seconds"], asyncio.Event()
    class_ = [Student(url, plan, N_INPUTS[index % len(N_INPUTS)]) for index in range(plan["students"])]
    class_ += [Student(url, plan, N_INPUTS[0], seeds=plan["flood"])] if plan["flood"] else []
    tasks = [asyncio.create_task(student.attend(everyone_done, deadline)) for student in class_]
    while not all(student.done or task.done() for student, task in zip(class_, tasks, strict=True)):
        await asyncio.sleep(0.2)
    everyone_done.set()
    for student, result in zip(class_, await asyncio.gather(*tasks, return_exceptions=True), strict=True):
        if isinstance(result, BaseException):
            student.lost = True
            student.errors.append(f"client: {result!r}")
    others = [student for student in class_ if not student.seeds]  # the flooding student left out
    gaps = [after - before for student in others for before, after in itertools.pairwise(student.updates)]
    answers = [(phase, seconds) for student in others for phase, seconds in student.answers]
    return {
        "students": len(others),
        "flood_runs": sum(student.seeds for student in class_),
        "answers": {phase: spread([s for at, s in answers if at == phase]) for phase in PHASES},
        "longest_gap": max(gaps, default=math.nan),
        "poll_seconds": sorted({student.poll_seconds for student in others} - {math.nan}),
        "poll_bytes": spread([size for student in others for size in student.poll_bytes]),
        "errors": [error for student in class_ for error in student.errors],
        "unanswered": sum(student.unanswered for student in class_),
        "dropped": sum(student.dropped for student in class_),
        "lost": sum(student.lost for student in class_),
        "finished": sum(student.finished for student in class_),
        "peak_rss_megabytes": memory_megabytes(pid, "VmHWM") if pid else math.nan,
    }


def spread(values: list[float]) -> tuple[float, float, int]:
    """(median, 95th percentile, count)."""
    high = statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else median(values)
    return median(values), high, len(values)


def class_load(table: Table, plan: dict, url: str | None = None, pid: int | None = None) -> dict:
    """Run a class on `url` (else on a local `streamlit run` of the checkout); its rows in `table`."""
    if url is None:
        with StreamlitServer(repository_root(), RESULTS / "class_server.log") as server:
            return class_load(table, plan, server.url, server.pid)
    figures = asyncio.run(measure(url, plan, pid))
    name = f"class of {figures['students']} (+1 starting {figures['flood_runs']} runs)"
    for phase, label in (("training", "while runs train"), ("after", "after the runs")):
        middle, high, count = figures["answers"][phase]
        note = f"{count} full script runs, from the request to its script_finished on the websocket"
        table.check(f"{name}: answer {label}, median", middle, ANSWER_MEDIAN, note=note)
        table.check(f"{name}: answer {label}, 95th percentile", high, ANSWER_P95)
    opening, polls = figures["answers"]["open"], figures["poll_bytes"]
    note = f"the live panel polls every {figures['poll_seconds']} s, {polls[0]:,.0f} bytes a poll (median, "
    note += f"p95 {polls[1]:,.0f}); opening the page: median {opening[0]:.2f} s, p95 {opening[1]:.2f} s"
    gap, figure = figures["longest_gap"], f"{name}: longest gap between live updates"
    table.check(figure, gap, UPDATE_GAP, note=note)
    unanswered = f"full runs with no answer in {ANSWER_TIMEOUT:.0f} s"
    note = f"and {figures['dropped']} whose end the server never sent (a live poll raced the run's end)"
    counts = (("errors", len(figures["errors"]), "; ".join(figures["errors"][:3])),
              ("lost sessions", figures["lost"], ""), (unanswered, figures["unanswered"], note))  # fmt: skip
    for label, count, note in counts:
        table.add(f"{name}: {label}", str(count), "0", "met" if count == 0 else "MISSED", note=note)
    note = f"{figures['finished']} of {figures['students'] + 1} students saw their run end"
    table.add(f"{name}: server's peak RSS", f"{figures['peak_rss_megabytes']:,.0f} MB", note=note)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--url", help="a running deployment (default: start a local server)")
    parser.add_argument("--pid", type=int, help="the server's process id, for its memory (local only)")
    parser.add_argument("--steps", type=int, default=300, help="training steps of each run")
    parser.add_argument("--flood", type=int, default=8, help="runs the flooding student starts (0: none)")
    parser.add_argument("--seconds", type=float, default=600.0, help="give up on runs after this long")
    plan, table = vars(parser.parse_args()), Table("4")
    class_load(table, plan, plan.pop("url"), plan.pop("pid"))
    print(table.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
