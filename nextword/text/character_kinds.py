"""What one character is, to the score of `nextword.text.plausibility`: its kind, script, case and flags.

`character_info` says of a character how plausible it is in text (in general and in Japanese),
its script and case, its kind (letter, mark, neutral, symbol, misread, Han ideograph), the
lowercase letter whose alphabets are checked, and flags for the checks between neighbours (Thai
vowels around their consonant, Cyrillic letters that follow a consonant or a vowel, final
forms...). Each character is worked out once and remembered in `CHARACTER_INFO`; the tables it
reads are in `nextword.text.letters`.
"""

from __future__ import annotations

import unicodedata

from nextword.text import letters

# What `_character_plausibility` says a character is.
LETTER, MARK, NEUTRAL, SYMBOL, BAD, HAN = range(6)

# Flags of a character for the checks between neighbours (see `character_info`).
ASCII = 1
SPACE_AFTER_PUNCTUATION = 2  # ",.;:!?)]}": a word follows after a space.
WHITESPACE = 4
INSIDE_WORD = 8  # A symbol that may stand between two letters of a word (’ ·).
THAI_LEADING = 16  # A Thai vowel written before its consonant.
THAI_CONSONANT = 32
THAI_FOLLOWING = 64  # A Thai vowel written after its consonant.
AFTER_CONSONANT = 128  # Cyrillic "ь", "ы".
AFTER_VOWEL = 256  # Cyrillic "й".
CONSONANT = 512  # A Cyrillic consonant.
TATWEEL_FLAG = 1024  # The Arabic joining stroke.
FINAL = 2048  # A letter written only at the end of a word (ם, ة, ς).
VOWEL = 4096  # A Cyrillic or Greek vowel.
ACCENT = 8192  # A Greek letter with an accent.
KANA = 16384

# (score, score in Japanese text, script, case, kind, alphabet key, flags) of a character.
Info = tuple[float, float, str, int, int, str, int]


def _ascii_info(character: str) -> Info:
    """ASCII characters score nothing (they read alike in every encoding) but have neighbours."""
    flags = ASCII
    if character in letters.SPACE_AFTER:
        flags |= SPACE_AFTER_PUNCTUATION
    if character.isspace():
        flags |= WHITESPACE
    if character.isalpha():
        return 0.0, 0.0, "LATIN", 1 if character.isupper() else -1, LETTER, "", flags
    if (character < " " and not character.isspace()) or character == "\x7f":
        return 0.0, 0.0, "", 0, BAD, "", flags  # Counted apart, with letters.ASCII_CONTROLS.
    return 0.0, 0.0, "", 0, NEUTRAL, "", flags


# Characters seen so far (the ASCII ones from the start): scoring looks each up once.
CHARACTER_INFO: dict[str, Info] = {chr(code): _ascii_info(chr(code)) for code in range(0x80)}
_INFO_LIMIT = 100_000
SPACE_INFO = CHARACTER_INFO[" "]


def _flags(character: str, script: str) -> int:
    """The flags of a non-ASCII character (see the list above)."""
    flags = 0
    if character.isspace():
        flags |= WHITESPACE
    if character in letters.INSIDE_WORD_SYMBOLS:
        flags |= INSIDE_WORD
    if character in letters.THAI_LEADING_VOWELS:
        flags |= THAI_LEADING
    if character in letters.THAI_CONSONANTS:
        flags |= THAI_CONSONANT
    if character in letters.THAI_FOLLOWING_VOWELS:
        flags |= THAI_FOLLOWING
    if character in letters.CYRILLIC_AFTER_CONSONANT:
        flags |= AFTER_CONSONANT
    if character in "йЙ":
        flags |= AFTER_VOWEL
    if character in letters.CYRILLIC_CONSONANTS:
        flags |= CONSONANT
    if character == letters.TATWEEL:
        flags |= TATWEEL_FLAG
    if character in letters.FINAL_ONLY:
        flags |= FINAL
    if character in letters.VOWELS.get(script, ()):
        flags |= VOWEL
    if character in letters.GREEK_ACCENTED or (script == "GREEK" and "\u1f00" <= character <= "\u1fff"):
        flags |= ACCENT
    return flags


def character_info(character: str) -> Info:
    """`_character_plausibility` of a non-ASCII character and its flags, remembered."""
    score, japanese, script, case, kind, key = _character_plausibility(character)
    flags = _flags(character, script)
    if key == "kana":
        flags |= KANA
        key = ""
    info = (score, japanese, script, case, kind, key, flags)
    if len(CHARACTER_INFO) < _INFO_LIMIT:
        CHARACTER_INFO[character] = info
    return info


def _character_plausibility(character: str) -> tuple[float, float, str, int, int, str]:
    """(score, score in Japanese text, script, case, kind, alphabet key) of a non-ASCII character.

    The score is positive for common letters and negative for what bytes read with the wrong
    encoding turn into (controls, rare symbols and letters, half-width katakana, ideographs that
    no national character set counts as common). Script is from the Unicode name ("" for
    non-letters); case is 1 upper, -1 lower, 0 uncased; the key is the lowercase letter whose
    alphabets are checked (Latin and Cyrillic), else "".
    """
    category = unicodedata.category(character)
    if category in ("Cc", "Cn", "Co", "Cs") or character == "\ufffd":
        return letters.BAD_CHARACTER, letters.BAD_CHARACTER, "", 0, BAD, ""
    if character in letters.PUNCTUATION:
        return letters.PUNCTUATION_SCORE, letters.PUNCTUATION_SCORE, "", 0, NEUTRAL, ""
    if (
        character in letters.FORMAT_CHARACTERS
        or category in ("Zs", "Nd")
        or character in letters.COMMON_TYPOGRAPHY
    ):
        return 0.0, 0.0, "", 0, NEUTRAL, ""
    name = unicodedata.name(character, "UNKNOWN")
    if name.startswith(("FULLWIDTH", "CIRCLED", "PARENTHESIZED")):
        return 0.0, 0.0, "", 0, NEUTRAL, ""  # Full-width and circled letters and digits of CJK text.
    if category.startswith("M"):
        script = name.split(" ")[0]
        return 0.0, 0.0, "" if script == "COMBINING" else script, 0, MARK, ""
    if not category.startswith("L"):
        return letters.RARE_SYMBOL, letters.RARE_SYMBOL, "", 0, SYMBOL, ""
    script = letters.script(name)
    if script == "HALFWIDTH":
        return -2.0, -2.0, "CJK", 0, LETTER, ""
    if script == "CJK":
        if "HIRAGANA" in name:
            return 0.5, 0.5, script, 0, LETTER, "kana"
        if "KATAKANA" in name:
            return 0.4, 0.4, script, 0, LETTER, "kana"
        sets = letters.national_sets()
        if character in letters.FREQUENT_HAN:
            chinese = 0.5
        else:
            chinese = (
                0.3 if character in sets["zh_common"] else (0.0 if character in sets["zh_other"] else -1.0)
            )
        japanese = 0.4 if character in sets["ja_common"] else (0.0 if character in sets["ja_other"] else -1.0)
        if character == "々":
            japanese = 0.4
        return chinese, japanese, script, 0, HAN, ""
    if script == "HANGUL":
        if "SYLLABLE" not in name:
            return -0.3, -0.3, script, 0, LETTER, ""  # Loose jamo: "ㅠㅠ" is, "ㅟㅗㄲ" is not.
        if character in letters.FREQUENT_HANGUL:
            score = 0.5
        else:
            score = 0.3 if character in letters.national_sets()["hangul_common"] else -0.5
        return score, score, script, 0, LETTER, ""
    case = 1 if character.isupper() else (-1 if character.islower() else 0)
    key = ""
    lower = character.lower()
    if character in letters.FREQUENT_LETTERS or lower in letters.FREQUENT_LETTERS:
        score = 0.5
    elif character in letters.RARE_LETTERS:
        score = 0.0 if script == "LATIN" else -0.5
        key = lower if script == "LATIN" else ""
    elif script in letters.ALPHABET_LETTERS:
        key = lower if len(lower) == 1 else character
        if character == "İ":
            key = "i"  # Turkish capital I with a dot; its small letter is ASCII.
        score = 0.4 if key in letters.ALPHABET_LETTERS[script] or key == "i" else -0.5
    elif "PRESENTATION FORM" in name or "COPTIC" in name:
        score = -0.5
    elif script == "GREEK":
        score = 0.1 if "\u1f00" <= character <= "\u1fff" else 0.4  # Polytonic is rarer than monotonic.
    else:
        score = 0.4  # Letters of other scripts (Hebrew, Arabic, Thai, Devanagari...) are plausible.
    if script == "CYRILLIC" and not key:
        key = lower
    return score, score, script, case, LETTER, key
