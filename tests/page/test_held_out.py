"""The page, headless (AppTest): held-out words, the n-gram yardstick beside the LSTM, copied text.

Issue 10's page part: the Hold out setting and its sentence, held-out curves and n-gram lines in
the live charts and metrics, the n-gram's bars and text beside the LSTM's, the copied runs marked,
a story's suggested hold-out and steps, and the end-of-run messages.
"""

from __future__ import annotations

import json

import pytest

from nextword.config import STEP_CHOICES, TrainConfig
from nextword.page.options import nearest
from nextword.text.run_windows import suggested_settings
from tests.conftest import FABLE_SYMBOLS, ROOT
from tests.steps import (
    assert_no_exception,
    chart_rows,
    dataframe_with_column,
    fresh_app_test,
    generated_texts,
    set_tiny_config,
    train_until_done,
)

LONG_STORY = (ROOT / "tests" / "fixtures" / "long_story.txt").read_bytes()


@pytest.fixture(scope="module", autouse=True)
def tensorflow_loaded():
    """TensorFlow imported before the first run trains: its import (up to a minute on a busy machine)
    is not what these tests wait for."""
    from nextword.training.tensorflow_runtime import import_keras

    import_keras()


@pytest.fixture
def app():
    yield from fresh_app_test()


def series_of(at, title: str) -> set[str]:
    return {row["series"] for row in chart_rows(at, title)}


def watched_run(at):
    from nextword.page import resources

    return resources.get_registry().get(at.session_state["watch_key"])


def test_the_hold_out_starts_at_the_configs_default_and_the_page_says_nothing_is_held_out(app):
    at = app
    assert at.slider(key="holdout").value == TrainConfig().holdout == 0
    assert any(caption.value.startswith("Nothing is held out") for caption in at.caption)


def test_holding_out_a_fifth_of_the_fable_trains_on_the_rest_and_draws_both_curves(app):
    at = app
    at.slider(key="holdout").set_value(20).run()
    assert_no_exception(at)
    sentence = [element.value for element in at.markdown if element.value.startswith("**Held out:**")]
    assert sentence == [
        "**Held out:** the model never sees the last 20% of the story, from “got up and said that is …” "
        "on: 41 windows it never trains on, kept to test it on words it has not seen. 17 of its words "
        "never occur in the part it trains on: they count as ⟨unk⟩, for the LSTM and the n-gram alike."
    ]
    set_tiny_config(at, steps=300)
    train_until_done(at)
    assert_no_exception(at)
    run = watched_run(at)
    assert run.train_config.holdout == 20 and run.windows.split.held_out_count == 41
    progress = run.progress()
    # The live charts: perplexity, the best step marked, the lines to beat; the n-gram wins on a fable.
    assert series_of(at, "Perplexity") == {
        "LSTM (training)",
        "LSTM (held-out)",
        "best step (kept)",
        "n-gram (held-out)",
        "guessing uniformly",
        "guessing by frequency",
        "n-gram (training)",
    }
    perplexity = chart_rows(at, "Perplexity")
    held_out_perplexities = [row["value"] for row in perplexity if row["series"] == "LSTM (held-out)"]
    assert held_out_perplexities == pytest.approx(progress.holdout_perplexities)
    lines = {row["series"]: row["value"] for row in perplexity if row["step"] is None}
    assert lines["guessing uniformly"] == len(run.data.vocabulary) == 98  # 97 words and ⟨unk⟩
    assert lines["n-gram (held-out)"] == pytest.approx(progress.ngram_holdout_perplexity)
    assert lines["n-gram (training)"] == pytest.approx(progress.ngram_perplexity)
    marker = [row for row in perplexity if row["series"] == "best step (kept)"]
    assert [row["step"] for row in marker] == [progress.best_step]
    said = [caption.value for caption in at.caption if caption.value.startswith("Perplexity:")]
    assert len(said) == 1 and "Counting wins: on all 41 held-out words" in said[0], said
    assert "How much text does a network need?" in said[0]
    assert series_of(at, "Accuracy") == {
        "batch (running)",
        "training",
        "held-out",
        "n-gram (training)",
        "n-gram (held-out)",
        "ceiling",
    }
    held_out_rows = [row for row in chart_rows(at, "Accuracy") if row["series"] == "held-out"]
    assert [row["value"] for row in held_out_rows] == list(progress.holdout_accuracies)
    ngram_rows = {row["series"]: row["value"] for row in chart_rows(at, "Accuracy") if row["step"] is None}
    assert ngram_rows["n-gram (held-out)"] == progress.ngram_holdout_accuracy
    # The metrics: both accuracies, and the n-gram's.
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Training accuracy"] == f"{progress.final_accuracy:.1%}"
    # Once the run has ended, the held-out figures are of every held-out window, the LSTM with the
    # weights it kept (its best step's), as the command line and metrics.json give them.
    kept, ngram = progress.kept_held_out, progress.ngram_held_out
    assert metrics["n-gram training"] == f"{progress.ngram_accuracy:.1%}"
    assert metrics["Held-out accuracy"] == f"{kept.top1:.1%}"
    assert metrics["n-gram held-out"] == f"{ngram.top1:.1%}"
    assert metrics["Held-out perplexity"] == f"{kept.perplexity:,.1f}"
    assert metrics["n-gram perplexity"] == f"{ngram.perplexity:,.1f}"
    assert metrics["Held-out top-5"] == f"{kept.top5:.1%}"
    assert metrics["n-gram top-5"] == f"{ngram.top5:.1%}"
    assert kept.perplexity == pytest.approx(progress.best_holdout_perplexity), "the best step's weights"
    assert any(caption.value.startswith("Held-out figures: all 41 held-out words") for caption in at.caption)
    assert len(progress.eval_steps) >= 30, "a run learned by heart still draws its held-out curve"
    # The tab's run table and the comparison's held-out overlay.
    table = dataframe_with_column(at, "held-out accuracy")
    # Numbers (percent), not text, so that the table sorts by them.
    assert table["held-out accuracy"].tolist() == [round(100 * kept.top1, 1)]
    assert table["held-out perplexity"].tolist() == [round(kept.perplexity, 1)]
    assert table["n-gram perplexity"].tolist() == [round(ngram.perplexity, 1)]
    assert table["hold out"].tolist() == ["20%"]
    at.radio(key="compare_metric").set_value("held-out accuracy").run()
    assert_no_exception(at)
    compare = [json.loads(node.proto.spec) for node in at.get("vega_lite_chart")]
    assert any(
        spec["encoding"]["y"]["title"] == "held-out accuracy" for spec in compare if "encoding" in spec
    )
    # Predict: the n-gram's bars beside the LSTM's, and the sentence saying who wins where.
    assert len(chart_rows(at, "Most likely next symbols")) == 5
    ngram_bars = chart_rows(at, "The n-gram's guesses")
    assert len(ngram_bars) == 5 and ngram_bars[0]["symbol"] == "and"
    verdict = [element.value for element in at.markdown if "on the held-out words" in element.value]
    assert len(verdict) == 1 and "n-gram" in verdict[0] and "guesses more of them" in verdict[0]


def test_generated_texts_mark_what_they_copy_from_the_story(app):
    at = app
    set_tiny_config(at, steps=300)
    train_until_done(at)
    texts = generated_texts(at)
    assert len(texts) == 2
    # The LSTM retells stretches of the fable; the smoothed n-gram, on so few words, need not.
    assert '<mark class="nw-copied">' in texts[0], texts
    summaries = [caption.value for caption in at.caption if caption.value.startswith("copied: ")]
    assert len(summaries) == 2
    assert all("% of the generated symbols; longest copied run: " in summary for summary in summaries)
    sources = [node.proto.body for node in at.get("html") if "The longest copied run" in node.proto.body]
    # One quote of the story per text that copies from it.
    copying = sum('<mark class="nw-copied">' in text for text in texts)
    assert len(sources) == copying and all(f"of {FABLE_SYMBOLS}" in source for source in sources)


def test_story_text_in_the_generated_texts_is_escaped(app):
    at = app
    story = b"the <b>cat</b> sat on the <script>mat</script> . " * 12
    at.file_uploader(key="story_upload").upload("tags.txt", story, "text/plain")
    at.run()
    set_tiny_config(at, steps=50)
    train_until_done(at)
    assert_no_exception(at)
    shown = [node.proto.body for node in at.get("html") if node.proto.body.startswith('<div class="nw-')]
    assert shown and any("&lt;" in body for body in shown)
    for body in shown:
        without_ours = body.replace('<div class="nw-text">', "").replace('<div class="nw-quote">', "")
        for ours in ('<span class="nw-context">', "</span>", '<mark class="nw-copied">', "</mark>", "</div>"):
            without_ours = without_ours.replace(ours, "")
        assert "<" not in without_ours, body


def test_a_bad_hold_out_on_a_tiny_story_gives_a_message_not_an_exception(app):
    at = app
    at.file_uploader(key="story_upload").upload("tiny.txt", b"one two three four five six", "text/plain")
    at.run()
    at.slider(key="holdout").set_value(50).run()
    assert_no_exception(at)
    assert any("leaves 3 symbols to train on" in element.value for element in at.warning)
    assert at.button(key="train").proto.disabled
    at.slider(key="holdout").set_value(1).run()
    assert_no_exception(at)
    assert any("keeps no symbol back" in element.value for element in at.warning)
    at.slider(key="holdout").set_value(0).run()
    assert not at.warning and not at.button(key="train").proto.disabled


def test_a_long_story_gets_its_suggested_hold_out_and_steps_unless_the_person_set_them(app):
    at = app
    at.file_uploader(key="story_upload").upload("long.txt", LONG_STORY, "text/plain")
    at.run()
    assert_no_exception(at)
    symbols = int(next(metric.value for metric in at.metric if metric.label == "Symbols").replace(",", ""))
    suggestion = suggested_settings(symbols)
    assert suggestion.holdout > 0
    assert at.slider(key="holdout").value == suggestion.holdout
    assert at.select_slider(key="steps").value == nearest(STEP_CHOICES, suggestion.steps)
    assert any(element.value.startswith("**Held out:**") for element in at.markdown)
    # A bundled story: the defaults again (nothing held out, 300 steps).
    at.selectbox(key="story_choice").set_value("Die Sterntaler (Brüder Grimm)").run()
    assert at.slider(key="holdout").value == 0 and at.select_slider(key="steps").value == 300
    # A hold-out the person sets stays when the story changes; the steps they did not set follow it.
    at.slider(key="holdout").set_value(20).run()
    at.file_uploader(key="story_upload").upload("long again.txt", LONG_STORY + b" amen .", "text/plain")
    at.run()
    assert at.slider(key="holdout").value == 20
    at.button(key="article_settings").click().run()
    at.selectbox(key="story_choice").set_value("Belling the Cat (Aesop, the article's fable)").run()
    assert at.select_slider(key="steps").value == 50_000, "the article's recipe is a choice too"


def test_a_run_that_ends_while_still_improving_points_to_continue(app):
    at = app
    at.select_slider(key="units").set_value(16)
    at.select_slider(key="steps").set_value(50)
    at.checkbox(key="stop_when_learned").set_value(False)
    at.run()
    train_until_done(at)
    assert watched_run(at).progress().still_improving, "16 units at 0.01 are still climbing at step 50"
    assert any("still rising" in element.value and "Continue" in element.value for element in at.warning)
    assert not any("learned all it can" in element.value for element in at.success)


def test_a_long_upload_draws_its_perplexity_live_with_the_best_step_marked(app):
    at = app
    at.file_uploader(key="story_upload").upload("long.txt", LONG_STORY, "text/plain")
    at.run()
    assert at.select_slider(key="dropout").value == 0.3, "a long story's suggested dropout"
    assert at.select_slider(key="clip_norm").value == 0.0, "no clipping: it measured no gain"
    at.select_slider(key="steps").set_value(300).run()  # the default 128 units: steps worth scoring
    train_until_done(at)
    assert_no_exception(at)
    progress = watched_run(at).progress()
    rows = chart_rows(at, "Perplexity")
    held_out = [row for row in rows if row["series"] == "LSTM (held-out)"]
    assert len(held_out) >= 30 and len(held_out) == len(progress.eval_steps)
    assert [row["step"] for row in rows if row["series"] == "best step (kept)"] == [progress.best_step]
    lines = {row["series"] for row in rows if row["step"] is None}
    assert lines == {
        "n-gram (held-out)",
        "guessing uniformly",
        "guessing by frequency",
        "n-gram (training)",
    }
