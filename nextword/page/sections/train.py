"""Section 2: the Train, Stop and Continue buttons, and the live panel of the run the tab watches.

The live panel is an `st.fragment` that redraws itself while its run is live. A fragment is known
by its position in the page: an element that appeared or went away above it would give it a new
identity, and the browser would drop the next refreshes of the old one (a blank panel). So the
layout above it never changes: the messages go into one container that is always there.
"""

from __future__ import annotations

import streamlit as st

from nextword.page import callbacks, polling
from nextword.page.format import escape_markdown
from nextword.page.options import HELP, LEARNING_RATE_OPTIONS
from nextword.page.presenter import presenting
from nextword.page.sections.live import GONE, live_panel
from nextword.page.state import TabState
from nextword.training.backend import RunHandle
from nextword.training.progress import Status, TrainingProgress

CONTINUABLE = (Status.FINISHED, Status.STOPPED)  # not FAILED: its weights are not worth training on


def training_section(story_ready: bool, current_key: str | None) -> RunHandle | None:
    """Draw the section; return the watched run (None if there is none)."""
    tab = TabState()
    st.header("2 · Train")
    run = tab.watched_run()
    controls(run.progress() if run is not None else None, story_ready)
    with st.container():  # always drawn, empty or not: see the module's docstring
        if tab.action_error:
            st.error(escape_markdown(tab.action_error))
        if tab.action_note:
            st.info(escape_markdown(tab.action_note))
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
    poll = polling.poll_seconds(max(1, polling.tabs_seen().count())) if was_live else None
    st.fragment(live_panel, run_every=poll)(tab.watch_key, was_live, poll)
    progress = run.progress()
    if progress.status == Status.FAILED:
        failure(progress)
    return run


def controls(progress: TrainingProgress | None, story_ready: bool) -> None:
    tab = TabState()
    active = progress is not None and progress.active
    # Say before the click what Stop will do: stop the run, or leave it to the others who asked for it.
    others = callbacks.stop_watching_others(tab) if active else None
    if others is not None:
        stop = "Stop watching", HELP["stop_watching"].format(others=callbacks.other_tabs(others))
    else:
        stop = "Stop", HELP["stop_presenting" if presenting() else "stop"]
    can_continue = progress is not None and progress.status in CONTINUABLE and progress.has_weights
    steps = tab.settings().train.steps
    buttons = {  # key: label, help, what a click does, whether it can be clicked
        "train": ("Train", HELP["train"], callbacks.on_train, story_ready),
        "stop": (*stop, callbacks.on_stop, active),
        "continue": (f"Continue (+{steps:,} steps)", HELP["continue"], callbacks.on_continue, can_continue),
    }
    # In a row, each as wide as its label: "Continue (+50,000 steps)" is never cut short.
    row = st.container(horizontal=True, gap="small")
    for key, (label, tip, click, enabled) in buttons.items():
        kind = "primary" if key == "train" else "secondary"
        row.button(label, type=kind, key=key, on_click=click, disabled=not enabled, help=tip, width="content")


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
