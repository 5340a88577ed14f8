"""The lesson link in a real browser: an address sets the controls, and a copied link opens the same page.

A teacher opens an address with settings, trains, copies the lesson link; a second browser context
(another student) opens that link and sees the same controls and the same shared run. Runs in CI
(CI=true) always, with the fixtures of tests/conftest.py and the helpers of tests/page/test_browser.py.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.page_server import StreamlitServer
from tests.steps import (
    ARTIFACTS,
    ROOT,
    TRAINING_SECONDS,
    assert_clean,
    main_area,
    open_page,
    progress_text,
    run_identity,
)

LESSON = "n_input=5&layers=2&units=16&steps=50&learning_rate=0.03&stop_when_learned=0"


@pytest.fixture(scope="module")
def server():
    with StreamlitServer(ROOT, ARTIFACTS / "streamlit_server_lesson.log") as running:
        yield running.url


def slider_value(page, label: str) -> str:
    return page.get_by_role("slider", name=label).input_value()


def copied_link(page) -> str:
    main_area(page).get_by_role("button", name="Copy lesson link").click()
    code = page.locator("code").filter(has_text="n_input=").first
    code.wait_for()
    link = code.inner_text().strip()
    page.keyboard.press("Escape")
    return link


def test_a_lesson_link_sets_the_controls_and_a_copy_opens_the_same_run(browser, server):
    teacher, teacher_page, teacher_log = open_page(browser, f"{server}/?{LESSON}")
    student = None
    try:
        assert slider_value(teacher_page, "Context length (n_input)") == "5"
        assert slider_value(teacher_page, "LSTM layers") == "2"
        main_area(teacher_page).get_by_text("['long', 'ago', ',', 'the', 'mice'] →").wait_for()
        main_area(teacher_page).get_by_role("button", name="Train").click()
        key = run_identity(teacher_page)
        deadline = time.monotonic() + TRAINING_SECONDS
        while not progress_text(teacher_page).endswith("finished"):
            assert time.monotonic() < deadline, progress_text(teacher_page)
            teacher_page.wait_for_timeout(250)
        link = copied_link(teacher_page)
        assert link.startswith(server), link
        settings = dict(parse_qsl(urlsplit(link).query))
        assert settings["run"] == key and settings["n_input"] == "5" and settings["units"] == "16"
        assert dict(parse_qsl(urlsplit(teacher_page.url).query)) == settings, "the address is the link"

        student, student_page, student_log = open_page(browser, link)
        assert slider_value(student_page, "Context length (n_input)") == "5"
        assert slider_value(student_page, "LSTM layers") == "2"
        assert run_identity(student_page) == key, "the same shared run, without pressing Train"
        main_area(student_page).get_by_text("4 · Predict the next word").wait_for(timeout=30_000)
        main_area(student_page).get_by_text(re.compile(r"^Step 50 / 50 ·")).first.wait_for()
        # The presenter view: the sidebar closes, the metrics grow.
        sidebar = student_page.get_by_test_id("stSidebar")
        assert sidebar.get_attribute("data-collapsed") == "false"
        main_area(student_page).get_by_text("Presenter view").click()
        student_page.wait_for_function(
            """() => document.querySelector('[data-testid="stSidebar"]').dataset.collapsed === 'true'"""
        )
        # The address follows (its update comes in a message of its own, after the page's).
        student_page.wait_for_function("() => location.search.includes('present=1')", timeout=30_000)
        size = (
            main_area(student_page)
            .get_by_test_id("stMetricValue")
            .first.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")
        )
        assert size >= 48, size
        assert_clean(teacher_page, teacher_log)
        assert_clean(student_page, student_log)
    finally:
        teacher.close()
        if student is not None:
            student.close()
