"""Inside the LSTM, the word map: where the learned symbol vectors lie, and each one's neighbours.

In embedding mode a 2-D map (PCA with numpy) of the vectors, sized by count, with the nearest
neighbours of a chosen symbol; in the article's raw-index mode, the one number each symbol gets.
"""

from __future__ import annotations

import streamlit as st

from nextword import inside
from nextword.charts import chart_style, inside_charts
from nextword.errors import NextwordError
from nextword.inference.predictor import Predictor
from nextword.page.format import error_message, escape_markdown
from nextword.page.options import HELP, NEIGHBOURS_SHOWN


def word_map_view(predictor: Predictor) -> None:
    """The learned symbol vectors on a 2-D map, or what the raw-index model gets instead."""
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
    mapped = inside.word_map(predictor)
    chart = inside_charts.word_map_chart(
        mapped.symbols, mapped.counts, mapped.coordinates, mapped.explained, picked=symbol
    )
    st.vega_lite_chart(spec=chart_style.stable_spec(chart, "word_map"), width="stretch", key="word_map_chart")
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
