"""What every chart of the page shares: its look, its data as one table, and a spec that stays put.

No Streamlit and no model code. A chart gets readable fonts and an explicit height (a projector
needs big charts), and one DataFrame attached at the top, which Streamlit sends to the browser as
Arrow (long curves are first reduced to a few hundred points: see buckets.py). `stable_spec`
names a chart's data so that a live chart's spec is the same from one poll to the next.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import altair as alt

if TYPE_CHECKING:
    import pandas as pd

FONT_SIZE = 15


def table(rows: list[dict], columns: Sequence[str]) -> pd.DataFrame:
    """Rows as a DataFrame: Streamlit ships a DataFrame to the browser as Arrow, and Altair
    neither copies nor validates it row by row (inline values cost ~40 ms a chart to build).

    pandas is imported here, at the first chart, not with the module: importing it takes longer
    than a bare Streamlit page takes to show, and the page's controls must not wait for it.
    """
    import pandas as pd

    return pd.DataFrame(rows, columns=list(columns))


# Fit the width only: the height is the plot's own, and a legend of several rows below it adds to
# the chart instead of squeezing the plot (Streamlit's default "fit" shrinks a plot with a legend
# of three rows to a third of its height).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def styled(chart, rows: list[dict], columns: Sequence[str], height: int, title: str | None = None):
    """Common look (height, readable fonts, no border); the data is attached last, once."""
    properties = {"height": height, "data": table(rows, columns), "autosize": FIT_WIDTH}
    if title:
        properties["title"] = title
    return (
        chart.properties(**properties)
        .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
        .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, orient="bottom", labelLimit=0)
        .configure_title(fontSize=FONT_SIZE + 3, anchor="start")
        .configure_view(strokeWidth=0)
    )


def stable_spec(chart: alt.TopLevelMixin, dataset_name: str) -> dict:
    """The chart as a Vega-Lite dict whose data is named `dataset_name`, not by a hash of its rows.

    Altair names a chart's dataset by hashing its rows, so every redraw of a live chart came with a
    new name, and a busy browser could apply an update to a view that had already dropped that name
    (Vega: "Unrecognized data set"). With a fixed name the spec of a live chart stays the same from
    one poll to the next, and the browser swaps the rows of the view it has instead of building a
    new one. Every chart here has one table, attached at the top (`styled`).
    """
    spec = chart.to_dict(validate=False)  # tests/charts/test_charts.py validates the same builders
    datasets = spec.get("datasets")
    if datasets:
        (rows,) = datasets.values()
        spec["datasets"] = {dataset_name: rows}
        spec["data"] = {"name": dataset_name}
    return spec


def live_spec(layout: Callable[..., alt.TopLevelMixin], data: tuple[list[dict], tuple], dataset_name: str,
              title: str | None = None, height: int = 320) -> dict:  # fmt: skip
    """`stable_spec` of a live chart, its rows left as they are: `layout(*shape)` is built once.

    `data` is a builder's `(rows, shape)` (as `run_charts.loss_data` gives them). Building an Altair
    chart takes about a tenth of a second, and a live chart's layout rarely changes while its rows
    change on every redraw.
    """
    rows, shape = data
    return {**skeleton(layout, shape, dataset_name, title, height), "datasets": {dataset_name: rows}}


@functools.lru_cache(maxsize=64)
def skeleton(layout: Callable[..., alt.TopLevelMixin], shape: tuple, dataset_name: str, title: str | None,
             height: int) -> dict:  # fmt: skip
    spec = stable_spec(styled(layout(*shape), [], (), height, title), dataset_name)
    del spec["datasets"]
    return spec
