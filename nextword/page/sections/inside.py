"""Section 5: inside the LSTM, drawn from the run's numpy predictor (no TensorFlow on this path).

The section in order: the story as the model reads it and the gates and memory of one prediction
(here), the word map (nextword/page/sections/word_map.py), one prediction in slow motion and the model's
table (nextword/page/sections/slow_motion.py). The numbers come from nextword/inside/; here they are only
drawn. Story text is user data: it is escaped before any markdown or HTML.
"""

from __future__ import annotations

import streamlit as st

from nextword import inside
from nextword.charts import chart_style, inside_charts
from nextword.errors import NextwordError
from nextword.inference.predictor import Predictor
from nextword.page import markup
from nextword.page.format import error_message, escape_markdown
from nextword.page.options import GATES_SOURCES, HELP, STRIP_WINDOW, UNITS_SHOWN
from nextword.page.sections.predict import trained_predictor
from nextword.page.sections.slow_motion import model_view, slow_motion_view
from nextword.page.sections.word_map import word_map_view
from nextword.page.state import TabState
from nextword.training.backend import RunHandle


def inside_section(key: str, run: RunHandle) -> None:
    predictor = trained_predictor(run, "Inside the LSTM", "The inside views")
    if predictor is None:
        return
    symbols = run.data.story.symbols
    place = reading_view(predictor, symbols, run.data.story_ids)
    context = gates_view(predictor, symbols, place)
    word_map_view(predictor)
    slow_motion_view(predictor, context)
    model_view(run)


def reading_view(predictor: Predictor, symbols, ids) -> int:
    """The story, each symbol shaded by its probability; returns the place picked in it."""
    st.subheader("The story as the model reads it")
    st.caption(
        "Darker green: the model gave that symbol more probability from the symbols before it. A wavy red "
        f"underline: its top guess was something else. The first {predictor.n_input} symbols have no guess: "
        "the model needs that many before it can read. Hover a symbol to see the model's top 3 there."
    )
    count = len(symbols)
    start = 0
    if count > STRIP_WINDOW:
        start = st.slider(
            "Start of the shown part", 0, count - STRIP_WINDOW, 0, key="strip_start", help=HELP["strip_start"]
        )
    stop = min(count, start + STRIP_WINDOW)
    picked = st.number_input(
        "Place to look at",
        0,
        count - 1,
        min(predictor.n_input, count - 1),
        key="inside_place",
        help=HELP["inside_place"],
    )
    strip = inside.reading_strip(predictor, ids, start, stop - start)
    joiner = "" if predictor.corpus_config.symbol_mode == "characters" else " "
    st.html(markup.reading_strip_html(strip, int(picked), joiner))
    if strip.accuracy is not None:
        st.caption(f"Right top guesses in this part: {strip.accuracy:.0%}.")
    try:
        guess = inside.reading_strip(predictor, ids, int(picked), 1).guess(int(picked))
    except NextwordError as error:
        st.warning(str(error))
        return int(picked)
    if guess is None:
        st.warning(
            f"Place {int(picked)} has no guess: the model reads the {predictor.n_input} symbols before a "
            f"place, so pick a place from {predictor.n_input} on."
        )
    else:
        verdict = "right" if guess.correct else "wrong"
        listed = ", ".join(f"“{symbol}” {probability:.0%}" for symbol, probability in guess.top)
        st.markdown(
            escape_markdown(
                f"At place {guess.position} the story has “{guess.symbol}” (p = {guess.probability:.0%}, "
                f"the top guess was {verdict}). The model's top 3: {listed}"
            )
        )
    return int(picked)


def _picked_context(predictor: Predictor, symbols, place: int, source: str):
    """The symbols of the prediction to open: before the picked place, or typed in section 4."""
    if source == GATES_SOURCES[1]:
        return predictor.context_symbols(TabState().predict_context or "")
    return inside.context_before(symbols, place, predictor.n_input)


def gates_view(predictor: Predictor, symbols, place: int) -> tuple[str, ...] | None:
    """Heat maps of the gates and states, per layer and input step, of one prediction; its context."""
    st.subheader("Gates and memory of one prediction")
    source = st.radio(
        "Open the prediction", GATES_SOURCES, key="gates_source", horizontal=True, help=HELP["gates_source"]
    )
    try:
        gates = inside.prediction_gates(predictor, _picked_context(predictor, symbols, place, source))
    except NextwordError as error:
        st.warning(escape_markdown(error_message(error)))
        return None
    read = " ".join(f"“{symbol}”" for symbol in gates.context)
    st.markdown(
        escape_markdown(
            f"Reading {read}, the model guesses “{gates.predicted}” ({gates.probability:.0%}). "
            "Each row below is one input symbol, each column one unit of the layer."
        )
    )
    units = gates.layers[0].units
    show_all = units <= UNITS_SHOWN or st.checkbox(
        f"Show all {units} units", key="all_units", help=HELP["all_units"]
    )
    if not show_all:
        st.caption(f"The {UNITS_SHOWN} of {units} units whose cell state changes most, most first.")
    for layer in range(len(gates.layers)):
        order = inside.changing_units(gates, layer, "cell", "all" if show_all else UNITS_SHOWN)
        if len(gates.layers) > 1:
            st.markdown(f"**Layer {layer + 1}**")
        for quantity in ("input_gate", "forget_gate", "output_gate", "cell", "hidden"):
            label = inside.QUANTITY_LABELS[quantity]
            chart = inside_charts.heat_map(
                gates.values(layer, quantity),
                gates.context,
                [int(unit) for unit in order],
                f"{label} · layer {layer + 1}",
                gate=quantity in inside_charts.GATE_QUANTITIES,
            )
            st.vega_lite_chart(
                spec=chart_style.stable_spec(chart, f"{quantity}_{layer}"),
                width="stretch",
                key=f"heat_{quantity}_{layer}",
            )
            st.caption(inside.QUANTITY_CAPTIONS[quantity])
    return gates.context
