"""What the server builds once for every tab: the live panel's view (`resources.view_tick` says when it
is built again) and the charts of the same run at the same place (`resources.chart_spec_of`)."""

from __future__ import annotations

from dataclasses import replace

import pyarrow

from nextword.charts import guesses
from nextword.page.options import VIEW_SECONDS
from nextword.page.resources import chart_spec_of, perplexity_sentence, view_tick
from nextword.training.progress import HeldOutScore, Status, TrainingProgress

QUEUED = TrainingProgress(status=Status.QUEUED, total_steps=300, queue_position=2)
TRAINING = TrainingProgress(status=Status.RUNNING, step=10, total_steps=300, losses=(2.0,) * 10)


def test_a_queued_run_keeps_its_view_until_its_place_in_the_queue_changes():
    assert view_tick(QUEUED, now=0.0) == view_tick(QUEUED, now=60.0)
    assert view_tick(replace(QUEUED, queue_position=1), now=0.0) != view_tick(QUEUED, now=0.0)


def test_a_training_run_gets_a_new_view_at_most_once_every_view_seconds():
    assert view_tick(TRAINING, now=0.0) == view_tick(TRAINING, now=VIEW_SECONDS * 0.9)
    assert view_tick(TRAINING, now=0.0) != view_tick(TRAINING, now=VIEW_SECONDS)


def test_a_run_that_has_ended_keeps_its_view_until_it_trains_again():
    finished = replace(TRAINING, status=Status.FINISHED, step=300, total_steps=300)
    assert view_tick(finished, now=0.0) == view_tick(finished, now=60.0)
    assert view_tick(replace(finished, status=Status.QUEUED, total_steps=600), now=0.0) != view_tick(finished)


def test_tabs_asking_for_the_same_chart_share_one_build_and_other_arguments_get_their_own():
    builds = []

    def build(pairs):
        builds.append(pairs)
        return guesses.top_k_chart(pairs, {}, title="t")

    first = (("the", 0.5), ("a", 0.25))
    spec = chart_spec_of(("test", first), "bars", lambda: build(first))
    assert chart_spec_of(("test", first), "bars", lambda: build(first)) == spec
    assert spec["data"] == {"name": "bars"} and [row["symbol"] for row in rows(spec)] == ["the", "a"]
    second = (("mice", 0.9),)
    assert rows(chart_spec_of(("test", second), "bars", lambda: build(second)))[0]["symbol"] == "mice"
    assert builds == [first, second]


def rows(spec: dict) -> list[dict]:
    """A shared chart's rows, kept as the Arrow bytes Streamlit sends."""
    return pyarrow.ipc.open_stream(spec["datasets"]["bars"]).read_all().to_pylist()


def test_the_held_out_sentence_compares_the_same_windows_in_the_storys_own_symbols():
    """While training: the scored sample, the LSTM's best so far against the n-gram's on the same
    windows; once ended: every held-out window, kept weights; characters for a character story,
    and a tenth for a perplexity under 10."""
    training = replace(
        TRAINING,
        eval_steps=(1, 10),
        holdout_losses=(5.0, 4.0),
        best_step=10,
        holdout_window_count=25_159,
        holdout_scored_count=2_048,
        ngram_holdout_perplexity=160.0,
        ngram_held_out=HeldOutScore(143.6, 0.16, 0.36),
    )
    said = perplexity_sentence(training)
    assert said.startswith("The network wins so far: on the 2,048 held-out words it is scored on")
    assert "among 55 words, counting among 160" in said  # exp(4) is 54.6
    ended = replace(training, status=Status.FINISHED, kept_held_out=HeldOutScore(1.44, 0.9, 0.99))
    said = perplexity_sentence(ended, "characters")
    assert said.startswith("The network wins: on all 25,159 held-out characters")
    assert "choosing among 1.4 characters, counting among 144" in said
