"""Story bytes → text: paragraph-length stories in the encodings people save them in, refusals.

The stories are the bundled ones in data/ and the paragraphs in tests/fixtures/paragraphs/; each
is encoded the way a file would hold it and `decode_story` must give the text back.
"""

from __future__ import annotations

import codecs
import random
import zlib

import pytest

from nextword.errors import BinaryStoryError, EmptyStoryError, StoryError, StoryTooLargeError
from nextword.text.corpus import DATA_DIRECTORY
from nextword.text.decoding import decode_story
from tests.conftest import ROOT

PARAGRAPH_DIRECTORY = ROOT / "tests" / "fixtures" / "paragraphs"
PARAGRAPHS = {path.stem: path.read_text(encoding="utf-8") for path in PARAGRAPH_DIRECTORY.glob("*.txt")}
STORIES = {path.stem: path.read_text(encoding="utf-8") for path in DATA_DIRECTORY.glob("*.txt")}
TEXTS = {**STORIES, **PARAGRAPHS}


def with_mark(text: str, encoding: str) -> bytes:
    mark = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    return mark + text.encode(encoding)


UNICODE_FILES = [
    pytest.param(name, form, id=f"{name}-{form}")
    for name in sorted(TEXTS)
    for form in ("utf-8", "utf-8-sig", "utf-16-le+mark", "utf-16-be+mark", "utf-16-le", "utf-16-be", "utf-32")
]

# Each language in the legacy encodings its files come in.
LEGACY_FILES = [
    ("la_fontaine_fables", "cp1252"),
    ("la_fontaine_fables", "mac_roman"),
    ("sterntaler", "cp1252"),
    ("german", "latin_1"),
    ("german", "cp1252"),
    ("italian", "cp1252"),
    ("russian", "cp1251"),
    ("russian", "koi8_r"),
    ("japanese", "shift_jis"),
    ("japanese", "cp932"),
    ("japanese", "euc_jp"),
    ("chinese_simplified", "gb18030"),
    ("chinese_simplified", "gbk"),
    ("chinese_traditional", "big5"),
    ("korean", "euc_kr"),
]


@pytest.mark.parametrize(("name", "form"), UNICODE_FILES)
def test_unicode_stories_decode_to_their_text(name: str, form: str) -> None:
    encoding = form.removesuffix("+mark")
    data = with_mark(TEXTS[name], encoding) if form.endswith("+mark") else TEXTS[name].encode(encoding)
    decoded = decode_story(data)
    assert (decoded.text, decoded.note) == (TEXTS[name], None)


@pytest.mark.parametrize(("name", "encoding"), LEGACY_FILES, ids=lambda value: value)
def test_legacy_stories_decode_to_their_text(name: str, encoding: str) -> None:
    data = TEXTS[name].encode(encoding)
    decoded = decode_story(data)
    assert decoded.text == TEXTS[name], f"read as {decoded.encoding}"
    assert decoded.note is None
    assert data.decode(decoded.encoding) == TEXTS[name]  # The name returned reads the bytes back.


def test_a_weak_guess_says_so_and_how_to_avoid_it() -> None:
    # ISO-8859-7 and Windows-1253 differ only in a few Greek capitals: neither reading is clearly better.
    decoded = decode_story(PARAGRAPHS["greek"].encode("iso8859_7"))
    assert decoded.note is not None
    assert "save the story as UTF-8" in decoded.note


def test_line_ends_and_accents_are_normalized() -> None:
    text = decode_story("e\u0301te\u0301\r\nsecond\rthird".encode()).text
    assert text == "été\nsecond\nthird"


def test_damaged_utf8_is_read_with_replacements_and_a_note() -> None:
    good = PARAGRAPHS["russian"].encode("utf-8")
    space = good.index(b" ", 100)
    data = good[:space] + b"\xff" + good[space:] + "ё".encode()[:1]  # A stray byte, a cut last letter.
    decoded = decode_story(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text.replace("\ufffd", "") == PARAGRAPHS["russian"]
    assert decoded.text.count("\ufffd") == 2
    assert "2 damaged bytes" in decoded.note


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "a GIF image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "a PDF document"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Word, Excel and OpenDocument files are ZIP archives"),
        (zlib.compress(b"x" * 100), "NUL bytes"),
        (b"\x1f\x8b\x08\x00" + bytes(20), "a gzip archive"),
        (b"\x00\x00\x00\x18ftypmp42", "MP4/MOV"),
        (b"hello\x00world\x00\x01\x02\x03\x00" * 10, "are control codes"),
        (bytes(range(1, 32)) * 10 + b"abc", "are control codes"),
        (bytes(byte | 0x80 for byte in random.Random(0).randbytes(3000)), "gibberish"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_what_is_not_text_is_refused_saying_what_it_looks_like(data: bytes, message: str) -> None:
    with pytest.raises(BinaryStoryError, match="does not look like text") as caught:
        decode_story(data)
    assert message in str(caught.value)


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n ", "\ufeff  ".encode("utf-8"), "  \n".encode("utf-16")])
def test_empty_text_is_refused(data: bytes) -> None:
    with pytest.raises(EmptyStoryError, match="The story is empty"):
        decode_story(data)


def test_too_large_is_refused_with_sizes_in_megabytes() -> None:
    with pytest.raises(StoryTooLargeError, match="The story is 2 MB .* over the limit of 1 MB"):
        decode_story(b"word " * 400_000, max_bytes=1_000_000)


def test_refusals_are_story_errors_and_value_errors() -> None:
    for error in (StoryError, ValueError):
        with pytest.raises(error):
            decode_story(b"")


def test_a_megabyte_of_koi8_r_decodes_whole() -> None:
    text = PARAGRAPHS["russian"] * (1_000_000 // len(PARAGRAPHS["russian"].encode("koi8_r")))
    decoded = decode_story(text.encode("koi8_r"))
    assert (decoded.encoding, decoded.text) == ("koi8_r", text)
