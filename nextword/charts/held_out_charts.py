"""The held-out lesson's charts: perplexity as a run trains, and perplexity by training words.

Plain data in, a chart out (no Streamlit, no model code), in the look of `run_charts`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt

from nextword.charts.buckets import finite
from nextword.charts.chart_style import styled
from nextword.charts.run_charts import (
    CHART_HEIGHT,
    COLUMNS,
    EXACT_ACCURACY_COLOR,
    HELD_OUT_ACCURACY_COLOR,
    NGRAM_COLOR,
    NGRAM_HELD_OUT_COLOR,
    NGRAM_HELD_OUT_LABEL,
    NGRAM_LABEL,
    curve_rows,
    only_series,
    reference_rows,
    series_color,
    step_axis,
    step_end,
)

LSTM_TRAINING_LABEL = "LSTM (training)"
LSTM_HELD_OUT_LABEL = "LSTM (held-out)"
# The n-gram's lines carry the accuracy chart's names for it.
NGRAM_HELD_OUT_PERPLEXITY_LABEL = NGRAM_HELD_OUT_LABEL
NGRAM_TRAINING_PERPLEXITY_LABEL = NGRAM_LABEL
UNIFORM_LABEL = "guessing uniformly"
UNIGRAM_LABEL = "guessing by frequency"
BEST_LABEL = "best step (kept)"
# The perplexity chart's flat lines: the lines to beat, and what counting does on its own training part.
REFERENCE_LABELS = (
    NGRAM_HELD_OUT_PERPLEXITY_LABEL,
    UNIFORM_LABEL,
    UNIGRAM_LABEL,
    NGRAM_TRAINING_PERPLEXITY_LABEL,
)


def perplexity_chart(
    eval_steps: Sequence[int],
    training: Sequence[float],
    held_out: Sequence[float],
    total_steps: int | None,
    *,
    height: int = CHART_HEIGHT,
    title: str | None = None,
    **lines: float | int | None,
) -> alt.TopLevelMixin:
    """Perplexity against the step, on a log axis: the LSTM's on the training and the held-out part,
    its best held-out step marked, the Kneser-Ney n-gram's on both parts, guessing uniformly (the
    vocabulary's size) and guessing by word frequency (`lines`: `perplexity_data`'s `ngram_held_out`,
    `ngram_training`, `uniform`, `unigram` and `best_step`)."""
    rows, shape = perplexity_data(eval_steps, training, held_out, total_steps, **lines)
    return styled(perplexity_layout(*shape), rows, COLUMNS, height, title)


def perplexity_data(
    eval_steps: Sequence[int],
    training: Sequence[float],
    held_out: Sequence[float],
    total_steps: int | None,
    *,
    ngram_held_out: float | None,
    ngram_training: float | None = None,
    uniform: float,
    unigram: float | None,
    best_step: int | None,
) -> tuple[list[dict], tuple]:
    """The perplexity chart's rows, and the arguments of its `perplexity_layout`."""
    rows = curve_rows(eval_steps, training, LSTM_TRAINING_LABEL) + curve_rows(
        eval_steps, held_out, LSTM_HELD_OUT_LABEL
    )
    if best_step is not None and best_step in eval_steps:
        rows += curve_rows([best_step], [held_out[list(eval_steps).index(best_step)]], BEST_LABEL)
    lines = (ngram_held_out, uniform, unigram, ngram_training)
    rows += reference_rows(dict(zip(REFERENCE_LABELS, lines, strict=True)))
    end = step_end(total_steps, max([0, *(int(step) for step in eval_steps)]))
    highest = max([float(uniform), *(float(row["value"]) for row in rows)])
    return rows, (end, log_ceiling(highest * 1.2))


def log_ceiling(value: float) -> float:
    """The smallest of 2, 5, 10, 20, 50, 100, ... at or above `value`: the top of a log axis that
    holds every point (a memorising network's held-out perplexity climbs far above guessing) and
    changes, with the chart's layout, only a few times in a run."""
    value = max(value, 2.0)
    decade = 10.0 ** math.floor(math.log10(value))
    return next(step * decade for step in (1, 2, 5, 10) if step * decade >= value)


def perplexity_layout(end: int, top: float) -> alt.LayerChart:
    """The perplexity chart without its rows."""
    labels = [LSTM_TRAINING_LABEL, LSTM_HELD_OUT_LABEL, BEST_LABEL, *REFERENCE_LABELS]
    colors = [
        EXACT_ACCURACY_COLOR,
        HELD_OUT_ACCURACY_COLOR,
        "#000000",
        NGRAM_HELD_OUT_COLOR,
        "#bcbd22",
        "#17becf",
        NGRAM_COLOR,
    ]
    color = series_color(labels, colors, legend_columns=2)
    x = step_axis(end)
    y = alt.Y(
        "value:Q",
        title="perplexity (log scale)",
        scale=alt.Scale(type="log", domain=[1, top], nice=False, clamp=True),
    )
    tooltip = [alt.Tooltip("series:N"), alt.Tooltip("step:Q"), alt.Tooltip("value:Q", format=",.1f")]
    return alt.layer(
        only_series(LSTM_TRAINING_LABEL, LSTM_HELD_OUT_LABEL)
        .mark_line(strokeWidth=4, point=alt.OverlayMarkDef(size=40))
        .encode(x=x, y=y, color=color, tooltip=tooltip),
        only_series(BEST_LABEL)
        .mark_point(size=500, shape="diamond", filled=True)
        .encode(x=x, y=y, color=color, tooltip=tooltip),
        only_series(*REFERENCE_LABELS)
        .mark_rule(strokeWidth=3, strokeDash=[4, 4])
        .encode(y=y, color=color, tooltip=[alt.Tooltip("series:N"), alt.Tooltip("value:Q", format=",.1f")]),
    )


def text_size_chart(words: Sequence[int], lstm: Sequence[float], ngram: Sequence[float]) -> alt.TopLevelMixin:
    """Held-out perplexity against the training words, both on log axes: where the network overtakes
    counting (the "How much text does a network need?" experiment)."""
    rows = [
        {"words": int(count), "value": float(value), "series": series}
        for series, values in ((LSTM_HELD_OUT_LABEL, lstm), (NGRAM_HELD_OUT_PERPLEXITY_LABEL, ngram))
        for count, value in zip(words, values, strict=True)
        if finite(value)
    ]
    chart = (
        alt.Chart()
        .mark_line(strokeWidth=4, point=alt.OverlayMarkDef(size=80))
        .encode(
            x=alt.X("words:Q", title="training words", scale=alt.Scale(type="log")),
            y=alt.Y("value:Q", title="held-out perplexity (log scale)", scale=alt.Scale(type="log")),
            color=series_color(
                [LSTM_HELD_OUT_LABEL, NGRAM_HELD_OUT_PERPLEXITY_LABEL],
                [HELD_OUT_ACCURACY_COLOR, NGRAM_HELD_OUT_COLOR],
            ),
            tooltip=[
                alt.Tooltip("series:N"),
                alt.Tooltip("words:Q", format=","),
                alt.Tooltip("value:Q", format=",.1f"),
            ],
        )
    )
    return styled(
        chart, rows, ("words", "value", "series"), CHART_HEIGHT, "Held-out perplexity by training words"
    )
