"""The sidebar: the story picker and uploader, then the settings of the next run.

A lesson link can hide any control by its setting's name (`hide=optimizer,learning_rate`), and the
presenter view hides the Advanced settings; a hidden control keeps its value (see TabState.init).
"""

from __future__ import annotations

import streamlit as st

from nextword.config import INPUT_ENCODINGS, OPTIMIZERS, SYMBOL_MODES
from nextword.page import callbacks, resources
from nextword.page.options import (
    BATCH_OPTIONS,
    DROPOUT_OPTIONS,
    ENCODING_LABELS,
    HELP,
    HOLDOUT_RANGE,
    LAYER_RANGE,
    LEARNING_RATE_OPTIONS,
    N_INPUT_RANGE,
    OPTIMIZER_LABELS,
    SEED_RANGE,
    STEP_OPTIONS,
    SYMBOL_MODE_LABELS,
    UNIT_OPTIONS,
    default_story_title,
    story_choice_help,
)
from nextword.page.state import TabState
from nextword.text import corpus


def sidebar() -> None:
    tab = TabState()
    with st.sidebar:
        if tab.shows("story"):
            story_controls()
        settings_controls(tab)
        st.button(
            "Article settings",
            key="article_settings",
            on_click=callbacks.on_article_settings,
            help=HELP["article_settings"],
        )


def story_controls() -> None:
    st.header("Story")
    st.selectbox(
        "Bundled story",
        list(corpus.bundled_stories()),
        key="story_choice",
        on_change=callbacks.on_story_choice,
        help=story_choice_help(resources.bundled_vocabulary_size(default_story_title())),
    )
    st.file_uploader(
        "…or upload your own (.txt)",
        type=["txt"],
        key="story_upload",
        on_change=callbacks.on_story_upload,
        help=HELP["story_upload"],
    )


def settings_controls(tab: TabState) -> None:
    """One widget per setting; each key is the config field it sets (see nextword/page/state.py)."""
    st.header("Settings")
    shown = tab.shows
    if shown("n_input"):
        st.slider(
            "Context length (n_input)",
            *N_INPUT_RANGE,
            key="n_input",
            on_change=callbacks.retry_refused_upload,
            help=HELP["n_input"],
        )
    if shown("layers"):
        st.slider("LSTM layers", *LAYER_RANGE, key="layers", help=HELP["layers"])
    if shown("steps"):
        st.select_slider(
            "Training steps",
            STEP_OPTIONS,
            key="steps",
            format_func=lambda v: f"{v:,}",
            on_change=callbacks.on_setting_chosen,
            args=("steps",),
            help=HELP["steps"],
        )
    if shown("holdout"):
        st.slider(
            "Hold out (% of the story's end)",
            *HOLDOUT_RANGE,
            key="holdout",
            format="%d%%",
            on_change=callbacks.on_setting_chosen,
            args=("holdout",),
            help=HELP["holdout"],
        )
    if tab.present or not shown("advanced"):
        return
    with st.expander("Advanced"):
        if shown("units"):
            st.select_slider("Units per layer", UNIT_OPTIONS, key="units", help=HELP["units"])
        if shown("encoding"):
            st.selectbox(
                "Input encoding",
                INPUT_ENCODINGS,
                key="encoding",
                format_func=ENCODING_LABELS.get,
                help=HELP["encoding"],
            )
        if shown("optimizer"):
            st.selectbox(
                "Optimizer",
                OPTIMIZERS,
                key="optimizer",
                format_func=OPTIMIZER_LABELS.get,
                help=HELP["optimizer"],
            )
        if shown("learning_rate"):
            st.select_slider(
                "Learning rate",
                LEARNING_RATE_OPTIONS,
                key="learning_rate",
                format_func="{:g}".format,
                help=HELP["learning_rate"],
            )
        if shown("batch_size"):
            st.select_slider("Batch size", BATCH_OPTIONS, key="batch_size", help=HELP["batch_size"])
        if shown("seed"):
            st.number_input(
                "Seed",
                min_value=SEED_RANGE[0],
                max_value=SEED_RANGE[1],
                step=1,
                key="seed",
                help=HELP["seed"],
            )
        if shown("symbol_mode"):
            st.radio(
                "Symbols",
                SYMBOL_MODES,
                key="symbol_mode",
                on_change=callbacks.retry_refused_upload,
                format_func=SYMBOL_MODE_LABELS.get,
                horizontal=True,
                help=HELP["symbol_mode"],
            )
        if shown("article_order"):
            st.checkbox("The article's window order", key="article_order", help=HELP["article_order"])
        if shown("stop_when_learned"):
            st.checkbox("Stop when learned", key="stop_when_learned", help=HELP["stop_when_learned"])
        if shown("dropout"):
            st.select_slider(
                "Dropout",
                DROPOUT_OPTIONS,
                key="dropout",
                format_func="{:.0%}".format,
                on_change=callbacks.on_setting_chosen,
                args=("dropout",),
                help=HELP["dropout"],
            )
        if shown("keep_best"):
            st.checkbox("Keep the best held-out step", key="keep_best", help=HELP["keep_best"])
