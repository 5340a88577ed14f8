"""Section 3: this tab's runs side by side, a table and one overlaid curve per run."""

from __future__ import annotations

import streamlit as st

from nextword import chart_style, charts
from nextword.page import resources
from nextword.page.format import format_percent, settings_summary
from nextword.page.options import COMPARE_METRICS, HELP
from nextword.page.state import RunSummary, TabRun, TabState


def update_summaries(runs: list[TabRun]) -> None:
    """Copy the latest numbers and curves of this tab's runs (kept if the server drops a run)."""
    registry = resources.get_registry()
    for tab_run in runs:
        run = registry.get(tab_run.key)
        if run is None:
            continue
        progress = run.progress()
        summary = tab_run.summary
        if summary is None or (summary.step, summary.status) != (progress.step, progress.status):
            tab_run.summary = RunSummary.of(progress)


def table_row(tab_run: TabRun) -> dict:
    summary, model, train = tab_run.summary, tab_run.model_config, tab_run.train_config
    return {
        "run": f"#{tab_run.number}",
        "exact accuracy": format_percent(summary.accuracy if summary else None),
        "held-out accuracy": format_percent(summary.holdout_accuracy if summary else None),
        "n-gram": format_percent(summary.ngram_accuracy if summary else None),
        "n-gram held-out": format_percent(summary.ngram_holdout_accuracy if summary else None),
        "status": summary.status if summary else "–",
        "steps": summary.step if summary else 0,
        "hold out": f"{train.holdout}%",
        "n_input": model.n_input,
        "layers": model.layers,
        "units": model.units,
        "encoding": model.encoding,
        "optimizer": train.optimizer,
        "learning rate": train.learning_rate,
        "batch": train.batch_size,
        "seed": train.seed,
        "story": tab_run.story,
        "key": tab_run.key,
    }


def curve(tab_run: TabRun, metric: str) -> dict:
    summary, train = tab_run.summary, tab_run.train_config
    label = f"#{tab_run.number} {settings_summary(tab_run.model_config, train)}"
    if train.holdout:
        label += f", {train.holdout}% held out"
    if metric == "loss":
        return {"label": label, "steps": list(summary.loss_steps), "values": list(summary.losses)}
    if metric == "held-out accuracy":
        return {"label": label, "steps": list(summary.eval_steps), "values": list(summary.holdout_accuracies)}
    return {"label": label, "steps": list(summary.eval_steps), "values": list(summary.eval_accuracies)}


def compare_section() -> None:
    runs = TabState().runs
    if not runs:
        return
    update_summaries(runs)
    st.header("3 · Compare runs")
    st.dataframe([table_row(tab_run) for tab_run in runs], hide_index=True, key="runs_table")
    metric = st.radio(
        "Overlay", COMPARE_METRICS, key="compare_metric", horizontal=True, help=HELP["compare_metric"]
    )
    curves = [curve(tab_run, metric) for tab_run in runs if tab_run.summary is not None]
    if metric == "held-out accuracy":
        curves = [drawn for drawn in curves if drawn["values"]]
        if not curves:
            st.caption("No run of this tab held any of its story out: set **Hold out** and train one.")
    # A fixed dataset name, as for the live charts: a redraw swaps rows instead of renaming the data.
    st.vega_lite_chart(
        spec=chart_style.stable_spec(
            charts.compare_chart(curves, y_title=metric, percent=metric != "loss"), "compare"
        ),
        width="stretch",
        key="compare_chart",
    )
