"""Section 1: the story in use, its size, its dictionary and its first windows (or why it cannot be used).

And, in one sentence, which part of the story the model never trains on (the settings' hold-out).
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from nextword.errors import HoldoutError
from nextword.page import resources
from nextword.page.format import escape_markdown, format_percent, window_lines
from nextword.page.options import DICTIONARY_ROWS_SHOWN, FIRST_WINDOWS_SHOWN, STORY_CHARACTERS_SHOWN
from nextword.page.state import Settings, TabState
from nextword.text import corpus, run_windows, windows
from nextword.text.corpus import Story
from nextword.text.vocab import UNKNOWN_SYMBOL
from nextword.text.windows import HoldoutSplit

TABLE_HEADER_PIXELS = 38
TABLE_ROW_PIXELS = 35
QUOTED_SYMBOLS = 6  # of the held-out part's start, quoted in the sentence


class HeldOut(NamedTuple):
    """The split the settings make of the story, or why they cannot make one."""

    split: HoldoutSplit | None
    error: str | None


def held_out_part(story: Story, settings: Settings) -> HeldOut:
    try:
        split = windows.holdout_split(story.symbol_count, settings.model.n_input, settings.train.holdout)
    except HoldoutError as error:
        return HeldOut(None, str(error))
    return HeldOut(split, None)


def holdout_note(story: Story, held_out: HeldOut, unseen: int) -> None:
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
            f" {unseen:,} of its words never {'occurs' if unseen == 1 else 'occur'} in the part it "
            f"trains on: {'it counts' if unseen == 1 else 'they count'} as {UNKNOWN_SYMBOL}, for the "
            "LSTM and the n-gram alike."
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


def story_section(story: Story | None, data, problems: list[str], held_out: HeldOut | None) -> None:
    """The section (a lesson link may hide it: then only what is wrong with the story shows)."""
    tab = TabState()
    shown = tab.shows("story")
    if shown:
        st.header("1 · The story")
    for message in problems:
        st.error(escape_markdown(message))
    if story is None or not shown:
        return
    st.markdown(f"Now using **{escape_markdown(story.name)}**.")
    # Which setting the story changed when it was uploaded, and why: said while that setting holds.
    if tab.story_note and story.config.symbol_mode == "characters" and not problems:
        st.info(tab.story_note)
    if story.encoding_note:
        st.info(story.encoding_note)
    metrics = st.columns(4)
    symbols_are = (
        "Single characters, in order (a space is one too)."
        if story.config.symbol_mode == "characters"
        else "Words and punctuation marks, in order."
    )
    metrics[0].metric("Symbols", f"{story.symbol_count:,}", help=symbols_are)
    if data is None:
        return
    metrics[1].metric("Vocabulary", f"{len(data.vocabulary):,}", help="Different symbols, each with an id.")
    metrics[2].metric("Windows", f"{data.window_count:,}", help="n_input symbols and the one that follows.")
    metrics[3].metric(
        "Ceiling",
        format_percent(data.ceiling),
        help="The best accuracy any model can reach: when one context is followed by different "
        "symbols in the story, no model gets them all.",
    )
    capped_note = data.vocabulary.capped_note(story.config.max_vocabulary)
    if capped_note:
        st.info(capped_note)
    if held_out is not None:
        holdout_note(story, held_out, data.unseen_held_out_count)
    left, right = st.columns([2, 3])
    with left:
        st.subheader("The dictionary")
        st.caption("Each symbol gets an id by how often it occurs (the article's Listing 2).")
        st.dataframe(
            resources.dictionary_table(story.digest, data.n_input, data.holdout_percent, data),
            hide_index=True,
            height=TABLE_HEADER_PIXELS + TABLE_ROW_PIXELS * DICTIONARY_ROWS_SHOWN,
            key="dictionary_table",
        )
    with right:
        st.subheader("The first windows")
        st.caption("Symbols → their ids → the symbol the network must learn to predict.")
        st.code(
            "\n".join(window_lines(data.vocabulary, data.contexts, data.targets, FIRST_WINDOWS_SHOWN)),
            language=None,
            wrap_lines=True,
        )
        with st.expander("Read the story"):
            beginning = story.text[:STORY_CHARACTERS_SHOWN]
            st.text(beginning + ("\n…" if len(story.text) > STORY_CHARACTERS_SHOWN else ""))
