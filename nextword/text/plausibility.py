"""How much a reading of some bytes looks like real writing: the score that picks an encoding.

Bytes read with the wrong legacy code page turn into control codes, rare symbols, letters of two
scripts in one word, swapped cases, marks with no letter to sit on, or letters that no language
writes together; real text is mostly the common letters of one language. `plausibility` scores a
text per non-ASCII character, so `nextword.text.encoding_detection` can rank the encodings it tries.
What each character is (its kind, script, case and flags) comes from `nextword.text.character_kinds`.

Chinese, Japanese and Korean are told apart by what their national character sets call common:
GB 2312 level 1 and Big5's common characters for Chinese, JIS X 0208 level 1 for Japanese
kanji (in text that has kana), KS X 1001 for hangul. The double-byte code pages read each other's
bytes as ideographs, but as rare ones, or as ones the other language does not use.
"""

from __future__ import annotations

import unicodedata

from nextword.text import letters
from nextword.text.character_kinds import (
    ACCENT,
    AFTER_CONSONANT,
    AFTER_VOWEL,
    ASCII,
    CHARACTER_INFO,
    CONSONANT,
    FINAL,
    HAN,
    INSIDE_WORD,
    KANA,
    LETTER,
    MARK,
    NEUTRAL,
    SPACE_AFTER_PUNCTUATION,
    SPACE_INFO,
    SYMBOL,
    TATWEEL_FLAG,
    THAI_CONSONANT,
    THAI_FOLLOWING,
    THAI_LEADING,
    VOWEL,
    WHITESPACE,
    character_info,
)


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
    info_of = CHARACTER_INFO.get
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
            start >= 2 and text[start - 1] == " " and info_of(text[start - 2], SPACE_INFO)[2] == "CJK"
        )
        word_length = 0  # Of the Cyrillic or Greek word being read.
        word_has_vowel = word_has_accent = word_has_small = False
        for character in text[start : end + 1]:  # The run and the character after it.
            info = info_of(character) or character_info(character)
            score, japanese, script, case, kind, key, flags = info
            if not flags & ASCII:
                if kind == HAN:
                    han_chinese += score
                    han_japanese += japanese
                    han += 1
                    kind = LETTER
                else:
                    total += score
                    if flags & KANA:
                        kana += 1
                    elif key:
                        counts = letter_counts[script]
                        counts[key] = counts.get(key, 0) + 1
                if script and kind == LETTER:
                    script_counts[script] = script_counts.get(script, 0) + 1
                if case:
                    upper += case == 1
                    lower += case == -1
                if kind == MARK:
                    if (
                        previous_kind not in (LETTER, MARK)
                        or previous_flags & THAI_LEADING
                        or (script and script != previous_script)
                    ):
                        total += letters.MARK_WITHOUT_LETTER  # A vowel sign on a space, an Arabic one on "n".
                    continue  # A mark belongs to the letter before it: the checks go on from that letter.
                if flags & THAI_FOLLOWING and previous_script != "THAI":
                    total += letters.LETTER_AFTER_FINAL  # "า" with no consonant before it.
                if flags & AFTER_CONSONANT and not previous_flags & CONSONANT:
                    total += letters.LETTER_AFTER_FINAL  # "ь" and "ы" follow a consonant.
                if flags & AFTER_VOWEL and previous_flags & CONSONANT:
                    total += letters.LETTER_AFTER_FINAL  # "й" follows a vowel.
                if flags & TATWEEL_FLAG and previous_kind != LETTER:
                    total += letters.LETTER_AFTER_FINAL  # The Arabic joining stroke stands between letters.
                if (
                    kind == LETTER
                    and previous_flags & SPACE_AFTER_PUNCTUATION
                    and script not in letters.UNSPACED_SCRIPTS
                ):
                    total += letters.LETTER_STUCK_TO_PUNCTUATION  # "Bennet,ö said".
            if previous_flags & (THAI_LEADING | TATWEEL_FLAG):
                if previous_flags & THAI_LEADING and not flags & THAI_CONSONANT:
                    total += letters.LETTER_AFTER_FINAL  # "เ" with no consonant after it.
                if previous_flags & TATWEEL_FLAG and kind != LETTER:
                    total += letters.LETTER_AFTER_FINAL
            if kind == LETTER:
                if spaced_ideographs:
                    spaced_ideographs = False
                    if script == "CJK":
                        total += letters.SPACED_IDEOGRAPHS
                if previous_kind == LETTER:
                    if script != previous_script and not (
                        (flags & ASCII and previous_script in letters.UNSPACED_SCRIPTS)
                        or (previous_flags & ASCII and script in letters.UNSPACED_SCRIPTS)
                    ):
                        total += letters.TWO_SCRIPTS_IN_A_WORD
                    if case == 1 and previous_case == -1:
                        total += letters.CAPITAL_AFTER_SMALL
                    if previous_flags & FINAL and script == previous_script:
                        total += letters.LETTER_AFTER_FINAL  # A final form (ם, ة, ς) inside a word.
                if symbol_after_letter:
                    total += letters.SYMBOL_INSIDE_WORD
                if ideograph_after_latin and flags & ASCII:
                    total += letters.TWO_SCRIPTS_IN_A_WORD  # "Stra呈 ist": an ideograph inside a Latin word.
            ideograph_after_latin = script == "CJK" and previous_flags & ASCII and previous_script == "LATIN"
            if word_length and kind == LETTER and script == previous_script:
                word_length += 1
                word_has_vowel = word_has_vowel or bool(flags & VOWEL)
                word_has_accent = word_has_accent or bool(flags & ACCENT)
                word_has_small = word_has_small or case == -1
            else:
                if word_length:
                    total += _word_penalty(
                        word_length, word_has_vowel, word_has_accent, word_has_small, script
                    )
                word_length = int(kind == LETTER and script in letters.VOWELS)
                word_has_vowel = bool(flags & VOWEL)
                word_has_accent = bool(flags & ACCENT)
                word_has_small = case == -1
                word_script = script
            symbol_after_letter = (
                kind in (SYMBOL, NEUTRAL)
                and previous_kind == LETTER
                and previous_script
                not in letters.UNSPACED_SCRIPTS  # "猫である。名前": punctuation, no space.
                and not flags & (ASCII | WHITESPACE | INSIDE_WORD)
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
