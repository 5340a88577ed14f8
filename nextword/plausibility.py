"""How much a reading of some bytes looks like real writing: the score that picks an encoding.

Bytes read with the wrong legacy code page turn into control codes, rare symbols, letters of two
scripts in one word, swapped cases, marks with no letter to sit on, or letters that no language
writes together; real text is mostly the common letters of one language. `plausibility` scores a
text per non-ASCII character, so `nextword.decoding` can rank the encodings it tries.

Chinese, Japanese and Korean are told apart by what their national character sets call common:
GB 2312 level 1 and Big5's common characters for Chinese, JIS X 0208 level 1 for Japanese
kanji (in text that has kana), KS X 1001 for hangul. The double-byte code pages read each other's
bytes as ideographs, but as rare ones, or as ones the other language does not use.
"""

from __future__ import annotations

import unicodedata

from nextword import letters

# What `_character_plausibility` says a character is.
_LETTER, _MARK, _NEUTRAL, _SYMBOL, _BAD, _HAN = range(6)

# Flags of a character for the checks between neighbours (see `_character_info`).
_ASCII = 1
_SPACE_AFTER_PUNCTUATION = 2  # ",.;:!?)]}": a word follows after a space.
_WHITESPACE = 4
_INSIDE_WORD = 8  # A symbol that may stand between two letters of a word (’ ·).
_THAI_LEADING = 16  # A Thai vowel written before its consonant.
_THAI_CONSONANT = 32
_THAI_FOLLOWING = 64  # A Thai vowel written after its consonant.
_AFTER_CONSONANT = 128  # Cyrillic "ь", "ы".
_AFTER_VOWEL = 256  # Cyrillic "й".
_CONSONANT = 512  # A Cyrillic consonant.
_TATWEEL_FLAG = 1024  # The Arabic joining stroke.
_FINAL = 2048  # A letter written only at the end of a word (ם, ة, ς).
_VOWEL = 4096  # A Cyrillic or Greek vowel.
_ACCENT = 8192  # A Greek letter with an accent.
_KANA = 16384

# (score, score in Japanese text, script, case, kind, alphabet key, flags) of a character.
_Info = tuple[float, float, str, int, int, str, int]


def _ascii_info(character: str) -> _Info:
    """ASCII characters score nothing (they read alike in every encoding) but have neighbours."""
    flags = _ASCII
    if character in letters.SPACE_AFTER:
        flags |= _SPACE_AFTER_PUNCTUATION
    if character.isspace():
        flags |= _WHITESPACE
    if character.isalpha():
        return 0.0, 0.0, "LATIN", 1 if character.isupper() else -1, _LETTER, "", flags
    if (character < " " and not character.isspace()) or character == "\x7f":
        return 0.0, 0.0, "", 0, _BAD, "", flags  # Counted apart, with letters.ASCII_CONTROLS.
    return 0.0, 0.0, "", 0, _NEUTRAL, "", flags


# Characters seen so far (the ASCII ones from the start): scoring looks each up once.
_INFO: dict[str, _Info] = {chr(code): _ascii_info(chr(code)) for code in range(0x80)}
_INFO_LIMIT = 100_000
_SPACE = _INFO[" "]


def _flags(character: str, script: str) -> int:
    """The flags of a non-ASCII character (see the list above)."""
    flags = 0
    if character.isspace():
        flags |= _WHITESPACE
    if character in letters.INSIDE_WORD_SYMBOLS:
        flags |= _INSIDE_WORD
    if character in letters.THAI_LEADING_VOWELS:
        flags |= _THAI_LEADING
    if character in letters.THAI_CONSONANTS:
        flags |= _THAI_CONSONANT
    if character in letters.THAI_FOLLOWING_VOWELS:
        flags |= _THAI_FOLLOWING
    if character in letters.CYRILLIC_AFTER_CONSONANT:
        flags |= _AFTER_CONSONANT
    if character in "йЙ":
        flags |= _AFTER_VOWEL
    if character in letters.CYRILLIC_CONSONANTS:
        flags |= _CONSONANT
    if character == letters.TATWEEL:
        flags |= _TATWEEL_FLAG
    if character in letters.FINAL_ONLY:
        flags |= _FINAL
    if character in letters.VOWELS.get(script, ()):
        flags |= _VOWEL
    if character in letters.GREEK_ACCENTED or (script == "GREEK" and "\u1f00" <= character <= "\u1fff"):
        flags |= _ACCENT
    return flags


def _character_info(character: str) -> _Info:
    """`_character_plausibility` of a non-ASCII character and its flags, remembered."""
    score, japanese, script, case, kind, key = _character_plausibility(character)
    flags = _flags(character, script)
    if key == "kana":
        flags |= _KANA
        key = ""
    info = (score, japanese, script, case, kind, key, flags)
    if len(_INFO) < _INFO_LIMIT:
        _INFO[character] = info
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
        return letters.BAD_CHARACTER, letters.BAD_CHARACTER, "", 0, _BAD, ""
    if character in letters.PUNCTUATION:
        return letters.PUNCTUATION_SCORE, letters.PUNCTUATION_SCORE, "", 0, _NEUTRAL, ""
    if (
        character in letters.FORMAT_CHARACTERS
        or category in ("Zs", "Nd")
        or character in letters.COMMON_TYPOGRAPHY
    ):
        return 0.0, 0.0, "", 0, _NEUTRAL, ""
    name = unicodedata.name(character, "UNKNOWN")
    if name.startswith(("FULLWIDTH", "CIRCLED", "PARENTHESIZED")):
        return 0.0, 0.0, "", 0, _NEUTRAL, ""  # Full-width and circled letters and digits of CJK text.
    if category.startswith("M"):
        script = name.split(" ")[0]
        return 0.0, 0.0, "" if script == "COMBINING" else script, 0, _MARK, ""
    if not category.startswith("L"):
        return letters.RARE_SYMBOL, letters.RARE_SYMBOL, "", 0, _SYMBOL, ""
    script = letters.script(name)
    if script == "HALFWIDTH":
        return -2.0, -2.0, "CJK", 0, _LETTER, ""
    if script == "CJK":
        if "HIRAGANA" in name:
            return 0.5, 0.5, script, 0, _LETTER, "kana"
        if "KATAKANA" in name:
            return 0.4, 0.4, script, 0, _LETTER, "kana"
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
        return chinese, japanese, script, 0, _HAN, ""
    if script == "HANGUL":
        if "SYLLABLE" not in name:
            return -0.3, -0.3, script, 0, _LETTER, ""  # Loose jamo: "ㅠㅠ" is, "ㅟㅗㄲ" is not.
        if character in letters.FREQUENT_HANGUL:
            score = 0.5
        else:
            score = 0.3 if character in letters.national_sets()["hangul_common"] else -0.5
        return score, score, script, 0, _LETTER, ""
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
    return score, score, script, case, _LETTER, key


def _language_fit(letter_counts: dict[str, int], script: str, text: str) -> float:
    """How well the letters of `script` fit the language the text is in (0 at best, else negative).

    Each language scores letters.FOREIGN_LETTER for each of the text's letters its alphabet lacks, and
    letters.COMMON_WORD for each of its common words in the text; the best language counts. The common
    words in plain ASCII, the same in every reading of the bytes, are taken off again.
    """
    alphabets = letters.ALPHABETS[script]
    total = sum(letter_counts.values())
    hits = [0] * len(alphabets)
    ascii_hits = [0] * len(alphabets)
    if script == "LATIN":
        words: dict[str, int] = {}
        for word in letters.WORD.findall(text.lower()):
            words[word] = words.get(word, 0) + 1
        for word, count in words.items():
            for index in letters.LANGUAGES_OF_WORD.get(word, ()):
                hits[index] += count
                if word.isascii():
                    ascii_hits[index] += count
    fits = [
        letters.COMMON_WORD * hits[index]
        + letters.FOREIGN_LETTER
        * (total - sum(count for letter, count in letter_counts.items() if letter in alphabet))
        for index, alphabet in enumerate(alphabets)
    ]
    if script == "LATIN" and letters.VIETNAMESE_OWN.isdisjoint(letter_counts):
        fits[letters.VIETNAMESE_INDEX] = letters.FOREIGN_LETTER * total
    return max(fits) - letters.COMMON_WORD * max(ascii_hits)


def _word_penalty(length: int, vowel: bool, accent: bool, small: bool, script: str) -> float:
    """What a Cyrillic or Greek word that just ended costs: no vowel, or Greek without an accent."""
    if length < 2:
        return 0.0
    if not vowel:
        return letters.WORD_WITHOUT_VOWEL  # "дйд фтн"
    if script == "GREEK" and length >= 5 and small and not accent:
        return letters.WORD_WITHOUT_ACCENT  # Monotonic Greek marks the stress of every longer word.
    return 0.0


def plausibility(text: str) -> float:
    """How much `text` looks like real writing, per non-ASCII character (higher is better).

    It rewards common letters and punishes what a wrong code page produces: control and rare
    characters, letters of two scripts in one word, symbols inside words, capitals after small
    letters (KOI8-R read as Windows-1251 swaps the cases), marks after spaces, letters no single
    language's alphabet has together, Latin words made only of accented letters (Cyrillic read
    as Windows-1252), Han characters that are rare in the language the text is written in.
    Only the runs of non-ASCII characters and their neighbours are looked at: ASCII reads alike
    in every encoding.
    """
    text = unicodedata.normalize("NFC", text)  # Windows-1258 writes Vietnamese tones as marks.
    bad = len(letters.ASCII_CONTROLS.findall(text))  # UTF-16 or binary bytes read as a code page.
    total = letters.BAD_CHARACTER * bad
    non_ascii = bad
    han_chinese = han_japanese = 0.0
    upper = lower = kana = han = 0
    script_counts: dict[str, int] = {}
    letter_counts: dict[str, dict[str, int]] = {"LATIN": {}, "CYRILLIC": {}}
    info_of = _INFO.get
    for run in letters.NON_ASCII_RUN.finditer(text):
        start, end = run.span()
        non_ascii += end - start
        # The state after the character before the run (a space at the start of the text).
        _, _, previous_script, previous_case, previous_kind, _, previous_flags = info_of(
            text[start - 1] if start else " "
        )
        symbol_after_letter = ideograph_after_latin = False
        # "督戚純 壕酔奄": Chinese and Japanese put no spaces between words (Korean read as them does).
        spaced_ideographs = (
            start >= 2 and text[start - 1] == " " and info_of(text[start - 2], _SPACE)[2] == "CJK"
        )
        word_length = 0  # Of the Cyrillic or Greek word being read.
        word_has_vowel = word_has_accent = word_has_small = False
        for character in text[start : end + 1]:  # The run and the character after it.
            info = info_of(character) or _character_info(character)
            score, japanese, script, case, kind, key, flags = info
            if not flags & _ASCII:
                if kind == _HAN:
                    han_chinese += score
                    han_japanese += japanese
                    han += 1
                    kind = _LETTER
                else:
                    total += score
                    if flags & _KANA:
                        kana += 1
                    elif key:
                        counts = letter_counts[script]
                        counts[key] = counts.get(key, 0) + 1
                if script and kind == _LETTER:
                    script_counts[script] = script_counts.get(script, 0) + 1
                if case:
                    upper += case == 1
                    lower += case == -1
                if kind == _MARK:
                    if (
                        previous_kind not in (_LETTER, _MARK)
                        or previous_flags & _THAI_LEADING
                        or (script and script != previous_script)
                    ):
                        total += letters.MARK_WITHOUT_LETTER  # A vowel sign on a space, an Arabic one on "n".
                    continue  # A mark belongs to the letter before it: the checks go on from that letter.
                if flags & _THAI_FOLLOWING and previous_script != "THAI":
                    total += letters.LETTER_AFTER_FINAL  # "า" with no consonant before it.
                if flags & _AFTER_CONSONANT and not previous_flags & _CONSONANT:
                    total += letters.LETTER_AFTER_FINAL  # "ь" and "ы" follow a consonant.
                if flags & _AFTER_VOWEL and previous_flags & _CONSONANT:
                    total += letters.LETTER_AFTER_FINAL  # "й" follows a vowel.
                if flags & _TATWEEL_FLAG and previous_kind != _LETTER:
                    total += letters.LETTER_AFTER_FINAL  # The Arabic joining stroke stands between letters.
                if (
                    kind == _LETTER
                    and previous_flags & _SPACE_AFTER_PUNCTUATION
                    and script not in letters.UNSPACED_SCRIPTS
                ):
                    total += letters.LETTER_STUCK_TO_PUNCTUATION  # "Bennet,ö said".
            if previous_flags & (_THAI_LEADING | _TATWEEL_FLAG):
                if previous_flags & _THAI_LEADING and not flags & _THAI_CONSONANT:
                    total += letters.LETTER_AFTER_FINAL  # "เ" with no consonant after it.
                if previous_flags & _TATWEEL_FLAG and kind != _LETTER:
                    total += letters.LETTER_AFTER_FINAL
            if kind == _LETTER:
                if spaced_ideographs:
                    spaced_ideographs = False
                    if script == "CJK":
                        total += letters.SPACED_IDEOGRAPHS
                if previous_kind == _LETTER:
                    if script != previous_script and not (
                        (flags & _ASCII and previous_script in letters.UNSPACED_SCRIPTS)
                        or (previous_flags & _ASCII and script in letters.UNSPACED_SCRIPTS)
                    ):
                        total += letters.TWO_SCRIPTS_IN_A_WORD
                    if case == 1 and previous_case == -1:
                        total += letters.CAPITAL_AFTER_SMALL
                    if previous_flags & _FINAL and script == previous_script:
                        total += letters.LETTER_AFTER_FINAL  # A final form (ם, ة, ς) inside a word.
                if symbol_after_letter:
                    total += letters.SYMBOL_INSIDE_WORD
                if ideograph_after_latin and flags & _ASCII:
                    total += letters.TWO_SCRIPTS_IN_A_WORD  # "Stra呈 ist": an ideograph inside a Latin word.
            ideograph_after_latin = script == "CJK" and previous_flags & _ASCII and previous_script == "LATIN"
            if word_length and kind == _LETTER and script == previous_script:
                word_length += 1
                word_has_vowel = word_has_vowel or bool(flags & _VOWEL)
                word_has_accent = word_has_accent or bool(flags & _ACCENT)
                word_has_small = word_has_small or case == -1
            else:
                if word_length:
                    total += _word_penalty(
                        word_length, word_has_vowel, word_has_accent, word_has_small, script
                    )
                word_length = int(kind == _LETTER and script in letters.VOWELS)
                word_has_vowel = bool(flags & _VOWEL)
                word_has_accent = bool(flags & _ACCENT)
                word_has_small = case == -1
                word_script = script
            symbol_after_letter = (
                kind in (_SYMBOL, _NEUTRAL)
                and previous_kind == _LETTER
                and previous_script
                not in letters.UNSPACED_SCRIPTS  # "猫である。名前": punctuation, no space.
                and not flags & (_ASCII | _WHITESPACE | _INSIDE_WORD)
            )
            previous_script, previous_case, previous_kind, previous_flags = script, case, kind, flags
        if word_length:
            total += _word_penalty(word_length, word_has_vowel, word_has_accent, word_has_small, word_script)
    if non_ascii == 0:
        return 0.0
    # Japanese writes kana between its kanji; Chinese has none.
    total += han_japanese if kana and kana >= 0.1 * (kana + han) else han_chinese
    ascii_letters = len(letters.ASCII_LETTERS.findall(text)) if script_counts else 0
    if script_counts:
        main_script = max(script_counts, key=script_counts.__getitem__)
        total += letters.MINORITY_SCRIPT * sum(
            count for script, count in script_counts.items() if script != main_script
        )
        latin_accented = script_counts.get("LATIN", 0)
        if main_script == "LATIN" and latin_accented > 0.6 * (latin_accented + ascii_letters):
            total -= latin_accented  # Real Latin-script text is mostly plain ASCII letters.
    for script, counts in letter_counts.items():
        if counts:
            total += _language_fit(counts, script, text)
    for script, count in script_counts.items():
        if (
            script != "LATIN"
            and script not in letters.UNSPACED_SCRIPTS
            and ascii_letters > letters.LATIN_TEXT_RATIO * count
        ):
            total += letters.FOREIGN_LETTER * count  # "Tabela de strings И muito grande".
    if upper > lower and upper >= 3:
        total -= 0.5 * upper  # Stories are not written in capitals; swapped cases are.
    return total / non_ascii
