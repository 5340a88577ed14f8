"""Vocabulary: the article's ids for the fable, determinism, the size cap, unknown words, JSON."""

from __future__ import annotations

import json

import pytest

from nextword.errors import CheckpointError, UnknownSymbolError
from nextword.text.corpus import Story
from nextword.text.vocab import UNKNOWN_SYMBOL, Vocabulary
from tests.conftest import FABLE_SYMBOLS, FABLE_VOCABULARY


@pytest.fixture(scope="module")
def fable_vocabulary(fable_story: Story) -> Vocabulary:
    return Vocabulary.from_symbols(fable_story.symbols)


def test_fable_ids_match_the_article(fable_vocabulary: Vocabulary) -> None:
    assert len(fable_vocabulary) == FABLE_VOCABULARY
    assert fable_vocabulary.id_of(",") == 0
    assert fable_vocabulary.id_of("the") == 1
    # The article's example input "had a general" -> [20] [6] [33]: "a" is 6 for any tie order.
    assert fable_vocabulary.id_of("a") == 6
    assert fable_vocabulary.symbol_of(0) == ","
    assert fable_vocabulary.counts[:2] == (14, 11)
    assert sum(fable_vocabulary.counts) == FABLE_SYMBOLS


def test_ids_rank_by_frequency_then_first_appearance() -> None:
    vocabulary = Vocabulary.from_symbols("b a c a b d".split())
    assert vocabulary.symbols == ("b", "a", "c", "d")
    assert vocabulary.counts == (2, 2, 1, 1)
    # The same symbols always give the same ids.
    assert Vocabulary.from_symbols("b a c a b d".split()) == vocabulary


def test_encode_decode_round_trip(fable_story: Story, fable_vocabulary: Vocabulary) -> None:
    ids = fable_vocabulary.encode(fable_story.symbols)
    assert fable_vocabulary.decode(ids) == list(fable_story.symbols)
    assert "cat" in fable_vocabulary and "dog" not in fable_vocabulary


def test_unknown_words_are_all_named_with_suggestions(fable_vocabulary: Vocabulary) -> None:
    with pytest.raises(UnknownSymbolError) as caught:
        fable_vocabulary.encode(["the", "cta", "mouce", "xyzzy", "cta"])
    error = caught.value
    assert error.unknown == ["cta", "mouce", "xyzzy"]
    assert error.suggestions["cta"] == ["cat"]
    assert error.suggestions["mouce"][0] == "mouse"
    assert len(error.suggestions["mouce"]) <= 3
    assert error.suggestions["xyzzy"] == []
    assert "'cta'" in str(error) and "'cat'" in str(error) and "'xyzzy'" in str(error)


def test_size_cap_maps_rare_symbols_to_one_id() -> None:
    vocabulary = Vocabulary.from_symbols("a a a b b c d e".split(), max_size=3)
    assert vocabulary.symbols == ("a", "b", UNKNOWN_SYMBOL)
    assert vocabulary.counts == (3, 2, 3)
    assert vocabulary.unknown_id == 2
    assert vocabulary.encode(["a", "c", "e"]) == [0, 2, 2]
    assert vocabulary.decode([2]) == [UNKNOWN_SYMBOL]
    assert "d" in vocabulary
    with pytest.raises(UnknownSymbolError):
        vocabulary.encode(["z"])
    assert Vocabulary.from_symbols("a b".split()).unknown_id is None


def test_rows_for_a_table(fable_vocabulary: Vocabulary) -> None:
    rows = fable_vocabulary.rows()
    assert rows[0] == (",", 0, 14)
    assert rows[1] == ("the", 1, 11)
    assert len(rows) == FABLE_VOCABULARY


def test_dict_round_trip_keeps_everything() -> None:
    vocabulary = Vocabulary.from_symbols("a a a b b c d e".split(), max_size=3)
    data = json.loads(json.dumps(vocabulary.to_dict()))
    assert data["format_version"] == 1
    restored = Vocabulary.from_dict(data)
    assert restored == vocabulary
    assert restored.encode(["d", "a"]) == [2, 0]


@pytest.mark.parametrize(
    "data", [{"format_version": 2, "symbols": [], "counts": []}, {"format_version": 1}, []]
)
def test_from_dict_refuses_other_formats(data: object) -> None:
    with pytest.raises(CheckpointError):
        Vocabulary.from_dict(data)  # type: ignore[arg-type]


def test_symbol_of_out_of_range(fable_vocabulary: Vocabulary) -> None:
    with pytest.raises(IndexError):
        fable_vocabulary.symbol_of(FABLE_VOCABULARY)
