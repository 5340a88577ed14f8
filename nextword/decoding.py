"""Story bytes → text: the first step of the pipeline.

`decode_story` accepts bytes the way people upload them: UTF-8 with or without a byte order
mark, UTF-16/UTF-32 with a mark, UTF-16 without one, ISO-2022-JP/KR (told by their escapes), and
the common legacy encodings (Windows code pages, KOI8-R/U, ISO-8859-x, Mac Roman, Shift-JIS,
EUC-JP, GB18030, Big5, EUC-KR, ...), the one whose reading `nextword.plausibility` finds most like
real writing. Line ends become "\\n" and the text is NFC-normalized. Images, PDFs, archives and
other binary data, empty text and oversized files are refused with a `StoryError` subclass whose
message says what to do. Nothing here knows about symbols: `nextword.corpus` turns the text
into them.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

from nextword.errors import BinaryStoryError, EmptyStoryError, StoryTooLargeError
from nextword.plausibility import plausibility

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

# Legacy encodings tried on text that is not UTF-8, in order of preference when two read the
# bytes equally well (cp1252 first: it is what most non-UTF-8 Western files are).
_LEGACY_ENCODINGS: tuple[str, ...] = (
    "cp1252",
    "cp1251",
    "koi8_r",
    "iso8859_7",
    "cp1253",
    "cp1250",
    "iso8859_2",
    "cp1254",
    "mac_roman",
    "cp1257",
    "iso8859_5",
    "cp866",
    "koi8_u",
    "cp1255",
    "iso8859_8",
    "cp1256",
    "iso8859_6",
    "cp874",
    "cp1258",
    "shift_jis",
    "cp932",
    "euc_jp",
    "gb18030",
    "big5",
    "cp950",
    "cp949",
    "euc_kr",
    "shift_jis_2004",
    "euc_jis_2004",
    "big5hkscs",
    "iso8859_15",
    "cp850",
    "latin_1",
)
# charset_normalizer's guesses that we also accept (it knows UTF-16 without a mark, for example).
_ACCEPTED_DETECTOR_ENCODINGS = frozenset(_LEGACY_ENCODINGS) | {"utf_16_le", "utf_16_be", "gbk", "gb2312"}
# A guess from the detector is replaced by a superset that decodes the same bytes the same way.
_ENCODING_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030"}

# Bytes of the sample used to pick a legacy encoding (whole file for small stories).
_DETECTION_SAMPLE_BYTES = 64_000
# Real text scores 0.2 and more (see plausibility); random bytes read in any code page about -0.7.
_GIBBERISH_SCORE = -0.5
# Text whose best reading has fewer non-ASCII characters than this share is never gibberish: a few
# odd letters in an ASCII text make a low score per non-ASCII character, not binary data.
_GIBBERISH_NON_ASCII_SHARE = 0.1
# Characters of each candidate reading that are scored (scoring is pure Python, ~1 µs a character):
# a first look at every reading, then a closer one at the best few.
_QUICK_SCORED_CHARACTERS = 1_500
_SCORED_CHARACTERS = 8_000
_FINALISTS = 4
# C0 and C1 control characters other than tab, line feed, vertical tab, form feed, carriage return.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# C0 control bytes other than whitespace and ESC (which ISO-2022 uses): never in 8-bit text.
_STRAY_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")
# More control characters than this share of the text means binary data.
_CONTROL_SHARE_LIMIT = 0.01

# Encodings of languages that cannot be written without their own script: Japanese text has kana,
# Korean text has hangul. Chinese bytes read as Japanese give ideographs only.
_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")  # Not "・" nor "ー", which Chinese text has too.
_HANGUL = re.compile("[\uac00-\ud7a3]")
_EXPECTED_SCRIPT = {
    "shift_jis": _KANA,
    "cp932": _KANA,
    "shift_jis_2004": _KANA,
    "euc_jp": _KANA,
    "euc_jis_2004": _KANA,
    "cp949": _HANGUL,
    "euc_kr": _HANGUL,
}


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.3g} MB ({size:,} bytes)"


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise StoryTooLargeError(
            f"The story is {_megabytes(size)}, over the limit of {_megabytes(max_bytes)}. "
            "Use a shorter text, or cut this one into parts."
        )


def _binary_signature(data: bytes) -> str | None:
    """What binary format the bytes start like, or None."""
    for signature, description in _BINARY_SIGNATURES:
        if data.startswith(signature):
            return description
    # MP4, MOV and HEIC files have "ftyp" after a 4-byte box size.
    if data[4:8] == b"ftyp":
        return "a video or HEIC image (MP4/MOV)"
    return None


def _binary_error(reason: str) -> BinaryStoryError:
    return BinaryStoryError(
        f"This file does not look like text: {reason}. "
        "Upload the story as a plain-text file (.txt), or paste the text itself."
    )


def _is_unusable(character: str) -> bool:
    """Unassigned, private-use and surrogate characters and U+FFFD: signs of misread bytes."""
    return character == "\ufffd" or unicodedata.category(character) in ("Cn", "Co", "Cs")


@lru_cache(maxsize=1)
def _suspect_characters() -> re.Pattern[str]:
    """Control characters, the unusable characters of the first plane, and all characters beyond it.

    One scan of a text finds them all (~20 ms a megabyte); characters beyond the first plane
    (emoji, rare ideographs) are few and are checked one by one.
    """
    ranges = []
    code = 0x80
    while code < 0x10000:
        if _is_unusable(chr(code)):
            start = code
            while code + 1 < 0x10000 and _is_unusable(chr(code + 1)):
                code += 1
            ranges.append(f"{chr(start)}-{chr(code)}")
        code += 1
    return re.compile(f"[{_CONTROL_CHARACTERS.pattern[1:-1]}{''.join(ranges)}\U00010000-\U0010ffff]")


def _problem_counts(text: str) -> tuple[int, int]:
    """(control characters, unusable characters) in `text`, in one scan."""
    suspects = _suspect_characters().findall(text)
    if not suspects:
        return 0, 0
    controls = sum(1 for character in suspects if character <= "\x9f")
    beyond = [character for character in suspects if character >= "\U00010000"]
    unusable = len(suspects) - controls - len(beyond) + sum(map(_is_unusable, beyond))
    return controls, unusable


def _detection_sample(data: bytes) -> bytes:
    """The start of `data`, cut after a line feed so that no multi-byte character is split."""
    if len(data) <= _DETECTION_SAMPLE_BYTES:
        return data
    sample = data[:_DETECTION_SAMPLE_BYTES]
    cut = sample.rfind(b"\n")
    return sample[: cut + 1] if cut > _DETECTION_SAMPLE_BYTES // 2 else sample


def _detector_guesses(sample: bytes) -> list[str]:
    """charset_normalizer's best guesses among the encodings we accept (none if not installed)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a dependency, but decoding must not need it
        return []
    try:
        matches = from_bytes(sample)
    except Exception:  # noqa: BLE001 - a detector failure only means one source of guesses less
        return []
    guesses = []
    for match in list(matches)[:5]:
        name = codecs.lookup(match.encoding).name.replace("-", "_")
        name = {"iso8859_1": "latin_1", "utf_16le": "utf_16_le", "utf_16be": "utf_16_be"}.get(name, name)
        if name in _ACCEPTED_DETECTOR_ENCODINGS:
            guesses.append(_ENCODING_SUPERSETS.get(name, name))
    return guesses


def _rank_readings(readings: dict[str, str], characters: int) -> list[tuple[float, str]]:
    """(score, encoding) of each reading of the sample, best first; ties keep the readings' order."""
    scores: dict[str, float] = {}  # Encodings that read the sample alike score alike: score once.
    ranked = []
    for encoding, text in readings.items():
        scored = text[:characters]
        if scored not in scores:
            scores[scored] = plausibility(scored)
        score = scores[scored]
        expected = _EXPECTED_SCRIPT.get(encoding)
        if expected is not None and not expected.search(text):
            score -= 0.5
        ranked.append((score, encoding))
    ranked.sort(key=lambda item: -item[0])  # Stable: the order of _LEGACY_ENCODINGS breaks ties.
    return ranked


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """Read bytes that are not UTF-8: rank candidate encodings by how natural the text looks."""
    sample = _detection_sample(data)
    # Our list's order breaks ties; the detector adds what the list lacks (UTF-16 without NULs).
    readings: dict[str, str] = {}
    for encoding in dict.fromkeys(list(_LEGACY_ENCODINGS) + _detector_guesses(sample)):
        try:
            readings[encoding] = sample.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    ranked = _rank_readings(readings, _QUICK_SCORED_CHARACTERS)
    if ranked and len(sample) > _QUICK_SCORED_CHARACTERS:
        # The readings of the best few scores (encodings reading the sample alike share one).
        cutoff = sorted({score for score, _ in ranked}, reverse=True)[:_FINALISTS][-1]
        finalists = {encoding: readings[encoding] for score, encoding in ranked if score >= cutoff}
        ranked = _rank_readings(finalists, _SCORED_CHARACTERS) + [
            (score, encoding) for score, encoding in ranked if encoding not in finalists
        ]
    if ranked and ranked[0][0] < _GIBBERISH_SCORE:
        best = readings[ranked[0][1]]
        if len(best) - len(best.encode("ascii", errors="ignore")) >= _GIBBERISH_NON_ASCII_SHARE * len(best):
            raise _binary_error(
                "its bytes read as gibberish in every common text encoding "
                "(if it is text, save it as UTF-8 and upload it again)"
            )
    for _, encoding in ranked:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue  # The sample decoded but a later part did not: try the next candidate.
    return data.decode("latin_1"), "latin_1"  # Every byte is a Latin-1 character.


def _decode_mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few damaged bytes (a cut last character, one stray byte), else None.

    Text in a legacy encoding fails UTF-8 at nearly every non-ASCII letter, so valid multi-byte
    characters far outnumbering the errors mean the file is UTF-8 after all.
    """
    if len(data) > _DETECTION_SAMPLE_BYTES:
        # A look at the start first, cut before a character's continuation bytes: legacy text
        # fails there already, and need not be read whole as UTF-8.
        cut = _DETECTION_SAMPLE_BYTES
        while cut > _DETECTION_SAMPLE_BYTES - 3 and data[cut] & 0xC0 == 0x80:
            cut -= 1
        if not _mostly_utf8(data[:cut], data[:cut].decode("utf-8", errors="replace")):
            return None
    text = data.decode("utf-8", errors="replace")
    return text if _mostly_utf8(data, text) else None


def _mostly_utf8(data: bytes, text: str) -> bool:
    """Whether `text`, `data` read as UTF-8 with errors replaced, has few damaged characters."""
    damaged = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    valid_non_ascii = non_ascii - text.count("\ufffd")
    return damaged <= 0 or valid_non_ascii >= 10 * damaged


def _utf16_without_mark(data: bytes) -> str | None:
    """The UTF-16 byte order of `data` told by its NULs, or None.

    ASCII characters (spaces, line ends, Latin letters) in UTF-16 have a NUL high byte, so NULs
    gather at odd positions (little-endian) or even positions (big-endian); binary data has
    NULs at both.
    """
    if len(data) % 2:
        return None
    sample = data[:_DETECTION_SAMPLE_BYTES]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls > 3 * even_nuls and odd_nuls >= 0.01 * (len(sample) // 2):
        return "utf-16-le"
    if even_nuls > 3 * odd_nuls and even_nuls >= 0.01 * (len(sample) // 2):
        return "utf-16-be"
    return None


def _plausible_utf16(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) if `data` reads as clean, plausible UTF-16 in one byte order, else None."""
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(_problem_counts(text)) and plausibility(text[:_SCORED_CHARACTERS]) > 0:
            return text, encoding
    return None


def _decode_bytes(data: bytes) -> tuple[str, str]:
    """Bytes → (text, encoding name); raises BinaryStoryError for what is not text."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            # A mark says the file is text; a damaged character is replaced, not fatal.
            return data.decode(encoding, errors="replace"), encoding
    if b"\x00" in data:
        encoding = _utf16_without_mark(data)
        if encoding is not None:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                text = ""
            if text and sum(_problem_counts(text)) <= _CONTROL_SHARE_LIMIT * len(text):
                return text, encoding
        # Text in scripts without spaces (CJK) has too few NULs to tell the byte order that way.
        found = _plausible_utf16(data)
        if found is not None:
            return found
        raise _binary_error("it contains NUL bytes, which text files never have")
    if _STRAY_CONTROL_BYTES.search(data, 0, _DETECTION_SAMPLE_BYTES):
        # Thai, Greek or Cyrillic in UTF-16 without spaces has no NUL, but control bytes (0x0E
        # for Thai), which no text in any other encoding has.
        found = _plausible_utf16(data)
        if found is not None:
            return found
    if data.isascii() and _ESCAPES.search(data):
        for encoding in _ESCAPE_ENCODINGS:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not _CONTROL_CHARACTERS.search(text):  # No escape or shift code left over.
                return text, encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = _decode_mostly_utf8(data)
    if text is not None:
        return text, "utf-8"
    return _decode_legacy(data)


def _normalize_text(text: str) -> str:
    """Line ends to "\\n", stray byte order marks out, NFC (so "é" is one character)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text)  # Quick when the text is NFC already.


def _check_is_text(text: str) -> str:
    """Refuse text full of control characters; drop the few an old editor may leave (e.g. ^Z)."""
    if "\x00" in text:
        raise _binary_error("it contains NUL characters, which text never has")
    control_count, unusable = _problem_counts(text)
    if control_count > max(2, _CONTROL_SHARE_LIMIT * len(text)):
        raise _binary_error(f"{control_count:,} of its {len(text):,} characters are control codes")
    if unusable > max(2, _CONTROL_SHARE_LIMIT * len(text)):
        raise _binary_error(f"{unusable:,} of its {len(text):,} characters are unreadable")
    return _CONTROL_CHARACTERS.sub("", text) if control_count else text


def _check_not_empty(text: str) -> None:
    if not text.strip():
        raise EmptyStoryError(
            "The story is empty (or holds only spaces and line breaks). "
            "Paste or upload a text with some words."
        )


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
    _check_size(len(data), max_bytes)
    if not data.strip():
        _check_not_empty("")
    description = _binary_signature(data)
    if description is not None:
        raise _binary_error(f"it starts like {description}")
    text, encoding = _decode_bytes(data)
    text = _check_is_text(_normalize_text(text))
    _check_not_empty(text)
    return text, encoding


def decode_text(text: str, max_bytes: int = 5_000_000) -> str:
    """Typed or pasted text, checked and normalized as `decode_story` does for bytes."""
    _check_size(len(text.encode("utf-8", errors="surrogatepass")), max_bytes)
    text = _check_is_text(_normalize_text(text))
    _check_not_empty(text)
    return text
