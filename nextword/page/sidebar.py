"""The sidebar: the story picker and uploader, then the settings of the next run.

A lesson link can hide any control by its setting's name (`hide=optimizer,learning_rate`), and the
presenter view hides the Advanced settings; a hidden control keeps its value (see TabState.init).
A story of a few thousand symbols or more gets part of its end held out and steps enough for its
size (`run_windows.suggested_settings`), unless the person set them.
"""

from __future__ import annotations

import streamlit as st

from nextword.errors import NextwordError
from nextword.page import callbacks, resources
from nextword.page.options import (
    ENCODING_LABELS,
    HELP,
    OPTIMIZER_LABELS,
    SETTING_OPTIONS,
    SYMBOL_MODE_LABELS,
    default_story_title,
    story_choice_help,
)
from nextword.page.state import TabState
from nextword.text import corpus, run_windows


def chosen(name: str) -> dict:
    """A setting the person moves is no longer replaced by a story's suggestion (see below)."""
    return {"on_change": callbacks.on_setting_chosen, "args": (name,)}


def clip_label(value: float) -> str:
    return "off" if value == 0 else f"{value:g}"


RETRIED = {"on_change": callbacks.retry_refused_upload}  # a refused upload may fit now

# The settings widgets in the sidebar's order: label, widget and its own arguments. Each widget's
# key is the config field it sets, its options SETTING_OPTIONS' (see nextword/page/state.py).
BASIC = {
    "n_input": ("Context length (n_input)", st.slider, RETRIED),
    "layers": ("LSTM layers", st.slider, {}),
    "steps": ("Training steps", st.select_slider, {"format_func": "{:,}".format, **chosen("steps")}),
    "holdout": ("Hold out (% of the story's end)", st.slider, {"format": "%d%%", **chosen("holdout")}),
}
ADVANCED = {
    "units": ("Units per layer", st.select_slider, {}),
    "encoding": ("Input encoding", st.selectbox, {"format_func": ENCODING_LABELS.get}),
    "optimizer": ("Optimizer", st.selectbox, {"format_func": OPTIMIZER_LABELS.get}),
    "learning_rate": ("Learning rate", st.select_slider, {"format_func": "{:g}".format}),
    "batch_size": ("Batch size", st.select_slider, {}),
    "seed": ("Seed", st.number_input, {"step": 1}),
    "symbol_mode": (
        "Symbols",
        st.radio,
        {"format_func": SYMBOL_MODE_LABELS.get, "horizontal": True, **RETRIED},
    ),
    "article_order": ("The article's window order", st.checkbox, {}),
    "stop_when_learned": ("Stop when learned", st.checkbox, {}),
    "dropout": ("Dropout", st.select_slider, {"format_func": "{:.0%}".format, **chosen("dropout")}),
    "clip_norm": ("Gradient clipping", st.select_slider, {"format_func": clip_label, **chosen("clip_norm")}),
    "keep_best": ("Keep the best held-out step", st.checkbox, {}),
}


def sidebar() -> None:
    tab = TabState()
    apply_suggestions(tab)  # before the widgets it may set are drawn
    with st.sidebar:
        if tab.shows("story"):
            story_controls()
        st.header("Settings")
        settings_controls(tab, BASIC)
        if not tab.present and tab.shows("advanced"):
            with st.expander("Advanced"):
                settings_controls(tab, ADVANCED)
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


def settings_controls(tab: TabState, widgets: dict) -> None:
    """A widget per setting the lesson shows, its options as SETTING_OPTIONS has them."""
    for name, (label, widget, arguments) in widgets.items():
        if not tab.shows(name):
            continue
        options = SETTING_OPTIONS[name]
        if isinstance(options, range):  # a slider or a number box, from its first to its last
            arguments = {"min_value": options.start, "max_value": options.stop - 1, **arguments}
        elif options is not None:
            arguments = {"options": options, **arguments}
        widget(label, key=name, help=HELP[name], **arguments)


def apply_suggestions(tab: TabState) -> None:
    """Give a newly chosen story (or symbol mode) its suggested hold-out, steps and dropout, once,
    where the person set none: moving a slider afterwards is the person's choice, and stays."""
    try:
        story = tab.story()
    except NextwordError:  # the story section says why
        return
    if tab.suggested_for == story.digest:
        return
    tab.suggested_for = story.digest
    _, model, train = tab.settings()
    suggestion = run_windows.suggested_settings(story.symbol_count, model.n_input, train.batch_size)
    values = {
        "holdout": suggestion.holdout,
        "steps": suggestion.steps,
        "dropout": suggestion.dropout,
    }
    changes = {name: value for name, value in values.items() if name not in tab.settings_chosen}
    tab.show_setting_values(changes)
