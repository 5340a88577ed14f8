"""Story bytes → text → symbols: encodings, refusals, the tokenizer's rule, the bundled stories."""

from __future__ import annotations

import codecs
import random
import zlib

import pytest

from nextword.config import CorpusConfig
from nextword.corpus import (
    DEFAULT_STORY,
    SPACE_SYMBOL,
    bundled_stories,
    check_story_length,
    detokenize,
    detokenize_pieces,
    load_story,
    tokenize,
)
from nextword.decoding import decode_story
from nextword.errors import (
    BinaryStoryError,
    EmptyStoryError,
    NeedsCharacterModeError,
    StoryError,
    StoryTooLargeError,
    StoryTooShortError,
)

RUSSIAN = "Жили-были дед да баба. Была у них курочка Ряба."
GREEK = "Μια φορά κι έναν καιρό ζούσε ένας βασιλιάς. Άκουσε τη φωνή του αετού."
FRENCH = "Maître Corbeau, sur un arbre perché, tenait en son bec un fromage. À ces mots..."
GERMAN = "Es war einmal ein kleines Mädchen, dem war Vater und Mutter gestorben."
JAPANESE = "むかしむかし、あるところに、おじいさんとおばあさんが住んでいました。"
CHINESE = "从前有座山，山里有座庙，庙里有个老和尚在给小和尚讲故事。"


# --- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Жили-были дед да баба", "cp1251"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8_r"),
        (GREEK, "iso8859_7"),
        (FRENCH, "cp1252"),
        (FRENCH, "latin_1"),
        (GERMAN, "cp1252"),
        (JAPANESE, "shift_jis"),
        (CHINESE, "gb18030"),
        (RUSSIAN, "utf-16-le"),
        (RUSSIAN, "utf-16-be"),
        (FRENCH, "utf-16-le"),
        (CHINESE, "utf-16-le"),
        (GREEK, "utf-8"),
    ],
)
def test_decode_story_reads_common_encodings(text: str, encoding: str) -> None:
    decoded, used = decode_story(text.encode(encoding))
    assert decoded == text
    assert codecs.lookup(used)  # A name Python knows.


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_decode_story_honours_byte_order_marks(encoding: str) -> None:
    data = GERMAN.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = codecs.BOM_UTF16_LE + data if encoding.endswith("le") else codecs.BOM_UTF16_BE + data
    decoded, used = decode_story(data)
    assert decoded == GERMAN
    assert data.decode(used).lstrip("\ufeff") == GERMAN  # The name decodes the bytes as they are.


def test_decode_story_normalizes_line_ends_and_to_nfc() -> None:
    decomposed = "e\u0301te\u0301\r\nsecond\rthird"
    text, _ = decode_story(decomposed.encode("utf-8"))
    assert text == "été\nsecond\nthird"


def test_decode_story_keeps_utf8_with_a_cut_last_character() -> None:
    data = ("Ça va très bien, merci. Déjà vu. " * 3).encode("utf-8") + "é".encode()[:1]
    text, used = decode_story(data)
    assert used == "utf-8"
    assert text.startswith("Ça va très bien")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
        b"PK\x03\x04\x14\x00\x06\x00",
        b"GIF89a\x01\x00\x01\x00",
        zlib.compress(b"x" * 100),
        b"hello\x00world\x00\x01\x02\x03\x00" * 10,
        bytes(range(1, 32)) * 10 + b"abc",
        bytes(byte | 0x80 for byte in random.Random(0).randbytes(3000)),  # Gibberish in any code page.
    ],
)
def test_decode_story_refuses_binary_data(data: bytes) -> None:
    with pytest.raises(BinaryStoryError, match="does not look like text"):
        decode_story(data)


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n ", "\ufeff  ".encode("utf-8"), "  \n".encode("utf-16")])
def test_decode_story_refuses_empty_text(data: bytes) -> None:
    with pytest.raises(EmptyStoryError, match="empty"):
        decode_story(data)


def test_decode_story_refuses_too_large_with_sizes_in_megabytes() -> None:
    with pytest.raises(StoryTooLargeError) as caught:
        decode_story(b"word " * 400_000, max_bytes=1_000_000)
    assert "2 MB" in str(caught.value) and "1 MB" in str(caught.value)


def test_errors_are_story_errors_and_value_errors() -> None:
    with pytest.raises(StoryError):
        decode_story(b"")
    with pytest.raises(ValueError):
        decode_story(b"")


def test_a_megabyte_of_cp1251_decodes_and_tokenizes() -> None:
    # Its speed is the bench's to measure; here: a large legacy-encoded file is read right.
    data = (RUSSIAN + "\n").encode("cp1251") * (1_000_000 // 48)
    text, used = decode_story(data)
    symbols = tokenize(text)
    assert used == "cp1251" and len(symbols) > 200_000


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
    assert story.symbol_count == 204
    assert len(set(story.symbols)) == 112
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


def test_bundled_stories_load_and_are_small() -> None:
    stories = bundled_stories()
    assert next(iter(stories)) == DEFAULT_STORY
    assert len(stories) == 4
    for title, path in stories.items():
        data = path.read_bytes()
        assert len(data) < 3000, title
        story = load_story(data, name=title)
        assert story.encoding == "utf-8" and story.symbol_count > 100
