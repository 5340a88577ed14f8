"""Section 3: this tab's runs side by side (chosen curves overlaid, a sortable table) and the experiments.

The runs and the experiments' findings are drawn by a fragment that redraws itself while a run
of the tab other than the watched one trains (an experiment queues several), so their curves grow
without a full rerun; the watched run's live panel redraws the page when that run ends. It sits
below the live panel, and the experiments' buttons above it are always drawn.
"""

from __future__ import annotations

import pyarrow as pa
import streamlit as st

from nextword.charts import chart_style, run_charts
from nextword.page import resources
from nextword.page.format import settings_summary
from nextword.page.options import COMPARE_METRICS, COMPARE_POLL_SECONDS, HELP
from nextword.page.presenter import chart_spec
from nextword.page.sections.experiments import experiment_findings, experiments_launcher
from nextword.page.state import RunSummary, TabRun, TabState
from nextword.text.corpus import Story
from nextword.training.experiments import differing_labels

PERCENT = st.column_config.NumberColumn(format="%.1f%%")  # numbers, so the table sorts by them
PERCENT_COLUMNS = ("exact accuracy", "held-out accuracy", "n-gram", "n-gram held-out")


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


def any_training(runs: list[TabRun], besides: str | None = None) -> bool:
    """Whether a run of the list other than `besides` is training or waiting for its turn."""
    registry = resources.get_registry()
    return any(
        tab_run.key != besides and (run := registry.get(tab_run.key)) is not None and run.progress().active
        for tab_run in runs
    )


def run_labels(runs: list[TabRun]) -> dict[str, str]:
    """Each run's name: its number and what differs between it and the others (not every setting)."""
    if len(runs) == 1:
        only = runs[0]
        return {only.key: f"#{only.number} {settings_summary(only.model_config, only.train_config)}"}
    settings = [
        {"story": run.story, **run.model_config.to_dict(), **run.train_config.to_dict()} for run in runs
    ]
    differences = differing_labels(settings)
    return {run.key: f"#{run.number} {what}".strip() for run, what in zip(runs, differences, strict=True)}


def percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def table_row(tab_run: TabRun, label: str) -> dict:
    summary, model, train = tab_run.summary, tab_run.model_config, tab_run.train_config
    return {
        "run": label,
        "exact accuracy": percent(summary.accuracy) if summary else None,
        "held-out accuracy": percent(summary.holdout_accuracy) if summary else None,
        "n-gram": percent(summary.ngram_accuracy) if summary else None,
        "n-gram held-out": percent(summary.ngram_holdout_accuracy) if summary else None,
        "held-out perplexity": rounded(summary.holdout_perplexity) if summary else None,
        "n-gram perplexity": rounded(summary.ngram_holdout_perplexity) if summary else None,
        "status": summary.status if summary else "–",
        "steps": summary.step if summary else 0,
        "seconds": round(summary.seconds, 1) if summary else 0.0,
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


def curve(tab_run: TabRun, metric: str, label: str) -> dict:
    summary = tab_run.summary
    if metric == "loss":
        return {"label": label, "steps": list(summary.loss_steps), "values": list(summary.losses)}
    if metric == "held-out accuracy":
        return {"label": label, "steps": list(summary.eval_steps), "values": list(summary.holdout_accuracies)}
    return {"label": label, "steps": list(summary.eval_steps), "values": list(summary.eval_accuracies)}


def compare_section(story: Story | None) -> None:
    """The section: the experiments' buttons, then the fragment with the runs."""
    tab = TabState()
    experiments, compare = tab.shows("experiments"), tab.shows("compare")
    if not (experiments and story is not None) and not (compare and tab.runs):
        return
    st.header("3 · Compare runs")
    if experiments and story is not None:
        experiments_launcher(tab)
    # The watched run's own live panel redraws the whole page when it ends; this one polls only
    # for the others (an experiment's), so a class of tabs with a run each costs one poll a tab.
    live = any_training(tab.runs, besides=tab.watch_key)
    st.fragment(runs_panel, run_every=COMPARE_POLL_SECONDS if live else None)(live)


def runs_panel(was_live: bool) -> None:
    """The experiments' findings and the comparison; a fragment that polls while a run trains."""
    tab = TabState()
    runs = tab.runs
    if was_live and not any_training(runs, besides=tab.watch_key):
        st.rerun()  # once, before drawing (see live.py): the whole page shows the results
    update_summaries(runs)
    if tab.shows("experiments"):
        experiment_findings(tab)
    if tab.shows("compare") and runs:
        compare_view(tab, runs)


def on_shown_changed(keys: list[str]) -> None:
    tab = TabState()
    tab.compare_hidden = set(keys) - set(tab.compare_shown)


def on_remove_hidden() -> None:
    tab = TabState()
    tab.runs = [run for run in tab.runs if run.key not in tab.compare_hidden]
    tab.compare_hidden = set()


def compare_view(tab: TabState, runs: list[TabRun]) -> None:
    labels = run_labels(runs)
    keys = list(labels)
    hidden = tab.compare_hidden
    tab.compare_shown = [key for key in keys if key not in hidden]
    choose, remove = st.columns([4, 1], vertical_alignment="bottom")
    choose.multiselect(
        "Runs on the chart",
        keys,
        format_func=labels.get,
        key="compare_shown",
        on_change=on_shown_changed,
        args=(keys,),
        help=HELP["compare_shown"],
    )
    remove.button(
        "Remove the others",
        key="compare_remove",
        on_click=on_remove_hidden,
        disabled=not hidden,
        help=HELP["compare_remove"],
        width="stretch",
    )
    rows = [table_row(tab_run, labels[tab_run.key]) for tab_run in runs]
    column_config = {name: PERCENT for name in PERCENT_COLUMNS}
    # As an Arrow table: Streamlit would build a pandas frame of it first, on every script run.
    table = pa.Table.from_pylist(rows)
    st.dataframe(table, hide_index=True, key="runs_table", column_config=column_config)
    metric = st.radio(
        "Overlay", COMPARE_METRICS, key="compare_metric", horizontal=True, help=HELP["compare_metric"]
    )
    shown = [tab_run for tab_run in runs if tab_run.summary is not None and tab_run.key not in hidden]
    curves = [curve(tab_run, metric, labels[tab_run.key]) for tab_run in shown]
    if metric == "held-out accuracy":
        curves = [drawn for drawn in curves if drawn["values"]]
        if not curves:
            st.caption("No run on the chart held any of its story out: set **Hold out** and train one.")
    # A fixed dataset name, as for the live charts: a redraw swaps rows instead of renaming the data.
    data = run_charts.compare_data(curves, y_title=metric, percent=metric != "loss")
    spec = chart_style.live_spec(run_charts.compare_layout, data, "compare", height=run_charts.COMPARE_HEIGHT)
    st.vega_lite_chart(spec=chart_spec(spec), width="stretch", key="compare_chart")
