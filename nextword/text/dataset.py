"""A story made ready for training: its vocabulary and every window, bundled as `TrainingData`.

One `TrainingData` is shared by the runs, the page and the CLI for a story at one n_input and one
hold-out, so the windows are cut once. With nothing held out every symbol keeps its own id (the
article's way). With the end held out, the vocabulary comes from the training part only, and the
held-out symbols it never had share ⟨unk⟩, so both models are scored on the same symbols and
perplexity is defined. On a long story the training part's symbols seen once share ⟨unk⟩ too, so
the network learns how likely an unfamiliar word is; on a short one they would make ⟨unk⟩ a
common "word" that is easy to guess right, so they keep their ids. Nothing here knows about
TensorFlow or Streamlit.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

import numpy as np

from nextword.config import CorpusConfig, ModelConfig
from nextword.text.corpus import Story, check_story_length
from nextword.text.vocab import Vocabulary
from nextword.text.windows import accuracy_ceiling, holdout_split, make_windows

# The training part's symbols seen once share ⟨unk⟩ when together they are at most this share of it.
UNKNOWN_SHARE_LIMIT = 0.05


@dataclass(frozen=True)
class TrainingData:
    """Everything one run trains on: the story, its vocabulary and all its windows."""

    story: Story
    vocabulary: Vocabulary
    contexts: np.ndarray  # int32 [windows, n_input]
    targets: np.ndarray  # int32 [windows]
    ceiling_count: int  # windows the best possible predictor gets right
    holdout_percent: float = 0  # the share of the story's end the vocabulary was built without
    unseen_held_out_count: int = 0  # held-out symbols the training part never had (now ⟨unk⟩)

    @property
    def window_count(self) -> int:
        return len(self.targets)

    @property
    def n_input(self) -> int:
        return int(self.contexts.shape[1])

    @property
    def ceiling(self) -> float:
        return self.ceiling_count / max(1, self.window_count)

    @property
    def corpus_config(self) -> CorpusConfig:
        return self.story.config

    @functools.cached_property
    def story_ids(self) -> np.ndarray:
        """The story's id at every place (int64), read back from the windows: no second encoding."""
        return np.concatenate([self.contexts[0], self.targets]).astype(np.int64)


def prepare_training_data(
    story: Story, model_config: ModelConfig, holdout_percent: float = 0
) -> TrainingData:
    """Vocabulary and windows for `story` at the model's n_input, its last `holdout_percent` % held out.

    StoryTooShortError if the story is too short, HoldoutError for a hold-out it cannot afford.
    """
    symbols, n_input = story.symbols, model_config.n_input
    check_story_length(len(symbols), n_input)
    cap = story.config.max_vocabulary
    unseen = 0
    if holdout_percent:
        training_part = symbols[: holdout_split(len(symbols), n_input, holdout_percent).held_out_start]
        seen_once = sum(1 for count in Counter(training_part).values() if count == 1)
        min_count = 2 if seen_once <= UNKNOWN_SHARE_LIMIT * len(training_part) else 1
        vocabulary = Vocabulary.from_symbols(training_part, cap, min_count=min_count, with_unknown=True)
        ids, unseen = vocabulary.encode_text(symbols)
    else:
        vocabulary = Vocabulary.from_symbols(symbols, max_size=cap)
        ids = vocabulary.encode(symbols)
    contexts, targets = make_windows(ids, n_input)
    return TrainingData(
        story, vocabulary, contexts, targets, accuracy_ceiling(contexts, targets), holdout_percent, unseen
    )
