"""The inside views (issue 11) in the page, headless: each appears after a tiny run; bad picks give a message.

One tiny run on the fable is trained once for the module; each test then looks at one view.
"""

from __future__ import annotations

import pytest

from nextword.page.options import GATES_SOURCES, STRIP_WINDOW, UNITS_SHOWN
from tests.conftest import FABLE_SYMBOLS, FABLE_VOCABULARY
from tests.steps import (
    assert_no_exception,
    chart_rows,
    chart_titles,
    dataframe_with_column,
    fresh_app_test,
    set_tiny_config,
    train_until_done,
)


@pytest.fixture(scope="module")
def trained():
    for at in fresh_app_test():
        set_tiny_config(at, steps=200)
        train_until_done(at)
        assert_no_exception(at)
        yield at


MOTION_TITLES = (
    "**The context**",
    "**Symbols become ids**",
    "**Ids become vectors**",
    "**The LSTM reads “long” \\(1 of 3\\)**",
    "**The LSTM reads “ago” \\(2 of 3\\)**",
    "**The LSTM reads “,” \\(3 of 3\\)**",
    "**Output scores**",
    "**Softmax probabilities**",
    "**The chosen symbol**",
    "**Fed back in**",
)


def html_blocks(at) -> list[str]:
    return [node.proto.body for node in at.get("html")]


def test_the_story_as_the_model_reads_it_shades_each_symbol(trained):
    at = trained
    assert any(element.value == "The story as the model reads it" for element in at.subheader)
    strip = next(body for body in html_blocks(at) if "nw-strip" in body)
    assert strip.count("<span") == STRIP_WINDOW, (
        f"the fable ({FABLE_SYMBOLS} symbols) is longer than one window: a window of it is shown"
    )
    assert "nw-none" in strip and "top 3:" in strip
    assert any("top guess was" in element.value for element in at.markdown)
    at.slider(key="strip_start").set_value(50).run()
    assert_no_exception(at)
    assert "place 50:" in next(body for body in html_blocks(at) if "nw-strip" in body)


def test_a_place_before_the_first_full_context_gives_a_message(trained):
    at = trained
    at.number_input(key="inside_place").set_value(1).run()
    assert_no_exception(at)
    assert any("has no guess" in element.value for element in at.warning)
    at.number_input(key="inside_place").set_value(3).run()
    assert_no_exception(at)


def test_gates_and_memory_of_one_prediction_show_a_heat_map_per_gate(trained):
    at = trained
    at.number_input(key="inside_place").set_value(10).run()
    assert_no_exception(at)
    assert any(element.value == "Gates and memory of one prediction" for element in at.subheader)
    titles = chart_titles(at)
    for name in ("input gate", "forget gate", "output gate", "cell state", "hidden state"):
        assert f"{name} · layer 1" in titles
    rows = chart_rows(at, "forget gate · layer 1")
    assert len(rows) == 3 * UNITS_SHOWN, "16 units of a 16-unit model, one row per input symbol"
    assert all(0 <= row["value"] <= 1 for row in rows)
    assert any("forget gate" in caption.value for caption in at.caption)


def test_gates_of_the_typed_context_and_an_unknown_word_give_a_message(trained):
    at = trained
    at.radio(key="gates_source").set_value(GATES_SOURCES[1]).run()
    assert_no_exception(at)
    assert "forget gate · layer 1" in chart_titles(at)
    at.text_input(key="predict_context").input("the zebra said").run()
    assert_no_exception(at)
    assert any("zebra" in element.value for element in at.warning)
    at.text_input(key="predict_context").input("long ago ,").run()
    at.radio(key="gates_source").set_value(GATES_SOURCES[0]).run()


def test_the_word_map_places_each_symbol_and_lists_nearest_neighbours(trained):
    at = trained
    assert any(element.value == "The word map" for element in at.subheader)
    rows = chart_rows(at, "Word map")
    assert len(rows) == FABLE_VOCABULARY, "one point per symbol of the fable"
    assert {row["symbol"] for row in rows if row["picked"] == "picked"} == {"mice"}
    assert any("Nearest neighbours of “mice”" in element.value for element in at.markdown)
    table = dataframe_with_column(at, "cosine similarity")
    assert len(table) == 5 and "mice" not in table["neighbour"].tolist()
    assert table["cosine similarity"].is_monotonic_decreasing
    at.text_input(key="map_symbol").input("zebra").run()
    assert_no_exception(at)
    assert any("zebra" in element.value for element in at.warning)
    at.text_input(key="map_symbol").input("mice").run()


def test_the_model_table_lists_layers_shapes_and_parameters(trained):
    at = trained
    table = dataframe_with_column(at, "parameters")
    assert table["kind"].tolist() == ["InputLayer", "Embedding", "LSTM", "Dense"]
    assert table["output shape"].tolist()[-1] == f"(batch, {FABLE_VOCABULARY})"
    # The LSTM: 4 gates × 16 units × (embedding width + 16 + 1); the Dense layer: 16 × 112 + 112.
    assert table["parameters"].tolist()[-1] == 16 * FABLE_VOCABULARY + FABLE_VOCABULARY


def test_one_prediction_in_slow_motion_steps_forward_and_back(trained):
    at = trained
    at.number_input(key="inside_place").set_value(3).run()
    assert any(element.value == "One prediction in slow motion" for element in at.subheader)
    assert any(element.value == "**The context**" for element in at.markdown)
    titles = []
    while not at.button(key="motion_next").proto.disabled:
        at.button(key="motion_next").click().run()
        assert_no_exception(at)
        titles += [element.value for element in at.markdown if element.value in MOTION_TITLES]
    # ids, vectors, the LSTM reading each of the three symbols, scores, softmax, choice, fed back.
    assert titles == list(MOTION_TITLES[1:])
    assert "Step 10 of 10" in [element.proto.text for element in at.get("progress")]
    at.button(key="motion_back").click().run()
    assert_no_exception(at)
    assert "Step 9 of 10" in [element.proto.text for element in at.get("progress")]


# Last in the module: a fresh page clears the shared run registry that the `trained` tests read.
@pytest.mark.slow
def test_a_raw_index_model_shows_its_numbers_and_that_the_meaning_is_lost():
    """Last in the module: it trains a run of its own on a fresh cache."""
    for at in fresh_app_test():
        at.selectbox(key="encoding").set_value("index").run()
        set_tiny_config(at, steps=50)
        train_until_done(at)
        assert_no_exception(at)
        assert any("meaning” of the word is lost" in element.value for element in at.info)
        numbers = next(element.value for element in at.code if "→ 0" in element.value)
        assert numbers.startswith(", → 0   the → 1") and len(numbers.splitlines()) == 1
        assert "Word map" not in chart_titles(at)
