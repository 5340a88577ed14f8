"""How much a reading of some bytes looks like real writing: the score that picks an encoding.

Bytes read with the wrong legacy code page turn into control codes, rare symbols, letters of two
scripts in one word or swapped cases; real text is mostly frequent letters. `plausibility` scores
a text per non-ASCII character, so `nextword.decoding` can rank the encodings it tries.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Typography that real text uses outside ASCII; other non-letters count against an encoding.
_COMMON_TYPOGRAPHY = frozenset("\u00a0«»‹›–—‘’‚“”„…•·°€£¥¢§©®™№¡¿×÷±\u3000、。「」『』（）・！？，：；")
# The most frequent letters of the main languages of each script (Russian, Greek, Western Latin).
_FREQUENT_LETTERS = frozenset("оеаинтсрвлαοειτνσςηρκπάέίόéèàçäöüßñáíóúâêôışğ")
# About 200 of the most frequent Chinese characters (simplified and traditional forms).
_FREQUENT_HAN = frozenset(
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学"
    "对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头"
    "面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向"
    "情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信"
    "北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难"
    "這個們來說國會對時後麼當還過於無開見經頭從動兩長現將實點問種聲話員書"
)


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


def plausibility(text: str) -> float:
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
