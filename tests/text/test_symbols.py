"""Text → symbols: the tokenizer's rule and the bundled stories (bytes → text: test_decoding.py)."""

from __future__ import annotations

import pytest

from nextword.config import CorpusConfig
from nextword.errors import (
    EmptyStoryError,
    NeedsCharacterModeError,
    StoryTooLargeError,
    StoryTooShortError,
)
from nextword.text.corpus import (
    DEFAULT_STORY,
    SPACE_SYMBOL,
    bundled_stories,
    check_story_length,
    detokenize,
    detokenize_pieces,
    load_story,
    tokenize,
)
from tests.conftest import FABLE_SYMBOLS, FABLE_VOCABULARY

JAPANESE = "むかしむかし、あるところに、おじいさんとおばあさんが住んでいました。"
CHINESE = "从前有座山，山里有座庙，庙里有个老和尚在给小和尚讲故事。"


# --- tokenizing ----------------------------------------------------------------------------


def test_tokenize_splits_words_and_punctuation_and_lowercases() -> None:
    assert tokenize("the Cat.") == ["the", "cat", "."]
    assert tokenize("The Cat.", lowercase=False) == ["The", "Cat", "."]


def test_tokenize_keeps_inner_apostrophes_and_hyphens() -> None:
    assert tokenize("Don't smell l’odeur of a well-known 42nd cat-") == [
        "don't",
        "smell",
        "l’odeur",
        "of",
        "a",
        "well-known",
        "42nd",
        "cat",
        "-",
    ]
    assert tokenize("'quoted'") == ["'", "quoted", "'"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),
        ("Привет, мир!", ["привет", ",", "мир", "!"]),
        ("Ἀθῆναι.", ["ἀθῆναι", "."]),
        ("مرحبا بالعالم", ["مرحبا", "بالعالم"]),
        ("שָׁלוֹם עולם", ["שָׁלוֹם", "עולם"]),
        ("Ça déjà-vu", ["ça", "déjà-vu"]),
    ],
)
def test_tokenize_handles_any_script(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_tokenize_character_mode() -> None:
    assert tokenize("Ab  c\nd", "characters") == ["a", "b", SPACE_SYMBOL, "c", SPACE_SYMBOL, "d"]
    assert tokenize(JAPANESE, "characters")[:3] == ["む", "か", "し"]


@pytest.mark.parametrize("text", [JAPANESE, CHINESE, "กาลครั้งหนึ่งนานมาแล้ว มีเด็กคนหนึ่ง"])
def test_word_mode_refuses_text_without_spaces(text: str) -> None:
    with pytest.raises(NeedsCharacterModeError, match="character mode"):
        tokenize(text)
    assert tokenize(text, check_spacing=False)  # The check can be skipped for short inputs.


def test_word_mode_accepts_english_with_a_few_cjk_names() -> None:
    text = "My friend 山田太郎 moved to 東京 last year, and he writes to me every week about his new job."
    assert "山田太郎" in tokenize(text)


def test_detokenize_reads_naturally() -> None:
    symbols = tokenize('He said: "Hello (my friend), don\'t go!" ¿Qué?')
    assert detokenize(symbols) == 'he said: "hello (my friend), don\'t go!" ¿qué?'
    assert detokenize(["a", SPACE_SYMBOL, "b", "c"], "characters") == "a bc"


# --- stories -------------------------------------------------------------------------------


def test_detokenize_pieces_join_to_the_same_text() -> None:
    symbols = ["he", "said", ":", '"', "hello", "(", "my", "friend", ")", ",", "don't", "go", "!", '"']
    assert "".join(detokenize_pieces(symbols)) == detokenize(symbols)
    assert detokenize_pieces(["a", SPACE_SYMBOL, "b"], "characters") == ["a", " ", "b"]


def test_fable_has_the_articles_symbol_counts(fable_bytes: bytes) -> None:
    story = load_story(fable_bytes, name="fable")
    assert story.symbol_count == FABLE_SYMBOLS
    assert len(set(story.symbols)) == FABLE_VOCABULARY
    assert story.symbols[:4] == ("long", "ago", ",", "the")
    assert story.encoding == "utf-8"
    assert len(story.digest) == 64


def test_story_digest_depends_on_symbols_and_config() -> None:
    first = load_story("the cat sat .")
    assert first.digest == load_story("The cat sat.").digest  # Same symbols after lowercasing.
    assert first.digest != load_story("the cat sat .", CorpusConfig(lowercase=False, max_bytes=100)).digest
    assert first.digest != load_story("the cat sat !").digest


def test_load_story_checks_text_input_too() -> None:
    with pytest.raises(EmptyStoryError):
        load_story("  \n ")
    with pytest.raises(StoryTooLargeError):
        load_story("word " * 100, CorpusConfig(max_bytes=100))
    with pytest.raises(NeedsCharacterModeError):
        load_story(JAPANESE)
    assert load_story(JAPANESE, CorpusConfig(symbol_mode="characters")).symbol_count == len(JAPANESE)


def test_check_story_length_says_what_it_has_and_needs() -> None:
    check_story_length(4, 3)
    with pytest.raises(StoryTooShortError, match="has 3 symbols; it needs at least 4"):
        check_story_length(3, 3)


def test_bundled_stories_load_short_ones_first_and_one_long_one() -> None:
    stories = bundled_stories()
    assert next(iter(stories)) == DEFAULT_STORY
    sizes = {title: load_story(path.read_bytes(), name=title) for title, path in stories.items()}
    assert all(story.encoding == "utf-8" and story.symbol_count > 100 for story in sizes.values())
    counts = [story.symbol_count for story in sizes.values()]
    assert max(counts[:-1]) < 1_000 < 200_000 < counts[-1], "four short stories, then the long one"
