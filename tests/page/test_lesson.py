"""The lesson link, the presenter view and the experiments, headless through AppTest (issue 12).

An address with settings opens with those controls set and a change writes the address back; bad
values give a notice and a working page; `present=1` and `hide=` change what is shown; one
experiment runs end to end and lands on the compare chart.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from nextword.page.markup import PRESENTER_CSS
from nextword.page.presenter import CHART_FONTS
from tests.conftest import ROOT
from tests.page.test_app import element_path
from tests.steps import APP, STORY, TIMEOUT, TRAINING_DEADLINE, assert_no_exception, chart_rows

LONG_STORY = ROOT / "tests" / "fixtures" / "long_story.txt"
# Tiny settings on the fable: a run of 50 steps takes well under a second once TensorFlow is loaded.
# Seed 5: runs of their own, not the ones other test modules train with the same tiny settings.
TINY = {"units": "16", "steps": "50", "learning_rate": "0.03", "stop_when_learned": "0", "seed": "5"}


def open_address(params: dict[str, str]) -> AppTest:
    """A new tab (a new session, the same server cache) opened on an address."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def address(at: AppTest) -> dict[str, str]:
    return {name: value if isinstance(value, str) else value[-1] for name, value in at.query_params.items()}


def lesson_link(at: AppTest) -> str:
    return next(element.value for element in at.code if "n_input=" in element.value)


def notices(at: AppTest) -> list[str]:
    return [element.value for element in at.warning]


def headers(at: AppTest) -> list[str]:
    return [element.value for element in at.header]


def test_an_address_with_settings_opens_with_those_controls_set(app):
    at = open_address({"n_input": "5", "layers": "2", "units": "64", "optimizer": "rmsprop", "seed": "7"})
    assert_no_exception(at)
    assert at.slider(key="n_input").value == 5 and at.slider(key="layers").value == 2
    assert at.select_slider(key="units").value == 64 and at.selectbox(key="optimizer").value == "rmsprop"
    assert at.number_input(key="seed").value == 7
    assert notices(at) == []
    assert address(at)["n_input"] == "5" and address(at)["story"] == "belling_the_cat"
    # A change writes the address back, and the lesson link shows it.
    at.slider(key="layers").set_value(3).run()
    assert address(at)["layers"] == "3"
    assert dict(parse_qsl(urlsplit(lesson_link(at)).query)) == address(at)


def test_bad_values_give_a_notice_each_and_a_working_page(app):
    at = open_address(
        {
            "n_input": "99",
            "layers": "abc",
            "story": "0123456789abcdef",
            "encoding": "**x**<b>",
            "nonsense": "1",
        }
    )
    assert_no_exception(at)
    assert at.slider(key="n_input").value == 10 and at.slider(key="layers").value == 1
    assert at.selectbox(key="encoding").value == "embedding"
    shown = notices(at)
    assert any(notice.startswith("n_input=") for notice in shown)
    assert any(notice.startswith("layers=") for notice in shown)
    assert any("upload the story again" in notice for notice in shown)
    assert any("\\*\\*x\\*\\*\\<b\\>" in notice for notice in shown), "markup is shown, not rendered"
    assert at.session_state["story_name"].startswith("Belling the Cat"), "the bundled fable stays"
    assert "nonsense" not in address(at)
    assert not at.button(key="train").proto.disabled


def test_a_link_to_an_uploaded_story_opens_it_while_the_server_keeps_it(app):
    at = app
    at.file_uploader(key="story_upload").upload("pets.txt", STORY, "text/plain")
    at.run()
    digest = address(at)["story"]
    assert len(digest) == 16
    other = open_address(address(at))
    assert_no_exception(other)
    assert other.session_state["story_name"] == "pets.txt" and notices(other) == []


def test_the_presenter_view_and_hidden_controls(app):
    at = open_address(
        {"present": "1", "hide": "optimizer,learning_rate,experiments,story", "optimizer": "rmsprop"}
    )
    assert_no_exception(at)
    assert at.toggle(key="present").value is True
    assert not at.expander, "the presenter view hides the Advanced settings"
    assert "1 · The story" not in headers(at) and "3 · Compare runs" not in headers(at)
    assert not [button for button in at.button if button.key and button.key.startswith("experiment_")]
    with pytest.raises(KeyError):
        at.selectbox(key="optimizer")
    at.toggle(key="present").set_value(False).run()
    assert at.expander and "present" not in address(at)
    keys = {element.key for element in at.selectbox}
    assert "encoding" in keys and "optimizer" not in keys, "a hidden control stays hidden"
    at.slider(key="n_input").set_value(4).run()
    assert address(at)["optimizer"] == "rmsprop", "a hidden control keeps its value"
    assert address(at)["hide"] == "experiments,learning_rate,optimizer,story"
    at.toggle(key="present").set_value(True).run()
    assert address(at)["present"] == "1"
    assert any(node.proto.body == PRESENTER_CSS for node in at.get("html")), "large type"


def compare_rows(at: AppTest) -> list[dict]:
    """The rows of the compare chart (its dataset is named "compare")."""
    import pyarrow

    rows = []
    for node in at.get("vega_lite_chart"):
        spec = json.loads(node.proto.spec)
        rows += (spec.get("datasets") or {}).get("compare", [])
        for dataset in node.proto.datasets:
            if dataset.name == "compare":
                rows += pyarrow.ipc.open_stream(dataset.data.data).read_all().to_pylist()
    return rows


def compare_spec(at: AppTest) -> dict:
    specs = [json.loads(node.proto.spec) for node in at.get("vega_lite_chart")]
    named = [spec for spec in specs if (spec.get("data") or {}).get("name") == "compare"]
    assert len(named) == 1, "one compare chart"
    return named[0]


def run_experiment(at: AppTest, name: str, title: str, endings: tuple[str, ...], seconds=TRAINING_DEADLINE):
    """Click an experiment's button and rerun until its finding (the markdown under `title`) says
    one of `endings`."""
    at.button(key=f"experiment_{name}").click().run()
    assert_no_exception(at)
    deadline = time.monotonic() + seconds
    finding = []
    while time.monotonic() < deadline:
        finding = [e.value for e in at.markdown if e.value.startswith(title)]
        if finding and any(ending in finding[0] for ending in endings):
            return
        assert_no_exception(at)
        time.sleep(0.5)
        at.run()
    raise AssertionError(f"the experiment did not finish; last: {finding}")


def test_an_experiment_runs_end_to_end_and_lands_on_the_compare_chart(app):
    at = open_address(TINY)
    run_experiment(at, "n_input", "**n\\_input 3, 4 and 5**", ("The winner", "ended level"))
    labels = {row["run"] for row in compare_rows(at)}
    assert labels == {"#1 n_input 3", "#2 n_input 4", "#3 n_input 5"}, labels
    table = next(element.value for element in at.dataframe if "training time" in element.value.columns)
    assert table["run"].tolist() == ["n_input 3", "n_input 4", "n_input 5"]
    assert table["steps"].tolist() == [50, 50, 50]
    # The presenter view draws the chart's labels large.
    large = CHART_FONTS["axis"]["labelFontSize"]
    assert (compare_spec(at).get("config") or {}).get("axis", {}).get("labelFontSize") != large
    at.toggle(key="present").set_value(True).run()
    assert compare_spec(at)["config"]["axis"]["labelFontSize"] == large
    # Choose what to overlay, then take the rest off the tab's list.
    runs = at.session_state["my_runs"]
    at.multiselect(key="compare_shown").set_value([runs[0].key]).run()
    assert {row["run"] for row in compare_rows(at)} == {"#1 n_input 3"}
    at.button(key="compare_remove").click().run()
    assert_no_exception(at)
    assert [run.number for run in at.session_state["my_runs"]] == [1]


def test_a_copied_link_opens_the_same_controls_and_the_same_run(app):
    at = open_address(TINY)
    at.button(key="train").click().run()
    deadline = time.monotonic() + TRAINING_DEADLINE
    while time.monotonic() < deadline and not at.get("progress")[0].proto.text.endswith("finished"):
        time.sleep(0.3)
        at.run()
    key = at.session_state["watch_key"]
    link = dict(parse_qsl(urlsplit(lesson_link(at)).query))
    assert link["run"] == key
    other = open_address(link)
    assert_no_exception(other)
    assert other.session_state["watch_key"] == key
    assert other.select_slider(key="units").value == 16 and other.select_slider(key="steps").value == 50
    assert any(f"Run `{key}`" in element.value for element in other.markdown)
    # A notice about the address sits in a box that is always drawn: the live panel does not move.
    noticed = open_address({**link, "layers": "abc"})
    assert notices(noticed) and noticed.session_state["watch_key"] == key
    assert panel_path(noticed, key) == panel_path(other, key)


def panel_path(at: AppTest, key: str) -> tuple[int, ...]:
    header = [element for element in at.markdown if element.value.startswith(f"**Run `{key}`**")]
    assert len(header) == 1, "the live panel shows its run"
    return element_path(at.main, header[0])


def test_a_link_keeps_its_hold_out_and_steps_and_the_next_story_gets_its_suggestions(app):

    at = app
    long_story = (ROOT / "tests" / "fixtures" / "long_story.txt").read_bytes()
    at.file_uploader(key="story_upload").upload("long.txt", long_story, "text/plain")
    at.run()
    suggested = at.slider(key="holdout").value
    assert suggested > 0, "a long story comes with part of it held out"
    at.slider(key="holdout").set_value(0).run()  # the teacher holds nothing out
    other = open_address(address(at))
    assert_no_exception(other)
    assert other.session_state["story_name"] == "long.txt"
    assert other.slider(key="holdout").value == 0, "the link's hold-out, not the story's suggestion"
    # A link to the fable, as the page writes it: a long story uploaded next still gets its suggestion.
    fable = open_address(address(open_address({})))
    assert fable.slider(key="holdout").value == 0 and "holdout" in address(fable)
    fable.file_uploader(key="story_upload").upload("long.txt", long_story, "text/plain")
    fable.run()
    assert fable.slider(key="holdout").value == suggested
    # A hand-written link that names only some settings keeps each one it names.
    dropout = open_address({"dropout": "0.3", "clip_norm": "1"})
    assert dropout.select_slider(key="dropout").value == 0.3, "not the fable's suggested 0"
    assert dropout.select_slider(key="clip_norm").value == 1.0


def test_the_text_size_experiment_draws_where_the_network_overtakes_counting(app):
    """Issue 24: "How much text does a network need?" on an upload, end to end on the page: four
    shares of the training part, one chart of held-out perplexity against training words for both
    models, the sentence, and the table with both perplexities."""
    at = open_address(TINY)
    at.file_uploader(key="story_upload").upload("long.txt", LONG_STORY.read_bytes(), "text/plain")
    at.run()
    assert at.slider(key="holdout").value == 10, "a long story's suggested hold-out"
    title, endings = "**How much text does a network need?**", ("overtook counting", "Counting stayed ahead")
    run_experiment(at, "text_size", title, endings, 4 * TRAINING_DEADLINE)
    rows = chart_rows(at, "Held-out perplexity by training words")
    words = sorted({row["words"] for row in rows})
    assert len(words) == 4 and {row["series"] for row in rows} == {"LSTM (held-out)", "n-gram (held-out)"}
    table = next(element.value for element in at.dataframe if "held-out perplexity" in element.value.columns)
    assert len(table) == 4
    for column in ("held-out perplexity", "n-gram held-out perplexity"):
        assert "–" not in table[column].tolist(), table[column].tolist()
