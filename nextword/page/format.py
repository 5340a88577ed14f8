"""Text the page shows, built from plain values: escaping, durations, percentages, run summaries.

No Streamlit here: every function takes and returns plain data, so it can be tested alone.
"""

from __future__ import annotations

import re

from nextword.config import ModelConfig, TrainConfig
from nextword.errors import UnknownSymbolError

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&\"'])")


def escape_markdown(text: str) -> str:
    """User text made inert for st.markdown: every markup character escaped, whitespace collapsed.

    Uploaded stories and typed contexts go through this before any markdown element, so a story
    can contain `**`, `[link](...)`, `<b>`, `:red[...]` or `$x$` and still show as plain words.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)))


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


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


def unknown_word_message(error: UnknownSymbolError) -> str:
    """'mosue' is not in this story's vocabulary — closest: mouse, more."""
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


def split_generation(generation) -> tuple[str, str]:
    """(context text, what the model wrote) as readable text, split where the model took over."""
    full, context_text = generation.text, generation.context_text
    if full.startswith(context_text):
        return context_text, full[len(context_text) :]
    return context_text, " " + generation.generated_text
