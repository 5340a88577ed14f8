"""The prepared data: with the end held out, the vocabulary comes from the training part only."""

from __future__ import annotations

import pytest

from nextword.config import ModelConfig
from nextword.errors import HoldoutError
from nextword.text.corpus import load_story
from nextword.text.dataset import prepare_training_data
from nextword.text.vocab import UNKNOWN_SYMBOL
from nextword.text.windows import holdout_split
from tests.conftest import FABLE_VOCABULARY, ROOT

MODEL = ModelConfig()


def test_nothing_held_out_keeps_every_symbol_its_own_id(fable_story) -> None:
    data = prepare_training_data(fable_story, MODEL)
    assert len(data.vocabulary) == FABLE_VOCABULARY and UNKNOWN_SYMBOL not in data.vocabulary.symbols
    assert data.unseen_held_out_count == 0


def test_held_out_words_the_training_part_never_had_become_unknown(fable_story) -> None:
    data = prepare_training_data(fable_story, MODEL, holdout_percent=20)
    start = holdout_split(len(fable_story.symbols), MODEL.n_input, 20).held_out_start
    training, held_out = fable_story.symbols[:start], fable_story.symbols[start:]
    unseen = [symbol for symbol in held_out if symbol not in set(training)]
    assert data.unseen_held_out_count == len(unseen) > 0
    assert set(data.vocabulary.symbols) == set(training) | {UNKNOWN_SYMBOL}
    unknown = data.vocabulary.unknown_id
    ids = data.story_ids
    assert all(ids[start + index] == unknown for index, symbol in enumerate(held_out) if symbol in unseen)
    # A short story keeps its words seen once: pooled, they would make ⟨unk⟩ a word easy to guess.
    assert not data.vocabulary.capped


def test_a_long_story_trains_on_unknown_in_place_of_its_words_seen_once() -> None:
    story = load_story((ROOT / "data" / "tiny_shakespeare.txt").read_bytes(), name="shakespeare")
    data = prepare_training_data(story, MODEL, holdout_percent=10)
    start = holdout_split(story.symbol_count, MODEL.n_input, 10).held_out_start
    counts = {}
    for symbol in story.symbols[:start]:
        counts[symbol] = counts.get(symbol, 0) + 1
    seen_once = {symbol for symbol, count in counts.items() if count == 1}
    assert data.vocabulary.capped == seen_once
    unknown = data.vocabulary.unknown_id
    assert data.vocabulary.counts[unknown] == len(seen_once), "the network trains on ⟨unk⟩"
    assert (data.story_ids[:start] == unknown).sum() == len(seen_once)
    assert data.vocabulary.id_of(next(iter(seen_once))) == unknown, "a typed rare word reads as ⟨unk⟩"


def test_a_hold_out_the_story_cannot_afford_is_refused_in_words(fable_story) -> None:
    with pytest.raises(HoldoutError, match="Hold out"):
        prepare_training_data(load_story("one two three four five", name="tiny"), MODEL, holdout_percent=50)
