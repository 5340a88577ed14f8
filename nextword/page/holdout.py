"""The held-out part of the story: the hold-out and steps a story suggests, and what the model never sees.

A story of a few thousand symbols or more gets part of its end held out and steps enough for its
size (`run_windows.suggested_settings`), unless the person set them; the story section then says, in one
sentence, which part of the story the model never trains on.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from nextword.errors import HoldoutError, NextwordError
from nextword.page.format import escape_markdown
from nextword.page.options import STEP_OPTIONS, nearest
from nextword.page.state import Settings, TabState
from nextword.text import corpus, run_windows, windows
from nextword.text.vocab import UNKNOWN_SYMBOL
from nextword.text.windows import HoldoutSplit

QUOTED_SYMBOLS = 6  # of the held-out part's start, quoted in the sentence


class HeldOut(NamedTuple):
    """The split the settings make of the story, or why they cannot make one."""

    split: HoldoutSplit | None
    error: str | None


def apply_suggestions(tab: TabState) -> None:
    """Give a newly chosen story its suggested hold-out and steps, where the person set neither.

    Runs before the sidebar draws its widgets, once per story (and symbol mode): moving a slider
    afterwards is the person's choice, and stays.
    """
    try:
        story = tab.story()
    except NextwordError:  # the story section says why
        return
    if tab.suggested_for == story.digest:
        return
    tab.suggested_for = story.digest
    settings = tab.settings()
    model, train = settings.model, settings.train
    suggestion = run_windows.suggested_settings(story.symbol_count, model.n_input, train.batch_size)
    values = {
        "holdout": suggestion.holdout,
        "steps": nearest(STEP_OPTIONS, suggestion.steps),
        "dropout": suggestion.dropout,
    }
    changes = {name: value for name, value in values.items() if name not in tab.settings_chosen}
    if changes:
        tab.show_setting_values(changes)


def held_out_part(story: corpus.Story, settings: Settings) -> HeldOut:
    try:
        split = windows.holdout_split(story.symbol_count, settings.model.n_input, settings.train.holdout)
    except HoldoutError as error:
        return HeldOut(None, str(error))
    return HeldOut(split, None)


def holdout_note(story: corpus.Story, held_out: HeldOut, unseen: int = 0) -> None:
    """One sentence: what of the story the model never sees (or why the hold-out cannot be)."""
    if held_out.error:
        st.warning(escape_markdown(held_out.error))
        return
    split = held_out.split
    if split.held_out_count == 0:
        st.caption(
            "Nothing is held out: the model trains on every window, so its accuracy shows what it "
            "memorised. Set **Hold out** in the sidebar to test it on words it never saw."
        )
        return
    start = story.symbols[split.held_out_start : split.held_out_start + QUOTED_SYMBOLS]
    quote = escape_markdown(corpus.detokenize(start, story.config.symbol_mode))
    st.markdown(
        f"**Held out:** the model never sees the last {split.holdout_percent:g}% of the story, from "
        f"“{quote} …” on: {split.held_out_count:,} windows it never trains on, kept to test it on "
        "words it has not seen."
        + (
            f" {unseen:,} of its words never occur in the part it trains on: they count as "
            f"{UNKNOWN_SYMBOL}, for the LSTM and the n-gram alike."
            if unseen
            else ""
        )
    )
    if story.symbol_count >= run_windows.HOLDOUT_STORY_SYMBOLS:
        st.caption(
            f"A story of {run_windows.HOLDOUT_STORY_SYMBOLS:,} symbols or more starts with "
            f"{run_windows.SUGGESTED_HOLDOUT}% held out and steps for about "
            f"{run_windows.SUGGESTED_PASSES} passes over its windows, unless you set them in the sidebar."
        )
