"""Section 5: the LSTM and the n-gram write on from the same context, side by side.

Each symbol either writes is fed back in as input. In both texts, the symbols that belong to a run
of n_input + 1 or more found word for word in the story are marked: what was copied, not made up.
"""

from __future__ import annotations

import streamlit as st

from nextword.errors import NextwordError
from nextword.inference.copying import CopyFinder, copy_summary
from nextword.inference.predictor import STRATEGIES, Generation
from nextword.page import markup, resources
from nextword.page.format import escape_markdown
from nextword.page.options import GENERATE_LENGTH_RANGE, HELP, SEEDS, TEMPERATURE_RANGE
from nextword.text.corpus import detokenize_pieces
from nextword.training.backend import RunHandle

WRITERS = (("The LSTM", "generated_text"), ("The n-gram", "ngram_generated_text"))


def generate_section(run: RunHandle, predictor, context: str, weights: tuple) -> None:
    """Both models write from `context`; what they write is computed once per server for the run's
    `weights` (`resources.weights_of`) and these choices."""
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
        min_value=SEEDS.start,
        max_value=SEEDS.stop - 1,
        step=1,
        key="generate_seed",
        disabled=not sampling,
        help=HELP["generate_seed"],
    )
    choices = {"strategy": strategy, "temperature": temperature, "top_k": top_k or None, "seed": seed}
    try:
        generations = resources.shared(
            ("generate", *weights, context, length, *choices.items()),
            lambda: (
                predictor.generate(context, n_words=length, **choices),
                ngram_generation(run, predictor, context, length, choices),
            ),
        )
    except NextwordError as error:
        st.warning(escape_markdown(str(error)))
        return
    story, min_run = run.data.story, run.model_config.n_input + 1
    finder = resources.copy_finder(story.digest, min_run, story)
    st.html(markup.GENERATED_TEXT_STYLE)
    for column, (name, key), generation in zip(st.columns(2), WRITERS, generations, strict=True):
        with column:
            written_text(run, name, key, generation, finder)
    st.caption(
        "In blue: the context you gave. The rest: what each model wrote, one symbol at a time. "
        f"Highlighted: runs of {min_run} or more symbols found word for word in the story: copied, "
        "not made up."
    )


def ngram_generation(run: RunHandle, predictor, context: str, length: int, choices: dict) -> Generation:
    """What the n-gram writes from the same context, with the same choice of the next symbol."""
    ids = run.ngram().generate(predictor.encode_context(context), n_symbols=length, **choices)
    vocabulary = run.data.vocabulary
    generated = tuple(vocabulary.symbol_of(int(symbol_id)) for symbol_id in ids)
    return Generation(
        tuple(predictor.context_symbols(context)), generated, run.data.corpus_config.symbol_mode
    )


def written_text(run: RunHandle, name: str, key: str, generation: Generation, finder: CopyFinder) -> None:
    """One model's text with its copied runs marked, how much is copied, and where the longest is from."""
    copies = finder.find(generation.context, generation.generated)
    pieces = detokenize_pieces([*generation.context, *generation.generated], generation.symbol_mode)
    st.markdown(f"**{name}**")
    with st.container(border=True, key=key):
        st.html(markup.marked_text_html(pieces, len(generation.context), copies.copied))
    st.caption(copy_summary(copies))
    if copies.longest_run:
        st.html(markup.longest_run_html(run.data.story, copies, run.windows.split.held_out_start))
