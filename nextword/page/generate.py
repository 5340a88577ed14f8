"""Section 5: the model writes on from the context, each symbol it writes fed back in as input."""

from __future__ import annotations

import streamlit as st

from nextword.errors import NextwordError
from nextword.page.format import escape_markdown, split_generation
from nextword.page.options import GENERATE_LENGTH_RANGE, HELP, SEED_RANGE, TEMPERATURE_RANGE
from nextword.predict import STRATEGIES

# Large print for the generated story (read from the back of a classroom); the context in blue.
GENERATED_TEXT_STYLE = """<style>
.st-key-generated_text p { font-size: 1.55rem; line-height: 1.5; }
.st-key-generated_text strong { color: #1f77b4; }
</style>"""


def generate_section(predictor, context: str) -> None:
    st.header("5 · Let it write")
    columns = st.columns(5)
    length = columns[0].slider(
        "Symbols to write", *GENERATE_LENGTH_RANGE, key="generate_length", help=HELP["generate_length"]
    )
    strategy = columns[1].radio(
        "Choice", STRATEGIES, key="generate_strategy", horizontal=True, help=HELP["generate_strategy"]
    )
    sampling = strategy == "sample"
    temperature = columns[2].slider(
        "Temperature",
        *TEMPERATURE_RANGE,
        step=0.1,
        key="generate_temperature",
        disabled=not sampling,
        help=HELP["generate_temperature"],
    )
    top_k = columns[3].number_input(
        "Top-k",
        min_value=0,
        max_value=1_000_000,
        step=1,
        key="generate_top_k",
        disabled=not sampling,
        help=HELP["generate_top_k"],
    )
    seed = columns[4].number_input(
        "Seed ",
        min_value=SEED_RANGE[0],
        max_value=SEED_RANGE[1],
        step=1,
        key="generate_seed",
        disabled=not sampling,
        help=HELP["generate_seed"],
    )
    try:
        generation = predictor.generate(
            context,
            n_words=length,
            strategy=strategy,
            temperature=temperature,
            top_k=top_k or None,
            seed=seed,
        )
    except NextwordError as error:
        st.warning(escape_markdown(str(error)))
        return
    context_text, written = split_generation(generation)
    st.html(GENERATED_TEXT_STYLE)  # our own fixed CSS: never user text
    with st.container(border=True, key="generated_text"):
        st.markdown(f"**{escape_markdown(context_text.strip())}** {escape_markdown(written.strip())}")
    st.caption("In blue: the context you gave. The rest: what the model wrote, one symbol at a time.")
