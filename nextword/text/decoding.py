"""Story bytes → text: the first step of the pipeline.

`decode_story` reads what the bytes mark or show plainly itself: a byte order mark (UTF-8,
UTF-16, UTF-32), UTF-16 without a mark (told by where its NUL bytes fall), UTF-8, and UTF-8 with
a few damaged bytes. Every other encoding (Windows and Mac code pages, KOI8, ISO-8859-x,
Shift-JIS, EUC-JP, GB18030, Big5, EUC-KR, ISO-2022, ...) is charset_normalizer's to tell, with one
rule on top for Japanese. When the bytes are not plainly one encoding, the result carries a note
for the person. Line ends become "\\n" and the text is NFC-normalized. What is not a story is
refused by `nextword.text.refusals`. Nothing here knows about symbols: `nextword.text.corpus`
turns the text into them.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import NamedTuple

from nextword.errors import BinaryStoryError
from nextword.text.refusals import binary_error, binary_signature, check_is_text, check_not_empty, check_size

# Byte order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
# The codec names decode the bytes with the mark, so `data.decode(name)` gives the text back.
_BYTE_ORDER_MARKS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Bytes looked at to tell UTF-16's byte order (the whole file for most stories).
_SAMPLE_BYTES = 64_000

# Japanese cannot be written without kana, and Chinese or Korean text has none, but EUC-JP and
# Shift-JIS bytes also read as GB18030 or EUC-KR, which charset_normalizer then often prefers.
_JAPANESE_ENCODINGS = ("shift_jis", "cp932", "euc_jp")
_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")  # Not "・" nor "ー", which Chinese has too.
_KANA_SHARE = 0.2  # Of the non-ASCII characters; Japanese prose has 40 % and more.

# Vietnamese (Windows-1258) needs ơ, ư or đ in nearly every sentence; a reading without them is
# Western text whose ì and ò Windows-1258 turns into tone marks.
_VIETNAMESE_LETTERS = re.compile("[ơưđƠƯĐ]")

# A runner-up reading the bytes differently, this close in charset_normalizer's chaos and
# coherence, makes its guess a weak one; so does a reading this chaotic.
_CLOSE_CHAOS = 0.01
_CLOSE_COHERENCE = 0.02
_WEAK_CHAOS = 0.2


class DecodedStory(NamedTuple):
    """Decoded text, the encoding that read it, and what the person should know about that."""

    text: str
    # `data.decode(encoding)` gives the text back (before line ends and NFC are normalized).
    encoding: str
    # None, or a sentence saying the encoding was a guess or some bytes were damaged.
    note: str | None = None


def _guess_note(encoding: str) -> str:
    """The note on a weak guess, naming the encoding as people know it: "Windows-1252", "KOI8-R"."""
    name = codecs.lookup(encoding).name
    if name.startswith("cp125"):
        name = "Windows-" + name[2:]
    else:
        name = name.replace("_", "-").upper().replace("ISO8859", "ISO-8859")
    return (
        f"This story looks like {name}, but other encodings read it almost as well; "
        "if the words look wrong, save the story as UTF-8 and upload it again."
    )


def _utf16_by_nul_bytes(data: bytes) -> str | None:
    """The UTF-16 byte order told by the NULs of `data`, or None.

    ASCII characters (spaces, line ends, Latin letters) in UTF-16 have a NUL high byte, so NULs
    gather at odd positions (little-endian) or even positions (big-endian); binary data has
    NULs at both.
    """
    if len(data) % 2:
        return None
    sample = data[:_SAMPLE_BYTES]
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    enough = 0.01 * (len(sample) // 2)
    if odd_nuls > 3 * even_nuls and odd_nuls >= enough:
        return "utf-16-le"
    if even_nuls > 3 * odd_nuls and even_nuls >= enough:
        return "utf-16-be"
    return None


def _damaged_utf8(data: bytes) -> DecodedStory | None:
    """UTF-8 with a few damaged bytes (a cut last character, a stray byte) read with U+FFFD, else None.

    Text in a legacy encoding fails UTF-8 at nearly every non-ASCII letter, so valid multi-byte
    characters far outnumbering the errors mean the file is UTF-8 after all.
    """
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd") - data.count("\ufffd".encode())
    valid_non_ascii = len(text) - len(text.encode("ascii", errors="ignore")) - text.count("\ufffd")
    if damaged <= 0 or valid_non_ascii < 10 * damaged:
        return None
    plural = "s" if damaged != 1 else ""
    note = f"This UTF-8 story has {damaged:,} damaged byte{plural}, shown as “�”; the rest reads right."
    return DecodedStory(text, "utf-8", note)


def _japanese_reading(data: bytes) -> DecodedStory | None:
    """The Japanese encoding whose reading has the most kana, if kana are a fair share of it."""
    best: tuple[int, str, str] | None = None
    for encoding in _JAPANESE_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        kana = len(_KANA.findall(text))
        non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
        if kana >= _KANA_SHARE * non_ascii and kana and (best is None or kana > best[0]):
            best = (kana, text, encoding)
    return DecodedStory(best[1], best[2]) if best else None


def _guessed_reading(data: bytes) -> DecodedStory:
    """Bytes in no Unicode form: kana-rich Japanese, else charset_normalizer's best reading."""
    # Imported on first use: the page's first paint imports this module, and the library is slow to load.
    from charset_normalizer import from_bytes

    japanese = _japanese_reading(data)
    if japanese is not None:
        return japanese
    matches = list(from_bytes(data))
    if not matches:
        raise binary_error(
            "its bytes read as gibberish in every common text encoding "
            "(if it is text, save it as UTF-8 and upload it again)"
        )
    # Russian, Thai or Arabic bytes may read as Japanese too, but then without kana.
    plausible = [match for match in matches if not match.encoding.startswith(("shift_jis", "cp932", "euc_j"))]
    matches = plausible or matches
    best = matches[0]
    text = str(best)
    if best.encoding == "cp1258" and not _VIETNAMESE_LETTERS.search(text):
        try:
            return DecodedStory(data.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:
            pass
    runner_up = next((match for match in matches[1:] if str(match) != text), None)
    weak = (
        not plausible
        or best.chaos >= _WEAK_CHAOS
        or (
            runner_up is not None
            and runner_up.chaos - best.chaos <= _CLOSE_CHAOS
            and best.coherence - runner_up.coherence <= _CLOSE_COHERENCE
        )
    )
    encoding = best.encoding
    if encoding != "cp1252" and text == data.decode("cp1252", errors="replace"):
        encoding = "cp1252"  # Western text reads the same in several code pages: name the usual one.
    return DecodedStory(text, encoding, _guess_note(encoding) if weak else None)


def _decode_bytes(data: bytes) -> DecodedStory:
    """Bytes → their reading; raises BinaryStoryError for what is not text."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            # A mark says the file is text; a damaged character is replaced, not fatal.
            return DecodedStory(data.decode(encoding, errors="replace"), encoding)
    if b"\x00" in data:
        encoding = _utf16_by_nul_bytes(data)
        if encoding is not None:
            try:
                return DecodedStory(data.decode(encoding), encoding)
            except UnicodeDecodeError:
                pass
        # Text in scripts without spaces (CJK) has too few NULs to tell the byte order that way.
        try:
            guessed = _guessed_reading(data)
        except BinaryStoryError:
            guessed = None
        if guessed is None or not guessed.encoding.startswith("utf_16"):
            raise binary_error("it contains NUL bytes, which text files never have")
        return guessed
    # ISO-2022-JP/KR (Japanese and Korean e-mail) is 7-bit ASCII with escapes: valid UTF-8 too.
    if not (b"\x1b" in data and data.isascii()):
        try:
            return DecodedStory(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
    return _damaged_utf8(data) or _guessed_reading(data)


def _normalize_text(text: str) -> str:
    """Line ends to "\\n", stray byte order marks out, NFC (so "é" is one character)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text)  # Quick when the text is NFC already.


def decode_story(data: bytes, max_bytes: int = 5_000_000) -> DecodedStory:
    """Decode uploaded bytes into normalized text, the encoding used, and a note (or None).

    Order of attempts: byte order mark → UTF-16 without a mark (told by its NULs) → strict UTF-8
    → UTF-8 with a few damaged bytes → charset_normalizer's guess (Japanese when kana say so).

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
    decoded = _decode_bytes(data)
    text = check_is_text(_normalize_text(decoded.text))
    check_not_empty(text)
    return decoded._replace(text=text)


def decode_text(text: str, max_bytes: int = 5_000_000) -> str:
    """Typed or pasted text, checked and normalized as `decode_story` does for bytes."""
    check_size(len(text.encode("utf-8", errors="surrogatepass")), max_bytes)
    text = check_is_text(_normalize_text(text))
    check_not_empty(text)
    return text
