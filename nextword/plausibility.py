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

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Punctuation of real text outside ASCII: quotes, dashes, CJK, Arabic and Devanagari marks.
_PUNCTUATION = frozenset(
    "«»‹›–—‘’‚“”„…¡¿ºª、。「」『』（）！？，：；〈〉《》【】\u05be\u05f3\u05f4"
    "\u060c\u061b\u061f\u06d4\u0964\u0965\u0e2f\u0e46\u0e5a\u0e5b"
)
# Other typography that real text uses; any other non-letter counts against an encoding.
_COMMON_TYPOGRAPHY = frozenset("\u00a0•·°€£¥¢§©®™№×÷±\u3000・〜～\u066a\u066b\u066c☆★○●◎◇◆□■△▲▽▼※♪♫♡♥→←↑↓")
# Invisible format characters that real text has: joiners (Persian needs ZWNJ), direction marks.
_FORMAT_CHARACTERS = frozenset("\u00ad\u200b\u200c\u200d\u200e\u200f")
# Symbols that may stand between two letters of a word (apostrophes, the Catalan middle dot).
_INSIDE_WORD_SYMBOLS = frozenset("’·\u00ad\u200c\u200d\u200e\u200f\u05be\u05f3\u05f4")
# ASCII punctuation that a word follows only after a space (a misread letter sticks to it).
_SPACE_AFTER = frozenset(",.;:!?)]}")

# For the languages written in Latin and Cyrillic letters: their letters beyond ASCII (lowercase)
# and some of their most common words. A reading whose letters no single language has together
# (Czech "ř" beside Polish "ą"), or has in a text whose words are another language's ("omogæiti
# ... s dva": Croatian words, a Danish letter), is a misread one.
_VIETNAMESE = "ăâđêôơư" + "".join(
    unicodedata.normalize("NFC", base + mark)
    for base in "aăâeêioôơuưy"
    for mark in "\u0300\u0301\u0303\u0309\u0323"
)
_LANGUAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "LATIN": (
        (  # English
            "éèçïë",
            "the of and to in is it that for was on with as his he be at by not are this had but from "
            "or have an they which you were her she there would their we him been has when who will",
        ),
        (  # French
            "àâæçéèêëîïôœùûüÿ",
            "le la les de des du un une et est en que qui dans pour pas sur au aux ce il elle ne se "
            "son sa ses par plus avec tout mais ou on nous vous je à été être où ça très déjà",
        ),
        (  # German
            "äöüßé",
            "der die das und ist nicht ein eine zu den von mit sich des auf für im dem es an auch als "
            "wie er sie so dass wird wurde wurden werden bei aus nach oder noch nur aber wenn kann "
            "über können",
        ),
        (  # Spanish
            "áéíñóúü",
            "el la los las de del y en que un una es por con no se para su al lo como más pero sus le "
            "ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde está qué",
        ),
        (  # Portuguese
            "áâãàçéêíóôõú",
            "o a os as de do da dos das e em um uma que é não para com por se no na nos ao mais como "
            "mas foi ele ela seu sua ou ser quando muito já está são também só pelo pela",
        ),
        (  # Italian
            "àèéìíîòóù",
            "il lo la i gli le di del della e è un una che non per in con si da al alla come ma più "
            "anche sono se questo su nel nella ha ho perché già così può essere",
        ),
        (  # Catalan
            "àçéèíïòóúü",
            "el la els les de del i en que un una és per amb no es al com però més són als seu seva "
            "aquest aquesta",
        ),
        (  # Dutch
            "áéíóúàèëïöü",
            "de het een en van in is dat op te zijn niet met voor die er aan als ook maar om door bij "
            "of kan worden wordt naar geen deze",
        ),
        (  # Swedish
            "åäöé",
            "och i att det som en på är av för med till den inte har de ett om var men från kan eller vid",
        ),
        (  # Danish, Norwegian
            "æøåéó",
            "og i at det som en på er af av for med til den ikke har de et om var men der fra kan "
            "eller ved skal",
        ),
        (  # Finnish
            "äöå",
            "ja on ei se että oli hän ovat kun mutta tai niin kuin myös jos joka ole voi ovat tämä",
        ),
        (  # Icelandic
            "áðéíóúýþæö",
            "og að í á er sem það til með ekki um en var af hann hún við",
        ),
        (  # Polish
            "ąćęłńóśźż",
            "i w na z że się nie do to jest jak o a co po przez dla od tak ale czy ze są być jego lub "
            "już tylko może",
        ),
        (  # Czech
            "áčďéěíňóřšťúůýž",
            "a v na je se že to z s o do i jako ale by pro od jsou není být jsem už když než také jen "
            "ve ze si byl bylo nebo",
        ),
        (  # Slovak
            "áäčďéíĺľňóôŕšťúýž",
            "a v na je sa že to z s o do i ako ale by pre od sú nie byť som už keď ako aj len vo zo "
            "si bol alebo",
        ),
        (  # Hungarian
            "áéíóöőúüű",
            "a az és hogy nem is egy van meg de ez csak már el ki mint vagy volt nincs nem lehet egy ha be",
        ),
        (  # Romanian
            "ăâîșțşţ",
            "și de la în cu nu pe un o să este care din pentru mai al ale sau ce se sunt fost poate dacă",
        ),
        (  # Croatian, Bosnian, Serbian
            "čćđšž",
            "i je u na se da za od li s su ne kao ili ali to koji sa iz po pri dva biti nije će",
        ),
        (  # Slovene
            "čšž",
            "in je v na se da za od so ne kot ali pa to ki s z po pri bo ni",
        ),
        (  # Turkish
            "çğıöşüâîû",
            "ve bir bu da de için ile ne daha çok gibi olarak ama değil en o var mı ki",
        ),
        (  # Azerbaijani
            "çəğıöşü",
            "və bir bu da də üçün ilə daha çox kimi amma",
        ),
        (  # Lithuanian
            "ąčęėįšųūž",
            "ir yra kad su iš į ar bet tai nuo ne už per po apie kaip",
        ),
        (  # Latvian
            "āčēģīķļņšūž",
            "un ir ar no uz par kas ka lai bet vai ne tas to",
        ),
        (  # Estonian
            "äõöüšž",
            "ja on ei et see ta oli kui ka või mis aga ning",
        ),
        (  # Basque
            "ñü",
            "eta da ez bat edo du dira ere baina hau zen",
        ),
        (  # Albanian
            "çë",
            "dhe në të një për me që nga është nuk",
        ),
        (  # Maltese
            "àċèġħìòùż",
            "il u ta fil li tal għal ma minn huwa",
        ),
        (  # Esperanto
            "ĉĝĥĵŝŭ",
            "la kaj de en estas ne al por",
        ),
        (  # Vietnamese
            _VIETNAMESE,
            "và của là có không được cho những một các người trong với này đã để khi",
        ),
    ),
    "CYRILLIC": (
        ("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", ""),  # Russian
        ("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя", ""),  # Ukrainian
        ("абвгдеёжзійклмнопрстуўфхцчшыьэюя", ""),  # Belarusian
        ("абвгдежзийклмнопрстуфхцчшщъьюя", ""),  # Bulgarian
        ("абвгдђежзијклљмнњопрстћуфхцчџш", ""),  # Serbian
        ("абвгдѓежзѕијклљмнњопрстќуфхцчџш", ""),  # Macedonian
        ("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі", ""),  # Kazakh
    ),
}
_ALPHABETS = {
    script: tuple(frozenset(letters) for letters, _ in table) for script, table in _LANGUAGES.items()
}
# Vietnamese has nearly every vowel with every accent: it fits a text only with a letter of its own.
_VIETNAMESE_INDEX = len(_LANGUAGES["LATIN"]) - 1
_VIETNAMESE_OWN = frozenset(_VIETNAMESE) - frozenset().union(*_ALPHABETS["LATIN"][:_VIETNAMESE_INDEX])
_ALPHABET_LETTERS = {script: frozenset().union(*alphabets) for script, alphabets in _ALPHABETS.items()}
# Common word → the languages (indexes in _LANGUAGES["LATIN"]) that have it.
_LANGUAGES_OF_WORD: dict[str, list[int]] = {}
for _index, (_, _words) in enumerate(_LANGUAGES["LATIN"]):
    for _word in _words.split():
        _LANGUAGES_OF_WORD.setdefault(_word, []).append(_index)
_WORD = re.compile(r"[^\W\d_]+")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_ASCII_LETTERS = re.compile(r"[A-Za-z]")
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# The most frequent letters of the main languages of each script.
_FREQUENT_LETTERS = frozenset(
    "оеаинтсрвлкмдпу"  # Cyrillic
    "αοειτνσςηρκπμλυάέίόύώ"  # Greek
    "יוהאלמרבתשנ"  # Hebrew
    "اليمونهرتبعدكفسقحة"  # Arabic
    "นรกาองมยวดลทสหบคตจปเแไ่้ัีิะ"  # Thai
)
# Letters that real text writes only at the end of a word.
_FINAL_ONLY = frozenset("ךםןףץ\u0629ς")
# Thai vowels written before their consonant: a consonant must follow.
_THAI_LEADING_VOWELS = frozenset("เแโใไ")
_THAI_CONSONANTS = frozenset(chr(code) for code in range(0x0E01, 0x0E2F))
# Thai vowels written after their consonant: one must come before.
_THAI_FOLLOWING_VOWELS = frozenset("ะาำ")
# Vowels of the cased scripts besides Latin: a word of two letters or more has one ("дйд" has not).
_VOWELS = {
    "CYRILLIC": frozenset("аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ"),
    "GREEK": frozenset("αεηιουωάέήίόύώϊϋΐΰΑΕΗΙΟΥΩΆΈΉΊΌΎΏΪΫ"),
}
_GREEK_ACCENTED = frozenset("άέήίόύώΐΰΆΈΉΊΌΎΏ")
_CYRILLIC_CONSONANTS = frozenset("бвгґджзйклмнпрстфхцчшщБВГҐДЖЗЙКЛМНПРСТФХЦЧШЩ")
_CYRILLIC_AFTER_CONSONANT = frozenset("ьыЬЫ")
# Letters of old or rare use that bytes misread as Thai or Arabic turn into.
_RARE_LETTERS = frozenset("ฃฅฦฤๅÿŸ")
_TATWEEL = "\u0640"
# Scripts written without spaces, where Latin words sit right beside native ones ("CDを買う").
_UNSPACED_SCRIPTS = frozenset({"CJK", "HANGUL"})
# About 130 of the most frequent hangul syllables.
_FREQUENT_HANGUL = frozenset(
    "이다는에의을를가고하지서한기로사시리도인수대어자아일해나게정그있구보주제조전스니여라상내장부만모거"
    "들적과연성생국우경면소치오마원요습것러든까비동물문미금세방화개실위없되할했된중학분저말때번음터살또년못"
    "당신"
)
# About 300 of the most frequent Chinese characters (simplified and traditional forms).
_FREQUENT_HAN = frozenset(
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学"
    "对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头"
    "面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向"
    "情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信"
    "北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难"
    "這個們來說國會對時後麼當還過於無開見經頭從動兩長現將實點問種聲話員書"
)

# What `_character_plausibility` says a character is.
_LETTER, _MARK, _NEUTRAL, _SYMBOL, _BAD, _HAN = range(6)
# Penalties for what a wrong code page produces.
_BAD_CHARACTER = -10.0
_RARE_SYMBOL = -3.0
_TWO_SCRIPTS_IN_A_WORD = -3.0
_MARK_WITHOUT_LETTER = -3.0
_SYMBOL_INSIDE_WORD = -2.0
_LETTER_AFTER_FINAL = -2.0
_CAPITAL_AFTER_SMALL = -1.5
_LETTER_STUCK_TO_PUNCTUATION = -1.5
_WORD_WITHOUT_VOWEL = -1.5
_FOREIGN_LETTER = -1.0
_MINORITY_SCRIPT = -2.0
_WORD_WITHOUT_ACCENT = -1.0
_SPACED_IDEOGRAPHS = -1.0
# What well-placed punctuation scores (misplaced, inside a word, it costs _SYMBOL_INSIDE_WORD).
_PUNCTUATION_SCORE = 0.4
# What each common word of the text's language adds when a reading has it ("że", "à", "și").
_COMMON_WORD = 0.5
# A letter of another script in a text this many times richer in ASCII letters is a misread one.
_LATIN_TEXT_RATIO = 4


def _double_byte_characters(encoding: str, leads: Iterable[int], trails: Iterable[int]) -> frozenset[str]:
    """The characters that `encoding` gives for each lead byte followed by each trail byte."""
    characters: set[str] = set()
    trails = tuple(trails)
    for lead in leads:
        row = bytes(byte for trail in trails for byte in (lead, trail))
        try:
            characters.update(row.decode(encoding))  # A whole row at once, where all of it is valid.
            continue
        except UnicodeDecodeError:
            pass
        for trail in trails:
            try:
                characters.add(bytes((lead, trail)).decode(encoding))
            except UnicodeDecodeError:
                continue
    return frozenset(characters)


@lru_cache(maxsize=1)
def _national_sets() -> dict[str, frozenset[str]]:
    """The common and the other characters of GB 2312, Big5, JIS X 0208 and KS X 1001 (~20 ms)."""
    euc_trails = range(0xA1, 0xFF)
    big5_trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    return {
        "zh_common": _double_byte_characters("gb2312", range(0xB0, 0xD8), euc_trails)
        | _double_byte_characters("big5", range(0xA4, 0xC7), big5_trails),
        "zh_other": _double_byte_characters("gb2312", range(0xD8, 0xF8), euc_trails)
        | _double_byte_characters("big5", range(0xC9, 0xFA), big5_trails),
        "ja_common": _double_byte_characters("euc_jp", range(0xB0, 0xD0), euc_trails),
        "ja_other": _double_byte_characters("euc_jp", range(0xD0, 0xF5), euc_trails),
        "hangul_common": _double_byte_characters("euc_kr", range(0xB0, 0xC9), euc_trails),
    }


def _script(name: str) -> str:
    """The script of a letter, from its Unicode name ("CJK" for ideographs and kana alike)."""
    script = name.split(" ")[0]
    if script in ("HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "IDEOGRAPHIC", "CJK"):
        return "CJK"
    return script


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
    if character in _SPACE_AFTER:
        flags |= _SPACE_AFTER_PUNCTUATION
    if character.isspace():
        flags |= _WHITESPACE
    if character.isalpha():
        return 0.0, 0.0, "LATIN", 1 if character.isupper() else -1, _LETTER, "", flags
    if (character < " " and not character.isspace()) or character == "\x7f":
        return 0.0, 0.0, "", 0, _BAD, "", flags  # Counted apart, with _ASCII_CONTROLS.
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
    if character in _INSIDE_WORD_SYMBOLS:
        flags |= _INSIDE_WORD
    if character in _THAI_LEADING_VOWELS:
        flags |= _THAI_LEADING
    if character in _THAI_CONSONANTS:
        flags |= _THAI_CONSONANT
    if character in _THAI_FOLLOWING_VOWELS:
        flags |= _THAI_FOLLOWING
    if character in _CYRILLIC_AFTER_CONSONANT:
        flags |= _AFTER_CONSONANT
    if character in "йЙ":
        flags |= _AFTER_VOWEL
    if character in _CYRILLIC_CONSONANTS:
        flags |= _CONSONANT
    if character == _TATWEEL:
        flags |= _TATWEEL_FLAG
    if character in _FINAL_ONLY:
        flags |= _FINAL
    if character in _VOWELS.get(script, ()):
        flags |= _VOWEL
    if character in _GREEK_ACCENTED or (script == "GREEK" and "\u1f00" <= character <= "\u1fff"):
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
        return _BAD_CHARACTER, _BAD_CHARACTER, "", 0, _BAD, ""
    if character in _PUNCTUATION:
        return _PUNCTUATION_SCORE, _PUNCTUATION_SCORE, "", 0, _NEUTRAL, ""
    if character in _FORMAT_CHARACTERS or category in ("Zs", "Nd") or character in _COMMON_TYPOGRAPHY:
        return 0.0, 0.0, "", 0, _NEUTRAL, ""
    name = unicodedata.name(character, "UNKNOWN")
    if name.startswith(("FULLWIDTH", "CIRCLED", "PARENTHESIZED")):
        return 0.0, 0.0, "", 0, _NEUTRAL, ""  # Full-width and circled letters and digits of CJK text.
    if category.startswith("M"):
        script = name.split(" ")[0]
        return 0.0, 0.0, "" if script == "COMBINING" else script, 0, _MARK, ""
    if not category.startswith("L"):
        return _RARE_SYMBOL, _RARE_SYMBOL, "", 0, _SYMBOL, ""
    script = _script(name)
    if script == "HALFWIDTH":
        return -2.0, -2.0, "CJK", 0, _LETTER, ""
    if script == "CJK":
        if "HIRAGANA" in name:
            return 0.5, 0.5, script, 0, _LETTER, "kana"
        if "KATAKANA" in name:
            return 0.4, 0.4, script, 0, _LETTER, "kana"
        sets = _national_sets()
        if character in _FREQUENT_HAN:
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
        if character in _FREQUENT_HANGUL:
            score = 0.5
        else:
            score = 0.3 if character in _national_sets()["hangul_common"] else -0.5
        return score, score, script, 0, _LETTER, ""
    case = 1 if character.isupper() else (-1 if character.islower() else 0)
    key = ""
    lower = character.lower()
    if character in _FREQUENT_LETTERS or lower in _FREQUENT_LETTERS:
        score = 0.5
    elif character in _RARE_LETTERS:
        score = 0.0 if script == "LATIN" else -0.5
        key = lower if script == "LATIN" else ""
    elif script in _ALPHABET_LETTERS:
        key = lower if len(lower) == 1 else character
        if character == "İ":
            key = "i"  # Turkish capital I with a dot; its small letter is ASCII.
        score = 0.4 if key in _ALPHABET_LETTERS[script] or key == "i" else -0.5
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

    Each language scores _FOREIGN_LETTER for each of the text's letters its alphabet lacks, and
    _COMMON_WORD for each of its common words in the text; the best language counts. The common
    words in plain ASCII, the same in every reading of the bytes, are taken off again.
    """
    alphabets = _ALPHABETS[script]
    total = sum(letter_counts.values())
    hits = [0] * len(alphabets)
    ascii_hits = [0] * len(alphabets)
    if script == "LATIN":
        words: dict[str, int] = {}
        for word in _WORD.findall(text.lower()):
            words[word] = words.get(word, 0) + 1
        for word, count in words.items():
            for index in _LANGUAGES_OF_WORD.get(word, ()):
                hits[index] += count
                if word.isascii():
                    ascii_hits[index] += count
    fits = [
        _COMMON_WORD * hits[index]
        + _FOREIGN_LETTER
        * (total - sum(count for letter, count in letter_counts.items() if letter in alphabet))
        for index, alphabet in enumerate(alphabets)
    ]
    if script == "LATIN" and _VIETNAMESE_OWN.isdisjoint(letter_counts):
        fits[_VIETNAMESE_INDEX] = _FOREIGN_LETTER * total
    return max(fits) - _COMMON_WORD * max(ascii_hits)


def _word_penalty(length: int, vowel: bool, accent: bool, small: bool, script: str) -> float:
    """What a Cyrillic or Greek word that just ended costs: no vowel, or Greek without an accent."""
    if length < 2:
        return 0.0
    if not vowel:
        return _WORD_WITHOUT_VOWEL  # "дйд фтн"
    if script == "GREEK" and length >= 5 and small and not accent:
        return _WORD_WITHOUT_ACCENT  # Monotonic Greek marks the stress of every longer word.
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
    bad = len(_ASCII_CONTROLS.findall(text))  # UTF-16 or binary bytes read as a code page.
    total = _BAD_CHARACTER * bad
    non_ascii = bad
    han_chinese = han_japanese = 0.0
    upper = lower = kana = han = 0
    script_counts: dict[str, int] = {}
    letter_counts: dict[str, dict[str, int]] = {"LATIN": {}, "CYRILLIC": {}}
    info_of = _INFO.get
    for run in _NON_ASCII_RUN.finditer(text):
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
                        total += _MARK_WITHOUT_LETTER  # A vowel sign on a space, an Arabic one on "n".
                    continue  # A mark belongs to the letter before it: the checks go on from that letter.
                if flags & _THAI_FOLLOWING and previous_script != "THAI":
                    total += _LETTER_AFTER_FINAL  # "า" with no consonant before it.
                if flags & _AFTER_CONSONANT and not previous_flags & _CONSONANT:
                    total += _LETTER_AFTER_FINAL  # "ь" and "ы" follow a consonant.
                if flags & _AFTER_VOWEL and previous_flags & _CONSONANT:
                    total += _LETTER_AFTER_FINAL  # "й" follows a vowel.
                if flags & _TATWEEL_FLAG and previous_kind != _LETTER:
                    total += _LETTER_AFTER_FINAL  # The Arabic joining stroke stands between letters.
                if (
                    kind == _LETTER
                    and previous_flags & _SPACE_AFTER_PUNCTUATION
                    and script not in _UNSPACED_SCRIPTS
                ):
                    total += _LETTER_STUCK_TO_PUNCTUATION  # "Bennet,ö said".
            if previous_flags & (_THAI_LEADING | _TATWEEL_FLAG):
                if previous_flags & _THAI_LEADING and not flags & _THAI_CONSONANT:
                    total += _LETTER_AFTER_FINAL  # "เ" with no consonant after it.
                if previous_flags & _TATWEEL_FLAG and kind != _LETTER:
                    total += _LETTER_AFTER_FINAL
            if kind == _LETTER:
                if spaced_ideographs:
                    spaced_ideographs = False
                    if script == "CJK":
                        total += _SPACED_IDEOGRAPHS
                if previous_kind == _LETTER:
                    if script != previous_script and not (
                        (flags & _ASCII and previous_script in _UNSPACED_SCRIPTS)
                        or (previous_flags & _ASCII and script in _UNSPACED_SCRIPTS)
                    ):
                        total += _TWO_SCRIPTS_IN_A_WORD
                    if case == 1 and previous_case == -1:
                        total += _CAPITAL_AFTER_SMALL
                    if previous_flags & _FINAL and script == previous_script:
                        total += _LETTER_AFTER_FINAL  # A final form (ם, ة, ς) inside a word.
                if symbol_after_letter:
                    total += _SYMBOL_INSIDE_WORD
                if ideograph_after_latin and flags & _ASCII:
                    total += _TWO_SCRIPTS_IN_A_WORD  # "Stra呈 ist": an ideograph inside a Latin word.
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
                word_length = int(kind == _LETTER and script in _VOWELS)
                word_has_vowel = bool(flags & _VOWEL)
                word_has_accent = bool(flags & _ACCENT)
                word_has_small = case == -1
                word_script = script
            symbol_after_letter = (
                kind in (_SYMBOL, _NEUTRAL)
                and previous_kind == _LETTER
                and previous_script not in _UNSPACED_SCRIPTS  # "猫である。名前": punctuation, no space.
                and not flags & (_ASCII | _WHITESPACE | _INSIDE_WORD)
            )
            previous_script, previous_case, previous_kind, previous_flags = script, case, kind, flags
        if word_length:
            total += _word_penalty(word_length, word_has_vowel, word_has_accent, word_has_small, word_script)
    if non_ascii == 0:
        return 0.0
    # Japanese writes kana between its kanji; Chinese has none.
    total += han_japanese if kana and kana >= 0.1 * (kana + han) else han_chinese
    ascii_letters = len(_ASCII_LETTERS.findall(text)) if script_counts else 0
    if script_counts:
        main_script = max(script_counts, key=script_counts.__getitem__)
        total += _MINORITY_SCRIPT * sum(
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
            and script not in _UNSPACED_SCRIPTS
            and ascii_letters > _LATIN_TEXT_RATIO * count
        ):
            total += _FOREIGN_LETTER * count  # "Tabela de strings И muito grande".
    if upper > lower and upper >= 3:
        total -= 0.5 * upper  # Stories are not written in capitals; swapped cases are.
    return total / non_ascii
