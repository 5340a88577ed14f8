"""What real writing is made of, script by script: the tables that `nextword.text.plausibility` scores with.

Punctuation and typography real text uses; the letters and common words of the languages written
in Latin, Cyrillic and Greek letters; the common characters of the national character sets of
Chinese, Japanese and Korean. Data and the few functions that build it; no scoring here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Punctuation of real text outside ASCII: quotes, dashes, CJK, Arabic and Devanagari marks.
PUNCTUATION = frozenset(
    "«»‹›–—‘’‚“”„…¡¿ºª、。「」『』（）！？，：；〈〉《》【】\u05be\u05f3\u05f4"
    "\u060c\u061b\u061f\u06d4\u0964\u0965\u0e2f\u0e46\u0e5a\u0e5b"
)
# Other typography that real text uses; any other non-letter counts against an encoding.
COMMON_TYPOGRAPHY = frozenset("\u00a0•·°€£¥¢§©®™№×÷±\u3000・〜～\u066a\u066b\u066c☆★○●◎◇◆□■△▲▽▼※♪♫♡♥→←↑↓")
# Invisible format characters that real text has: joiners (Persian needs ZWNJ), direction marks.
FORMAT_CHARACTERS = frozenset("\u00ad\u200b\u200c\u200d\u200e\u200f")
# Symbols that may stand between two letters of a word (apostrophes, the Catalan middle dot).
INSIDE_WORD_SYMBOLS = frozenset("’·\u00ad\u200c\u200d\u200e\u200f\u05be\u05f3\u05f4")
# ASCII punctuation that a word follows only after a space (a misread letter sticks to it).
SPACE_AFTER = frozenset(",.;:!?)]}")

# For the languages written in Latin and Cyrillic letters: their letters beyond ASCII (lowercase)
# and some of their most common words. A reading whose letters no single language has together
# (Czech "ř" beside Polish "ą"), or has in a text whose words are another language's ("omogæiti
# ... s dva": Croatian words, a Danish letter), is a misread one.
VIETNAMESE = "ăâđêôơư" + "".join(
    unicodedata.normalize("NFC", base + mark)
    for base in "aăâeêioôơuưy"
    for mark in "\u0300\u0301\u0303\u0309\u0323"
)
LANGUAGES: dict[str, tuple[tuple[str, str], ...]] = {
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
            VIETNAMESE,
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
ALPHABETS = {script: tuple(frozenset(letters) for letters, _ in table) for script, table in LANGUAGES.items()}
# Vietnamese has nearly every vowel with every accent: it fits a text only with a letter of its own.
VIETNAMESE_INDEX = len(LANGUAGES["LATIN"]) - 1
VIETNAMESE_OWN = frozenset(VIETNAMESE) - frozenset().union(*ALPHABETS["LATIN"][:VIETNAMESE_INDEX])
ALPHABET_LETTERS = {script: frozenset().union(*alphabets) for script, alphabets in ALPHABETS.items()}
# Common word → the languages (indexes in LANGUAGES["LATIN"]) that have it.
LANGUAGES_OF_WORD: dict[str, list[int]] = {}
for _index, (_, _words) in enumerate(LANGUAGES["LATIN"]):
    for _word in _words.split():
        LANGUAGES_OF_WORD.setdefault(_word, []).append(_index)
WORD = re.compile(r"[^\W\d_]+")
NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
ASCII_LETTERS = re.compile(r"[A-Za-z]")
ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# The most frequent letters of the main languages of each script.
FREQUENT_LETTERS = frozenset(
    "оеаинтсрвлкмдпу"  # Cyrillic
    "αοειτνσςηρκπμλυάέίόύώ"  # Greek
    "יוהאלמרבתשנ"  # Hebrew
    "اليمونهرتبعدكفسقحة"  # Arabic
    "นรกาองมยวดลทสหบคตจปเแไ่้ัีิะ"  # Thai
)
# Letters that real text writes only at the end of a word.
FINAL_ONLY = frozenset("ךםןףץ\u0629ς")
# Thai vowels written before their consonant: a consonant must follow.
THAI_LEADING_VOWELS = frozenset("เแโใไ")
THAI_CONSONANTS = frozenset(chr(code) for code in range(0x0E01, 0x0E2F))
# Thai vowels written after their consonant: one must come before.
THAI_FOLLOWING_VOWELS = frozenset("ะาำ")
# Vowels of the cased scripts besides Latin: a word of two letters or more has one ("дйд" has not).
VOWELS = {
    "CYRILLIC": frozenset("аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ"),
    "GREEK": frozenset("αεηιουωάέήίόύώϊϋΐΰΑΕΗΙΟΥΩΆΈΉΊΌΎΏΪΫ"),
}
GREEK_ACCENTED = frozenset("άέήίόύώΐΰΆΈΉΊΌΎΏ")
CYRILLIC_CONSONANTS = frozenset("бвгґджзйклмнпрстфхцчшщБВГҐДЖЗЙКЛМНПРСТФХЦЧШЩ")
CYRILLIC_AFTER_CONSONANT = frozenset("ьыЬЫ")
# Letters of old or rare use that bytes misread as Thai or Arabic turn into.
RARE_LETTERS = frozenset("ฃฅฦฤๅÿŸ")
TATWEEL = "\u0640"
# Scripts written without spaces, where Latin words sit right beside native ones ("CDを買う").
UNSPACED_SCRIPTS = frozenset({"CJK", "HANGUL"})
# About 130 of the most frequent hangul syllables.
FREQUENT_HANGUL = frozenset(
    "이다는에의을를가고하지서한기로사시리도인수대어자아일해나게정그있구보주제조전스니여라상내장부만모거"
    "들적과연성생국우경면소치오마원요습것러든까비동물문미금세방화개실위없되할했된중학분저말때번음터살또년못"
    "당신"
)
# About 300 of the most frequent Chinese characters (simplified and traditional forms).
FREQUENT_HAN = frozenset(
    "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学"
    "对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头"
    "面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向"
    "情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信"
    "北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难"
    "這個們來說國會對時後麼當還過於無開見經頭從動兩長現將實點問種聲話員書"
)

# Penalties for what a wrong code page produces.
BAD_CHARACTER = -10.0
RARE_SYMBOL = -3.0
TWO_SCRIPTS_IN_A_WORD = -3.0
MARK_WITHOUT_LETTER = -3.0
SYMBOL_INSIDE_WORD = -2.0
LETTER_AFTER_FINAL = -2.0
CAPITAL_AFTER_SMALL = -1.5
LETTER_STUCK_TO_PUNCTUATION = -1.5
WORD_WITHOUT_VOWEL = -1.5
FOREIGN_LETTER = -1.0
MINORITY_SCRIPT = -2.0
WORD_WITHOUT_ACCENT = -1.0
SPACED_IDEOGRAPHS = -1.0
# What well-placed punctuation scores (misplaced, inside a word, it costs SYMBOL_INSIDE_WORD).
PUNCTUATION_SCORE = 0.4
# What each common word of the text's language adds when a reading has it ("że", "à", "și").
COMMON_WORD = 0.5
# A letter of another script in a text this many times richer in ASCII letters is a misread one.
LATIN_TEXT_RATIO = 4


def double_byte_characters(encoding: str, leads: Iterable[int], trails: Iterable[int]) -> frozenset[str]:
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
def national_sets() -> dict[str, frozenset[str]]:
    """The common and the other characters of GB 2312, Big5, JIS X 0208 and KS X 1001 (~20 ms)."""
    euc_trails = range(0xA1, 0xFF)
    big5_trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    return {
        "zh_common": double_byte_characters("gb2312", range(0xB0, 0xD8), euc_trails)
        | double_byte_characters("big5", range(0xA4, 0xC7), big5_trails),
        "zh_other": double_byte_characters("gb2312", range(0xD8, 0xF8), euc_trails)
        | double_byte_characters("big5", range(0xC9, 0xFA), big5_trails),
        "ja_common": double_byte_characters("euc_jp", range(0xB0, 0xD0), euc_trails),
        "ja_other": double_byte_characters("euc_jp", range(0xD0, 0xF5), euc_trails),
        "hangul_common": double_byte_characters("euc_kr", range(0xB0, 0xC9), euc_trails),
    }


def script(name: str) -> str:
    """The script of a letter, from its Unicode name ("CJK" for ideographs and kana alike)."""
    script = name.split(" ")[0]
    if script in ("HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "IDEOGRAPHIC", "CJK"):
        return "CJK"
    return script
