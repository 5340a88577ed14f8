"""The live panel of the run a tab watches: its progress, metrics, curves and sample lines.

An `st.fragment` (started by nextword/page/sections/train.py) that redraws itself while its run is live,
from a view shared by every tab watching the same run (`resources.live_view`). When the run ends it
says why: it learned all it can, or its curves were still rising and Continue would help.
"""

from __future__ import annotations

import streamlit as st

from nextword.errors import NextwordError, RegistryUnreachableError
from nextword.page import polling, resources
from nextword.page.format import escape_markdown, settings_summary
from nextword.page.options import FIRST_POINT_SECONDS, MAX_RUNNING, POLL_SECONDS
from nextword.page.presenter import chart_spec, presenting
from nextword.page.state import TabState
from nextword.training.backend import RunHandle
from nextword.training.progress import STILL_IMPROVING_GAIN, Status, TrainingProgress

GONE = "The run this tab watched is no longer kept on the server. Press Train to run it again."


def run_header(key: str, run: RunHandle) -> None:
    # A run is shared by everyone whose story has the same symbols: name it as this tab knows it.
    tab, story = TabState(), run.data.story
    try:
        name = tab.story_name if tab.story_name and tab.story().digest == story.digest else story.name
    except NextwordError:  # the story in use cannot be read: no run is on it
        name = story.name
    st.markdown(f"**Run `{key}`** on {escape_markdown(name)}")
    st.caption(settings_summary(run.model_config, run.train_config))


def live_panel(key: str, was_live: bool, poll_seconds: float | None) -> None:
    """Progress, charts and samples of one run; a fragment that polls every `poll_seconds` while live."""
    polling.note_this_tab()
    try:
        run = resources.get_registry().get(key)
    except RegistryUnreachableError as error:  # the cluster that holds the runs went away
        st.error(str(error))
        return
    if run is None:
        st.warning(GONE)
        return
    fresh = run.progress()
    if fresh.status == Status.RUNNING and not fresh.losses:
        # A run that has just started has its first point a fraction of a second later when its
        # model was prepared (nextword/training/spare_models.py): wait that long rather than a whole poll.
        fresh = run.wait_for(lambda progress: bool(progress.losses) or progress.done, FIRST_POINT_SECONDS)
    if was_live and fresh.done:
        # Once, and before drawing anything: the whole page redraws with the results (and this
        # fragment stops polling). Drawn first, this run's elements would race that full run's in
        # the browser, the moment a tab was seen to lose its whole page ("Bad delta path index").
        st.rerun()
    view = resources.live_view(key, resources.view_tick(fresh), run)
    run_header(key, run)
    if view["queue_position"]:
        st.info(
            f"Queued: place {view['queue_position']} in line. {MAX_RUNNING} runs train at once on this "
            "server; this one starts when a slot frees up."
        )
    st.progress(view["fraction"], text=view["progress_text"])
    if poll_seconds and poll_seconds > POLL_SECONDS and fresh.active:
        st.caption(
            f"Redrawn every {poll_seconds:g} s: many tabs are open on this server, so each one redraws "
            "less often and the server keeps answering clicks."
        )
    how_it_ended(fresh)
    for metrics in view["metrics"]:
        for column, (label, value) in zip(st.columns(len(metrics)), metrics.items(), strict=True):
            column.metric(label, value)
    if view["metrics_note"]:
        st.caption(view["metrics_note"])
    # Side by side, or one under the other, each the page's width, in the presenter view.
    left, right = (st.container(), st.container()) if presenting() else st.columns(2)
    if view["perplexity_spec"] is not None:
        left.vega_lite_chart(spec=chart_spec(view["perplexity_spec"]), width="stretch")
        left.caption(
            "Perplexity: as unsure as choosing among that many words; lower is better. Held-out: on the "
            "story's end, never trained on. The dashed lines are what the network must beat on it: the "
            "Kneser-Ney n-gram's counting, guessing by word frequency, and guessing uniformly; and the "
            "n-gram on the training part, the words it counted (counting memorises too)."
            + (f" {view['perplexity_sentence']}" if view["perplexity_sentence"] else "")
        )
    else:
        left.vega_lite_chart(spec=chart_spec(view["loss_spec"]), width="stretch")
        left.caption("Loss: how surprised the network is by the true next symbol. Lower is better.")
    right.vega_lite_chart(spec=chart_spec(view["accuracy_spec"]), width="stretch")
    right.caption(accuracy_caption(fresh))
    if view["samples"]:
        st.markdown("**Latest samples** — context - [model's guess] vs [the story's word], as in the article")
        st.code("\n".join(view["samples"]), language=None)


def how_it_ended(progress: TrainingProgress) -> None:
    """Why a finished run stopped early, or that it had more to learn when its steps ran out."""
    if progress.stop_reason:
        st.success(escape_markdown(progress.stop_reason))
    elif progress.done and progress.has_weights and progress.still_improving:
        steps = TabState().settings().train.steps
        st.warning(
            f"The curves were still rising when the run ended at step {progress.step:,}: it has more to "
            f"learn. Press **Continue** to train {steps:,} more steps (the Training steps slider sets "
            "how many)."
        )
        # The held-out accuracy over the last quarter of the run, as `still_improving` reads the other.
        points = progress.holdout_accuracies
        gain = points[-1] - points[-1 - max(1, len(points) // 4)] if len(points) >= 4 else None
        if gain is not None and gain <= STILL_IMPROVING_GAIN:
            change = f"fell by {-gain:.1%}" if gain < 0 else f"gained only {gain:.1%}"
            st.info(
                f"But the held-out accuracy {change} over the last quarter of the run: more steps would "
                "memorise more of the story rather than guess more of the words it never saw."
            )


def accuracy_caption(progress: TrainingProgress) -> str:
    """What each line of the accuracy chart is."""
    windows, sample = progress.window_count, progress.evaluation_window_count
    training = (
        f"Training: the exact share of a fixed sample of {sample:,} of the {windows:,} training windows "
        "guessed right (scoring every one of a long story would slow training)."
        if sample < windows
        else f"Training: the exact share of the {windows:,} training windows guessed right."
    )
    held_out = (
        f" Held-out: of the {progress.holdout_window_count:,} held-out windows, never trained on."
        if progress.holdout_window_count
        else ""
    )
    return (
        f"Batch: share of each step's windows guessed right. {training}{held_out} "
        "n-gram: what an n-gram model with Kneser-Ney smoothing gets right without learning: counts of "
        "what followed the same few words in the training part, with a share kept for what it never saw. "
        "Ceiling: the best any model can do on the training windows."
    )
