"""Chart builders: plain data in, a Vega-Lite spec out, with the data and heights the page relies on."""

from __future__ import annotations

import json
import math

import altair as alt
import pytest

from nextword.charts import buckets, chart_style, guesses, run_charts


def spec(chart) -> dict:
    return json.loads(chart.to_json())


def layer_values(chart_spec: dict) -> list[dict]:
    """The rows of a chart (one dataset, attached at the top)."""
    assert len(chart_spec["datasets"]) == 1
    return chart_spec["datasets"][chart_spec["data"]["name"]]


def test_bucket_means_keeps_short_curves_as_they_are():
    assert buckets.bucket_means([3.0, 2.0, 1.0]) == [
        {"step": 1, "value": 3.0},
        {"step": 2, "value": 2.0},
        {"step": 3, "value": 1.0},
    ]


def test_bucket_means_reduces_long_curves_to_at_most_max_points():
    points = buckets.bucket_means([float(i) for i in range(50_000)])
    assert len(points) <= buckets.MAX_POINTS == 400
    assert points[-1]["step"] == 50_000
    assert points[0]["value"] == pytest.approx(sum(range(125)) / 125)


def test_bucket_means_drops_nan_and_handles_empty():
    assert buckets.bucket_means([]) == []
    assert buckets.bucket_means([math.nan, 1.0, math.inf]) == [{"step": 2, "value": 1.0}]


def test_loss_chart_has_height_and_points():
    chart_spec = spec(run_charts.loss_chart([4.0, 3.0, 2.5], height=333))
    assert chart_spec["height"] == 333
    assert chart_spec["mark"]["type"] == "line"
    assert [row["value"] for row in layer_values(chart_spec)] == [4.0, 3.0, 2.5]


def test_loss_chart_of_no_steps_is_valid():
    assert layer_values(spec(run_charts.loss_chart([]))) == []


def test_accuracy_chart_draws_both_series_and_the_ceiling():
    chart_spec = spec(
        run_charts.accuracy_chart([0.1, 0.3, 0.5, 0.7], [2, 4], [0.25, 0.75], ceiling=0.9, height=300)
    )
    assert chart_spec["height"] == 300
    rows = layer_values(chart_spec)
    by_series = {}
    for row in rows:
        by_series.setdefault(row["series"], []).append(row["value"])
    assert by_series[run_charts.BATCH_ACCURACY_LABEL] == [0.1, 0.3, 0.5, 0.7]
    assert by_series[run_charts.TRAINING_LABEL] == [0.25, 0.75]
    assert by_series[run_charts.CEILING_LABEL] == [0.9]
    assert run_charts.HELD_OUT_LABEL not in by_series, "nothing held out, no held-out curve"
    marks = [layer["mark"]["type"] for layer in chart_spec["layer"]]
    assert marks == ["line", "line", "rule", "rule"]
    legend = chart_spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert legend == ["batch (running)", "training", "n-gram (training)", "ceiling"]


def test_accuracy_chart_draws_held_out_curves_and_the_n_grams_lines():
    chart_spec = spec(
        run_charts.accuracy_chart(
            [0.1, 0.3, 0.5, 0.7],
            [2, 4],
            [0.25, 0.75],
            ceiling=0.9,
            holdout_accuracies=[0.05, 0.1],
            ngram_accuracy=0.9,
            ngram_holdout_accuracy=0.2,
            holdout=True,
        )
    )
    by_series = {}
    for row in layer_values(chart_spec):
        by_series.setdefault(row["series"], []).append(row["value"])
    assert by_series["training"] == [0.25, 0.75]
    assert by_series["held-out"] == [0.05, 0.1]
    assert by_series["n-gram (training)"] == [0.9]
    assert by_series["n-gram (held-out)"] == [0.2]
    assert [layer["mark"]["type"] for layer in chart_spec["layer"]] == [
        "line",
        "line",
        "line",
        "rule",
        "rule",
    ]
    legend = chart_spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert legend == [
        "batch (running)",
        "training",
        "held-out",
        "n-gram (training)",
        "n-gram (held-out)",
        "ceiling",
    ]
    alt.Root.from_dict(
        chart_style.stable_spec(run_charts.accuracy_chart([0.5], [1], [0.5], 0.9, holdout=True), "a")
    )


def test_loss_chart_draws_the_held_out_loss_beside_the_training_loss():
    chart_spec = spec(
        run_charts.loss_chart(
            [4.0, 3.0, 2.5, 2.0], 10, eval_steps=[2, 4], holdout_losses=[4.5, 5.2], holdout=True
        )
    )
    rows = layer_values(chart_spec)
    assert [row["value"] for row in rows if row["series"] == "training"] == [4.0, 3.0, 2.5, 2.0]
    assert [(row["step"], row["value"]) for row in rows if row["series"] == "held-out"] == [
        (2, 4.5),
        (4, 5.2),
    ]
    assert chart_spec["encoding"]["color"]["scale"]["domain"] == ["training", "held-out"]
    assert chart_spec["encoding"]["y"]["scale"]["domain"] == [0, 5.5], "the axis holds both curves"


def test_accuracy_chart_without_ceiling_or_evaluations():
    rows = layer_values(spec(run_charts.accuracy_chart([0.5], [], [], ceiling=None)))
    assert {row["series"] for row in rows} == {run_charts.BATCH_ACCURACY_LABEL}
    no_ngram_yet = layer_values(spec(run_charts.accuracy_chart([0.5], [], [], 0.9, holdout=True)))
    assert {row["series"] for row in no_ngram_yet} == {
        run_charts.BATCH_ACCURACY_LABEL,
        run_charts.CEILING_LABEL,
    }


def test_top_k_chart_marks_the_true_next_symbol_and_sets_height():
    pairs = [("council", 0.7), ("to", 0.2), ("<b>x</b>", 0.1)]
    chart_spec = spec(guesses.top_k_chart(pairs, {"council": 1}))
    assert chart_spec["height"] == 3 * guesses.BAR_HEIGHT
    rows = layer_values(chart_spec)
    assert [row["symbol"] for row in rows] == ["council", "to", "<b>x</b>"]
    assert rows[0]["in_story"].startswith("follows")
    assert rows[1]["in_story"] == "other"
    assert "in the story" in rows[0]["label"] and "in the story" not in rows[1]["label"]
    assert [layer["mark"]["type"] for layer in chart_spec["layer"]] == ["bar", "text"]


def test_top_k_rows_without_story_match():
    rows = guesses.top_k_rows([("a", 0.5)])
    assert rows == [{"rank": 1, "symbol": "a", "probability": 0.5, "label": "50.0%", "in_story": "other"}]


def test_compare_chart_overlays_runs_with_and_without_steps():
    runs = [
        {"label": "run A", "steps": [10, 20], "values": [0.2, 0.4]},
        {"label": "run B", "values": [3.0, 2.0]},
    ]
    chart_spec = spec(run_charts.compare_chart(runs, height=250))
    assert chart_spec["height"] == 250
    rows = layer_values(chart_spec)
    assert {row["run"] for row in rows} == {"run A", "run B"}
    assert [row["step"] for row in rows if row["run"] == "run B"] == [1, 2]


def test_charts_module_does_not_import_streamlit_or_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys, nextword.charts.run_charts; "
        "print('streamlit' in sys.modules, 'tensorflow' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "False"]


def test_step_axis_runs_to_the_total_so_a_live_curve_grows_across_it():
    chart_spec = spec(run_charts.loss_chart([3.0, 2.0], total_steps=500))
    assert chart_spec["encoding"]["x"]["scale"]["domain"] == [0, 500]
    accuracy_spec = spec(run_charts.accuracy_chart([0.5], [1], [0.5], 0.9, total_steps=800))
    assert accuracy_spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 800]


def test_empty_charts_have_fixed_domains_so_vega_does_not_warn():
    chart_spec = spec(run_charts.loss_chart([], total_steps=100))
    assert chart_spec["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert chart_spec["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert spec(run_charts.compare_chart([], y_title="loss", percent=False))["encoding"]["y"]["scale"][
        "domain"
    ] == [0, 1]


def test_loss_axes_have_an_explicit_top_that_stays_put_while_the_curve_falls():
    """No value axis is left to the data's extent (an empty dataset for a moment makes Vega warn)."""
    assert run_charts.loss_axis_top([]) == 1.0
    assert run_charts.loss_axis_top([4.7, 3.0, float("nan")]) == 5.0
    assert run_charts.loss_axis_top([0.2]) == 0.5
    falling = [4.7, 3.1, 2.0]
    early = spec(run_charts.loss_chart(falling[:1], total_steps=100))["encoding"]["y"]["scale"]
    later = spec(run_charts.loss_chart(falling, total_steps=100))["encoding"]["y"]["scale"]
    assert early == later == {"domain": [0, 5.0], "nice": False}
    runs = [{"label": "#1", "values": [3.2, 1.0]}, {"label": "#2", "values": [4.1, 2.2]}]
    assert spec(run_charts.compare_chart(runs, y_title="loss", percent=False))["encoding"]["y"]["scale"][
        "domain"
    ] == [0, 4.5]


def test_top_k_chart_fits_width_only():
    """Streamlit's default "fit" squeezes a discrete y axis to a few pixels: the chart fits x only."""
    chart_spec = spec(guesses.top_k_chart([("a", 0.5), ("b", 0.25)]))
    assert chart_spec["autosize"] == {"type": "fit-x", "contains": "padding"}


def test_live_chart_specs_keep_one_dataset_name_while_their_rows_change():
    """Two polls of a live chart differ only in their rows: the browser updates the view it has."""
    early = chart_style.stable_spec(run_charts.loss_chart([2.0, 1.5], 300, title="Loss"), "loss")
    later = chart_style.stable_spec(run_charts.loss_chart([2.0, 1.5, 1.1, 0.9], 300, title="Loss"), "loss")
    assert early["data"] == later["data"] == {"name": "loss"}
    assert [row["value"] for row in later["datasets"]["loss"]] == [2.0, 1.5, 1.1, 0.9]
    assert {key: value for key, value in early.items() if key != "datasets"} == {
        key: value for key, value in later.items() if key != "datasets"
    }
    first = run_charts.accuracy_chart([0.1, 0.2], [1], [0.3], 0.99, 300, title="Accuracy")
    second = run_charts.accuracy_chart([0.1, 0.2, 0.4], [1, 2], [0.3, 0.5], 0.99, 300, title="Accuracy")
    first_spec, second_spec = (chart_style.stable_spec(chart, "accuracy") for chart in (first, second))
    assert list(first_spec["datasets"]) == list(second_spec["datasets"]) == ["accuracy"]
    assert "data-" not in json.dumps({key: value for key, value in second_spec.items() if key != "datasets"})
    assert {key: value for key, value in first_spec.items() if key != "datasets"} == {
        key: value for key, value in second_spec.items() if key != "datasets"
    }
    alt.Root.from_dict(second_spec)  # still valid Vega-Lite (raises otherwise)


def test_the_perplexity_chart_marks_the_best_step_and_draws_the_lines_to_beat():
    from nextword.charts import held_out_charts

    chart = held_out_charts.perplexity_chart(
        [1, 10, 20], [300.0, 90.0, 40.0], [320.0, 150.0, 170.0], 100,
        ngram_held_out=140.0, ngram_training=20.0, uniform=600, unigram=400.0, best_step=10,
    )  # fmt: skip
    rows = spec(chart)["datasets"]
    rows = [row for values in rows.values() for row in values]
    assert [row["step"] for row in rows if row["series"] == held_out_charts.BEST_LABEL] == [10]
    lines = {row["series"]: row["value"] for row in rows if row["step"] is None}
    assert lines == {
        held_out_charts.NGRAM_HELD_OUT_PERPLEXITY_LABEL: 140.0,
        held_out_charts.UNIFORM_LABEL: 600.0,
        held_out_charts.UNIGRAM_LABEL: 400.0,
        held_out_charts.NGRAM_TRAINING_PERPLEXITY_LABEL: 20.0,
    }
    y = spec(chart)["layer"][0]["encoding"]["y"]
    assert y["scale"]["type"] == "log" and y["scale"]["domain"] == [1, 1000]


def test_a_memorising_networks_held_out_perplexity_stays_on_the_chart():
    """Far above guessing (a network sure of the wrong words), the curve is not cut at the top."""
    from nextword.charts import held_out_charts

    rows, (end, top) = held_out_charts.perplexity_data(
        [1, 10, 20], [90.0, 3.0, 1.1], [100.0, 95.0, 4_100.0], 20,
        ngram_held_out=74.0, uniform=98, unigram=80.0, best_step=10,
    )  # fmt: skip
    assert top == 5_000 and max(row["value"] for row in rows) <= top
    assert [held_out_charts.log_ceiling(value) for value in (2.4, 11, 147, 9_558)] == [5, 20, 200, 10_000]


def test_a_long_storys_word_map_keeps_its_most_frequent_symbols_and_the_picked_one():
    import numpy as np

    from nextword.charts import inside_charts

    size = inside_charts.MAP_POINTS + 5_000
    symbols = [f"w{index}" for index in range(size)]
    chart = inside_charts.word_map_chart(
        symbols, list(range(size, 0, -1)), np.zeros((size, 2)), (0.5, 0.2), picked=symbols[-1]
    )
    rows = [row for values in spec(chart)["datasets"].values() for row in values]
    assert len(rows) == inside_charts.MAP_POINTS + 1 and rows[-1]["symbol"] == symbols[-1]


def test_a_live_charts_spec_is_the_charts_own_with_its_layout_built_once():
    """The live panel builds each chart's layout once and swaps its rows: the spec is the same."""
    from nextword.charts import held_out_charts

    curves = ([3.0, 2.0, 1.5], 300, [1, 2], [3.0, 2.5], True)
    accuracy = ([0.1, 0.3], [1, 2], [0.2, 0.4], 0.9, 300, [0.1, 0.2], 0.3, 0.2, True)
    perplexity = ([1, 10], [300.0, 90.0], [320.0, 150.0], 100)
    references = {"ngram_held_out": 140.0, "uniform": 600, "unigram": 400.0, "best_step": 10}
    runs = [{"label": "#1", "steps": [1, 2], "values": [0.1, 0.2]}, {"label": "#2", "values": [3.0, 2.0]}]
    pairs = [
        (run_charts.loss_chart(*curves[:2], eval_steps=curves[2], holdout_losses=curves[3], holdout=True,
                               title="t"),
         run_charts.loss_layout, run_charts.loss_data(*curves)),
        (run_charts.accuracy_chart(*accuracy[:5], title="t", holdout_accuracies=accuracy[5],
                                   ngram_accuracy=0.3, ngram_holdout_accuracy=0.2, holdout=True),
         run_charts.accuracy_layout, run_charts.accuracy_data(*accuracy)),
        (held_out_charts.perplexity_chart(*perplexity, **references, title="t"),
         held_out_charts.perplexity_layout, held_out_charts.perplexity_data(*perplexity, **references)),
        (run_charts.compare_chart(runs, "loss", False, height=320), run_charts.compare_layout,
         run_charts.compare_data(runs, "loss", False)),
    ]  # fmt: skip
    for chart, layout, data in pairs:
        title = None if layout is run_charts.compare_layout else "t"
        for rows in (data[0], data[0][:2]):  # a second redraw with other rows reuses the layout
            live = chart_style.live_spec(layout, (rows, data[1]), "live", title=title)
            own = chart_style.stable_spec(chart, "live")
            assert live["datasets"]["live"] == rows
            assert {key: value for key, value in live.items() if key != "datasets"} == {
                key: value for key, value in own.items() if key != "datasets"
            }
        assert own["datasets"]["live"] == data[0]  # the same rows the chart itself draws
