"""Issue 25 §3 in the page, headless through AppTest: a tab's fair share, a busy server, Stop watching.

The policy itself (shares, replacements, the queue's bound, who may stop a run) is tested on the
registry in tests/training/test_registry.py; here, that the page asks for runs as its tab, says what
happened in words, and says before the click what its Stop will do.
"""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from nextword.page import resources
from nextword.page.format import escape_markdown
from nextword.training.progress import Status
from tests.page.test_bad_input_and_faults import registry_of
from tests.steps import APP, TIMEOUT, assert_no_exception, error_messages, progress_line, set_tiny_config

LONG = 50_000  # steps: every run here is still training or waiting when the test looks


def new_tab(seed: int = 0) -> AppTest:
    tab = AppTest.from_file(APP, default_timeout=TIMEOUT)
    tab.run()
    tab.number_input(key="seed").set_value(seed)
    set_tiny_config(tab, steps=LONG)
    return tab


def notes(at: AppTest) -> list[str]:
    return [element.value for element in at.info]


def says(messages: list[str], words: str) -> bool:
    """Whether one of the messages (markdown, escaped) says these words."""
    return any(escape_markdown(words) in message for message in messages)


def one_slot(monkeypatch, **caps) -> None:
    """The page's registry made again with one training slot (and any other caps given)."""
    monkeypatch.setattr(resources, "MAX_RUNNING", 1)
    for name, value in caps.items():
        monkeypatch.setattr(resources, name, value)
    st.cache_resource.clear()


def test_a_tab_pressing_train_twenty_times_holds_its_share_and_is_told_its_waiting_run_was_replaced(
    app, monkeypatch
):
    at = app
    one_slot(monkeypatch)
    set_tiny_config(at, steps=LONG)
    for seed in range(20):
        at.number_input(key="seed").set_value(seed).run()
        at.button(key="train").click().run()
        assert_no_exception(at)
    registry = registry_of(at.session_state["watch_key"])
    tab_id = at.session_state["tab_id"]
    asked = [
        key
        for key, run in registry.runs().items()
        if run.progress().active and tab_id in registry.watchers(key)
    ]
    assert len(asked) == 2, "the first run trains, the newest waits: the tab's share"
    number_of = {tab_run.key: tab_run.number for tab_run in at.session_state["my_runs"]}
    assert sorted(number_of[key] for key in asked) == [1, 20]
    assert says(notes(at), "took the place of this tab's oldest waiting run #19"), notes(at)


def test_a_full_queue_tells_the_next_tab_the_server_is_busy(app, monkeypatch):
    one_slot(monkeypatch, MAX_WAITING=1)
    trains, waits = new_tab(seed=0), new_tab(seed=1)
    for tab in (trains, waits):
        tab.button(key="train").click().run()
    late = new_tab(seed=2)
    late.button(key="train").click().run()
    assert_no_exception(late)
    shown = error_messages(late)
    assert len(shown) == 1 and says(shown, "The server is busy: 1 run waits"), shown
    assert late.session_state["watch_key"] is None, "nothing was started for the late tab"


def test_stop_on_a_shared_run_leaves_it_to_the_others_until_the_last_one_stops_it(app):
    tabs = [new_tab() for _ in range(3)]
    for tab in tabs:
        tab.button(key="train").click().run()
    key = tabs[0].session_state["watch_key"]
    registry = registry_of(key)
    leaving = tabs[1]
    leaving.run()
    stop = leaving.button(key="stop")
    assert stop.label == "Stop watching" and "2 other tabs asked for this run too" in stop.help
    stop.click().run()
    assert_no_exception(leaving)
    assert says(notes(leaving), "goes on training for the 2 other tabs that asked for it"), notes(leaving)
    assert leaving.session_state["watch_key"] is None and not leaving.get("progress")
    assert registry.get(key).progress().status in (Status.QUEUED, Status.RUNNING)
    for staying in (tabs[0], tabs[2]):
        staying.run()
        assert staying.session_state["watch_key"] == key
        assert not progress_line(staying).endswith(("stopping", "stopped")), progress_line(staying)
    tabs[2].button(key="stop").click().run()
    last = tabs[0]
    last.run()
    assert last.button(key="stop").label == "Stop", "no one else asked for it now"
    last.button(key="stop").click().run()
    assert registry.get(key).progress().status in (Status.STOPPING, Status.STOPPED)
