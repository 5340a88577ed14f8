"""Which encoding bytes are in when nothing marks it, for the steps of `nextword.text.decoding`.

UTF-16 without a byte order mark is told by where its NULs fall, or by reading as clean,
plausible text in one byte order; UTF-8 with a few damaged bytes by its valid multi-byte
characters far outnumbering the errors; a legacy code page (Windows code pages, KOI8-R/U,
ISO-8859-x, Mac Roman and Cyrillic, Shift-JIS, EUC-JP, GB18030, Big5, EUC-KR, ...) by whose
reading `nextword.text.plausibility` finds most like real writing. Bytes that read as gibberish in every code
page are refused as binary.
"""

from __future__ import annotations

import codecs
import re

from nextword.text.plausibility import plausibility
from nextword.text.refusals import binary_error, problem_counts

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
    "mac_cyrillic",
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

# Bytes of the sample that detection looks at (the whole file for small stories).
DETECTION_SAMPLE_BYTES = 64_000
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


def _detection_sample(data: bytes) -> bytes:
    """The start of `data`, cut after a line feed so that no multi-byte character is split."""
    if len(data) <= DETECTION_SAMPLE_BYTES:
        return data
    sample = data[:DETECTION_SAMPLE_BYTES]
    cut = sample.rfind(b"\n")
    return sample[: cut + 1] if cut > DETECTION_SAMPLE_BYTES // 2 else sample


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


def decode_legacy(data: bytes) -> tuple[str, str]:
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
            raise binary_error(
                "its bytes read as gibberish in every common text encoding "
                "(if it is text, save it as UTF-8 and upload it again)"
            )
    for _, encoding in ranked:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue  # The sample decoded but a later part did not: try the next candidate.
    return data.decode("latin_1"), "latin_1"  # Every byte is a Latin-1 character.


def decode_mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few damaged bytes (a cut last character, one stray byte), else None.

    Text in a legacy encoding fails UTF-8 at nearly every non-ASCII letter, so valid multi-byte
    characters far outnumbering the errors mean the file is UTF-8 after all.
    """
    if len(data) > DETECTION_SAMPLE_BYTES:
        # A look at the start first, cut before a character's continuation bytes: legacy text
        # fails there already, and need not be read whole as UTF-8.
        cut = DETECTION_SAMPLE_BYTES
        while cut > DETECTION_SAMPLE_BYTES - 3 and data[cut] & 0xC0 == 0x80:
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


def utf16_without_mark(data: bytes) -> str | None:
    """The UTF-16 byte order of `data` told by its NULs, or None.

    ASCII characters (spaces, line ends, Latin letters) in UTF-16 have a NUL high byte, so NULs
    gather at odd positions (little-endian) or even positions (big-endian); binary data has
    NULs at both.
    """
    if len(data) % 2:
        return None
    sample = data[:DETECTION_SAMPLE_BYTES]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls > 3 * even_nuls and odd_nuls >= 0.01 * (len(sample) // 2):
        return "utf-16-le"
    if even_nuls > 3 * odd_nuls and even_nuls >= 0.01 * (len(sample) // 2):
        return "utf-16-be"
    return None


def plausible_utf16(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) if `data` reads as clean, plausible UTF-16 in one byte order, else None."""
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(problem_counts(text)) and plausibility(text[:_SCORED_CHARACTERS]) > 0:
            return text, encoding
    return None
