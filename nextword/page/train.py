"""Section 2: the Train, Stop and Continue buttons, and the live panel of the run the tab watches.

The live panel is an `st.fragment` that redraws itself while its run is live. A fragment is known
by its position in the page: an element that appeared or went away above it would give it a new
identity, and the browser would drop the next refreshes of the old one (a blank panel). So the
layout above it never changes: the messages go into one container that is always there.
"""

from __future__ import annotations

import streamlit as st

from nextword.errors import NextwordError
from nextword.page import callbacks, resources
from nextword.page.format import escape_markdown, settings_summary
from nextword.page.options import HELP, LEARNING_RATE_OPTIONS, MAX_RUNNING, POLL_SECONDS
from nextword.page.state import TabState
from nextword.progress import Status, TrainingProgress
from nextword.run import TrainingRun

METRIC_LABELS = {
    "step": "Step",
    "loss": "Loss",
    "accuracy": "Exact accuracy",
    "ceiling": "Ceiling",
    "time": "Time",
}
CONTINUABLE = (Status.FINISHED, Status.STOPPED)  # not FAILED: its weights are not worth training on
GONE = "The run this tab watched is no longer kept on the server. Press Train to run it again."


def training_section(story_ready: bool, current_key: str | None) -> TrainingRun | None:
    """Draw the section; return the watched run (None if there is none)."""
    tab = TabState()
    st.header("2 · Train")
    run = tab.watched_run()
    controls(run.progress() if run is not None else None, story_ready)
    with st.container():  # always drawn, empty or not: see the module's docstring
        if tab.action_error:
            st.error(escape_markdown(tab.action_error))
        if tab.watch_key and current_key and current_key != tab.watch_key:
            st.info(
                "The settings or the story differ from the run shown below. That run keeps going; "
                "**Train** will start a new run with the new settings."
            )
    if run is None:
        if tab.watch_key:
            st.warning(GONE)
        else:
            st.info("Press **Train** to start. The charts below fill in live while the network learns.")
        return None
    was_live = run.progress().active
    st.fragment(live_panel, run_every=POLL_SECONDS if was_live else None)(tab.watch_key, was_live)
    progress = run.progress()
    if progress.status == Status.FAILED:
        failure(progress)
    return run


def controls(progress: TrainingProgress | None, story_ready: bool) -> None:
    steps = TabState().settings().train.steps
    buttons = st.columns([1, 1, 1.6, 4])
    buttons[0].button(
        "Train",
        type="primary",
        key="train",
        on_click=callbacks.on_train,
        disabled=not story_ready,
        help=HELP["train"],
        width="stretch",
    )
    buttons[1].button(
        "Stop",
        key="stop",
        on_click=callbacks.on_stop,
        disabled=progress is None or not progress.active,
        help=HELP["stop"],
        width="stretch",
    )
    can_continue = progress is not None and progress.status in CONTINUABLE and progress.has_weights
    buttons[2].button(
        f"Continue (+{steps:,} steps)",
        key="continue",
        on_click=callbacks.on_continue,
        disabled=not can_continue,
        help=HELP["continue"],
        width="stretch",
    )


def run_header(key: str, run: TrainingRun) -> None:
    # A run is shared by everyone whose story has the same symbols: name it as this tab knows it.
    tab = TabState()
    story_name = run.data.story.name
    if tab.story_name and run.data.story.digest == current_story_digest():
        story_name = tab.story_name
    st.markdown(f"**Run `{key}`** on {escape_markdown(story_name)}")
    st.caption(settings_summary(run.model_config, run.train_config))


def current_story_digest() -> str | None:
    try:
        return TabState().story().digest
    except NextwordError:  # the story in use cannot be read: no run is on it
        return None


def live_panel(key: str, was_live: bool) -> None:
    """Progress, charts and samples of one run; a fragment that polls while the run is live."""
    run = resources.get_registry().get(key)
    if run is None:
        st.warning(GONE)
        return
    fresh = run.progress()
    view = resources.live_view(key, resources.view_tick(fresh), run)
    run_header(key, run)
    if view["queue_position"]:
        st.info(
            f"Queued: place {view['queue_position']} in line. {MAX_RUNNING} runs train at once on this "
            "server; this one starts when a slot frees up."
        )
    st.progress(view["fraction"], text=view["progress_text"])
    if view["stop_reason"]:
        st.caption(view["stop_reason"])
    for column, (name, label) in zip(st.columns(len(METRIC_LABELS)), METRIC_LABELS.items(), strict=True):
        column.metric(label, view[name])
    left, right = st.columns(2)
    left.vega_lite_chart(spec=view["loss_spec"], width="stretch")
    left.caption("Loss: how surprised the network is by the true next symbol. Lower is better.")
    right.vega_lite_chart(spec=view["accuracy_spec"], width="stretch")
    if fresh.evaluation_window_count < fresh.window_count:
        scored = (
            f"All windows: the exact share of a fixed sample of {fresh.evaluation_window_count:,} of the "
            f"story's {fresh.window_count:,} windows (scoring every one of a long story would slow training)."
        )
    else:
        scored = "All windows: the exact share of every window in the story."
    right.caption(
        f"Batch: share of each step's windows guessed right. {scored} "
        "Ceiling: the best any model can do on this story."
    )
    if view["samples"]:
        st.markdown("**Latest samples** — context - [model's guess] vs [the story's word], as in the article")
        st.code("\n".join(view["samples"]), language=None)
    if was_live and fresh.done:
        st.rerun()  # once: the whole page shows the results and this fragment stops polling


def failure(progress: TrainingProgress) -> None:
    st.error(escape_markdown(progress.error or "Training failed."))
    rate = TabState().settings().train.learning_rate
    smaller = [option for option in LEARNING_RATE_OPTIONS if option <= rate / 10]
    if smaller:
        st.button(
            f"Retry with learning rate {smaller[-1]:g}",
            key="retry",
            type="primary",
            on_click=callbacks.on_retry,
            args=(smaller[-1],),
            help=HELP["retry"],
        )
    else:
        st.caption("Change the settings (fewer units, a smaller batch) and press Train to retry.")
