"""Story bytes → text: common encodings, byte order marks, refusals of what is not text."""

from __future__ import annotations

import codecs
import random
import zlib

import pytest

from nextword.corpus import tokenize
from nextword.decoding import decode_story
from nextword.errors import BinaryStoryError, EmptyStoryError, StoryError, StoryTooLargeError

RUSSIAN = "Жили-были дед да баба. Была у них курочка Ряба."
GREEK = "Μια φορά κι έναν καιρό ζούσε ένας βασιλιάς. Άκουσε τη φωνή του αετού."
FRENCH = "Maître Corbeau, sur un arbre perché, tenait en son bec un fromage. À ces mots..."
GERMAN = "Es war einmal ein kleines Mädchen, dem war Vater und Mutter gestorben."
JAPANESE = "むかしむかし、あるところに、おじいさんとおばあさんが住んでいました。"
CHINESE = "从前有座山，山里有座庙，庙里有个老和尚在给小和尚讲故事。"


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
