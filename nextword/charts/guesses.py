"""The top-k bars of a prediction: a model's most likely next symbols, the story's own marked.

Plain data in, a chart out (no Streamlit, no model code), in the look of `run_charts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt

from nextword.charts.chart_style import FONT_SIZE, styled

BAR_COLOR = "#1f77b4"
TRUE_NEXT_COLOR = "#ff7f0e"
BAR_HEIGHT = 36  # pixels per bar


def top_k_rows(pairs: Sequence[tuple[str, float]], true_next: Mapping[str, int] | None = None) -> list[dict]:
    """Rows `{"rank", "symbol", "probability", "label", "in_story"}` for the top-k bars."""
    true_next = true_next or {}
    return [
        {
            "rank": rank,
            "symbol": str(symbol),
            "probability": float(probability),
            "label": f"{probability:.1%}" + ("  ← in the story" if symbol in true_next else ""),
            "in_story": "follows this context in the story" if symbol in true_next else "other",
        }
        for rank, (symbol, probability) in enumerate(pairs, start=1)
    ]


def top_k_chart(
    pairs: Sequence[tuple[str, float]], true_next: Mapping[str, int] | None = None, title: str | None = None
) -> alt.TopLevelMixin:
    """Horizontal bars of the k most likely next symbols, best on top.

    Symbols in `true_next` (what followed this context in the story, symbol -> count) are drawn
    in another colour and labelled, so the class sees whether the model learned the story.
    """
    rows = top_k_rows(pairs, true_next)
    y = alt.Y(
        "symbol:N",
        title=None,
        # Most likely on top, an order both layers share. Sorted by the rank field, never by a list of
        # the symbols: Vega-Lite writes such a list into an expression, where a story word such as
        # "if" is read as code and the chart fails to draw ("Unrecognized signal name").
        sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
        axis=alt.Axis(labelFontSize=FONT_SIZE + 3, labelLimit=300),
    )
    x = alt.X("probability:Q", title="probability", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    color = alt.Color(
        "in_story:N",
        title=None,
        scale=alt.Scale(
            domain=["follows this context in the story", "other"], range=[TRUE_NEXT_COLOR, BAR_COLOR]
        ),
    )
    base = alt.Chart()
    bars = base.mark_bar().encode(x=x, y=y, color=color, tooltip=[alt.Tooltip("probability:Q", format=".2%")])
    labels = base.mark_text(align="left", dx=6, fontSize=FONT_SIZE + 1).encode(
        x=x, y=y, text=alt.Text("label:N")
    )
    height = max(1, len(rows)) * BAR_HEIGHT
    columns = ("rank", "symbol", "probability", "label", "in_story")
    # Fit the width only (as every chart here): Streamlit's default "fit" squeezes a chart with a
    # discrete y axis to a few pixels tall whatever its height says.
    return styled(alt.layer(bars, labels), rows, columns, height, title)
