"""The article's experiments on the page: a button each, and what each one's runs showed.

The experiments themselves (their variants, what they teach, the sentence their runs earn) are in
nextword/training/experiments.py. A click queues the variants like Train, as one request of the tab
(a run someone already trained is reused); the findings are drawn inside the compare fragment, so
they appear as the runs finish.
"""

from __future__ import annotations

import streamlit as st

from nextword.charts import chart_style, held_out_charts
from nextword.errors import NextwordError
from nextword.page.callbacks import request_runs
from nextword.page.format import escape_markdown, format_percent, format_perplexity, format_seconds
from nextword.page.options import HELP
from nextword.page.presenter import chart_spec
from nextword.page.state import RunSummary, TabState
from nextword.training.experiments import BY_NAME, EXPERIMENTS, Outcome, finding


def on_experiment(name: str) -> None:
    """Queue an experiment's runs on the story in use (each shared and cached like any run), all or none."""
    tab = TabState()
    tab.action_error = tab.action_note = None
    experiment = BY_NAME[name]
    try:
        story = tab.story()
        _, model, train = tab.settings()
        variants = experiment.variants(model, train)
        keys = request_runs(tab, story, [(variant.model, variant.train) for variant in variants])
    except NextwordError as error:
        tab.action_error = f"{experiment.title}: {error}"
        return
    queued = [(variant.label, key) for variant, key in zip(variants, keys, strict=True)]
    for variant, key in zip(variants, keys, strict=True):
        tab.add_run(key, story, variant.model, variant.train)
    # A second click moves the experiment last, with the runs of the settings now.
    earlier = {known: runs for known, runs in tab.experiment_runs.items() if known != name}
    tab.experiment_runs = {**earlier, name: queued}


def experiments_launcher(tab: TabState) -> None:
    """A button per experiment, with the one sentence of what it teaches."""
    steps = tab.settings().train.steps
    with st.expander("The article's experiments, one click each", expanded=True):
        st.caption(
            f"Each queues a few runs on the story in use with the sidebar's settings, {steps:,} steps "
            "each, changing one thing; their curves join the chart below."
        )
        for experiment in EXPERIMENTS:
            # The button over its sentence, as wide as its title: beside it, in a column, a title
            # such as "Raw index against embedding" was cut short on a projector's narrow page.
            st.button(
                experiment.title,
                key=f"experiment_{experiment.name}",
                on_click=on_experiment,
                args=(experiment.name,),
                help=HELP["experiment"],
                width="content",
            )
            st.caption(experiment.teaches)


def outcome(label: str, summary: RunSummary | None) -> Outcome | None:
    if summary is None or not summary.done:
        return None
    return Outcome(
        label,
        summary.accuracy,
        summary.holdout_accuracy,
        summary.step,
        summary.seconds,
        holdout_perplexity=summary.holdout_perplexity,
        ngram_holdout_perplexity=summary.ngram_holdout_perplexity,
        training_windows=summary.training_windows,
    )


def experiment_findings(tab: TabState) -> None:
    """Each queued experiment: a sentence of what its runs showed, and their final numbers."""
    by_key = {tab_run.key: tab_run for tab_run in tab.runs}
    for name, variants in tab.experiment_runs.items():
        experiment = BY_NAME[name]
        variants = [(label, key) for label, key in variants if key in by_key]  # not removed from the list
        if len(variants) < 2:
            continue
        outcomes = [outcome(label, by_key[key].summary) for label, key in variants]
        sentence = finding(experiment, outcomes) if all(outcomes) else None
        if sentence is None:
            done = sum(1 for found in outcomes if found is not None)
            sentence = f"Training: {done} of {len(variants)} runs done."
        st.markdown(f"**{escape_markdown(experiment.title)}**: {escape_markdown(sentence)}")
        rows = []
        for label, key in variants:
            summary = by_key[key].summary
            rows.append(
                {
                    "run": label,
                    "training accuracy": format_percent(summary.accuracy if summary else None),
                    "held-out accuracy": format_percent(summary.holdout_accuracy if summary else None),
                    "held-out perplexity": format_perplexity(summary.holdout_perplexity if summary else None),
                    "n-gram held-out perplexity": format_perplexity(
                        summary.ngram_holdout_perplexity if summary else None
                    ),
                    "training words": summary.training_windows if summary else 0,
                    "steps": summary.step if summary else 0,
                    "training time": format_seconds(summary.seconds if summary else None),
                    "status": summary.status if summary else "–",
                }
            )
        st.dataframe(rows, hide_index=True, key=f"experiment_table_{name}")
        if name == "text_size" and all(outcomes) and all(found.holdout_perplexity for found in outcomes):
            ranked = sorted(outcomes, key=lambda found: found.training_windows)
            chart = held_out_charts.text_size_chart(
                [found.training_windows for found in ranked],
                [found.holdout_perplexity for found in ranked],
                [found.ngram_holdout_perplexity for found in ranked],
            )
            st.vega_lite_chart(spec=chart_spec(chart_style.stable_spec(chart, name)), width="stretch")
