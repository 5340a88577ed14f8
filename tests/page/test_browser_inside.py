"""The inside views (issue 11) in a real browser: train on the fable, then see each finished view.

Uses the shared server and the page and slider steps (tests/steps.py); the screenshot of the
inside section is saved in tests/artifacts/inside_views.png for a human to look at.
"""

from __future__ import annotations

import time

from tests.conftest import FABLE_VOCABULARY
from tests.steps import (
    assert_clean,
    main_area,
    open_advanced,
    open_page,
    progress_text,
    screenshot_from,
    set_slider,
    sync_api,
    wait_script_idle,
)

TRAINING_SECONDS = 300  # the shared machine is busy; includes the server's first TensorFlow import


def chart_with(page, text: str):
    return page.locator('[data-testid="stVegaLiteChart"]').filter(has_text=text)


def test_the_inside_views_after_a_run_on_the_fable(browser, server):
    context, page, log = open_page(browser, server)
    try:
        wait_script_idle(page, timeout=120)
        for attempt in range(4):  # on a busy machine a rerun can fold the expander away mid-way
            try:
                open_advanced(page)
                page.set_default_timeout(10_000)
                set_slider(page, "Units per layer", 1)  # 16 units
                set_slider(page, "Training steps", 3)  # 300 steps
                break
            except sync_api.TimeoutError:
                assert attempt < 3, "the sliders could not be set"
                wait_script_idle(page, timeout=60)
            finally:
                page.set_default_timeout(30_000)
        wait_script_idle(page)
        main_area(page).get_by_role("button", name="Train").click()
        deadline = time.monotonic() + TRAINING_SECONDS
        while not progress_text(page).endswith("finished"):
            assert time.monotonic() < deadline, f"the run did not finish: {progress_text(page)!r}"
            page.wait_for_timeout(500)
        main_area(page).get_by_role("heading", name="Inside the LSTM").wait_for(timeout=60_000)
        wait_script_idle(page, timeout=60)

        # 1. The story as the model reads it: a window of 120 shaded symbols with their top 3.
        spans = page.locator(".nw-strip span")
        spans.first.wait_for()  # st.html's element is loaded on demand
        assert spans.count() == 120
        assert "top 3:" in spans.nth(10).get_attribute("title")

        # 2. Gates and memory: five heat maps of 3 input symbols × 16 units.
        for name in ("input gate", "forget gate", "output gate", "cell state", "hidden state"):
            heat = chart_with(page, f"{name} · layer 1")
            heat.locator("svg g.mark-rect.role-mark path").first.wait_for()
            assert heat.locator("svg g.mark-rect.role-mark path").count() == 3 * 16

        # 3. The word map: one point per symbol, and the nearest neighbours of "mice".
        word_map = chart_with(page, "Word map")
        word_map.locator("svg g.mark-symbol.role-mark path").first.wait_for()
        assert word_map.locator("svg g.mark-symbol.role-mark path").count() == FABLE_VOCABULARY
        main_area(page).get_by_text("Nearest neighbours of “mice”").wait_for()

        # 4. Slow motion: Next moves to the ids, Back returns to the context.
        main_area(page).get_by_text("The context", exact=True).wait_for()
        main_area(page).get_by_role("button", name="Next").click()
        main_area(page).get_by_text("Symbols become ids", exact=True).wait_for()
        main_area(page).get_by_role("button", name="Back").click()
        main_area(page).get_by_text("The context", exact=True).wait_for()
        wait_script_idle(page)

        screenshot_from(page, "Inside the LSTM", "inside_views.png", height=3000)
        assert_clean(page, log)
    finally:
        context.close()
