"""Section 5: inside the LSTM, drawn from the run's numpy predictor (no TensorFlow on this path).

In order: the story as the model reads it, the gates and memory of one prediction, the word map
(a 2-D map of the learned symbol vectors, or the raw index each symbol gets), then one prediction
in slow motion and the model's table (nextword/page/sections/slow_motion.py). The numbers come
from nextword/inside/; here they are only drawn. Story text is user data: it is escaped before any
markdown or HTML.
"""

from __future__ import annotations

import streamlit as st

from nextword import inside
from nextword.charts import inside_charts
from nextword.errors import NextwordError
from nextword.inference.predictor import Predictor
from nextword.page import markup, resources
from nextword.page.format import error_message, escape_markdown
from nextword.page.options import GATES_SOURCES, HELP, NEIGHBOURS_SHOWN, STRIP_WINDOW, UNITS_SHOWN
from nextword.page.sections.predict import trained_predictor
from nextword.page.sections.slow_motion import model_view, slow_motion_view
from nextword.page.state import TabState
from nextword.training.backend import RunHandle


def inside_section(key: str, run: RunHandle) -> None:
    predictor = trained_predictor(run, "Inside the LSTM", "The inside views")
    if predictor is None:
        return
    symbols, weights = run.data.story.symbols, resources.weights_of(key, run)
    place = reading_view(predictor, symbols, run.data.story_ids, weights)
    context = gates_view(predictor, symbols, place, weights)
    word_map_view(predictor, weights)
    slow_motion_view(predictor, context)
    model_view(run)


def reading_view(predictor: Predictor, symbols, ids, weights: tuple) -> int:
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
    first = min(predictor.n_input, count - 1)  # the first place the model can guess
    picked = int(
        st.number_input(
            "Place to look at", 0, count - 1, first, key="inside_place", help=HELP["inside_place"]
        )
    )
    strip = resources.shared(
        ("strip", *weights, start, stop), lambda: inside.reading_strip(predictor, ids, start, stop - start)
    )
    joiner = "" if predictor.corpus_config.symbol_mode == "characters" else " "
    st.html(markup.reading_strip_html(strip, picked, joiner))
    if strip.accuracy is not None:
        st.caption(f"Right top guesses in this part: {strip.accuracy:.0%}.")
    try:
        guess = inside.reading_strip(predictor, ids, picked, 1).guess(picked)
    except NextwordError as error:
        st.warning(str(error))
        return picked
    if guess is None:
        st.warning(
            f"Place {picked} has no guess: the model reads the {predictor.n_input} symbols before a "
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
    return picked


def gates_view(predictor: Predictor, symbols, place: int, weights: tuple) -> tuple[str, ...] | None:
    """Heat maps of the gates and states, per layer and input step, of one prediction; its context."""
    st.subheader("Gates and memory of one prediction")
    source = st.radio(
        "Open the prediction", GATES_SOURCES, key="gates_source", horizontal=True, help=HELP["gates_source"]
    )
    try:
        if source == GATES_SOURCES[1]:  # the context typed in section 4
            context = predictor.context_symbols(TabState().predict_context or "")
        else:
            context = inside.context_before(symbols, place, predictor.n_input)
        gates = resources.shared(
            ("gates", *weights, tuple(context)), lambda: inside.prediction_gates(predictor, context)
        )
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
            values, units_shown = gates.values(layer, quantity), [int(unit) for unit in order]
            title = f"{inside.QUANTITY_LABELS[quantity]} · layer {layer + 1}"
            gate = quantity in inside_charts.GATE_QUANTITIES
            key = ("heat", values.tobytes(), values.shape, gates.context, tuple(units_shown), title, gate)
            spec = resources.chart_spec_of(
                key,
                f"{quantity}_{layer}",
                lambda: inside_charts.heat_map(values, gates.context, units_shown, title, gate=gate),  # noqa: B023 - called at once
            )
            st.vega_lite_chart(spec=spec, width="stretch", key=f"heat_{quantity}_{layer}")
            st.caption(inside.QUANTITY_CAPTIONS[quantity])
    return gates.context


def word_map_view(predictor: Predictor, weights: tuple) -> None:
    """The learned symbol vectors on a 2-D map, or what the raw-index model gets instead.

    The map, a PCA of the whole vocabulary's vectors, is computed and drawn once per server for the
    run's `weights` (`resources.weights_of`) and the picked symbol.
    """
    st.subheader("The word map")
    vocabulary = predictor.vocabulary
    if predictor.embedding is None:
        st.info(
            "This model reads each symbol as its raw index, one number (the article's encoding): it has no "
            "learned vectors to map. As the article says, the “meaning” of the word is lost: to the network, "
            "id 20 is just a little more than id 19. Here is what it gets, most frequent symbol first:"
        )
        st.code(
            "   ".join(f"{symbol} → {index}" for index, symbol in enumerate(vocabulary.symbols)),
            wrap_lines=True,
        )
        return
    shown = (
        f" The map shows the {inside_charts.MAP_POINTS:,} most frequent of the {len(vocabulary):,} symbols."
        if len(vocabulary) > inside_charts.MAP_POINTS
        else ""
    )
    st.caption(
        "Each point is one symbol's learned vector, flattened to two dimensions (PCA); bigger points are "
        "more frequent symbols. Symbols the model uses alike end up near each other." + shown
    )
    default = "mice" if "mice" in vocabulary.symbols else vocabulary.symbol_of(0)
    symbol = st.text_input("Symbol to look up", default, key="map_symbol", help=HELP["map_symbol"]).strip()

    def chart():
        mapped = inside.word_map(predictor)
        return inside_charts.word_map_chart(
            mapped.symbols, mapped.counts, mapped.coordinates, mapped.explained, picked=symbol
        )

    spec = resources.chart_spec_of(("word_map", *weights, symbol), "word_map", chart)
    st.vega_lite_chart(spec=spec, width="stretch", key="word_map_chart")
    try:
        neighbours = inside.nearest_neighbours(predictor, symbol, NEIGHBOURS_SHOWN)
    except NextwordError as error:
        st.warning(escape_markdown(error_message(error)))
        return
    st.markdown("#### " + escape_markdown(f"Nearest neighbours of “{symbol}”"))
    st.dataframe(
        {
            "neighbour": [name for name, _ in neighbours],
            "cosine similarity": [round(similarity, 3) for _, similarity in neighbours],
        },
        hide_index=True,
    )
    st.caption(
        "Cosine similarity: 1 when two vectors point the same way, 0 when they have nothing in common."
    )


# The parts of the model, left to right, as the slow motion highlights them.
