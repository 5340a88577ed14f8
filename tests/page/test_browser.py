"""The page in a real browser: Playwright + Chromium against `streamlit run` on a free port.

What a class does: upload a story, move a slider with the keyboard, train a tiny model while the
charts redraw, read the bars and the generated text; two students with the same settings share one
run. Runs in CI (CI=true) always: a missing Chromium fails there. Locally it is skipped only when
no Chromium can be found.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

from tests.steps import (
    ARTIFACTS,
    STORY_TEXT,
    TRAINING_SECONDS,
    assert_clean,
    chart_paths,
    main_area,
    open_advanced,
    open_page,
    progress_text,
    progress_value,
    run_every_step,
    run_identity,
    set_slider,
    wait_script_idle,
)

# True when no text in an element is cut short: Streamlit ends a label too long for its box with
# "…" (text-overflow: ellipsis), so no such part may be wider inside than its box.
WHOLE_LABEL = """element => [element, ...element.querySelectorAll('*')].every(
    part => getComputedStyle(part).textOverflow !== 'ellipsis' || part.scrollWidth <= part.clientWidth
)"""

# ----- the tests -----


def test_upload_train_watch_predict_generate(browser, server, tmp_path):
    context, page, log = open_page(browser, server)
    frames: list[float] = []  # arrival times of server messages, to see that polling stops
    page.on("websocket", lambda socket: socket.on("framereceived", lambda _: frames.append(time.monotonic())))
    page.reload()  # so the listener sees this page's socket
    page.get_by_test_id("stMain").get_by_text("The first windows").wait_for()
    try:
        # Upload a story through the uploader.
        story_file = tmp_path / "my_fable.txt"
        story_file.write_text(STORY_TEXT, encoding="utf-8")
        page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(str(story_file))
        page.get_by_test_id("stFileChipName").get_by_text("my_fable.txt").wait_for()
        main_area(page).get_by_text("my_fable.txt").first.wait_for()

        # n_input with the keyboard: Home (1), then right to 4; the windows redraw with 4 symbols.
        set_slider(page, "Context length (n_input)", 3)
        main_area(page).get_by_text("['long', 'ago', ',', 'the'] →").wait_for()

        # A tiny configuration: 16 units, batch 16, 20,000 steps (long enough to redraw several times
        # on a quiet machine, which trains 5,000 in about three seconds).
        open_advanced(page)
        run_every_step(page)
        set_slider(page, "Units per layer", 1)
        set_slider(page, "Batch size", 2)
        set_slider(page, "Training steps", 10)
        wait_script_idle(page)
        main_area(page).get_by_role("button", name="Train").click()
        key = run_identity(page)

        # Watch: the curves must redraw at least twice while the run is going.
        distinct_paths, values = set(), []
        deadline = time.monotonic() + TRAINING_SECONDS
        while time.monotonic() < deadline:
            text = progress_text(page)
            if text.endswith("finished"):
                break
            value = progress_value(page)
            paths = chart_paths(page)
            if value and 0 < value < 100 and paths:
                distinct_paths.add(paths)
                values.append(value)
            page.wait_for_timeout(250)
        else:
            raise AssertionError(f"the run did not finish; last progress: {progress_text(page)!r}")
        assert len(distinct_paths) >= 3, (
            f"charts redrew {len(distinct_paths)} time(s) while running: {values}"
        )
        assert values == sorted(values)

        # Finished: the page reran once, shows the bars and the generated text.
        main_area(page).get_by_text("4 · Predict the next word").wait_for(timeout=30_000)
        assert progress_text(page).startswith("Step 20,000 / 20,000")
        bars_chart = page.locator('[data-testid="stVegaLiteChart"]').filter(
            has_text="Most likely next symbols"
        )
        bars_chart.locator("svg g.mark-rect path").first.wait_for()
        assert bars_chart.locator("svg g.mark-rect path").count() == 5
        labels = bars_chart.locator("svg g.mark-text.role-mark text").evaluate_all(
            "texts => texts.map(t => t.textContent)"
        )
        assert len(labels) == 5 and all(label.split()[0].endswith("%") for label in labels), labels
        assert any("in the story" in label for label in labels), "the story's next symbol is marked"
        # The run is over: the page stopped polling (no more messages while nobody touches it).
        page.wait_for_timeout(1500)
        quiet_since = time.monotonic()
        page.wait_for_timeout(3000)
        assert [arrival for arrival in frames if arrival > quiet_since] == []

        # Keep: the download is the run folder as a zip.
        with page.expect_download() as download_info:
            main_area(page).get_by_role("button", name="Download the trained run (.zip)").click()
        download = download_info.value
        assert download.suggested_filename == f"nextword-run-{key}-step20000.zip"
        saved = tmp_path / "run.zip"
        download.save_as(saved)
        with zipfile.ZipFile(saved) as archive:
            names = {Path(name).name for name in archive.namelist()}
        assert {"model.keras", "vocab.json", "config.json"} <= names

        context_box = page.get_by_role("textbox", name="Context")
        assert context_box.input_value() == "long ago, the"
        generated = page.locator(".st-key-generated_text").inner_text()
        assert generated.startswith("long ago, the")
        assert len(generated.split()) > 10

        # An unknown word: a warning naming it, no exception.
        context_box.fill("the mosue had a")
        context_box.press("Enter")
        main_area(page).get_by_text("“mosue”").wait_for()
        assert run_identity(page) == key

        # The finished page, for a human to look at.
        context_box.fill("long ago, the")
        context_box.press("Enter")
        wait_script_idle(page)
        bars_chart.locator("svg g.mark-rect path").first.wait_for()
        page.set_viewport_size({"width": 1400, "height": 3600})
        main_area(page).get_by_role("heading", name="nextword").scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "finished_page.png"), full_page=True)
        assert_clean(page, log)
    finally:
        context.close()


def test_the_controls_show_their_whole_labels_on_a_projector(browser, server):
    # 1024 px wide, as many classroom projectors are: no button label is cut short with an ellipsis.
    context, page, log = open_page(browser, server, 1024, 768)
    try:
        experiments = (
            main_area(page).locator('[data-testid="stExpander"]').filter(has_text="The article's experiments")
        )
        experiments.get_by_role("button").first.wait_for()
        titles = experiments.get_by_role("button").evaluate_all("buttons => buttons.map(b => b.innerText)")
        assert len(titles) >= 3, titles  # which experiments show depends on the settings
        for name in ("Train", "Stop", "Continue (+300 steps)", *titles):
            button = main_area(page).get_by_role("button", name=name, exact=True)
            assert button.evaluate(WHOLE_LABEL), f"{name!r} is cut short"
        toggle = main_area(page).get_by_test_id("stCheckbox").filter(has_text="Presenter view")
        assert toggle.evaluate(WHOLE_LABEL), "'Presenter view' is cut short"
        assert_clean(page, log)
    finally:
        context.close()


def test_two_students_with_the_same_settings_share_one_run(browser, server):
    first, first_page, first_log = open_page(browser, server)
    second, second_page, second_log = open_page(browser, server)
    try:
        for page in (first_page, second_page):
            open_advanced(page)
            run_every_step(page)
            set_slider(page, "Units per layer", 1)  # 16 units
            set_slider(page, "Training steps", 11)  # 50,000 steps: long enough to still run below
            wait_script_idle(page)
        main_area(first_page).get_by_role("button", name="Train").click()
        key = run_identity(first_page)
        main_area(second_page).get_by_role("button", name="Train").click()
        assert run_identity(second_page) == key
        # The second student attached to the running run: no second run, same progress moving.
        second_page.wait_for_function(
            """() => {
                const bar = document.querySelector('[data-testid="stProgress"] [role="progressbar"]');
                return bar && Number(bar.getAttribute('aria-valuenow')) > 0;
            }""",
            timeout=TRAINING_SECONDS * 1000,
        )
        # A refreshed tab finds the run again without pressing Train.
        first_page.reload()
        assert run_identity(first_page) == key
        # Both asked for the run, so the second's Stop would only stop watching it: the presenter view
        # stops it for everyone.
        main_area(second_page).get_by_role("button", name="Stop watching", exact=True).wait_for()
        main_area(second_page).get_by_test_id("stCheckbox").filter(has_text="Presenter view").click()
        main_area(second_page).get_by_role("button", name="Stop", exact=True).click()
        for page in (first_page, second_page):
            page.wait_for_function(
                """() => [...document.querySelectorAll('[data-testid="stProgress"]')]
                    .some(element => element.innerText.trim().endsWith('stopped'))""",
                timeout=30_000,
            )
        assert_clean(first_page, first_log)
        assert_clean(second_page, second_log)
    finally:
        first.close()
        second.close()
