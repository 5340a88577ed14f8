"""Refusals of what is not a story: binary files, control codes, empty text, oversized files.

Each refusal is a `StoryError` subclass whose message says what to do instead:
`nextword.text.decoding` refuses before it reads the bytes, when no encoding reads them as text,
and after, when the text is full of control codes. Nothing here picks an encoding.
"""

from __future__ import annotations

import re
import unicodedata

from nextword.errors import BinaryStoryError, EmptyStoryError, StoryTooLargeError

# File signatures of the binary formats people most often rename to .txt by mistake.
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (Word, Excel and OpenDocument files are ZIP archives too)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x7fELF", "a program"),
    (b"RIFF", "a RIFF file (WAV audio, WebP image or AVI video)"),
    (b"OggS", "an Ogg audio file"),
    (b"ID3", "an MP3 audio file"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x00asm", "a WebAssembly program"),
)

# C0 and C1 control characters other than tab, line feed, vertical tab, form feed, carriage return.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# More control characters than this share of the text means binary data.
_CONTROL_SHARE_LIMIT = 0.01


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.3g} MB ({size:,} bytes)"


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a story of more than `max_bytes` bytes (StoryTooLargeError)."""
    if size > max_bytes:
        raise StoryTooLargeError(
            f"The story is {_megabytes(size)}, over the limit of {_megabytes(max_bytes)}. "
            "Use a shorter text, or cut this one into parts."
        )


def binary_signature(data: bytes) -> str | None:
    """What binary format the bytes start like, or None."""
    for signature, description in _BINARY_SIGNATURES:
        if data.startswith(signature):
            return description
    # MP4, MOV and HEIC files have "ftyp" after a 4-byte box size.
    if data[4:8] == b"ftyp":
        return "a video or HEIC image (MP4/MOV)"
    return None


def binary_error(reason: str) -> BinaryStoryError:
    """The refusal of bytes that are not text, saying why (`reason`) and what to upload instead."""
    return BinaryStoryError(
        f"This file does not look like text: {reason}. "
        "Upload the story as a plain-text file (.txt), or paste the text itself."
    )


def check_is_text(text: str) -> str:
    """Refuse text full of control characters or misread bytes; drop the few control characters an
    old editor may leave (e.g. ^Z)."""
    if "\x00" in text:
        raise binary_error("it contains NUL characters, which text never has")
    control_count = len(_CONTROL_CHARACTERS.findall(text))
    # Unassigned, private-use and surrogate characters and U+FFFD are signs of misread bytes (each
    # distinct character is looked at once).
    unusable = sum(
        text.count(character)
        for character in set(text)
        if character == "\ufffd" or unicodedata.category(character) in ("Cn", "Co", "Cs")
    )
    if control_count > max(2, _CONTROL_SHARE_LIMIT * len(text)):
        raise binary_error(f"{control_count:,} of its {len(text):,} characters are control codes")
    if unusable > max(2, _CONTROL_SHARE_LIMIT * len(text)):
        raise binary_error(f"{unusable:,} of its {len(text):,} characters are unreadable")
    return _CONTROL_CHARACTERS.sub("", text) if control_count else text


def check_not_empty(text: str) -> None:
    """Refuse text with nothing but white space in it (EmptyStoryError)."""
    if not text.strip():
        raise EmptyStoryError(
            "The story is empty (or holds only spaces and line breaks). "
            "Paste or upload a text with some words."
        )
