"""Story bytes → text → symbols: the first step of the pipeline.

Decoding (`decode_story`) accepts bytes the way people upload them: UTF-8 with or without a byte
order mark, UTF-16/UTF-32 with a mark, UTF-16 without one, and the common legacy encodings
(Windows code pages, KOI8-R, ISO-8859-x, Shift-JIS, GB18030, ...). Line ends become "\\n" and the
text is NFC-normalized. Images, PDFs, archives and other binary data, empty text and oversized
files are refused with a `StoryError` subclass whose message says what to do.

Symbols (`tokenize`), word mode: a word is a run of letters, digits and combining marks in any
script; **the one joining rule: an apostrophe (' or ’) or a hyphen between two word characters
keeps them in one word** ("don't", "l'odeur", "well-known"). Every other character that is not
whitespace (punctuation, symbols, emoji, "_") is a symbol of its own. Text is lower-cased unless
asked otherwise. Character mode: every character is a symbol and each run of whitespace becomes
`SPACE_SYMBOL`.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from nextword.config import CorpusConfig
from nextword.errors import (
    BinaryStoryError,
    EmptyStoryError,
    NeedsCharacterModeError,
    StoryTooLargeError,
    StoryTooShortError,
)

SPACE_SYMBOL = "␣"

DATA_DIRECTORY = Path(__file__).resolve().parent.parent / "data"
DEFAULT_STORY = "Belling the Cat (Aesop, the article's fable)"
_BUNDLED_FILES: dict[str, str] = {
    DEFAULT_STORY: "belling_the_cat.txt",
    "The Hare and the Tortoise, and two more (Aesop)": "aesop_fables.txt",
    "Le Corbeau et le Renard, La Cigale et la Fourmi (La Fontaine)": "la_fontaine_fables.txt",
    "Die Sterntaler (Brüder Grimm)": "sterntaler.txt",
}


# --------------------------------------------------------------------------------------------
# Tokenizer patterns
# --------------------------------------------------------------------------------------------


def _combining_marks() -> str:
    """A character-class body with every combining mark (\\p{M}).

    Python's `re` has no \\p{M} and its \\w leaves marks out, which would cut Devanagari, Thai or
    Arabic words after every vowel sign. Scanning the first two planes takes about 20 ms; above
    them only the variation selectors supplement holds marks.
    """
    ranges: list[tuple[int, int]] = [(0x200C, 0x200D)]  # Zero-width (non-)joiners sit inside words.
    start: int | None = None
    for code_point in range(0x0300, 0x20000):
        if unicodedata.category(chr(code_point)).startswith("M"):
            if start is None:
                start = code_point
        elif start is not None:
            ranges.append((start, code_point - 1))
            start = None
    ranges.append((0xE0100, 0xE01EF))
    return "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)


_MARKS = _combining_marks()
# A word character: a letter, digit or combining mark. \w also matches "_", which must be a symbol
# of its own; `tokenize` puts spaces around underscores first, as one class is faster than two.
_WORD_CHARACTER = rf"[\w{_MARKS}]"
# Apostrophes and hyphens that join two words into one: ' ’ - ‐ ‑
_JOINERS = "'\u2019\\-\u2010\u2011"
# A word, or else any single non-space character with the marks that sit on it.
_SYMBOL_PATTERN = re.compile(rf"{_WORD_CHARACTER}+(?:[{_JOINERS}]{_WORD_CHARACTER}+)*|\S[{_MARKS}]*")
_WHITESPACE_RUN = re.compile(r"\s+")

# Scripts written without spaces between words; word mode makes whole sentences one "word".
_UNSPACED_SCRIPT_CHARACTERS = re.compile(
    "["
    "\u0e00-\u0eff"  # Thai, Lao
    "\u0f00-\u0fff"  # Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK extensions B and later
    "]"
)
# Share of unspaced-script characters above which word mode is refused.
_UNSPACED_SHARE_LIMIT = 0.3
# "Words" this long are sentences glued together (a script we did not list above).
_LONG_WORD_LENGTH = 30

# Detokenizing: no space before closing punctuation, none after opening brackets and quotes.
_NO_SPACE_BEFORE = frozenset(",.;:!?)]}»”’…%、。，．！？：；）」』】〉》")
_NO_SPACE_AFTER = frozenset("([{«“‘¿¡「『【〈《（")
_STRAIGHT_QUOTES = frozenset("\"'")


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------

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
    "cp1257",
    "iso8859_5",
    "cp866",
    "koi8_u",
    "cp1255",
    "iso8859_8",
    "cp1256",
    "iso8859_6",
    "cp874",
    "shift_jis",
    "cp932",
    "euc_jp",
    "gb18030",
    "big5",
    "cp949",
    "euc_kr",
    "iso8859_15",
    "mac_roman",
    "cp850",
    "latin_1",
)
# charset_normalizer's guesses that we also accept (it knows UTF-16 without a mark, for example).
_ACCEPTED_DETECTOR_ENCODINGS = frozenset(_LEGACY_ENCODINGS) | {"utf_16_le", "utf_16_be", "gbk", "gb2312"}
# A guess from the detector is replaced by a superset that decodes the same bytes the same way.
_ENCODING_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030"}

# Bytes of the sample used to pick a legacy encoding (whole file for small stories).
_DETECTION_SAMPLE_BYTES = 64_000
# Real text scores 0.2 and more (see _plausibility); random bytes read in any code page about -0.7.
_GIBBERISH_SCORE = -0.5
# Characters of each candidate reading that are scored (scoring is pure Python, ~1 µs a character).
_SCORED_CHARACTERS = 8_000
# C0 and C1 control characters other than tab, line feed, vertical tab, form feed, carriage return.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# More control characters than this share of the text means binary data.
_CONTROL_SHARE_LIMIT = 0.01

# Typography that real text uses outside ASCII; other non-letters count against an encoding.
_COMMON_TYPOGRAPHY = frozenset("\u00a0«»‹›–—‘’‚“”„…•·°€£¥¢§©®™№¡¿×÷±\u3000、。「」『』（）・！？，：；")
# The most frequent letters of the main languages of each script (Russian, Greek, Western Latin).
_FREQUENT_LETTERS = frozenset("оеаинтсрвлαοειτνσςηρκπάέίόéèàçäöüßñáíóúâêôışğ")
# Encodings of languages that cannot be written without their own script: Japanese text has kana,
# Korean text has hangul. Chinese bytes read as Japanese give ideographs only.
_EXPECTED_SCRIPT = {
    "shift_jis": re.compile("[\u3040-\u30ff]"),
    "cp932": re.compile("[\u3040-\u30ff]"),
    "euc_jp": re.compile("[\u3040-\u30ff]"),
    "cp949": re.compile("[\uac00-\ud7af]"),
    "euc_kr": re.compile("[\uac00-\ud7af]"),
}
# About 200 of the most frequent Chinese characters (simplified and traditional forms).
_FREQUENT_HAN = frozenset(
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学"
    "对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头"
    "面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向"
    "情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信"
    "北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难"
    "這個們來說國會對時後麼當還過於無開見經頭從動兩長現將實點問種聲話員書"
)


@dataclass(frozen=True)
class Story:
    """A story ready for training: its text, how it was read, and its symbols."""

    # The decoded, normalized text (line ends "\n", NFC).
    text: str
    # The encoding the bytes were read with ("unicode" when text was passed in directly).
    encoding: str
    # Words and punctuation marks (word mode) or characters (character mode), in order.
    symbols: tuple[str, ...]
    # The settings that turned the text into symbols.
    config: CorpusConfig
    # A name to show (a file name or a bundled story's title).
    name: str

    @cached_property
    def digest(self) -> str:
        """SHA-256 (hex) of the symbols and the config: equal digests mean equal training data."""
        hasher = hashlib.sha256(json.dumps(self.config.to_dict(), sort_keys=True).encode("utf-8"))
        # A unit separator between symbols, so ("ab", "c") and ("a", "bc") differ.
        hasher.update("\x1f".join(self.symbols).encode("utf-8"))
        return hasher.hexdigest()

    @property
    def symbol_count(self) -> int:
        return len(self.symbols)


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


def _unusable_count(text: str) -> int:
    """Unassigned, private-use and surrogate characters and U+FFFD: signs of misread bytes."""
    # Checking each distinct character once is far faster than a regex over every character.
    unusable = [
        character
        for character in set(text)
        if ord(character) >= 0x80
        and (character == "\ufffd" or unicodedata.category(character) in ("Cn", "Co", "Cs"))
    ]
    return sum(text.count(character) for character in unusable)


@lru_cache(maxsize=65_536)
def _character_plausibility(character: str) -> tuple[float, str, int]:
    """(score, script, case) of one non-ASCII character, for ranking encodings.

    The score is positive for frequent letters and negative for what bytes read with the wrong
    encoding turn into (controls, rare symbols, half-width katakana). Script is the first word of
    the Unicode name ("" for non-letters); case is 1 upper, -1 lower, 0 uncased.
    """
    category = unicodedata.category(character)
    if category in ("Cc", "Cn", "Co", "Cs") or character == "\ufffd":
        return -10.0, "", 0
    if not category.startswith(("L", "M")):
        return (0.0 if character in _COMMON_TYPOGRAPHY else -3.0), "", 0
    name = unicodedata.name(character, "UNKNOWN")
    script = name.split(" ")[0]
    if script == "HALFWIDTH":
        return -2.0, "CJK", 0
    if script in ("HIRAGANA", "KATAKANA", "CJK"):
        # Japanese text is about half hiragana; frequent ideographs beat rare ones.
        frequent = script == "HIRAGANA" or character in _FREQUENT_HAN
        return (0.5 if frequent else 0.2), "CJK", 0
    case = 1 if character.isupper() else (-1 if character.islower() else 0)
    if character.lower() in _FREQUENT_LETTERS:
        score = 0.5
    elif case == 0:
        score = 0.25  # Letters of uncased scripts (Hebrew, Arabic, Thai, Hangul...) are plausible.
    else:
        score = 0.0
    return score, script, case


def _plausibility(text: str) -> float:
    """How much `text` looks like real writing, per non-ASCII character (higher is better).

    It rewards frequent letters and punishes what a wrong code page produces: control and rare
    characters, letters of two scripts in one word, symbols inside words, capitals after small
    letters (KOI8-R read as Windows-1251 swaps the cases), Latin words made only of accented
    letters (Cyrillic read as Windows-1252).
    """
    total = 0.0
    non_ascii = ascii_letters = upper = lower = 0
    script_counts: dict[str, int] = {}
    previous_script = ""
    previous_case = 0
    previous_character = " "
    symbol_after_letter = False
    for character in text:
        if ord(character) < 0x80:
            if (character < " " and character not in "\t\n\v\f\r") or character == "\x7f":
                total -= 10.0  # Control codes: UTF-16 or binary bytes read as a code page.
                non_ascii += 1
            is_letter = character.isalpha()
            script = "LATIN" if is_letter else ""
            case = (1 if character.isupper() else -1) if is_letter else 0
            ascii_letters += is_letter
        else:
            non_ascii += 1
            score, script, case = _character_plausibility(character)
            total += score
            if script:
                script_counts[script] = script_counts.get(script, 0) + 1
            upper += case == 1
            lower += case == -1
            if script and previous_script and script != previous_script:
                total -= 3.0  # Two scripts inside one word.
            if case == 1 and previous_case == -1:
                total -= 1.5  # A capital right after a small letter.
            if previous_character == "ς" and script:
                total -= 2.0  # A Greek final sigma inside a word.
            if script and symbol_after_letter:
                total -= 2.0  # A symbol between two letters.
        symbol_after_letter = (
            not script
            and bool(previous_script)
            and ord(character) >= 0x80
            and not character.isspace()
            and character not in "’·"
        )
        previous_script, previous_case, previous_character = script, case, character
    if non_ascii == 0:
        return 0.0
    if script_counts:
        main_script = max(script_counts, key=script_counts.__getitem__)
        total -= 2.0 * sum(count for script, count in script_counts.items() if script != main_script)
        latin_accented = script_counts.get("LATIN", 0)
        if main_script == "LATIN" and latin_accented > 0.6 * (latin_accented + ascii_letters):
            total -= latin_accented  # Real Latin-script text is mostly plain ASCII letters.
    if upper > lower and upper >= 3:
        total -= 0.5 * upper  # Stories are not written in capitals; swapped cases are.
    return total / non_ascii


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


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """Read bytes that are not UTF-8: rank candidate encodings by how natural the text looks."""
    sample = _detection_sample(data)
    # Our list's order breaks ties; the detector adds what the list lacks (UTF-16 without NULs).
    candidates = list(dict.fromkeys(list(_LEGACY_ENCODINGS) + _detector_guesses(sample)))
    ranked: list[tuple[float, int, str]] = []
    for preference, encoding in enumerate(candidates):
        try:
            text = sample.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        score = _plausibility(text[:_SCORED_CHARACTERS])
        expected = _EXPECTED_SCRIPT.get(encoding)
        if expected is not None and not expected.search(text):
            score -= 0.5
        ranked.append((-score, preference, encoding))
    ranked.sort()
    if ranked and -ranked[0][0] < _GIBBERISH_SCORE:
        raise _binary_error(
            "its bytes read as gibberish in every common text encoding "
            "(if it is text, save it as UTF-8 and upload it again)"
        )
    for _, _, encoding in ranked:
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
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    valid_non_ascii = non_ascii - text.count("\ufffd")
    if damaged <= 0 or valid_non_ascii >= 10 * damaged:
        return text
    return None


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
            if text and _unusable_count(text) + len(
                _CONTROL_CHARACTERS.findall(text)
            ) <= _CONTROL_SHARE_LIMIT * len(text):
                return text, encoding
        # Text in scripts without spaces (CJK) has too few NULs to tell the byte order that way.
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            clean = not (_unusable_count(text) or _CONTROL_CHARACTERS.search(text))
            if clean and _plausibility(text[:_SCORED_CHARACTERS]) > 0:
                return text, encoding
        raise _binary_error("it contains NUL bytes, which text files never have")
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
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def _check_is_text(text: str) -> str:
    """Refuse text full of control characters; drop the few an old editor may leave (e.g. ^Z)."""
    if "\x00" in text:
        raise _binary_error("it contains NUL characters, which text never has")
    control_count = len(_CONTROL_CHARACTERS.findall(text))
    if control_count > max(2, _CONTROL_SHARE_LIMIT * len(text)):
        raise _binary_error(f"{control_count:,} of its {len(text):,} characters are control codes")
    unusable = _unusable_count(text)
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

    Order of attempts: byte order mark → strict UTF-8 → UTF-16 without a mark (told by its NULs)
    → UTF-8 with a few damaged bytes → the legacy encoding whose reading looks most like real text
    (candidates from charset_normalizer and a list of common code pages) → Latin-1. `data.decode`
    with the returned name gives the text back (before line ends and NFC are normalized).

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


# --------------------------------------------------------------------------------------------
# Symbols
# --------------------------------------------------------------------------------------------


def _check_word_mode_fits(text: str, symbols: Sequence[str]) -> None:
    """Raise NeedsCharacterModeError for text written mostly without spaces between words."""
    # In word mode the symbols hold every non-space character.
    non_space = sum(map(len, symbols))
    if non_space == 0:
        return
    unspaced = sum(len(run) for run in _UNSPACED_SCRIPT_CHARACTERS.findall(text))
    long_word_characters = 0
    if max(map(len, symbols), default=0) > _LONG_WORD_LENGTH:
        long_word_characters = sum(len(symbol) for symbol in symbols if len(symbol) > _LONG_WORD_LENGTH)
    if unspaced / non_space >= _UNSPACED_SHARE_LIMIT:
        reason = (
            f"{unspaced / non_space:.0%} of its characters are from scripts written without spaces "
            "between words (Chinese, Japanese, Thai...)"
        )
    elif long_word_characters / non_space >= 0.5:
        reason = f"most of it is in 'words' longer than {_LONG_WORD_LENGTH} characters"
    else:
        return
    raise NeedsCharacterModeError(
        f"Word mode does not fit this text: {reason}, so whole sentences would become single symbols. "
        "Choose character mode (every character is a symbol) instead."
    )


def tokenize(
    text: str, symbol_mode: str = "words", lowercase: bool = True, check_spacing: bool = True
) -> list[str]:
    """Split text into symbols (see the module docstring for the rule).

    `check_spacing=False` skips the NeedsCharacterModeError check, for short inputs such as a
    prediction context that happens to hold a Japanese name.
    """
    if lowercase:
        text = text.lower()
    if symbol_mode == "characters":
        text = _WHITESPACE_RUN.sub(SPACE_SYMBOL, text.strip())
        return list(text)
    if symbol_mode != "words":
        raise ValueError(f"symbol_mode must be 'words' or 'characters'; got {symbol_mode!r}.")
    if "_" in text:
        text = text.replace("_", " _ ")
    symbols = _SYMBOL_PATTERN.findall(text)
    if check_spacing:
        _check_word_mode_fits(text, symbols)
    return symbols


def detokenize(symbols: Iterable[str], symbol_mode: str = "words") -> str:
    """Symbols back to readable text.

    Character mode joins them and turns SPACE_SYMBOL into a space. Word mode puts one space
    between symbols except before closing punctuation (, . ! ? ) » ...) and after opening
    brackets and quotes; straight quotes alternate between opening and closing.
    """
    if symbol_mode == "characters":
        return "".join(" " if symbol == SPACE_SYMBOL else symbol for symbol in symbols)
    parts: list[str] = []
    no_space_next = True  # Nothing goes before the first symbol.
    open_quotes: set[str] = set()
    for symbol in symbols:
        if symbol in _STRAIGHT_QUOTES:
            closing = symbol in open_quotes
            open_quotes ^= {symbol}
            if not (closing or no_space_next):
                parts.append(" ")
            parts.append(symbol)
            no_space_next = not closing
            continue
        if not no_space_next and symbol not in _NO_SPACE_BEFORE:
            parts.append(" ")
        parts.append(symbol)
        no_space_next = symbol in _NO_SPACE_AFTER
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Stories
# --------------------------------------------------------------------------------------------


def load_story(data: bytes | str, config: CorpusConfig | None = None, name: str = "story") -> Story:
    """Bytes (an upload) or text (typed in) → a Story; raises StoryError subclasses."""
    config = config if config is not None else CorpusConfig()
    if isinstance(data, str):
        _check_size(len(data.encode("utf-8", errors="surrogatepass")), config.max_bytes)
        text = _check_is_text(_normalize_text(data))
        _check_not_empty(text)
        encoding = "unicode"
    else:
        text, encoding = decode_story(data, max_bytes=config.max_bytes)
    symbols = tokenize(text, config.symbol_mode, config.lowercase)
    if not symbols:
        _check_not_empty("")
    return Story(text=text, encoding=encoding, symbols=tuple(symbols), config=config, name=name)


def check_story_length(symbol_count: int, n_input: int) -> None:
    """Raise StoryTooShortError unless the story holds at least one window (n_input + 1 symbols)."""
    needed = n_input + 1
    if symbol_count < needed:
        raise StoryTooShortError(
            f"The story has {symbol_count} symbol{'s' if symbol_count != 1 else ''}; it needs at least "
            f"{needed} ({n_input} to read and 1 to predict). Add more text, or lower n_input."
        )


def bundled_stories() -> dict[str, Path]:
    """Display title → file of the stories shipped in data/ (the article's fable first)."""
    return {title: DATA_DIRECTORY / file_name for title, file_name in _BUNDLED_FILES.items()}
