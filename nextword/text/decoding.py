"""Story bytes → text: the first step of the pipeline.

`decode_story` accepts bytes the way people upload them: UTF-8 with or without a byte order
mark, UTF-16/UTF-32 with a mark, UTF-16 without one, ISO-2022-JP/KR (told by their escapes), and
the common legacy encodings (Windows code pages, KOI8-R/U, ISO-8859-x, Mac Roman and Cyrillic,
Shift-JIS, EUC-JP, GB18030, Big5, EUC-KR, ...), the one whose reading `nextword.text.plausibility`
finds most like real writing. Line ends become "\\n" and the text is NFC-normalized. Images, PDFs,
archives and other binary data, empty text and oversized files are refused with a `StoryError`
subclass whose message says what to do. This module holds the order of attempts and the
normalizing; telling an unmarked encoding is `nextword.text.encoding_detection`'s job and the
refusals are `nextword.text.refusals`'. Nothing here knows about symbols: `nextword.text.corpus`
turns the text into them.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from nextword.text.encoding_detection import (
    DETECTION_SAMPLE_BYTES,
    decode_legacy,
    decode_mostly_utf8,
    plausible_utf16,
    utf16_without_mark,
)
from nextword.text.refusals import (
    CONTROL_CHARACTERS,
    CONTROL_SHARE_LIMIT,
    binary_error,
    binary_signature,
    check_is_text,
    check_not_empty,
    check_size,
    problem_counts,
)

# Byte order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
# The codec names decode the bytes with the mark, so `data.decode(name)` gives the text back.
_BYTE_ORDER_MARKS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# 7-bit encodings that switch character sets with escape sequences (Japanese and Korean e-mail),
# most common first; tried on ASCII-only bytes holding one of their escapes.
_ESCAPE_ENCODINGS = ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_kr")
_ESCAPES = re.compile(rb"\x1b(\$[@AB(CD]|\$\)C|\([BIJ])")

# C0 control bytes other than whitespace and ESC (which ISO-2022 uses): never in 8-bit text.
_STRAY_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")


def _decode_bytes(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding name); raises BinaryStoryError for what is not text."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            # A mark says the file is text; a damaged character is replaced, not fatal.
            return data.decode(encoding, errors="replace"), encoding
    if b"\x00" in data:
        encoding = utf16_without_mark(data)
        if encoding is not None:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                text = ""
            if text and sum(problem_counts(text)) <= CONTROL_SHARE_LIMIT * len(text):
                return text, encoding
        # Text in scripts without spaces (CJK) has too few NULs to tell the byte order that way.
        found = plausible_utf16(data)
        if found is not None:
            return found
        raise binary_error("it contains NUL bytes, which text files never have")
    if _STRAY_CONTROL_BYTES.search(data, 0, DETECTION_SAMPLE_BYTES):
        # Thai, Greek or Cyrillic in UTF-16 without spaces has no NUL, but control bytes (0x0E
        # for Thai), which no text in any other encoding has.
        found = plausible_utf16(data)
        if found is not None:
            return found
    if data.isascii() and _ESCAPES.search(data):
        for encoding in _ESCAPE_ENCODINGS:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not CONTROL_CHARACTERS.search(text):  # No escape or shift code left over.
                return text, encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = decode_mostly_utf8(data)
    if text is not None:
        return text, "utf-8"
    return decode_legacy(data)


def _normalize_text(text: str) -> str:
    """Line ends to "\\n", stray byte order marks out, NFC (so "é" is one character)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text)  # Quick when the text is NFC already.


def decode_story(data: bytes, max_bytes: int = 5_000_000) -> tuple[str, str]:
    """Decode uploaded bytes into normalized text; returns (text, name of the encoding used).

    Order of attempts: byte order mark → UTF-16 without a mark (told by its NULs) → ISO-2022-JP/KR
    (told by their escapes) → strict UTF-8 → UTF-8 with a few damaged bytes → the legacy encoding
    whose reading looks most like real text (candidates from charset_normalizer and a list of
    common code pages) → Latin-1. `data.decode` with the returned name gives the text back
    (before line ends and NFC are normalized).

    Raises StoryTooLargeError, EmptyStoryError or BinaryStoryError; never UnicodeDecodeError.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"decode_story expects bytes; got {type(data).__name__}.")
    check_size(len(data), max_bytes)
    if not data.strip():
        check_not_empty("")
    description = binary_signature(data)
    if description is not None:
        raise binary_error(f"it starts like {description}")
    text, encoding = _decode_bytes(data)
    text = check_is_text(_normalize_text(text))
    check_not_empty(text)
    return text, encoding


def decode_text(text: str, max_bytes: int = 5_000_000) -> str:
    """Typed or pasted text, checked and normalized as `decode_story` does for bytes."""
    check_size(len(text.encode("utf-8", errors="surrogatepass")), max_bytes)
    text = check_is_text(_normalize_text(text))
    check_not_empty(text)
    return text
