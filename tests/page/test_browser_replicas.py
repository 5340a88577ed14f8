"""Two replicas of the page sharing runs through one Ray cluster, in a real browser.

Two `streamlit run` servers on free loopback ports, both with NEXTWORD_RAY_ADDRESS naming the test
session's local cluster: a tab on replica A presses Train; a tab on replica B opens A's lesson link
and shows the same run, live; a new tab on B with the same settings joins that run.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.page_server import StreamlitServer
from tests.steps import ARTIFACTS, ROOT, TRAINING_SECONDS, main_area, open_page, progress_text, run_identity

LESSON = "n_input=3&units=16&steps=100000&stop_when_learned=0"


@pytest.fixture(scope="module")
def replicas(ray_cluster):
    from nextword.training.ray_backend import NAMESPACE, REGISTRY_NAME

    address = ray_cluster.get_runtime_context().gcs_address
    environment = {"NEXTWORD_RAY_ADDRESS": address}
    first = StreamlitServer(ROOT, ARTIFACTS / "streamlit_replica_a.log", environment)
    second = StreamlitServer(ROOT, ARTIFACTS / "streamlit_replica_b.log", environment)
    with first, second:
        yield first.url, second.url
    registry = ray_cluster.get_actor(REGISTRY_NAME, namespace=NAMESPACE)
    ray_cluster.get(registry.close.remote())
    ray_cluster.kill(registry)


def live_step(page, above: int = 0) -> int:
    """The step the tab shows, once it is past `above` (the run trains, and this tab sees it)."""
    deadline = time.monotonic() + TRAINING_SECONDS
    while (step := shown_step(page)) is None or step <= above:
        assert time.monotonic() < deadline, f"no step past {above} shown: {progress_text(page)!r}"
        page.wait_for_timeout(250)
    return step


def shown_step(page) -> int | None:
    found = re.match(r"Step ([0-9,]+) /", progress_text(page))
    return int(found.group(1).replace(",", "")) if found else None


def test_a_run_started_on_one_replica_is_watched_live_on_another(browser, replicas):
    replica_a, replica_b = replicas
    contexts = []
    try:
        context, page_a, _ = open_page(browser, f"{replica_a}/?{LESSON}")
        contexts.append(context)
        main_area(page_a).get_by_role("button", name="Train").click()
        key = run_identity(page_a)
        live_step(page_a)

        context, page_b, _ = open_page(browser, f"{replica_b}/?{LESSON}&run={key}")
        contexts.append(context)
        assert run_identity(page_b) == key, "replica B shows replica A's run"
        seen = live_step(page_b)
        live_step(page_b, above=seen)  # and it moves on B while A's run trains

        context, joining_page, _ = open_page(browser, f"{replica_b}/?{LESSON}")
        contexts.append(context)
        assert run_identity(joining_page) == key, "the same settings on B join A's run"
        main_area(page_a).get_by_role("button", name="Stop").click()
    finally:
        for context in contexts:
            context.close()
