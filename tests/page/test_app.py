"""The page's main flows, headless, through Streamlit's AppTest: a story, Train, predict, generate.

Bad input, stops and faults in the page are in tests/page/test_bad_input_and_faults.py; the steps both take
(a fresh page, tiny settings, train until done) are in tests/steps.py.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import FABLE_VOCABULARY
from tests.steps import (
    APP,
    STORY,
    TIMEOUT,
    TRAINING_DEADLINE,
    assert_no_exception,
    chart_rows,
    chart_titles,
    dataframe_with_column,
    generated_texts,
    set_tiny_config,
    train_until_done,
    windows_code,
)

pytestmark = pytest.mark.slow  # every test here starts the page, and most of them train


def test_first_page_shows_the_fable_and_its_dictionary(app):
    at = app
    assert_no_exception(at)
    assert "LSTM" in at.title[0].value
    assert any("Belling the Cat" in element.value for element in at.markdown)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Vocabulary"] == f"{FABLE_VOCABULARY}"  # the article's count
    # Counted from the story, not typed in.
    assert f"{FABLE_VOCABULARY} different symbols" in at.selectbox(key="story_choice").help
    table = dataframe_with_column(at, "symbol")
    assert list(table.columns) == ["symbol", "id", "count"]
    assert len(table) == FABLE_VOCABULARY
    windows = windows_code(at).splitlines()
    assert windows[0].startswith("['long', 'ago', ',']") and "→" in windows[0]
    assert at.button(key="stop").proto.disabled
    assert at.button(key="continue").proto.disabled


def test_sliders_change_the_windows(app):
    at = app
    at.slider(key="n_input").set_value(5).run()
    assert_no_exception(at)
    first = windows_code(at).splitlines()[0]
    assert first.startswith("['long', 'ago', ',', 'the', 'mice']")


def test_article_settings_button_sets_the_article_recipe(app):
    at = app
    at.slider(key="n_input").set_value(6).run()
    at.button(key="article_settings").click().run()
    assert_no_exception(at)
    assert at.slider(key="n_input").value == 3
    assert at.select_slider(key="units").value == 512
    assert at.selectbox(key="encoding").value == "index"
    assert at.selectbox(key="optimizer").value == "rmsprop"
    assert at.select_slider(key="learning_rate").value == 0.001
    assert at.select_slider(key="batch_size").value == 1
    assert at.select_slider(key="steps").value == 50_000
    assert at.checkbox(key="article_order").value is True
    assert at.checkbox(key="stop_when_learned").value is False  # the article runs every step


def test_a_run_that_has_learned_all_it_can_stops_early_and_says_why(app):
    at = app
    assert at.checkbox(key="stop_when_learned").value is True, "the config's default"
    set_tiny_config(at, steps=5000, stop_when_learned=True)
    train_until_done(at)
    assert_no_exception(at)
    steps_run = int(at.get("progress")[0].proto.text.split()[1].replace(",", ""))
    assert steps_run < 5000
    assert any("learned all it can" in message.value for message in at.success)
    assert not at.button(key="continue").proto.disabled, "Continue runs every step it asks for"


def test_upload_a_story(app):
    at = app
    at.file_uploader(key="story_upload").upload("pets.txt", STORY, "text/plain")
    at.run()
    assert_no_exception(at)
    assert at.session_state["story_name"] == "pets.txt"
    assert any("**pets\\.txt**" in element.value for element in at.markdown)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Symbols"] == "40"
    assert windows_code(at).splitlines()[0].startswith("['the', 'cat', 'sat']")


def test_train_a_tiny_run_then_predict_and_generate(app):
    at = app
    set_tiny_config(at)
    seen = train_until_done(at)
    assert seen[-1] == 100
    assert_no_exception(at)
    # The live panel: progress text, both charts, sample lines.
    assert at.get("progress")[0].proto.text.startswith("Step 300 / 300")
    titles = chart_titles(at)
    assert "Loss" in titles and "Accuracy" in titles
    assert len(chart_rows(at, "Loss")) == 300
    series = {row["series"] for row in chart_rows(at, "Accuracy")}
    assert series == {"batch (running)", "training", "n-gram (training)", "ceiling"}, "nothing held out"
    assert any("vs [" in code.value for code in at.code)
    # The tab's run list.
    assert dataframe_with_column(at, "exact accuracy")["status"].tolist() == ["finished"]
    # Predict: the context is pre-filled with the story's first symbols; the true next one is marked.
    assert at.text_input(key="predict_context").value == "long ago,"
    rows = chart_rows(at, "Most likely next symbols")
    assert len(rows) == 5
    assert sum(row["probability"] for row in rows) <= 1.0 + 1e-6
    assert any("followed by" in element.value and "the" in element.value for element in at.success)
    at.slider(key="top_k").set_value(3).run()
    assert len(chart_rows(at, "Most likely next symbols")) == 3
    # Generate: the context in its colour, then what each model wrote.
    generated = generated_texts(at)
    assert len(generated) == 2, "the LSTM's text and the n-gram's"
    assert all(
        text.startswith('<div class="nw-text"><span class="nw-context">long ago,</span> ')
        for text in generated
    )
    assert all(len(text.split()) > 10 for text in generated)
    at.radio(key="generate_strategy").set_value("sample").run()
    at.number_input(key="generate_seed").set_value(7).run()
    assert_no_exception(at)
    assert len(generated_texts(at)) == 2
    # Keep: the download button is there.
    assert at.get("download_button")


def test_changing_a_slider_during_a_run_keeps_it(app):
    at = app
    set_tiny_config(at, steps=5000)
    at.button(key="train").click().run()
    watched = at.session_state["watch_key"]
    at.slider(key="layers").set_value(2).run()
    assert_no_exception(at)
    assert at.session_state["watch_key"] == watched
    assert any("Train** will start a new run" in element.value for element in at.info)


def test_diverging_run_shows_its_message_and_offers_a_retry(app):
    at = app
    at.select_slider(key="units").set_value(16)
    at.select_slider(key="learning_rate").set_value(100.0)
    at.selectbox(key="optimizer").set_value("rmsprop")
    at.selectbox(key="encoding").set_value("index")
    at.run()
    at.button(key="train").click().run()
    deadline = time.monotonic() + TRAINING_DEADLINE
    while time.monotonic() < deadline and not at.error:
        time.sleep(0.3)
        at.run()
    assert_no_exception(at)
    assert any("diverged" in element.value for element in at.error)
    assert not at.get("download_button"), "a failed run offers no predictions and no download"
    assert not any("Predict" in header.value for header in at.header)
    retry = at.button(key="retry")
    assert "10" in retry.label
    retry.click().run()
    assert_no_exception(at)
    assert at.select_slider(key="learning_rate").value == 10.0


def test_first_paint_does_not_import_tensorflow():
    """The page paints before TensorFlow loads: only the background preload thread imports it."""
    import subprocess
    import sys

    code = (
        "import sys, threading\n"
        "importers = []\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'tensorflow' and not importers:\n"
        "            importers.append(threading.current_thread().name)\n"
        "sys.meta_path.insert(0, Watch())\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout={TIMEOUT}).run()\n"
        "assert not at.exception\n"
        "from nextword.training import tensorflow_runtime\n"
        "tensorflow_runtime.preload_in_background().join(300)\n"
        "print(importers, tensorflow_runtime.is_loaded())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['nextword-preload'] True"


def test_the_settings_and_train_are_drawn_before_pandas_and_altair_load():
    """A person can set up a run while the page still loads the libraries its tables and charts need."""
    import ast
    import subprocess
    import sys

    code = (
        "import sys\n"
        "events = []\n"
        "class Watch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name in ('pandas', 'altair') and name not in events:\n"
        "            events.append(name)\n"
        "sys.meta_path.insert(0, Watch())\n"
        "import streamlit as st\n"
        "from streamlit.delta_generator import DeltaGenerator\n"
        "def watched(owner, kind):\n"
        "    draw = getattr(owner, kind)\n"
        "    def drawn(*args, **kwargs):\n"
        "        events.append(kwargs.get('label') or next(a for a in args if isinstance(a, str)))\n"
        "        return draw(*args, **kwargs)\n"
        "    setattr(owner, kind, drawn)\n"
        "watched(st, 'slider'), watched(st, 'select_slider'), watched(DeltaGenerator, 'button')\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout={TIMEOUT}).run()\n"
        "assert not at.exception\n"
        "print(events)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stderr
    events = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    assert {"pandas", "altair"} <= set(events), "the first page draws a table and a chart"
    first_import = min(events.index("pandas"), events.index("altair"))
    sliders = ("Context length (n_input)", "LSTM layers", "Training steps", "Hold out (% of the story's end)")
    for label in (*sliders, "Train"):
        assert events.index(label) < first_import, f"{label} waits for pandas or altair: {events}"


def test_a_third_run_waits_in_the_queue_with_its_place(app):
    first = app
    set_tiny_config(first, steps=50_000)
    for seed in (1, 2):  # a tab's share: both train
        first.number_input(key="seed").set_value(seed).run()
        first.button(key="train").click().run()
        assert_no_exception(first)
    third = AppTest.from_file(APP, default_timeout=TIMEOUT)
    third.run()
    third.number_input(key="seed").set_value(3)
    set_tiny_config(third, steps=50_000)
    third.button(key="train").click().run()
    assert_no_exception(third)
    assert any("Queued: place 1 in line" in element.value for element in third.info)
    assert third.get("progress")[0].proto.text.endswith("waiting for a free slot")
    third.button(key="stop").click().run()  # a queued run stops at once, without training
    assert third.get("progress")[0].proto.text.endswith("stopped")


def test_a_story_without_spaces_is_read_in_characters_then_trains(app):
    at = app
    story = "むかしむかし、ねずみたちがあつまりました。ねこのくびにすずをつけよう。".encode() * 3
    at.file_uploader(key="story_upload").upload("japanese_story.txt", story, "text/plain")
    at.run()
    assert_no_exception(at)
    # Word mode cannot split it: the upload switches Symbols to characters, and says so.
    assert not at.error
    assert at.session_state["story_name"] == "japanese_story.txt"
    assert at.radio(key="symbol_mode").value == "characters"
    notes = [element.value for element in at.info if "without spaces between words" in element.value]
    assert notes and notes[0].startswith("japanese\\_story\\.txt is written"), notes  # the name escaped
    assert windows_code(at).splitlines()[0].startswith("['む', 'か', 'し']")
    # Back to words by hand: word mode's refusal, with its reason, and no note about characters.
    at.radio(key="symbol_mode").set_value("words").run()
    assert_no_exception(at)
    assert at.error and "Word mode does not fit" in at.error[0].value
    assert not [element for element in at.info if "without spaces between words" in element.value]
    at.radio(key="symbol_mode").set_value("characters").run()
    assert not at.error
    set_tiny_config(at, steps=100)
    train_until_done(at)
    assert at.text_input(key="predict_context").value == "むかし"
    generated = generated_texts(at)
    assert generated and all('<span class="nw-context">むかし</span>' in text for text in generated), (
        generated
    )


def test_a_new_tab_opened_on_a_run_link_watches_that_run(app):
    at = app
    set_tiny_config(at, steps=50)
    train_until_done(at)
    key = at.session_state["watch_key"]
    assert at.query_params["run"] in (key, [key])
    other = AppTest.from_file(APP, default_timeout=TIMEOUT)
    other.query_params["run"] = key
    other.run()
    assert_no_exception(other)
    assert other.session_state["watch_key"] == key
    assert other.select_slider(key="units").value == 16  # the run's settings, adopted
    assert not any("will start a new run" in element.value for element in other.info)
    assert any(f"Run `{key}`" in element.value for element in other.markdown)
    assert other.text_input(key="predict_context").value == "long ago,"


def element_path(block, wanted, path=()) -> tuple[int, ...] | None:
    """Where an element sits in the page: its index in each enclosing block, from the top."""
    for index, child in getattr(block, "children", {}).items():
        if child is wanted:
            return (*path, index)
        found = element_path(child, wanted, (*path, index))
        if found:
            return found
    return None


def test_messages_above_the_live_panel_never_move_it(app):
    """The live panel is a fragment, known by its position: an error or a note drawn above it must not
    shift it, or the browser drops its refreshes and the panel goes blank (issue 13)."""
    at = app
    set_tiny_config(at, steps=50_000)
    at.button(key="train").click().run()
    key = at.session_state["watch_key"]

    def panel_path() -> tuple[int, ...]:
        header = [element for element in at.markdown if element.value.startswith(f"**Run `{key}`**")]
        assert len(header) == 1, "the live panel shows its run"
        return element_path(at.main, header[0])

    before = panel_path()
    at.file_uploader(key="story_upload").upload("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    at.run()
    assert_no_exception(at)
    assert at.error, "the refused file's message is above the panel"
    assert panel_path() == before
    at.slider(key="layers").set_value(2).run()
    assert any("Train** will start a new run" in element.value for element in at.info)
    assert panel_path() == before
    at.button(key="stop").click().run()
    assert_no_exception(at)
