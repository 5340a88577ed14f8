"""Altair chart builders for the page: plain data in, a chart out (the shared look: chart_style.py).

No Streamlit here and no model code, so each chart can be built and checked in a test: the loss
and accuracy curves of a run, and the compare chart of several.
Every chart has an explicit height (vega warns about bar charts that have none).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import altair as alt

from nextword.charts.buckets import bucket_means, finite
from nextword.charts.chart_style import styled

# Colours that stay distinct on a washed-out projector and for common colour blindness.
LOSS_COLOR = "#d62728"
HELD_OUT_LOSS_COLOR = "#9467bd"
BATCH_ACCURACY_COLOR = "#9ecae1"
EXACT_ACCURACY_COLOR = "#1f77b4"
HELD_OUT_ACCURACY_COLOR = "#ff7f0e"
NGRAM_COLOR = "#7f7f7f"
NGRAM_HELD_OUT_COLOR = "#8c564b"
CEILING_COLOR = "#2ca02c"

CHART_HEIGHT = 320
COMPARE_HEIGHT = CHART_HEIGHT + 60
COLUMNS = ("step", "value", "series")  # of every curve chart's rows

# Short legend entries (a chart is half a projector wide); the page's caption says what each means.
BATCH_ACCURACY_LABEL = "batch (running)"
# The exact curves: on the windows trained on, and on the held-out ones (the story's end, never
# trained on), as TensorFlow Playground draws its train and test loss.
TRAINING_LABEL = "training"
HELD_OUT_LABEL = "held-out"
# The n-gram yardstick's accuracies: flat reference lines, as it does not learn step by step.
NGRAM_LABEL = "n-gram (training)"
NGRAM_HELD_OUT_LABEL = "n-gram (held-out)"
CEILING_LABEL = "ceiling"


def loss_axis_top(values) -> float:
    """The top of a loss axis: the largest value rounded up to a half (1 with no values).

    Every value axis has an explicit domain, so Vega never scales to the extent of a dataset; a
    dataset that is empty for a moment (a new run, a redraw under load) would warn "Infinite
    extent". Rounded up, the top stays put while a live curve falls, so the chart's spec does too.
    """
    largest = max((value for value in values if finite(value)), default=0.0)
    return max(0.5, math.ceil(largest * 2) / 2) if largest > 0 else 1.0


def step_end(total_steps: int | None, last_step: int) -> int:
    """Where the step axis ends: at the run's total, so a live curve grows across it (or at the last
    step, past a total that a Continue extended)."""
    return max(1, total_steps or 0, last_step)


def step_axis(end: int) -> alt.X:
    """The step axis, fixed from 0 to `end`."""
    return alt.X("step:Q", title="step", scale=alt.Scale(domain=[0, end], nice=False))


def curve_rows(steps: Sequence[int], values: Sequence[float], series: str, key: str = "series") -> list[dict]:
    """Values measured at given steps as rows `{"step", "value", key: series}` (non-finite ones left out)."""
    return [
        {"step": int(step), "value": float(value), key: series}
        for step, value in zip(steps, values, strict=False)
        if finite(value)
    ]


def reference_rows(references: Mapping[str, float | None]) -> list[dict]:
    """Flat reference lines (label → value) as rows without a step; missing or non-finite ones left out."""
    return [
        {"step": None, "value": float(value), "series": label}
        for label, value in references.items()
        if value is not None and finite(value)
    ]


def only_series(*series: str) -> alt.Chart:
    """A layer that draws only the rows of these series (the data is the whole chart's)."""
    return alt.Chart().transform_filter(alt.FieldOneOfPredicate(field="series", oneOf=list(series)))


def series_color(
    labels: Sequence[str], colors: Sequence[str], legend_columns: int | None = None
) -> alt.Color:
    """A colour per series, with a fixed domain: the legend and the spec stay put while rows arrive."""
    # Labels a little wider than Vega-Lite's 160 px, so that none is cut short in a two-column legend.
    columns = {"columns": legend_columns} if legend_columns else {}
    legend = alt.Legend(labelLimit=200, **columns)
    return alt.Color(
        "series:N", title=None, scale=alt.Scale(domain=list(labels), range=list(colors)), legend=legend
    )


def loss_chart(
    losses: Sequence[float],
    total_steps: int | None = None,
    height: int = CHART_HEIGHT,
    title: str | None = None,
    eval_steps: Sequence[int] = (),
    holdout_losses: Sequence[float] = (),
    holdout: bool = False,
) -> alt.TopLevelMixin:
    """Training loss (cross-entropy) against the step; the axis runs to `total_steps` when given.

    With `holdout`, the loss on the held-out windows (measured at `eval_steps`) is drawn beside it:
    the two curves part where the network starts memorising the story rather than learning it.
    """
    rows, shape = loss_data(losses, total_steps, eval_steps, holdout_losses, holdout)
    return styled(loss_layout(*shape), rows, COLUMNS, height, title)


def loss_data(
    losses: Sequence[float],
    total_steps: int | None,
    eval_steps: Sequence[int] = (),
    holdout_losses: Sequence[float] = (),
    holdout: bool = False,
) -> tuple[list[dict], tuple]:
    """The loss chart's rows, and the arguments of its `loss_layout`."""
    rows = [{**point, "series": TRAINING_LABEL} for point in bucket_means(losses)]
    labels, colors = (TRAINING_LABEL,), (LOSS_COLOR,)
    if holdout:
        rows += curve_rows(eval_steps, holdout_losses, HELD_OUT_LABEL)
        labels, colors = (*labels, HELD_OUT_LABEL), (*colors, HELD_OUT_LOSS_COLOR)
    end = step_end(total_steps, max([len(losses), *(int(step) for step in eval_steps)]))
    return rows, (end, loss_axis_top(row["value"] for row in rows), labels, colors)


def loss_layout(end: int, top: float, labels: tuple, colors: tuple) -> alt.Chart:
    """The loss chart without its rows."""
    return (
        alt.Chart()
        .mark_line(strokeWidth=3)
        .encode(
            x=step_axis(end),
            y=alt.Y("value:Q", title="loss", scale=alt.Scale(domain=[0, top], nice=False)),
            color=series_color(labels, colors),
            tooltip=[
                alt.Tooltip("series:N"),
                alt.Tooltip("step:Q"),
                alt.Tooltip("value:Q", title="loss", format=".3f"),
            ],
        )
    )


def accuracy_chart(
    batch_accuracies: Sequence[float],
    eval_steps: Sequence[int],
    eval_accuracies: Sequence[float],
    ceiling: float | None,
    total_steps: int | None = None,
    height: int = CHART_HEIGHT,
    title: str | None = None,
    holdout_accuracies: Sequence[float] = (),
    ngram_accuracy: float | None = None,
    ngram_holdout_accuracy: float | None = None,
    holdout: bool = False,
) -> alt.TopLevelMixin:
    """Running batch accuracy and exact accuracy on the training windows, with reference lines.

    The ceiling (dashed) is the share of windows the best possible predictor gets right: when the
    same context is followed by different symbols in the story, no model can get them all. The
    n-gram's accuracy (dotted) is what counting, without learning, gets right. With `holdout`, the
    exact accuracy on the held-out windows and the n-gram's there are drawn too.
    """
    rows, shape = accuracy_data(
        batch_accuracies, eval_steps, eval_accuracies, ceiling, total_steps,
        holdout_accuracies, ngram_accuracy, ngram_holdout_accuracy, holdout,
    )  # fmt: skip
    return styled(accuracy_layout(*shape), rows, COLUMNS, height, title)


def accuracy_data(
    batch_accuracies: Sequence[float],
    eval_steps: Sequence[int],
    eval_accuracies: Sequence[float],
    ceiling: float | None,
    total_steps: int | None = None,
    holdout_accuracies: Sequence[float] = (),
    ngram_accuracy: float | None = None,
    ngram_holdout_accuracy: float | None = None,
    holdout: bool = False,
) -> tuple[list[dict], tuple]:
    """The accuracy chart's rows, and the arguments of its `accuracy_layout`."""
    rows = [{**point, "series": BATCH_ACCURACY_LABEL} for point in bucket_means(batch_accuracies)]
    rows += curve_rows(eval_steps, eval_accuracies, TRAINING_LABEL)
    if holdout:
        rows += curve_rows(eval_steps, holdout_accuracies, HELD_OUT_LABEL)
    references = {CEILING_LABEL: ceiling, NGRAM_LABEL: ngram_accuracy}
    if holdout:
        references[NGRAM_HELD_OUT_LABEL] = ngram_holdout_accuracy
    rows += reference_rows(references)
    return rows, (
        step_end(total_steps, max([len(batch_accuracies), *(int(step) for step in eval_steps)])),
        holdout,
    )


def accuracy_layout(end: int, holdout: bool) -> alt.LayerChart:
    """The accuracy chart without its rows."""
    curves = [BATCH_ACCURACY_LABEL, TRAINING_LABEL] + ([HELD_OUT_LABEL] if holdout else [])
    ngram_lines = [NGRAM_LABEL] + ([NGRAM_HELD_OUT_LABEL] if holdout else [])
    palette = {
        BATCH_ACCURACY_LABEL: BATCH_ACCURACY_COLOR,
        TRAINING_LABEL: EXACT_ACCURACY_COLOR,
        HELD_OUT_LABEL: HELD_OUT_ACCURACY_COLOR,
        NGRAM_LABEL: NGRAM_COLOR,
        NGRAM_HELD_OUT_LABEL: NGRAM_HELD_OUT_COLOR,
        CEILING_LABEL: CEILING_COLOR,
    }
    labels = [*curves, *ngram_lines, CEILING_LABEL]
    # Up to six entries do not fit in one row under a half-width chart: two columns.
    color = series_color(labels, [palette[label] for label in labels], legend_columns=2)
    x = step_axis(end)
    y = alt.Y("value:Q", title="accuracy", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    tooltip = [alt.Tooltip("series:N"), alt.Tooltip("step:Q"), alt.Tooltip("value:Q", format=".1%")]
    layers = [
        only_series(BATCH_ACCURACY_LABEL)
        .mark_line(strokeWidth=2)
        .encode(x=x, y=y, color=color, tooltip=tooltip)
    ]
    layers += [
        only_series(label)
        .mark_line(strokeWidth=4, point=alt.OverlayMarkDef(size=60))
        .encode(x=x, y=y, color=color, tooltip=tooltip)
        for label in curves[1:]
    ]
    rule_tooltip = [alt.Tooltip("series:N"), alt.Tooltip("value:Q", format=".1%")]
    layers.append(
        only_series(CEILING_LABEL)
        .mark_rule(strokeWidth=3, strokeDash=[8, 6])
        .encode(y=y, color=color, tooltip=rule_tooltip)
    )
    layers.append(
        only_series(*ngram_lines)
        .mark_rule(strokeWidth=3, strokeDash=[2, 4])
        .encode(y=y, color=color, tooltip=rule_tooltip)
    )
    return alt.layer(*layers)


def compare_chart(
    runs: Sequence[Mapping],
    y_title: str = "exact accuracy",
    percent: bool = True,
    height: int = COMPARE_HEIGHT,
) -> alt.TopLevelMixin:
    """Several runs' curves overlaid: each run is `{"label": str, "steps": [...], "values": [...]}`.

    With `steps` missing or empty, values are taken as one per step (1, 2, ...), as for the loss.
    """
    rows, shape = compare_data(runs, y_title, percent)
    return styled(compare_layout(*shape), rows, ("step", "value", "run"), height)


def compare_data(runs: Sequence[Mapping], y_title: str, percent: bool) -> tuple[list[dict], tuple]:
    """The compare chart's rows, and the arguments of its `compare_layout`."""
    rows = []
    for run in runs:
        label, values, steps = str(run["label"]), list(run.get("values", ())), run.get("steps")
        if steps:
            rows += curve_rows(steps, values, label, key="run")
        else:
            rows += [{**point, "run": label} for point in bucket_means(values)]
    top = 1 if percent else loss_axis_top(row["value"] for row in rows)
    return rows, (step_end(None, max([1, *(row["step"] for row in rows)])), top, y_title, percent)


def compare_layout(end: int, top: float, y_title: str, percent: bool) -> alt.Chart:
    """The compare chart without its rows."""
    axis = alt.Axis(format="%") if percent else alt.Axis()
    return (
        alt.Chart()
        .mark_line(strokeWidth=3, point=percent)
        .encode(
            x=step_axis(end),
            y=alt.Y("value:Q", title=y_title, scale=alt.Scale(domain=[0, top], nice=False), axis=axis),
            color=alt.Color("run:N", title=None),
            tooltip=[alt.Tooltip("run:N"), alt.Tooltip("step:Q"), alt.Tooltip("value:Q", format=".3f")],
        )
    )
