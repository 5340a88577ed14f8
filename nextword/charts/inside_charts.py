"""Altair chart builders for the inside views: plain data in, a chart out.

No Streamlit and no model code here. Every chart has an explicit height and sorts its axes by a
number field, never by a list of story symbols (Vega-Lite writes such a list into an expression:
see guesses.top_k_chart).
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np

from nextword.charts.chart_style import FIT_WIDTH, table

FONT_SIZE = 14
HEAT_ROW_HEIGHT = 30  # pixels per input step of a heat map
MAP_HEIGHT = 520
# Gates are shares from 0 to 1; states and candidates are signed, centred on 0.
GATE_QUANTITIES = ("input_gate", "forget_gate", "output_gate")


def heat_map(
    values: np.ndarray, steps: Sequence[str], units: Sequence[int], title: str, gate: bool
) -> alt.TopLevelMixin:
    """One quantity of one layer: a row per input step (first on top), a column per unit in `units`' order."""
    rows = [
        {
            "order": step,
            "step": f"{step + 1} · {label}",
            "rank": rank,
            "unit": f"unit {unit}",
            "value": float(values[step, unit]),
        }
        for step, label in enumerate(steps)
        for rank, unit in enumerate(units)
    ]
    scale = (
        alt.Scale(domain=[0, 1], scheme="blues")
        if gate
        else alt.Scale(scheme="redblue", domainMid=0, reverse=True)
    )
    chart = (
        alt.Chart(table(rows, ["order", "step", "rank", "unit", "value"]))
        .mark_rect()
        .encode(
            x=alt.X(
                "unit:N",
                title="unit (the ones that change most first)",
                sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                axis=alt.Axis(labelAngle=-90, labelFontSize=FONT_SIZE - 4),
            ),
            y=alt.Y(
                "step:N",
                title="input symbol",
                sort=alt.EncodingSortField(field="order", op="min", order="ascending"),
                axis=alt.Axis(labelFontSize=FONT_SIZE, labelLimit=200),
            ),
            color=alt.Color("value:Q", title=None, scale=scale),
            tooltip=[alt.Tooltip("step:N"), alt.Tooltip("unit:N"), alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(title=title, height=HEAT_ROW_HEIGHT * max(1, len(steps)), autosize=FIT_WIDTH)
    )
    return chart.configure_title(fontSize=FONT_SIZE + 2, anchor="start")


MAP_POINTS = 1_500


def word_map_chart(
    symbols: Sequence[str],
    counts: Sequence[int],
    coordinates: np.ndarray,
    explained: tuple[float, float],
    picked: str | None = None,
) -> alt.TopLevelMixin:
    """The symbol vectors flattened to 2-D: a labelled point per symbol, sized by its count.

    A long story's map keeps its `MAP_POINTS` most frequent symbols (ids are ranked by frequency)
    and the picked one: more points neither read on a page nor fit a chart's data.
    """
    rows = [
        {
            "symbol": symbol,
            "count": int(count),
            "x": float(coordinates[index, 0]),
            "y": float(coordinates[index, 1]),
            "picked": "picked" if symbol == picked else "other",
        }
        for index, (symbol, count) in enumerate(zip(symbols, counts, strict=True))
        if index < MAP_POINTS or symbol == picked
    ]
    x = alt.X("x:Q", title=f"first principal component ({explained[0]:.0%} of the variance)")
    y = alt.Y("y:Q", title=f"second principal component ({explained[1]:.0%})")
    color = alt.Color(
        "picked:N", legend=None, scale=alt.Scale(domain=["picked", "other"], range=["#d62728", "#1f77b4"])
    )
    base = alt.Chart()
    points = base.mark_circle(opacity=0.6).encode(
        x=x,
        y=y,
        color=color,
        size=alt.Size("count:Q", title="count", scale=alt.Scale(range=[30, 600])),
        tooltip=[alt.Tooltip("symbol:N"), alt.Tooltip("count:Q")],
    )
    labels = base.mark_text(align="left", dx=7, dy=-7, fontSize=FONT_SIZE - 1).encode(
        x=x, y=y, text=alt.Text("symbol:N"), color=color
    )
    return (
        alt.layer(points, labels, data=table(rows, ["symbol", "count", "x", "y", "picked"]))
        .properties(title="Word map", height=MAP_HEIGHT, autosize=FIT_WIDTH)
        .configure_title(fontSize=FONT_SIZE + 2, anchor="start")
    )
