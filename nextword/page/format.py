"""Text the page shows, built from plain values: escaping, durations, percentages, run summaries.

No Streamlit here: every function takes and returns plain data, so it can be tested alone.
"""

from __future__ import annotations

import re

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import NextwordError, UnknownSymbolError

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&\"'])")


def escape_markdown(text: str) -> str:
    """User text made inert for st.markdown: every markup character escaped, whitespace collapsed.

    Uploaded stories and typed contexts go through this before any markdown element, so a story
    can contain `**`, `[link](...)`, `<b>`, `:red[...]` or `$x$` and still show as plain words.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)))


def format_seconds(seconds: float | None) -> str:
    """A duration as people read it: "0.4 s" and "7.2 s" (a default run takes under a second),
    "42 s", "3 min 05 s", "1 h 02 min"."""
    if seconds is None:
        return "–"
    seconds = max(0.0, float(seconds))
    if round(seconds, 1) < 10:
        return f"{seconds:.1f} s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def format_perplexity(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def settings_summary(model: ModelConfig, train: TrainConfig) -> str:
    """One line naming a run's settings, for run lists and chart legends."""
    return (
        f"n_input {model.n_input}, {model.layers} layer(s) × {model.units} units, "
        f"{model.encoding}, {train.optimizer} lr {train.learning_rate:g}, "
        f"batch {train.batch_size}, seed {train.seed}"
    )


def window_lines(vocabulary, contexts, targets, count: int) -> list[str]:
    """The first windows drawn as the article does: ['had', 'a', 'general'] → [20, 6, 33] → council."""
    lines = []
    for context_ids, target in zip(contexts[:count], targets[:count], strict=False):
        ids = [int(value) for value in context_ids]
        lines.append(f"{vocabulary.decode(ids)} → {ids} → {vocabulary.symbol_of(int(target))}")
    return lines


def error_message(error: NextwordError) -> str:
    """What went wrong, in words; unknown words with the closest ones the story knows."""
    if not isinstance(error, UnknownSymbolError):
        return str(error)
    parts = []
    for word in error.unknown:
        suggestions = error.suggestions.get(word) or []
        closest = f" (closest known: {', '.join(suggestions)})" if suggestions else ""
        parts.append(f"“{word}”{closest}")
    plural = "s are" if len(error.unknown) > 1 else " is"
    return (
        f"Unknown word{plural} not in this story: {'; '.join(parts)}. "
        "The model only knows the story's symbols."
    )


def yardstick_sentence(
    lstm: float | None,
    ngram: float | None,
    ceiling: float,
    lstm_held_out: float | None = None,
    ngram_held_out: float | None = None,
) -> str:
    """One sentence: what the LSTM and the n-gram each get right, on trained and on held-out windows."""
    if lstm is None or ngram is None:
        return (
            "The n-gram is a model with Kneser-Ney smoothing: counts of what followed the same few words "
            "in the training part, with a share kept for what it never saw; it does not learn."
        )
    at_ceiling = (
        " (the ceiling)" if ngram >= ceiling - 1e-9 else f" (the ceiling is {format_percent(ceiling)})"
    )
    trained = (
        f"On the windows they trained on, the n-gram, which counts what followed the same few words "
        f"and keeps a share for what it never saw, "
        f"gets {format_percent(ngram)} right{at_ceiling} and the LSTM {format_percent(lstm)}"
    )
    if lstm_held_out is None or ngram_held_out is None:
        return (
            f"{trained}: learning a story by heart takes no understanding; hold part of it out to see "
            "which of the two guesses words it never saw."
        )
    if abs(lstm_held_out - ngram_held_out) < 0.0005:
        verdict = "they guess as many"
    else:
        verdict = f"the {'LSTM' if lstm_held_out > ngram_held_out else 'n-gram'} guesses more of them"
    return (
        f"{trained}; on the held-out words, which neither saw, the LSTM gets {format_percent(lstm_held_out)} "
        f"and the n-gram {format_percent(ngram_held_out)}: {verdict}."
    )
