"""Section 4: the best guesses for the next symbol after a context the student types.

The LSTM's bars stand beside the n-gram's (an n-gram model with Kneser-Ney smoothing: counts of
what followed the same few words in the training part, with a share kept for what it never saw),
with a sentence saying which of the two gets more right, trained or held out.
"""

from __future__ import annotations

import streamlit as st

from nextword.charts import guesses
from nextword.errors import NextwordError
from nextword.inference.predictor import Predictor
from nextword.page import resources
from nextword.page.format import error_message, escape_markdown, yardstick_sentence
from nextword.page.options import HELP, TOP_K_RANGE
from nextword.page.presenter import chart_spec
from nextword.page.sections.generate import generate_section
from nextword.page.state import TabState
from nextword.text import corpus, windows
from nextword.training.backend import RunHandle
from nextword.training.progress import Status


def trained_predictor(run: RunHandle, header: str, what: str) -> Predictor | None:
    """The run's predictor under `header` once it has final weights; None (and a word why) before."""
    progress = run.progress()
    if progress.status == Status.FAILED:
        return None
    st.header(header)
    if not progress.has_weights or progress.active:
        st.info(f"{what} appear here once the run has finished or been stopped.")
        return None
    try:
        return run.predictor()
    except NextwordError as error:  # the run's model went between the two calls (dropped, continued)
        st.info(str(error))
        return None


def predict_section(key: str, run: RunHandle) -> None:
    predictor = trained_predictor(run, "4 · Predict the next word", "Predictions")
    if predictor is None:
        return
    progress, weights = run.progress(), resources.weights_of(key, run)
    data = run.data
    n_input = run.model_config.n_input
    tab = TabState()
    if tab.predict_context_for != key or tab.predict_context is None:
        # A new run: start from the story's own first symbols, which it surely knows.
        first = list(data.story.symbols[:n_input])
        tab.predict_context = corpus.detokenize(first, data.corpus_config.symbol_mode)
        tab.predict_context_for = key
    left, right = st.columns([2, 3])
    with left:
        context = st.text_input("Context", key="predict_context", help=HELP["predict_context"])
        st.caption(f"This model reads the last {n_input} symbol(s) of the context.")
        k = st.slider("How many guesses (k)", *TOP_K_RANGE, key="top_k", help=HELP["top_k"])
    k = min(k, len(data.vocabulary))
    try:
        context_ids = predictor.encode_context(context)
        pairs, ngram_pairs = resources.shared(
            ("top_k", *weights, context, k),
            lambda: (
                predictor.top_k(context, k),
                [
                    (data.vocabulary.symbol_of(symbol_id), probability)
                    for symbol_id, probability in run.ngram().top_k(context_ids, k)
                ],
            ),
        )
    except NextwordError as error:
        left.warning(escape_markdown(error_message(error)))
        return
    followers = windows.next_symbol_counts(data.contexts, data.targets, context_ids)
    true_next = {data.vocabulary.symbol_of(int(symbol_id)): count for symbol_id, count in followers.items()}
    with left:
        if true_next:
            listed = ", ".join(f"“{symbol}” ({count}×)" for symbol, count in true_next.items())
            st.success(escape_markdown(f"In the story this context is followed by: {listed}"))
        else:
            st.caption("This context never occurs in the story: the model has to generalise.")
    with right:
        st.markdown(
            yardstick_sentence(
                progress.final_accuracy,
                progress.ngram_accuracy,
                progress.ceiling,
                progress.final_holdout_accuracy,
                progress.ngram_holdout_accuracy,
            )
        )
    lstm_column, ngram_column = st.columns(2)
    with lstm_column:
        st.markdown("**The LSTM**")
        top_k_bars(pairs, true_next, "Most likely next symbols", "top_k")
    with ngram_column:
        st.markdown(
            f"**The n-gram** (Kneser-Ney): what followed these {n_input} symbols, or fewer, in the training "
            "part, with a share kept for what it never saw"
        )
        top_k_bars(ngram_pairs, true_next, "The n-gram's guesses", "ngram_top_k")
    if tab.shows("generate"):
        generate_section(run, predictor, context, weights)


def top_k_bars(pairs: list[tuple[str, float]], true_next: dict[str, int], title: str, name: str) -> None:
    # A fixed dataset name, as for the live charts: a redraw swaps rows instead of renaming the data.
    key = ("top_k", title, tuple(pairs), tuple(true_next.items()))
    spec = chart_spec(
        resources.chart_spec_of(key, name, lambda: guesses.top_k_chart(pairs, true_next, title=title))
    )
    st.vega_lite_chart(spec=spec, width="stretch", key=f"{name}_chart")
