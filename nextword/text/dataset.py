"""A story made ready for training: its vocabulary and every window, bundled as `TrainingData`.

One `TrainingData` is shared by the runs, the page and the CLI for a story at one n_input, so the
windows are cut once. Nothing here knows about TensorFlow or Streamlit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from nextword.config import CorpusConfig, ModelConfig
from nextword.text.corpus import Story, check_story_length
from nextword.text.vocab import Vocabulary
from nextword.text.windows import accuracy_ceiling, make_windows


@dataclass(frozen=True)
class TrainingData:
    """Everything one run trains on: the story, its vocabulary and all its windows."""

    story: Story
    vocabulary: Vocabulary
    contexts: np.ndarray  # int32 [windows, n_input]
    targets: np.ndarray  # int32 [windows]
    ceiling_count: int  # windows the best possible predictor gets right

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


def prepare_training_data(story: Story, model_config: ModelConfig) -> TrainingData:
    """Vocabulary and windows for `story` at the model's n_input (StoryTooShortError if too short)."""
    check_story_length(len(story.symbols), model_config.n_input)
    vocabulary = Vocabulary.from_symbols(story.symbols, max_size=story.config.max_vocabulary)
    ids = vocabulary.encode(story.symbols)
    contexts, targets = make_windows(ids, model_config.n_input)
    return TrainingData(story, vocabulary, contexts, targets, accuracy_ceiling(contexts, targets))
